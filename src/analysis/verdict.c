/* The verdict: every metric classified from its figures, then the overall verdict and its evidence. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "analysis/lag.h"
#include "analysis/server.h"
#include "analysis/measure.h"
#include "common.h"
#include "model/amount.h"

/*
 * What decides the overall verdict (also in README.md, "How the verdict is reached"):
 *
 * - Socket counts in the run's own netns (sock_diag's, sockstat's inuse and tw) and the process's
 *   fds decide every class. They are exact, and only they can say the run lacked the cycles to
 *   see a leak: a metric that shows nothing in a short run stays INCONCLUSIVE on its own line
 *   without making the run INCONCLUSIVE, unless it is one of these.
 * - Slab caches decide by their objects and bytes: the ones the sequence touches are the ones that
 *   moved during churn, and a LEAK needs growth during churn. Their residual must clear what
 *   per-CPU slabs keep after any burst. A cache's pages (total_bytes) move by whole slabs: shown.
 *   When the run's own sockets leaked, the caches of a socket's own objects follow on their noise.
 * - memcg kernel memory decides only when the cgroup is the run's own (private_cgroup); in a
 *   shared cgroup other tasks' allocations land in it.
 * - TIME_WAIT sockets and the tw_sock caches are deferred clean-up: BOUNDED at worst; the caches
 *   are the host's and speak for the run only when its own TIME_WAIT moved.
 * - Whole-host figures (meminfo, memcg usage, RSS, threads, sockstat's per-protocol orphan, alloc
 *   and mem) are advisory: a busy host moves them by megabytes, so they are shown with their own
 *   verdict but never decide.
 * - netstat counters are events: reported as moved or not, never judged.
 * - A charge counter (MT_CHARGE) that kept what rose with cycles above per-CPU reserves while the
 *   memory it stands for came back decides: a LEAK of accounting (charge_evidence).
 * - Host drift (measure.c, drift_fit) is taken off host-wide figures before any of this; what it
 *   explains is CLEAN with its rate said. The run's exact socket counts overrule the caches that
 *   hold only their sockets (overrule_covered).
 * - An INCONCLUSIVE run names more cycles than ran, or says that no length would decide
 *   (no_length) and, through the deciding metric's reason, why.
 *
 * BACKLOG and LEAK need a sustained rise during churn (struct figures): on a shared machine, in
 * flight objects, per-CPU slabs and other tasks move every cache by hundreds of objects, in bursts.
 */

void analysis_defaults(struct analysis_params *p)
{
	unsigned cpus = sl_cpus();
	memset(p, 0, sizeof(*p));
	p->alpha = 0.01;
	p->power = 0.8;
	p->exclude_warmup = true;
	p->min_count = 3;
	p->min_bytes = 16384;
	p->min_count_per_cycle = 1e-4;
	p->min_bytes_per_cycle = 1;
	p->slab_hold_bytes = 131072.0 * cpus;
	p->cpus = cpus;
	p->sockmem_hold_bytes = 1048576.0 * cpus;
	p->memcg_hold_bytes = 2097152.0 * cpus;
	p->mem_pcpu_rsv = NAN;
	p->page_size = 4096;
	p->tw_seconds = 60;
	p->settle_seconds = 5;
	p->max_fit_points = 256;
	p->private_netns = true;
	p->sockets_per_leak = 2;
	p->alloc_hold_bytes = 16 << 20;
}

/* The reason of m: its code and up to REASON_FIGS figures; the sentence is reason.c's. */
#define SAY(m, code, ...) say((m), (code), (const double[REASON_FIGS]){ __VA_ARGS__ })

static void say(struct metric_result *m, enum reason code, const double fig[REASON_FIGS])
{
	m->reason.code = code;
	memcpy(m->reason.fig, fig, sizeof(m->reason.fig));
}

static double phi(double z)
{
	return isnan(z) ? 0 : st_norm_cdf(z);
}

/* Cycles a run needs for a leak at rate beta to pass every test LEAK asks for. */
/*
 * Exact counts need only keep the smallest leak counted, and have it show by the end of churn:
 * a socket still open once everything settled is a leak however its growth looked (judge_level).
 */
static double cycles_needed(const struct work *w, const struct figures *f, const struct limits *l,
			    double thr_level, double thr_r, double beta)
{
	double N = w->ph.cycles, zs = w->z_alpha + w->z_power, need, a, rho, nl;

	if (!(beta > 0))
		return INFINITY;
	need = (thr_r + w->z_power * f->residual_sd) / beta;
	need = fmax(need, (thr_level + w->z_power * f->noise) / beta);
	if (l->exact)
		return ceil(need);
	/* The last third must rise significantly: rows, and so points, grow with the run. */
	nl = f->have_late ? (double)f->late.n : f->nc / 3.0;
	if (nl < 3)
		nl = 3;
	rho = f->have_late ? f->late.rho : 0;
	if (N > 0) {
		a = 3 * zs * f->noise * sqrt(12 * (1 + rho) / (1 - rho) * N / nl) / beta;
		need = fmax(need, pow(a, 2.0 / 3));
	}
	need = fmax(need, 3 * f->noise / beta);
	return ceil(need);
}

static void set_inconclusive(struct metric_result *m, double need, double N)
{
	m->verdict = VERDICT_INCONCLUSIVE;
	if (!(need > N))
		need = 2 * N;
	m->cycles_to_decide = ceil(need);
	m->confidence = need > 0 && isfinite(need) ? fmin(1, N / need) : 0;
}

/* The TIME_WAIT sockets and their caches: what grew is deferred clean-up. */
static void judge_tw(const struct work *w, const struct series_col *c, const struct figures *f,
		     struct metric_result *m)
{
	double thr =
		fmax(3 * f->noise, c->d.unit == UNIT_BYTES ? w->p->min_bytes : w->p->min_count);

	m->verdict = VERDICT_CLEAN;
	m->confidence = 1;
	if (fmax(f->q90, f->rise_end) <= thr) {
		SAY(m, RS_TW_NO_GROWTH, 0);
		return;
	}
	m->verdict = VERDICT_BOUNDED;
	m->tw_explained = true;
	m->confidence = phi((fmax(f->q90, f->rise_end) - thr) / f->noise + w->z_alpha);
	if (isnan(f->residual))
		SAY(m, RS_TW_DEFERRED, f->top);
	else if (f->residual > thr && w->p->tw_purged)
		SAY(m, RS_TW_PURGED, f->top, f->residual);
	else if (f->residual > thr && w->ph.quiesce_seconds < w->p->tw_seconds)
		SAY(m, RS_TW_PENDING_SHORT, f->top, f->residual, w->ph.quiesce_seconds,
		    w->p->tw_seconds);
	else if (f->residual > thr)
		SAY(m, RS_TW_LEFT, f->top, f->residual, w->ph.quiesce_seconds);
	else
		SAY(m, RS_TW_EXPIRED, f->top);
}

