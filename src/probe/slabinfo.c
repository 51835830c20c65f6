/* slabinfo probe: every slab cache's objects and bytes from /proc/slabinfo, with SLUB merges. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "probe/parse.h"
#include "probe/probe.h"

/* Header names of the columns we read, and where they sit in a line. */
enum { F_ACTIVE, F_NUM, F_OBJSIZE, F_PAGES, F_SLABS, F_COUNT };
static const char *const fields[F_COUNT] = {
	[F_ACTIVE] = "<active_objs>", [F_NUM] = "<num_objs>",	 [F_OBJSIZE] = "<objsize>",
	[F_PAGES] = "<pagesperslab>", [F_SLABS] = "<num_slabs>",
};

static const char *skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static const char *token_end(const char *p)
{
	while (*p && *p != ' ' && *p != '\t' && *p != '\n')
		p++;
	return p;
}

/* Finds each wanted column's token index in the header ("# name <active_objs> ... : slabdata ..."). */
static int parse_header(const char *p, int idx[F_COUNT])
{
	int i, k;

	for (k = 0; k < F_COUNT; k++)
		idx[k] = -1;
	p = skip_space(p + 1); /* the '#' */
	for (i = 0; *p && *p != '\n'; i++) {
		const char *e = token_end(p);

		for (k = 0; k < F_COUNT; k++)
			if ((size_t)(e - p) == strlen(fields[k]) && !memcmp(p, fields[k], e - p))
				idx[k] = i;
		p = skip_space(e);
	}
	for (k = 0; k < F_COUNT; k++)
		if (idx[k] < 0)
			return -EPROTO;
	return 0;
}

