/* struct result: what analysis decided about a series, read by every report. */
#ifndef SOCKLEAK_RESULT_H
#define SOCKLEAK_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/series.h"

/* Ordered by severity: the overall verdict is the largest. */
enum verdict {
	VERDICT_CLEAN,		/* no significant growth */
	VERDICT_BOUNDED,	/* grew to a plateau, or deferred clean-up (TIME_WAIT); came back */
	VERDICT_INCONCLUSIVE,	/* noise too large for this run's length */
	VERDICT_BACKLOG,	/* still rising while the loop ran, came back after: starved clean-up */
	VERDICT_LEAK,		/* a residual above noise that did not come back */
	VERDICT_COUNT,
};

const char *verdict_name(enum verdict v);

struct metric_result {
	int col;			/* column in the series */
	enum verdict verdict;
	char why[200];			/* one line of evidence in words */
	double baseline;		/* median level during baseline */
	double noise;			/* robust sigma (MAD x 1.4826) of baseline and jitter */
	double peak;			/* largest rise above baseline during churn */
	double slope;			/* rise per cycle during churn (Theil-Sen) */
	double slope_lo, slope_hi;	/* its 95% confidence interval */
	double slope_early, slope_late;	/* first and last third of churn: the shape */
	double residual;		/* level at the end of quiesce minus baseline */
	double residual_per_cycle;
	double after_teardown;		/* level after teardown minus baseline; NAN without teardown */
	double confidence;		/* 0..1, for the verdict given */
	double cycles_to_decide;	/* INCONCLUSIVE: cycles a run would need; else 0 */
	bool tw_explained;		/* growth explained by TIME_WAIT sockets */
};

struct result {
	enum verdict verdict;		/* overall */
	struct metric_result *m;	/* analysed metrics, most severe and largest first */
	size_t nm;
	uint64_t cycles;		/* churn cycles */
	double churn_seconds;
	double quiesce_seconds;
	bool quiesce_stable;		/* every metric that moved settled before the maximum */
	double leaked_sockets_per_cycle; /* exact in a private netns; NAN when unknown */
	double injected_per_cycle;	/* 1/N with --inject-leak N, else 0 */
	double memcg_bytes_per_cycle;	/* NAN without a cgroup */
};

#endif
