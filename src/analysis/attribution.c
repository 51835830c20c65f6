/*
 * Which kernel stacks are a leak's: the decision on --attribute's per-stack outstanding objects,
 * and for each figure judged LEAK or BACKLOG the stacks that explain its growth.
 *
 * A stack's figures are exact object counts (every allocation and free of the run's threads), so
 * there is no sampling noise to allow for: what moves them is objects in flight. A leak's stack
 * keeps, after quiesce, objects allocated evenly over the churn's cycles (it grew with them);
 * in-flight objects came back; a pool that fills once, or what TIME_WAIT sockets hold until they
 * expire, was allocated in one part of the churn. BACKLOG is a steady rise (Theil-Sen against
 * cycles, not levelling off) that came back. Slab's own memory (pages, per-slab vectors) is not
 * counted again beside the objects it holds.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "analysis/measure.h"
#include "analysis/stats.h"

#define MIN_TREND_ROWS 6 /* fewer churn snapshots than this cannot show a trend */
/*
 * A leak's kept objects were allocated evenly over the churn's cycles: their places in it are
 * uniform on [0, 1] (mean 1/2, standard deviation 0.2887), within sampling error for n objects
 * (0.2887 / sqrt(n) for the mean, 0.129 / sqrt(n) for the deviation), or these tolerances.
 */
#define UNIFORM_SD 0.2887
#define AGE_MEAN_TOL 0.12
#define AGE_SD_TOL 0.08
/* Kept objects within this of a whole multiple of the TIME_WAIT sockets pending: theirs. */
#define TW_MATCH 0.1
#define PLATEAU_RATIO 0.25 /* late growth below this part of the early growth: levelled off */
#define MISSED_SHARE 0.5 /* frees missed above this share: what it keeps is not known */
#define FIGURE_STACKS 8 /* stacks listed per figure */
#define FIGURE_MIN_SHARE 0.005 /* smaller parts are not listed */

/* Snapshot rows of each phase: churn [c0, q0] (q0 is the level when the loop stopped). */
struct rows {
	size_t c0, q0, t0, n; /* q0 == n: no quiesce; t0 == n: no teardown */
	size_t tail; /* first row of the quiesce tail */
	double cycles; /* churn cycles */
	bool churn;
};

static bool is_churn(enum phase ph)
{
	return ph == PHASE_CHURN || ph == PHASE_WARMUP;
}

static void find_rows(const struct attribution *a, const struct analysis_params *p, struct rows *r)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	r->n = a->nsnaps;
	r->c0 = r->q0 = r->t0 = r->n;
	for (i = 0; i < r->n; i++) {
		enum phase ph = a->snaps[i].phase;

		if (is_churn(ph) && r->c0 == r->n)
			r->c0 = i;
		if (ph == PHASE_QUIESCE && r->q0 == r->n)
			r->q0 = i;
		if (ph == PHASE_TEARDOWN && r->t0 == r->n)
			r->t0 = i;
	}
	r->churn = r->c0 < r->n && r->q0 < r->n && r->q0 > r->c0;
	if (!r->churn)
		return;
	r->cycles = a->snaps[r->q0].cycles - a->snaps[r->c0].cycles;
	/* The quiesce tail: its last settle_seconds, as the verdict reads a residual. */
	r->tail = r->t0;
	while (r->tail > r->q0 + 1 &&
	       a->snaps[r->tail - 1].t >= a->snaps[r->t0 - 1].t - p->settle_seconds)
		r->tail--;
}

static double median_of(const double *v, size_t from, size_t to, double *scratch)
{
	size_t i, n = 0;

	for (i = from; i < to; i++)
		scratch[n++] = v[i];
	return n ? st_median(scratch, n) : NAN;
}

/* Theil-Sen of v against cycles over rows [from, to]; false when too few rows. */
static bool trend(const struct attribution *a, const double *v, size_t from, size_t to, double *x,
		  double *y, double *scratch, struct st_trend *t)
{
	size_t i, n = 0;

	for (i = from; i <= to; i++) {
		x[n] = a->snaps[i].cycles;
		y[n++] = v[i];
	}
	return n >= 3 && st_trend(x, y, n, 0.95, scratch, t) == 0;
}