static uint64_t parse_u64(const char *p, const char *e)
{
	uint64_t v = 0;

	for (; p < e && *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	return v;
}

int slabinfo_parse(const char *buf, slab_fn fn, void *arg)
{
	const char *p = buf;
	int idx[F_COUNT], err;

	if (strncmp(p, "slabinfo - version: 2.", 22))
		return -EPROTO;
	p = strchr(p, '\n');
	if (!p || p[1] != '#' || (err = parse_header(p + 1, idx)))
		return -EPROTO;
	p = strchr(p + 1, '\n');
	while (p && *++p) {
		struct slab_line l;
		uint64_t *dst[F_COUNT] = { &l.active_objs, &l.num_objs, &l.objsize, &l.pagesperslab,
					   &l.num_slabs };
		const char *e = token_end(p);
		int i, k, found = 0;

		if ((size_t)(e - p) >= sizeof(l.name))
			return -EPROTO;
		memcpy(l.name, p, e - p);
		l.name[e - p] = '\0';
		p = skip_space(e);
		for (i = 1; *p && *p != '\n'; i++) {
			e = token_end(p);
			for (k = 0; k < F_COUNT; k++)
				if (idx[k] == i) {
					*dst[k] = parse_u64(p, e);
					found++;
				}
			p = skip_space(e);
		}
		if (found != F_COUNT)
			return -EPROTO;
		if ((err = fn(arg, &l)))
			return err;
		p = strchr(p, '\n');
	}
	return 0;
}

/* Slab merging, from /sys/kernel/slab: every name is a symlink to the cache's unique id when merged. */

struct alias {
	char name[64];
	char target[64];
};

static int cmp_alias(const void *a, const void *b)
{
	const struct alias *x = a, *y = b;
	int c = strcmp(x->target, y->target);

	return c ? c : strcmp(x->name, y->name);
}

struct names {
	char (*v)[64];
	size_t n, cap;
};

static int collect_name(void *arg, const struct slab_line *l)
{
	struct names *nm = arg;

	if (nm->n == nm->cap) {
		size_t cap = nm->cap ? nm->cap * 2 : 256;
		void *q = realloc(nm->v, cap * sizeof(*nm->v));

		if (!q)
			return -ENOMEM;
		nm->v = q;
		nm->cap = cap;
	}
	memcpy(nm->v[nm->n++], l->name, sizeof(l->name));
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

static bool shown(const struct names *nm, const char *name)
{
	return bsearch(name, nm->v, nm->n, sizeof(*nm->v), cmp_name) != NULL;
}

int slab_aliases(const char *root, const char *slabinfo_buf, slab_alias_fn fn, void *arg)
{
	struct names nm = { 0 };
	struct alias *al = NULL;
	size_t n = 0, cap = 0, i, j;
	char dir[4096];
	struct dirent *d;
	DIR *dp = NULL;
	int err, dfd;

	if ((err = slabinfo_parse(slabinfo_buf, collect_name, &nm)))
		goto out;
	qsort(nm.v, nm.n, sizeof(*nm.v), cmp_name);
	snprintf(dir, sizeof(dir), "%s/sys/kernel/slab", root ? root : "");
	if (!(dp = opendir(dir))) {
		err = -errno;
		goto out;
	}
	dfd = dirfd(dp);
	while ((d = readdir(dp))) {
		char target[4096];
		const char *base;
		ssize_t len;

		if (d->d_type != DT_LNK || strlen(d->d_name) >= sizeof(al->name))
			continue;
		len = readlinkat(dfd, d->d_name, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		base = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
		if (strlen(base) >= sizeof(al->target))
			continue;
		if (n == cap) {
			void *q;

			cap = cap ? cap * 2 : 256;
			if (!(q = realloc(al, cap * sizeof(*al)))) {
				err = -ENOMEM;
				goto out;
			}
			al = q;
		}
		strcpy(al[n].name, d->d_name);
		strcpy(al[n].target, base);
		n++;
	}
	qsort(al, n, sizeof(*al), cmp_alias);
	/* In each group of names sharing a target, the one slabinfo shows holds the others. */
	for (i = 0; i < n; i = j) {
		const char *holder = NULL;
		size_t k;

		for (j = i; j < n && !strcmp(al[j].target, al[i].target); j++)
			if (!holder && shown(&nm, al[j].name))
				holder = al[j].name;
		if (!holder)
			continue;
		for (k = i; k < j; k++)
			if (al[k].name != holder && (err = fn(arg, holder, al[k].name)))
				goto out;
	}
out:
	if (dp)
		closedir(dp);
	free(al);
	free(nm.v);
	return err;
}

/* The probe. */

struct cache {
	char name[64];
	int objs, bytes, total;
	char *note; /* built at open: the merged names */
	struct metric_desc d; /* of the objs column; bytes and pages differ in unit and class */
};

struct slabinfo {
	int fd;
	struct probe_buf buf;
	struct cache *c;
	size_t n, cap;
	size_t pos; /* line index in this parse: caches come in the same order each time */
	struct series *s;
	double page;
	int err;
};

static struct cache *find_cache(struct slabinfo *si, const char *name)
{
	size_t i;

	if (si->pos < si->n && !strcmp(si->c[si->pos].name, name))
		return &si->c[si->pos];
	for (i = 0; i < si->n; i++)
		if (!strcmp(si->c[i].name, name))
			return &si->c[i];
	return NULL;
}

/* The descriptor of a cache's column of class cls: objects count, bytes and pages are bytes. */
static const struct metric_desc *desc(struct cache *c, enum metric_class cls)
{
	c->d.cls = cls;
	c->d.unit = cls == MC_SLAB_OBJS ? UNIT_COUNT : UNIT_BYTES;
	c->d.object = c->name; /* the table of caches moves as it grows */
	return &c->d;
}

/* Columns for a cache seen for the first time (at open, or a cache created later). */
static struct cache *add_cache(struct slabinfo *si, const char *name)
{
	char key[128];
	struct cache *c;

	if (si->n == si->cap) {
		size_t cap = si->cap ? si->cap * 2 : 256;
		void *q = realloc(si->c, cap * sizeof(*si->c));

		if (!q)
			return NULL;
		si->c = q;
		si->cap = cap;
	}
	c = &si->c[si->n];
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	/* Every task's objects: the host's, and they decide when the sequence moved them. */
	c->d = (struct metric_desc){ .kind = MK_LEVEL, .source = "slabinfo" };
	c->d.traits = MT_HOST | slab_cache_traits(name, strlen(name), &c->d.families);
	snprintf(key, sizeof(key), "slab.%s.objs", name);
	c->objs = series_add(si->s, key, desc(c, MC_SLAB_OBJS));
	snprintf(key, sizeof(key), "slab.%s.bytes", name);
	c->bytes = series_add(si->s, key, desc(c, MC_SLAB_BYTES));
	snprintf(key, sizeof(key), "slab.%s.total_bytes", name);
	c->total = series_add(si->s, key, desc(c, MC_SLAB_PAGES));
	if (c->objs < 0 || c->bytes < 0 || c->total < 0)
		return NULL;
	si->n++;
	return c;
}

static int on_line(void *arg, const struct slab_line *l)
{
	struct slabinfo *si = arg;
	struct cache *c = find_cache(si, l->name);

	if (!c && !(c = add_cache(si, l->name)))
		return -ENOMEM;
	series_set(si->s, c->objs, (double)l->active_objs);
	series_set(si->s, c->bytes, (double)l->active_objs * (double)l->objsize);
	series_set(si->s, c->total, (double)l->num_slabs * (double)l->pagesperslab * si->page);
	si->pos = (size_t)(c - si->c) + 1;
	return 0;
}

/* Appends ", name" to a malloc'd string. */
static int append(char **s, const char *prefix, const char *name)
{
	size_t a = *s ? strlen(*s) : 0, b = strlen(prefix) + strlen(name);
	char *q = realloc(*s, a + b + 3);

	if (!q)
		return -ENOMEM;
	snprintf(q + a, b + 3, "%s%s%s", a ? ", " : "", prefix, name);
	*s = q;
	return 0;
}

struct note_pass {
	struct slabinfo *si;
	char **sock; /* per cache: the socket caches merged into it */
};

static int on_alias(void *arg, const char *holder, const char *merged)
{
	struct note_pass *np = arg;
	struct cache *c;
	size_t i;
	int err;

	np->si->pos = 0;
	if (!(c = find_cache(np->si, holder)))
		return 0;
	i = (size_t)(c - np->si->c);
	if ((err = append(&c->note, c->note ? "" : "merged: ", merged)))
		return err;
	if (slab_cache_traits(merged, strlen(merged), &(unsigned){ 0 }) & MT_SOCKET_CACHE)
		return append(&np->sock[i], "", merged);
	return 0;
}

static int write_notes(struct slabinfo *si, const char *root)
{
	struct note_pass np = { si, calloc(si->n ? si->n : 1, sizeof(char *)) };
	char note[1024];
	size_t i;
	int err;

	if (!np.sock)
		return -ENOMEM;
	err = slab_aliases(root, si->buf.p, on_alias, &np);
	for (i = 0; !err && i < si->n; i++) {
		struct cache *c = &si->c[i];

		if (!c->note)
			continue;
		if (np.sock[i])
			snprintf(note, sizeof(note), "%s; socket caches counted here: %s", c->note,
				 np.sock[i]);
		else
			snprintf(note, sizeof(note), "%s", c->note);
		/* The socket caches merged into it are counted on its line: it is one of them. */
		c->d.traits |= MT_MERGED | (np.sock[i] ? MT_SOCKET_CACHE : 0);
		c->d.holds = np.sock[i];
		c->d.note = note;
		err = series_describe(si->s, c->objs, desc(c, MC_SLAB_OBJS));
		if (!err)
			err = series_describe(si->s, c->bytes, desc(c, MC_SLAB_BYTES));
		if (!err)
			err = series_describe(si->s, c->total, desc(c, MC_SLAB_PAGES));
		c->d.holds = c->d.note = NULL;
		if (err)
			break;
	}
	for (i = 0; i < si->n; i++) {
		free(np.sock[i]);
		free(si->c[i].note);
		si->c[i].note = NULL;
	}
	free(np.sock);
	return err;
}

static void slabinfo_close(struct probe *p)
{
	struct slabinfo *si = p->priv;

	if (!si)
		return;
	if (si->fd >= 0)
		close(si->fd);
	probe_buf_free(&si->buf);
	free(si->c);
	free(si);
	p->priv = NULL;
}

static int slabinfo_open(struct probe *p, const struct probe_ctx *ctx, struct series *s)
{
	struct slabinfo *si = calloc(1, sizeof(*si));
	long n;
	int err;

	if (!si)
		return probe_off(p, -ENOMEM, "out of memory");
	p->priv = si;
	si->s = s;
	si->page = (double)sysconf(_SC_PAGESIZE);
	si->fd = probe_open_path(ctx, "/proc/slabinfo");
	if (si->fd < 0) {
		if (si->fd == -EACCES || si->fd == -EPERM)
			err = probe_off(p, si->fd, "slabinfo needs root: per-cache figures off");
		else
			err = probe_off(p, si->fd, "cannot open /proc/slabinfo: %s",
					strerror(-si->fd));
		goto fail;
	}
	err = probe_buf_init(&si->buf, 64 * 1024);
	if (!err) {
		n = probe_read(si->fd, &si->buf);
		err = n < 0 ? (int)n : slabinfo_parse(si->buf.p, on_line, si);
	}
	if (err) {
		err = probe_off(p, err, "cannot read /proc/slabinfo: %s",
				err == -EPROTO ? "unknown format" : strerror(-err));
		goto fail;
	}
	/* Merges are fixed once caches exist; without /sys the names are still right, just unnoted. */
	write_notes(si, ctx->root);
	return 0;
fail:
	slabinfo_close(p);
	return err;
}

static int slabinfo_sample(struct probe *p, struct series *s)
{
	struct slabinfo *si = p->priv;
	long n = probe_read(si->fd, &si->buf);

	(void)s;
	if (n < 0)
		return (int)n;
	si->pos = 0;
	return slabinfo_parse(si->buf.p, on_line, si);
}

const struct probe_ops slabinfo_probe = {
	.name = "slabinfo",
	.open = slabinfo_open,
	.sample = slabinfo_sample,
	.close = slabinfo_close,
};
