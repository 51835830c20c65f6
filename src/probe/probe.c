/* The probe set: opens every probe of the platform's registry (per-netns ones inside the run's
 * netns), samples within each one's budget, closes. */
#include "probe/probe.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

int probe_off(struct probe *p, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->why, sizeof(p->why), fmt, ap);
	va_end(ap);
	return err < 0 ? err : -EINVAL;
}

static void open_one(struct probe *p, const struct probe_ops *ops, const struct probe_ctx *ctx,
		     struct series *s)
{
	char name[96];

	memset(p, 0, sizeof(*p));
	p->ops = ops;
	p->cost_col = -1;
	if (ops->applies && !ops->applies(ctx)) {
		p->unasked = true;
		snprintf(p->why, sizeof(p->why), "nothing to watch in this run");
		return;
	}
	if (ops->open(p, ctx, s) < 0) {
		if (!p->why[0])
			snprintf(p->why, sizeof(p->why), "not available");
		return;
	}
	p->on = true;
	snprintf(name, sizeof(name), "probe.%s.us", ops->name);
	p->cost_col = series_add(s, name,
				 &(struct metric_desc){ .kind = MK_COST,
							.unit = UNIT_USEC,
							.cls = MC_COST,
							.source = "probe",
							.object = ops->name });
}

int probes_open(struct probe_set *ps, const struct probe_ctx *ctx, struct series *s, bool quiet)
{
	int home = -1, err = 0;
	size_t i;

	memset(ps, 0, sizeof(*ps));
	ps->quiet = quiet;
	for (i = 0; i < PROBE_COUNT; i++)
		if (!probe_registry[i]->per_netns)
			open_one(&ps->p[i], probe_registry[i], ctx, s);
	err = probe_netns_enter(ctx->netns_fd, &home);
	if (err) {
		/* Host-wide figures still tell something: only the per-netns probes are off. */
		for (i = 0; i < PROBE_COUNT; i++)
			if (probe_registry[i]->per_netns) {
				ps->p[i].ops = probe_registry[i];
				ps->p[i].cost_col = -1;
				snprintf(ps->p[i].why, sizeof(ps->p[i].why),
					 "cannot enter the network namespace: %s%s", strerror(-err),
					 sl_is_root() ? "" : " (needs root)");
			}
		goto report;
	}
	for (i = 0; i < PROBE_COUNT; i++)
		if (probe_registry[i]->per_netns)
			open_one(&ps->p[i], probe_registry[i], ctx, s);
	probe_netns_leave(home);
report:
	/* Opening read each source once: that is not a sample. */
	for (i = 0; i < s->ncols; i++)
		s->row[i] = NAN;
	for (i = 0; i < PROBE_COUNT; i++)
		if (!ps->p[i].on && !quiet && !ps->p[i].unasked)
			sl_err("%s probe off: %s", ps->p[i].ops->name, ps->p[i].why);
	if (!probes_on(ps)) {
		sl_err("no probe could open: nothing to watch");
		return -ENODEV;
	}
	return 0;
}

static void sample_one(struct probe_set *ps, struct probe *p, struct series *s)
{
	double t0 = sl_now(), cost;
	int err;

	err = p->ops->sample(p, s);
	cost = (sl_now() - t0) * 1e6;
	series_set(s, p->cost_col, cost);
	if (ps->budget_us > 0 && cost > ps->budget_us * (p->every ? p->every : 1)) {
		p->over_min = p->over++ ? fmin(p->over_min, cost) : cost;
		if (p->over >= PROBE_OVER_RUN) {
			double k = ceil(p->over_min / ps->budget_us);

			p->every = k < PROBE_MAX_EVERY ? (unsigned)k : PROBE_MAX_EVERY;
			p->over = 0;
		}
	} else {
		p->over = 0;
	}
	if (err < 0 && !p->failed) {
		p->failed = true;
		if (!ps->quiet)
			sl_err("%s probe: a sample failed (%s); its figures are missing there",
			       p->ops->name, strerror(-err));
	}
}

static void sample_set(struct probe_set *ps, struct series *s, bool all)
{
	size_t i;

	for (i = 0; i < PROBE_COUNT; i++) {
		struct probe *p = &ps->p[i];

		if (p->on && (all || ps->ticks % (p->every ? p->every : 1) == 0))
			sample_one(ps, p, s);
	}
}

void probes_sample(struct probe_set *ps, struct series *s)
{
	sample_set(ps, s, false);
	ps->ticks++;
}

void probes_sample_all(struct probe_set *ps, struct series *s)
{
	sample_set(ps, s, true);
}

static void close_one(struct probe *p)
{
	if (p->on && p->ops->close)
		p->ops->close(p);
	p->on = false;
}

void probes_close_netns(struct probe_set *ps)
{
	size_t i;

	for (i = 0; i < PROBE_COUNT; i++)
		if (ps->p[i].ops && ps->p[i].ops->per_netns && ps->p[i].on) {
			close_one(&ps->p[i]);
			snprintf(ps->p[i].why, sizeof(ps->p[i].why),
				 "closed: the netns is going away");
		}
}

void probes_close(struct probe_set *ps)
{
	size_t i;

	for (i = 0; i < PROBE_COUNT; i++)
		if (ps->p[i].ops)
			close_one(&ps->p[i]);
}

unsigned probes_on(const struct probe_set *ps)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < PROBE_COUNT; i++)
		n += ps->p[i].on;
	return n;
}