/* Standard error of the median of the last tenth of churn: what the loop left at its end. */
static double end_se(const struct figures *f)
{
	double n = f->nc / 10.0 < 3 ? 3 : f->nc / 10.0;

	return ST_MEDIAN_SE * fmax(f->jitter, f->noise) / sqrt(n);
}

/* Whether the loop had objects of this metric in flight: it dropped when the loop stopped. */
static bool touched(const struct work *w, const struct figures *f)
{
	return isnan(f->q_first) ||
	       f->rise_end - f->q_first > w->z_alpha * hypot(end_se(f), f->q_first_se);
}

/* TIME_WAIT sockets still expiring over the quiesce tail. */
static bool tw_draining(const struct work *w)
{
	return w->tw_moved && w->tw_tail_change < -fmax(3 * w->tw_noise, w->p->min_count);
}

/* A level metric that kept nothing after quiesce: did it grow, and how did it come back? */
static void judge_level_unheld(const struct work *w, const struct series_col *c,
			       const struct limits *l, const struct figures *f,
			       struct metric_result *m)
{
	double N = w->ph.cycles, za = w->z_alpha, r = f->residual, sd = f->residual_sd;
	double thr_level = fmax(3 * f->noise, l->min_eff);
	double thr_r = fmax(fmax(za * sd, l->k_noise * f->noise), l->hold);
	double R = fmax(f->q90, f->rise_end), Rend = fmax(f->rise_end, f->noise);
	double z_rise = (R - thr_level) / f->noise + za, need, top = fmax(R, Rend);
	double peak = fmax(R, f->top); /* as the table and the charts give it */

	(void)c;
	if (isnan(r)) {
		r = 0;
		sd = f->noise;
	}
	if (m->moved) {
		double r_hi = r + za * sd;

		if (r_hi < 0.5 * top) {
			if (f->sustained && f->rise > thr_level) {
				double zb = f->rise / (f->blk_d / za);

				m->verdict = VERDICT_BACKLOG;
				m->confidence = phi(fmin(fmin(f->all.z, zb), (0.5 * top - r) / sd));
				SAY(m, RS_BACKLOG, f->rise, r);
			} else if (f->have_late && f->late.hi * f->dx_late < 0.2 * Rend) {
				m->verdict = VERDICT_BOUNDED;
				m->confidence = phi(fmin(z_rise, (0.5 * top - r) / sd));
				SAY(m, RS_PLATEAU_BACK, peak, r);
			} else {
				m->verdict = VERDICT_BOUNDED;
				m->confidence = phi(fmin(z_rise, (0.5 * top - r) / sd));
				SAY(m, RS_ROSE_BACK, peak, f->jitter, r);
			}
			return;
		}
		/*
		 * Stayed up, but within what per-CPU caches keep: not a leak's evidence. The hold
		 * is already a generous bound on what they keep, so there the estimate must be
		 * under it, its upper bound elsewhere; the confidence says how sure.
		 */
		if (r_hi < thr_r || (l->percpu && r < thr_r)) {
			m->verdict = VERDICT_BOUNDED;
			m->confidence = phi((thr_r - r) / sd);
			SAY(m, l->percpu ? RS_KEPT_PERCPU : RS_KEPT_UNDER_MIN, peak, fabs(r),
			    l->hold);
			return;
		}
		need = N * 2 * r_hi / fmax(Rend, f->noise);
		set_inconclusive(m, need, N);
		SAY(m, RS_RESIDUAL_UNCERTAIN, peak, fabs(r), m->cycles_to_decide);
		return;
	}

	need = cycles_needed(w, f, l, thr_level, thr_r, l->beta_min);
	if (N >= need) {
		m->verdict = VERDICT_CLEAN;
		m->confidence = phi((l->beta_min * N - thr_r) / sd);
		SAY(m, RS_NO_GROWTH, f->noise);
		return;
	}
	/*
	 * The mirror of kept-open (judge_level): an exact count of the run's own, back at its
	 * baseline at every row of the quiesce tail, kept nothing, whatever was in flight. Not a
	 * count with TIME_WAIT's part taken off: what is left of it is not exact.
	 */
	if (l->own_count && f->tw_k == 0 && f->at_base) {
		m->verdict = VERDICT_CLEAN;
		m->confidence = 0.99;
		SAY(m, RS_BACK_EXACT, (double)f->nt, peak);
		return;
	}
	set_inconclusive(m, need, N);
	m->nothing_seen = true;
	if (l->percpu && l->hold >= fmax(l->k_noise * f->noise, za * sd))
		SAY(m, RS_UNSEEN_PERCPU, l->beta_min, l->hold, N, m->cycles_to_decide);
	else
		SAY(m, RS_UNSEEN_NOISE, f->noise, l->beta_min, N, m->cycles_to_decide);
}

/*
 * A level metric, from its figures f (TIME_WAIT part already removed when f->tw_k != 0).
 *
 * BACKLOG needs a sustained rise (f->sustained): large against the churn's own jitter and
 * monotone in trend across the churn, so that in-flight objects coming and going in bursts (a
 * server thread descheduled for a moment, per-CPU slab lists) read as BOUNDED. LEAK needs the
 * same steady rise, or, for exact socket counts in the run's own netns, only sockets still open
 * once everything settled; slab caches of sockets follow such a leak with a residual above their
 * noise alone (w->sockets_leaked), since the leaked sockets themselves explain it.
 */
