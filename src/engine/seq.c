/* The sequence language: text -> compiled ops with pre-built arguments, presets, socket options. */
#include "engine/seq.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "engine/transport.h"

#define T(k) (1u << (k))
#define T_ALL (T(TR_COUNT) - 1)
#define T_TCP (T(TR_TCP) | T(TR_TCP6) | T(TR_MPTCP))
#define T_TCPONLY (T(TR_TCP) | T(TR_TCP6)) /* MPTCP refuses these (kernel 6.18) */
#define T_IP4 (T(TR_TCP) | T(TR_UDP) | T(TR_MPTCP))
#define T_IP6 (T(TR_TCP6) | T(TR_UDP6))
#define T_INET (T_IP4 | T_IP6)
#define T_TCPUDP (T(TR_TCP) | T(TR_TCP6) | T(TR_UDP) | T(TR_UDP6))

static const struct {
	const char *name, *syntax, *what;
} opdefs[OP_KINDS] = {
	[OP_SOCKET] = { "socket", "socket",
			"a socket of the transport's family and type (one per cycle, first)" },
	[OP_SETSOCKOPT] = { "setsockopt", "setsockopt:NAME=VALUE",
			    "one option of the catalogue (repeatable, anywhere while open)" },
	[OP_BIND] = { "bind", "bind[:ADDR]",
		      "bind before connect: A.B.C.D[:PORT], [V6ADDR][:PORT], /path, @abstract; "
		      "bare bind is the wildcard address (UNIX: autobind)" },
	[OP_CONNECT] = { "connect", "connect", "to the local server (or --target)" },
	[OP_SEND] = { "send", "send:N|\"TEXT\"|hex:HEX",
		      "N bytes (64, 4k, up to 1M), or a payload: \"TEXT\" with C escapes "
		      "(\\r \\n \\t \\0 \\xHH ...) or hex:HEX (hex:0d0a); all of them on "
		      "stream transports" },
	[OP_SENDTO] = { "sendto", "sendto:N|PAYLOAD",
			"one datagram to the server without connecting (datagram transports); "
			"PAYLOAD as for send" },
	[OP_RECV] = { "recv", "recv:N",
		      "N bytes from the server; on datagram transports the answer to the datagram "
		      "just sent" },
	[OP_SHUTDOWN] = { "shutdown", "shutdown:rd|wr|rdwr", "shut down one or both directions" },
	[OP_CLOSE] = { "close", "close[@K]",
		       "close every descriptor the cycle still has open (close@K: descriptor K "
		       "only); a sequence that leaves one open would leak it every cycle, so it is "
		       "refused unless --allow-open" },
	[OP_SOCKETPAIR] = { "socketpair", "socketpair",
			    "(unix, unix-dgram) a connected pair: the cycle's descriptors 0 and 1 "
			    "(a second pair is 2 and 3, ...)" },
	[OP_SENDMSG] = { "sendmsg", "sendmsg:N|PAYLOAD[:iov=K]",
			 "N bytes (or PAYLOAD, as for send) in one sendmsg of K iovecs (default "
			 "one per 4 KiB, at most 64); all of them on stream transports" },
	[OP_SENDFD] = { "sendfd", "sendfd:SELF|PEER|@K|N",
			"(unix, unix-dgram) sendmsg with SCM_RIGHTS over the descriptor, carrying "
			"itself (SELF), the other end of its pair (PEER), descriptor K, or N fresh "
			"sockets (1..16)" },
	[OP_RECVFD] = { "recvfd", "recvfd",
			"recvmsg of a message that carries descriptors: the first becomes the "
			"cycle's next descriptor, the rest are closed" },
	[OP_ZCDRAIN] = { "zcdrain", "zcdrain",
			 "read the error queue until it is empty: the completions of "
			 "send:N:zerocopy" },
	[OP_NETNS] = { "netns", "netns",
		       "(first op) the rest of the cycle runs in a network namespace made for it, "
		       "with lo up and a listener of its own; dropped at the end of the cycle "
		       "(root)" },
	[OP_RECV_UNTIL] = { "recv-until", "recv-until:\"DELIM\"|eof[:max=N]",
			    "(stream, a server that speaks the protocol: --target) read until "
			    "DELIM has come (C escapes, e.g. \"\\r\\n\\r\\n\"; what follows it "
			    "stays for the next op), or until the server closes (eof); at most "
			    "max bytes (64k; eof: 1M), else the op fails with EMSGSIZE" },
};

#define OPB(k) (1u << (k))
#define OPS_SEND (OPB(OP_SEND) | OPB(OP_SENDTO) | OPB(OP_SENDMSG))

/* Flags after a send's or recv's size: send:1M:dontwait (Windows: oob and peek). */
static const struct flagdef {
	const char *name;
	int msg;
	unsigned ops, tmask;
	const char *what;
} flagdefs[] = {
#ifndef _WIN32
	{ "dontwait", MSG_DONTWAIT, OPS_SEND | OPB(OP_RECV), T_ALL,
	  "do not block: a would-block is counted (EAGAIN), not a failure of the cycle" },
#endif
	{ "oob", MSG_OOB, OPB(OP_SEND) | OPB(OP_SENDMSG), T(TR_TCP) | T(TR_TCP6) | T(TR_UNIX),
	  "out-of-band: the last byte is urgent" },
#ifndef _WIN32
	{ "more", MSG_MORE, OPS_SEND, T_INET, "more data follows: hold a partial frame" },
	{ "zerocopy", MSG_ZEROCOPY, OPS_SEND, T_TCPUDP,
	  "MSG_ZEROCOPY (needs setsockopt:SO_ZEROCOPY=1 before; zcdrain reads completions)" },
#endif
	{ "peek", MSG_PEEK, OPB(OP_RECV), T_ALL, "look without taking: the next recv gets it" },
};

enum vkind {
	V_BOOL, /* 0 or 1 */
	V_INT, /* integer within [min, max]; 0x.. accepted */
	V_SIZE, /* bytes: 64, 4k, 1M */
	V_LINGER, /* on:secs */
	V_STR, /* a name (TCP_CONGESTION) */
};

/* Socket options; the rows Winsock has no counterpart for are left out of the Windows build. */
static const struct optdef {
	const char *name;
	int level, opt;
	enum vkind v;
	long min, max;
	unsigned tmask;
	const char *example, *what;
} options[] = {
	{ "SO_LINGER", SOL_SOCKET, SO_LINGER, V_LINGER, 0, INT_MAX, T_ALL, "1:0",
	  "linger on close: on:secs; 1:0 closes with a reset (abortive)" },
	{ "SO_REUSEADDR", SOL_SOCKET, SO_REUSEADDR, V_BOOL, 0, 1, T_ALL, "1",
	  "reuse a local address in TIME_WAIT" },
#ifndef _WIN32
	{ "SO_REUSEPORT", SOL_SOCKET, SO_REUSEPORT, V_BOOL, 0, 1, T_INET, "1",
	  "several sockets may bind one port" },
#endif
	{ "SO_KEEPALIVE", SOL_SOCKET, SO_KEEPALIVE, V_BOOL, 0, 1, T_ALL, "1", "keepalive probes" },
	{ "SO_SNDBUF", SOL_SOCKET, SO_SNDBUF, V_SIZE, 0, INT_MAX, T_ALL, "64k",
	  "send buffer bytes (the kernel doubles it)" },
	{ "SO_RCVBUF", SOL_SOCKET, SO_RCVBUF, V_SIZE, 0, INT_MAX, T_ALL, "64k",
	  "receive buffer bytes (the kernel doubles it)" },
#ifndef _WIN32
	{ "SO_RCVLOWAT", SOL_SOCKET, SO_RCVLOWAT, V_INT, 0, INT_MAX, T_ALL, "1",
	  "bytes a recv waits for" },
	{ "SO_PRIORITY", SOL_SOCKET, SO_PRIORITY, V_INT, 0, INT_MAX, T_ALL, "1",
	  "queueing priority (above 6 needs CAP_NET_ADMIN)" },
	{ "SO_MARK", SOL_SOCKET, SO_MARK, V_INT, 0, UINT_MAX, T_ALL, "1",
	  "firewall mark (needs CAP_NET_ADMIN)" },
	{ "SO_ZEROCOPY", SOL_SOCKET, SO_ZEROCOPY, V_BOOL, 0, 1, T_TCPUDP, "1",
	  "allow MSG_ZEROCOPY sends" },
#endif
	{ "TCP_NODELAY", IPPROTO_TCP, TCP_NODELAY, V_BOOL, 0, 1, T_TCP, "1", "disable Nagle" },
#ifndef _WIN32
	{ "TCP_QUICKACK", IPPROTO_TCP, TCP_QUICKACK, V_BOOL, 0, 1, T_TCPONLY, "1",
	  "acknowledge at once" },
	{ "TCP_CORK", IPPROTO_TCP, TCP_CORK, V_BOOL, 0, 1, T_TCP, "1",
	  "hold partial frames until uncorked or closed" },
	{ "TCP_USER_TIMEOUT", IPPROTO_TCP, TCP_USER_TIMEOUT, V_INT, 0, INT_MAX, T_TCPONLY, "1000",
	  "ms unacknowledged data may wait before the connection drops" },
	{ "TCP_KEEPIDLE", IPPROTO_TCP, TCP_KEEPIDLE, V_INT, 1, 32767, T_TCP, "60",
	  "idle seconds before keepalive probes" },
	{ "TCP_FASTOPEN_CONNECT", IPPROTO_TCP, TCP_FASTOPEN_CONNECT, V_BOOL, 0, 1, T_TCP, "1",
	  "TCP Fast Open on connect" },
	{ "TCP_CONGESTION", IPPROTO_TCP, TCP_CONGESTION, V_STR, 1, SEQ_OPTVAL_MAX - 1, T_TCP,
	  "reno", "congestion control by name (reno, cubic, ...)" },
#endif
	{ "IP_TOS", IPPROTO_IP, IP_TOS, V_INT, 0, 255, T_IP4, "0x10", "type of service byte" },
	{ "IP_TTL", IPPROTO_IP, IP_TTL, V_INT, 1, 255, T(TR_TCP) | T(TR_UDP), "64",
	  "time to live" },
	{ "IPV6_V6ONLY", IPPROTO_IPV6, IPV6_V6ONLY, V_BOOL, 0, 1, T_IP6, "1",
	  "IPv6 only (no v4-mapped)" },
#ifndef _WIN32
	{ "IPV6_TCLASS", IPPROTO_IPV6, IPV6_TCLASS, V_INT, 0, 255, T_IP6, "0x10",
	  "traffic class byte" },
#endif
};

