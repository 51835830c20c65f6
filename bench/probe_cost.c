/* Probe benchmark: cost of one sample per probe (µs), and RSS of long series at 10 Hz. */
#include <fcntl.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "probe/parse.h"
#include "run/cgroup.h"
#include "probe/probe.h"
#include "run/sampler.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double q)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[(size_t)(q * (double)(n - 1))];
}

static long rss_kb(void)
{
	char buf[4096], *p;

	if (sl_read_file("/proc/self/status", buf, sizeof(buf)) < 0 || !(p = strstr(buf, "VmRSS:")))
		return -1;
	return strtol(p + 6, NULL, 10);
}

static int nop(void *arg, const struct slab_line *l)
{
	(void)l;
	++*(int *)arg;
	return 0;
}

/* Per-probe cost over n samples of the live kernel. */
static int cost(unsigned n)
{
	struct sampler_cfg cfg = { .ctx = { .root = "", .netns_fd = -1 } };
	char cg[4096];
	struct sampler *sp;
	struct series s;
	double *v = malloc(n * sizeof(double)), t0;
	struct probe_buf b;
	size_t i, k;
	int caches = 0, fd;

	if (!cgroup_of(0, cg, sizeof(cg), &cfg.ctx.cgroup_version))
		cfg.ctx.cgroup = cg;
	series_init(&s, 0);
	if (!v || sampler_create(&cfg, &s, &sp))
		return 1;
	for (i = 0; i < 10; i++)
		sampler_sample_now(sp);
	printf("probe cost per sample, %u samples of the live kernel (us)\n", n);
	printf("%-10s %8s %8s %8s\n", "probe", "median", "p90", "max");
	for (i = 0; i < PROBE_COUNT; i++) {
		const struct probe *p = &sampler_probes(sp)->p[i];
		struct series one;
		struct probe q;

		if (!p->on) {
			printf("%-10s off: %s\n", p->ops->name, p->why);
			continue;
		}
		/* Each probe alone, so one probe's cost does not shift another's cache state. */
		series_init(&one, 0);
		memset(&q, 0, sizeof(q));
		q.ops = p->ops;
		if (q.ops->open(&q, &cfg.ctx, &one))
			continue;
		for (k = 0; k < n; k++) {
			t0 = sl_now();
			q.ops->sample(&q, &one);
			v[k] = (sl_now() - t0) * 1e6;
			series_commit(&one, (double)k, 0);
		}
		printf("%-10s %8.0f %8.0f %8.0f\n", q.ops->name, pct(v, n, 0.5), pct(v, n, 0.9),
		       pct(v, n, 1.0));
		q.ops->close(&q);
		series_free(&one);
	}
	for (k = 0; k < n; k++) {
		t0 = sl_now();
		sampler_sample_now(sp);
		v[k] = (sl_now() - t0) * 1e6;
	}
	printf("%-10s %8.0f %8.0f %8.0f   (every probe + commit, %zu columns)\n", "all",
	       pct(v, n, 0.5), pct(v, n, 0.9), pct(v, n, 1.0), s.ncols);

	/* slabinfo split: the kernel's read vs our parse of the same buffer. */
	if ((fd = open("/proc/slabinfo", O_RDONLY | O_CLOEXEC)) >= 0 &&
	    !probe_buf_init(&b, 65536)) {
		probe_read(fd, &b);
		for (k = 0; k < n; k++) {
			t0 = sl_now();
			probe_read(fd, &b);
			v[k] = (sl_now() - t0) * 1e6;
		}
		printf("slabinfo read() of /proc/slabinfo: median %.0f us\n", pct(v, n, 0.5));
		for (k = 0; k < n; k++) {
			caches = 0;
			t0 = sl_now();
			slabinfo_parse(b.p, nop, &caches);
			v[k] = (sl_now() - t0) * 1e6;
		}
		printf("slabinfo parse of %d caches: median %.1f us\n", caches, pct(v, n, 0.5));
		probe_buf_free(&b);
		close(fd);
	}

	/* Steady state allocates nothing: the heap in use does not move over many samples. */
	{
		struct mallinfo2 a = mallinfo2(), z;

		for (k = 0; k < 200; k++)
			sampler_sample_now(sp);
		z = mallinfo2();
		printf("heap in use before/after 200 more samples: %zu / %zu bytes\n", a.uordblks,
		       z.uordblks);
	}
	sampler_destroy(sp);
	series_free(&s);
	free(v);
	return 0;
}

/* RSS of a series with the live probes' columns after `samples` simulated rows. */
static int series_rss(const char *label, unsigned long samples)
{
	struct sampler_cfg cfg = { .ctx = { .root = "", .netns_fd = -1 }, .quiet = true };
	struct sampler *sp;
	struct series s;
	unsigned long r;
	long before, after;
	size_t j;
	double t0;

	series_init(&s, 0);
	before = rss_kb();
	if (sampler_create(&cfg, &s, &sp))
		return 1;
	sampler_sample_now(sp);
	t0 = sl_now();
	for (r = 1; r < samples; r++) {
		for (j = 0; j < s.ncols; j++)
			series_set(&s, (int)j, (double)(r % 977) + (double)j);
		series_commit(&s, (double)r / 10, r * 1000);
	}
	after = rss_kb();
	printf("%-4s %7lu samples x %zu columns: %zu rows stored (fold %u), RSS +%.1f MB, "
	       "%.2f us per row\n",
	       label, samples, s.ncols, s.nrows, s.fold, (double)(after - before) / 1024,
	       (sl_now() - t0) * 1e6 / (double)samples);
	sampler_destroy(sp);
	series_free(&s);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 200;

	if (argc > 2 && !strcmp(argv[2], "rss1h"))
		return series_rss("1h", 36000);
	if (argc > 2 && !strcmp(argv[2], "rss24h"))
		return series_rss("24h", 864000);
	return cost(n ? n : 200);
}