struct scratch {
	double *x, *y, *s, *fit;
};

/*
 * Where in churn the objects a stack kept at row k were allocated, beyond those it held when churn
 * began: the mean and standard deviation of their allocation cycles, as places in churn.
 */
static void ages(struct attr_stack *st, const struct attribution *a, const struct rows *r, size_t k)
{
	double n = st->objs[k] - st->objs[r->c0], c0 = a->snaps[r->c0].cycles, mean, var;

	if (n < 1 || !(r->cycles > 0))
		return;
	mean = (st->age_sum[k] - st->age_sum[r->c0]) / n;
	var = (st->age_sq[k] - st->age_sq[r->c0]) / n - mean * mean;
	st->mean_age = fmin(1, fmax(0, (mean - c0) / r->cycles));
	st->age_sd = var > 0 ? fmin(1, sqrt(var) / r->cycles) : 0;
}

static bool uniform(const struct attr_stack *st, double n)
{
	double tm = fmax(AGE_MEAN_TOL, 3 * UNIFORM_SD / sqrt(n));
	double ts = fmax(AGE_SD_TOL, 3 * 0.129 / sqrt(n));

	return isfinite(st->mean_age) && fabs(st->mean_age - 0.5) <= tm &&
	       fabs(st->age_sd - UNIFORM_SD) <= ts;
}

/* Kept objects that the TIME_WAIT sockets still pending hold: one, or two, per socket. */
static bool follows_tw(double kept, const struct result *res, double material)
{
	double tw = res ? res->tw_pending : 0;
	int k;

	if (!(tw >= material))
		return false;
	for (k = 1; k <= 2; k++)
		if (fabs(kept - k * tw) <= TW_MATCH * k * tw)
			return true;
	return false;
}