static void judge_level(const struct work *w, const struct series_col *c, const struct limits *l,
			const struct figures *f, struct metric_result *m)
{
	double N = w->ph.cycles, za = w->z_alpha, r = f->residual, sd = f->residual_sd;
	double thr_level = fmax(3 * f->noise, l->min_eff);
	double thr_r = fmax(fmax(za * sd, l->k_noise * f->noise), l->hold);
	double R = fmax(f->q90, f->rise_end), Rend = fmax(f->rise_end, f->noise);
	double L = 0, Lhi = INFINITY, zl = 0, z_rise, need, floor_eff, per_socket;
	bool grew, held, flat_end, sustained, moving, corroborated, td_corroborated, open;
	enum unit u = c->d.unit;

	if (f->have_late) {
		L = f->late.slope * f->dx_late;
		Lhi = f->late.hi * f->dx_late;
		zl = f->late.z;
	}
	z_rise = (R - thr_level) / f->noise + za;
	grew = !f->flat && R > thr_level;
	held = !isnan(r) && r > thr_r;
	flat_end = f->have_late && Lhi < 0.2 * Rend;
	sustained = grew && f->sustained && f->rise > thr_level;
	moving = !isnan(r) && tail_moving(f, l);
	/*
	 * With the run's sockets leaked, a cache of their own objects needs only a significant
	 * residual above one sigma of its level, of half an object to four per leaked socket (the
	 * server holds the accepted end of each): what the leaked sockets explain.
	 */
	per_socket = w->leaked_sockets * (u == UNIT_BYTES ? l->os : 1);
	floor_eff = fmax(u == UNIT_BYTES ? w->p->min_bytes : w->p->min_count, 0.5 * per_socket);
	corroborated = w->sockets_leaked && desc_holds_sockets(&c->d, w->leaked_families) &&
		       f->tw_k == 0 && !isnan(r) && !moving &&
		       r > fmax(fmax(za * sd, f->noise), floor_eff) && r < 4 * per_socket + za * sd;
	/*
	 * Better, what the cache lost when the run's netns went, which closed the leaked sockets:
	 * the quiesce tail and the teardown are seconds apart, where the baseline is a run's length
	 * away and another run's sockets then can hide them from the residual.
	 */
	td_corroborated = w->sockets_leaked && desc_holds_sockets(&c->d, w->leaked_families) &&
			  f->tw_k == 0 && !isnan(f->td_drop) && !moving &&
			  f->td_drop > fmax(fmax(za * f->td_se, f->noise), floor_eff) &&
			  f->td_drop < 4 * per_socket + za * f->td_se;
	/*
	 * An open-socket count of the run's own netns above all of its baseline at every row of
	 * the quiesce tail, and still there: sockets left open, a leak whatever churn showed
	 * (in-flight sockets hide a few leaked ones, and a few stay under any noise band). Not a
	 * count with TIME_WAIT's part taken off (tw_k): TIME_WAIT is sampled apart from it, and
	 * capped or left to the purge, so what is left of it is not exact.
	 */
	open = l->open_count && f->tw_k == 0 && f->kept_min >= 1 && !moving;
	m->moved = grew || open;

	if (isnan(r)) {
		if (grew) {
			m->verdict = VERDICT_INCONCLUSIVE;
			m->confidence = 0;
			SAY(m, RS_NO_QUIESCE, fmax(R, f->top));
			return;
		}
		r = 0;
		sd = f->noise;
	}

	/* Another task's: rising still, and more than when the loop stopped (host_rising). */
	if (moving && held && grew && host_rising(c, l, f)) {
		set_inconclusive(m, 3 * N, N);
		m->decisive = false;
		SAY(m, RS_ROSE_AFTER_LOOP, r, f->q_rise);
		return;
	}
	if (moving && (held || corroborated) && (grew || l->exact)) {
		if (f->tw_k > 0 && tw_draining(w) && f->tail_change < 0) {
			m->verdict = VERDICT_BOUNDED;
			m->tw_explained = true;
			m->confidence = 0.9;
			SAY(m, RS_TW_STILL_EXPIRING, f->tw_k);
			return;
		}
		/* A longer quiesce would decide, not more cycles: the overall says no length. */
		m->verdict = VERDICT_INCONCLUSIVE;
		m->cycles_to_decide = N;
		m->confidence = 0;
		SAY(m, f->tail_change < 0 ? RS_STILL_FALLING : RS_STILL_RISING, r, f->tail_change);
		return;
	}

	if (td_corroborated && !(held && sustained)) {
		m->verdict = VERDICT_LEAK;
		m->confidence =
			0.9 * phi((f->td_drop - fmax(za * f->td_se, f->noise)) / f->td_se + za);
		m->residual_per_cycle = f->td_drop / w->ph.kept_cycles;
		SAY(m, RS_LOST_AT_TEARDOWN, f->td_drop, m->residual_per_cycle);
		return;
	}
	if (held || corroborated || open) {
		double per = r / w->ph.kept_cycles;
		/* A leak keeps what churn built, not more (a quarter's slack for the last rows). */
		double built = fmax(fmax(Rend, f->end_level), f->peak);
		/* The level the loop left at its end: a residual far above it came later. */
		bool late = r - f->rise_end > za * hypot(sd, end_se(f));

		if (held && !l->exact && f->q_rising && (sustained || !late)) {
			/*
			 * A leak of the loop does not grow once the loop has stopped: another task
			 * moves this one, and it cannot decide.
			 */
			set_inconclusive(m, 3 * N, N);
			m->decisive = false;
			SAY(m, RS_ROSE_AFTER_LOOP, r, f->q_rise);
		} else if (held && sustained && r <= 1.25 * built + za * sd + l->hold) {
			m->verdict = VERDICT_LEAK;
			m->confidence = phi(fmin(fmin((r - thr_r) / sd + za, zl), f->all.z));
			SAY(m, RS_LEAK_STEADY, r, per, Rend);
		} else if (open) {
			m->verdict = VERDICT_LEAK;
			m->confidence = 0.99;
			SAY(m, RS_KEPT_OPEN, r, per, f->kept_min, (double)f->nt);
		} else if (held && l->exact && grew && !flat_end) {
			/*
			 * Sockets still open in the run's own netns once everything settled are
			 * open: a leak, even when in-flight sockets hid the steady growth.
			 */
			m->verdict = VERDICT_LEAK;
			m->confidence = 0.95 * phi((r - thr_r) / sd + za);
			SAY(m, RS_LEAK_OPEN, r, per, f->top);
		} else if (corroborated) {
			m->verdict = VERDICT_LEAK;
			m->confidence = 0.95 * phi((r - fmax(za * sd, f->noise)) / sd + za);
			SAY(m, RS_LEAK_WITH_SOCKETS, r, per);
		} else if (!l->exact && late && !grew) {
			/* Not the loop's: the churn ended at baseline, another task kept it. */
			m->verdict = VERDICT_CLEAN;
			m->confidence = phi((r - f->rise_end) / hypot(sd, end_se(f)));
			SAY(m, RS_CAME_AFTER, r);
		} else if (grew && flat_end) {
			double se = (f->late.hi - f->late.slope) / 1.96 * f->dx_late;

			m->verdict = VERDICT_BOUNDED;
			m->confidence = phi(fmin(z_rise, se > 0 ? (0.2 * Rend - L) / se : za));
			SAY(m, RS_PLATEAU_KEPT, fmax(R, f->top), r);
		} else if (!grew && (l->exact || touched(w, f))) {
			need = cycles_needed(w, f, l, thr_level, thr_r, per);
			set_inconclusive(m, need, N);
			SAY(m, RS_KEPT_NO_GROWTH, r, m->cycles_to_decide);
		} else if (!l->exact && !touched(w, f)) {
			/*
			 * Neither a steady rise with cycles nor objects in flight that went when the
			 * loop stopped: nothing ties what it kept to the loop.
			 */
			need = cycles_needed(w, f, l, thr_level, thr_r, per);
			set_inconclusive(m, need, N);
			m->decisive = false;
			SAY(m, RS_NOT_TIED, r);
		} else {
			need = cycles_needed(w, f, l, thr_level, thr_r, per);
			set_inconclusive(m, need, N);
			SAY(m, RS_NOT_STEADY, r, m->cycles_to_decide);
		}
		return;
	}
	judge_level_unheld(w, c, l, f, m);
}

