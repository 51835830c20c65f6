/* TCP states from the connection tables (GetTcpTable, GetTcp6Table), and the ports in use. */
#include <errno.h>
#include <iphlpapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "probe/win/probes.h"

#define SRC "tcptable"

#define NSTATES 13 /* MIB_TCP_STATE_CLOSED (1) .. MIB_TCP_STATE_DELETE_TCB (12) */

static const char *const state_names[NSTATES] = {
	[MIB_TCP_STATE_CLOSED] = "CLOSE",	 [MIB_TCP_STATE_LISTEN] = "LISTEN",
	[MIB_TCP_STATE_SYN_SENT] = "SYN_SENT",	 [MIB_TCP_STATE_SYN_RCVD] = "SYN_RECV",
	[MIB_TCP_STATE_ESTAB] = "ESTABLISHED",	 [MIB_TCP_STATE_FIN_WAIT1] = "FIN_WAIT1",
	[MIB_TCP_STATE_FIN_WAIT2] = "FIN_WAIT2", [MIB_TCP_STATE_CLOSE_WAIT] = "CLOSE_WAIT",
	[MIB_TCP_STATE_CLOSING] = "CLOSING",	 [MIB_TCP_STATE_LAST_ACK] = "LAST_ACK",
	[MIB_TCP_STATE_TIME_WAIT] = "TIME_WAIT", [MIB_TCP_STATE_DELETE_TCB] = "DELETE_TCB",
};

const char *win_tcp_state_name(unsigned state)
{
	return state < NSTATES ? state_names[state] : NULL;
}

struct tcptable {
	uint16_t port; /* the local server's, host order; 0: count every connection */
	void *buf;
	DWORD cap;
	int col[NSTATES], ports;
	double n[NSTATES], used;
};

static void count(struct tcptable *t, DWORD state, DWORD lport, DWORD rport)
{
	uint16_t l = ntohs((u_short)lport), r = ntohs((u_short)rport);

	if (t->port && l != t->port && r != t->port)
		return;
	if (state < NSTATES)
		t->n[state]++;
	if (t->port && r == t->port)
		t->used++; /* a client socket: it holds an ephemeral port until TIME_WAIT ends */
}

/* The basic tables (no owning process): the owner's lookup costs more than the table itself. */
static DWORD get_table(struct tcptable *t, ULONG family, ULONG *size)
{
	if (family == AF_INET)
		return GetTcpTable(t->buf, size, FALSE);
	return GetTcp6Table(t->buf, size, FALSE);
}

static int read_table(struct tcptable *t, ULONG family)
{
	ULONG size;
	DWORD rc, i;

	for (;;) {
		size = t->cap;
		rc = get_table(t, family, &size);
		if (rc != ERROR_INSUFFICIENT_BUFFER)
			break;
		/* Only when the table outgrew the buffer: not in steady state. */
		{
			void *q = realloc(t->buf, size + 65536);

			if (!q)
				return -ENOMEM;
			t->buf = q;
			t->cap = size + 65536;
		}
	}
	if (rc == ERROR_NO_DATA || (rc == ERROR_NOT_SUPPORTED && family == AF_INET6))
		return 0; /* no connections, or no IPv6 stack */
	if (rc != NO_ERROR)
		return -EIO;
	if (family == AF_INET) {
		const MIB_TCPTABLE *tb = t->buf;

		for (i = 0; i < tb->dwNumEntries; i++)
			count(t, tb->table[i].dwState, tb->table[i].dwLocalPort,
			      tb->table[i].dwRemotePort);
	} else {
		const MIB_TCP6TABLE *tb = t->buf;

		for (i = 0; i < tb->dwNumEntries; i++)
			count(t, tb->table[i].State, tb->table[i].dwLocalPort,
			      tb->table[i].dwRemotePort);
	}
	return 0;
}

static int tcptable_read(struct tcptable *t)
{
	int err;

	memset(t->n, 0, sizeof(t->n));
	t->used = 0;
	err = read_table(t, AF_INET);
	if (!err)
		err = read_table(t, AF_INET6);
	return err;
}

static int tcptable_open(struct probe *p, const struct probe_ctx *ctx, struct series *s)
{
	struct tcptable *t = calloc(1, sizeof(*t));
	char name[64];
	unsigned st;

	if (!t)
		return -ENOMEM;
	t->port = ctx->server_port;
	t->cap = 256 * 1024;
	t->buf = malloc(t->cap);
	if (!t->buf || tcptable_read(t)) {
		free(t->buf);
		free(t);
		return probe_off(p, -EIO, "the TCP connection table cannot be read: no TCP states");
	}
	for (st = 1; st < NSTATES; st++) {
		snprintf(name, sizeof(name), "tcp.state.%s", state_names[st]);
		/* Counted for the local server's port: the run's own connections. */
		t->col[st] = series_add(
			s, name,
			&(struct metric_desc){
				.kind = MK_LEVEL,
				.unit = UNIT_COUNT,
				.cls = st == MIB_TCP_STATE_TIME_WAIT ? MC_TIME_WAIT : MC_STATE,
				.families = FAM_TCP,
				.traits = MT_NETNS |
					  (st == MIB_TCP_STATE_TIME_WAIT ? MT_TIME_WAIT : 0),
				.source = SRC,
				.object = state_names[st] });
	}
	t->ports =
		t->port ? series_add(s, "tcp.ports.used",
				     &(struct metric_desc){ .kind = MK_LEVEL,
							    .unit = UNIT_COUNT,
							    .cls = MC_SOCKETS,
							    .families = FAM_TCP,
							    .traits = MT_NETNS | MT_CLIENT | MT_KEY,
							    .source = SRC,
							    .object = "client" }) :
			  -1;
	p->priv = t;
	return 0;
}

static int tcptable_sample(struct probe *p, struct series *s)
{
	struct tcptable *t = p->priv;
	unsigned st;
	int err = tcptable_read(t);

	if (err)
		return err;
	for (st = 1; st < NSTATES; st++)
		series_set(s, t->col[st], t->n[st]);
	if (t->ports >= 0)
		series_set(s, t->ports, t->used);
	return 0;
}

static void tcptable_close(struct probe *p)
{
	struct tcptable *t = p->priv;

	free(t->buf);
	free(t);
	p->priv = NULL;
}

const struct probe_ops tcptable_probe = {
	.name = "tcptable",
	.open = tcptable_open,
	.sample = tcptable_sample,
	.close = tcptable_close,
};