static void judge(struct attr_stack *st, const struct attribution *a, const struct rows *r,
		  const struct analysis_params *p, const struct result *res, struct scratch *w,
		  double z_alpha)
{
	double base = st->objs[r->c0], bbase = st->bytes[r->c0];
	double kept, material, events = st->frees + st->missed;
	size_t i, q_end = r->t0;
	struct st_trend t, early, late;
	bool rising = false, levelled = false;
	unsigned fams;

	st->objs_base = base;
	st->bytes_base = bbase;
	for (i = r->c0; i <= r->q0; i++) {
		st->objs_peak = fmax(st->objs_peak, st->objs[i] - base);
		st->bytes_peak = fmax(st->bytes_peak, st->bytes[i] - bbase);
	}
	/* Kept: the median of the quiesce tail, as the verdict reads a residual. */
	if (r->tail < q_end) {
		st->objs_end = median_of(st->objs, r->tail, q_end, w->s) - base;
		st->bytes_end = median_of(st->bytes, r->tail, q_end, w->s) - bbase;
	} else {
		st->objs_end = st->objs[r->q0] - base;
		st->bytes_end = st->bytes[r->q0] - bbase;
	}
	if (r->t0 < r->n) {
		st->objs_teardown = st->objs[r->n - 1] - base;
		st->bytes_teardown = st->bytes[r->n - 1] - bbase;
	}
	ages(st, a, r, q_end - 1);
	kept = st->objs_end;
	material = fmax(p->min_count, p->min_count_per_cycle * r->cycles);

	if (st->slab_own) {
		st->reason = AR_SLAB_OWN;
		return;
	}
	/* The half width of the interval of what it kept, when sampling shared objects to it. */
	st->kept_pm = st->pm ? st->pm[r->tail < q_end ? q_end - 1 : r->q0] : 0;
	/* Allocations of several stacks whose own stack was lost: counted, never named a leak's. */
	if (st->id < 0) {
		st->reason = st->id == ATTR_ID_UNWALKED ? AR_UNWALKED : AR_NO_STACK;
		st->verdict = kept >= material ? VERDICT_INCONCLUSIVE : VERDICT_CLEAN;
		return;
	}
	if ((slab_cache_traits(st->cache, strlen(st->cache), &fams) & MT_TIME_WAIT) ||
	    (st->objs_end >= material && follows_tw(st->objs_end, res, material))) {
		st->reason = AR_TIME_WAIT;
		st->verdict = st->objs_peak >= 1 ? VERDICT_BOUNDED : VERDICT_CLEAN;
		return;
	}
	if (r->q0 - r->c0 + 1 >= MIN_TREND_ROWS &&
	    trend(a, st->objs, r->c0, r->q0, w->x, w->y, w->fit, &t)) {
		size_t mid = r->c0 + (r->q0 - r->c0) / 2;

		st->slope = t.slope;
		st->slope_lo = t.lo;
		st->slope_hi = t.hi;
		rising = t.z > z_alpha && t.lo > 0;
		/* A pool that fills once: the second half of churn grows far less than the first. */
		if (rising && trend(a, st->objs, r->c0, mid, w->x, w->y, w->fit, &early) &&
		    trend(a, st->objs, mid, r->q0, w->x, w->y, w->fit, &late))
			levelled = late.slope < PLATEAU_RATIO * early.slope;
	} else {
		st->slope = (st->objs[r->q0] - base) / r->cycles;
		st->slope_lo = st->slope_hi = st->slope;
	}
	/*
	 * Counts are exact, so what was kept tells how it grew: objects kept evenly from all along
	 * the churn's cycles grew with them; objects in flight came back; a pool, or what TIME_WAIT
	 * holds until a cap, was allocated in one part of it. In-flight objects cannot hide that,
	 * as they hide a trend.
	 */
	/* Sampled: the ages are those of the walked objects, about 1 in sample_every of them. */
	if (kept >= material && uniform(st, kept / fmax(1, a->sample_every))) {
		if (events >= 10 && st->missed > MISSED_SHARE * events) {
			st->verdict = VERDICT_INCONCLUSIVE;
			st->reason = AR_MISSED_FREES;
			return;
		}
		st->verdict = VERDICT_LEAK;
		st->reason = AR_LEAK;
		st->objs_per_cycle = kept / r->cycles;
		st->bytes_per_cycle = st->bytes_end / r->cycles;
		st->confidence = 1 - material / (2 * kept);
		return;
	}
	if (rising && !levelled && st->objs_peak >= material && kept < material) {
		st->verdict = VERDICT_BACKLOG;
		st->reason = AR_BACKLOG;
		st->objs_per_cycle = st->slope;
		st->bytes_per_cycle = (st->bytes[r->q0] - bbase) / r->cycles;
		st->confidence = st_norm_cdf(t.z);
		return;
	}
	if (kept >= material) {
		st->verdict = VERDICT_BOUNDED;
		st->reason = AR_UNEVEN;
	} else if (st->objs_peak >= material) {
		st->verdict = VERDICT_BOUNDED;
		st->reason = AR_IN_FLIGHT;
	} else {
		st->reason = kept >= 1 ? AR_SMALL : AR_NONE;
	}
}

/* What a stack adds to a figure per cycle: objects or bytes, kept (LEAK) or rising (BACKLOG). */
static double stack_rate(const struct attr_stack *st, bool bytes)
{
	if (st->verdict != VERDICT_LEAK && st->verdict != VERDICT_BACKLOG)
		return 0;
	return bytes ? st->bytes_per_cycle : st->objs_per_cycle;
}

/* Whether a stack's objects are part of what a figure counts, by the figure's descriptor. */
static bool explains(const struct metric_desc *d, const struct attr_stack *st)
{
	unsigned fams = 0, traits;

	if (st->slab_own)
		return false;
	switch (d->cls) {
	case MC_SLAB_OBJS:
	case MC_SLAB_BYTES:
		return st->alloc == ALLOC_SLAB && d->object && !strcmp(d->object, st->cache);
	case MC_SOCKETS:
	case MC_STATE:
		/* The sock itself of the figure's families: one object per socket. */
		traits = slab_cache_traits(st->cache, strlen(st->cache), &fams);
		return st->alloc == ALLOC_SLAB && (traits & MT_HOLDS_SOCKETS) && fams &&
		       (!d->families || (fams & d->families));
	case MC_MEMCG:
		return true;
	default:
		return false;
	}
}

