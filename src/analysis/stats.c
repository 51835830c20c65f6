/* Robust statistics: selection, medians, MAD, normal quantiles, Theil-Sen and Mann-Kendall. */
#include "analysis/stats.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

size_t st_finite(const double *src, size_t n, double *dst)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (isfinite(src[i]))
			dst[k++] = src[i];
	return k;
}

static inline void swap(double *a, double *b)
{
	double t = *a;

	*a = *b;
	*b = t;
}

/*
 * Floyd and Rivest's SELECT (CACM 18(3), 1975): on large ranges it first selects within a small
 * sample around the expected position, so the partition that follows leaves little to scan; about
 * 1.5 n comparisons against Hoare's 3.4 n, and Theil-Sen spends most of its time here. The scans
 * stop on equal elements, so the long runs of equal slopes exact socket counts give do not make it
 * quadratic. Afterwards v[lo, k) <= v[k] <= v(k, hi]: Sen's interval relies on that.
 */
static void fr_select(double *v, long lo, long hi, long k)
{
	while (hi > lo) {
		double t;
		long i, j;

		if (hi - lo > 600) {
			double n = hi - lo + 1, m = k - lo + 1, z = log(n);
			double s = 0.5 * exp(2 * z / 3);
			double sd = 0.5 * sqrt(z * s * (n - s) / n) * (m - n / 2 < 0 ? -1 : 1);
			long nlo = (long)fmax(lo, floor(k - m * s / n + sd));
			long nhi = (long)fmin(hi, floor(k + (n - m) * s / n + sd));

			fr_select(v, nlo, nhi, k);
		}
		t = v[k];
		i = lo;
		j = hi;
		swap(&v[lo], &v[k]);
		if (v[hi] > t)
			swap(&v[hi], &v[lo]);
		while (i < j) {
			swap(&v[i], &v[j]);
			i++;
			j--;
			while (v[i] < t)
				i++;
			while (v[j] > t)
				j--;
		}
		if (v[lo] == t) {
			swap(&v[lo], &v[j]);
		} else {
			j++;
			swap(&v[j], &v[hi]);
		}
		if (j <= k)
			lo = j + 1;
		if (k <= j)
			hi = j - 1;
	}
}

double st_select(double *v, size_t n, size_t k)
{
	fr_select(v, 0, (long)n - 1, (long)k);
	return v[k];
}