static const char *const syntax_of[] = {
	[V_BOOL] = "0|1",	[V_INT] = "N",	  [V_SIZE] = "BYTES",
	[V_LINGER] = "on:secs", [V_STR] = "NAME",
};

#define SCM_ONLY (T(TR_UNIX) | T(TR_UNIX_DGRAM))
#define NETNS_KB "netns,socket,setsockopt:SO_REUSEADDR=1,connect,send:64,close"
#define SCM_SELF "socketpair,sendfd:PEER,close"
#define SCM_CROSS "socketpair,sendfd:SELF,sendfd@1:SELF,close"
#define SCM_TRIANGLE "socketpair,socketpair,socketpair,sendfd@1:@2,sendfd@3:@4,sendfd@5:@0,close"

/* Protocol presets: real requests for a real server (--target, --server-cmd); stream only. */
#define HEAD_REQ \
	"send:\"HEAD / HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n\",recv-until:\"\\r\\n\\r\\n\""
#define HTTP \
	"socket,connect,send:\"GET / HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n\",recv-until:eof,close"
#define HTTP_KEEPALIVE "socket,connect," HEAD_REQ "," HEAD_REQ "," HEAD_REQ "," HEAD_REQ ",close"
#define REDIS_PING "socket,connect,send:\"*1\\r\\n$4\\r\\nPING\\r\\n\",recv-until:\"\\r\\n\",close"
#define MEMCACHED_VERSION "socket,connect,send:\"version\\r\\n\",recv-until:\"\\r\\n\",close"

/* Presets: one text per kind of transport (NULL: does not apply); tmask: where (0: all). */
static const struct preset {
	const char *name, *stream, *dgram, *unix_dgram, *what;
	unsigned tmask;
} presets[] = {
	{ "kb171996", "socket,setsockopt:SO_REUSEADDR=1,connect,send:64,close",
	  "socket,setsockopt:SO_REUSEADDR=1,connect,send:64,close",
	  "socket,setsockopt:SO_REUSEADDR=1,connect,send:64,close",
	  "the KB Q171996 loop (default)" },
	{ "crr", "socket,setsockopt:SO_LINGER=1:0,connect,send:1,recv:1,close",
	  "socket,connect,send:1,recv:1,close", "socket,bind,connect,send:1,recv:1,close",
	  "connect, request, response, close (like netperf TCP_CRR)" },
	{ "abort", "socket,setsockopt:SO_LINGER=1:0,connect,send:64,close", NULL, NULL,
	  "abortive close: SO_LINGER 1:0, the client sends a reset" },
	{ "halfclose", "socket,connect,send:64,shutdown:wr,close", NULL, NULL,
	  "shutdown for writing, then close" },
	{ "sendto", NULL, "socket,sendto:64,close", "socket,sendto:64,close",
	  "unconnected datagrams" },
	{ "netns-kb", NETNS_KB, NETNS_KB, NETNS_KB,
	  "the KB loop in a network namespace made and dropped every cycle" },
	{ "scm-self", SCM_SELF, NULL, SCM_SELF,
	  "a socket in its own receive queue (SCM_RIGHTS), then closed: the garbage collector's",
	  SCM_ONLY },
	{ "scm-cross", SCM_CROSS, NULL, SCM_CROSS,
	  "two sockets sent over each other, then closed: a cycle of two", SCM_ONLY },
	{ "scm-triangle", SCM_TRIANGLE, NULL, SCM_TRIANGLE,
	  "three pairs, each holding the next one's socket: a cycle of three", SCM_ONLY },
	{ "http", HTTP, NULL, NULL,
	  "HTTP/1.0 GET /, the answer read until the server closes (a web server: --target)" },
	{ "http-keepalive", HTTP_KEEPALIVE, NULL, NULL,
	  "four HTTP/1.1 HEAD / on one connection, each answer read to its blank line, then "
	  "close" },
	{ "redis-ping", REDIS_PING, NULL, NULL, "Redis PING (RESP), +PONG read to its CRLF" },
	{ "memcached-version", MEMCACHED_VERSION, NULL, NULL,
	  "memcached's text command version, its answer read to its CRLF" },
};

const char *seq_op_name(enum seq_opk k)
{
	return (unsigned)k < OP_KINDS ? opdefs[k].name : "?";
}

const char *seq_op_syntax(enum seq_opk k)
{
	return (unsigned)k < OP_KINDS ? opdefs[k].syntax : "?";
}

const char *seq_op_what(enum seq_opk k)
{
	return (unsigned)k < OP_KINDS ? opdefs[k].what : "?";
}

unsigned seq_flag_count(void)
{
	return ARRAY_SIZE(flagdefs);
}

void seq_flag_doc(unsigned i, const char **name, const char **what, char *ops, size_t size)
{
	const struct flagdef *d = &flagdefs[i < ARRAY_SIZE(flagdefs) ? i : 0];
	size_t k = 0;
	unsigned o;

	*name = d->name;
	*what = d->what;
	ops[0] = '\0';
	for (o = 0; o < OP_KINDS && k < size; o++)
		if (d->ops & OPB(o))
			k += (size_t)snprintf(ops + k, size - k, "%s%s", k ? ", " : "",
					      opdefs[o].name);
}

unsigned seq_preset_count(void)
{
	return ARRAY_SIZE(presets);
}

const char *seq_preset_name(unsigned i)
{
	return i < ARRAY_SIZE(presets) ? presets[i].name : NULL;
}

unsigned seq_option_count(void)
{
	return ARRAY_SIZE(options);
}

const char *seq_option_name(unsigned i)
{
	return i < ARRAY_SIZE(options) ? options[i].name : NULL;
}

const char *seq_option_example(unsigned i)
{
	return i < ARRAY_SIZE(options) ? options[i].example : NULL;
}

