/*
 * tcpstate probe: the run's TCP sockets per state, counted in the kernel from inet_sock_set_state
 * (--attribute's eBPF program) instead of dumped through sock_diag, so they cost a map lookup a
 * sample and never sit out a tick. Full sockets only: TIME_WAIT (sockstat's figure), CLOSE (entered
 * without an event at creation) and request minisockets stay with the sockdiag probe.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe/parse.h"
#include "probe/probe.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

/* The states counted here (TCP_ESTABLISHED 1 ... TCP_CLOSING 11), without TIME_WAIT and CLOSE. */
static const unsigned states[] = { 1, 2, 3, 4, 5, 8, 9, 10, 11 };
#define NSTATES (sizeof(states) / sizeof(states[0]))

struct tcpstate {
	const struct probe_ctx *ctx;
	uint64_t cookie; /* the run's network namespace */
	int c_all[NSTATES], c_v4[NSTATES], c_v6[NSTATES];
	int (*read)(void *arg, uint64_t cookie, int64_t out[2][16]);
	void *arg;
};

/* tcp.state.NAME and its split by family, described as sockdiag describes its own. */
static int col(struct series *s, const char *prefix, unsigned st, unsigned split)
{
	char name[64];

	snprintf(name, sizeof(name), "%s%s", prefix, tcp_state_name(st));
	return series_add(
		s, name,
		&(struct metric_desc){
			.kind = MK_LEVEL,
			.unit = UNIT_COUNT,
			.cls = MC_STATE,
			.families = FAM_TCP,
			.traits = MT_NETNS | split,
			.source = "tcpstate",
			.object = tcp_state_name(st),
			.note = "counted in the kernel (inet_sock_set_state): full sockets only",
		});
}

static void tcpstate_close(struct probe *p)
{
	free(p->priv);
	p->priv = NULL;
}

static int tcpstate_open(struct probe *p, const struct probe_ctx *ctx, struct series *s)
{
	socklen_t len = sizeof(uint64_t);
	struct tcpstate *ts;
	size_t i;
	int fd;

	/* Only with --attribute, and only for a namespace of the run's own: no socket predates it. */
	if (!ctx->tcp_states || ctx->netns_fd < 0) {
		p->unasked = true;
		return probe_off(p, -ENODATA, "counted by sock_diag");
	}
	ts = calloc(1, sizeof(*ts));
	if (!ts)
		return probe_off(p, -ENOMEM, "out of memory");
	p->priv = ts;
	ts->read = ctx->tcp_states;
	ts->arg = ctx->tcp_states_arg;
	/* Opened inside the run's namespace: a socket here tells its cookie. */
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &ts->cookie, &len)) {
		int err = -errno;

		if (fd >= 0)
			close(fd);
		tcpstate_close(p);
		return probe_off(p, err, "no network namespace cookie (SO_NETNS_COOKIE): %s",
				 strerror(-err));
	}
	close(fd);
	for (i = 0; i < NSTATES; i++) {
		ts->c_all[i] = col(s, "tcp.state.", states[i], 0);
		ts->c_v4[i] = col(s, "tcp4.state.", states[i], MT_SPLIT);
		ts->c_v6[i] = col(s, "tcp6.state.", states[i], MT_SPLIT);
		if (ts->c_all[i] < 0 || ts->c_v4[i] < 0 || ts->c_v6[i] < 0) {
			tcpstate_close(p);
			return probe_off(p, -ENOMEM, "out of memory");
		}
	}
	return 0;
}

static int tcpstate_sample(struct probe *p, struct series *s)
{
	struct tcpstate *ts = p->priv;
	int64_t n[2][16] = { { 0 } };
	size_t i;
	int err = ts->read(ts->arg, ts->cookie, n);

	/* No entry yet: no TCP socket of that namespace has changed state. */
	if (err && err != -ENOENT)
		return err;
	for (i = 0; i < NSTATES; i++) {
		int64_t v4 = n[0][states[i]], v6 = n[1][states[i]];

		series_set(s, ts->c_all[i], (double)(v4 + v6));
		series_set(s, ts->c_v4[i], (double)v4);
		series_set(s, ts->c_v6[i], (double)v6);
	}
	return 0;
}

const struct probe_ops tcpstate_probe = {
	.name = "tcpstate",
	.per_netns = true,
	.open = tcpstate_open,
	.sample = tcpstate_sample,
	.close = tcpstate_close,
};
