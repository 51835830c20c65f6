/* The quiesce stop rule: has everything that moved during churn settled, against its own noise? */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "analysis/analysis.h"
#include "analysis/measure.h"
#include "common.h"
#include "model/amount.h"

static bool say(char *why, size_t len, const char *fmt, ...) SL_PRINTF(3, 4);

static bool say(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return false;
}

/*
 * Only metrics that can decide must settle: whole-host figures on a busy machine may never be
 * still, and waiting for them would only ever end at the maximum.
 */
static bool must_settle(const struct series_col *c, const struct analysis_params *p)
{
	enum metric_role role = metric_role(&c->d);

	return role == ROLE_SOCKETS || role == ROLE_SLAB ||
	       (role == ROLE_MEMCG && p->private_cgroup);
}

/* Did col leave its baseline band during churn? At most 512 rows looked at. */
static bool moved(const struct work *w, const struct series_col *c, double base, double thr)
{
	size_t n = w->ph.c1 - w->ph.c0, step = n > 512 ? n / 512 : 1, r, hits = 0;
	double sign = desc_sign(&c->d);

	for (r = w->ph.c0; r < w->ph.c1 && hits < 3; r += step)
		if (sign * (c->v[r] - base) > thr)
			hits++;
	return hits >= 3;
}

/*
 * TIME_WAIT sockets are flat for 60 s and then go: flat is not settled while they remain, unless
 * the netns they are in goes at teardown and takes them with it (p->tw_purged).
 */
static bool tw_waiting(const struct work *w, const struct analysis_params *p, char *why,
		       size_t why_len)
{
	if (p->tw_purged || !w->tw_moved)
		return false;
	if (w->tw_tail > 3 * w->tw_noise && w->tw_tail >= p->min_count)
		return !say(why, why_len, "%.0f TIME_WAIT sockets still to expire", w->tw_tail);
	if (w->tw_tail_change < -fmax(3 * w->tw_noise, p->min_count))
		return !say(why, why_len,
			    "TIME_WAIT sockets still expiring (%.0f over the last %.0f s)",
			    w->tw_tail_change, p->settle_seconds);
	return false;
}

bool analysis_settled(const struct series *s, const struct analysis_params *p, char *why,
		      size_t why_len)
{
	const struct phase_mark *q = series_phase(s, PHASE_QUIESCE);
	struct work w;
	size_t i;
	bool ok = true;

	if (!q)
		return say(why, why_len, "not quiescing");
	if (work_init(&w, s, p))
		return say(why, why_len, "out of memory");
	/* Quiesce's own length (to teardown's mark, if any), as the phases table gives it. */
	if (w.ph.quiesce_seconds < p->settle_seconds) {
		ok = say(why, why_len,
			 "%.1f s of quiesce is too short to tell: settling is judged over its "
			 "last %.0f s",
			 w.ph.quiesce_seconds, p->settle_seconds);
		goto out;
	}
	if (w.ph.q1 - w.ph.q0 < 5) {
		ok = say(why, why_len, "too few quiesce samples");
		goto out;
	}

	if (tw_waiting(&w, p, why, why_len)) {
		ok = false;
		goto out;
	}

	/* The verdict's own figures over the same tail rows: the two cannot disagree. */
	for (i = 0; i < s->ncols && ok; i++) {
		const struct series_col *c = &s->cols[i];
		struct figures f;
		struct limits l;
		double base, noise;
		size_t n;

		if (c->d.kind != MK_LEVEL || desc_has(&c->d, MT_TIME_WAIT) ||
		    (c->d.cls == MC_SLAB_PAGES) || !must_settle(c, p))
			continue;
		limits_for(&w, c, metric_role(&c->d), &l);
		n = st_finite(c->v + w.ph.b0, w.ph.b1 - w.ph.b0, w.a);
		if (n < 3)
			continue;
		/* A cheap look first: most of the host's caches never moved. */
		noise = fmax(st_mad_sigma(w.a, n, &base), c->d.unit == UNIT_COUNT ? 0.29 : 1);
		if (!moved(&w, c, base, fmax(3 * noise, l.min_eff)))
			continue;
		if (measure_level(&w, (int)i, 0, &f) || !f.nt)
			continue;
		if (tail_moving(&f, &l) && !host_rising(c, &l, &f)) {
			char a[48];

			ok = say(why, why_len, "%s still %s (%s over the last %.0f s)", c->name,
				 f.tail_change > 0 ? "rising" : "falling",
				 amount(a, sizeof(a), desc_sign(&c->d) * f.tail_change, c->d.unit,
					AMT_PLAIN | AMT_SIGN),
				 p->settle_seconds);
		}
	}
out:
	work_free(&w);
	return ok;
}