/* Appends to a bounded string, silently truncating. */
static void SL_PRINTF(3, 4) cat(char *buf, size_t size, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n >= size - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

static void transports_of(unsigned mask, char *buf, size_t size)
{
	unsigned k;

	buf[0] = '\0';
	for (k = 0; k < TR_COUNT; k++)
		if (mask & T(k))
			cat(buf, size, "%s%s", buf[0] ? "," : "", transport_name(k));
}

struct parser {
	const char *text;
	enum transport_kind tk;
	const struct transport *tr;
	struct seq *seq;
	struct seq_error *err;
};

static int fail(struct parser *p, unsigned pos, unsigned len, const char *fmt, ...) SL_PRINTF(4, 5);

static int fail(struct parser *p, unsigned pos, unsigned len, const char *fmt, ...)
{
	va_list ap;

	p->err->pos = pos;
	p->err->len = len ? len : 1;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void choices_ops(struct parser *p)
{
	unsigned k;

	snprintf(p->err->choices, sizeof(p->err->choices), "ops:");
	for (k = 0; k < OP_KINDS; k++)
		cat(p->err->choices, sizeof(p->err->choices), " %s", opdefs[k].syntax);
}

static void choices_options(struct parser *p)
{
	unsigned i;

	snprintf(p->err->choices, sizeof(p->err->choices),
		 "options for %s:", transport_name(p->tr->kind));
	for (i = 0; i < ARRAY_SIZE(options); i++)
		if (options[i].tmask & T(p->tk))
			cat(p->err->choices, sizeof(p->err->choices), " %s=%s", options[i].name,
			    syntax_of[options[i].v]);
}

static int parse_long(const char *s, size_t n, long *out)
{
	char buf[32], *end;
	long v;

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	v = strtol(buf, &end, 0);
	if (*end || errno)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_value(struct parser *p, struct seq_op *op, const struct optdef *d, const char *s,
		       size_t n, unsigned pos)
{
	char buf[32];
	uint64_t sz;
	long on, v;
	const char *colon;

	switch (d->v) {
	case V_BOOL:
	case V_INT:
		if (parse_long(s, n, &v) || v < d->min || v > d->max)
			goto bad;
		op->val.i = (int)v;
		op->len = sizeof(int);
		return 0;
	case V_SIZE:
		if (n == 0 || n >= sizeof(buf))
			goto bad;
		memcpy(buf, s, n);
		buf[n] = '\0';
		if (sl_parse_size(buf, &sz) || sz > (uint64_t)d->max)
			goto bad;
		op->val.i = (int)sz;
		op->len = sizeof(int);
		return 0;
	case V_LINGER:
		colon = memchr(s, ':', n);
		if (!colon || parse_long(s, colon - s, &on) || (on != 0 && on != 1) ||
		    parse_long(colon + 1, s + n - colon - 1, &v) || v < 0 || v > d->max)
			goto bad;
		op->val.linger.l_onoff = (int)on;
		op->val.linger.l_linger = (int)v;
		op->len = sizeof(struct linger);
		return 0;
	case V_STR:
		if (n < (size_t)d->min || n > (size_t)d->max)
			goto bad;
		memcpy(op->val.str, s, n);
		op->val.str[n] = '\0';
		op->len = (uint32_t)n;
		return 0;
	}
bad:
	snprintf(p->err->choices, sizeof(p->err->choices), "%s=%s: %s; for example %s=%s", d->name,
		 syntax_of[d->v], d->what, d->name, d->example);
	if (d->v == V_INT && d->max < INT_MAX)
		cat(p->err->choices, sizeof(p->err->choices), " (%ld..%ld)", d->min, d->max);
	return fail(p, pos, (unsigned)n, "bad value for %s", d->name);
}

static int parse_setsockopt(struct parser *p, struct seq_op *op, const char *arg, size_t n,
			    unsigned pos)
{
	const char *eq = memchr(arg, '=', n);
	size_t nl = eq ? (size_t)(eq - arg) : n;
	const struct optdef *d = NULL;
	char where[128];
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(options); i++) {
		if (strlen(options[i].name) == nl && !strncmp(options[i].name, arg, nl)) {
			d = &options[i];
			break;
		}
	}
	if (!d) {
		choices_options(p);
		return fail(p, pos, (unsigned)nl, "unknown socket option '%.*s'", (int)nl, arg);
	}
	if (!(d->tmask & T(p->tk))) {
		choices_options(p);
		transports_of(d->tmask, where, sizeof(where));
		return fail(p, pos, (unsigned)nl, "%s does not apply to %s (only %s)", d->name,
			    transport_name(p->tr->kind), where);
	}
	if (!eq) {
		snprintf(p->err->choices, sizeof(p->err->choices), "for example %s=%s", d->name,
			 d->example);
		return fail(p, pos, (unsigned)nl, "%s needs a value: %s=%s", d->name, d->name,
			    syntax_of[d->v]);
	}
	op->level = d->level;
	op->name = d->opt;
	return parse_value(p, op, d, eq + 1, n - nl - 1, pos + (unsigned)nl + 1);
}

static int parse_size(struct parser *p, struct seq_op *op, const char *arg, size_t n, unsigned pos)
{
	char buf[32];
	uint64_t v;

	if (n == 0 || n >= sizeof(buf))
		goto bad;
	memcpy(buf, arg, n);
	buf[n] = '\0';
	if (sl_parse_size(buf, &v) || v < 1 || v > SEQ_MAX_BYTES)
		goto bad;
	op->len = (uint32_t)v;
	return 0;
bad:
	snprintf(p->err->choices, sizeof(p->err->choices),
		 "%s:N takes a byte count from 1 to 1M, for example %s:64 or %s:4k",
		 opdefs[op->kind].name, opdefs[op->kind].name, opdefs[op->kind].name);
	return fail(p, pos, (unsigned)n, "bad byte count for %s", opdefs[op->kind].name);
}

static void choices_flags(struct parser *p, enum seq_opk k)
{
	unsigned i;

	snprintf(p->err->choices, sizeof(p->err->choices), "after %s:N:", opdefs[k].name);
	if (k == OP_SENDMSG)
		cat(p->err->choices, sizeof(p->err->choices), " iov=K (1..%d)", SEQ_MAX_IOV);
	for (i = 0; i < ARRAY_SIZE(flagdefs); i++)
		if (flagdefs[i].ops & OPB(k) && flagdefs[i].tmask & T(p->tk))
			cat(p->err->choices, sizeof(p->err->choices), " %s", flagdefs[i].name);
}

/* What follows a send's or recv's size: ":FLAG" or ":iov=K", each once. */
static int parse_flags(struct parser *p, struct seq_op *op, const char *s, size_t n, unsigned pos)
{
	size_t i = 0, b, e;
	unsigned f;
	long v;

	while (i < n) {
		b = i;
		while (i < n && s[i] != ':')
			i++;
		e = i++;
		if (op->kind == OP_SENDMSG && e - b > 4 && !strncmp(s + b, "iov=", 4)) {
			if (parse_long(s + b + 4, e - b - 4, &v) || v < 1 || v > SEQ_MAX_IOV) {
				choices_flags(p, op->kind);
				return fail(p, pos + (unsigned)b, (unsigned)(e - b),
					    "bad iovec count: iov=1..%d", SEQ_MAX_IOV);
			}
			op->iovs = (uint8_t)v;
			continue;
		}
		for (f = 0; f < ARRAY_SIZE(flagdefs); f++)
			if (strlen(flagdefs[f].name) == e - b &&
			    !strncmp(flagdefs[f].name, s + b, e - b))
				break;
		choices_flags(p, op->kind);
		if (f == ARRAY_SIZE(flagdefs) || !(flagdefs[f].ops & OPB(op->kind)))
			return fail(p, pos + (unsigned)b, (unsigned)(e - b),
				    "unknown flag '%.*s' for %s", (int)(e - b), s + b,
				    opdefs[op->kind].name);
		if (!(flagdefs[f].tmask & T(p->tk))) {
			char where[128];

			transports_of(flagdefs[f].tmask, where, sizeof(where));
			return fail(p, pos + (unsigned)b, (unsigned)(e - b),
				    "%s does not apply to %s (only %s)", flagdefs[f].name,
				    transport_name(p->tr->kind), where);
		}
		op->flags |= flagdefs[f].msg;
	}
	return 0;
}

/* Where the quoted string that starts at s[0] ends (its closing quote), or n when it does not. */
static size_t quote_end(const char *s, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i;
	}
	return n;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' :
	       c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 :
				      -1;
}

/* Room for n more bytes of payload or delimiter in the sequence's data. */
static int data_room(struct parser *p, size_t n, unsigned pos, unsigned len)
{
	if (p->seq->ndata + n <= SEQ_MAX_DATA)
		return 0;
	snprintf(p->err->choices, sizeof(p->err->choices),
		 "payloads and delimiters of one sequence take at most %d bytes together",
		 SEQ_MAX_DATA);
	return fail(p, pos, len, "payload too long");
}

/*
 * The C escapes of a quoted string s[1..q) into the sequence's data: \a \b \f \n \r \t \v \e
 * \\ \" \' \? \xHH and octal \NNN. Its length into *len.
 */
static int unescape(struct parser *p, const char *s, size_t q, unsigned pos, size_t *len)
{
	static const char from[] = "abfnrtve\\\"'?", to[] = "\a\b\f\n\r\t\v\033\\\"'?";
	char *out = p->seq->data + p->seq->ndata;
	size_t i, n = 0, room = SEQ_MAX_DATA - p->seq->ndata;
	const char *e;
	int v, k, d;

	for (i = 1; i < q; i++) {
		if (n == room)
			return data_room(p, n + 1, pos, (unsigned)q + 1);
		if (s[i] != '\\') {
			out[n++] = s[i];
			continue;
		}
		i++;
		if (s[i] == 'x' && i + 1 < q && hexval(s[i + 1]) >= 0) {
			v = hexval(s[++i]);
			if (i + 1 < q && hexval(s[i + 1]) >= 0)
				v = v * 16 + hexval(s[++i]);
			out[n++] = (char)v;
		} else if (s[i] >= '0' && s[i] <= '7') {
			for (v = 0, k = 0; k < 3 && i < q && s[i] >= '0' && s[i] <= '7'; k++, i++)
				v = v * 8 + (s[i] - '0');
			i--;
			if (v > 255)
				goto bad;
			out[n++] = (char)v;
		} else if (s[i] && (e = strchr(from, s[i]))) {
			d = (int)(e - from);
			out[n++] = to[d];
		} else {
			goto bad;
		}
	}
	*len = n;
	return 0;
bad:
	snprintf(p->err->choices, sizeof(p->err->choices),
		 "escapes: \\r \\n \\t \\0 \\\\ \\\" \\xHH \\NNN (octal) \\a \\b \\f \\v \\e");
	return fail(p, pos + (unsigned)i - 1, 2, "unknown escape");
}

/*
 * A payload's bytes into the sequence's data at op->off: "TEXT" (C escapes) or hex:HEX. *used
 * gets how much of arg it took: what follows is flags.
 */
static int parse_payload(struct parser *p, struct seq_op *op, const char *arg, size_t n,
			 unsigned pos, size_t *used)
{
	struct seq *sq = p->seq;
	size_t q, len = 0, i;
	int hi, lo;

	op->off = (uint16_t)sq->ndata;
	if (arg[0] == '"') {
		q = quote_end(arg, n);
		if (q == n) {
			snprintf(p->err->choices, sizeof(p->err->choices),
				 "close it with '\"'; write a quote inside as \\\"");
			return fail(p, pos, (unsigned)n, "unterminated string");
		}
		if (unescape(p, arg, q, pos, &len))
			return -EINVAL;
		*used = q + 1;
	} else {
		for (q = 4; q < n && arg[q] != ':'; q++)
			;
		if (q == 4 || (q - 4) % 2) {
			snprintf(p->err->choices, sizeof(p->err->choices),
				 "hex:HEX takes pairs of hex digits, e.g. hex:0d0a");
			return fail(p, pos, (unsigned)q, "bad hex payload");
		}
		if (data_room(p, (q - 4) / 2, pos, (unsigned)q))
			return -EINVAL;
		for (i = 4; i < q; i += 2) {
			hi = hexval(arg[i]);
			lo = hexval(arg[i + 1]);
			if (hi < 0 || lo < 0) {
				snprintf(p->err->choices, sizeof(p->err->choices),
					 "hex:HEX takes pairs of hex digits, e.g. hex:0d0a");
				return fail(p, pos + (unsigned)i, 2, "not a hex digit");
			}
			sq->data[sq->ndata + len++] = (char)(hi * 16 + lo);
		}
		*used = q;
	}
	if (!len) {
		snprintf(p->err->choices, sizeof(p->err->choices),
			 "give it at least one byte, e.g. send:\"PING\\r\\n\"");
		return fail(p, pos, (unsigned)*used, "an empty payload");
	}
	sq->ndata += (unsigned)len;
	op->len = (uint32_t)len;
	op->payload = true;
	return 0;
}

/* What may follow a size or a payload: nothing, or ':' and flags. */
static int parse_after(struct parser *p, struct seq_op *op, const char *rest, size_t n,
		       unsigned pos)
{
	if (!n)
		return 0;
	if (rest[0] != ':' || n == 1) {
		choices_flags(p, op->kind);
		return fail(p, pos + (rest[0] == ':'), 1,
			    rest[0] == ':' ? "a flag after ':'" : "':' and a flag, or ','");
	}
	return parse_flags(p, op, rest + 1, n - 1, pos + 1);
}

/* send:N|"TEXT"|hex:HEX[:FLAG...], sendto, sendmsg:..[:iov=K][:FLAG...], recv:N[:FLAG...] */
static int parse_bytes(struct parser *p, struct seq_op *op, const char *arg, size_t n, unsigned pos)
{
	const char *colon = memchr(arg, ':', n);
	size_t sn = colon ? (size_t)(colon - arg) : n;
	int rc;

	if (op->kind != OP_RECV && (arg[0] == '"' || (n >= 4 && !strncmp(arg, "hex:", 4)))) {
		if (parse_payload(p, op, arg, n, pos, &sn))
			return -EINVAL;
		return parse_after(p, op, arg + sn, n - sn, pos + (unsigned)sn);
	}
	rc = parse_size(p, op, arg, sn, pos);
	if (rc || !colon)
		return rc;
	return parse_after(p, op, arg + sn, n - sn, pos + (unsigned)sn);
}

/* recv-until:"DELIM"[:max=N] or recv-until:eof[:max=N]: the delimiter into the data. */
static int parse_until(struct parser *p, struct seq_op *op, const char *arg, size_t n, unsigned pos)
{
	struct seq *sq = p->seq;
	size_t used, len = 0;
	uint64_t v;
	char buf[32];

	op->len = SEQ_UNTIL_MAX;
	if (n >= 3 && !strncmp(arg, "eof", 3) && (n == 3 || arg[3] == ':')) {
		used = 3;
		op->len = SEQ_MAX_BYTES;
	} else if (arg[0] == '"') {
		used = quote_end(arg, n);
		if (used == n) {
			snprintf(p->err->choices, sizeof(p->err->choices),
				 "close it with '\"'; write a quote inside as \\\"");
			return fail(p, pos, (unsigned)n, "unterminated string");
		}
		op->off = (uint16_t)sq->ndata;
		if (unescape(p, arg, used, pos, &len))
			return -EINVAL;
		if (!len || len > SEQ_MAX_DELIM) {
			snprintf(p->err->choices, sizeof(p->err->choices),
				 "a delimiter of 1 to %d bytes, e.g. recv-until:\"\\r\\n\"",
				 SEQ_MAX_DELIM);
			return fail(p, pos, (unsigned)used + 1,
				    len ? "delimiter too long" : "an empty delimiter");
		}
		sq->ndata += (unsigned)len;
		op->dlen = (uint16_t)len;
		used++;
	} else {
		snprintf(
			p->err->choices, sizeof(p->err->choices),
			"recv-until:\"DELIM\" (C escapes, e.g. \"\\r\\n\\r\\n\") or recv-until:eof, "
			"then :max=N if need be");
		return fail(p, pos, (unsigned)n, "recv-until needs a quoted delimiter or eof");
	}
	if (used == n)
		return 0;
	if (n - used < 6 || strncmp(arg + used, ":max=", 5) || n - used - 5 >= sizeof(buf))
		goto bad_max;
	memcpy(buf, arg + used + 5, n - used - 5);
	buf[n - used - 5] = '\0';
	if (sl_parse_size(buf, &v) || v < 1 || v > SEQ_MAX_BYTES)
		goto bad_max;
	op->len = (uint32_t)v;
	return 0;
bad_max:
	snprintf(p->err->choices, sizeof(p->err->choices),
		 "after the delimiter: :max=N, the most bytes it reads (1 to 1M), e.g. :max=16k");
	return fail(p, pos + (unsigned)used, (unsigned)(n - used), "bad bound for recv-until");
}

static int parse_bind(struct parser *p, struct seq_op *op, const char *arg, size_t n, unsigned pos)
{
	char buf[128];
	socklen_t len;

	if (!arg) {
		transport_any_addr(p->tr, &op->addr, &len);
		op->len = len;
		return 0;
	}
	if (n == 0 || n >= sizeof(buf))
		goto bad;
	memcpy(buf, arg, n);
	buf[n] = '\0';
	if (transport_addr_parse(p->tr, buf, &op->addr, &len))
		goto bad;
	op->len = len;
	op->has_addr = true;
	return 0;
bad:
	snprintf(p->err->choices, sizeof(p->err->choices), "%s",
		 p->tr->family == AF_UNIX  ? "bind:/path or bind:@abstract; plain bind autobinds" :
		 p->tr->family == AF_INET6 ? "bind:ADDR or bind:[ADDR]:PORT, e.g. bind:[::1]:0" :
					     "bind:A.B.C.D[:PORT], e.g. bind:127.0.0.1:0");
	return fail(p, pos, (unsigned)n, "not a %s address", transport_name(p->tr->kind));
}

/* sendfd:SELF (the descriptor it is sent over), PEER (the other end of its pair: it lands in
 * its own queue), @K (the cycle's descriptor K) or N (N fresh sockets, 1..16). */
static int parse_sendfd(struct parser *p, struct seq_op *op, const char *arg, size_t n,
			unsigned pos)
{
	long v;

	if (n == 4 && !strncmp(arg, "SELF", 4)) {
		op->arg_fd = op->fd;
		return 0;
	}
	if (n == 4 && !strncmp(arg, "PEER", 4)) {
		op->arg_fd = op->fd ^ 1; /* pairs are (0,1), (2,3), ...: checked in check_op */
		op->mask = 1; /* remembered: PEER was asked for */
		return 0;
	}
	if (n >= 2 && arg[0] == '@' && !parse_long(arg + 1, n - 1, &v) && v >= 0 &&
	    v < SEQ_MAX_FDS) {
		op->arg_fd = (uint8_t)v;
		return 0;
	}
	if (!parse_long(arg, n, &v) && v >= 1 && v <= SEQ_MAX_SENDFD) {
		op->count = (uint8_t)v;
		return 0;
	}
	snprintf(p->err->choices, sizeof(p->err->choices),
		 "sendfd:SELF (the descriptor it goes over), sendfd:PEER (the other end of the "
		 "pair), sendfd:@K (descriptor K), sendfd:N (N fresh sockets, 1..%d)",
		 SEQ_MAX_SENDFD);
	return fail(p, pos, (unsigned)n, "bad descriptor for sendfd");
}

/* What the ops so far have done to each descriptor, to reject what cannot work. */
struct fdstate {
	bool open, closed, bound, connected, wr_shut, rd_shut, zerocopy;
	bool eof_read; /* recv-until:eof read it to the end: the server has closed */
	bool server; /* talks to the server: its sends and recvs make the server's plan */
	bool pair; /* one end of a socketpair: fd ^ 1 is the other */
	unsigned queued, fdmsgs; /* socketpair: messages and SCM_RIGHTS messages waiting */
	uint32_t peeked; /* bytes a recv:N:peek left for the next recv */
};

struct state {
	struct fdstate fd[SEQ_MAX_FDS];
	unsigned nfds; /* descriptors opened so far (the next one's number) */
	bool any_open, all_closed, netns, socket;
	const struct seq_op *prev; /* the previous op on the server's descriptor */
	uint32_t sent; /* stream bytes sent to the server since its last answer */
};

static int add_step(struct parser *p, uint32_t expect, uint32_t reply, unsigned pos, unsigned len)
{
	struct seq_plan *pl = &p->seq->plan;
	unsigned i;

	if (!p->tr->stream) {
		/* The server tells requests apart by size. */
		for (i = 0; i < pl->nsteps; i++) {
			if (pl->step[i].expect != expect)
				continue;
			if (pl->step[i].reply == reply)
				return 0;
			snprintf(p->err->choices, sizeof(p->err->choices),
				 "give each request a size of its own, e.g. send:%u", expect + 1);
			return fail(
				p, pos, len,
				"a %u-byte datagram is answered with %u bytes elsewhere in this "
				"sequence; the server tells requests apart by size",
				expect, pl->step[i].reply);
		}
	}
	pl->step[pl->nsteps].expect = expect;
	pl->step[pl->nsteps].reply = reply;
	pl->nsteps++;
	return 0;
}

static bool any_open(const struct state *st)
{
	unsigned k;

	for (k = 0; k < st->nfds; k++)
		if (st->fd[k].open)
			return true;
	return false;
}

/* socket, socketpair and netns: ops that make descriptors or a namespace. */
static int check_opener(struct parser *p, struct state *st, struct seq_op *op)
{
	unsigned pos = op->pos, len = op->tlen;

	if (st->all_closed && !(op->kind == OP_SOCKET && st->socket)) {
		snprintf(p->err->choices, sizeof(p->err->choices),
			 "close ends the cycle; put other ops before it");
		return fail(p, pos, len, "'%s' after close", opdefs[op->kind].name);
	}
	if (op->kind == OP_NETNS) {
		if (st->nfds || st->netns) {
			snprintf(p->err->choices, sizeof(p->err->choices),
				 "netns comes first: netns,socket,connect,send:64,close");
			return fail(p, pos, len,
				    st->netns ? "a second netns" : "netns must be the first op");
		}
		st->netns = true;
		return 0;
	}
	if (op->kind == OP_SOCKET) {
		if (st->socket) {
			snprintf(p->err->choices, sizeof(p->err->choices),
				 "one socket per cycle: the loop repeats the sequence");
			return fail(p, pos, len, "a second socket in one cycle");
		}
		st->socket = true;
	} else if (p->tr->family != AF_UNIX) {
		snprintf(p->err->choices, sizeof(p->err->choices),
			 "socketpair is for unix and unix-dgram (--transport unix)");
		return fail(p, pos, len, "socketpair on %s", transport_name(p->tr->kind));
	}
	if (st->nfds + (op->kind == OP_SOCKETPAIR) >= SEQ_MAX_FDS) {
		snprintf(p->err->choices, sizeof(p->err->choices),
			 "at most %d descriptors per cycle", SEQ_MAX_FDS);
		return fail(p, pos, len, "too many descriptors");
	}
	op->fd = (uint8_t)st->nfds;
	st->fd[st->nfds].open = true;
	if (op->kind == OP_SOCKETPAIR) {
		st->fd[st->nfds].pair = st->fd[st->nfds + 1].pair = true;
		st->fd[st->nfds].connected = st->fd[st->nfds + 1].connected = true;
		st->fd[++st->nfds].open = true;
	}
	st->nfds++;
	st->any_open = true;
	return 0;
}

/* A send on a pair lands in the other end's queue. */
static void queue_at_peer(struct state *st, const struct seq_op *op, bool fds)
{
	struct fdstate *peer = &st->fd[op->fd ^ 1];

	peer->queued++;
	peer->fdmsgs += fds;
}

static int check_send(struct parser *p, struct state *st, struct fdstate *f, struct seq_op *op)
{
	const char *name = opdefs[op->kind].name;
	unsigned pos = op->pos, len = op->tlen;

	if (op->kind == OP_SENDTO) {
		if (p->tr->stream)
			return fail(p, pos, len,
				    "sendto is for datagram transports; use send on %s",
				    transport_name(p->tr->kind));
		if (f->pair)
			return fail(p, pos, len, "sendto on a socketpair: use send");
		f->server = true;
	} else if (!f->connected) {
		return fail(p, pos, len, "%s before connect%s", name,
			    p->tr->stream ? "" : " (use sendto, or connect first)");
	}
	if (f->wr_shut)
		return fail(p, pos, len, "%s after shutdown for writing", name);
	if (op->flags & MSG_ZEROCOPY && !f->zerocopy) {
		snprintf(p->err->choices, sizeof(p->err->choices),
			 "for example socket,setsockopt:SO_ZEROCOPY=1,connect,send:64k:zerocopy,"
			 "zcdrain,close");
		return fail(p, pos, len, "zerocopy needs setsockopt:SO_ZEROCOPY=1 before it");
	}
	if (f->pair)
		queue_at_peer(st, op, op->kind == OP_SENDFD);
	else if (op->kind != OP_SENDFD || p->tr->stream)
		st->sent += op->kind == OP_SENDFD ? 1 : op->len;
	return 0;
}

static int check_recv(struct parser *p, struct state *st, struct fdstate *f, struct seq_op *op)
{
	unsigned pos = op->pos, len = op->tlen;
	bool peek = op->flags & MSG_PEEK;

	if (f->rd_shut)
		return fail(p, pos, len, "%s after shutdown for reading", opdefs[op->kind].name);
	if (f->eof_read)
		return fail(p, pos, len, "%s after recv-until:eof: the server has closed",
			    opdefs[op->kind].name);
	if (op->kind == OP_RECVFD || f->pair) {
		if (op->kind == OP_RECVFD ? !f->fdmsgs : !f->queued) {
			snprintf(p->err->choices, sizeof(p->err->choices),
				 "send to it first over the other end of its pair, e.g. "
				 "socketpair,sendfd@1:SELF,recvfd,close");
			return fail(p, pos, len,
				    "nothing was sent to descriptor %u: %s would wait forever",
				    op->fd, opdefs[op->kind].name);
		}
		if (!peek) {
			f->queued--;
			if (op->kind == OP_RECVFD)
				f->fdmsgs--;
		}
		if (op->kind == OP_RECVFD) {
			if (st->nfds >= SEQ_MAX_FDS) {
				snprintf(p->err->choices, sizeof(p->err->choices),
					 "at most %d descriptors per cycle", SEQ_MAX_FDS);
				return fail(p, pos, len, "too many descriptors");
			}
			op->arg_fd = (uint8_t)st->nfds;
			st->fd[st->nfds++].open = true;
		}
		return 0;
	}
	if (st->netns) {
		snprintf(p->err->choices, sizeof(p->err->choices),
			 "in a namespace per cycle only the cycle's own listener is there, and it "
			 "never answers");
		return fail(p, pos, len, "recv in a netns cycle");
	}
	if (p->tr->stream) {
		if (!f->connected)
			return fail(p, pos, len, "recv before connect");
		if (f->peeked && !peek) {
			/* The bytes a peek saw: taken now, no new request. */
			if (op->len > f->peeked)
				return fail(
					p, pos, len,
					"recv:%u after recv:%u:peek: at most the %u bytes peeked",
					op->len, f->peeked, f->peeked);
			f->peeked -= op->len;
			return 0;
		}
		if (add_step(p, st->sent, op->len, pos, len))
			return -EINVAL;
		st->sent = 0;
		f->peeked = peek ? op->len : 0;
		return 0;
	}
	if (!st->prev || (st->prev->kind != OP_SEND && st->prev->kind != OP_SENDTO &&
			  st->prev->kind != OP_SENDMSG &&
			  !(st->prev->kind == OP_RECV && st->prev->flags & MSG_PEEK))) {
		snprintf(p->err->choices, sizeof(p->err->choices), "for example send:64,recv:64");
		return fail(p, pos, len,
			    "on %s, recv answers the datagram just sent: put send:N or "
			    "sendto:N right before it",
			    transport_name(p->tr->kind));
	}
	if (p->tk == TR_UNIX_DGRAM && !f->bound) {
		snprintf(p->err->choices, sizeof(p->err->choices),
			 "for example socket,bind,connect,send:1,recv:1,close");
		return fail(p, pos, len,
			    "on unix-dgram the server answers to the client's address: "
			    "bind before");
	}
	return 0;
}

/* recv-until reads what a real server answers: a stream, connected to the server. */
static int check_until(struct parser *p, struct state *st, struct fdstate *f, struct seq_op *op)
{
	unsigned pos = op->pos, len = op->tlen;

	if (!p->tr->stream || f->pair || st->netns) {
		snprintf(p->err->choices, sizeof(p->err->choices), "%s",
			 !p->tr->stream ? "on datagram transports recv:N takes the answer" :
					  "recv-until reads a server's answer over socket,connect");
		return fail(p, pos, len, "recv-until on %s",
			    !p->tr->stream ? transport_name(p->tr->kind) :
			    f->pair	   ? "a socketpair" :
					     "a netns cycle");
	}
	if (!f->connected)
		return fail(p, pos, len, "recv-until before connect");
	if (f->rd_shut)
		return fail(p, pos, len, "recv-until after shutdown for reading");
	if (f->peeked)
		return fail(p, pos, len,
			    "recv-until after recv:N:peek: take the peeked bytes first");
	if (f->eof_read)
		return fail(p, pos, len, "recv-until after recv-until:eof: the server has closed");
	f->eof_read = !op->dlen;
	st->sent = 0;
	p->seq->has_until = true;
	return 0;
}

static int check_close(struct state *st, struct seq_op *op, bool all)
{
	unsigned k;

	if (!all) {
		st->fd[op->fd].open = false;
		st->fd[op->fd].closed = true;
		op->mask = 1u << op->fd;
	} else {
		for (k = 0; k < st->nfds; k++) {
			if (st->fd[k].open)
				op->mask |= 1u << k;
			st->fd[k].open = false;
			st->fd[k].closed = true;
		}
	}
	st->all_closed = !any_open(st);
	return 0;
}

static int check_op(struct parser *p, struct state *st, struct seq_op *op, bool at)
{
	const char *name = opdefs[op->kind].name;
	unsigned pos = op->pos, len = op->tlen;
	struct fdstate *f;

	if (op->kind == OP_SOCKET || op->kind == OP_SOCKETPAIR || op->kind == OP_NETNS)
		return check_opener(p, st, op);
	if (!st->any_open || st->all_closed) {
		snprintf(p->err->choices, sizeof(p->err->choices), "%s",
			 st->all_closed ? "close ends the cycle; put other ops before it" :
			 p->tr->family == AF_UNIX ? "start the sequence with socket or socketpair" :
						    "start the sequence with socket");
		return fail(p, pos, len, st->all_closed ? "'%s' after close" : "'%s' before socket",
			    name);
	}
	f = &st->fd[op->fd];
	if (op->fd >= st->nfds || !f->open) {
		snprintf(p->err->choices, sizeof(p->err->choices),
			 "descriptors are numbered as the cycle opens them: socket is @0, "
			 "socketpair @0 and @1, the next pair @2 and @3, recvfd the next");
		return fail(p, pos, len, "descriptor %u is %s", op->fd,
			    op->fd < st->nfds ? "closed already" : "not open");
	}
	snprintf(p->err->choices, sizeof(p->err->choices), "ops for %s: %s",
		 transport_name(p->tr->kind),
		 p->tr->stream ? "socket setsockopt bind connect send sendmsg recv shutdown close" :
				 "socket setsockopt bind connect send sendto sendmsg recv shutdown "
				 "close");
	if (p->tr->family == AF_UNIX)
		cat(p->err->choices, sizeof(p->err->choices), " socketpair sendfd recvfd");
	switch (op->kind) {
	case OP_SETSOCKOPT:
		if (op->level == SOL_SOCKET && op->name == SO_ZEROCOPY)
			f->zerocopy = op->val.i;
		break;
	case OP_BIND:
		if (f->bound || f->connected)
			return fail(p, pos, len,
				    f->pair  ? "bind on a socketpair" :
				    f->bound ? "a second bind" :
					       "bind after connect");
		f->bound = true;
		break;
	case OP_CONNECT:
		if (f->connected)
			return fail(p, pos, len,
				    f->pair ? "connect on a socketpair" : "a second connect");
		f->connected = f->server = true;
		break;
	case OP_SEND:
	case OP_SENDTO:
	case OP_SENDMSG:
		return check_send(p, st, f, op);
	case OP_SENDFD:
		if (p->tr->family != AF_UNIX)
			return fail(p, pos, len, "sendfd is for unix transports (SCM_RIGHTS)");
		if (op->mask && !f->pair)
			return fail(p, pos, len,
				    "sendfd:PEER on a descriptor that is not a pair's");
		op->mask = 0;
		if (!op->count && (op->arg_fd >= st->nfds || !st->fd[op->arg_fd].open))
			return fail(p, pos, len, "sendfd carries descriptor %u, which is not open",
				    op->arg_fd);
		op->len = 1;
		return check_send(p, st, f, op);
	case OP_RECV:
	case OP_RECVFD:
		return check_recv(p, st, f, op);
	case OP_RECV_UNTIL:
		return check_until(p, st, f, op);
	case OP_ZCDRAIN:
		if (!f->zerocopy) {
			snprintf(p->err->choices, sizeof(p->err->choices),
				 "setsockopt:SO_ZEROCOPY=1 and send:N:zerocopy before it");
			return fail(p, pos, len, "zcdrain on a descriptor without SO_ZEROCOPY");
		}
		break;
	case OP_SHUTDOWN:
		if (!f->connected)
			return fail(p, pos, len, "shutdown before connect");
		if (op->how != SHUT_WR)
			f->rd_shut = true;
		if (op->how != SHUT_RD)
			f->wr_shut = true;
		break;
	case OP_CLOSE:
		return check_close(st, op, !at);
	default:
		break;
	}
	return 0;
}

static void set_exec(struct seq *s, const struct transport *tr)
{
	static const enum seq_exec plain[OP_KINDS] = {
		[OP_SOCKET] = EX_SOCKET,     [OP_SETSOCKOPT] = EX_SETSOCKOPT,
		[OP_BIND] = EX_BIND,	     [OP_CONNECT] = EX_CONNECT,
		[OP_SEND] = EX_SEND_ALL,     [OP_SENDTO] = EX_SENDTO,
		[OP_RECV] = EX_RECV_ALL,     [OP_SHUTDOWN] = EX_SHUTDOWN,
		[OP_CLOSE] = EX_CLOSE,	     [OP_SOCKETPAIR] = EX_SOCKETPAIR,
		[OP_SENDMSG] = EX_SENDMSG,   [OP_SENDFD] = EX_SENDFD,
		[OP_RECVFD] = EX_RECVFD,     [OP_ZCDRAIN] = EX_ZCDRAIN,
		[OP_NETNS] = EX_NETNS_ENTER, [OP_RECV_UNTIL] = EX_RECV_UNTIL,
	};
	unsigned i;

	for (i = 0; i < s->nops; i++) {
		struct seq_op *op = &s->ops[i];

		op->exec = plain[op->kind];
		if (op->kind == OP_CLOSE && op->mask & (op->mask - 1))
			op->exec = EX_CLOSE_ALL;
		else if (op->kind == OP_CLOSE)
			op->fd = (uint8_t)__builtin_ctz(op->mask);
		if (op->kind == OP_CONNECT && s->netns_cycle)
			op->exec = EX_CONNECT_ADDR;
		else if (op->kind == OP_SENDTO && s->netns_cycle)
			op->exec = EX_SENDTO_ADDR;
		s->has_nb |= (op->flags & MSG_DONTWAIT) != 0;
		if (op->kind == OP_SEND || op->kind == OP_SENDTO || op->kind == OP_SENDMSG)
			op->flags |= MSG_NOSIGNAL;
		if (op->kind == OP_RECV && op->flags & MSG_PEEK && tr->stream)
			op->flags |= MSG_WAITALL; /* a peek sees the whole answer or nothing */
		if (op->kind == OP_SENDMSG && !op->iovs)
			op->iovs = (uint8_t)(op->len / 4096 < 1		  ? 1 :
					     op->len / 4096 > SEQ_MAX_IOV ? SEQ_MAX_IOV :
									    op->len / 4096);
		if (tr->stream)
			continue;
		if (op->kind == OP_SOCKET && s->has_recv)
			op->exec = EX_SOCKET_RCVTIMEO;
		else if (op->kind == OP_SEND)
			op->exec = EX_SEND_DGRAM;
		else if (op->kind == OP_RECV)
			op->exec = EX_RECV_DGRAM;
	}
}

/* Datagram plan: each request size maps to the size of its answer (0: none). */
static int dgram_plan(struct parser *p)
{
	struct seq *s = p->seq;
	unsigned i;

	int sock = -1;

	for (i = 0; i < s->nops; i++)
		if (s->ops[i].kind == OP_SOCKET)
			sock = s->ops[i].fd;
	for (i = 0; i < s->nops; i++) {
		const struct seq_op *op = &s->ops[i], *next = i + 1 < s->nops ? op + 1 : NULL;
		uint32_t reply =
			next && next->kind == OP_RECV && next->fd == op->fd ? next->len : 0;

		if (op->kind != OP_SEND && op->kind != OP_SENDTO && op->kind != OP_SENDMSG)
			continue;
		if (op->fd != sock)
			continue; /* a pair's send: no server there */
		if (add_step(p, op->len, reply, op->pos, op->tlen))
			return -EINVAL;
	}
	return 0;
}

/* "name", "name@K": the op and the descriptor it acts on. */
static int parse_name(struct parser *p, const char *tok, size_t nn, unsigned pos, struct seq_op *op,
		      bool *at)
{
	const char *a = memchr(tok, '@', nn);
	size_t base = a ? (size_t)(a - tok) : nn;
	unsigned k;
	long v;

	for (k = 0; k < OP_KINDS; k++)
		if (strlen(opdefs[k].name) == base && !strncmp(opdefs[k].name, tok, base))
			break;
	if (k == OP_KINDS) {
		choices_ops(p);
		if (nn == 0)
			return fail(p, pos, 1, "empty op");
		return fail(p, pos, (unsigned)base ? (unsigned)base : 1, "unknown op '%.*s'",
			    (int)base, tok);
	}
	op->kind = k;
	*at = a != NULL;
	if (!a)
		return 0;
	if (k == OP_SOCKET || k == OP_SOCKETPAIR || k == OP_NETNS) {
		snprintf(p->err->choices, sizeof(p->err->choices),
			 "%s makes the next descriptor; @K names one for the ops after it",
			 opdefs[k].name);
		return fail(p, pos + (unsigned)base, (unsigned)(nn - base), "%s takes no @K",
			    opdefs[k].name);
	}
	if (parse_long(a + 1, nn - base - 1, &v) || v < 0 || v >= SEQ_MAX_FDS) {
		snprintf(p->err->choices, sizeof(p->err->choices),
			 "%s@K acts on the cycle's descriptor K (0..%d), e.g. %s@1", opdefs[k].name,
			 SEQ_MAX_FDS - 1, opdefs[k].name);
		return fail(p, pos + (unsigned)base, (unsigned)(nn - base), "bad descriptor");
	}
	op->fd = (uint8_t)v;
	return 0;
}

static int parse_op(struct parser *p, const char *tok, size_t n, unsigned pos, struct seq_op *op,
		    bool *at)
{
	const char *colon = memchr(tok, ':', n);
	size_t nn = colon ? (size_t)(colon - tok) : n;
	const char *arg = colon ? colon + 1 : NULL;
	size_t an = colon ? n - nn - 1 : 0;
	unsigned apos = pos + (unsigned)nn + 1;
	enum seq_opk k;

	memset(op, 0, sizeof(*op));
	op->pos = pos;
	op->tlen = (unsigned)n;
	if (parse_name(p, tok, nn, pos, op, at))
		return -EINVAL;
	k = op->kind;
	switch (k) {
	case OP_SETSOCKOPT:
	case OP_SEND:
	case OP_SENDTO:
	case OP_SENDMSG:
	case OP_RECV:
	case OP_SHUTDOWN:
	case OP_SENDFD:
	case OP_RECV_UNTIL:
		if (!arg || !an) {
			snprintf(p->err->choices, sizeof(p->err->choices), "write it as %s",
				 opdefs[k].syntax);
			return fail(p, pos, (unsigned)n, "%s needs an argument", opdefs[k].name);
		}
		break;
	case OP_BIND:
		break;
	default:
		if (arg) {
			snprintf(p->err->choices, sizeof(p->err->choices), "write it as %s",
				 opdefs[k].syntax);
			return fail(p, apos - 1, (unsigned)an + 1, "%s takes no argument",
				    opdefs[k].name);
		}
	}
	switch (k) {
	case OP_SETSOCKOPT:
		return parse_setsockopt(p, op, arg, an, apos);
	case OP_SEND:
	case OP_SENDTO:
	case OP_SENDMSG:
	case OP_RECV:
		return parse_bytes(p, op, arg, an, apos);
	case OP_SENDFD:
		return parse_sendfd(p, op, arg, an, apos);
	case OP_RECV_UNTIL:
		return parse_until(p, op, arg, an, apos);
	case OP_BIND:
		return parse_bind(p, op, arg, an, arg ? apos : pos);
	case OP_SHUTDOWN:
		if (an == 2 && !strncmp(arg, "rd", 2))
			op->how = SHUT_RD;
		else if (an == 2 && !strncmp(arg, "wr", 2))
			op->how = SHUT_WR;
		else if (an == 4 && !strncmp(arg, "rdwr", 4))
			op->how = SHUT_RDWR;
		else {
			snprintf(p->err->choices, sizeof(p->err->choices),
				 "shutdown:rd, shutdown:wr or shutdown:rdwr");
			return fail(p, apos, (unsigned)an, "bad shutdown direction");
		}
		return 0;
	default:
		return 0;
	}
}

/* A netns cycle connects to its own listener, and leaves its namespace at the end. */
static int finish_netns(struct parser *p)
{
	struct seq *s = p->seq;
	struct seq_op *leave;
	char addr[64];
	socklen_t len;
	unsigned i;

	if (s->nops == ENGINE_MAX_OPS) {
		snprintf(p->err->choices, sizeof(p->err->choices), "at most %d ops with netns",
			 ENGINE_MAX_OPS - 1);
		return fail(p, 0, 5, "too many ops");
	}
	if (p->tr->family == AF_UNIX)
		snprintf(addr, sizeof(addr), "@sockleak.cycle");
	else
		snprintf(addr, sizeof(addr),
			 p->tr->family == AF_INET6 ? "[::1]:%d" : "127.0.0.1:%d", SEQ_CYCLE_PORT);
	for (i = 0; i < s->nops; i++) {
		struct seq_op *op = &s->ops[i];

		if (op->kind == OP_NETNS || op->kind == OP_CONNECT || op->kind == OP_SENDTO) {
			transport_addr_parse(p->tr, addr, &op->addr, &len);
			if (op->kind != OP_NETNS || !op->len)
				op->len = len;
		}
	}
	leave = &s->ops[s->nops++];
	*leave = s->ops[0];
	leave->exec = EX_NETNS_LEAVE;
	return 0;
}

int seq_compile(const char *text, enum transport_kind t, bool allow_open, struct seq *out,
		struct seq_error *err)
{
	struct parser p = { text, t, transport_get(t), out, err };
	struct state st = { 0 };
	size_t len = strlen(text), i = 0;
	bool at = false;

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	out->transport = t;
	if (!p.tr)
		return fail(&p, 0, 0, "unknown transport");
	for (;;) {
		size_t b = i, e;
		struct seq_op *op;

		/* A comma inside a quoted payload is part of it. */
		for (; i < len && text[i] != ','; i++) {
			if (text[i] == '"') {
				size_t q = quote_end(text + i, len - i);

				i += q < len - i ? q : len - i - 1;
			}
		}
		e = i;
		/* Spaces around an op are allowed: "socket, connect". */
		while (b < e && text[b] == ' ')
			b++;
		while (e > b && text[e - 1] == ' ')
			e--;
		if (out->nops == ENGINE_MAX_OPS) {
			snprintf(err->choices, sizeof(err->choices), "at most %d ops",
				 ENGINE_MAX_OPS);
			return fail(&p, (unsigned)b, (unsigned)(len - b), "too many ops");
		}
		op = &out->ops[out->nops];
		if (parse_op(&p, text + b, e - b, (unsigned)b, op, &at) ||
		    check_op(&p, &st, op, at))
			return -EINVAL;
		if (op->kind == OP_SEND || op->kind == OP_SENDTO || op->kind == OP_SENDMSG)
			out->max_send = op->len > out->max_send ? op->len : out->max_send;
		if (op->kind == OP_RECV) {
			out->max_recv = op->len > out->max_recv ? op->len : out->max_recv;
			out->has_recv |= st.fd[op->fd].server;
		}
		if (op->kind == OP_RECV_UNTIL && out->max_recv < SEQ_UNTIL_CHUNK + SEQ_MAX_DELIM)
			out->max_recv = SEQ_UNTIL_CHUNK + SEQ_MAX_DELIM;
		if (!st.fd[op->fd].pair)
			st.prev = op;
		out->nops++;
		if (i >= len)
			break;
		i++;
	}
	if (!st.nfds) {
		choices_ops(&p);
		return fail(&p, (unsigned)len, 1, "the sequence never opens a socket");
	}
	if (!st.all_closed && !allow_open) {
		snprintf(err->choices, sizeof(err->choices),
			 "end it with ',close', or pass --allow-open to leave one socket open per "
			 "cycle on purpose");
		return fail(&p, (unsigned)len, 1,
			    "the sequence does not close its socket: every cycle would leak one");
	}
	out->closes = st.all_closed;
	out->nfds = st.nfds;
	out->netns_cycle = st.netns;
	out->has_server = st.socket;
	set_exec(out, p.tr);
	if (st.netns && finish_netns(&p))
		return -EINVAL;
	return p.tr->stream ? 0 : dgram_plan(&p);
}

bool seq_op_needs_fd(const struct seq_op *op)
{
	switch (op->exec) {
	case EX_SOCKETPAIR:
	case EX_SENDFD:
	case EX_RECVFD:
	case EX_ZCDRAIN:
	case EX_NETNS_ENTER:
	case EX_NETNS_LEAVE:
	case EX_RECV_UNTIL:
		return true;
	default:
		return false;
	}
}

void seq_error_print(FILE *f, const char *text, const struct seq_error *err)
{
	size_t n = strlen(text), i;

	if (f == stderr)
		sl_err("bad sequence: %s", err->msg); /* with the command, as every message */
	else
		fprintf(f, "sockleak: bad sequence: %s\n", err->msg);
	fprintf(f, "  %s\n  ", text);
	for (i = 0; i < err->pos && i < n; i++)
		fputc(text[i] == '\t' ? '\t' : ' ', f);
	fputc('^', f);
	for (i = 1; i < err->len; i++)
		fputc('~', f);
	fputc('\n', f);
	if (err->choices[0])
		fprintf(f, "  %s\n", err->choices);
}

void seq_op_text(const char *text, const struct seq_op *op, char *buf, size_t size)
{
	snprintf(buf, size, "%.*s", (int)op->tlen, text + op->pos);
}

const char *seq_preset(const char *name, enum transport_kind t, const char **why)
{
	const struct transport *tr = transport_get(t);
	unsigned i;
	const char *s;

	*why = NULL;
	for (i = 0; i < ARRAY_SIZE(presets); i++) {
		if (strcmp(name, presets[i].name))
			continue;
		if (presets[i].tmask && !(presets[i].tmask & T(t))) {
			*why = "it is for unix and unix-dgram (a socketpair's SCM_RIGHTS)";
			return NULL;
		}
		s = tr->stream	       ? presets[i].stream :
		    t == TR_UNIX_DGRAM ? presets[i].unix_dgram :
					 presets[i].dgram;
		if (!s)
			*why = tr->stream ? "it is for datagram transports" :
					    "it is for stream transports";
		return s;
	}
	return NULL;
}

void seq_list_presets(FILE *f)
{
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(presets); i++) {
		const struct preset *p = &presets[i];

		fprintf(f, "%-12s %s\n", p->name, p->what);
		if (p->stream)
			fprintf(f, "  %-12s %s\n", p->tmask ? "unix:" : "stream:", p->stream);
		if (p->dgram)
			fprintf(f, "  %-12s %s\n", "udp, udp6:", p->dgram);
		if (p->unix_dgram)
			fprintf(f, "  %-12s %s\n", "unix-dgram:", p->unix_dgram);
	}
}

