/* The figures of one metric: baseline level and noise, churn growth and shape, quiesce residual. */
#include "analysis/measure.h"
#include "analysis/server.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum metric_role metric_role(const struct metric_desc *d)
{
	if (d->kind == MK_COUNTER)
		return ROLE_COUNTER;
	if (desc_has(d, MT_TIME_WAIT))
		return ROLE_TW;
	if (desc_has(d, MT_ADVISORY))
		return ROLE_HOST;
	switch (d->cls) {
	case MC_SOCKETS:
	case MC_STATE:
	case MC_TIME_WAIT:
	case MC_FDS:
	case MC_SOCKMEM:
		return ROLE_SOCKETS;
	case MC_SLAB_OBJS:
	case MC_SLAB_BYTES:
	case MC_SLAB_PAGES:
		return ROLE_SLAB;
	case MC_MEMCG:
		return ROLE_MEMCG;
	default:
		return ROLE_HOST;
	}
}

void phases_find(const struct series *s, const struct analysis_params *p, struct phases *ph)
{
	const struct phase_mark *start, *q, *td;
	size_t w0, w1;
	double t_end;

	memset(ph, 0, sizeof(*ph));
	series_phase_rows(s, PHASE_BASELINE, &ph->b0, &ph->b1);
	series_phase_rows(s, PHASE_CHURN, &ph->c0, &ph->c1);
	if (series_phase_rows(s, PHASE_WARMUP, &w0, &w1) && !p->exclude_warmup) {
		if (ph->c1 == 0)
			ph->c1 = w1;
		ph->c0 = w0;
	}
	series_phase_rows(s, PHASE_QUIESCE, &ph->q0, &ph->q1);
	series_phase_rows(s, PHASE_TEARDOWN, &ph->t0, &ph->t1);

	start = series_phase(s, PHASE_WARMUP);
	if (!start)
		start = series_phase(s, PHASE_CHURN);
	q = series_phase(s, PHASE_QUIESCE);
	td = series_phase(s, PHASE_TEARDOWN);
	t_end = td ? td->t : s->last_t;
	/* A phase cut short by a signal may end before its mark: never a negative length. */
	if (start) {
		uint64_t end = q ? q->cycles : s->last_cycles;

		ph->cycles = end > start->cycles ? (double)(end - start->cycles) : 0;
		ph->churn_seconds = fmax(0, (q ? q->t : s->last_t) - start->t);
	}
	ph->kept_cycles = p->capped_at_cycle > 0 && p->capped_at_cycle < ph->cycles ?
				  p->capped_at_cycle :
				  ph->cycles;
	if (q)
		ph->quiesce_seconds = fmax(0, t_end - q->t);
}

size_t tail_begin(const struct series *s, const struct phases *ph, double settle_seconds)
{
	size_t r = ph->q1;

	if (ph->q1 - ph->q0 <= 5)
		return ph->q0;
	while (r > ph->q0 && s->t[r - 1] >= s->t[ph->q1 - 1] - settle_seconds)
		r--;
	if (ph->q1 - r < 5)
		r = ph->q1 - 5;
	return r;
}

static bool have_tail(const struct phases *ph)
{
	return ph->q1 - ph->q0 >= 3;
}

/* Fits at most m evenly spaced of the n points (x, y) with a Theil-Sen trend. */
static bool fit_thinned(struct work *w, const double *x, const double *y, size_t n, size_t m,
			struct st_trend *t)
{
	size_t i;

	if (n < 6)
		return false;
	if (m > n)
		m = n;
	for (i = 0; i < m; i++) {
		size_t k = m == 1 ? 0 : i * (n - 1) / (m - 1);

		w->x[i] = x[k];
		w->y[i] = y[k];
	}
	return st_trend(w->x, w->y, m, 0.95, w->fit, t) == 0;
}

/*
 * The change a robust trend makes over rows [r0, r1) of v against time: is it still moving? The
 * values go through w->a and their times through w->c; *n gets how many were finite.
 */
static double tail_trend(struct work *w, const double *v, size_t r0, size_t r1, size_t *n)
{
	struct st_trend t;
	size_t r, k = 0;

	for (r = r0; r < r1; r++) {
		if (isnan(v[r]))
			continue;
		w->a[k] = v[r];
		w->c[k++] = w->s->t[r];
	}
	*n = k;
	if (fit_thinned(w, w->c, w->a, k, 64, &t))
		return t.slope * (w->c[k - 1] - w->c[0]);
	return 0;
}

/*
 * TIME_WAIT that stops growing while the loop still closes connections has met a limit: connect()
 * reusing TIME_WAIT ports (net.ipv4.tcp_tw_reuse, on loopback by default; netstat TWRecycled) or
 * net.ipv4.tcp_max_tw_buckets (TCPTimeWaitOverflow). Port reuse sets in gradually: the growth per
 * cycle in the last third of churn falls to a fraction of the first third's. Told apart from the
 * steady state of a churn longer than TIME_WAIT's life by the cycles of that life.
 */
