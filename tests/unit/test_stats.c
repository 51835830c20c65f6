/* Unit tests for src/analysis/stats.c: order statistics, MAD, normal quantiles, Theil-Sen, Mann-Kendall. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/stats.h"
#include "synth.h"

static void test_select_median_quantile(void **state)
{
	double v[] = { 5, 1, 4, 2, 3 }, e[] = { 4, 1, 3, 2 }, t[9],
	       q[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	size_t i;

	(void)state;
	assert_float_equal(st_median(v, 5), 3, 0);
	assert_float_equal(st_median(e, 4), 2.5, 0);
	for (i = 0; i < 9; i++)
		t[i] = i % 3; /* many ties: 0 1 2 0 1 2 ... */
	assert_float_equal(st_select(t, 9, 0), 0, 0);
	assert_float_equal(st_select(t, 9, 4), 1, 0);
	assert_float_equal(st_select(t, 9, 8), 2, 0);
	assert_float_equal(st_quantile(q, 10, 0.9), 9.1, 1e-12); /* type 7 */
	assert_float_equal(st_quantile(q, 10, 0), 1, 0);
	assert_float_equal(st_quantile(q, 10, 1), 10, 0);
	assert_true(isnan(st_median(v, 0)));
}

/* Selection agrees with sorting on random data with ties, every rank. */
static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void test_select_matches_sort(void **state)
{
	enum { N = 301 };
	double v[N], sorted[N], w[N];
	uint64_t rng = 7;
	size_t i, k;

	(void)state;
	for (i = 0; i < N; i++)
		v[i] = floor(synth_uniform(&rng) * 20);
	memcpy(sorted, v, sizeof(v));
	qsort(sorted, N, sizeof(double), cmp);
	for (k = 0; k < N; k++) {
		memcpy(w, v, sizeof(v));
		assert_float_equal(st_select(w, N, k), sorted[k], 0);
		/* Partitioned around k afterwards: the interval ends rely on it. */
		for (i = 0; i < k; i++)
			assert_true(w[i] <= w[k]);
		for (i = k + 1; i < N; i++)
			assert_true(w[i] >= w[k]);
	}
}

static void test_mad_and_jitter(void **state)
{
	enum { N = 20000 };
	static double v[N], line[N], scratch[N];
	uint64_t rng = 42;
	double med, sigma;
	size_t i, n;

	(void)state;
	for (i = 0; i < N; i++) {
		v[i] = 100 + 5 * synth_gauss(&rng);
		line[i] = 3.0 * i + 5 * synth_gauss(&rng);
	}
	sigma = st_mad_sigma(v, N, &med);
	assert_float_equal(med, 100, 0.2);
	assert_float_equal(sigma, 5, 0.15);
	/* Differences ignore a steady trend: the noise, not the slope, comes out. */
	assert_float_equal(st_jitter_sigma(line, N, scratch), 5, 0.2);
	/* NANs are dropped first. */
	v[0] = NAN;
	v[1] = INFINITY;
	n = st_finite(v, 10, scratch);
	assert_int_equal(n, 8);
}

static void test_normal(void **state)
{
	(void)state;
	assert_float_equal(st_norm_quantile(0.975), 1.959963985, 1e-8);
	assert_float_equal(st_norm_quantile(0.99), 2.326347874, 1e-8);
	assert_float_equal(st_norm_quantile(0.5), 0, 1e-12);
	assert_float_equal(st_norm_quantile(1e-6), -4.753424309, 1e-7);
	assert_float_equal(st_norm_cdf(1.959963985), 0.975, 1e-9);
	assert_float_equal(st_norm_cdf(st_norm_quantile(0.3)), 0.3, 1e-9);
	assert_true(isinf(st_norm_quantile(0)));
}

static void test_autocorr_neff(void **state)
{
	double alt[100], walk[100];
	uint64_t rng = 3;
	size_t i;

	(void)state;
	for (i = 0; i < 100; i++) {
		alt[i] = i % 2 ? 1 : -1;
		walk[i] = (i ? walk[i - 1] : 0) + synth_gauss(&rng);
	}
	assert_true(st_lag1(alt, 100) < -0.9);
	assert_true(st_lag1(walk, 100) > 0.8);
	assert_float_equal(st_neff(100, 0), 100, 0);
	assert_float_equal(st_neff(100, 0.5), 100.0 / 3, 1e-9);
	assert_float_equal(st_neff(100, -0.5), 100, 0); /* never more than n */
	assert_float_equal(st_neff(3, 0.95), 1, 0);
}