static int add_figure(struct attribution *a, const struct series *s, const struct metric_result *m)
{
	const struct series_col *c = &s->cols[m->col];
	double per_cycle = m->verdict == VERDICT_LEAK ? m->residual_per_cycle : m->slope;
	struct attr_figure *f, *q;
	size_t i, k;

	if (!(per_cycle > 0) ||
	    (c->d.cls != MC_SLAB_OBJS && c->d.cls != MC_SLAB_BYTES && c->d.cls != MC_SOCKETS &&
	     c->d.cls != MC_STATE && c->d.cls != MC_MEMCG))
		return 0;
	q = realloc(a->figures, (a->nfigures + 1) * sizeof(*q));
	if (!q)
		return -ENOMEM;
	a->figures = q;
	f = &q[a->nfigures];
	memset(f, 0, sizeof(*f));
	f->col = m->col;
	f->verdict = m->verdict;
	f->per_cycle = per_cycle;
	f->bytes = c->d.unit == UNIT_BYTES;
	f->stacks = calloc(FIGURE_STACKS, sizeof(*f->stacks));
	f->share = calloc(FIGURE_STACKS, sizeof(*f->share));
	if (!f->stacks || !f->share) {
		free(f->stacks);
		free(f->share);
		return -ENOMEM;
	}
	a->nfigures++;
	for (i = 0; i < a->nstacks; i++) {
		const struct attr_stack *st = &a->stacks[i];
		double share = stack_rate(st, f->bytes) / per_cycle;

		if (m->verdict == VERDICT_LEAK && st->verdict != VERDICT_LEAK)
			continue;
		if (!(share >= FIGURE_MIN_SHARE) || !explains(&c->d, st))
			continue;
		f->explained += share;
		/* Keep the largest FIGURE_STACKS by share, in order. */
		for (k = f->nstacks; k > 0 && f->share[k - 1] < share; k--)
			if (k < FIGURE_STACKS) {
				f->share[k] = f->share[k - 1];
				f->stacks[k] = f->stacks[k - 1];
			}
		if (k < FIGURE_STACKS) {
			f->share[k] = share;
			f->stacks[k] = i;
			if (f->nstacks < FIGURE_STACKS)
				f->nstacks++;
		}
	}
	return 0;
}

static int cmp_stack(const void *pa, const void *pb)
{
	const struct attr_stack *x = pa, *y = pb;
	double bx = x->verdict >= VERDICT_BACKLOG ? x->bytes_per_cycle : x->bytes_end;
	double by = y->verdict >= VERDICT_BACKLOG ? y->bytes_per_cycle : y->bytes_end;

	if (x->verdict != y->verdict)
		return x->verdict > y->verdict ? -1 : 1;
	if (bx != by)
		return bx > by ? -1 : 1;
	return x->id - y->id;
}

static bool same_group(const struct attr_stack *x, const struct attr_stack *y)
{
	return x->alloc == y->alloc && x->site == y->site && !strcmp(x->cache, y->cache);
}

