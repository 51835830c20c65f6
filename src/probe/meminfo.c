/* meminfo probe: the kernel's own memory totals from /proc/meminfo (slab, stacks, page tables). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "probe/parse.h"
#include "probe/probe.h"

static const char *const keys[] = {
	"Slab",	      "SReclaimable", "SUnreclaim",  "KernelStack",
	"PageTables", "Percpu",	      "VmallocUsed", "MemAvailable",
};

struct meminfo {
	int fd;
	struct probe_buf buf;
	int col[ARRAY_SIZE(keys)];
};

/* What the parse callbacks need. */
struct pass {
	struct series *s;
	struct meminfo *m;
};

int meminfo_parse(const char *buf, kv_fn fn, void *arg)
{
	const char *p = buf;
	char key[64];
	int err;

	while (*p) {
		const char *colon = strchr(p, ':');
		const char *eol = strchr(p, '\n');
		double v;
		char *end;

		if (!eol)
			eol = p + strlen(p);
		if (colon && colon < eol && (size_t)(colon - p) < sizeof(key)) {
			memcpy(key, p, colon - p);
			key[colon - p] = '\0';
			v = strtod(colon + 1, &end);
			if (end != colon + 1) {
				while (*end == ' ')
					end++;
				if (!strncmp(end, "kB", 2))
					v *= 1024;
				if ((err = fn(arg, key, v)))
					return err;
			}
		}
		p = *eol ? eol + 1 : eol;
	}
	return 0;
}

static int find_key(const char *key)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (!strcmp(keys[i], key))
			return (int)i;
	return -1;
}

static int add_col(void *arg, const char *key, double v)
{
	struct series *s = ((struct pass *)arg)->s;
	struct meminfo *m = ((struct pass *)arg)->m;
	int i = find_key(key);
	char name[96];

	(void)v;
	if (i < 0)
		return 0;
	snprintf(name, sizeof(name), "meminfo.%s", key);
	m->col[i] = series_add(s, name,
			       &(struct metric_desc){
				       .kind = MK_LEVEL,
				       .unit = UNIT_BYTES,
				       .cls = MC_OTHER,
				       /* the host's memory: other tasks move it by megabytes */
				       .traits = MT_HOST | MT_ADVISORY |
						 (!strcmp(key, "MemAvailable") ? MT_FALLS : 0),
				       .source = "meminfo",
				       .object = key,
			       });
	return m->col[i] < 0 ? m->col[i] : 0;
}

static int set_col(void *arg, const char *key, double v)
{
	struct series *s = ((struct pass *)arg)->s;
	struct meminfo *m = ((struct pass *)arg)->m;
	int i = find_key(key);

	if (i >= 0)
		series_set(s, m->col[i], v);
	return 0;
}

static void meminfo_close(struct probe *p)
{
	struct meminfo *m = p->priv;

	if (!m)
		return;
	if (m->fd >= 0)
		close(m->fd);
	probe_buf_free(&m->buf);
	free(m);
	p->priv = NULL;
}

static int meminfo_open(struct probe *p, const struct probe_ctx *ctx, struct series *s)
{
	struct meminfo *m = calloc(1, sizeof(*m));
	struct pass a = { s, m };
	size_t i;
	long n;
	int err;

	if (!m)
		return probe_off(p, -ENOMEM, "out of memory");
	p->priv = m;
	for (i = 0; i < ARRAY_SIZE(keys); i++)
		m->col[i] = -1;
	m->fd = probe_open_path(ctx, "/proc/meminfo");
	if (m->fd < 0) {
		err = probe_off(p, m->fd, "cannot open /proc/meminfo: %s", strerror(-m->fd));
		goto fail;
	}
	err = probe_buf_init(&m->buf, 8192);
	if (!err) {
		n = probe_read(m->fd, &m->buf);
		err = n < 0 ? (int)n : meminfo_parse(m->buf.p, add_col, &a);
	}
	if (err) {
		err = probe_off(p, err, "cannot read /proc/meminfo: %s", strerror(-err));
		goto fail;
	}
	if (m->col[0] < 0) {
		err = probe_off(p, -ENOENT, "/proc/meminfo has no Slab line");
		goto fail;
	}
	return 0;
fail:
	meminfo_close(p);
	return err;
}

static int meminfo_sample(struct probe *p, struct series *s)
{
	struct meminfo *m = p->priv;
	struct pass a = { s, m };
	long n = probe_read(m->fd, &m->buf);

	if (n < 0)
		return (int)n;
	return meminfo_parse(m->buf.p, set_col, &a);
}

const struct probe_ops meminfo_probe = {
	.name = "meminfo",
	.open = meminfo_open,
	.sample = meminfo_sample,
	.close = meminfo_close,
};