/* Mann-Kendall by hand: 1..5 rising gives S = 10, Var = 5*4*15/18; ties lower the variance. */
static void test_mann_kendall_small(void **state)
{
	double x[] = { 1, 2, 3, 4, 5 }, y[] = { 1, 2, 3, 4, 5 }, yt[] = { 1, 1, 2, 2 };
	double scratch[64];
	struct st_trend t;

	(void)state;
	assert_int_equal(st_trend(x, y, 5, 0.95, scratch, &t), 0);
	assert_float_equal(t.s, 10, 0);
	assert_float_equal(t.var_s, 5 * 4 * 15 / 18.0, 1e-9);
	assert_float_equal(t.z, 9 / sqrt(5 * 4 * 15 / 18.0), 1e-9);
	assert_float_equal(t.slope, 1, 0);
	assert_float_equal(t.intercept, 0, 0);
	assert_int_equal(st_trend(x, yt, 4, 0.95, scratch, &t), 0);
	assert_float_equal(t.s, 4, 0);
	assert_float_equal(t.var_s, (4 * 3 * 13 - 2 * 2 * 1 * 9) / 18.0, 1e-9);
	/* Too few points, or no two distinct x. */
	assert_int_equal(st_trend(x, y, 2, 0.95, scratch, &t), -EINVAL);
	x[1] = x[2] = x[0];
	assert_int_equal(st_trend(x, y, 3, 0.95, scratch, &t), -EINVAL);
}

/* Theil-Sen shrugs off a fifth of the points being wild; least squares would not. */
static void test_theil_sen_outliers(void **state)
{
	enum { N = 200 };
	static double x[N], y[N], scratch[N * (N - 1) / 2 + 2 * N + 1];
	uint64_t rng = 11;
	struct st_trend t;
	size_t i;

	(void)state;
	assert_true(st_trend_scratch(N) <= sizeof(scratch) / sizeof(scratch[0]));
	for (i = 0; i < N; i++) {
		x[i] = 1000.0 * i;
		y[i] = 50 + 0.002 * x[i] + synth_gauss(&rng);
		if (i % 5 == 0)
			y[i] += 1e4 * synth_uniform(&rng);
	}
	assert_int_equal(st_trend(x, y, N, 0.95, scratch, &t), 0);
	assert_float_equal(t.slope, 0.002, 0.00005);
	assert_true(t.lo < 0.002 && 0.002 < t.hi + 0.00002);
	assert_true(t.z > 5);
}

/* Sen's 95% interval covers the true slope about 95% of the time on white noise. */
static void test_sen_coverage(void **state)
{
	enum { N = 60, RUNS = 400 };
	static double x[N], y[N], scratch[N * (N - 1) / 2 + 2 * N + 1];
	uint64_t rng = 99;
	struct st_trend t;
	int run, cover = 0, falsepos = 0;
	size_t i;

	(void)state;
	for (run = 0; run < RUNS; run++) {
		double slope = run % 2 ? 0.5 : 0;

		for (i = 0; i < N; i++) {
			x[i] = i;
			y[i] = slope * i + 3 * synth_gauss(&rng);
		}
		assert_int_equal(st_trend(x, y, N, 0.95, scratch, &t), 0);
		cover += t.lo <= slope && slope <= t.hi;
		if (slope == 0 && t.z > st_norm_quantile(0.99))
			falsepos++;
	}
	assert_true(cover >= RUNS * 0.90 && cover <= RUNS * 0.99);
	/* One-sided 1% test on pure noise: a handful of 200 at most. */
	assert_true(falsepos <= 8);
}

/* A random walk is not a trend: the autocorrelation correction keeps its z modest. */
static void test_random_walk_not_trend(void **state)
{
	enum { N = 256 };
	static double x[N], y[N], scratch[N * (N - 1) / 2 + 2 * N + 1];
	uint64_t rng = 5;
	struct st_trend t;
	int run, big = 0;
	size_t i;

	(void)state;
	for (run = 0; run < 50; run++) {
		for (i = 0; i < N; i++) {
			x[i] = i;
			y[i] = (i ? y[i - 1] : 0) + synth_gauss(&rng);
		}
		st_trend(x, y, N, 0.95, scratch, &t);
		assert_true(t.rho > 0.5);
		big += fabs(t.z) > 6;
	}
	/* Uncorrected, most walks of 256 steps reach |z| > 6. */
	assert_true(big <= 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_select_median_quantile),
		cmocka_unit_test(test_select_matches_sort),
		cmocka_unit_test(test_mad_and_jitter),
		cmocka_unit_test(test_normal),
		cmocka_unit_test(test_autocorr_neff),
		cmocka_unit_test(test_mann_kendall_small),
		cmocka_unit_test(test_theil_sen_outliers),
		cmocka_unit_test(test_sen_coverage),
		cmocka_unit_test(test_random_walk_not_trend),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
