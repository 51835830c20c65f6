/* --confirm: does a residual grow with the cycles (leak) or stay put (bounded)? N vs about 3N. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "analysis/measure.h"

/* A model misses a real process by this fraction at least: leaks are not perfectly linear. */
#define MODEL_SLACK 0.1

/*
 * Residual in units (TIME_WAIT part removed), and whether it is kept by the single run's
 * standard: above its noise and above what the pool holds anyway (a slab cache's per-CPU slabs).
 */
static double kept(const struct metric_result *m, double cycles, double z, const struct limits *l,
		   bool *sig)
{
	double r = m->residual_per_cycle * cycles;

	*sig = !isnan(r) &&
	       r > fmax(fmax(z * m->residual_sd, l->k_noise * m->noise), fmax(l->min_eff, l->hold));
	return r;
}

/*
 * Weighted least squares of the two one-parameter models; the posterior of the leak model. The
 * slack is a fraction of the larger residual, the scale of the process, for both: a residual of
 * nothing is no more exact than the other, or both models would be forced through it.
 */
static double leak_posterior(const double r[2], const double sd[2], const double n[2], double *beta)
{
	double w[2], sxy = 0, sxx = 0, sw = 0, swy = 0, c, chi_l = 0, chi_b = 0, d;
	double slack = MODEL_SLACK * fmax(fabs(r[0]), fabs(r[1]));
	int i;

	for (i = 0; i < 2; i++) {
		w[i] = 1 / (sd[i] * sd[i] + slack * slack + 1e-300);
		sxy += w[i] * r[i] * n[i];
		sxx += w[i] * n[i] * n[i];
		swy += w[i] * r[i];
		sw += w[i];
	}
	*beta = sxy / sxx;
	c = swy / sw;
	for (i = 0; i < 2; i++) {
		chi_l += w[i] * pow(r[i] - *beta * n[i], 2);
		chi_b += w[i] * pow(r[i] - c, 2);
	}
	d = (chi_l - chi_b) / 2;
	if (d > 700)
		return 0;
	if (d < -700)
		return 1;
	return 1 / (1 + exp(d));
}

int analysis_confirm(const struct series *sa, const struct result *ra, const struct series *sb,
		     const struct result *rb, const struct analysis_params *p,
		     struct confirm_result *c)
{
	double z = st_norm_quantile(1 - p->alpha), best = -1;
	struct work w;
	size_t i;
	int err;

	memset(c, 0, sizeof(*c));
	c->verdict = VERDICT_CLEAN;
	c->cycles_a = (double)ra->cycles;
	c->cycles_b = (double)rb->cycles;
	if (!(c->cycles_a > 0 && c->cycles_b > 0))
		return -EINVAL;
	c->m = calloc(ra->nm ? ra->nm : 1, sizeof(*c->m));
	if (!c->m)
		return -ENOMEM;
	if ((err = work_init(&w, sa, p))) {
		confirm_free(c);
		return err;
	}

	for (i = 0; i < ra->nm; i++) {
		const struct metric_result *ma = &ra->m[i], *mb;
		const struct series_col *col = &sa->cols[ma->col];
		struct confirm_metric *cm;
		double r[2], sd[2], n[2], post, beta;
		struct limits l;
		bool sig_a, sig_b;
		int cb;

		if (ma->role == ROLE_TW || ma->role == ROLE_COUNTER || col->d.cls == MC_SLAB_PAGES)
			continue;
		if ((cb = series_find(sb, col->name)) < 0 || !(mb = result_metric(rb, cb)))
			continue;
		if (!ma->decisive && !mb->decisive && ma->role != ROLE_SLAB)
			continue;
		limits_for(&w, col, ma->role, &l);
		r[0] = kept(ma, c->cycles_a, z, &l, &sig_a);
		r[1] = kept(mb, c->cycles_b, z, &l, &sig_b);
		if (isnan(r[0]) || isnan(r[1]) || (!sig_a && !sig_b))
			continue;
		/*
		 * A cache that decided in neither run (moved by other tasks, or not tied to the
		 * loop) takes part when it kept something both times, as the loop's leak would;
		 * kept in one run only, it was another task's doing.
		 */
		if (!ma->decisive && !mb->decisive && !(sig_a && sig_b))
			continue;
		cm = &c->m[c->nm++];
		cm->col_a = ma->col;
		cm->col_b = cb;
		cm->residual_a = r[0];
		cm->residual_b = r[1];
		cm->expected = c->cycles_b / c->cycles_a;
		cm->ratio = r[0] != 0 ? r[1] / r[0] : NAN;
		sd[0] = fmax(ma->residual_sd, 1e-12);
		sd[1] = fmax(mb->residual_sd, 1e-12);
		n[0] = c->cycles_a;
		n[1] = c->cycles_b;
		post = leak_posterior(r, sd, n, &beta);
		cm->per_cycle = beta;
		if (beta > 0 && post >= 1 - 5 * p->alpha) {
			cm->verdict = VERDICT_LEAK;
			cm->confidence = post;
		} else if (beta <= 0 || post <= 5 * p->alpha) {
			cm->verdict = VERDICT_BOUNDED;
			cm->confidence = beta <= 0 ? 1 : 1 - post;
		} else {
			cm->verdict = VERDICT_INCONCLUSIVE;
			cm->confidence = fmax(post, 1 - post);
		}
		if (cm->verdict > c->verdict ||
		    (cm->verdict == c->verdict && cm->confidence > best)) {
			c->verdict = cm->verdict;
			c->confidence = cm->confidence;
			best = cm->confidence;
			snprintf(
				c->why, sizeof(c->why),
				"%s kept %.4g then %.4g: ratio %.2f for %.2fx the cycles (%s, %.0f%%)",
				col->name, r[0], r[1], cm->ratio, cm->expected,
				cm->verdict == VERDICT_LEAK    ? "scales: a leak" :
				cm->verdict == VERDICT_BOUNDED ? "does not scale" :
								 "cannot tell",
				100 * cm->confidence);
		}
	}
	if (c->nm == 0) {
		c->confidence = 1;
		snprintf(
			c->why, sizeof(c->why),
			"no metric kept more than its noise and what its pool holds anyway, in either run");
	}
	work_free(&w);
	if (c->verdict == VERDICT_INCONCLUSIVE)
		c->final = ra->verdict > rb->verdict ? ra->verdict : rb->verdict;
	else
		c->final = c->verdict;
	return 0;
}