/* Counters are events: their total and rate, never a leak. */
static void judge_counter(const struct work *w, const struct series_col *c, struct metric_result *m)
{
	const struct series *s = w->s;
	double first = NAN, last = NAN, N = w->ph.cycles;
	size_t r;

	for (r = w->ph.b0; r < w->ph.b1; r++)
		if (!isnan(c->v[r]))
			first = c->v[r];
	for (r = w->ph.b1; r < s->nrows && isnan(first); r++)
		first = c->v[r];
	for (r = s->nrows; r-- > 0 && isnan(last);)
		last = c->v[r];
	m->verdict = VERDICT_CLEAN;
	m->confidence = 1;
	m->baseline = first;
	m->total = isnan(first) || isnan(last) ? 0 : last - first;
	m->moved = m->total >= 0.5;
	m->slope = m->slope_lo = m->slope_hi = N > 0 ? m->total / N : NAN;
	if (m->moved)
		SAY(m, RS_COUNTED, m->total, m->slope);
	else
		SAY(m, RS_DID_NOT_MOVE, 0);
}

static void fill_figures(const struct work *w, const struct figures *raw, const struct figures *f,
			 struct metric_result *m)
{
	double N = w->ph.cycles;

	m->baseline = raw->base;
	m->noise = raw->noise;
	/*
	 * The table, the why lines and the charts speak of one peak: the series' largest rise in
	 * churn, however few rows a probe sampled every k-th tick left (a median of 5 of them
	 * spans 5k ticks and hid real peaks: "peak rise 91" on a chart reaching 99).
	 */
	m->peak = fmax(raw->top, fmax(raw->q90, raw->rise_end));
	if (w->s->cols[m->col].d.unit == UNIT_COUNT)
		m->peak = round(m->peak);
	/*
	 * The residual judged, and the same per cycle: with TIME_WAIT's part taken off (tw_part
	 * says how much of the raw level it held), never one figure from each.
	 */
	m->residual = f->residual;
	m->residual_sd = f->residual_sd;
	m->after_teardown = raw->after_teardown;
	m->tw_part = f->tw_k != 0 && !isnan(raw->residual) && !isnan(f->residual) ?
			     raw->residual - f->residual :
			     0;
	/* Kept in the cycles before a cap, when the engine's store of open sockets filled. */
	m->residual_per_cycle =
		N > 0 && !isnan(f->residual) ? f->residual / w->ph.kept_cycles : NAN;
	m->slope = f->have_all ? f->all.slope : 0;
	m->slope_lo = f->have_all ? f->all.lo : 0;
	m->slope_hi = f->have_all ? f->all.hi : 0;
	m->slope_early = f->have_early ? f->early.slope : 0;
	m->slope_late = f->have_late ? f->late.slope : 0;
}

/*
 * A host-wide figure with host drift was judged on what is left once the drift is taken off
 * (measure_level). When that left nothing of the loop's, the drift is what moved it: said so in
 * place of a verdict on cycles. Else the drift taken off is said beside the reason.
 */
static void host_drift(const struct series_col *c, const struct figures *f, struct metric_result *m)
{
	double sign = desc_sign(&c->d);

	m->drift = sign * f->drift;
	if (m->verdict != VERDICT_CLEAN && !m->nothing_seen) {
		m->reason.drift = m->drift;
		return;
	}
	if (m->nothing_seen)
		m->confidence = 0.9;
	m->verdict = VERDICT_CLEAN;
	m->nothing_seen = false;
	m->cycles_to_decide = 0;
	m->reason = (struct reason_of){ RS_HOST_DRIFT, { m->drift, sign * f->drift_added } };
}

static int decide(struct work *w, int col, struct metric_result *m)
{
	const struct series_col *c = &w->s->cols[col];
	struct figures raw, f;
	struct limits l;
	double k;
	int err;

	memset(m, 0, sizeof(*m));
	m->col = col;
	m->covered_by = -1;
	m->role = metric_role(&c->d);
	m->decisive = m->role == ROLE_SOCKETS || m->role == ROLE_SLAB || m->role == ROLE_TW ||
		      (m->role == ROLE_MEMCG && w->p->private_cgroup) || server_decides(&c->d);
	m->after_teardown = NAN;
	m->residual_per_cycle = NAN;
	if (m->role == ROLE_COUNTER) {
		judge_counter(w, c, m);
		return 0;
	}
	err = measure(w, col, 0, &raw);
	if (err == -ENODATA) {
		m->verdict = VERDICT_INCONCLUSIVE;
		m->nothing_seen = true;
		m->residual = m->baseline = m->noise = NAN;
		SAY(m, RS_NO_BASELINE, 0);
		return 0;
	}
	if (err)
		return err;
	if (m->role == ROLE_TW) {
		fill_figures(w, &raw, &raw, m);
		judge_tw(w, c, &raw, m);
		m->moved = m->verdict != VERDICT_CLEAN;
		/* The tw_sock caches are the host's: they speak for the run when its own did. */
		if (desc_is_slab(&c->d) && (!w->tw_moved || c->d.cls == MC_SLAB_PAGES))
			m->decisive = false;
		return 0;
	}
	limits_for(w, c, m->role, &l);
	f = raw;
	k = tw_follow(w, col, &raw, m->role == ROLE_SOCKETS && c->d.unit == UNIT_COUNT);
	if (k > 0 && (err = measure(w, col, k, &f)))
		return err;
	fill_figures(w, &raw, &f, m);
	m->sustained = f.sustained;
	judge_level(w, c, &l, &f, m);
	lag_judge(w, c, &l, &f, m);
	server_judge(w, c, &l, &f, m);
	if (f.drift != 0)
		host_drift(c, &f, m);
	/*
	 * Other tasks moved this cache between one stretch of quiesce and another by more than
	 * half of what the run kept: the host's doing outweighs the run's, it cannot decide.
	 */
	if (m->role != ROLE_SOCKETS && m->verdict == VERDICT_INCONCLUSIVE && !m->nothing_seen &&
	    f.q_range > 0.5 * fabs(f.residual) && f.q_range > 3 * f.noise) {
		m->verdict = VERDICT_INCONCLUSIVE;
		m->decisive = false;
		m->reason.other_tasks = f.q_range / 2;
	}
	if (f.later > 0)
		m->reason.later = f.later;
	if (k > 0) {
		/* What TIME_WAIT explains is BOUNDED; what is left is judged on its own. */
		double thr = fmax(3 * raw.noise, l.min_eff);
		bool raw_grew = fmax(raw.q90, raw.rise_end) > thr;

		if (raw_grew && (m->verdict == VERDICT_CLEAN || m->nothing_seen)) {
			m->verdict = VERDICT_BOUNDED;
			m->nothing_seen = false;
			m->cycles_to_decide = 0;
			m->tw_explained = true;
			m->moved = true;
			m->confidence =
				phi((fmax(raw.q90, raw.rise_end) - thr) / raw.noise + w->z_alpha);
			m->reason = (struct reason_of){ RS_FOLLOWS_TW, { k } };
		} else {
			m->reason.tw_removed = k;
		}
	}
	/*
	 * The host has hundreds of caches; those the sequence does not touch never move. A cache
	 * decides when it moved during churn or kept something: "showed nothing" is the run's
	 * length speaking, and only the run's own socket counts may say that for the run.
	 */
	if (m->role == ROLE_SLAB && !m->moved && (m->nothing_seen || m->verdict == VERDICT_CLEAN))
		m->decisive = false;
	/*
	 * A cache's pages (total_bytes) move by whole slabs, and SLUB keeps empty ones on its
	 * partial lists: the objects and their bytes decide, the pages are shown.
	 */
	if (c->d.cls == MC_SLAB_PAGES)
		m->decisive = false;
	return 0;
}

