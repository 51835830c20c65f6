/* Comparing two runs (two kernels, before and after a fix): REGRESSION, IMPROVEMENT or SAME. */
#ifndef SOCKLEAK_COMPARE_H
#define SOCKLEAK_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "model/result.h"
#include "model/series.h"
#include "config.h"

enum cmp_outcome {
	CMP_SAME,
	CMP_IMPROVEMENT,
	CMP_REGRESSION,
};

const char *cmp_outcome_name(enum cmp_outcome o);

struct compare_params {
	double alpha; /* family-wise significance level; 0: 0.05 */
	double min_change; /* a LEAK that stays a LEAK must change by this fraction; 0: 0.10 */
};

/* One metric judged in both runs: B against A. */
struct cmp_metric {
	const char *name; /* the column name (in A's series) */
	enum unit unit;
	const struct metric_result *a, *b;
	double d_residual, se_residual, z_residual; /* residual per cycle: B - A, its SE, z */
	double d_slope, se_slope, z_slope; /* growth per cycle during churn */
	bool sig_residual, sig_slope; /* |z| above the critical value */
	enum cmp_outcome outcome;
	bool changed; /* verdict differs, or a significant change */
	char why[200];
};

struct comparison {
	enum cmp_outcome outcome; /* REGRESSION if any metric regressed, ... */
	struct cmp_metric *m; /* metrics judged in both, in A's order */
	size_t nm;
	const char **only_a, **only_b; /* judged in one run only */
	size_t n_only_a, n_only_b;
	double alpha, z_crit; /* the critical |z| after Bonferroni */
	size_t tests; /* 2 per metric compared */
	double min_change;
};

/*
 * Compares run B against run A metric by metric (matched by column name). Significance: a z-test
 * on each difference, with standard errors taken from what each run carries: the slope's 95%
 * confidence interval (SE = width / 3.92) and, for the residual per cycle, the metric's noise
 * (SE = sqrt(2) * noise / cycles: the difference of two levels that each carry it), at a
 * family-wise level alpha split over all tests (Bonferroni). Returns 0 or -ENOMEM.
 */
int compare_runs(const struct series *sa, const struct result *ra, const struct series *sb,
		 const struct result *rb, const struct compare_params *p, struct comparison *out);
void comparison_free(struct comparison *c);

/*
 * Whether two runs ran the same thing: the sequence text and the transport. Returns 0 when they
 * did; otherwise 1 with why filled in (a run without its configuration cannot be checked).
 */
int compare_same_sequence(const struct run_config *a, const struct run_config *b, char *why,
			  size_t size);

/* The two-sided critical value of the standard normal for level p: |z| > crit has probability p. */
double compare_z_crit(double p);

#endif
