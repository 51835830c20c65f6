/* sockleak repro: a saved run as one self-contained C program (libc and kernel headers only). */
#include "repro/repro.h"

#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "engine/seq.h"
#include "engine/server_seq.h"
#include "engine/transport.h"

static const char head_text[] =
#include "repro/head.inc"
	;

static const char template_text[] =
#include "repro/template.inc"
	;

uint64_t repro_default_cycles(const struct report_run *run)
{
	const struct result *r = &run->r;
	double n = (double)r->cycles;
	size_t i;

	for (i = 0; i < r->nm && r->verdict_col >= 0; i++) {
		const struct metric_result *m = &r->m[i];

		if (m->col != r->verdict_col)
			continue;
		if (isfinite(m->residual_per_cycle) && m->residual_per_cycle > 0 &&
		    isfinite(m->noise) && m->noise > 0)
			n = ceil(10 * m->noise / m->residual_per_cycle);
		break;
	}
	return n < 1000 ? 1000 : n > 1e8 ? (uint64_t)1e8 : (uint64_t)n;
}

static const char *level_name(int level)
{
	return level == SOL_SOCKET   ? "SOL_SOCKET" :
	       level == IPPROTO_TCP  ? "IPPROTO_TCP" :
	       level == IPPROTO_IPV6 ? "IPPROTO_IPV6" :
				       "IPPROTO_IP";
}

static void flags_text(int flags, char *buf, size_t size)
{
	static const struct {
		int bit;
		const char *name;
	} names[] = { { MSG_DONTWAIT, "MSG_DONTWAIT" }, { MSG_OOB, "MSG_OOB" },
		      { MSG_MORE, "MSG_MORE" },		{ MSG_ZEROCOPY, "MSG_ZEROCOPY" },
		      { MSG_PEEK, "MSG_PEEK" },		{ MSG_WAITALL, "MSG_WAITALL" },
		      { MSG_NOSIGNAL, "MSG_NOSIGNAL" } };
	size_t i, n = 0;

	buf[0] = '0';
	buf[1] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & names[i].bit)
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? " | " : "",
					      names[i].name);
}

/* Text for a block comment: a star-slash (a payload's, say) must not end it. */
static void comment(FILE *f, const char *t, size_t n)
{
	size_t i;

	for (i = 0; i < n && t[i]; i++)
		fprintf(f, "%c%s", t[i], t[i] == '*' && i + 1 < n && t[i + 1] == '/' ? " " : "");
}

/* A byte array (an address, a payload), as C. */
static void bytes(FILE *f, const char *name, const void *p, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	fprintf(f, "\t\tstatic const unsigned char %s[%zu] = {", name, len);
	for (i = 0; i < len; i++)
		fprintf(f, "%s%u", i ? ", " : " ", b[i]);
	fprintf(f, " };\n");
}