/* Judges column col into m: the verdict and its reason, decided, then said in words. */
static int judge(struct work *w, int col, struct metric_result *m)
{
	int err = decide(w, col, m);

	reason_text(m->why, sizeof(m->why), &m->reason, w->s->cols[col].d.unit);
	return err;
}

/* Ordering of the metric list: most severe, decisive, then by how far past its noise. */
struct ranked {
	double score;
	struct metric_result m;
};

static const int role_rank[ROLE_COUNT] = {
	[ROLE_SOCKETS] = 0, [ROLE_TW] = 1,   [ROLE_SLAB] = 2,
	[ROLE_MEMCG] = 3,   [ROLE_HOST] = 4, [ROLE_COUNTER] = 5,
};

static int cmp_ranked(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;

	if (a->m.verdict != b->m.verdict)
		return a->m.verdict > b->m.verdict ? -1 : 1;
	if (a->m.decisive != b->m.decisive)
		return a->m.decisive ? -1 : 1;
	/* The run's own sockets first, then TIME_WAIT, caches, memcg, the host's figures. */
	if (role_rank[a->m.role] != role_rank[b->m.role])
		return role_rank[a->m.role] - role_rank[b->m.role];
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return a->m.col - b->m.col;
}

static double score(const struct metric_result *m)
{
	double e;

	if (m->role == ROLE_COUNTER)
		return m->total;
	e = m->verdict == VERDICT_LEAK ? m->residual : m->peak;
	return m->noise > 0 && !isnan(e) ? e / m->noise : 0;
}

static int sort_metrics(struct result *r)
{
	struct ranked *rk = malloc((r->nm ? r->nm : 1) * sizeof(*rk));
	size_t i;

	if (!rk)
		return -ENOMEM;
	for (i = 0; i < r->nm; i++) {
		rk[i].m = r->m[i];
		rk[i].score = score(&r->m[i]);
	}
	qsort(rk, r->nm, sizeof(*rk), cmp_ranked);
	for (i = 0; i < r->nm; i++)
		r->m[i] = rk[i].m;
	free(rk);
	return 0;
}

/* The first analysed column of class cls with all of traits. */
static const struct metric_result *find_m(const struct result *r, const struct series *s,
					  enum metric_class cls, unsigned traits)
{
	size_t j;

	for (j = 0; j < s->ncols; j++)
		if (s->cols[j].d.cls == cls && desc_has(&s->cols[j].d, traits) &&
		    result_metric(r, (int)j))
			return result_metric(r, (int)j);
	return NULL;
}

/* A socket count that is neither one family's part of another nor advisory. */
static bool whole_count(const struct metric_desc *d, unsigned traits)
{
	return d->cls == MC_SOCKETS && desc_has(d, traits) && !desc_has(d, MT_SPLIT) &&
	       !desc_has(d, MT_ADVISORY);
}

/*
 * Leaked sockets per cycle: the client ends of the run's connections (sock_diag) first, else
 * every socket of the netns, else the protocols' counts summed; those count both ends.
 */
static void socket_evidence(struct result *r, const struct series *s,
			    const struct analysis_params *p)
{
	const struct metric_result *m;
	double sum = NAN;
	size_t j;

	r->socket_col = -1;
	r->socket_divisor = 1;
	r->sockets_exact = p->private_netns;
	for (j = 0; j < s->ncols; j++) {
		if (!whole_count(&s->cols[j].d, MT_CLIENT) || !(m = result_metric(r, (int)j)) ||
		    isnan(m->residual_per_cycle))
			continue;
		sum = isnan(sum) ? m->residual_per_cycle : sum + m->residual_per_cycle;
		if (r->socket_col < 0 || m->verdict == VERDICT_LEAK)
			r->socket_col = m->col;
	}
	for (j = 0; r->socket_col < 0 && j < s->ncols; j++) {
		if (!whole_count(&s->cols[j].d, MT_TOTAL) || !(m = result_metric(r, (int)j)) ||
		    isnan(m->residual_per_cycle))
			continue;
		r->socket_col = m->col;
		r->socket_divisor = p->sockets_per_leak > 0 ? p->sockets_per_leak : 1;
		sum = m->residual_per_cycle / r->socket_divisor;
	}
	if (r->socket_col < 0) {
		for (j = 0; j < r->nm; j++) {
			if (!whole_count(&s->cols[r->m[j].col].d, MT_PROTOCOL) ||
			    isnan(r->m[j].residual_per_cycle))
				continue;
			sum = isnan(sum) ? r->m[j].residual_per_cycle :
					   sum + r->m[j].residual_per_cycle;
			if (r->socket_col < 0 || r->m[j].verdict == VERDICT_LEAK)
				r->socket_col = r->m[j].col;
		}
		r->socket_divisor = p->sockets_per_leak > 0 ? p->sockets_per_leak : 1;
		sum /= r->socket_divisor;
	}
	r->leaked_sockets_per_cycle = sum;
	m = find_m(r, s, MC_MEMCG, MT_TOTAL);
	r->memcg_bytes_per_cycle = m ? m->residual_per_cycle : NAN;
}