static void tw_cap(struct work *w)
{
	const struct series *s = w->s;
	const struct phases *ph = &w->ph;
	struct st_trend late;
	size_t r, n = 0, third;
	double level, rate = NAN, t_end, c_from = NAN;

	if (!w->tw_moved)
		return;
	for (r = ph->c0; r < ph->c1; r++) {
		if (isnan(w->tw[r]) || isnan(s->cycles[r]))
			continue;
		w->b[n] = s->cycles[r];
		w->c[n++] = w->tw[r] - w->tw_base;
	}
	third = n / 3;
	if (third < 6 || !fit_thinned(w, w->b + n - third, w->c + n - third, third, 64, &late))
		return;
	memcpy(w->a, w->c + n - third, third * sizeof(double));
	level = st_median(w->a, third);
	/* TIME_WAIT left per cycle on the way up: at the first row half way to that level. */
	for (r = 0; r < n && isnan(rate); r++)
		if (w->c[r] >= 0.5 * level && w->b[r] > w->b[0])
			rate = w->c[r] / (w->b[r] - s->cycles[ph->c0]);
	t_end = s->t[ph->c1 - 1];
	for (r = ph->c0; r < ph->c1 && isnan(c_from); r++)
		if (s->t[r] >= t_end - w->p->tw_seconds)
			c_from = s->cycles[r];
	if (isnan(c_from) || !(rate > 0))
		return;
	if (late.slope < 0.2 * rate && level >= 0.5 * w->tw_peak &&
	    level < 0.8 * rate * (s->cycles[ph->c1 - 1] - c_from)) {
		w->tw_capped = true;
		w->tw_cap = level;
	}
}

/* A count of TIME_WAIT sockets; parts of another count (parts true) or wholes. */
static bool tw_count(const struct metric_desc *d, bool parts)
{
	return d->cls == MC_TIME_WAIT && d->kind == MK_LEVEL && !desc_has(d, MT_SPLIT) &&
	       desc_has(d, MT_PART) == parts;
}

/*
 * Sums the TIME_WAIT counts per row: the wholes (sockstat's tw, where v4 and v6 share the death
 * row), else the parts (sock_diag's, FIN_WAIT2 ends taken out).
 */
static void tw_series(struct work *w)
{
	const struct series *s = w->s;
	size_t r, n, j;
	bool parts = true;
	double v;

	for (j = 0; j < s->ncols && parts; j++)
		if (tw_count(&s->cols[j].d, false))
			parts = false;
	for (r = 0; r < s->nrows; r++) {
		double sum = NAN;

		for (j = 0; j < s->ncols; j++) {
			if (!tw_count(&s->cols[j].d, parts) || isnan(v = s->cols[j].v[r]))
				continue;
			sum = isnan(sum) ? v : sum + v;
		}
		w->tw[r] = sum;
	}
	n = st_finite(w->tw + w->ph.b0, w->ph.b1 - w->ph.b0, w->a);
	if (n < 3)
		return;
	w->tw_known = true;
	w->tw_noise = st_mad_sigma(w->a, n, &w->tw_base);
	if (w->tw_noise < 0.5)
		w->tw_noise = 0.5;
	for (r = w->ph.c0; r < s->nrows; r++)
		if (w->tw[r] - w->tw_base > w->tw_peak)
			w->tw_peak = w->tw[r] - w->tw_base;
	if (have_tail(&w->ph)) {
		size_t t0 = tail_begin(s, &w->ph, w->p->settle_seconds), k;

		w->tw_tail_change = tail_trend(w, w->tw, t0, w->ph.q1, &n);
		w->tw_tail = n ? st_median(w->a, n) - w->tw_base : 0;
		k = w->ph.q1 - w->ph.q0 < 3 ? w->ph.q1 - w->ph.q0 : 3;
		n = st_finite(w->tw + w->ph.q0, k, w->a);
		w->tw_q0 = n ? st_median(w->a, n) - w->tw_base : 0;
	}
	w->tw_moved = w->tw_peak > 3 * w->tw_noise && w->tw_peak >= w->p->min_count;
	tw_cap(w);
}

int work_init(struct work *w, const struct series *s, const struct analysis_params *p)
{
	size_t n = s->nrows ? s->nrows : 1, m = p->max_fit_points;

	memset(w, 0, sizeof(*w));
	if (m < 8)
		return -EINVAL;
	w->s = s;
	w->p = p;
	phases_find(s, p, &w->ph);
	w->z_alpha = st_norm_quantile(1 - p->alpha);
	w->z_power = st_norm_quantile(p->power);
	w->a = malloc(n * sizeof(double));
	w->b = malloc(n * sizeof(double));
	w->c = malloc(n * sizeof(double));
	w->tw = malloc(n * sizeof(double));
	w->e = malloc(n * sizeof(double));
	w->x = malloc(m * sizeof(double));
	w->y = malloc(m * sizeof(double));
	w->fit = malloc(st_trend_scratch(m) * sizeof(double));
	if (!w->a || !w->b || !w->c || !w->tw || !w->e || !w->x || !w->y || !w->fit) {
		work_free(w);
		return -ENOMEM;
	}
	tw_series(w);
	return 0;
}

void work_free(struct work *w)
{
	free(w->a);
	free(w->b);
	free(w->c);
	free(w->tw);
	free(w->e);
	free(w->x);
	free(w->y);
	free(w->fit);
	memset(w, 0, sizeof(*w));
}

