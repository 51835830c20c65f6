/* Synthetic series for the analysis tests: phases at a fixed rate, one generator per column. */
#ifndef SOCKLEAK_TEST_SYNTH_H
#define SOCKLEAK_TEST_SYNTH_H

#include <math.h>
#include <stdint.h>

#include "describe.h"
#include "model/series.h"

/* What a generator knows about the row being made. */
struct synth_row {
	enum phase ph;
	double t; /* seconds since the start */
	double cycles; /* cycles completed */
	double churn_t0, churn_t1; /* churn (with warm-up) start and end, seconds */
	double tq; /* seconds since quiesce began; 0 before */
	double total; /* cycles at the end of churn */
	uint64_t *rng;
};

typedef double (*synth_fn)(const struct synth_row *r, const void *arg);

struct synth_col {
	const char *name;
	enum unit unit;
	enum metric_kind kind;
	synth_fn f;
	const void *arg;
	const struct metric_desc *desc; /* its descriptor; NULL: the catalog's for its name */
};

struct synth_plan {
	double hz; /* samples per second (10) */
	double rate; /* cycles per second during churn */
	double baseline, warmup, churn, quiesce, teardown; /* seconds */
	size_t max_rows; /* 0: the default */
	uint64_t seed;
};

static inline double synth_uniform(uint64_t *s)
{
	/* xorshift64*: reproducible across libcs, unlike rand(). */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return ((*s * 2685821657736338717ULL) >> 11) * (1.0 / 9007199254740992.0);
}

static inline double synth_gauss(uint64_t *s)
{
	double u = synth_uniform(s), v = synth_uniform(s);

	if (u < 1e-300)
		u = 1e-300;
	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* Builds the series; every column's generator is called once per sample. */
static inline int synth_build(struct series *s, const struct synth_plan *p,
			      const struct synth_col *cols, size_t ncols)
{
	double dt = 1 / p->hz, t = 0, cycles = 0;
	double ends[PHASE_COUNT];
	static const enum phase order[] = { PHASE_BASELINE, PHASE_WARMUP, PHASE_CHURN,
					    PHASE_QUIESCE, PHASE_TEARDOWN };
	uint64_t rng = p->seed ? p->seed : 88172645463325252ULL;
	struct synth_row row = { .rng = &rng };
	int idx[64];
	size_t i, k;
	int err;

	if ((err = series_init(s, p->max_rows)))
		return err;
	for (i = 0; i < ncols; i++)
		if ((idx[i] = cols[i].desc ? series_add(s, cols[i].name, cols[i].desc) :
					     series_add_named(s, cols[i].name, cols[i].unit,
							      cols[i].kind, NULL)) < 0)
			return idx[i];
	ends[PHASE_BASELINE] = p->baseline;
	ends[PHASE_WARMUP] = ends[PHASE_BASELINE] + p->warmup;
	ends[PHASE_CHURN] = ends[PHASE_WARMUP] + p->churn;
	ends[PHASE_QUIESCE] = ends[PHASE_CHURN] + p->quiesce;
	ends[PHASE_TEARDOWN] = ends[PHASE_QUIESCE] + p->teardown;
	row.churn_t0 = p->baseline;
	row.churn_t1 = ends[PHASE_CHURN];
	row.total = p->rate * (p->warmup + p->churn);
	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		enum phase ph = order[k];
		double start = k ? ends[order[k - 1]] : 0;

		if (ends[ph] - start <= 0)
			continue;
		series_mark(s, ph, t, (uint64_t)cycles);
		for (; t < ends[ph] - 1e-9; t += dt) {
			if (ph == PHASE_WARMUP || ph == PHASE_CHURN)
				cycles += p->rate * dt;
			row.ph = ph;
			row.t = t;
			row.cycles = cycles;
			row.tq = ph >= PHASE_QUIESCE ? t - ends[PHASE_CHURN] : 0;
			for (i = 0; i < ncols; i++)
				series_set(s, idx[i], cols[i].f(&row, cols[i].arg));
			if ((err = series_commit(s, t, (uint64_t)cycles)))
				return err;
		}
	}
	return series_flush(s);
}

/* TIME_WAIT sockets: every cycle leaves one for `life` seconds. */
static inline double synth_tw(const struct synth_row *r, double rate, double life)
{
	double a = fmax(r->churn_t0, r->t - life), b = fmin(r->churn_t1, r->t);

	return b > a ? rate * (b - a) : 0;
}

#endif
