/* Internal to analysis: phases of a series, metric roles and the figures measured for one metric. */
#ifndef SOCKLEAK_MEASURE_H
#define SOCKLEAK_MEASURE_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/analysis.h"
#include "analysis/stats.h"

/* Row ranges [begin, end) of each phase, and the cycles the churn ran. */
struct phases {
	size_t b0, b1; /* baseline */
	size_t c0, c1; /* churn rows fitted (warm-up excluded when asked) */
	size_t q0, q1; /* quiesce */
	size_t t0, t1; /* teardown */
	double cycles; /* churn cycles, warm-up included: what a leak scales with */
	double kept_cycles; /* those in which what was kept could be kept: up to a cap, else all */
	double churn_seconds, quiesce_seconds;
};

void phases_find(const struct series *s, const struct analysis_params *p, struct phases *ph);

/* Scratch for one analysis pass: allocated once, reused for every metric. */
struct work {
	const struct series *s;
	const struct analysis_params *p;
	struct phases ph;
	double z_alpha; /* one-sided critical value of each test */
	double z_power; /* quantile of the power asked */
	double *a, *b, *c, *e; /* nrows each */
	double *x, *y; /* fit points: max_fit_points each */
	double *fit; /* st_trend scratch for max_fit_points */
	/* TIME_WAIT sockets per row (NAN when unknown), their baseline, noise and extremes. */
	double *tw;
	bool tw_known;
	double tw_base, tw_noise, tw_peak, tw_tail, tw_q0;
	double tw_tail_change; /* their trend over the quiesce tail: < 0 while still expiring */
	bool tw_moved;
	bool tw_capped; /* flat at tw_cap while the loop still ran: connect() reused them */
	double tw_cap;
	/*
	 * Set for a second pass: the run's own socket counts leaked, the fewest of them by this
	 * many sockets (the caches that hold sockets then follow on their noise).
	 */
	bool sockets_leaked;
	double leaked_sockets;
	unsigned leaked_families; /* SOCK_* of the counts that leaked */
	/*
	 * The host drift of the column being measured (units per second, sign-corrected; 0: none)
	 * and the time it is reckoned from: every row's value has drift x (t - drift_t0) taken off.
	 * Set by measure_level for each column (drift_fit).
	 */
	double drift, drift_t0;
};

int work_init(struct work *w, const struct series *s, const struct analysis_params *p);
void work_free(struct work *w);

/*
 * First row of the quiesce tail: the last settle_seconds of quiesce (at least 5 rows). The
 * residual, and whether a metric still moves, are read there, by the verdict and by the quiesce
 * stop rule alike, so that the two never disagree.
 */
size_t tail_begin(const struct series *s, const struct phases *ph, double settle_seconds);

/*
 * How analysis treats a column, from its descriptor: counters are events; what follows TIME_WAIT
 * is deferred clean-up; advisory figures never decide; socket counts, slab caches and memcg
 * kernel memory may.
 */
enum metric_role metric_role(const struct metric_desc *d);

/* What per-CPU reserves may keep of a charge counter in unit u: mem_pcpu_rsv pages per CPU. */
double charge_reserve(const struct analysis_params *p, enum unit u);

/* Blocks of churn whose medians give its shape: bursts of in-flight objects cannot move them. */
#define SHAPE_BLOCKS 5

