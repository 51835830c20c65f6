/* netstat probe: TCP and UDP event counters from /proc/net/netstat and /proc/net/snmp (per netns). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "probe/parse.h"
#include "probe/probe.h"

/*
 * The counters that tell about socket churn going wrong, and their stable keys. Two say which
 * limit TIME_WAIT met: connect() reusing its ports, or tcp_max_tw_buckets.
 */
static const struct {
	const char *section, *field, *key;
	enum metric_class cls;
} wanted[] = {
	{ "TcpExt", "ListenOverflows", "netstat.ListenOverflows", MC_EVENTS },
	{ "TcpExt", "ListenDrops", "netstat.ListenDrops", MC_EVENTS },
	{ "TcpExt", "TCPAbortOnClose", "netstat.TCPAbortOnClose", MC_EVENTS },
	{ "TcpExt", "TCPAbortOnData", "netstat.TCPAbortOnData", MC_EVENTS },
	{ "TcpExt", "TCPAbortOnMemory", "netstat.TCPAbortOnMemory", MC_EVENTS },
	{ "TcpExt", "TCPAbortOnTimeout", "netstat.TCPAbortOnTimeout", MC_EVENTS },
	{ "TcpExt", "TCPAbortOnLinger", "netstat.TCPAbortOnLinger", MC_EVENTS },
	{ "TcpExt", "TCPAbortFailed", "netstat.TCPAbortFailed", MC_EVENTS },
	{ "TcpExt", "TCPMemoryPressures", "netstat.TCPMemoryPressures", MC_EVENTS },
	{ "TcpExt", "TCPTimeWaitOverflow", "netstat.TCPTimeWaitOverflow", MC_TW_OVERFLOW },
	{ "TcpExt", "TCPReqQFullDrop", "netstat.TCPReqQFullDrop", MC_EVENTS },
	{ "TcpExt", "TCPBacklogDrop", "netstat.TCPBacklogDrop", MC_EVENTS },
	{ "TcpExt", "OutOfWindowIcmps", "netstat.OutOfWindowIcmps", MC_EVENTS },
	{ "TcpExt", "TW", "netstat.TW", MC_EVENTS },
	{ "TcpExt", "TWRecycled", "netstat.TWRecycled", MC_TW_RECYCLED },
	{ "Tcp", "ActiveOpens", "netstat.ActiveOpens", MC_EVENTS },
	{ "Tcp", "PassiveOpens", "netstat.PassiveOpens", MC_EVENTS },
	{ "Tcp", "AttemptFails", "netstat.AttemptFails", MC_EVENTS },
	{ "Tcp", "EstabResets", "netstat.EstabResets", MC_EVENTS },
	{ "Tcp", "OutRsts", "netstat.OutRsts", MC_EVENTS },
	{ "Udp", "InErrors", "netstat.UdpInErrors", MC_EVENTS },
	{ "Udp", "RcvbufErrors", "netstat.UdpRcvbufErrors", MC_EVENTS },
	{ "Udp", "SndbufErrors", "netstat.UdpSndbufErrors", MC_EVENTS },
};

static const char *line_end(const char *p)
{
	const char *e = strchr(p, '\n');

	return e ? e : p + strlen(p);
}

int netstat_parse(const char *buf, netstat_fn fn, void *arg)
{
	const char *names = buf;
	char section[32], field[64];
	int err;

	while (*names) {
		const char *ne = line_end(names), *vals, *ve, *c;
		size_t sl;

		if (!*ne)
			return -EPROTO;
		vals = ne + 1;
		ve = line_end(vals);
		c = memchr(names, ':', ne - names);
		if (!c || (sl = c - names) >= sizeof(section) || strncmp(vals, names, sl + 1))
			return -EPROTO;
		memcpy(section, names, sl);
		section[sl] = '\0';
		names = c + 1;
		vals += sl + 1;
		for (;;) {
			const char *f;
			char *end;
			double v;

			while (*names == ' ')
				names++;
			if (names >= ne)
				break;
			f = names;
			while (names < ne && *names != ' ')
				names++;
			if ((size_t)(names - f) >= sizeof(field))
				return -EPROTO;
			memcpy(field, f, names - f);
			field[names - f] = '\0';
			v = strtod(vals, &end);
			if (end == vals || end > ve)
				return -EPROTO;
			vals = end;
			if ((err = fn(arg, section, field, v)))
				return err;
		}
		names = *ve ? ve + 1 : ve;
	}
	return 0;
}

