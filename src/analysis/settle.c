/* The quiesce stop rule: has everything that moved during churn settled, against its own noise? */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "analysis/analysis.h"
#include "analysis/measure.h"

static bool say(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

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

/* The quiesce rows of the last settle_seconds, at least 4 of them; false when there are not. */
static bool window(const struct series *s, const struct phases *ph, double seconds, size_t *w0)
{
	size_t r = ph->q1;

	if (ph->q1 - ph->q0 < 4)
		return false;
	while (r > ph->q0 && s->t[r - 1] >= s->t[ph->q1 - 1] - seconds)
		r--;
	if (ph->q1 - r < 4)
		r = ph->q1 - 4;
	*w0 = r;
	return true;
}

/*
 * Only metrics that can decide must settle: whole-host figures on a busy machine may never be
 * still, and waiting for them would only ever end at the maximum.
 */
static bool must_settle(const struct series_col *c, const struct analysis_params *p)
{
	enum metric_role role = metric_role(c);

	return role == ROLE_SOCKETS || role == ROLE_SLAB ||
	       (role == ROLE_MEMCG && p->private_cgroup);
}

/* Baseline level and noise of col, the cheap way: its median, MAD and jitter. */
static bool base_noise(struct work *w, const struct series_col *c, double *base, double *noise)
{
	size_t n = st_finite(c->v + w->ph.b0, w->ph.b1 - w->ph.b0, w->a);
	double jit;

	if (n < 3)
		return false;
	jit = st_jitter_sigma(w->a, n, w->b);
	*noise = st_mad_sigma(w->a, n, base);
	*noise = fmax(*noise, jit);
	*noise = fmax(*noise, c->unit == UNIT_COUNT ? 0.29 : fmax(1, 1e-9 * fabs(*base)));
	return true;
}

/* Did col leave its baseline band during churn? At most 512 rows looked at. */
static bool moved(const struct work *w, const struct series_col *c, double base, double thr)
{
	size_t n = w->ph.c1 - w->ph.c0, step = n > 512 ? n / 512 : 1, r, hits = 0;
	double sign = metric_sign(c->name);

	for (r = w->ph.c0; r < w->ph.c1 && hits < 3; r += step)
		if (sign * (c->v[r] - base) > thr)
			hits++;
	return hits >= 3;
}

bool analysis_settled(const struct series *s, const struct analysis_params *p, char *why,
		      size_t why_len)
{
	const struct phase_mark *q = series_phase(s, PHASE_QUIESCE);
	struct work w;
	size_t i, w0, n, r, m;
	bool ok = true;

	if (!q)
		return say(why, why_len, "not quiescing");
	if (s->last_t - q->t < p->settle_seconds)
		return say(why, why_len, "quiesce shorter than %.0f s", p->settle_seconds);
	if (work_init(&w, s, p))
		return say(why, why_len, "out of memory");
	if (!window(s, &w.ph, p->settle_seconds, &w0)) {
		ok = say(why, why_len, "too few quiesce samples");
		goto out;
	}

	/* TIME_WAIT sockets are flat for 60 s and then go: flat is not settled while they remain. */
	if (w.tw_moved) {
		n = st_finite(w.tw + w0, w.ph.q1 - w0, w.a);
		if (n) {
			double pending = st_median(w.a, n) - w.tw_base;

			if (pending > 3 * w.tw_noise && pending >= p->min_count) {
				ok = say(why, why_len, "%.0f TIME_WAIT sockets still to expire",
					 pending);
				goto out;
			}
		}
	}

	for (i = 0; i < s->ncols && ok; i++) {
		const struct series_col *c = &s->cols[i];
		double base, noise, thr, sign = metric_sign(c->name), change, limit;
		struct st_trend t;
		struct limits l;

		if (c->kind != MK_LEVEL || metric_is_tw(c->name) || !must_settle(c, p))
			continue;
		/* The analysis' own effect sizes: what it would not call growth need not settle. */
		limits_for(&w, c, metric_role(c), &l);
		if (!base_noise(&w, c, &base, &noise))
			continue;
		thr = fmax(3 * noise, l.min_eff);
		if (!moved(&w, c, base, thr))
			continue;
		for (r = w0, n = 0; r < w.ph.q1; r++) {
			if (isnan(c->v[r]))
				continue;
			w.b[n] = s->t[r];
			w.a[n++] = sign * c->v[r];
		}
		m = n < p->max_fit_points ? n : p->max_fit_points;
		if (m < 4)
			continue;
		for (r = 0; r < m; r++) {
			w.x[r] = w.b[r * (n - 1) / (m - 1)];
			w.y[r] = w.a[r * (n - 1) / (m - 1)];
		}
		if (st_trend(w.x, w.y, m, 0.95, w.fit, &t))
			continue;
		/* Stable: the change the trend makes over the window is within the noise. */
		change = t.slope * (w.x[m - 1] - w.x[0]);
		limit = fmax(2 * fmax(noise, st_jitter_sigma(w.a, n, w.c)), l.min_eff / 2);
		if (fabs(change) > limit)
			ok = say(why, why_len, "%s still %s (%+.3g over %.1f s)", c->name,
				 sign * change > 0 ? "rising" : "falling", sign * change,
				 w.x[m - 1] - w.x[0]);
	}
out:
	work_free(&w);
	return ok;
}
