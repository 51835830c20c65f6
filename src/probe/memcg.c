/* memcg probe: the kernel memory charged to the workload's memory cgroup (v1 kmem or v2 memory.stat). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "probe/parse.h"
#include "probe/probe.h"

/*
 * v1: one number per file. usage holds page cache and anonymous memory too, not only the kernel's
 * socket memory: advisory. kmem (v1) and kernel (v2) are all of the cgroup's kernel memory.
 */
static const struct {
	const char *file, *key;
	unsigned traits, families;
} v1_files[] = {
	{ "memory.kmem.usage_in_bytes", "kmem", MT_TOTAL, 0 },
	/* what the cgroup is charged for its TCP sockets' buffers */
	{ "memory.kmem.tcp.usage_in_bytes", "kmem_tcp", MT_CHARGE, FAM_TCP },
	{ "memory.usage_in_bytes", "usage", MT_ADVISORY, 0 },
};

/* v2: memory.stat keys (bytes), and memory.current for the total. */
static const char *const v2_keys[] = { "kernel", "sock", "slab_unreclaimable", "percpu" };

/* Adds the column memcg.KEY. */
static int add_col(struct series *s, const char *key, unsigned traits, unsigned families)
{
	char name[96];

	snprintf(name, sizeof(name), "memcg.%s", key);
	return series_add(s, name,
			  &(struct metric_desc){ .kind = MK_LEVEL,
						 .unit = UNIT_BYTES,
						 .cls = MC_MEMCG,
						 .traits = traits,
						 .families = families,
						 .source = "memcg",
						 .object = key });
}

#define MEMCG_FILES 3

struct memcg {
	int version;
	int fd[MEMCG_FILES]; /* v1: the files above; v2: memory.stat, memory.current */
	int col[MEMCG_FILES]; /* v1 columns; v2: [0] unused, [1] memcg.usage */
	int v2col[ARRAY_SIZE(v2_keys)];
	struct probe_buf buf;
	struct series *s;
};

int memcg_stat_parse(const char *buf, kv_fn fn, void *arg)
{
	const char *p = buf;
	char key[64];
	int err;

	while (*p) {
		const char *sp = strchr(p, ' '), *eol = strchr(p, '\n');
		char *end;
		double v;

		if (!eol)
			eol = p + strlen(p);
		if (!sp || sp > eol || (size_t)(sp - p) >= sizeof(key))
			return -EPROTO;
		memcpy(key, p, sp - p);
		key[sp - p] = '\0';
		v = strtod(sp + 1, &end);
		if (end == sp + 1)
			return -EPROTO;
		if ((err = fn(arg, key, v)))
			return err;
		p = *eol ? eol + 1 : eol;
	}
	return 0;
}

static int v2_index(const char *key)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(v2_keys); i++)
		if (!strcmp(v2_keys[i], key))
			return (int)i;
	return -1;
}

static int v2_add(void *arg, const char *key, double v)
{
	struct memcg *m = arg;
	int i = v2_index(key);

	(void)v;
	if (i < 0)
		return 0;
	m->v2col[i] = add_col(m->s, key,
			      i == 0		   ? MT_TOTAL :
			      !strcmp(key, "sock") ? MT_CHARGE :
						     0,
			      0);
	return m->v2col[i] < 0 ? m->v2col[i] : 0;
}

static int v2_set(void *arg, const char *key, double v)
{
	struct memcg *m = arg;
	int i = v2_index(key);

	if (i >= 0)
		series_set(m->s, m->v2col[i], v);
	return 0;
}

static int read_number(struct memcg *m, int fd, double *v)
{
	long n = probe_read(fd, &m->buf);
	char *end;

	*v = 0;
	if (n < 0)
		return (int)n;
	*v = strtod(m->buf.p, &end);
	return end == m->buf.p ? -EPROTO : 0;
}

static void memcg_close(struct probe *p)
{
	struct memcg *m = p->priv;
	size_t i;

	if (!m)
		return;
	for (i = 0; i < MEMCG_FILES; i++)
		if (m->fd[i] >= 0)
			close(m->fd[i]);
	probe_buf_free(&m->buf);
	free(m);
	p->priv = NULL;
}

