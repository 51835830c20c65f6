/* The probe registry: opens every probe (per-netns ones inside the run's netns), samples, closes. */
#include "probe/probe.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

static const struct probe_ops *const registry[PROBE_COUNT] = {
	[PROBE_MEMINFO] = &meminfo_probe,   [PROBE_SLABINFO] = &slabinfo_probe,
	[PROBE_SOCKSTAT] = &sockstat_probe, [PROBE_NETSTAT] = &netstat_probe,
	[PROBE_SOCKDIAG] = &sockdiag_probe, [PROBE_MEMCG] = &memcg_probe,
	[PROBE_PROC] = &proc_probe,
};

int probe_buf_init(struct probe_buf *b, size_t cap)
{
	b->p = malloc(cap);
	b->cap = b->p ? cap : 0;
	return b->p ? 0 : -ENOMEM;
}

void probe_buf_free(struct probe_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->cap = 0;
}

long probe_read(int fd, struct probe_buf *b)
{
	size_t len = 0;
	ssize_t n;

	for (;;) {
		if (len + 1 >= b->cap) {
			/* Only when the file outgrew the buffer: not in steady state. */
			char *q = realloc(b->p, b->cap * 2);

			if (!q)
				return -ENOMEM;
			b->p = q;
			b->cap *= 2;
		}
		n = pread(fd, b->p + len, b->cap - 1 - len, (off_t)len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	b->p[len] = '\0';
	return (long)len;
}

int probe_open_path(const struct probe_ctx *ctx, const char *path)
{
	char full[4096];
	int fd;

	if (snprintf(full, sizeof(full), "%s%s", ctx->root ? ctx->root : "", path) >=
	    (int)sizeof(full))
		return -ENAMETOOLONG;
	fd = open(full, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

long probe_read_path(const struct probe_ctx *ctx, const char *path, struct probe_buf *b)
{
	int fd = probe_open_path(ctx, path);
	long n;

	if (fd < 0)
		return fd;
	n = probe_read(fd, b);
	close(fd);
	return n;
}

int probe_off(struct probe *p, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->why, sizeof(p->why), fmt, ap);
	va_end(ap);
	return err < 0 ? err : -EINVAL;
}

void probe_net_path(const struct probe_ctx *ctx, const char *file, char *out, size_t n)
{
	/* /proc/net follows the thread group leader; thread-self follows the thread that setns'd. */
	if (!ctx->root || !*ctx->root)
		snprintf(out, n, "/proc/thread-self/net/%s", file);
	else
		snprintf(out, n, "/proc/net/%s", file);
}

/* True when fd is the network namespace this thread is in already: no setns needed. */
static bool same_netns(int fd)
{
	struct stat a, b;

	if (fstat(fd, &a) || stat("/proc/thread-self/ns/net", &b))
		return false;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static void open_one(struct probe *p, const struct probe_ops *ops, const struct probe_ctx *ctx,
		     struct series *s)
{
	char name[96];

	memset(p, 0, sizeof(*p));
	p->ops = ops;
	p->cost_col = -1;
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
	bool enter = ctx->netns_fd >= 0 && !same_netns(ctx->netns_fd);
	int home = -1, err = 0;
	size_t i;

	memset(ps, 0, sizeof(*ps));
	ps->quiet = quiet;
	for (i = 0; i < PROBE_COUNT; i++)
		if (!registry[i]->per_netns)
			open_one(&ps->p[i], registry[i], ctx, s);
	if (enter) {
		home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (home < 0 || setns(ctx->netns_fd, CLONE_NEWNET)) {
			/* Host-wide figures still tell something: only the per-netns probes are off. */
			err = -errno;
			for (i = 0; i < PROBE_COUNT; i++)
				if (registry[i]->per_netns) {
					ps->p[i].ops = registry[i];
					ps->p[i].cost_col = -1;
					snprintf(ps->p[i].why, sizeof(ps->p[i].why),
						 "cannot enter the network namespace: %s%s",
						 strerror(-err),
						 sl_is_root() ? "" : " (needs root)");
				}
			if (home >= 0)
				close(home);
			goto report;
		}
	}
	for (i = 0; i < PROBE_COUNT; i++)
		if (registry[i]->per_netns)
			open_one(&ps->p[i], registry[i], ctx, s);
	if (enter) {
		if (setns(home, CLONE_NEWNET)) {
			/* This thread would go on in the wrong netns: nothing sound can follow. */
			sl_err("cannot return to the original network namespace: %s",
			       strerror(errno));
			abort();
		}
		close(home);
	}
report:
	/* Opening read each source once: that is not a sample. */
	for (i = 0; i < s->ncols; i++)
		s->row[i] = NAN;
	for (i = 0; i < PROBE_COUNT; i++)
		if (!ps->p[i].on && !quiet)
			sl_err("%s probe off: %s", ps->p[i].ops->name, ps->p[i].why);
	if (!probes_on(ps)) {
		sl_err("no probe could open: nothing to watch");
		return -ENODEV;
	}
	return 0;
}

void probes_sample(struct probe_set *ps, struct series *s)
{
	size_t i;

	for (i = 0; i < PROBE_COUNT; i++) {
		struct probe *p = &ps->p[i];
		double t0;
		int err;

		double cost;

		if (!p->on)
			continue;
		if (p->skip) {
			p->skip--;
			continue;
		}
		t0 = sl_now();
		err = p->ops->sample(p, s);
		cost = (sl_now() - t0) * 1e6;
		series_set(s, p->cost_col, cost);
		if (ps->budget_us > 0 && cost > ps->budget_us) {
			double over = ceil(cost / ps->budget_us) - 1;

			p->skip = over < PROBE_MAX_SKIP ? (unsigned)over : PROBE_MAX_SKIP;
		}
		if (err < 0 && !p->failed) {
			p->failed = true;
			if (!ps->quiet)
				sl_err("%s probe: a sample failed (%s); its figures are missing there",
				       p->ops->name, strerror(-err));
		}
	}
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