/* Bytes per object of a slab cache, from its objects and their bytes; 0 when unknown. */
static double objsize(const struct work *w, const char *cache)
{
	const struct series *s = w->s;
	int co = series_find_object(s, MC_SLAB_OBJS, cache);
	int cb = series_find_object(s, MC_SLAB_BYTES, cache);
	size_t r, m = 0;

	if (co < 0 || cb < 0)
		return 0;
	/* Row by row: the probe reads both from one slabinfo line, so the ratio is exact. */
	for (r = 0; r < s->nrows; r++) {
		double o = s->cols[co].v[r], b = s->cols[cb].v[r];

		if (o > 0 && b > 0)
			w->a[m++] = b / o;
	}
	return m ? st_median(w->a, m) : 0;
}

/*
 * Objects of size os that SLUB's per-CPU slabs may keep after a burst: /proc/slabinfo counts the
 * free objects of each CPU's active slab and partial slabs as active. The partial slabs hold up to
 * twice cpu_partial objects, which SLUB sets by object size (set_cpu_partial); a slab holds about
 * 16 KiB of objects (8 to 32 of them). Half as much again for what the baseline already held less.
 */
static double slub_hold_objs(double os, unsigned cpus)
{
	double part = os >= 4096 ? 6 : os >= 1024 ? 24 : os >= 256 ? 52 : 120;
	double per_slab = fmin(32, fmax(8, 16384 / os));

	return 1.5 * (cpus ? cpus : 1) * (2 * part + 2 * per_slab);
}

double charge_reserve(const struct analysis_params *p, enum unit u)
{
	double pages = p->mem_pcpu_rsv > 0 ? p->mem_pcpu_rsv * p->cpus : 0;

	return u == UNIT_BYTES ? pages * p->page_size : pages;
}

void limits_for(const struct work *w, const struct series_col *c, enum metric_role role,
		struct limits *l)
{
	const struct analysis_params *p = w->p;
	bool bytes = c->d.unit == UNIT_BYTES;

	l->os = 1;
	l->min_eff = bytes ? p->min_bytes : p->min_count;
	l->hold = l->min_eff;
	l->beta_min = bytes ? p->min_bytes_per_cycle : p->min_count_per_cycle;
	l->k_noise = bytes ? 3 : 2;
	l->exact = role == ROLE_SOCKETS && !bytes && p->private_netns;
	l->open_count = l->exact && desc_has(&c->d, MT_NETNS) &&
			(c->d.cls == MC_SOCKETS || c->d.cls == MC_STATE);
	l->own_count =
		l->open_count || (l->exact && desc_has(&c->d, MT_NETNS) && c->d.cls == MC_FDS);
	switch (role) {
	case ROLE_SLAB: {
		double os = objsize(w, c->d.object);

		if (os <= 0)
			os = 256;
		l->os = os;
		if (bytes) {
			l->hold = fmax(fmax(l->hold, p->slab_hold_bytes),
				       os * slub_hold_objs(os, p->cpus));
		} else if (c->d.cls == MC_SLAB_OBJS) {
			l->hold = fmax(fmax(l->hold, p->slab_hold_bytes / os),
				       slub_hold_objs(os, p->cpus));
			l->beta_min = p->min_bytes_per_cycle / os;
		}
		break;
	}
	case ROLE_SOCKETS:
		if (bytes)
			l->hold = fmax(l->hold, p->sockmem_hold_bytes);
		break;
	case ROLE_MEMCG:
		l->hold = fmax(l->hold, p->memcg_hold_bytes);
		break;
	case ROLE_HOST:
		if (bytes)
			l->hold = fmax(l->hold, 2 * p->memcg_hold_bytes);
		break;
	default:
		break;
	}
	/*
	 * A charge counter: per-CPU reserves keep up to mem_pcpu_rsv pages of it per CPU. Where
	 * that is unknown (not read: a report of an older run), the role's hold stays.
	 */
	if (desc_has(&c->d, MT_CHARGE) && !isnan(p->mem_pcpu_rsv))
		l->hold = fmax(l->min_eff, charge_reserve(p, c->d.unit));
	/*
	 * Per-CPU caches jitter by about what they hold while anything runs, however still the
	 * baseline was: growth smaller than that is not growth.
	 */
	l->percpu = l->hold > (bytes ? p->min_bytes : p->min_count);
	l->min_eff = l->hold;
	server_limits(w, c, l);
}

/*
 * A row's value, sign-corrected, with the host drift (w->drift) and k x (TIME_WAIT above
 * baseline) taken off.
 */
static inline double val(const struct work *w, const double *v, size_t r, double sign, double k)
{
	double y = sign * v[r];

	if (w->drift != 0)
		y -= w->drift * (w->s->t[r] - w->drift_t0);
	if (k == 0)
		return y;
	if (isnan(w->tw[r]))
		return NAN;
	return y - k * (w->tw[r] - w->tw_base);
}

/* A robust trend against time of rows [r0, r1) of c (through w->a and w->c). */
static bool time_trend(struct work *w, const struct series_col *c, double sign, double tw_k,
		       size_t r0, size_t r1, struct st_trend *t)
{
	size_t r, n = 0;

	for (r = r0; r < r1; r++) {
		if (isnan(w->a[n] = val(w, c->v, r, sign, tw_k)))
			continue;
		w->c[n++] = w->s->t[r];
	}
	return fit_thinned(w, w->c, w->a, n, 64, t);
}

