/*
 * sockdiag probe: sockets per TCP state, client/server side, UDP, MPTCP and UNIX via sock_diag.
 *
 * TIME_WAIT sockets are counted from the netns's own figure in /proc/net/sockstat ("tw") instead of
 * being dumped: a churn leaves tens of thousands of them, and dumping each one at 10 Hz cost ~10 ms
 * per sample (measured: 30 ms for 14k with ss, 0 ms without them), which would disturb the run.
 * The kernel's figure also counts orphaned FIN_WAIT2 ends (timewait minisockets, dumped as
 * FIN_WAIT2 with the timewait timer): those are taken out of it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>

#include "common.h"
#include "probe/diag.h"
#include "probe/parse.h"
#include "probe/probe.h"

#define NSTATES 13 /* TCP_ESTABLISHED (1) .. TCP_NEW_SYN_RECV (12) */
#define ST_SYN_RECV 3
#define ST_TIME_WAIT 6
#define ST_CLOSE 7
#define ST_LISTEN 10
#define ST_NEW_SYN_RECV 12
#define TIMER_TIMEWAIT 3 /* idiag_timer of a timewait minisocket */

static const char *const state_names[NSTATES] = {
	[1] = "ESTABLISHED", [2] = "SYN_SENT",	[3] = "SYN_RECV", [4] = "FIN_WAIT1",
	[5] = "FIN_WAIT2",   [6] = "TIME_WAIT", [7] = "CLOSE",	  [8] = "CLOSE_WAIT",
	[9] = "LAST_ACK",    [10] = "LISTEN",	[11] = "CLOSING", [12] = "NEW_SYN_RECV",
};

const char *tcp_state_name(unsigned state)
{
	return state < NSTATES && state_names[state] ? state_names[state] : "?";
}

/* The unix states worth a column; others count in unix.sockets only. */
static const unsigned unix_states[] = { 1, 7, 10 };

struct u32vec {
	uint32_t *v;
	size_t n, cap;
};

struct sockdiag {
	struct diag d;
	uint16_t port; /* server port, network order; 0 unknown */
	char upath[108]; /* server unix name as the kernel reports it */
	size_t upath_len; /* 0 unknown */
	bool has_udp6, has_tcp6, has_mptcp;
	int sockstat_fd;
	struct probe_buf ssbuf;
	uint64_t tw, tw_fin_wait2;

	/* counts of one sample */
	uint64_t tcp[2][NSTATES]; /* [v4, v6][state] */
	uint64_t client, server, udp, mptcp;
	uint64_t unx[NSTATES], unix_all, unix_client, unix_server;
	struct u32vec unix_srv, unix_peer;

	/* columns */
	int c_tcp[NSTATES], c_tcp4[NSTATES], c_tcp6[NSTATES];
	int c_client, c_server, c_udp, c_mptcp;
	int c_unix[NSTATES], c_unix_all, c_unix_client, c_unix_server;
};

static int push(struct u32vec *a, uint32_t x)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 256;
		uint32_t *q = realloc(a->v, cap * sizeof(*q));

		if (!q)
			return -ENOMEM;
		a->v = q;
		a->cap = cap;
	}
	a->v[a->n++] = x;
	return 0;
}

static void on_inet(void *arg, const struct nlmsghdr *nlh, int v6)
{
	struct sockdiag *sd = arg;
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	unsigned st = m->idiag_state;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return;
	if (st == ST_NEW_SYN_RECV)
		st = ST_SYN_RECV;
	if (st >= NSTATES)
		return;
	sd->tcp[v6][st]++;
	if (m->idiag_timer == TIMER_TIMEWAIT)
		sd->tw_fin_wait2++;
	/*
	 * A side is a socket the program still holds (it has an inode): orphans closing down, TIME_WAIT
	 * and request sockets are the kernel's, not leaked by the program.
	 */
	if (!sd->port || st == ST_LISTEN || !m->idiag_inode)
		return;
	if (m->id.idiag_dport == sd->port)
		sd->client++;
	else if (m->id.idiag_sport == sd->port)
		sd->server++;
}

static void on_count(void *arg, const struct nlmsghdr *nlh, int which)
{
	struct sockdiag *sd = arg;

	(void)nlh;
	if (which == IPPROTO_UDP)
		sd->udp++;
	else
		sd->mptcp++;
}

struct unix_attrs {
	const struct nlattr *name, *peer;
};