/* One op as C; fails the cycle with errno kept (a dontwait op's EAGAIN goes on). */
static void op_code(FILE *f, const struct seq *s, const struct seq_op *op, unsigned i,
		    const char *text)
{
	char fl[160], call[512], a[32];
	const char *name;
	unsigned k;

	flags_text(op->flags, fl, sizeof(fl));
	fprintf(f, "\t/* ");
	comment(f, text + op->pos, op->tlen);
	fprintf(f, " */\n");
	call[0] = '\0';
	if (op->payload) {
		/* A payload's bytes, in the send buffer for its send. */
		snprintf(a, sizeof(a), "payload%u", i);
		fprintf(f, "\t{\n");
		bytes(f, a, s->data + op->off, op->len);
		fprintf(f, "\t\tmemcpy(sbuf, %s, sizeof(%s));\n\t}\n", a, a);
	}
	switch (op->exec) {
	case EX_SOCKET:
	case EX_SOCKET_RCVTIMEO:
		fprintf(f,
			"\tif ((fds[%u] = socket(FAMILY, TYPE | SOCK_CLOEXEC, PROTOCOL)) < 0)\n"
			"\t\treturn %u;\n",
			op->fd, i);
		if (op->exec == EX_SOCKET_RCVTIMEO)
			fprintf(f,
				"\tsetsockopt(fds[%u], SOL_SOCKET, SO_RCVTIMEO, &dgram_wait, "
				"sizeof(dgram_wait));\n",
				op->fd);
		return;
	case EX_SOCKETPAIR:
		snprintf(call, sizeof(call),
			 "socketpair(AF_UNIX, TYPE | SOCK_CLOEXEC, 0, &fds[%u])", op->fd);
		break;
	case EX_SETSOCKOPT:
		name = memchr(text + op->pos, ':', op->tlen);
		k = name ? (unsigned)strcspn(name + 1, "=") : 0;
		fprintf(f, "\t{\n");
		if (op->len == sizeof(struct linger) && op->name == SO_LINGER)
			fprintf(f, "\t\tstatic const struct linger v = { %d, %d };\n",
				op->val.linger.l_onoff, op->val.linger.l_linger);
		else if (!(op->level == IPPROTO_TCP && op->name == TCP_CONGESTION))
			fprintf(f, "\t\tstatic const int v = %d;\n", op->val.i);
		else
			fprintf(f, "\t\tstatic const char v[] = \"%s\";\n", op->val.str);
		fprintf(f,
			"\t\tif (setsockopt(fds[%u], %s, %.*s, &v, %u))\n\t\t\treturn %u;\n\t}\n",
			op->fd, level_name(op->level), (int)k, name + 1, op->len, i);
		return;
	case EX_BIND:
		snprintf(a, sizeof(a), "addr%u", i);
		fprintf(f, "\t{\n");
		bytes(f, a, &op->addr, op->len);
		fprintf(f,
			"\t\tif (bind(fds[%u], (const struct sockaddr *)%s, %u))\n\t\t\treturn %u;\n"
			"\t}\n",
			op->fd, a, op->len, i);
		return;
	case EX_CONNECT:
		snprintf(call, sizeof(call), "connect(fds[%u], (struct sockaddr *)&peer, peerlen)",
			 op->fd);
		break;
	case EX_SEND_ALL:
		snprintf(call, sizeof(call), "send_all(fds[%u], sbuf, %u, %s)", op->fd, op->len,
			 fl);
		break;
	case EX_SEND_DGRAM:
		snprintf(call, sizeof(call), "send(fds[%u], sbuf, %u, %s)", op->fd, op->len, fl);
		break;
	case EX_SENDTO:
		snprintf(call, sizeof(call),
			 "sendto(fds[%u], sbuf, %u, %s, (struct sockaddr *)&peer, peerlen)", op->fd,
			 op->len, fl);
		break;
	case EX_SENDMSG:
		snprintf(call, sizeof(call), "send_iov(fds[%u], %u, %u, %s)", op->fd, op->len,
			 op->iovs, fl);
		break;
	case EX_RECV_ALL:
		snprintf(call, sizeof(call), "recv_all(fds[%u], rbuf, %u, %s)", op->fd, op->len,
			 fl);
		break;
	case EX_RECV_DGRAM:
		snprintf(call, sizeof(call), "recv(fds[%u], rbuf, %u, %s)", op->fd, op->len, fl);
		break;
	case EX_SENDFD:
		if (op->count)
			snprintf(call, sizeof(call), "send_fds(fds[%u], -1, %u, TYPE)", op->fd,
				 op->count);
		else
			snprintf(call, sizeof(call), "send_fds(fds[%u], fds[%u], 1, TYPE)", op->fd,
				 op->arg_fd);
		break;
	case EX_RECVFD:
		snprintf(call, sizeof(call), "(fds[%u] = recv_fd(fds[%u]))", op->arg_fd, op->fd);
		break;
	case EX_ZCDRAIN:
		snprintf(call, sizeof(call), "zc_drain(fds[%u])", op->fd);
		break;
	case EX_SHUTDOWN:
		snprintf(call, sizeof(call), "shutdown(fds[%u], %s)", op->fd,
			 op->how == SHUT_RD ? "SHUT_RD" :
			 op->how == SHUT_WR ? "SHUT_WR" :
					      "SHUT_RDWR");
		break;
	case EX_CLOSE:
	case EX_CLOSE_ALL:
		for (k = 0; k < SEQ_MAX_FDS; k++)
			if (op->mask & (1u << k))
				fprintf(f, "\tif (close_fd(&fds[%u], &keep))\n\t\treturn %u;\n", k,
					i);
		return;
	default:
		return;
	}
	if (op->flags & MSG_DONTWAIT)
		fprintf(f, "\tif (%s < 0 && errno != EAGAIN)\n\t\treturn %u;\n", call, i);
	else
		fprintf(f, "\tif (%s < 0)\n\t\treturn %u;\n", call, i);
}

