/* Clean-up that lagged the loop: objects it no longer held, pending while it ran. */
#include "analysis/lag.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The slab cache of what a netns cycle drops at its end: the namespace itself. */
static bool dropped_per_cycle(const struct metric_desc *d)
{
	return (d->cls == MC_SLAB_OBJS || d->cls == MC_SLAB_BYTES) && d->object &&
	       !strcmp(d->object, "net_namespace");
}

/* Seconds from the end of churn to the first quiesce row back within thr of the baseline. */
static double caught_up(const struct work *w, int col, double base, double thr)
{
	const struct series *s = w->s;
	size_t r;
	double v;

	for (r = w->ph.q0; r < w->ph.q1; r++) {
		v = series_val(s, col, r);
		if (!isnan(v) && v - base <= thr)
			return s->t[r] - s->t[w->ph.q0 ? w->ph.q0 - 1 : 0];
	}
	return NAN;
}

static double block_median(const struct figures *f)
{
	double b[SHAPE_BLOCKS], v;
	size_t i, j;

	for (i = 0; i < f->nblk; i++) {
		for (v = f->blk[i], j = i; j > 0 && b[j - 1] > v; j--)
			b[j] = b[j - 1];
		b[j] = v;
	}
	return f->nblk % 2 ? b[f->nblk / 2] : (b[f->nblk / 2 - 1] + b[f->nblk / 2]) / 2;
}

void lag_judge(const struct work *w, const struct series_col *c, const struct limits *l,
	       const struct figures *f, struct metric_result *m)
{
	double thr = fmax(fmax(3 * f->noise, l->hold), l->min_eff), pending, t;

	if (!w->p->netns_per_cycle || !dropped_per_cycle(&c->d) || w->ph.q1 <= w->ph.q0)
		return;
	if (m->verdict != VERDICT_CLEAN && m->verdict != VERDICT_BOUNDED)
		return; /* kept (LEAK) or undecided: as judged */
	/* What stood pending through the loop: the median of its churn blocks' medians. */
	pending = f->nblk ? block_median(f) : f->rise_end;
	if (!(pending > thr) || !(fabs(f->residual) <= thr))
		return;
	t = caught_up(w, m->col, f->base, thr);
	if (isnan(t))
		return;
	m->verdict = VERDICT_BACKLOG;
	m->moved = true;
	m->confidence = fmin(1, 0.5 + 0.5 * (pending - thr) / pending);
	m->reason = (struct reason_of){ RS_NETNS_LAG, { pending, t } };
}