struct netstat_file {
	int fd;
	int *map; /* per field, in file order: its column or -1 */
	size_t n;
};

struct netstat {
	struct netstat_file f[2]; /* netstat, snmp */
	struct probe_buf buf;
	struct series *s;
	struct netstat_file *cur;
	size_t pos;
	unsigned found;
};

static int map_field(void *arg, const char *section, const char *field, double v)
{
	struct netstat *ns = arg;
	struct netstat_file *f = ns->cur;
	int col = -1, *q;
	size_t i;

	(void)v;
	for (i = 0; i < ARRAY_SIZE(wanted); i++)
		if (!strcmp(wanted[i].section, section) && !strcmp(wanted[i].field, field)) {
			/* The file is the run's netns' own. */
			col = series_add(ns->s, wanted[i].key,
					 &(struct metric_desc){ .kind = MK_COUNTER,
								.unit = UNIT_COUNT,
								.cls = wanted[i].cls,
								.traits = MT_NETNS,
								.source = "netstat",
								.object = wanted[i].key + 8 });
			if (col < 0)
				return col;
			ns->found++;
			break;
		}
	if (!(q = realloc(f->map, (f->n + 1) * sizeof(*q))))
		return -ENOMEM;
	f->map = q;
	f->map[f->n++] = col;
	return 0;
}

/* The files list the same fields in the same order for the kernel's life: map by position. */
static int set_field(void *arg, const char *section, const char *field, double v)
{
	struct netstat *ns = arg;

	(void)section;
	(void)field;
	if (ns->pos < ns->cur->n && ns->cur->map[ns->pos] >= 0)
		series_set(ns->s, ns->cur->map[ns->pos], v);
	ns->pos++;
	return 0;
}

static void netstat_close(struct probe *p)
{
	struct netstat *ns = p->priv;
	size_t i;

	if (!ns)
		return;
	for (i = 0; i < ARRAY_SIZE(ns->f); i++) {
		if (ns->f[i].fd >= 0)
			close(ns->f[i].fd);
		free(ns->f[i].map);
	}
	probe_buf_free(&ns->buf);
	free(ns);
	p->priv = NULL;
}

static int netstat_open(struct probe *p, const struct probe_ctx *ctx, struct series *s)
{
	static const char *const files[] = { "netstat", "snmp" };
	struct netstat *ns = calloc(1, sizeof(*ns));
	char path[128];
	size_t i;
	int err;

	if (!ns)
		return probe_off(p, -ENOMEM, "out of memory");
	p->priv = ns;
	ns->s = s;
	ns->f[0].fd = ns->f[1].fd = -1;
	if ((err = probe_buf_init(&ns->buf, 16384)))
		goto fail;
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		struct netstat_file *f = &ns->f[i];
		long n;

		probe_net_path(ctx, files[i], path, sizeof(path));
		f->fd = probe_open_path(ctx, path);
		if (f->fd < 0) {
			err = probe_off(p, f->fd, "cannot open %s: %s", path, strerror(-f->fd));
			goto fail;
		}
		ns->cur = f;
		n = probe_read(f->fd, &ns->buf);
		err = n < 0 ? (int)n : netstat_parse(ns->buf.p, map_field, ns);
		if (err) {
			err = probe_off(p, err, "cannot read %s: %s", path,
					err == -EPROTO ? "unknown format" : strerror(-err));
			goto fail;
		}
	}
	if (!ns->found) {
		err = probe_off(p, -ENOENT, "none of the TCP counters found in /proc/net/netstat");
		goto fail;
	}
	return 0;
fail:
	netstat_close(p);
	return err;
}

static int netstat_sample(struct probe *p, struct series *s)
{
	struct netstat *ns = p->priv;
	size_t i;
	int err;

	(void)s;
	for (i = 0; i < ARRAY_SIZE(ns->f); i++) {
		long n = probe_read(ns->f[i].fd, &ns->buf);

		if (n < 0)
			return (int)n;
		ns->cur = &ns->f[i];
		ns->pos = 0;
		if ((err = netstat_parse(ns->buf.p, set_field, ns)))
			return err;
	}
	return 0;
}

const struct probe_ops netstat_probe = {
	.name = "netstat",
	.per_netns = true,
	.open = netstat_open,
	.sample = netstat_sample,
	.close = netstat_close,
};