static int unix_attr(const struct nlattr *a, void *arg)
{
	struct unix_attrs *ua = arg;

	if (mnl_attr_get_type(a) == UNIX_DIAG_NAME)
		ua->name = a;
	else if (mnl_attr_get_type(a) == UNIX_DIAG_PEER && mnl_attr_get_payload_len(a) >= 4)
		ua->peer = a;
	return MNL_CB_OK;
}

static bool is_server_name(const struct sockdiag *sd, const struct nlattr *name)
{
	const char *p;
	size_t len;

	if (!sd->upath_len || !name)
		return false;
	p = mnl_attr_get_payload(name);
	len = mnl_attr_get_payload_len(name);
	/* Abstract names are exact bytes; path names may carry their NUL. */
	if (p[0] != '\0')
		len = strnlen(p, len);
	return len == sd->upath_len && !memcmp(p, sd->upath, len);
}

static void on_unix(void *arg, const struct nlmsghdr *nlh, int unused)
{
	struct sockdiag *sd = arg;
	const struct unix_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	struct unix_attrs ua = { 0 };

	(void)unused;
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return;
	sd->unix_all++;
	if (m->udiag_state < NSTATES)
		sd->unx[m->udiag_state]++;
	if (!sd->upath_len || m->udiag_state == ST_LISTEN)
		return;
	mnl_attr_parse(nlh, sizeof(*m), unix_attr, &ua);
	/* Accepted sockets carry the listener's name; the clients are their unnamed peers. */
	if (is_server_name(sd, ua.name)) {
		sd->unix_server++;
		push(&sd->unix_srv, m->udiag_ino);
	} else if (!ua.name && ua.peer) {
		push(&sd->unix_peer, mnl_attr_get_u32(ua.peer));
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void count_unix_clients(struct sockdiag *sd)
{
	size_t i;

	if (!sd->unix_srv.n)
		return;
	qsort(sd->unix_srv.v, sd->unix_srv.n, sizeof(uint32_t), cmp_u32);
	for (i = 0; i < sd->unix_peer.n; i++)
		if (bsearch(&sd->unix_peer.v[i], sd->unix_srv.v, sd->unix_srv.n, sizeof(uint32_t),
			    cmp_u32))
			sd->unix_client++;
}

static int dump_inet(struct sockdiag *sd, int family, unsigned proto, diag_fn fn, int arg)
{
	struct inet_diag_req_v2 req = {
		.sdiag_family = (uint8_t)family,
		.sdiag_protocol = proto > 255 ? 0 : (uint8_t)proto,
		.idiag_states = ~(1U << ST_TIME_WAIT),
	};

	return diag_dump(&sd->d, &req, sizeof(req), proto, NULL, 0, fn, sd, arg);
}

static int dump_unix(struct sockdiag *sd)
{
	struct unix_diag_req req = {
		.sdiag_family = AF_UNIX,
		.udiag_states = ~0U,
		.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER,
		.udiag_cookie = { INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE },
	};

	sd->unix_srv.n = sd->unix_peer.n = 0;
	return diag_dump(&sd->d, &req, sizeof(req), 0, NULL, 0, on_unix, sd, 0);
}

static int on_tw(void *arg, const char *proto, const char *key, double v)
{
	struct sockdiag *sd = arg;

	if (!strcmp(proto, "TCP") && !strcmp(key, "tw"))
		sd->tw = (uint64_t)v;
	return 0;
}

static int collect(struct sockdiag *sd)
{
	long n;
	int err;

	memset(sd->tcp, 0, sizeof(sd->tcp));
	memset(sd->unx, 0, sizeof(sd->unx));
	sd->client = sd->server = sd->udp = sd->mptcp = sd->tw_fin_wait2 = 0;
	sd->unix_all = sd->unix_client = sd->unix_server = 0;
	if ((err = dump_inet(sd, AF_INET, IPPROTO_TCP, on_inet, 0)))
		return err;
	if (sd->has_tcp6 && (err = dump_inet(sd, AF_INET6, IPPROTO_TCP, on_inet, 1)))
		return err;
	if ((err = dump_inet(sd, AF_INET, IPPROTO_UDP, on_count, IPPROTO_UDP)))
		return err;
	if (sd->has_udp6 && (err = dump_inet(sd, AF_INET6, IPPROTO_UDP, on_count, IPPROTO_UDP)))
		return err;
	if (sd->has_mptcp && (err = dump_inet(sd, AF_INET, IPPROTO_MPTCP, on_count, 0)))
		return err;
	if ((err = dump_unix(sd)))
		return err;
	count_unix_clients(sd);
	if ((n = probe_read(sd->sockstat_fd, &sd->ssbuf)) < 0)
		return (int)n;
	sd->tw = 0;
	return sockstat_parse(sd->ssbuf.p, on_tw, sd);
}

/* Adds PREFIX.OBJECT: sockets of the run's own netns, a state or a side of a family. */
static int col(struct series *s, const char *prefix, const char *object, enum metric_class cls,
	       unsigned families, unsigned traits)
{
	char name[96];

	snprintf(name, sizeof(name), "%s%s", prefix, object);
	/* A column another probe added first is its own (tcpstate's in-kernel TCP states). */
	if (series_find(s, name) >= 0)
		return -1;
	return series_add(s, name,
			  &(struct metric_desc){ .kind = MK_LEVEL,
						 .unit = UNIT_COUNT,
						 .cls = cls,
						 .families = families,
						 .traits = MT_NETNS | traits,
						 .source = "sockdiag",
						 .object = object });
}

/* tcp.state.NAME (and its split by family): TIME_WAIT is sockstat's tw, FIN_WAIT2 ends taken out. */
static int tcp_col(struct series *s, const char *prefix, unsigned st, unsigned split)
{
	if (st == ST_TIME_WAIT)
		return col(s, prefix, state_names[st], MC_TIME_WAIT, FAM_TCP,
			   MT_TIME_WAIT | MT_PART | split);
	return col(s, prefix, state_names[st], MC_STATE, FAM_TCP, split);
}

static int add_cols(struct sockdiag *sd, struct series *s)
{
	unsigned st;
	size_t i;

	for (st = 1; st < NSTATES; st++) {
		sd->c_tcp[st] = sd->c_tcp4[st] = sd->c_tcp6[st] = -1;
		sd->c_unix[st] = -1;
		if (st == ST_NEW_SYN_RECV)
			continue; /* counted as SYN_RECV, like ss does */
		sd->c_tcp[st] = tcp_col(s, "tcp.state.", st, 0);
		if (st == ST_TIME_WAIT)
			continue; /* one figure for both families: sockstat's */
		sd->c_tcp4[st] = tcp_col(s, "tcp4.state.", st, MT_SPLIT);
		if (sd->has_tcp6)
			sd->c_tcp6[st] = tcp_col(s, "tcp6.state.", st, MT_SPLIT);
	}
	sd->c_client = sd->c_server = sd->c_unix_client = sd->c_unix_server = sd->c_mptcp = -1;
	/* The sides of the run's own connections: each leaked client socket is one more client. */
	if (sd->port) {
		sd->c_client = col(s, "tcp.", "client", MC_SOCKETS, FAM_TCP, MT_CLIENT | MT_KEY);
		sd->c_server = col(s, "tcp.", "server", MC_SOCKETS, FAM_TCP, MT_SERVER | MT_KEY);
	}
	sd->c_udp = col(s, "udp.", "sockets", MC_SOCKETS, FAM_UDP, 0);
	if (sd->has_mptcp)
		sd->c_mptcp = col(s, "mptcp.", "sockets", MC_SOCKETS, FAM_MPTCP, 0);
	for (i = 0; i < ARRAY_SIZE(unix_states); i++)
		sd->c_unix[unix_states[i]] =
			col(s, "unix.state.", state_names[unix_states[i]], MC_STATE, FAM_UNIX, 0);
	sd->c_unix_all = col(s, "unix.", "sockets", MC_SOCKETS, FAM_UNIX, 0);
	if (sd->upath_len) {
		sd->c_unix_client =
			col(s, "unix.", "client", MC_SOCKETS, FAM_UNIX, MT_CLIENT | MT_KEY);
		sd->c_unix_server =
			col(s, "unix.", "server", MC_SOCKETS, FAM_UNIX, MT_SERVER | MT_KEY);
	}
	return sd->c_unix_all < 0 ? -ENOMEM : 0;
}

static void set_cols(struct sockdiag *sd, struct series *s)
{
	unsigned st;

	sd->tcp[0][ST_TIME_WAIT] = sd->tw > sd->tw_fin_wait2 ? sd->tw - sd->tw_fin_wait2 : 0;
	for (st = 1; st < ST_NEW_SYN_RECV; st++) {
		uint64_t v4 = sd->tcp[0][st], v6 = sd->tcp[1][st];

		series_set(s, sd->c_tcp[st], (double)(v4 + v6));
		series_set(s, sd->c_tcp4[st], (double)v4);
		series_set(s, sd->c_tcp6[st], (double)v6);
		series_set(s, sd->c_unix[st], (double)sd->unx[st]);
	}
	series_set(s, sd->c_client, (double)sd->client);
	series_set(s, sd->c_server, (double)sd->server);
	series_set(s, sd->c_udp, (double)sd->udp);
	series_set(s, sd->c_mptcp, (double)sd->mptcp);
	series_set(s, sd->c_unix_all, (double)sd->unix_all);
	series_set(s, sd->c_unix_client, (double)sd->unix_client);
	series_set(s, sd->c_unix_server, (double)sd->unix_server);
}

static void sockdiag_close(struct probe *p)
{
	struct sockdiag *sd = p->priv;

	if (!sd)
		return;
	diag_close(&sd->d);
	if (sd->sockstat_fd >= 0)
		close(sd->sockstat_fd);
	probe_buf_free(&sd->ssbuf);
	free(sd->unix_srv.v);
	free(sd->unix_peer.v);
	free(sd);
	p->priv = NULL;
}

static int sockdiag_open(struct probe *p, const struct probe_ctx *ctx, struct series *s)
{
	struct sockdiag *sd = calloc(1, sizeof(*sd));
	char path[96];
	int err;

	if (!sd)
		return probe_off(p, -ENOMEM, "out of memory");
	p->priv = sd;
	sd->sockstat_fd = -1;
	/* Fixture trees have no netlink: only the live kernel can be asked. */
	if (ctx->root && *ctx->root) {
		err = probe_off(p, -ENOTSUP, "sock_diag reads the live kernel only");
		goto fail;
	}
	if ((err = diag_open(&sd->d))) {
		err = probe_off(p, err, "cannot open a NETLINK_SOCK_DIAG socket: %s",
				strerror(-err));
		goto fail;
	}
	probe_net_path(ctx, "sockstat", path, sizeof(path));
	sd->sockstat_fd = probe_open_path(ctx, path);
	err = sd->sockstat_fd < 0 ? sd->sockstat_fd : probe_buf_init(&sd->ssbuf, 4096);
	if (err) {
		err = probe_off(p, err, "cannot read %s for the TIME_WAIT count", path);
		goto fail;
	}
	sd->port = htons(ctx->server_port);
	if (ctx->server_path && *ctx->server_path) {
		const char *sp = ctx->server_path;

		if (sp[0] == '@') { /* abstract: the kernel reports a leading NUL */
			sd->upath[0] = '\0';
			snprintf(sd->upath + 1, sizeof(sd->upath) - 1, "%s", sp + 1);
			sd->upath_len = 1 + strlen(sd->upath + 1);
		} else {
			snprintf(sd->upath, sizeof(sd->upath), "%s", sp);
			sd->upath_len = strlen(sd->upath);
		}
	}
	/* Each family or protocol the kernel cannot dump is left out; TCP v4 and UNIX are needed. */
	if ((err = dump_inet(sd, AF_INET, IPPROTO_TCP, on_inet, 0))) {
		err = probe_off(p, err,
				"inet_diag cannot dump TCP sockets: %s (is tcp_diag there?)",
				strerror(-err));
		goto fail;
	}
	if ((err = dump_unix(sd))) {
		err = probe_off(p, err, "unix_diag cannot dump UNIX sockets: %s", strerror(-err));
		goto fail;
	}
	sd->has_tcp6 = !dump_inet(sd, AF_INET6, IPPROTO_TCP, on_inet, 1);
	sd->has_udp6 = !dump_inet(sd, AF_INET6, IPPROTO_UDP, on_count, IPPROTO_UDP);
	sd->has_mptcp = !dump_inet(sd, AF_INET, IPPROTO_MPTCP, on_count, 0);
	if ((err = add_cols(sd, s))) {
		err = probe_off(p, err, "out of memory");
		goto fail;
	}
	return 0;
fail:
	sockdiag_close(p);
	return err;
}

static int sockdiag_sample(struct probe *p, struct series *s)
{
	struct sockdiag *sd = p->priv;
	int err = collect(sd);

	if (!err)
		set_cols(sd, s);
	return err;
}

const struct probe_ops sockdiag_probe = {
	.name = "sockdiag",
	.per_netns = true,
	.open = sockdiag_open,
	.sample = sockdiag_sample,
	.close = sockdiag_close,
};