/* The smallest of v[from, n): after st_select(k), the (k+1)-th order statistic. */
static double min_from(const double *v, size_t from, size_t n)
{
	double m = v[from];
	size_t i;

	for (i = from + 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

double st_quantile(double *v, size_t n, double q)
{
	double h, lo;
	size_t k;

	if (n == 0)
		return NAN;
	if (q <= 0)
		q = 0;
	if (q >= 1)
		q = 1;
	h = (n - 1) * q;
	k = (size_t)h;
	lo = st_select(v, n, k);
	if (k + 1 >= n || h == k)
		return lo;
	return lo + (h - k) * (min_from(v, k + 1, n) - lo);
}

double st_median(double *v, size_t n)
{
	return st_quantile(v, n, 0.5);
}

double st_mad_sigma(double *v, size_t n, double *median)
{
	double m;
	size_t i;

	if (n == 0) {
		if (median)
			*median = NAN;
		return NAN;
	}
	m = st_median(v, n);
	if (median)
		*median = m;
	for (i = 0; i < n; i++)
		v[i] = fabs(v[i] - m);
	return ST_MAD_SIGMA * st_median(v, n);
}

double st_jitter_sigma(const double *v, size_t n, double *scratch)
{
	size_t i;

	if (n < 3)
		return NAN;
	for (i = 0; i + 1 < n; i++)
		scratch[i] = v[i + 1] - v[i];
	return st_mad_sigma(scratch, n - 1, NULL) / M_SQRT2;
}

double st_lag1(const double *v, size_t n)
{
	double mean = 0, num = 0, den = 0;
	size_t i;

	if (n < 3)
		return 0;
	for (i = 0; i < n; i++)
		mean += v[i];
	mean /= n;
	for (i = 0; i < n; i++) {
		double d = v[i] - mean;

		den += d * d;
		if (i + 1 < n)
			num += d * (v[i + 1] - mean);
	}
	if (!(den > 0))
		return 0;
	num /= den;
	return num > 1 ? 1 : (num < -1 ? -1 : num);
}

double st_neff(size_t n, double rho)
{
	double e;

	if (rho < 0)
		rho = 0;
	if (rho > 0.95)
		rho = 0.95;
	e = n * (1 - rho) / (1 + rho);
	return e < 1 ? 1 : (e > n ? n : e);
}

double st_norm_cdf(double z)
{
	return 0.5 * erfc(-z / M_SQRT2);
}

double st_norm_quantile(double p)
{
	static const double a[] = { -3.969683028665376e+01, 2.209460984245205e+02,
				    -2.759285104469687e+02, 1.383577518672690e+02,
				    -3.066479806614716e+01, 2.506628277459239e+00 };
	static const double b[] = { -5.447609879822406e+01, 1.615858368580409e+02,
				    -1.556989798598866e+02, 6.680131188771972e+01,
				    -1.328068155288572e+01 };
	static const double c[] = { -7.784894002430293e-03, -3.223964580411365e-01,
				    -2.400758277161838e+00, -2.549732539343734e+00,
				    4.374664141464968e+00,  2.938163982698783e+00 };
	static const double d[] = { 7.784695709041462e-03, 3.224671290700398e-01,
				    2.445134137142996e+00, 3.754408661907416e+00 };
	const double plow = 0.02425;
	double q, r;

	if (!(p > 0 && p < 1))
		return p <= 0 ? -INFINITY : (p >= 1 ? INFINITY : NAN);
	if (p < plow) {
		q = sqrt(-2 * log(p));
		return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		       ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	if (p > 1 - plow) {
		q = sqrt(-2 * log1p(-p));
		return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		       ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	q = p - 0.5;
	r = q * q;
	return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
	       (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

size_t st_trend_scratch(size_t n)
{
	return n * (n - 1) / 2 + 2 * n + 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sum over groups of tied values of t(t-1)(2t+5): the tie correction of Var(S). */
static double tie_term(const double *y, size_t n, double *tmp)
{
	double sum = 0;
	size_t i, j;

	for (i = 0; i < n; i++)
		tmp[i] = y[i];
	qsort(tmp, n, sizeof(*tmp), cmp_double);
	for (i = 0; i < n; i = j) {
		double t;

		for (j = i + 1; j < n && tmp[j] == tmp[i]; j++)
			;
		t = (double)(j - i);
		sum += t * (t - 1) * (2 * t + 5);
	}
	return sum;
}

int st_trend(const double *x, const double *y, size_t n, double conf, double *scratch,
	     struct st_trend *out)
{
	double *slopes = scratch, *tmp, s = 0, var, c, m1, m2, zc;
	size_t i, j, k = 0, mid, ilo, ihi;

	if (n < 3)
		return -EINVAL;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			double dx = x[j] - x[i], dy = y[j] - y[i];

			if (dx == 0)
				continue;
			slopes[k++] = dy / dx;
			s += (dy > 0) - (dy < 0);
		}
	if (k == 0)
		return -EINVAL;
	tmp = scratch + n * (n - 1) / 2;
	out->n = n;
	out->pairs = k;
	out->s = s;

	/* Median slope, then the interval ends from the halves either side of it. */
	mid = k / 2;
	out->slope = st_select(slopes, k, mid);
	if (k % 2 == 0) {
		double below = slopes[0];

		for (i = 1; i < mid; i++)
			if (slopes[i] > below)
				below = slopes[i];
		out->slope = (out->slope + below) / 2;
	}

	for (i = 0; i < n; i++)
		tmp[i] = y[i] - out->slope * x[i];
	out->intercept = st_median(tmp, n);

	/* Residual autocorrelation, in x order. */
	for (i = 0; i < n; i++)
		tmp[i] = y[i] - out->slope * x[i] - out->intercept;
	out->rho = st_lag1(tmp, n);
	if (out->rho < 0)
		out->rho = 0;
	if (out->rho > 0.95)
		out->rho = 0.95;

	var = ((double)n * (n - 1) * (2.0 * n + 5) - tie_term(y, n, tmp)) / 18;
	var *= (1 + out->rho) / (1 - out->rho);
	out->var_s = var;
	if (var > 0) {
		zc = s > 0 ? s - 1 : (s < 0 ? s + 1 : 0);
		out->z = zc / sqrt(var);
	} else {
		out->z = 0;
	}

	/* Sen: the slopes of rank (N - C)/2 and (N + C)/2 + 1 (1-based) bound the interval. */
	c = st_norm_quantile(0.5 + conf / 2) * sqrt(var > 0 ? var : 0);
	m1 = (k - c) / 2;
	m2 = (k + c) / 2;
	ilo = m1 < 1 ? 0 : (size_t)(m1 + 0.5) - 1;
	ihi = m2 + 1 > k ? k - 1 : (size_t)(m2 + 0.5);
	if (ihi >= k)
		ihi = k - 1;
	if (ilo > mid)
		ilo = mid;
	if (ihi < mid)
		ihi = mid;
	/* After the median's selection, [0, mid) <= slopes[mid] <= (mid, k). */
	out->lo = ilo < mid ? st_select(slopes, mid, ilo) : slopes[mid];
	out->hi = ihi > mid ? st_select(slopes + mid + 1, k - mid - 1, ihi - mid - 1) : slopes[mid];
	return 0;
}

double st_share_estimate(double k, double n, double total, double conf, double *lo, double *hi)
{
	double p, z, neff, den, mid, half, l, h;

	*lo = *hi = NAN;
	if (!(n >= 1) || !(k >= 0) || k > n || !(total >= n))
		return NAN;
	p = k / n;
	if (n >= total) {
		*lo = *hi = k;
		return k;
	}
	/* Sampling without replacement: the variance of p shrinks by 1 - n/total. */
	neff = n / (1 - n / total);
	z = st_norm_quantile(0.5 + conf / 2);
	den = 1 + z * z / neff;
	mid = (p + z * z / (2 * neff)) / den;
	half = z * sqrt(p * (1 - p) / neff + z * z / (4 * neff * neff)) / den;
	l = total * (mid - half);
	h = total * (mid + half);
	*lo = fmax(l, k);
	*hi = fmin(h, total - (n - k));
	return total * p;
}
