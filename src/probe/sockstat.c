/* sockstat probe: sockets in use, orphans, TIME_WAIT and socket memory per protocol (per netns). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "probe/parse.h"
#include "probe/probe.h"

#define SOCKSTAT_MAX_COLS 64

int sockstat_parse(const char *buf, sockstat_fn fn, void *arg)
{
	const char *p = buf;
	char proto[32], key[32];
	int err;

	while (*p) {
		const char *eol = strchr(p, '\n');
		const char *colon = strchr(p, ':');

		if (!eol)
			eol = p + strlen(p);
		if (!colon || colon > eol || (size_t)(colon - p) >= sizeof(proto))
			return -EPROTO;
		memcpy(proto, p, colon - p);
		proto[colon - p] = '\0';
		p = colon + 1;
		/* "key value" pairs up to the end of the line. */
		for (;;) {
			const char *k;
			char *end;
			double v;

			while (*p == ' ')
				p++;
			if (p >= eol)
				break;
			k = p;
			while (p < eol && *p != ' ')
				p++;
			if ((size_t)(p - k) >= sizeof(key))
				return -EPROTO;
			memcpy(key, k, p - k);
			key[p - k] = '\0';
			v = strtod(p, &end);
			if (end == p || end > eol)
				return -EPROTO;
			p = end;
			if ((err = fn(arg, proto, key, v)))
				return err;
		}
		p = *eol ? eol + 1 : eol;
	}
	return 0;
}

struct sockstat_file {
	int fd;
	int col[SOCKSTAT_MAX_COLS]; /* in the order the file lists them */
	size_t n;
};

struct sockstat {
	struct sockstat_file f[2]; /* sockstat, sockstat6 */
	struct probe_buf buf;
	struct series *s;
	struct sockstat_file *cur;
	size_t pos;
	double page;
};

/* "mem" counts pages (TCP, UDP); FRAG's "memory" counts bytes. */
static double scale(const struct sockstat *ss, const char *key, double v)
{
	return strcmp(key, "mem") ? v : v * ss->page;
}

static int add_col(void *arg, const char *proto, const char *key, double v)
{
	struct sockstat *ss = arg;
	struct sockstat_file *f = ss->cur;
	struct metric_desc d;
	char name[96];
	int c;

	(void)v;
	if (f->n == SOCKSTAT_MAX_COLS)
		return 0;
	snprintf(name, sizeof(name), "sockstat.%s.%s", proto, key);
	sockstat_desc(proto, key, &d);
	c = series_add(ss->s, name, &d);
	if (c < 0)
		return c;
	f->col[f->n++] = c;
	return 0;
}

/* The file lists the same keys in the same order every time: the n-th value is the n-th column. */
static int set_col(void *arg, const char *proto, const char *key, double v)
{
	struct sockstat *ss = arg;

	(void)proto;
	if (ss->pos < ss->cur->n)
		series_set(ss->s, ss->cur->col[ss->pos], scale(ss, key, v));
	ss->pos++;
	return 0;
}

static void sockstat_close(struct probe *p)
{
	struct sockstat *ss = p->priv;
	size_t i;

	if (!ss)
		return;
	for (i = 0; i < ARRAY_SIZE(ss->f); i++)
		if (ss->f[i].fd >= 0)
			close(ss->f[i].fd);
	probe_buf_free(&ss->buf);
	free(ss);
	p->priv = NULL;
}

static int sockstat_open(struct probe *p, const struct probe_ctx *ctx, struct series *s)
{
	static const char *const files[] = { "sockstat", "sockstat6" };
	struct sockstat *ss = calloc(1, sizeof(*ss));
	char path[128];
	size_t i;
	int err;

	if (!ss)
		return probe_off(p, -ENOMEM, "out of memory");
	p->priv = ss;
	ss->s = s;
	ss->page = (double)sysconf(_SC_PAGESIZE);
	ss->f[0].fd = ss->f[1].fd = -1;
	if ((err = probe_buf_init(&ss->buf, 4096)))
		goto fail;
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		struct sockstat_file *f = &ss->f[i];
		long n;

		probe_net_path(ctx, files[i], path, sizeof(path));
		f->fd = probe_open_path(ctx, path);
		/* Without IPv6 there is no sockstat6: the v4 figures are still right. */
		if (f->fd < 0 && i > 0)
			continue;
		if (f->fd < 0) {
			err = probe_off(p, f->fd, "cannot open %s: %s", path, strerror(-f->fd));
			goto fail;
		}
		ss->cur = f;
		n = probe_read(f->fd, &ss->buf);
		err = n < 0 ? (int)n : sockstat_parse(ss->buf.p, add_col, ss);
		if (err) {
			err = probe_off(p, err, "cannot read %s: %s", path,
					err == -EPROTO ? "unknown format" : strerror(-err));
			goto fail;
		}
	}
	return 0;
fail:
	sockstat_close(p);
	return err;
}

static int sockstat_sample(struct probe *p, struct series *s)
{
	struct sockstat *ss = p->priv;
	size_t i;
	int err;

	(void)s;
	for (i = 0; i < ARRAY_SIZE(ss->f); i++) {
		long n;

		if (ss->f[i].fd < 0)
			continue;
		if ((n = probe_read(ss->f[i].fd, &ss->buf)) < 0)
			return (int)n;
		ss->cur = &ss->f[i];
		ss->pos = 0;
		if ((err = sockstat_parse(ss->buf.p, set_col, ss)))
			return err;
	}
	return 0;
}

const struct probe_ops sockstat_probe = {
	.name = "sockstat",
	.per_netns = true,
	.open = sockstat_open,
	.sample = sockstat_sample,
	.close = sockstat_close,
};
