/*
 * port probe: the TCP sockets of the watched server's port by state, on the server's side (local
 * port: its listener and the connections it accepted) and on the client side (remote port), from
 * one sock_diag dump filtered by that port in the kernel. TIME_WAIT included: a port's sockets,
 * unlike a whole namespace's, are what the run made; the probe's cost is its own (probe.port.us)
 * and the sampler's budget has it sit out ticks when a long death row makes it dear.
 *
 * Sockets the server no longer holds count too (orphans in FIN_WAIT1/2, LAST_ACK, CLOSING):
 * CLOSE_WAIT that grows with cycles is the server never closing what clients closed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <netinet/in.h>

#include "common.h"
#include "probe/diag.h"
#include "probe/parse.h"
#include "probe/probe.h"

#define NSTATES 13 /* TCP_ESTABLISHED (1) .. TCP_NEW_SYN_RECV (12) */
#define ST_SYN_SENT 2
#define ST_SYN_RECV 3
#define ST_TIME_WAIT 6
#define ST_LISTEN 10
#define ST_NEW_SYN_RECV 12

enum side { SIDE_SERVER, SIDE_CLIENT, SIDES };

/* The states worth a column on each side: what a connection passes through there. */
static const unsigned states[] = { 10, 3, 2, 1, 8, 9, 4, 5, 11, 6 };

struct port {
	struct diag d;
	uint16_t port; /* host order */
	unsigned char bc[DIAG_PORT_FILTER];
	size_t bclen;
	bool v6;
	uint64_t n[SIDES][NSTATES];
	int c[SIDES][NSTATES];
};

static bool on_side(unsigned st, enum side sd)
{
	if (st == ST_LISTEN || st == ST_SYN_RECV)
		return sd == SIDE_SERVER;
	if (st == ST_SYN_SENT)
		return sd == SIDE_CLIENT;
	return true;
}

static void on_sock(void *arg, const struct nlmsghdr *nlh, int unused)
{
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	struct port *pt = arg;
	unsigned st;

	(void)unused;
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return;
	st = m->idiag_state == ST_NEW_SYN_RECV ? ST_SYN_RECV : m->idiag_state;
	if (st >= NSTATES)
		return;
	/* A connection to itself (both ports the same) is the server's: it listens there. */
	if (ntohs(m->id.idiag_sport) == pt->port)
		pt->n[SIDE_SERVER][st]++;
	else if (ntohs(m->id.idiag_dport) == pt->port)
		pt->n[SIDE_CLIENT][st]++;
}

static int dump(struct port *pt, int family)
{
	struct inet_diag_req_v2 req = {
		.sdiag_family = (uint8_t)family,
		.sdiag_protocol = IPPROTO_TCP,
		.idiag_states = ~0U,
	};

	return diag_dump(&pt->d, &req, sizeof(req), IPPROTO_TCP, pt->bc, pt->bclen, on_sock, pt, 0);
}

static int port_sample(struct probe *p, struct series *s)
{
	struct port *pt = p->priv;
	unsigned i;
	int err, sd;

	memset(pt->n, 0, sizeof(pt->n));
	if ((err = dump(pt, AF_INET)) || (pt->v6 && (err = dump(pt, AF_INET6))))
		return err;
	for (sd = 0; sd < SIDES; sd++)
		for (i = 0; i < ARRAY_SIZE(states); i++)
			series_set(s, pt->c[sd][states[i]], (double)pt->n[sd][states[i]]);
	return 0;
}

static void port_close(struct probe *p)
{
	struct port *pt = p->priv;

	if (!pt)
		return;
	diag_close(&pt->d);
	free(pt);
	p->priv = NULL;
}

static bool port_applies(const struct probe_ctx *ctx)
{
	return ctx->server_port_states && ctx->server_port;
}

/* port.server.STATE and port.client.STATE: sockets of the run's netns (or the server's). */
static int add_cols(struct port *pt, struct series *s)
{
	static const char *const side_name[SIDES] = { "server", "client" };
	static const unsigned side_trait[SIDES] = { MT_SERVER, MT_CLIENT };
	char name[64], note[96];
	unsigned i;
	int sd;

	for (sd = 0; sd < SIDES; sd++) {
		snprintf(note, sizeof(note), "TCP sockets whose %s port is %u",
			 sd == SIDE_SERVER ? "local" : "remote", pt->port);
		for (i = 0; i < ARRAY_SIZE(states); i++) {
			unsigned st = states[i], tw = st == ST_TIME_WAIT;

			pt->c[sd][st] = -1;
			if (!on_side(st, sd))
				continue;
			snprintf(name, sizeof(name), "port.%s.%s", side_name[sd],
				 tcp_state_name(st));
			pt->c[sd][st] = series_add(
				s, name,
				&(struct metric_desc){
					.kind = MK_LEVEL,
					.unit = UNIT_COUNT,
					.cls = tw ? MC_TIME_WAIT : MC_STATE,
					.families = FAM_TCP,
					.traits = MT_NETNS | side_trait[sd] |
						  (tw ? MT_TIME_WAIT | MT_PART : 0) |
						  (st == 8 && sd == SIDE_SERVER ? MT_KEY : 0),
					.source = "port",
					.object = tcp_state_name(st),
					.note = note });
			if (pt->c[sd][st] < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

static int port_open(struct probe *p, const struct probe_ctx *ctx, struct series *s)
{
	struct port *pt = calloc(1, sizeof(*pt));
	int err;

	if (!pt)
		return probe_off(p, -ENOMEM, "out of memory");
	p->priv = pt;
	if (ctx->root && *ctx->root) {
		err = probe_off(p, -ENOTSUP, "sock_diag reads the live kernel only");
		goto fail;
	}
	if ((err = diag_open(&pt->d))) {
		err = probe_off(p, err, "cannot open a NETLINK_SOCK_DIAG socket: %s",
				strerror(-err));
		goto fail;
	}
	pt->port = ctx->server_port;
	pt->bclen = diag_port_filter(pt->port, pt->bc);
	if ((err = dump(pt, AF_INET))) {
		err = probe_off(p, err, "inet_diag cannot dump TCP sockets by port: %s",
				strerror(-err));
		goto fail;
	}
	pt->v6 = !dump(pt, AF_INET6);
	if ((err = add_cols(pt, s))) {
		err = probe_off(p, err, "out of memory");
		goto fail;
	}
	return 0;
fail:
	port_close(p);
	return err;
}

const struct probe_ops port_probe = {
	.name = "port",
	.per_netns = true,
	.applies = port_applies,
	.open = port_open,
	.sample = port_sample,
	.close = port_close,
};