static int cmp_pool(const void *pa, const void *pb)
{
	const struct pool_row *a = pa, *b = pb;
	double ka = a->verdict == VERDICT_LEAK ? a->bytes_per_cycle : a->peak_bytes;
	double kb = b->verdict == VERDICT_LEAK ? b->bytes_per_cycle : b->peak_bytes;

	if (a->verdict != b->verdict)
		return a->verdict > b->verdict ? -1 : 1;
	if (isnan(ka) != isnan(kb))
		return isnan(ka) ? 1 : -1;
	return ka > kb ? -1 : (ka < kb ? 1 : strcmp(a->cache, b->cache));
}

static bool has_bytes(const struct series *s, const char *cache)
{
	return series_find_object(s, MC_SLAB_BYTES, cache) >= 0;
}

/* The pool-tag table: every slab cache that moved, its objs and bytes judged together. */
static int pool_evidence(struct result *r, const struct series *s)
{
	size_t i, j;

	r->pools = calloc(r->nm ? r->nm : 1, sizeof(*r->pools));
	if (!r->pools)
		return -ENOMEM;
	for (i = 0; i < r->nm; i++) {
		const struct metric_result *m = &r->m[i];
		const struct metric_desc *d = &s->cols[m->col].d;
		struct pool_row *pr = NULL;
		const char *cache = d->object;

		if ((m->role != ROLE_SLAB && m->role != ROLE_TW) || !desc_is_slab(d) || !cache ||
		    strlen(cache) >= sizeof(pr->cache))
			continue;
		for (j = 0; j < r->npools && !pr; j++)
			if (!strcmp(r->pools[j].cache, cache))
				pr = &r->pools[j];
		if (!pr) {
			pr = &r->pools[r->npools++];
			snprintf(pr->cache, sizeof(pr->cache), "%s", cache);
			pr->objs_col = pr->bytes_col = -1;
			pr->objs_per_cycle = pr->bytes_per_cycle = NAN;
			pr->peak_objs = pr->peak_bytes = NAN;
			pr->verdict = VERDICT_CLEAN;
		}
		if (d->cls == MC_SLAB_OBJS) {
			pr->objs_col = m->col;
			pr->objs_per_cycle = m->residual_per_cycle;
			pr->peak_objs = m->peak;
		} else if (d->cls == MC_SLAB_BYTES || !has_bytes(s, cache)) {
			pr->bytes_col = m->col;
			pr->bytes_per_cycle = m->residual_per_cycle;
			pr->peak_bytes = m->peak;
		}
		/* The pages are shown with their cache, the objects and their bytes judge it. */
		if (m->nothing_seen || (d->cls == MC_SLAB_PAGES && has_bytes(s, cache)))
			continue;
		if (m->verdict > pr->verdict) {
			pr->verdict = m->verdict;
			pr->confidence = m->confidence;
		} else if (m->verdict == pr->verdict && m->confidence > pr->confidence) {
			pr->confidence = m->confidence;
		}
	}
	/* Keep the caches with something to say. */
	for (i = j = 0; i < r->npools; i++)
		if (r->pools[i].verdict != VERDICT_CLEAN)
			r->pools[j++] = r->pools[i];
	r->npools = j;
	qsort(r->pools, r->npools, sizeof(*r->pools), cmp_pool);
	for (i = 0; i < r->npools; i++) {
		if (r->pools[i].verdict != VERDICT_LEAK)
			continue;
		r->leak_caches++;
		if (!isnan(r->pools[i].bytes_per_cycle))
			r->leaked_bytes_per_cycle += r->pools[i].bytes_per_cycle;
	}
	return 0;
}

/*
 * Whether a metric's verdict enters the overall one (see the rule at the top). A metric that
 * showed nothing for want of cycles makes the run INCONCLUSIVE only if it is one of the run's
 * own socket counts.
 */
static bool enters_overall(const struct series *s, const struct analysis_params *p,
			   const struct metric_result *m)
{
	if (!m->decisive)
		return false;
	/* With a namespace per cycle, the run's own socket counts never saw its sockets. */
	if (m->verdict == VERDICT_INCONCLUSIVE && m->nothing_seen &&
	    (m->role != ROLE_SOCKETS || s->cols[m->col].d.unit != UNIT_COUNT || p->netns_per_cycle))
		return false;
	return true;
}

/* Decided first, the metric that made the verdict the very first; then those that spoke. */
static int group(const struct result *r, const struct metric_result *m)
{
	if (m->decided)
		return m->col == r->verdict_col ? 0 : 1;
	return metric_spoke(m) ? 2 : 3;
}

/* Stable: within a group, the order sort_metrics gave. */
static int regroup(struct result *r)
{
	struct metric_result *out = malloc((r->nm ? r->nm : 1) * sizeof(*out));
	size_t i, n = 0;
	int g;

	if (!out)
		return -ENOMEM;
	for (g = 0; g < 4; g++)
		for (i = 0; i < r->nm; i++)
			if (group(r, &r->m[i]) == g)
				out[n++] = r->m[i];
	free(r->m);
	r->m = out;
	return 0;
}

