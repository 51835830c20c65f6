/* Comparing two runs: per-metric z-tests on the change in residual and growth per cycle. */
#include "analysis/compare.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "config.h"

#define Z95 1.959963984540054 /* the 95% interval the analysis gives is +-Z95 SE */

const char *cmp_outcome_name(enum cmp_outcome o)
{
	switch (o) {
	case CMP_IMPROVEMENT:
		return "IMPROVEMENT";
	case CMP_REGRESSION:
		return "REGRESSION";
	default:
		return "SAME";
	}
}

double compare_z_crit(double p)
{
	double lo = 0, hi = 40, mid;
	int i;

	if (!(p > 0) || p >= 1)
		return p >= 1 ? 0 : INFINITY;
	/* P(|Z| > z) = erfc(z / sqrt 2) falls with z: bisect. */
	for (i = 0; i < 200; i++) {
		mid = (lo + hi) / 2;
		if (erfc(mid / M_SQRT2) > p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/* How bad a verdict is for a comparison: only BACKLOG and LEAK are failures. */
static int severity(enum verdict v)
{
	return v == VERDICT_LEAK ? 2 : v == VERDICT_BACKLOG ? 1 : 0;
}

/* z of a difference; an exact difference (both SEs 0) is infinitely significant unless 0. */
static double zscore(double d, double se)
{
	if (isnan(d) || isnan(se))
		return NAN;
	if (se > 0)
		return d / se;
	return d > 0 ? INFINITY : d < 0 ? -INFINITY : 0;
}

static double se_slope(const struct metric_result *m)
{
	double w = m->slope_hi - m->slope_lo;

	return isfinite(w) && w >= 0 ? w / (2 * Z95) : NAN;
}

static double se_residual(const struct metric_result *m, uint64_t cycles)
{
	if (!cycles || !isfinite(m->noise) || m->noise < 0)
		return NAN;
	return M_SQRT2 * m->noise / (double)cycles;
}

static double hyp(double a, double b)
{
	return sqrt(a * a + b * b);
}

static void judge(struct cmp_metric *c, const struct comparison *cmp)
{
	enum verdict va = c->a->verdict, vb = c->b->verdict;
	int sa = severity(va), sb = severity(vb);
	bool up = (c->sig_residual && c->d_residual > 0) || (c->sig_slope && c->d_slope > 0);
	bool down = (c->sig_residual && c->d_residual < 0) || (c->sig_slope && c->d_slope < 0);
	double rel = fabs(c->a->residual_per_cycle) > 0 ?
			     c->d_residual / fabs(c->a->residual_per_cycle) :
			     (c->d_residual != 0 ? copysign(INFINITY, c->d_residual) : 0);
	const char *na = verdict_name(va), *nb = verdict_name(vb);

	c->outcome = CMP_SAME;
	c->changed = va != vb || c->sig_residual || c->sig_slope;
	if (sb > sa && up) {
		c->outcome = CMP_REGRESSION;
		snprintf(c->why, sizeof(c->why), "%s -> %s with a significant rise", na, nb);
	} else if (sa > sb && down) {
		c->outcome = CMP_IMPROVEMENT;
		snprintf(c->why, sizeof(c->why), "%s -> %s with a significant fall", na, nb);
	} else if (va == VERDICT_LEAK && vb == VERDICT_LEAK && c->sig_residual &&
		   fabs(rel) >= cmp->min_change) {
		c->outcome = rel > 0 ? CMP_REGRESSION : CMP_IMPROVEMENT;
		snprintf(c->why, sizeof(c->why), "still a LEAK, %+.0f%% residual per cycle",
			 100 * rel);
	} else if (sa != sb) {
		snprintf(c->why, sizeof(c->why),
			 "%s -> %s, but the change is within the noise of the two runs", na, nb);
	} else if (va != vb) {
		snprintf(c->why, sizeof(c->why), "%s -> %s: neither is a failure", na, nb);
	} else if (c->sig_residual || c->sig_slope) {
		snprintf(c->why, sizeof(c->why), "both %s; the change does not alter the verdict",
			 na);
	} else {
		snprintf(c->why, sizeof(c->why), "both %s", na);
	}
}

static bool valid_col(const struct series *s, int col)
{
	return col >= 0 && (size_t)col < s->ncols;
}

static const struct metric_result *find(const struct series *s, const struct result *r,
					const char *name)
{
	size_t i;

	for (i = 0; i < r->nm; i++)
		if (valid_col(s, r->m[i].col) && !strcmp(s->cols[r->m[i].col].name, name))
			return &r->m[i];
	return NULL;
}

int compare_runs(const struct series *sa, const struct result *ra, const struct series *sb,
		 const struct result *rb, const struct compare_params *p, struct comparison *out)
{
	size_t i, n = 0;

	memset(out, 0, sizeof(*out));
	out->alpha = p && p->alpha > 0 ? p->alpha : 0.05;
	out->min_change = p && p->min_change > 0 ? p->min_change : 0.10;
	out->m = calloc(ra->nm + 1, sizeof(*out->m));
	out->only_a = calloc(ra->nm + 1, sizeof(*out->only_a));
	out->only_b = calloc(rb->nm + 1, sizeof(*out->only_b));
	if (!out->m || !out->only_a || !out->only_b) {
		comparison_free(out);
		return -ENOMEM;
	}
	for (i = 0; i < ra->nm; i++) {
		const struct metric_result *a = &ra->m[i], *b;
		const char *name;

		if (!valid_col(sa, a->col))
			continue;
		name = sa->cols[a->col].name;
		b = find(sb, rb, name);
		if (!b) {
			out->only_a[out->n_only_a++] = name;
			continue;
		}
		out->m[n++] = (struct cmp_metric){
			.name = name, .unit = sa->cols[a->col].d.unit, .a = a, .b = b
		};
	}
	out->nm = n;
	for (i = 0; i < rb->nm; i++)
		if (valid_col(sb, rb->m[i].col) && !find(sa, ra, sb->cols[rb->m[i].col].name))
			out->only_b[out->n_only_b++] = sb->cols[rb->m[i].col].name;
	/* Two tests per metric; the family-wise level is split over all of them. */
	out->tests = 2 * n;
	out->z_crit = compare_z_crit(out->alpha / (double)(out->tests ? out->tests : 1));
	for (i = 0; i < n; i++) {
		struct cmp_metric *c = &out->m[i];

		c->d_residual = c->b->residual_per_cycle - c->a->residual_per_cycle;
		c->se_residual = hyp(se_residual(c->a, ra->cycles), se_residual(c->b, rb->cycles));
		c->z_residual = zscore(c->d_residual, c->se_residual);
		c->d_slope = c->b->slope - c->a->slope;
		c->se_slope = hyp(se_slope(c->a), se_slope(c->b));
		c->z_slope = zscore(c->d_slope, c->se_slope);
		c->sig_residual = fabs(c->z_residual) > out->z_crit;
		c->sig_slope = fabs(c->z_slope) > out->z_crit;
		judge(c, out);
		/* Advisory figures (a busy host's) are shown, as in a run, but never decide. */
		if (c->outcome > out->outcome && (c->a->decisive || c->b->decisive))
			out->outcome = c->outcome;
	}
	return 0;
}

void comparison_free(struct comparison *c)
{
	free(c->m);
	free(c->only_a);
	free(c->only_b);
	memset(c, 0, sizeof(*c));
}

int compare_same_sequence(const struct run_config *a, const struct run_config *b, char *why,
			  size_t size)
{
	if (!a || !b || !a->sequence || !b->sequence) {
		snprintf(why, size,
			 "run %s has no configuration recorded, so its sequence is unknown",
			 !a || !a->sequence ? "A" : "B");
		return 1;
	}
	if (strcmp(a->sequence, b->sequence)) {
		snprintf(why, size, "the runs used different sequences: A '%s', B '%s'",
			 a->sequence, b->sequence);
		return 1;
	}
	if (a->transport != b->transport) {
		snprintf(why, size, "the runs used different transports: A %s, B %s",
			 transport_name(a->transport), transport_name(b->transport));
		return 1;
	}
	return 0;
}