/* Row i of one group: the unwalked objects u go to the walked stacks, each with its interval. */
static void share_row(struct attribution *a, struct attr_stack *u, size_t i)
{
	double w = 0, wb = 0, total, f, fb, lo, hi;
	size_t k;

	for (k = 0; k < a->nstacks; k++) {
		const struct attr_stack *st = &a->stacks[k];

		if (st->id >= 0 && same_group(st, u)) {
			w += fmax(0, st->objs[i]);
			wb += fmax(0, st->bytes[i]);
		}
	}
	/* No walked object of the group outstanding: they stay unwalked. */
	if (w < 1 || wb <= 0 || u->objs[i] < 0)
		return;
	total = w + u->objs[i];
	f = total / w;
	fb = (wb + fmax(0, u->bytes[i])) / wb;
	for (k = 0; k < a->nstacks; k++) {
		struct attr_stack *st = &a->stacks[k];
		double est;

		if (st->id < 0 || !same_group(st, u))
			continue;
		est = st_share_estimate(fmax(0, st->objs[i]), w, total, 0.95, &lo, &hi);
		st->pm[i] = est > 0 ? fmax(est - lo, hi - est) / est : 0;
		st->objs[i] *= f;
		st->bytes[i] *= fb;
		st->age_sum[i] *= f;
		st->age_sq[i] *= f;
	}
	u->objs[i] = u->bytes[i] = u->age_sum[i] = u->age_sq[i] = 0;
}

int attribution_share_unwalked(struct attribution *a)
{
	size_t n = a->nsnaps, i, k, j;

	if (!(a->sample_every > 1))
		return 0;
	for (k = 0; k < a->nstacks; k++)
		if (a->stacks[k].id >= 0 && !a->stacks[k].pm) {
			a->stacks[k].pm = calloc(n ? n : 1, sizeof(double));
			if (!a->stacks[k].pm)
				return -ENOMEM;
		}
	for (k = 0; k < a->nstacks; k++) {
		struct attr_stack *u = &a->stacks[k];
		double aw = 0;

		if (u->id != ATTR_ID_UNWALKED)
			continue;
		for (i = 0; i < n; i++)
			share_row(a, u, i);
		/* Allocations and frees over the run, in the same way. */
		for (j = 0; j < a->nstacks; j++)
			if (a->stacks[j].id >= 0 && same_group(&a->stacks[j], u))
				aw += a->stacks[j].allocs;
		if (!(aw > 0))
			continue;
		for (j = 0; j < a->nstacks; j++) {
			struct attr_stack *st = &a->stacks[j];
			double f = (aw + u->allocs) / aw;

			if (st->id < 0 || !same_group(st, u))
				continue;
			st->allocs *= f;
			st->frees *= f;
			st->missed *= f;
		}
		u->allocs = u->frees = u->missed = 0;
	}
	return 0;
}

int attribution_decide(struct attribution *a, const struct series *s, const struct result *res,
		       const struct analysis_params *p)
{
	struct scratch w = { 0 };
	struct rows r;
	double z_alpha = st_norm_quantile(1 - p->alpha);
	size_t i, n = a->nsnaps ? a->nsnaps : 1;
	int err = 0;

	if (!a->on)
		return 0;
	find_rows(a, p, &r);
	a->cycles = r.cycles;
	a->nleak = a->nbacklog = 0;
	w.x = malloc(n * sizeof(double));
	w.y = malloc(n * sizeof(double));
	w.s = malloc(n * sizeof(double));
	w.fit = malloc(st_trend_scratch(n) * sizeof(double));
	if (!w.x || !w.y || !w.s || !w.fit) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < a->nstacks; i++) {
		struct attr_stack *st = &a->stacks[i];

		st->verdict = VERDICT_CLEAN;
		st->reason = AR_NONE;
		st->objs_per_cycle = st->bytes_per_cycle = 0;
		st->objs_peak = st->bytes_peak = 0;
		st->confidence = 0;
		if (r.churn && r.cycles > 0)
			judge(st, a, &r, p, res, &w, z_alpha);
		a->nleak += st->verdict == VERDICT_LEAK;
		a->nbacklog += st->verdict == VERDICT_BACKLOG;
	}
	qsort(a->stacks, a->nstacks, sizeof(*a->stacks), cmp_stack);
	for (i = 0; res && s && i < res->nm && !err; i++)
		if (res->m[i].verdict == VERDICT_LEAK || res->m[i].verdict == VERDICT_BACKLOG)
			err = add_figure(a, s, &res->m[i]);
out:
	free(w.x);
	free(w.y);
	free(w.s);
	free(w.fit);
	return err;
}