static void overall(struct result *r, const struct series *s, const struct analysis_params *p)
{
	const char **names = calloc(r->nm + 1, sizeof(*names));
	size_t i, n = 0, k;

	r->verdict = VERDICT_CLEAN;
	r->verdict_col = -1;
	for (i = 0; i < r->nm; i++) {
		const struct metric_result *m = &r->m[i];

		if (m->role != ROLE_COUNTER) {
			r->ndecisive += m->decisive;
			r->nclean += m->verdict == VERDICT_CLEAN;
			if (m->nothing_seen) {
				r->nunseen++;
				r->unseen_cycles = fmax(r->unseen_cycles, m->cycles_to_decide);
			}
		}
		if (!enters_overall(s, p, m))
			continue;
		if (m->verdict > r->verdict)
			r->verdict = m->verdict;
		if (m->verdict == VERDICT_INCONCLUSIVE && m->cycles_to_decide > r->cycles_to_decide)
			r->cycles_to_decide = m->cycles_to_decide;
	}
	if (r->verdict != VERDICT_INCONCLUSIVE)
		r->cycles_to_decide = 0;
	/* A length that would decide is more cycles than ran, or none: the reason says why. */
	r->no_length = r->verdict == VERDICT_INCONCLUSIVE && !(r->cycles_to_decide > r->cycles);
	if (r->no_length)
		r->cycles_to_decide = 0;
	if (r->verdict == VERDICT_CLEAN)
		goto say;
	/*
	 * The list is worst first: the socket count the leak rate comes from, then metrics that
	 * were seen to move, then those that showed nothing; tcp4/tcp6 only split tcp by family.
	 */
	for (k = 0; k < 3; k++) {
		for (i = 0; i < r->nm; i++) {
			struct metric_result *m = &r->m[i];
			const char *name = s->cols[m->col].name;

			if (!enters_overall(s, p, m) || m->verdict != r->verdict ||
			    (k == 0) != (m->col == r->socket_col) ||
			    (k > 0 && m->nothing_seen != (k == 2)))
				continue;
			if (desc_has(&s->cols[m->col].d, MT_SPLIT))
				continue;
			if (r->verdict_col < 0)
				r->verdict_col = m->col;
			m->decided = true;
			if (names)
				names[n++] = name;
		}
	}
say:
	for (i = 0; r->verdict_col >= 0 && i < r->nm; i++)
		if (r->m[i].col == r->verdict_col)
			r->reason = r->m[i].reason;
	/* The words are reason.c's: which metrics made it is decided here. */
	reason_overall(r->why, sizeof(r->why), verdict_name(r->verdict),
		       r->verdict == VERDICT_CLEAN, r->ndecisive, names, n);
	if (r->verdict == VERDICT_LEAK)
		snprintf(r->leak_kind, sizeof(r->leak_kind), "%s",
			 r->reason.code == RS_CHARGE_KEPT ||
					 r->reason.code == RS_CHARGE_KEPT_NO_RSV ?
				 "charge not returned" :
				 "memory");
	/* Which figure decided a leak, and why: the one the rate per cycle comes from. */
	if (r->verdict == VERDICT_LEAK && r->verdict_col >= 0) {
		char d[160];
		size_t len = strlen(r->why);

		reason_decided(d, sizeof(d), s->cols[r->verdict_col].name, &r->reason);
		if (len + strlen(d) + 3 < sizeof(r->why))
			snprintf(r->why + len, sizeof(r->why) - len, "; %s", d);
	}
	free(names);
}

/*
 * The fewest sockets one of the run's own socket counts (exact) kept as a LEAK (0: none), and the
 * families those counts are of.
 */
static double sockets_leaked(const struct result *r, const struct series *s,
			     const struct analysis_params *p, unsigned *families)
{
	double n = 0;
	size_t i;

	*families = 0;
	for (i = 0; p->private_netns && i < r->nm; i++) {
		const struct metric_result *m = &r->m[i];

		if (m->role != ROLE_SOCKETS || m->verdict != VERDICT_LEAK ||
		    s->cols[m->col].d.unit != UNIT_COUNT || !(m->residual > 0))
			continue;
		n = n > 0 ? fmin(n, m->residual) : m->residual;
		*families |= s->cols[m->col].d.families;
	}
	return n;
}

/* The families a socket count is of: every family for a total. */
static unsigned count_families(const struct metric_desc *d)
{
	return desc_has(d, MT_TOTAL) ? (1u << FAM_NAMES) - 1 : d->families;
}

/* m is the run's sockets' to judge (overrule_covered): CLEAN, no longer deciding. */
static void cover(struct metric_result *m, const struct metric_desc *d)
{
	m->verdict = VERDICT_CLEAN;
	m->decisive = false;
	m->cycles_to_decide = 0;
	m->confidence = 0.9;
	m->reason = (struct reason_of){ RS_COVERED, { m->residual }, .drift = m->drift };
	reason_text(m->why, sizeof(m->why), &m->reason, d->unit);
}

/* The objects column of the slab cache that d (its bytes or pages) is a figure of; NULL. */
static const struct metric_result *objects_of(const struct result *r, const struct series *s,
					      const struct metric_desc *d)
{
	size_t i;

	for (i = 0; d->object && i < r->nm; i++) {
		const struct metric_desc *o = &s->cols[r->m[i].col].d;

		if (o->cls == MC_SLAB_OBJS && o->object && !strcmp(o->object, d->object) &&
		    o->source && d->source && !strcmp(o->source, d->source))
			return &r->m[i];
	}
	return NULL;
}

/*
 * The run's own socket counts, exact in its netns, overrule the host-wide slab caches they cover
 * (desc_covered_by_sockets): when every one of a family's counts came back to where it started,
 * what a cache of those sockets kept (INCONCLUSIVE, or a plateau kept) is not the run's sockets,
 * and the exact count decides in its place. A cache that rose steadily with cycles keeps its
 * verdict: objects the socket counts no longer see (a reference leaked after close) are a leak
 * too. Caches no count covers (dentry, filp, merged ones) are judged on their own.
 */
static void overrule_covered(struct result *r, const struct series *s,
			     const struct analysis_params *p)
{
	unsigned back = 0, kept = 0;
	int by[FAM_NAMES] = { -1, -1, -1, -1 };
	size_t i, b;

	if (!p->private_netns || p->netns_per_cycle)
		return;
	for (i = 0; i < r->nm; i++) {
		const struct metric_result *m = &r->m[i];
		const struct metric_desc *d = &s->cols[m->col].d;
		unsigned fam = count_families(d);

		if (m->role != ROLE_SOCKETS || d->cls != MC_SOCKETS || d->unit != UNIT_COUNT ||
		    !desc_has(d, MT_NETNS) || desc_has(d, MT_ADVISORY) || desc_has(d, MT_SPLIT) ||
		    !fam)
			continue;
		if (m->verdict == VERDICT_LEAK || m->verdict == VERDICT_BACKLOG ||
		    !(fabs(m->residual) < 0.5)) {
			kept |= fam;
			continue;
		}
		back |= fam;
		for (b = 0; b < FAM_NAMES; b++)
			if ((fam & (1u << b)) && (by[b] < 0 || !desc_has(d, MT_TOTAL)))
				by[b] = m->col;
	}
	back &= ~kept;
	for (i = 0; back && i < r->nm; i++) {
		struct metric_result *m = &r->m[i];
		const struct metric_desc *d = &s->cols[m->col].d;

		if (m->role != ROLE_SLAB || m->sustained || !desc_covered_by_sockets(d, back) ||
		    !((m->verdict == VERDICT_INCONCLUSIVE && !m->nothing_seen) ||
		      m->reason.code == RS_PLATEAU_KEPT))
			continue;
		for (b = 0; b < FAM_NAMES && m->covered_by < 0; b++)
			if ((d->families ? d->families : back) & (1u << b))
				m->covered_by = by[b];
		cover(m, d);
	}
	/*
	 * A cache's pages follow its objects: with those covered, pages that rose with cycles are
	 * slabs the cache kept for other tasks' objects (or half-empty ones), not a leak of the run.
	 */
	for (i = 0; back && i < r->nm; i++) {
		struct metric_result *m = &r->m[i];
		const struct metric_desc *d = &s->cols[m->col].d;
		const struct metric_result *o;

		if (d->cls != MC_SLAB_PAGES || m->decisive || m->verdict != VERDICT_LEAK ||
		    !(o = objects_of(r, s, d)) || o->reason.code != RS_COVERED)
			continue;
		m->covered_by = o->covered_by;
		cover(m, d);
	}
}