/*
 * Two trends significant with one sign. The Mann-Kendall variance is inflated for the residuals'
 * autocorrelation, so that a slow random walk does not read as a trend; a steady ramp in slab
 * granularity (objects counted a slab at a time, stalls of a few rows) leaves residuals just as
 * correlated and is never significant in a few seconds. When the two rates agree within a
 * quarter (a random walk keeps no rate from one stretch to another) and each rises (or falls)
 * at nearly every row, each need only be significant as if its rows were independent (plain).
 */
static bool same_trend(const struct st_trend *a, const struct st_trend *b, double za, bool plain)
{
	double ka = plain ? sqrt((1 + a->rho) / (1 - a->rho)) : 1;
	double kb = plain ? sqrt((1 + b->rho) / (1 - b->rho)) : 1;

	/* A ramp: nearly every pair of rows in order (Kendall's tau >= 0.8), not a step or two. */
	if (plain && (fabs(a->s) < 0.8 * (double)a->pairs || fabs(b->s) < 0.8 * (double)b->pairs))
		return false;
	return (a->z * ka > za && b->z * kb > za) || (a->z * ka < -za && b->z * kb < -za);
}

/*
 * Host drift: a host-wide figure that moves at one steady rate during the baseline and through
 * the later half of quiesce, when no cycle runs, is moved by time (other tasks on the host), not
 * by the loop. Both stretches need a significant trend (Mann-Kendall, autocorrelation-aware) of
 * the same sign, one rate within the other's confidence interval or within a quarter of it (a
 * paced process's rate wanders by a few percent, and a clean line has a narrow interval); the
 * rate is the two slopes weighted by their points. The earlier half of quiesce is left out: what the loop had in flight drains there.
 * Sets w->drift (0: none) and w->drift_t0, the middle of the baseline, so that the baseline level
 * stays what it was.
 */
static void drift_fit(struct work *w, const struct series_col *c, double sign, double tw_k,
		      struct figures *f)
{
	const struct phases *ph = &w->ph;
	const struct series *s = w->s;
	struct st_trend tb, tq;
	double za = w->z_alpha, rate;
	size_t t0;
	bool close;

	w->drift = 0;
	if (c->d.kind != MK_LEVEL || !desc_has(&c->d, MT_HOST) || desc_has(&c->d, MT_NETNS) ||
	    !have_tail(ph) || ph->b1 <= ph->b0)
		return;
	if (!time_trend(w, c, sign, tw_k, ph->b0, ph->b1, &tb) ||
	    !time_trend(w, c, sign, tw_k, ph->q0 + (ph->q1 - ph->q0) / 2, ph->q1, &tq))
		return;
	/* One rate: within each other's intervals, or within a quarter when both are precise. */
	close = fabs(tb.slope - tq.slope) <= 0.25 * fmax(fabs(tb.slope), fabs(tq.slope));
	if (!(same_trend(&tb, &tq, za, false) || (close && same_trend(&tb, &tq, za, true))) ||
	    ((tb.lo > tq.hi || tq.lo > tb.hi) && !close))
		return;
	rate = (tb.slope * (double)tb.n + tq.slope * (double)tq.n) / (double)(tb.n + tq.n);
	if (!isfinite(rate) || rate == 0)
		return;
	w->drift = f->drift = rate;
	w->drift_t0 = (s->t[ph->b0] + s->t[ph->b1 - 1]) / 2;
	t0 = tail_begin(s, ph, w->p->settle_seconds);
	f->drift_added = rate * ((s->t[t0] + s->t[ph->q1 - 1]) / 2 - w->drift_t0);
}

/* Median of five without a loop: the running peak calls it once per churn row. */
static inline double med5(double a, double b, double c, double d, double e)
{
	double t;

#define SORT2(x, y) (x > y ? (t = x, x = y, y = t) : 0)
	SORT2(a, b);
	SORT2(c, d);
	if (a > c) { /* drop the smallest of a, c: it cannot be the median */
		t = a, a = c, c = t;
		t = b, b = d, d = t;
	}
	/* a is below three others; the median is the second smallest of b, c, d, e. */
	SORT2(b, e);
	if (b > c) {
		t = b, b = c, c = t;
		t = e, e = d, d = t;
	}
	/* b is now below three of the rest: the median is the smaller of c and e. */
#undef SORT2
	return c < e ? c : e;
}

/* Largest running median of 5 consecutive values: a peak that one odd sample cannot make. */
static double running_peak(const double *v, size_t n)
{
	double best = -INFINITY;
	size_t i;

	if (n < 5) {
		for (i = 0; i < n; i++)
			best = v[i] > best ? v[i] : best;
		return n ? best : NAN;
	}
	for (i = 0; i + 5 <= n; i++) {
		double m = med5(v[i], v[i + 1], v[i + 2], v[i + 3], v[i + 4]);

		best = m > best ? m : best;
	}
	return best;
}

static double resolution(const struct series_col *c, double base)
{
	switch (c->d.unit) {
	case UNIT_COUNT:
		return 0.28867513459481287; /* an integer's rounding: 1/sqrt(12) */
	case UNIT_BYTES:
		return fmax(1, 1e-9 * fabs(base));
	default:
		return 1e-9 * fabs(base);
	}
}

