/* The user's server's figures: its CLOSE_WAIT named, a leak its fd limit capped, its RSS's hold. */
#include "analysis/server.h"

#include <math.h>
#include <string.h>

#define RSS_MIN_RISE (1 << 20) /* bytes of RSS a rise must pass to be growth */

/* The server's resident memory: a level in bytes of its processes, not advisory. */
static bool is_rss(const struct metric_desc *d)
{
	return desc_has(d, MT_SERVER) && d->cls == MC_OTHER && d->unit == UNIT_BYTES &&
	       d->kind == MK_LEVEL && !desc_has(d, MT_ADVISORY);
}

/* Its fds: the total (whole) or one type's (part). */
static bool is_fds(const struct metric_desc *d)
{
	return desc_has(d, MT_SERVER) && d->cls == MC_FDS;
}

/* A state of the sockets on its side of the port. */
static bool is_state(const struct metric_desc *d, const char *state)
{
	return desc_has(d, MT_SERVER) && d->cls == MC_STATE && d->object &&
	       !strcmp(d->object, state);
}

bool server_decides(const struct metric_desc *d)
{
	return is_rss(d);
}

/*
 * Its resident memory is not jittery by megabytes as per-CPU caches are: a rise past a MiB is
 * growth, but what it keeps must clear what allocators hold to be a leak's evidence.
 */
void server_limits(const struct work *w, const struct series_col *c, struct limits *l)
{
	if (!is_rss(&c->d))
		return;
	l->hold = fmax(l->hold, w->p->alloc_hold_bytes);
	l->min_eff = fmin(l->hold, RSS_MIN_RISE);
	l->percpu = false;
}

/* The highest level the server's fds (all of them) reached while the loop ran; NAN. */
static double fds_top(const struct work *w)
{
	const struct series *s = w->s;
	double top = NAN, v;
	size_t j, r;

	for (j = 0; j < s->ncols; j++) {
		if (!is_fds(&s->cols[j].d) || desc_has(&s->cols[j].d, MT_PART))
			continue;
		for (r = w->ph.c0; r < w->ph.c1 && r < s->nrows; r++)
			if (!isnan(v = s->cols[j].v[r]) && !(v <= top))
				top = v;
		break;
	}
	return top;
}

/* Per cycle until the column came within a tenth of its top: the leak's rate before the cap. */
static double rate_to_cap(const struct work *w, int col, double base, double top)
{
	const struct series *s = w->s;
	size_t r;
	double v;

	for (r = w->ph.c0; r < w->ph.c1 && r < s->nrows; r++) {
		v = s->cols[col].v[r];
		if (!isnan(v) && v - base >= 0.9 * (top - base) &&
		    s->cycles[r] > s->cycles[w->ph.c0])
			return (v - base) / (double)(s->cycles[r] - s->cycles[w->ph.c0]);
	}
	return NAN;
}

void server_judge(const struct work *w, const struct series_col *c, const struct limits *l,
		  const struct figures *f, struct metric_result *m)
{
	double thr = fmax(fmax(3 * f->noise, l->min_eff), l->hold), limit = w->p->server_fd_limit;
	double top, rate, r = f->residual;
	bool held = !isnan(r) && r > thr, flat_end;

	if (is_rss(&c->d)) {
		/* Its hold is the allocators', not per-CPU caches'. */
		if (m->reason.code == RS_KEPT_UNDER_MIN)
			m->reason.code = RS_ALLOC_HOLD;
		else if (m->reason.code == RS_UNSEEN_NOISE && l->hold > 3 * f->noise)
			m->reason = (struct reason_of){ RS_UNSEEN_ALLOC,
							{ m->reason.fig[1], l->hold,
							  m->reason.fig[2], m->reason.fig[3] } };
		return;
	}
	if (!is_fds(&c->d) && !is_state(&c->d, "CLOSE_WAIT"))
		return;
	/* Reached the limit and stayed: the plateau is the limit, not the leak's end. */
	top = fds_top(w);
	flat_end = f->have_late && f->late.hi * f->dx_late < 0.2 * fmax(f->rise_end, f->noise);
	if (held && limit > 0 && top >= 0.9 * limit && flat_end &&
	    m->verdict != VERDICT_INCONCLUSIVE) {
		rate = rate_to_cap(w, m->col, f->base, f->base + fmax(f->peak, f->rise_end));
		m->verdict = VERDICT_LEAK;
		m->confidence = fmax(m->confidence, 0.95);
		m->moved = true;
		m->reason = (struct reason_of){ RS_FD_CAPPED, { r, limit, rate } };
		if (is_state(&c->d, "CLOSE_WAIT"))
			m->reason = (struct reason_of){ RS_SERVER_NEVER_CLOSES, { r, rate } };
		return;
	}
	if (m->verdict == VERDICT_LEAK && is_state(&c->d, "CLOSE_WAIT"))
		m->reason = (struct reason_of){ RS_SERVER_NEVER_CLOSES, { r, r / w->ph.cycles } };
}

/* Per cycle: what a capped leak grew by until its cap, else its residual's rate. */
static double per_cycle(const struct metric_result *m)
{
	if (!m)
		return NAN;
	if (m->reason.code == RS_FD_CAPPED)
		return m->reason.fig[2];
	if (m->reason.code == RS_SERVER_NEVER_CLOSES)
		return m->reason.fig[1];
	return m->residual_per_cycle;
}

void server_evidence(struct result *r, const struct series *s, const struct analysis_params *p)
{
	struct server_figs *sv = &r->server;
	const struct metric_result *m;
	size_t j;

	memset(sv, 0, sizeof(*sv));
	sv->fds_col = sv->close_wait_col = sv->rss_col = -1;
	sv->fds_per_cycle = sv->close_wait_per_cycle = sv->rss_per_cycle = NAN;
	for (j = 0; j < s->ncols; j++) {
		const struct metric_desc *d = &s->cols[j].d;

		if (!result_metric(r, (int)j))
			continue;
		if (is_fds(d) && !desc_has(d, MT_PART) && sv->fds_col < 0)
			sv->fds_col = (int)j;
		else if (is_state(d, "CLOSE_WAIT") && sv->close_wait_col < 0)
			sv->close_wait_col = (int)j;
		else if (is_rss(d) && sv->rss_col < 0)
			sv->rss_col = (int)j;
	}
	sv->watched = sv->fds_col >= 0 || sv->rss_col >= 0;
	if (!sv->watched)
		return;
	sv->exact = p->private_netns;
	sv->joined = p->server_netns;
	sv->fd_limit = p->server_fd_limit;
	sv->alloc_hold = p->alloc_hold_bytes;
	m = result_metric(r, sv->fds_col);
	sv->fds_per_cycle = per_cycle(m);
	sv->capped = m && m->reason.code == RS_FD_CAPPED;
	m = result_metric(r, sv->close_wait_col);
	sv->close_wait_per_cycle = per_cycle(m);
	sv->never_closes = m && m->reason.code == RS_SERVER_NEVER_CLOSES;
	m = result_metric(r, sv->rss_col);
	sv->rss_per_cycle = per_cycle(m);
	sv->rss_in_hold = m && m->reason.code == RS_ALLOC_HOLD;
}