/* The server's sequence for each connection, as a table the template's conn_serve walks. */
static void server_table(FILE *f, const struct sseq *ss, const char *text)
{
	static const char *const ops[SS_KINDS] = {
		[SS_ACCEPT] = "SV_ACCEPT",     [SS_RECV] = "SV_RECV",	[SS_SEND] = "SV_SEND",
		[SS_ANSWER] = "SV_ANSWER",     [SS_DRAIN] = "SV_DRAIN", [SS_HANGUP] = "SV_HANGUP",
		[SS_SHUTDOWN] = "SV_SHUTDOWN", [SS_CLOSE] = "SV_CLOSE",
	};
	unsigned i;

	fprintf(f,
		"/* The server's sequence for each connection: %s */\n"
		"enum server_op {\n\tSV_ACCEPT,\n\tSV_RECV,\n\tSV_SEND,\n\tSV_ANSWER,\n\tSV_DRAIN,\n\tSV_HANGUP,\n\tSV_SHUTDOWN,\n\tSV_CLOSE\n};\n"
		"static const struct {\n\tenum server_op op;\n"
		"\tunsigned arg; /* recv, send: bytes; shutdown: how; close: 1 for a reset */\n"
		"} server_seq[] = {\n",
		text);
	for (i = 0; i < ss->nops; i++) {
		const unsigned len = ss->ops[i].len;

		if (ss->ops[i].kind == SS_SHUTDOWN)
			fprintf(f, "\t{ SV_SHUTDOWN, %s },\n",
				len == SHUT_RD ? "SHUT_RD" :
				len == SHUT_WR ? "SHUT_WR" :
						 "SHUT_RDWR");
		else
			fprintf(f, "\t{ %s, %u },\n", ops[ss->ops[i].kind], len);
	}
	fprintf(f, "};\n\n");
}