/*
 * What a leak keeps stays through all of quiesce; a tail above the level quiesce held before it
 * got there after the loop stopped (another task: slab caches are the host's). That level is the
 * median of the medians of windows as long as the tail, before it; the tail counts only as much
 * when it is above it by more than the windows differ among themselves (a busy or an idle
 * stretch of the host moves per-CPU slabs by hundreds of objects). At least three windows. Not
 * for exact counts: nothing else opens sockets in the run's netns.
 */
static void kept_through(struct work *w, const struct series_col *c, double sign, double tw_k,
			 size_t t0, double rho, struct figures *f)
{
	const struct phases *ph = &w->ph;
	size_t len = ph->q1 - t0, r0, r, n, k = 0;
	double ref, mean = 0, var = 0, tol, lo, hi, *med = w->e;

	if (len < 3 || (c->d.unit == UNIT_COUNT && metric_role(&c->d) == ROLE_SOCKETS))
		return;
	/* The first stretch of quiesce: what the loop left when it stopped. */
	for (r = ph->q0, n = 0; r < ph->q0 + len && r < ph->q1; r++)
		if (!isnan(w->a[n] = val(w, c->v, r, sign, tw_k)))
			n++;
	if (n >= 3) {
		f->q_first = st_median(w->a, n) - f->base_u;
		f->q_first_se = ST_MEDIAN_SE * f->noise / sqrt(st_neff(n, rho));
	}
	/*
	 * Still rising after the loop stopped: from that first stretch to the tail. A quiesce
	 * shorter than two tails compares the tail with the rows before it, the loop's drain
	 * included: what is in flight when it stops can only make the rise look smaller.
	 */
	if (n >= 3 && ph->q0 + len > t0) {
		for (r = ph->q0, n = 0; r < t0; r++)
			if (!isnan(w->a[n] = val(w, c->v, r, sign, tw_k)))
				n++;
		ref = n >= 3 ? st_median(w->a, n) - f->base_u : NAN;
		tol = n >= 3 ? ST_MEDIAN_SE * f->noise / sqrt(st_neff(n, rho)) : NAN;
	} else {
		ref = f->q_first;
		tol = f->q_first_se;
	}
	if (n >= 3) {
		tol *= w->z_alpha * M_SQRT2;
		f->q_rise = f->residual - ref;
		f->q_rising =
			f->q_rise > fmax(fmax(tol, 3 * f->noise), 0.25 * fmax(f->residual, 0));
	}
	for (r0 = t0; r0 >= ph->q0 + len; r0 -= len) {
		for (r = r0 - len, n = 0; r < r0; r++)
			if (!isnan(w->a[n] = val(w, c->v, r, sign, tw_k)))
				n++;
		if (n >= 3)
			med[k++] = st_median(w->a, n) - f->base_u;
	}
	if (k < 3)
		return;
	/* The first window may hold what drained when the loop stopped: not the host's doing. */
	n = k >= 4 ? k - 1 : k;
	lo = hi = med[0];
	for (r = 0; r < n; r++) {
		mean += med[r] / n;
		lo = fmin(lo, med[r]);
		hi = fmax(hi, med[r]);
	}
	for (r = 0; r < n; r++)
		var += (med[r] - mean) * (med[r] - mean) / (n - 1);
	f->q_range = hi - lo;
	ref = st_median(med, k);
	f->q_spread = sqrt(var);
	tol = w->z_alpha * M_SQRT2 *
	      fmax(ST_MEDIAN_SE * f->noise / sqrt(st_neff(len, rho)), sqrt(var));
	if (f->residual - ref > tol) {
		f->later = f->residual - ref;
		f->residual = ref;
	}
}

/* The largest of v[0, n) (dir 1) or the smallest (dir -1); n > 0. */
static double extreme(const double *v, size_t n, double dir)
{
	double x = v[0];
	size_t i;

	for (i = 1; i < n; i++)
		if (dir * (v[i] - x) > 0)
			x = v[i];
	return x;
}