/* Whether a memory figure the charge counter of column col stands for was judged a LEAK. */
static bool charged_memory_kept(const struct result *r, const struct series *s, int col)
{
	size_t i;

	for (i = 0; i < r->nm; i++)
		if (r->m[i].verdict == VERDICT_LEAK &&
		    desc_charge_stands_for(&s->cols[col].d, &s->cols[r->m[i].col].d))
			return true;
	return false;
}

/*
 * Charge counters (MT_CHARGE): a charge kept above what per-CPU reserves hold, that rose steadily
 * with cycles (a steady LEAK of judge_level) while the memory it stands for came back (none of
 * those figures a LEAK), is a leak of accounting: "charge not returned", and it decides. One
 * that kept no more than the reserves hold says so with the reserve's figures.
 */
static void charge_evidence(struct result *r, const struct series *s,
			    const struct analysis_params *p)
{
	size_t i;

	for (i = 0; i < r->nm; i++) {
		struct metric_result *m = &r->m[i];
		const struct metric_desc *d = &s->cols[m->col].d;
		double rsv = charge_reserve(p, d->unit);

		if (!desc_has(d, MT_CHARGE))
			continue;
		if (m->verdict != VERDICT_LEAK && rsv > 0 && m->residual <= rsv &&
		    (m->reason.code == RS_KEPT_PERCPU ||
		     (m->residual > 3 * m->noise && m->residual > 3 * m->residual_sd))) {
			/* Kept, but no more than the reserves hold: bounded by them. */
			if (m->verdict != VERDICT_BOUNDED)
				m->confidence = 0.9;
			m->verdict = VERDICT_BOUNDED;
			m->nothing_seen = false;
			m->cycles_to_decide = 0;
			m->moved = true;
			SAY(m, RS_CHARGE_RESERVE, fmax(m->peak, m->residual), m->residual,
			    p->mem_pcpu_rsv, p->cpus);
		} else if (m->verdict == VERDICT_LEAK && m->reason.code == RS_LEAK_STEADY &&
			   m->residual > rsv && !charged_memory_kept(r, s, m->col)) {
			m->reason.code =
				p->mem_pcpu_rsv == -1 ? RS_CHARGE_KEPT_NO_RSV : RS_CHARGE_KEPT;
			m->reason.fig[2] = rsv;
			m->decisive = true;
		} else {
			continue;
		}
		reason_text(m->why, sizeof(m->why), &m->reason, d->unit);
	}
}

/* The host-wide figure with the most host drift taken off (against its noise), and how many. */
static void drift_evidence(struct result *r)
{
	double best = 0;
	size_t i;

	r->drift_col = -1;
	for (i = 0; i < r->nm; i++) {
		const struct metric_result *m = &r->m[i];
		double z = m->noise > 0 ? fabs(m->drift) / m->noise : 0;

		if (m->drift == 0 || m->role == ROLE_COUNTER)
			continue;
		r->ndrift++;
		if (r->drift_col < 0 || z > best) {
			r->drift_col = m->col;
			best = z;
		}
	}
}

/* TIME_WAIT's limits, from the counters that say which one was met. */
static void tw_evidence(struct result *r, const struct series *s, const struct work *w)
{
	const struct metric_result *m;

	r->tw_capped = w->tw_capped;
	r->tw_cap = w->tw_capped ? w->tw_cap : 0;
	m = find_m(r, s, MC_TW_RECYCLED, 0);
	r->tw_recycled = m ? m->total : NAN;
	m = find_m(r, s, MC_TW_OVERFLOW, 0);
	r->tw_overflow = m ? m->total : NAN;
}

int analyse(const struct series *s, const struct analysis_params *p, struct result *r)
{
	struct work w;
	size_t i;
	int err;

	memset(r, 0, sizeof(*r));
	r->leaked_sockets_per_cycle = r->memcg_bytes_per_cycle = NAN;
	r->tw_recycled = r->tw_overflow = NAN;
	r->socket_col = r->verdict_col = r->drift_col = -1;
	if ((err = work_init(&w, s, p)))
		return err;
	r->m = calloc(s->ncols ? s->ncols : 1, sizeof(*r->m));
	if (!r->m) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < s->ncols; i++) {
		if (s->cols[i].d.kind == MK_COST)
			continue;
		if ((err = judge(&w, (int)i, &r->m[r->nm])))
			goto out;
		r->nm++;
	}
	/* The run's own sockets leaked: the caches that hold sockets are judged again with that. */
	if ((w.leaked_sockets = sockets_leaked(r, s, p, &w.leaked_families)) > 0) {
		w.sockets_leaked = true;
		for (i = 0; i < r->nm; i++)
			if (r->m[i].role == ROLE_SLAB &&
			    desc_holds_sockets(&s->cols[r->m[i].col].d, w.leaked_families) &&
			    (err = judge(&w, r->m[i].col, &r->m[i])))
				goto out;
	}
	r->cycles = (uint64_t)llround(w.ph.cycles);
	r->churn_seconds = w.ph.churn_seconds;
	r->quiesce_seconds = w.ph.quiesce_seconds;
	r->injected_per_cycle = p->injected_per_cycle;
	if (w.tw_known) {
		r->tw_peak = w.tw_moved ? w.tw_peak : 0;
		r->tw_pending =
			w.tw_tail > 3 * w.tw_noise && w.tw_tail >= p->min_count ? w.tw_tail : 0;
		r->tw_purged = r->tw_pending > 0 && p->tw_purged;
		r->tw_short_quiesce =
			r->tw_pending > 0 && !r->tw_purged && w.ph.quiesce_seconds < p->tw_seconds;
	}
	overrule_covered(r, s, p);
	charge_evidence(r, s, p);
	drift_evidence(r);
	if ((err = sort_metrics(r)))
		goto out;
	tw_evidence(r, s, &w);
	socket_evidence(r, s, p);
	server_evidence(r, s, p);
	if ((err = pool_evidence(r, s)))
		goto out;
	overall(r, s, p);
	if ((err = regroup(r)))
		goto out;
	r->quiesce_stable = analysis_settled(s, p, NULL, 0);
out:
	work_free(&w);
	if (err)
		result_free(r);
	return err;
}