/* The run's own namespace, with its --netns-sysctl settings, as main's first block. */
static void netns_setup(FILE *f, const struct run_config *c)
{
	const char *p;
	unsigned i;

	fprintf(f, "\t{\n\t\t/* The run's --netns-sysctl settings. */\n"
		   "\t\tstatic const char *const sysctls[] = { ");
	for (i = 0; i < c->nsysctl; i++) {
		fputc('"', f);
		for (p = c->netns_sysctl[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				fputc('\\', f);
			fputc(*p, f);
		}
		fprintf(f, "\", ");
	}
	fprintf(f, "NULL };\n\n\t\town_netns(sysctls);\n\t}\n");
}

static const char *sockstat_prefix(const struct transport *tr, const char **file)
{
	*file = tr->family == AF_INET6 ? "/proc/net/sockstat6" : "/proc/net/sockstat";
	if (tr->family == AF_UNIX)
		return "sockets:";
	if (tr->type == SOCK_DGRAM)
		return tr->family == AF_INET6 ? "UDP6:" : "UDP:";
	return tr->family == AF_INET6 ? "TCP6:" : "TCP:";
}

static void server_address(FILE *f, const struct transport *tr)
{
	fprintf(f, "static void server_address(void)\n{\n\tmemset(&peer, 0, sizeof(peer));\n");
	if (tr->family == AF_INET)
		fprintf(f, "\t((struct sockaddr_in *)&peer)->sin_family = AF_INET;\n"
			   "\t((struct sockaddr_in *)&peer)->sin_addr.s_addr = "
			   "htonl(INADDR_LOOPBACK);\n"
			   "\tpeerlen = sizeof(struct sockaddr_in);\n");
	else if (tr->family == AF_INET6)
		fprintf(f, "\t((struct sockaddr_in6 *)&peer)->sin6_family = AF_INET6;\n"
			   "\t((struct sockaddr_in6 *)&peer)->sin6_addr = in6addr_loopback;\n"
			   "\tpeerlen = sizeof(struct sockaddr_in6);\n");
	else
		fprintf(f,
			"\tstruct sockaddr_un *un = (struct sockaddr_un *)&peer;\n\n"
			"\tun->sun_family = AF_UNIX;\n"
			"\t/* An abstract name: it lives in the namespace, gone with it. */\n"
			"\tpeerlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +\n"
			"\t\t\t    (size_t)snprintf(un->sun_path + 1, sizeof(un->sun_path) - 1,\n"
			"\t\t\t\t\t     \"repro.%%d\", (int)getpid()));\n");
	fprintf(f, "}\n\n");
}

int repro_write(FILE *f, const struct report_run *run, uint64_t cycles, const char *command,
		char *why, size_t whylen)
{
	const struct run_config *c = &run->cfg;
	const struct transport *tr = transport_get(c->transport);
	const struct result *r = &run->r;
	const char *file, *prefix = sockstat_prefix(tr, &file);
	struct seq_error err;
	const char *server;
	struct sseq ss;
	struct seq *s;
	unsigned i, ncaches = 0;
	size_t k;

	if (!run->has_cfg || !c->sequence) {
		snprintf(why, whylen,
			 "the report has no configuration: which sequence ran is unknown");
		return -EINVAL;
	}
	if (c->target) {
		snprintf(
			why, whylen,
			"the run went to --target %s, a server of yours: the reproducer would need "
			"it; rerun against sockleak's own server to get one",
			c->target);
		return -EINVAL;
	}
	s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (seq_compile(c->sequence, c->transport, c->allow_open || c->inject_leak, s, &err)) {
		snprintf(why, whylen, "its sequence does not compile here: %s", err.msg);
		free(s);
		return -EINVAL;
	}
	/* The server as run: its --server-sequence, or the --server-close mode's preset. */
	server = c->server_sequence ? c->server_sequence : sseq_preset(c->server_close);
	if (!server || sseq_compile(server, &ss, &err)) {
		snprintf(why, whylen, "its server sequence does not compile here: %s",
			 server ? err.msg : "no such --server-close mode");
		free(s);
		return -EINVAL;
	}
	if (s->netns_cycle) {
		snprintf(why, whylen,
			 "a namespace per cycle (netns) is a clean-up backlog, not a leak to post; "
			 "no reproducer is written for it");
		free(s);
		return -EINVAL;
	}
	fprintf(f,
		"/*\n * Reproducer of a kernel memory figure that grew with a socket call sequence.\n"
		" *\n *   sequence:  ");
	comment(f, c->sequence, strlen(c->sequence));
	fprintf(f, "\n *   transport: %s%s\n *   server:    ", transport_name(c->transport),
		c->netns ? ", in a network namespace of its own" : "");
	comment(f, server, strlen(server));
	fprintf(f, ", per connection\n *   kernel:    %s (%s)\n *   the run:   ", run->m.kernel,
		run->m.arch);
	comment(f, command, strlen(command));
	fprintf(f, "\n *   verdict:   %s: %s\n", verdict_name(r->verdict), r->why);
	if (c->inject_leak)
		fprintf(f,
			" *   The run kept one client socket open every %llu cycles on purpose\n"
			" *   (--inject-leak): this program does the same (KEEP_EVERY).\n",
			(unsigned long long)c->inject_leak);
	if (c->threads > 1)
		fprintf(f, " *   The run had %u client threads; this program loops in one.\n",
			c->threads);
	fprintf(f,
		" *\n * Build and run as root: cc -O2 -Wall repro.c -o repro -pthread && ./repro\n"
		" * It prints the figures before and after %llu cycles (and 2 s to settle), then\n"
		" * their growth. Only libc and the kernel's headers.\n */\n",
		(unsigned long long)cycles);
	fputs(head_text, f);
	fprintf(f, "\n#define CYCLES %lluULL\n#define KEEP_EVERY %lluULL\n",
		(unsigned long long)cycles, (unsigned long long)c->inject_leak);
	fprintf(f, "#define FAMILY %s\n#define TYPE %s\n#define PROTOCOL %d\n#define STREAM %d\n",
		tr->family == AF_INET  ? "AF_INET" :
		tr->family == AF_INET6 ? "AF_INET6" :
					 "AF_UNIX",
		tr->type == SOCK_STREAM ? "SOCK_STREAM" : "SOCK_DGRAM", tr->protocol, tr->stream);
	fprintf(f, "#define SEND_MAX %u\n#define RECV_MAX %u\n#define NSTEPS %u\n", s->max_send,
		s->max_recv, s->plan.nsteps);
	fprintf(f, "#define SERVER_SEND_MAX %u /* the largest reply or server send */\n",
		ss.max_send > s->max_recv ? ss.max_send : s->max_recv);
	fprintf(f, "#define SOCKSTAT_FILE \"%s\"\n#define SOCKSTAT_PREFIX \"%s\"\n", file, prefix);
	fprintf(f, "#define NFDS %u\n\n", s->nfds ? s->nfds : 1);
	fprintf(f, "/* The server's plan: for each request of [0] bytes, an answer of [1]. */\n"
		   "static const unsigned plan[NSTEPS + 1][2] = {");
	for (i = 0; i < s->plan.nsteps; i++)
		fprintf(f, " { %u, %u },", s->plan.step[i].expect, s->plan.step[i].reply);
	fprintf(f, " { 0, 0 } };\n\n");
	server_table(f, &ss, server);
	fprintf(f, "/* The slab caches the run judged BACKLOG or LEAK. */\n"
		   "static const char *const caches[9] = {");
	for (k = 0; k < r->npools && ncaches < 8; k++) {
		if (r->pools[k].verdict < VERDICT_BACKLOG)
			continue;
		fprintf(f, " \"%s\",", r->pools[k].cache);
		ncaches++;
	}
	fprintf(f, " NULL };\n\n");
	fputs(template_text, f);
	server_address(f, tr);
	fprintf(f, "/* One cycle: 0, or 1 + the index of the op that failed (errno says why). */\n"
		   "static unsigned cycle(int *fds, int keep)\n{\n");
	for (i = 0; i < s->nops; i++)
		op_code(f, s, &s->ops[i], i + 1, c->sequence);
	fprintf(f, "\t(void)keep;\n\treturn 0;\n}\n\n");
	fprintf(f, "int main(void)\n{\n"
		   "\tstruct figures a = { 0 }, b = { 0 };\n"
		   "\tunsigned long long i, failed = 0;\n"
		   "\tint fds[NFDS], first_errno = 0, k;\n"
		   "\tunsigned op, first_op = 0;\n"
		   "\tstruct rlimit rl;\n\n"
		   "\tsetvbuf(stdout, NULL, _IOLBF, 0);\n"
		   "\tif (!getrlimit(RLIMIT_NOFILE, &rl)) {\n"
		   "\t\trl.rlim_cur = rl.rlim_max;\n"
		   "\t\tsetrlimit(RLIMIT_NOFILE, &rl);\n"
		   "\t}\n"
		   "\tkept = calloc(KEEP_EVERY ? CYCLES / KEEP_EVERY + 1 : 1, sizeof(int));\n"
		   "\tif (!kept)\n\t\tdie(\"calloc\");\n");
	if (c->netns)
		netns_setup(f, c);
	fprintf(f,
		"\tstart_server();\n"
		"\tfigures(\"before\", &a);\n"
		"\tfor (k = 0; k < NFDS; k++)\n\t\tfds[k] = -1;\n"
		"\tfor (i = 0; i < CYCLES; i++) {\n"
		"\t\top = cycle(fds, KEEP_EVERY && (i + 1) %% KEEP_EVERY == 0);\n"
		"\t\tif (!op)\n\t\t\tcontinue;\n"
		"\t\tif (!failed++) {\n\t\t\tfirst_op = op;\n\t\t\tfirst_errno = errno;\n\t\t}\n"
		"\t\tfor (k = 0; k < NFDS; k++)\n"
		"\t\t\tif (fds[k] >= 0) {\n\t\t\t\tclose(fds[k]);\n\t\t\t\tfds[k] = -1;\n\t\t\t}\n"
		"\t}\n"
		"\tsleep(2); /* what is deferred (RCU, the unix garbage collector) may run */\n"
		"\tfigures(\"after\", &b);\n"
		"\tprintf(\"%%llu cycles, %%llu failed\", CYCLES, failed);\n"
		"\tif (failed)\n"
		"\t\tprintf(\" (first: op %%u, %%s)\", first_op, strerror(first_errno));\n"
		"\tprintf(\"; %%zu sockets kept open on purpose\\n\", nkept);\n"
		"\tgrowth(SOCKSTAT_PREFIX \" inuse\", (double)a.proto_inuse, (double)b.proto_inuse,\n"
		"\t       CYCLES);\n"
		"\tgrowth(\"sockets: used\", (double)a.sockets_used, (double)b.sockets_used, CYCLES);\n"
		"\tfor (k = 0; k < 8 && caches[k]; k++)\n"
		"\t\tgrowth(caches[k], (double)a.slab[k], (double)b.slab[k], CYCLES);\n"
		"\tgrowth(\"fds\", (double)a.fds, (double)b.fds, CYCLES);\n"
		"\tgrowth(\"memcg kernel memory (bytes)\", (double)a.memcg, (double)b.memcg, "
		"CYCLES);\n"
		"\treturn 0;\n}\n");
	free(s);
	return ferror(f) ? -EIO : 0;
}