int measure_level(struct work *w, int col, double tw_k, struct figures *f)
{
	const struct series *s = w->s;
	const struct series_col *c = &s->cols[col];
	const struct phases *ph = &w->ph;
	double sign = desc_sign(&c->d), rho_b, rho_t = 0, base_hi, base_lo;
	size_t r, n, nd = 0, t0 = tail_begin(s, ph, w->p->settle_seconds), i;

	memset(f, 0, sizeof(*f));
	f->tw_k = tw_k;
	f->residual = f->after_teardown = f->q_spread = f->q_range = f->q_first = f->td_drop = NAN;
	f->kept_min = NAN;
	drift_fit(w, c, sign, tw_k, f);

	/* Baseline: level, spread, short-term jitter. */
	n = st_finite(c->v + ph->b0, ph->b1 - ph->b0, w->a);
	if (n == 0)
		return -ENODATA;
	f->base = st_median(w->a, n);
	for (r = ph->b0, n = 0; r < ph->b1; r++)
		if (!isnan(w->a[n] = val(w, c->v, r, sign, tw_k)))
			n++;
	if (n == 0)
		return -ENODATA;
	/* A long run folds its baseline into few rows: their spread is then not measurable, the
	 * jitter at the end of quiesce (rows folded alike) stands in. */
	f->nb = n;
	base_hi = extreme(w->a, n, 1);
	base_lo = extreme(w->a, n, -1);
	rho_b = st_lag1(w->a, n);
	for (i = 0; i + 1 < n; i++)
		w->b[nd++] = w->a[i + 1] - w->a[i];
	f->sigma_base = st_mad_sigma(w->a, n, &f->base_u);
	if (n < 3)
		f->sigma_base = 0;

	/* The end of quiesce, the same rows the stop rule looks at: the residual, more jitter. */
	if (have_tail(ph)) {
		for (r = t0, n = 0; r < ph->q1; r++) {
			double y = val(w, c->v, r, sign, tw_k);

			if (isnan(y))
				continue;
			w->a[n] = y;
			w->c[n++] = s->t[r];
		}
		if (n >= 3) {
			struct st_trend t;

			f->nt = n;
			rho_t = st_lag1(w->a, n);
			for (i = 0; i + 1 < n; i++)
				w->b[nd++] = w->a[i + 1] - w->a[i];
			/* Still moving at the very end? Then the residual is not yet what stays. */
			if (fit_thinned(w, w->c, w->a, n, 64, &t))
				f->tail_change = t.slope * (w->c[n - 1] - w->c[0]);
			f->residual = st_median(w->a, n) - f->base_u;
			f->kept_min = extreme(w->a, n, -1) - base_hi;
			f->at_base =
				extreme(w->a, n, 1) == base_lo && extreme(w->a, n, -1) == base_lo;
		}
	}
	f->sigma_jitter = nd >= 3 ? st_mad_sigma(w->b, nd, NULL) / M_SQRT2 : 0;
	f->floor = resolution(c, f->base);
	f->noise = fmax(fmax(f->sigma_base, f->sigma_jitter), f->floor);
	if (f->nt) {
		f->residual_sd = ST_MEDIAN_SE * f->noise *
				 sqrt(1 / st_neff(f->nb, rho_b) + 1 / st_neff(f->nt, rho_t));
		kept_through(w, c, sign, tw_k, t0, rho_t, f);
	}
	if (tw_k != 0 && !isnan(f->residual))
		f->tw_end = tw_k * w->tw_tail;

	if (ph->t1 > ph->t0) {
		n = st_finite(c->v + ph->t0, ph->t1 - ph->t0, w->a);
		if (n)
			f->after_teardown = sign * (st_median(w->a, n) - f->base);
		/* What went with the netns: from the quiesce tail, seconds apart. */
		if (n >= 3 && f->nt && tw_k == 0) {
			double td = f->after_teardown;

			if (w->drift != 0) {
				for (r = ph->t0, n = 0; r < ph->t1; r++)
					if (!isnan(w->a[n] = val(w, c->v, r, sign, 0)))
						n++;
				td = n ? st_median(w->a, n) - f->base_u : td;
			}
			f->td_drop = f->residual + f->later - td;
			f->td_se =
				ST_MEDIAN_SE * f->noise * sqrt(1.0 / n + 1 / st_neff(f->nt, rho_t));
		}
	}
	return 0;
}

bool tail_moving(const struct figures *f, const struct limits *l)
{
	return fabs(f->tail_change) > fmax(2 * f->noise, l->min_eff / 2);
}

bool host_rising(const struct series_col *c, const struct limits *l, const struct figures *f)
{
	return !l->exact && desc_has(&c->d, MT_HOST) && !desc_has(&c->d, MT_NETNS) && f->q_rising &&
	       f->tail_change > 0;
}

/*
 * The churn's shape from block medians (see struct figures). ys[0, n) is the rise in row order,
 * e its residuals from the whole-churn trend (reordered here).
 */
static void shape(struct work *w, const double *ys, double *e, size_t n, double rho,
		  struct figures *f)
{
	double mad, q10, q90, se, d, za = w->z_alpha;
	size_t b, k, per, mid;

	if (n < 9)
		return;
	memcpy(w->c, e, n * sizeof(double));
	q10 = st_quantile(w->c, n, 0.1);
	q90 = st_quantile(w->c, n, 0.9);
	mad = st_mad_sigma(e, n, NULL);
	/* 2.563: the 10-90% range of a Gaussian in sigmas. */
	f->jitter = fmax(fmax(mad, (q90 - q10) / 2.563), f->noise);
	f->nblk = n / 3 < SHAPE_BLOCKS ? n / 3 : SHAPE_BLOCKS;
	per = n / f->nblk;
	for (b = 0; b < f->nblk; b++) {
		size_t lo = b * n / f->nblk, hi = (b + 1) * n / f->nblk;

		memcpy(w->c, ys + lo, (hi - lo) * sizeof(double));
		f->blk[b] = st_median(w->c, hi - lo);
	}
	se = ST_MEDIAN_SE * f->jitter / sqrt(st_neff(per, rho));
	d = f->blk_d = za * M_SQRT2 * se;
	f->rise = f->blk[f->nblk - 1] - f->blk[0];
	mid = f->nblk / 2;