void seq_option_doc(unsigned i, struct seq_option_doc *doc)
{
	static const char *const levels[] = { "SOL_SOCKET", "IPPROTO_TCP", "IPPROTO_IP",
					      "IPPROTO_IPV6" };
	const struct optdef *d = &options[i < ARRAY_SIZE(options) ? i : 0];

	doc->name = d->name;
	doc->value = syntax_of[d->v];
	doc->level = d->level == SOL_SOCKET  ? levels[0] :
		     d->level == IPPROTO_TCP ? levels[1] :
		     d->level == IPPROTO_IP  ? levels[2] :
					       levels[3];
	doc->example = d->example;
	doc->what = d->what;
	if (d->tmask == T_ALL)
		snprintf(doc->transports, sizeof(doc->transports), "all");
	else
		transports_of(d->tmask, doc->transports, sizeof(doc->transports));
}

void seq_list_options(FILE *f)
{
	struct seq_option_doc d;
	char syn[48];
	unsigned i;

	fprintf(f, "%-26s %-12s %-10s %-34s %s\n", "OPTION=VALUE", "LEVEL", "EXAMPLE", "TRANSPORTS",
		"WHAT");
	for (i = 0; i < ARRAY_SIZE(options); i++) {
		seq_option_doc(i, &d);
		snprintf(syn, sizeof(syn), "%s=%s", d.name, d.value);
		fprintf(f, "%-26s %-12s %-10s %-34s %s\n", syn, d.level, d.example, d.transports,
			d.what);
	}
}