static int open_in(const struct probe_ctx *ctx, const char *file)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", ctx->cgroup, file);
	return probe_open_path(ctx, path);
}

static int open_v1(struct probe *p, struct memcg *m, const struct probe_ctx *ctx)
{
	size_t i;
	double v;
	int err;

	for (i = 0; i < ARRAY_SIZE(v1_files); i++) {
		m->fd[i] = open_in(ctx, v1_files[i].file);
		/* The kernel may be built without kmem accounting: the rest still tells. */
		if (m->fd[i] < 0 && i < 2)
			continue;
		if (m->fd[i] < 0)
			return probe_off(p, m->fd[i], "cannot open %s/%s: %s", ctx->cgroup,
					 v1_files[i].file, strerror(-m->fd[i]));
		if ((err = read_number(m, m->fd[i], &v)))
			return probe_off(p, err, "cannot read %s/%s", ctx->cgroup,
					 v1_files[i].file);
		m->col[i] =
			add_col(m->s, v1_files[i].key, v1_files[i].traits, v1_files[i].families);
		if (m->col[i] < 0)
			return probe_off(p, m->col[i], "out of memory");
	}
	return 0;
}

static int open_v2(struct probe *p, struct memcg *m, const struct probe_ctx *ctx)
{
	long n;
	double v;
	int err;

	m->fd[0] = open_in(ctx, "memory.stat");
	m->fd[1] = open_in(ctx, "memory.current");
	if (m->fd[0] < 0 || m->fd[1] < 0)
		return probe_off(p, -ENOENT, "%s has no memory.stat or memory.current",
				 ctx->cgroup);
	n = probe_read(m->fd[0], &m->buf);
	err = n < 0 ? (int)n : memcg_stat_parse(m->buf.p, v2_add, m);
	if (!err)
		err = read_number(m, m->fd[1], &v);
	if (err)
		return probe_off(p, err, "cannot read %s/memory.stat", ctx->cgroup);
	m->col[1] = add_col(m->s, "usage", MT_ADVISORY, 0);
	return m->col[1] < 0 ? probe_off(p, m->col[1], "out of memory") : 0;
}

static int memcg_open(struct probe *p, const struct probe_ctx *ctx, struct series *s)
{
	struct memcg *m;
	size_t i;
	int err, fd;

	if (!ctx->cgroup || !*ctx->cgroup)
		return probe_off(p, -ENOENT, "no memory cgroup to read");
	if (!(m = calloc(1, sizeof(*m))))
		return probe_off(p, -ENOMEM, "out of memory");
	p->priv = m;
	m->s = s;
	for (i = 0; i < MEMCG_FILES; i++)
		m->fd[i] = m->col[i] = -1;
	for (i = 0; i < ARRAY_SIZE(v2_keys); i++)
		m->v2col[i] = -1;
	if ((err = probe_buf_init(&m->buf, 8192)))
		goto fail;
	m->version = ctx->cgroup_version;
	if (!m->version) {
		fd = open_in(ctx, "memory.current");
		m->version = fd >= 0 ? 2 : 1;
		if (fd >= 0)
			close(fd);
	}
	err = m->version == 2 ? open_v2(p, m, ctx) : open_v1(p, m, ctx);
	if (err)
		goto fail;
	return 0;
fail:
	memcg_close(p);
	return err;
}

static int memcg_sample(struct probe *p, struct series *s)
{
	struct memcg *m = p->priv;
	size_t i;
	double v;
	int err;

	(void)s;
	if (m->version == 2) {
		long n = probe_read(m->fd[0], &m->buf);

		if (n < 0)
			return (int)n;
		if ((err = memcg_stat_parse(m->buf.p, v2_set, m)))
			return err;
		if ((err = read_number(m, m->fd[1], &v)))
			return err;
		series_set(m->s, m->col[1], v);
		return 0;
	}
	for (i = 0; i < MEMCG_FILES; i++) {
		if (m->fd[i] < 0)
			continue;
		if ((err = read_number(m, m->fd[i], &v)))
			return err;
		series_set(m->s, m->col[i], v);
	}
	return 0;
}

const struct probe_ops memcg_probe = {
	.name = "memcg",
	.open = memcg_open,
	.sample = memcg_sample,
	.close = memcg_close,
};