/* Everything measured about one level metric, in its own units, sign-corrected (up = more used). */
struct figures {
	double base; /* median level in baseline (raw units, raw sign) */
	double base_u; /* the same, sign-corrected and with the TIME_WAIT part taken off */
	double noise; /* robust sigma: max of baseline MAD, jitter, resolution */
	double sigma_base, sigma_jitter, floor;
	size_t nb, nt, nc; /* baseline, quiesce-tail and churn rows with a value */
	double residual; /* kept after quiesce, against baseline (see later); NAN without quiesce */
	double later; /* what the tail holds above the level quiesce held before: came later */
	double q_spread; /* how much quiesce windows differ (sd of their medians); NAN: < 3 */
	double q_range; /* the largest difference between two of them */
	double q_first, q_first_se; /* the first stretch of quiesce (as long as the tail); NAN */
	double q_rise; /* the tail above the first stretch of quiesce */
	bool q_rising; /* ... by a quarter of the residual and more than noise: rose without the loop */
	double residual_sd; /* its standard error (autocorrelation-aware) */
	double tail_change; /* trend over the quiesce tail, in units: still moving? */
	double q90; /* 90th percentile of the churn rise: "it grew" */
	double rise_end; /* median rise over the last tenth of churn */
	double end_level; /* the rise at the last churn row, from the late fit */
	double peak; /* largest running median (5 rows) of the rise in churn: for decisions */
	double top; /* largest rise in churn, any row: the peak a chart of the series shows */
	double after_teardown; /* NAN without teardown */
	/* The lowest row of the quiesce tail above the highest of the baseline: every row of the
	   tail stood at least this far above all of the baseline (NAN without a tail). */
	double kept_min;
	/* Every row of the quiesce tail stood exactly at the lowest level of the baseline: it
	   kept nothing (false without a tail). */
	bool at_base;
	double td_drop, td_se; /* the quiesce tail above the teardown level: went with the netns */
	struct st_trend all, early, late;
	bool have_all, have_early, have_late;
	double dx_early, dx_late; /* cycles spanned by the first and last third (half when short) */
	size_t n_late;
	double tw_k; /* units per TIME_WAIT socket removed from every row; 0: none */
	double tw_end; /* the TIME_WAIT part of the residual (tw_k x pending tw) */
	bool flat; /* never left its baseline noise band: no fit done */
	/*
	 * Host drift (host-wide figures only): the same steady rate, units per second, in the
	 * baseline and through the later half of quiesce, when no cycle runs: time's, not the
	 * loop's. Taken off every row before anything else is measured; 0 when none was found.
	 * drift_added: what it would have added between the baseline and the quiesce tail.
	 */
	double drift, drift_added;

	/*
	 * The churn's shape, from the medians of SHAPE_BLOCKS consecutive blocks of rows. jitter is
	 * the spread of the churn rows around their trend, bursts included (the larger of MAD and
	 * the 10-90% range): what a rise must clear to be more than in-flight objects coming and
	 * going. sustained: the rise is large against that jitter, significant, and monotone in
	 * trend from the first block to the last, still rising in the second half.
	 */
	double jitter;
	size_t nblk;
	double blk[SHAPE_BLOCKS];
	double blk_d; /* smallest significant difference between two block medians */
	double rise; /* last block median minus first */
	bool sustained;
};

/* Effect sizes for one metric. */
struct limits {
	double min_eff; /* a rise this small is not growth */
	double hold; /* a residual this small is not kept */
	double beta_min; /* smallest rate worth deciding, units per cycle */
	double k_noise; /* a kept residual clears this many sigma of level noise */
	bool exact; /* a socket count in the run's own netns */
	/* An open-socket count (sockets, or sockets in a state) of the run's own netns: one still
	   open at every row of the quiesce tail is a leak, however churn looked. */
	bool open_count;
	/*
	 * An exact count of the run's own (its netns's sockets, or its processes' fds): one back at
	 * its baseline at every row of the quiesce tail kept nothing, however short the run.
	 */
	bool own_count;
	double os; /* slab caches: bytes per object, for bytes columns too (else 1) */
	bool percpu; /* hold is what per-CPU caches keep, not just the smallest leak */
};

/* The effect sizes of column c, whose role is role. */
void limits_for(const struct work *w, const struct series_col *c, enum metric_role role,
		struct limits *l);

/*
 * Measures column col. With tw_k != 0, tw_k x (TIME_WAIT sockets above baseline) is taken off
 * every row first. Returns 0, or -ENODATA when the baseline has no value.
 */
int measure(struct work *w, int col, double tw_k, struct figures *f);
/*
 * Baseline level and noise, residual and tail trend only (no churn fits): what the quiesce stop
 * rule needs each sample. Fills those fields of f as measure() does.
 */
int measure_level(struct work *w, int col, double tw_k, struct figures *f);
/* Whether a tail change of f is still movement rather than noise, for the verdict and settle. */
bool tail_moving(const struct figures *f, const struct limits *l);
/*
 * A host-wide figure (not the run's own exact counts) still rising at the end of quiesce, above
 * the level it held once the loop had stopped (q_rising): the loop's leaks do not grow when no
 * cycle runs, another task moves it, in steps too coarse for a rate or as disk I/O comes. A
 * longer quiesce would not settle it: it neither holds quiesce nor decides (the verdict and the
 * stop rule ask alike).
 */
bool host_rising(const struct series_col *c, const struct limits *l, const struct figures *f);
/* Units per TIME_WAIT socket that col follows (0 when it does not), from the figures without. */
double tw_follow(struct work *w, int col, const struct figures *raw, bool integral);

#endif
