/* A time series of many metrics sampled together: one column per metric, plus time, cycles, phase. */
#ifndef SOCKLEAK_SERIES_H
#define SOCKLEAK_SERIES_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "model/metric.h"

enum phase {
	PHASE_BASELINE,
	PHASE_WARMUP,
	PHASE_CHURN,
	PHASE_QUIESCE,
	PHASE_TEARDOWN,
	PHASE_COUNT,
};

struct series_col {
	char *name; /* stable dotted key: slab.TCP.objs, sockstat.TCP.inuse, ... */
	struct metric_desc d; /* what it is; its strings belong to the series */
	double *v; /* one value per stored row; NAN where not sampled */
};

struct phase_mark {
	enum phase phase;
	double t; /* seconds since the series started */
	uint64_t cycles; /* engine cycles at that instant */
	size_t row; /* first stored row of the phase */
};

#define SERIES_MAX_MARKS 16
#define SERIES_DEFAULT_ROWS 8192

/*
 * Memory is bounded: at max_rows the stored rows are folded in pairs (averaged) and every later
 * stored row averages 2^fold samples, so a run of any length keeps between max_rows/2 and max_rows
 * rows. Each column's latest raw figure is always kept in `last` for live views.
 *
 * One thread writes (series_add, series_set, series_commit, series_mark); other threads that read
 * while it runs hold series_lock.
 */
struct series {
	struct series_col *cols;
	size_t ncols, cols_cap;

	double *t; /* per row: seconds since start */
	double *cycles; /* per row: engine cycles completed */
	unsigned char *phase; /* per row: enum phase */
	size_t nrows, rows_cap, max_rows;
	unsigned fold;

	double *row; /* the sample being filled (ncols) */
	double *last; /* each column's latest figure, raw (ncols); kept across a NAN */
	double *acc; /* running sums of the pending samples (ncols) */
	unsigned *acc_cnt; /* how many of them were not NAN (ncols) */
	double acc_t, acc_cycles;
	unsigned acc_n;
	enum phase acc_phase;

	double last_t;
	uint64_t last_cycles;
	enum phase cur_phase;
	uint64_t samples; /* raw samples committed */

	struct phase_mark marks[SERIES_MAX_MARKS];
	size_t nmarks;

	pthread_mutex_t lock;
};

const char *phase_name(enum phase ph);
int phase_parse(const char *s, enum phase *out);

int series_init(struct series *s, size_t max_rows);
void series_free(struct series *s);

/* Finds or adds a column described by d (copied); returns its index or -errno. */
int series_add(struct series *s, const char *name, const struct metric_desc *d);
int series_find(const struct series *s, const char *name);
/*
 * The usual time between two rows that hold a value of v (NULL: between rows): the median gap, so
 * that a phase's own last sample, off the tick grid, does not count. 0 with fewer than 2 rows.
 * A probe sampled every k-th tick has k times the rows' spacing.
 */
double series_spacing(const struct series *s, const double *v);
/* Describes col anew (d copied), e.g. once a probe learnt which caches SLUB merged. */
int series_describe(struct series *s, int col, const struct metric_desc *d);
/* Sets col's note alone (the rest of its descriptor stays). */
int series_set_note(struct series *s, int col, const char *note);
/* The column of class cls whose object is object (a slab cache's objs, bytes, pages); -1. */
int series_find_object(const struct series *s, enum metric_class cls, const char *object);

/* Sets a value in the sample being filled; the sample is committed with series_commit. */
void series_set(struct series *s, int col, double v);
int series_commit(struct series *s, double t, uint64_t cycles);
/* Stores the samples still pending in a folded series (the end of a run). */
int series_flush(struct series *s);

/* Starts a phase at time t; rows committed from now on carry it. */
int series_mark(struct series *s, enum phase ph, double t, uint64_t cycles);
/* The mark of a phase, or NULL when the run never reached it. */
const struct phase_mark *series_phase(const struct series *s, enum phase ph);
/* The stored rows [*begin, *end) of a phase; returns the count (0 when absent). */
size_t series_phase_rows(const struct series *s, enum phase ph, size_t *begin, size_t *end);

static inline double series_val(const struct series *s, int col, size_t row)
{
	return s->cols[col].v[row];
}

/*
 * Appends one stored row as given: no averaging and no folding (for readers of a saved series).
 * v holds ncols values. -ENOSPC once max_rows rows are stored.
 */
int series_put_row(struct series *s, double t, double cycles, enum phase ph, const double *v);

void series_lock(struct series *s);
void series_unlock(struct series *s);

#endif
