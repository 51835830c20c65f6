/* Robust statistics for the verdict: order statistics, MAD, Theil-Sen with Sen's interval, Mann-Kendall. */
#ifndef SOCKLEAK_STATS_H
#define SOCKLEAK_STATS_H

#include <stddef.h>

/* MAD x this = sigma for Gaussian noise. */
#define ST_MAD_SIGMA 1.4826
/* Standard error of a median over a mean's, for Gaussian noise: sqrt(pi/2). */
#define ST_MEDIAN_SE 1.2533

/*
 * Functions that take `v` reorder it (selection in place); none allocates. Callers that must keep
 * their data pass a copy in their own scratch.
 */

/* Copies the finite values of src[0..n) to dst (may alias src); returns how many. */
size_t st_finite(const double *src, size_t n, double *dst);
/* The k-th smallest (0-based) of v[0..n); n > k. Expected linear time, robust to many ties. */
double st_select(double *v, size_t n, size_t k);
/* NAN when n == 0. */
double st_median(double *v, size_t n);
/* Quantile q in [0, 1], interpolated between order statistics (Hyndman-Fan type 7). */
double st_quantile(double *v, size_t n, double q);
/* Robust sigma = 1.4826 x median absolute deviation; *median (may be NULL) gets the median. */
double st_mad_sigma(double *v, size_t n, double *median);
/*
 * Robust sigma of the white part of the noise from first differences, 1.4826 MAD(diff) / sqrt(2):
 * a steady trend moves the median of the differences, not their spread. scratch: n doubles.
 */
double st_jitter_sigma(const double *v, size_t n, double *scratch);
/* Lag-1 autocorrelation of v around its mean, in [-1, 1]; 0 when undefined. */
double st_lag1(const double *v, size_t n);
/* Effective sample size of n autocorrelated values (AR(1) model), clamped to [1, n]. */
double st_neff(size_t n, double rho);

double st_norm_cdf(double z);
/* Inverse of st_norm_cdf for p in (0, 1) (Acklam's rational approximation, |rel err| < 1.2e-9). */
double st_norm_quantile(double p);

/* A robust trend of y against x. */
struct st_trend {
	size_t n; /* points used */
	size_t pairs; /* pairs with distinct x */
	double slope; /* Theil-Sen: median of the pairwise slopes */
	double intercept; /* median of y - slope x */
	double lo, hi; /* Sen's confidence interval of the slope at the level asked */
	double s; /* Mann-Kendall S */
	double var_s; /* Var(S), corrected for ties in y and for autocorrelation */
	double z; /* continuity-corrected S / sqrt(var_s); > 0: rising */
	double rho; /* lag-1 autocorrelation of the residuals, as used in var_s */
};

/* Doubles of scratch st_trend needs for n points. */
size_t st_trend_scratch(size_t n);
/*
 * Theil-Sen slope with Sen's (1968) confidence interval from the Mann-Kendall variance of S.
 * Points are given in increasing x. Var(S) is inflated by (1 + rho) / (1 - rho), rho the lag-1
 * autocorrelation of the residuals (clamped to [0, 0.95]): sampled kernel figures are not
 * independent, and without this a slow random walk reads as a trend. O(n^2) time: callers thin.
 * Returns 0, or -EINVAL with fewer than 3 points or no two distinct x.
 */
int st_trend(const double *x, const double *y, size_t n, double conf, double *scratch,
	     struct st_trend *out);

/*
 * A part of a finite population from a random sample of it: total items, of which n were
 * sampled (each item on its own, with the same chance) and k of those have the trait. The
 * estimate of how many have it is total * k / n; lo and hi bound it at confidence conf (Wilson's
 * score interval for k / n, its variance shrunk by the finite-population correction 1 - n/total,
 * then clamped to what is certain: at least k, at most total - (n - k)). Exact when n == total.
 * Returns the estimate; NAN (and lo, hi NAN) when n < 1 or the counts are inconsistent.
 */
double st_share_estimate(double k, double n, double total, double conf, double *lo, double *hi);

#endif