	/* Large against the churn's own jitter, significant, monotone, and still rising late. */
	f->sustained = f->have_all && f->all.z > za && f->rise > fmax(3 * f->jitter, d) &&
		       f->blk[mid] - f->blk[0] > d && f->blk[f->nblk - 1] - f->blk[mid] > d &&
		       f->blk[f->nblk - 1] - f->blk[mid] > 0.2 * f->rise;
	for (k = 0; k + 1 < f->nblk && f->sustained; k++)
		if (f->blk[k + 1] - f->blk[k] < -d)
			f->sustained = false;
}

int measure(struct work *w, int col, double tw_k, struct figures *f)
{
	const struct series *s = w->s;
	const struct series_col *c = &s->cols[col];
	const struct phases *ph = &w->ph;
	double sign = desc_sign(&c->d), base_u, *xs, *ys, *e;
	size_t r, n, lo, hi, i;
	int err;

	if ((err = measure_level(w, col, tw_k, f)))
		return err;
	base_u = f->base_u;

	/* Churn: x = cycles, y = rise above baseline, finite rows only. */
	xs = w->b;
	ys = w->a;
	for (r = ph->c0, n = 0; r < ph->c1; r++) {
		double y = val(w, c->v, r, sign, tw_k);

		if (isnan(y) || isnan(s->cycles[r]))
			continue;
		xs[n] = s->cycles[r];
		ys[n++] = y - base_u;
	}
	f->nc = n;
	if (n == 0)
		return 0;
	f->peak = running_peak(ys, n);
	/* A probe sampled every k-th tick leaves few rows: no median may hide a real peak. */
	for (i = 0, f->top = ys[0]; i < n; i++)
		f->top = fmax(f->top, ys[i]);
	/* rise_end takes a copy: ys stays in row order for the fits. */
	lo = n / 10 < 3 ? (n < 3 ? n : 3) : n / 10;
	memcpy(w->c, ys + n - lo, lo * sizeof(double));
	f->rise_end = st_median(w->c, lo);
	f->end_level = f->rise_end;

	/* Never left the noise band after baseline: nothing to fit. */
	f->flat = true;
	for (r = ph->b1; r < s->nrows && f->flat; r++) {
		double y = val(w, c->v, r, sign, tw_k);

		if (!isnan(y) && fabs(y - base_u) > 4 * f->noise)
			f->flat = false;
	}
	if (!f->flat) {
		size_t m = w->p->max_fit_points;
		double x0 = xs[0], span = xs[n - 1] - xs[0];
		/* Thirds when each has rows enough for a trend; halves for short or folded churn. */
		double parts = n >= 18 ? 3 : 2;

		f->have_all = fit_thinned(w, xs, ys, n, m, &f->all);
		for (lo = 0; lo < n && xs[lo] <= x0 + span / parts; lo++)
			;
		for (hi = n; hi > 0 && xs[hi - 1] >= x0 + (parts - 1) * span / parts; hi--)
			;
		f->have_early = fit_thinned(w, xs, ys, lo, m / 2, &f->early);
		f->have_late = fit_thinned(w, xs + hi, ys + hi, n - hi, m / 2, &f->late);
		f->n_late = n - hi;
		if (f->have_late)
			f->end_level = f->late.intercept + f->late.slope * xs[n - 1];
		f->dx_early = lo ? xs[lo - 1] - xs[0] : 0;
		f->dx_late = hi < n ? xs[n - 1] - xs[hi] : 0;

		/* Residuals from the whole-churn trend, for the churn's jitter. */
		e = w->e;
		for (i = 0; i < n; i++)
			e[i] = ys[i] - (f->have_all ? f->all.intercept + f->all.slope * xs[i] : 0);
		shape(w, ys, e, n, f->have_all ? f->all.rho : 0, f);
	}
	/* Last: the quantile reorders ys. */
	f->q90 = st_quantile(ys, n, 0.9);
	return 0;
}

/*
 * TIME_WAIT capped while the loop ran, not yet expired: the cap is the experiment. A metric that
 * follows TIME_WAIT is in proportion to it at the cap (the ratio there is its units per socket).
 * Objects in flight would be too, so it must also show what they do not: in proportion on the
 * way up, where objects in flight are at their full level at once; or, when the loop reached the
 * cap within a few rows, still there after the loop stopped while TIME_WAIT was, where objects in
 * flight are gone. And where capped it tracked TIME_WAIT (flat, or creeping up with it as leaked
 * sockets pin ports), where a leak goes on rising with cycles. 0 when it does not follow, or the
 * rows cannot tell.
 */
static double tw_follow_capped(struct work *w, const struct series_col *c,
			       const struct figures *raw)
{
	const struct series *s = w->s;
	double sign = desc_sign(&c->d), base = sign * raw->base;
	double t_lo = NAN, t_hi = w->tw_cap, y_lo = NAN, y_hi, k, thr, x0 = NAN, x1 = NAN;
	size_t r, nl = 0, nh = 0;
	struct st_trend ty, tt;

	for (r = w->ph.c0; r < w->ph.c1; r++) {
		double tw = w->tw[r] - w->tw_base, y = sign * c->v[r] - base;

		if (isnan(tw) || isnan(y) || !(tw < 0.5 * t_hi))
			continue;
		w->a[nl] = y;
		w->c[nl++] = tw;
	}
	if (nl >= 3) {
		y_lo = st_median(w->a, nl);
		t_lo = st_median(w->c, nl);
	}
	/* The capped rows: the metric, TIME_WAIT, and cycles. */
	for (r = w->ph.c0; r < w->ph.c1; r++) {
		double tw = w->tw[r] - w->tw_base, y = sign * c->v[r] - base;

		if (isnan(tw) || isnan(y) || isnan(s->cycles[r]) || tw < 0.8 * t_hi)
			continue;
		w->a[nh] = y;
		w->b[nh] = tw;
		w->e[nh++] = s->cycles[r];
	}
	if (nh < 6 || !(t_hi > 0))
		return 0;
	x0 = w->e[0];
	x1 = w->e[nh - 1];
	if (!fit_thinned(w, w->e, w->a, nh, 64, &ty) || !fit_thinned(w, w->e, w->b, nh, 64, &tt))
		return 0;
	y_hi = st_median(w->a, nh);
	k = y_hi / t_hi;
	thr = fmax(3 * raw->noise, c->d.unit == UNIT_BYTES ? w->p->min_bytes : w->p->min_count);
	if (!(y_hi > thr))
		return 0;
	if (nl >= 3) {
		if (fabs(y_lo - k * t_lo) > fabs(y_lo - y_hi))
			return 0;
	} else if (isnan(raw->q_first) || w->tw_q0 < 0.8 * t_hi || raw->q_first < 0.7 * y_hi) {
		return 0;
	}
	if (fabs((ty.slope - k * tt.slope) * (x1 - x0)) > fmax(3 * raw->noise, 0.2 * y_hi))
		return 0;
	return k;
}

/*
 * Figures that TIME_WAIT's expiry can never bring down, whatever they did beside it during
 * churn: descriptors (a TIME_WAIT socket has none) and sockets in CLOSE_WAIT (they wait for their
 * own process to close them; a server that never closes makes one per cycle, as TIME_WAIT grows).
 */
static bool tw_unrelated(const struct metric_desc *d)
{
	return d->cls == MC_FDS ||
	       (d->cls == MC_STATE && d->object && !strcmp(d->object, "CLOSE_WAIT"));
}

/* The units per TIME_WAIT socket a metric follows. */
double tw_follow(struct work *w, int col, const struct figures *raw, bool integral)
{
	const struct series *s = w->s;
	const struct series_col *c = &s->cols[col];
	double sign = desc_sign(&c->d), base = sign * raw->base, k = 0, thr;
	size_t r, n = 0;

	thr = fmax(3 * raw->noise, c->d.unit == UNIT_BYTES ? w->p->min_bytes : w->p->min_count);
	if (!w->tw_moved || desc_has(&c->d, MT_TIME_WAIT) || tw_unrelated(&c->d) || raw->flat ||
	    fmax(raw->q90, raw->peak) < thr)
		return 0;

	/*
	 * TIME_WAIT expiring while the loop is stopped moves nothing else: the metric's slope
	 * against it there is the cleanest estimate. Rows in the decay window only, so that a
	 * backlog draining at the start of quiesce is not read as TIME_WAIT.
	 */
	if (w->tw_q0 > 3 * w->tw_noise) {
		for (r = w->ph.q1; r-- > w->ph.q0;) {
			double t = w->tw[r] - w->tw_base, y = sign * c->v[r] - base;

			if (isnan(t) || isnan(y) || t < 0.05 * w->tw_q0 || t > 0.95 * w->tw_q0)
				continue;
			w->b[n] = t;
			w->a[n++] = y;
		}
	}
	if (n >= 5) {
		struct st_trend t;

		/*
		 * Rows went in backwards: x (tw sockets) now rises. TIME_WAIT expires in a few
		 * steps of the timer wheel: too few distinct levels leave no fit, and the ratio
		 * during churn stands in.
		 */
		if (fit_thinned(w, w->b, w->a, n, w->p->max_fit_points / 2, &t) && t.pairs >= n)
			k = t.slope;
		else
			n = 0;
	}
	if (n < 5 && w->tw_capped) {
		if (!(k = tw_follow_capped(w, c, raw)))
			return 0;
	} else if (n < 5) {
		/* No expiry seen: the ratio during churn, kept only when the metric tracks tw. */
		double misfit, spread;

		n = 0;
		for (r = w->ph.c0; r < w->ph.c1; r++) {
			double t = w->tw[r] - w->tw_base, y = sign * c->v[r] - base;

			if (isnan(t) || isnan(y) || t < 0.5 * w->tw_peak)
				continue;
			w->b[n] = t;
			w->a[n++] = y / t;
		}
		if (n < 3)
			return 0;
		/* TIME_WAIT must vary over those rows, or any constant level reads as its ratio. */
		memcpy(w->c, w->b, n * sizeof(double));
		spread = st_quantile(w->c, n, 0.75) - st_quantile(w->c, n, 0.25);
		if (spread < 0.1 * w->tw_peak)
			return 0;
		k = st_median(w->a, n);
		for (r = 0; r < n; r++)
			w->a[r] = fabs(w->a[r] - k) * w->b[r];
		misfit = st_median(w->a, n);
		if (misfit > 0.1 * fabs(k) * w->tw_peak + 3 * raw->noise)
			return 0;
	}
	if (integral)
		k = round(k);
	if (!(k > 0) || k * w->tw_peak < thr)
		return 0;
	return k;
}
