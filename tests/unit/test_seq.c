/* Unit tests for src/engine/seq.c: valid and invalid sequences, every option, presets, carets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "common.h"
#include "engine/seq.h"
#include "engine/transport.h"

static struct seq s;
static struct seq_error err;

static int compile(const char *text, enum transport_kind t)
{
	return seq_compile(text, t, false, &s, &err);
}

/* Expects a compile error whose caret is under `under` (first occurrence) and msg has `what`. */
static void expect_error(const char *text, enum transport_kind t, const char *under,
			 const char *what)
{
	const char *at;

	if (compile(text, t) != -EINVAL)
		fail_msg("'%s' compiled", text);
	if (under) {
		at = strstr(text, under);
		assert_non_null(at);
		assert_int_equal(err.pos, (unsigned)(at - text));
		assert_int_equal(err.len, strlen(under));
	}
	if (!strstr(err.msg, what))
		fail_msg("message '%s' lacks '%s'", err.msg, what);
}

static void test_default_kb(void **state)
{
	(void)state;
	assert_int_equal(compile("socket,setsockopt:SO_REUSEADDR=1,connect,send:64,close", TR_TCP),
			 0);
	assert_int_equal(s.nops, 5);
	assert_int_equal(s.ops[0].kind, OP_SOCKET);
	assert_int_equal(s.ops[1].kind, OP_SETSOCKOPT);
	assert_int_equal(s.ops[1].level, SOL_SOCKET);
	assert_int_equal(s.ops[1].name, SO_REUSEADDR);
	assert_int_equal(s.ops[1].val.i, 1);
	assert_int_equal(s.ops[1].len, sizeof(int));
	assert_int_equal(s.ops[2].kind, OP_CONNECT);
	assert_int_equal(s.ops[3].kind, OP_SEND);
	assert_int_equal(s.ops[3].len, 64);
	assert_int_equal(s.ops[4].kind, OP_CLOSE);
	assert_true(s.closes);
	assert_false(s.has_recv);
	assert_int_equal(s.plan.nsteps, 0); /* the server reads to EOF */
	assert_int_equal(s.max_send, 64);
}

static void test_crr_plan(void **state)
{
	(void)state;
	assert_int_equal(
		compile("socket,setsockopt:SO_LINGER=1:0,connect,send:1,recv:1,close", TR_TCP), 0);
	assert_int_equal(s.ops[1].val.linger.l_onoff, 1);
	assert_int_equal(s.ops[1].val.linger.l_linger, 0);
	assert_int_equal(s.ops[1].len, sizeof(struct linger));
	assert_int_equal(s.plan.nsteps, 1);
	assert_int_equal(s.plan.step[0].expect, 1);
	assert_int_equal(s.plan.step[0].reply, 1);
	assert_int_equal(s.ops[0].exec, EX_SOCKET);
	assert_int_equal(s.ops[3].exec, EX_SEND_ALL);
	assert_int_equal(s.ops[4].exec, EX_RECV_ALL);
	assert_int_equal(s.ops[5].exec, EX_CLOSE);

	/* Bytes sent since the last recv add up; a server-first reply expects nothing. */
	assert_int_equal(
		compile("socket,connect,recv:5,send:10,send:20,recv:4k,send:3,close", TR_UNIX), 0);
	assert_int_equal(s.plan.nsteps, 2);
	assert_int_equal(s.plan.step[0].expect, 0);
	assert_int_equal(s.plan.step[0].reply, 5);
	assert_int_equal(s.plan.step[1].expect, 30);
	assert_int_equal(s.plan.step[1].reply, 4096);
	assert_int_equal(s.max_recv, 4096);
	assert_int_equal(s.max_send, 20);
}

static void test_dgram_plan(void **state)
{
	(void)state;
	assert_int_equal(compile("socket,connect,send:8,recv:100,sendto:9,close", TR_UDP), 0);
	/* The transport's choices are made at compile time, not in the loop. */
	assert_int_equal(s.ops[0].exec, EX_SOCKET_RCVTIMEO);
	assert_int_equal(s.ops[2].exec, EX_SEND_DGRAM);
	assert_int_equal(s.ops[3].exec, EX_RECV_DGRAM);
	assert_int_equal(s.ops[4].exec, EX_SENDTO);
	assert_int_equal(s.plan.nsteps, 2);
	assert_int_equal(s.plan.step[0].expect, 8);
	assert_int_equal(s.plan.step[0].reply, 100);
	assert_int_equal(s.plan.step[1].expect, 9);
	assert_int_equal(s.plan.step[1].reply, 0);
	/* The server tells requests apart by size: one size, two answers is ambiguous. */
	expect_error("socket,connect,send:8,recv:100,send:8,close", TR_UDP6, NULL,
		     "tells requests apart");
	assert_int_equal(compile("socket,connect,send:8,recv:100,send:8,recv:100,close", TR_UDP),
			 0);
	assert_int_equal(s.plan.nsteps, 1);
}

static void test_spaces_and_bind(void **state)
{
	struct sockaddr_in *in = (struct sockaddr_in *)&s.ops[1].addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&s.ops[1].addr;
	struct sockaddr_un *un = (struct sockaddr_un *)&s.ops[1].addr;

	(void)state;
	assert_int_equal(compile(" socket , bind:127.0.0.2:8080, connect ,close ", TR_TCP), 0);
	assert_int_equal(s.nops, 4);
	assert_true(s.ops[1].has_addr);
	assert_int_equal(ntohs(in->sin_port), 8080);
	assert_int_equal(ntohl(in->sin_addr.s_addr), 0x7f000002);
	assert_int_equal(compile("socket,bind:[::1]:7,connect,close", TR_TCP6), 0);
	assert_int_equal(ntohs(in6->sin6_port), 7);
	assert_int_equal(compile("socket,bind:::1,connect,close", TR_UDP6), 0);
	assert_int_equal(ntohs(in6->sin6_port), 0);
	assert_int_equal(compile("socket,bind:@name,connect,close", TR_UNIX), 0);
	assert_int_equal(un->sun_path[0], '\0');
	assert_memory_equal(un->sun_path + 1, "name", 4);
	assert_int_equal(compile("socket,bind,connect,close", TR_UNIX_DGRAM), 0);
	assert_false(s.ops[1].has_addr);
	assert_int_equal(s.ops[1].len, sizeof(sa_family_t)); /* autobind */
	expect_error("socket,bind:300.0.0.1,connect,close", TR_TCP, "300.0.0.1",
		     "not a tcp address");
	expect_error("socket,bind:1.2.3.4:99999,connect,close", TR_UDP, "1.2.3.4:99999",
		     "not a udp address");
}

static void test_invalid(void **state)
{
	(void)state;
	expect_error("socket,connect,sennd:64,close", TR_TCP, "sennd", "unknown op 'sennd'");
	assert_non_null(strstr(err.choices, "send:N"));
	assert_non_null(strstr(err.choices, "shutdown:rd|wr|rdwr"));
	expect_error("connect,socket,close", TR_TCP, "connect", "before socket");
	expect_error("socket,connect,send:64", TR_TCP, NULL, "does not close");
	assert_int_equal(err.pos, strlen("socket,connect,send:64"));
	expect_error("socket,close,connect", TR_TCP, "connect", "after close");
	expect_error("socket,close,socket,close", TR_TCP, NULL, "second socket");
	assert_int_equal(err.pos, strlen("socket,close,"));
	assert_int_equal(err.len, strlen("socket"));
	expect_error("socket,send:1,close", TR_TCP, "send:1", "send before connect");
	expect_error("socket,connect,sendto:1,close", TR_TCP, "sendto:1", "datagram");
	expect_error("socket,recv:1,close", TR_TCP, "recv:1", "recv before connect");
	expect_error("socket,connect,connect,close", TR_TCP, NULL, "second connect");
	assert_int_equal(err.pos, strlen("socket,connect,"));
	expect_error("socket,connect,bind,close", TR_TCP, "bind", "bind after connect");
	expect_error("socket,connect,shutdown:wr,send:1,close", TR_TCP, "send:1", "shutdown");
	expect_error("socket,connect,shutdown:rdwr,recv:1,close", TR_TCP, "recv:1", "shutdown");
	expect_error("socket,connect,shutdown:both,close", TR_TCP, "both", "shutdown direction");
	expect_error("socket,shutdown:wr,close", TR_UDP, "shutdown:wr", "before connect");
	expect_error("socket,connect,send:0,close", TR_TCP, "0", "byte count");
	expect_error("socket,connect,send:2M,close", TR_TCP, "2M", "byte count");
	expect_error("socket,connect,send:x,close", TR_TCP, "x", "byte count");
	expect_error("socket,connect,send,close", TR_TCP, "send", "needs an argument");
	expect_error("socket,connect:x,close", TR_TCP, ":x", "takes no argument");
	expect_error("socket,,close", TR_TCP, NULL, "empty op");
	assert_int_equal(err.pos, 7);
	expect_error("", TR_TCP, NULL, "empty op");
	expect_error("socket,connect,recv:4,close", TR_UDP, "recv:4", "datagram just sent");
	expect_error("socket,connect,send:1,recv:1,close", TR_UNIX_DGRAM, "recv:1", "bind before");
	expect_error("socket,send:1,close", TR_UDP, "send:1", "use sendto");
}

static void test_too_many(void **state)
{
	char text[1024] = "socket";
	int i;

	(void)state;
	for (i = 0; i < ENGINE_MAX_OPS; i++)
		strcat(text, ",setsockopt:SO_KEEPALIVE=1");
	strcat(text, ",close");
	assert_int_equal(compile(text, TR_TCP), -EINVAL);
	assert_non_null(strstr(err.msg, "too many ops"));
}

static void test_allow_open(void **state)
{
	(void)state;
	assert_int_equal(seq_compile("socket,connect", TR_TCP, true, &s, &err), 0);
	assert_false(s.closes);
	assert_int_equal(seq_compile("socket,connect,close", TR_TCP, true, &s, &err), 0);
	assert_true(s.closes);
}

static void test_every_option(void **state)
{
	unsigned i, t, ok;
	char text[128];

	(void)state;
#ifdef _WIN32
	assert_true(seq_option_count() >= 9); /* the rows Winsock has */
#else
	assert_true(seq_option_count() >= 21);
#endif
	for (i = 0; i < seq_option_count(); i++) {
		snprintf(text, sizeof(text), "socket,setsockopt:%s=%s,close", seq_option_name(i),
			 seq_option_example(i));
		ok = 0;
		for (t = 0; t < TR_COUNT; t++) {
			int rc = compile(text, t);

			if (rc == 0) {
				assert_int_equal(s.ops[1].kind, OP_SETSOCKOPT);
				assert_true(s.ops[1].len > 0);
				ok++;
			} else {
				/* Refused only because it does not apply to the transport. */
				assert_non_null(strstr(err.msg, "does not apply"));
				assert_non_null(strstr(err.choices, "options for"));
			}
		}
		if (!ok)
			fail_msg("%s applies to no transport", seq_option_name(i));
		/* A value that no option takes. */
		snprintf(text, sizeof(text), "socket,setsockopt:%s=zz:zz:zz:zz,close",
			 seq_option_name(i));
		for (t = 0; t < TR_COUNT; t++) {
			if (compile(text, t) == 0 && strcmp(seq_option_name(i), "TCP_CONGESTION"))
				fail_msg("%s took a bad value", seq_option_name(i));
		}
	}
}

static void test_option_values(void **state)
{
	(void)state;
	assert_int_equal(compile("socket,setsockopt:SO_SNDBUF=64k,close", TR_TCP), 0);
	assert_int_equal(s.ops[1].val.i, 65536);
	assert_int_equal(compile("socket,setsockopt:IP_TOS=0x10,close", TR_UDP), 0);
	assert_int_equal(s.ops[1].level, IPPROTO_IP);
	assert_int_equal(s.ops[1].val.i, 0x10);
#ifdef TCP_CONGESTION /* Linux's */
	assert_int_equal(compile("socket,setsockopt:TCP_CONGESTION=cubic,connect,close", TR_TCP),
			 0);
	assert_int_equal(s.ops[1].level, IPPROTO_TCP);
	assert_int_equal(s.ops[1].name, TCP_CONGESTION);
	assert_string_equal(s.ops[1].val.str, "cubic");
	assert_int_equal(s.ops[1].len, 5);
#endif
	assert_int_equal(compile("socket,setsockopt:IPV6_V6ONLY=1,close", TR_TCP6), 0);
	assert_int_equal(s.ops[1].level, IPPROTO_IPV6);
	expect_error("socket,setsockopt:IP_TTL=0,close", TR_TCP, "0", "bad value for IP_TTL");
	assert_non_null(strstr(err.choices, "1..255"));
	expect_error("socket,setsockopt:SO_REUSEADDR=2,close", TR_TCP, "2", "bad value");
	expect_error("socket,setsockopt:SO_LINGER=1,close", TR_TCP, "1", "bad value");
	expect_error("socket,setsockopt:SO_LINGER=2:0,close", TR_TCP, "2:0", "bad value");
#ifdef TCP_CONGESTION
	expect_error("socket,setsockopt:TCP_CONGESTION=averyveryverylongname,close", TR_TCP,
		     "averyveryverylongname", "bad value");
#else
	/* A Linux-only option is not taken silently. */
	expect_error("socket,setsockopt:TCP_CONGESTION=reno,close", TR_TCP, "TCP_CONGESTION",
		     "unknown socket option");
#endif
	expect_error("socket,setsockopt:SO_LINGR=1,close", TR_TCP, "SO_LINGR",
		     "unknown socket option");
	expect_error("socket,setsockopt:SO_LINGER,close", TR_TCP, "SO_LINGER", "needs a value");
	expect_error("socket,setsockopt:TCP_NODELAY=1,close", TR_UNIX, "TCP_NODELAY",
		     "does not apply to unix");
	assert_null(strstr(err.choices, "TCP_NODELAY"));
#ifndef _WIN32
	expect_error("socket,setsockopt:IPV6_TCLASS=1,close", TR_TCP, "IPV6_TCLASS",
		     "does not apply");
#endif
}

static void test_presets(void **state)
{
	static const char *const names[] = {
		"kb171996",	    "crr",	"abort",	  "halfclose",
		"sendto",	    "netns-kb", "scm-self",	  "scm-cross",
		"scm-triangle",	    "http",	"http-keepalive", "redis-ping",
		"memcached-version"
	};
	const char *text, *why;
	unsigned i, t, n = 0;

	(void)state;
	text = seq_preset("kb171996", TR_TCP, &why);
	assert_string_equal(text, "socket,setsockopt:SO_REUSEADDR=1,connect,send:64,close");
	assert_null(why);
	assert_null(seq_preset("nope", TR_TCP, &why));
	assert_null(why);
	assert_null(seq_preset("halfclose", TR_UDP, &why));
	assert_non_null(why);
	/* Every preset compiles for every transport it applies to. */
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		for (t = 0; t < TR_COUNT; t++) {
			text = seq_preset(names[i], t, &why);
			if (!text) {
				assert_non_null(why);
				continue;
			}
			n++;
			if (compile(text, t))
				fail_msg("preset %s on %s: %s", names[i], transport_name(t),
					 err.msg);
		}
	}
	assert_true(n >= 33);
	text = seq_preset("crr", TR_UNIX_DGRAM, &why);
	assert_non_null(strstr(text, "bind"));
}

/* Payloads: C escapes and hex, bytes kept in the sequence's data; commas inside quotes. */
/* A send flag both platforms have, for tests that only need one (Winsock has no dontwait). */
#ifdef _WIN32
#define SEND_FLAG ":oob"
#define SEND_MSG MSG_OOB
#else
#define SEND_FLAG ":dontwait"
#define SEND_MSG MSG_DONTWAIT
#endif

static void test_payloads(void **state)
{
	(void)state;
	assert_int_equal(compile("socket,connect,send:\"GET /, x\\r\\n\\t\\0\\x41\\101\\\"\\\\\","
				 "send:hex:0d0A" SEND_FLAG ",sendmsg:\"abc\":iov=2,close",
				 TR_TCP),
			 0);
	assert_int_equal(s.nops, 6);
	assert_true(s.ops[2].payload);
	assert_int_equal(s.ops[2].len, 16);
	assert_memory_equal(s.data + s.ops[2].off, "GET /, x\r\n\t\0AA\"\\", 16);
	assert_int_equal(s.ops[2].exec, EX_SEND_ALL);
	assert_true(s.ops[3].payload);
	assert_int_equal(s.ops[3].len, 2);
	assert_memory_equal(s.data + s.ops[3].off, "\r\n", 2);
	assert_true(s.ops[3].flags & SEND_MSG);
	assert_int_equal(s.ops[4].len, 3);
	assert_int_equal(s.ops[4].iovs, 2);
	assert_memory_equal(s.data + s.ops[4].off, "abc", 3);
	assert_int_equal(s.ndata, 21);
	assert_false(s.has_until);
	/* The local server expects what was sent: a payload's length. */
	assert_int_equal(compile("socket,connect,send:\"ping\",recv:4,close", TR_TCP), 0);
	assert_int_equal(s.plan.nsteps, 1);
	assert_int_equal(s.plan.step[0].expect, 4);
	assert_int_equal(compile("socket,sendto:hex:ff,recv:1,close", TR_UDP), 0);
	assert_int_equal(s.plan.step[0].expect, 1);
	assert_int_equal(s.ops[1].exec, EX_SENDTO);
	assert_true(s.ops[1].payload);
	/* recv-until: a delimiter, or to EOF; bounds. */
	assert_int_equal(compile("socket,connect,send:\"x\",recv-until:\"\\r\\n\\r\\n\","
				 "send:\"y\",recv-until:\",\":max=100,recv-until:eof,close",
				 TR_TCP),
			 0);
	assert_true(s.has_until);
	assert_int_equal(s.ops[3].exec, EX_RECV_UNTIL);
	assert_int_equal(s.ops[3].dlen, 4);
	assert_int_equal(s.ops[3].len, SEQ_UNTIL_MAX);
	assert_memory_equal(s.data + s.ops[3].off, "\r\n\r\n", 4);
	assert_int_equal(s.ops[5].dlen, 1);
	assert_int_equal(s.ops[5].len, 100);
	assert_int_equal(s.ops[6].dlen, 0);
	assert_int_equal(s.ops[6].len, SEQ_MAX_BYTES);
	assert_true(s.max_recv >= SEQ_UNTIL_CHUNK + SEQ_MAX_DELIM);
	assert_true(seq_op_needs_fd(&s.ops[3]));
	assert_int_equal(compile("socket,connect,recv-until:eof:max=2k,close", TR_UNIX), 0);
	assert_int_equal(s.ops[2].len, 2048);
}

static void test_payload_errors(void **state)
{
	char big[SEQ_MAX_DATA + 64];

	(void)state;
	expect_error("socket,connect,send:\"abc,close", TR_TCP, "\"abc,close",
		     "unterminated string");
	expect_error("socket,connect,send:\"a\\qb\",close", TR_TCP, "\\q", "unknown escape");
	expect_error("socket,connect,send:\"\",close", TR_TCP, "\"\"", "an empty payload");
	expect_error("socket,connect,send:hex:0d0,close", TR_TCP, "hex:0d0", "bad hex payload");
	expect_error("socket,connect,send:hex:0g,close", TR_TCP, "0g", "not a hex digit");
	expect_error("socket,connect,send:hex:,close", TR_TCP, "hex:", "bad hex payload");
	expect_error("socket,connect,send:\"a\"x,close", TR_TCP, "x", "':' and a flag");
	expect_error("socket,connect,send:\"a\":peek,close", TR_TCP, "peek", "unknown flag");
	expect_error("socket,connect,recv:\"a\",close", TR_TCP, "\"a\"", "bad byte count");
	expect_error("socket,connect,recv-until,close", TR_TCP, "recv-until", "needs an argument");
	expect_error("socket,connect,recv-until:x,close", TR_TCP, "x", "quoted delimiter or eof");
	expect_error("socket,connect,recv-until:\"\",close", TR_TCP, "\"\"", "an empty delimiter");
	expect_error("socket,connect,recv-until:eof:max=0,close", TR_TCP, ":max=0", "bad bound");
	expect_error("socket,connect,recv-until:\"\\n\":mux=1,close", TR_TCP, ":mux=1",
		     "bad bound");
	expect_error("socket,recv-until:eof,close", TR_TCP, "recv-until:eof", "before connect");
	expect_error("socket,connect,send:1,recv-until:eof,close", TR_UDP, "recv-until:eof",
		     "recv-until on udp");
	expect_error("socketpair,recv-until:eof,close", TR_UNIX, "recv-until:eof",
		     "on a socketpair");
	expect_error("socket,connect,recv-until:eof,recv:1,close", TR_TCP, "recv:1",
		     "server has closed");
	memset(big, 'a', sizeof(big));
	memcpy(big, "socket,connect,send:\"", 21);
	memcpy(big + sizeof(big) - 8, "\",close", 8);
	expect_error(big, TR_TCP, NULL, "payload too long");
}

static void test_caret_print(void **state)
{
	const char *text = "socket,connect,sennd:64,close";
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(compile(text, TR_TCP), -EINVAL);
	f = open_memstream(&out, &len);
	seq_error_print(f, text, &err);
	fclose(f);
	assert_non_null(strstr(out, "sockleak: bad sequence: unknown op 'sennd'\n"));
	assert_non_null(strstr(out, "\n  socket,connect,sennd:64,close\n"
				    "                 ^~~~~\n"));
	assert_non_null(strstr(out, "ops: socket setsockopt:NAME=VALUE bind[:ADDR] connect"));
	free(out);
}

static void test_op_text(void **state)
{
	const char *text = "socket,setsockopt:SO_LINGER=1:0,connect,close";
	char buf[64];

	(void)state;
	assert_int_equal(compile(text, TR_TCP), 0);
	seq_op_text(text, &s.ops[1], buf, sizeof(buf));
	assert_string_equal(buf, "setsockopt:SO_LINGER=1:0");
	assert_string_equal(seq_op_name(s.ops[2].kind), "connect");
}

static void test_lists(void **state)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f;
	unsigned i;

	(void)state;
	f = open_memstream(&out, &len);
	seq_list_options(f);
	seq_list_presets(f);
	fclose(f);
	for (i = 0; i < seq_option_count(); i++)
		assert_non_null(strstr(out, seq_option_name(i)));
	assert_non_null(strstr(out, "SOL_SOCKET"));
	assert_non_null(strstr(out, "IPPROTO_TCP"));
	assert_non_null(strstr(out, "halfclose"));
	assert_non_null(strstr(out, "redis-ping"));
	assert_non_null(strstr(out, "send:\"*1\\r\\n$4\\r\\nPING\\r\\n\""));
	free(out);
}

static void test_socketpair_fds(void **state)
{
	(void)state;
	/* Pairs are numbered as opened; plain close closes every descriptor still open. */
	assert_int_equal(compile("socketpair,socketpair,sendfd@1:@2,sendfd@3:PEER,close", TR_UNIX),
			 0);
	assert_int_equal(s.nfds, 4);
	assert_false(s.has_server);
	assert_int_equal(s.ops[0].exec, EX_SOCKETPAIR);
	assert_int_equal(s.ops[0].fd, 0);
	assert_int_equal(s.ops[1].fd, 2);
	assert_int_equal(s.ops[2].exec, EX_SENDFD);
	assert_int_equal(s.ops[2].fd, 1);
	assert_int_equal(s.ops[2].arg_fd, 2);
	assert_int_equal(s.ops[3].fd, 3);
	assert_int_equal(s.ops[3].arg_fd, 2); /* PEER of 3 is 2: it lands in its own queue */
	assert_int_equal(s.ops[4].exec, EX_CLOSE_ALL);
	assert_int_equal(s.ops[4].mask, 0xf);
	assert_true(s.closes);
	/* SELF, N fresh sockets, recvfd into the next descriptor, close one at a time. */
	assert_int_equal(compile("socketpair,sendfd:SELF,sendfd@1:5,recvfd@1,recvfd,close@2,"
				 "close@3,close@0,close@1",
				 TR_UNIX_DGRAM),
			 0);
	assert_int_equal(s.ops[1].arg_fd, 0);
	assert_int_equal(s.ops[2].count, 5);
	assert_int_equal(s.ops[3].exec, EX_RECVFD);
	assert_int_equal(s.ops[3].arg_fd, 2);
	assert_int_equal(s.ops[4].fd, 0);
	assert_int_equal(s.ops[4].arg_fd, 3);
	assert_int_equal(s.ops[5].exec, EX_CLOSE);
	assert_int_equal(s.ops[5].fd, 2);
	assert_int_equal(s.nfds, 4);
	assert_true(s.closes);
	/* Every scm preset compiles on both unix transports and on nothing else. */
	assert_int_equal(
		compile(seq_preset("scm-triangle", TR_UNIX, &(const char *){ NULL }), TR_UNIX), 0);
	assert_int_equal(s.nfds, 6);
}

static void test_socketpair_errors(void **state)
{
	const char *why;

	(void)state;
	expect_error("socketpair,close", TR_TCP, "socketpair", "socketpair on tcp");
	assert_non_null(strstr(err.choices, "--transport unix"));
	expect_error("socket,connect,sendfd:SELF,close", TR_TCP, "sendfd:SELF", "unix transports");
	expect_error("socketpair,sendfd:BOTH,close", TR_UNIX, "BOTH", "bad descriptor for sendfd");
	assert_non_null(strstr(err.choices, "sendfd:PEER"));
	expect_error("socketpair,sendfd:17,close", TR_UNIX, "17", "bad descriptor for sendfd");
	expect_error("socketpair,sendfd,close", TR_UNIX, "sendfd", "needs an argument");
	expect_error("socketpair,sendfd:@4,close", TR_UNIX, "sendfd:@4", "not open");
	expect_error("socket,connect,sendfd:PEER,close", TR_UNIX, "sendfd:PEER", "not a pair");
	expect_error("socketpair,close@1,sendfd@1:SELF,close", TR_UNIX, "sendfd@1:SELF",
		     "descriptor 1 is closed already");
	expect_error("socketpair,send@2:1,close", TR_UNIX, "send@2:1", "descriptor 2 is not open");
	assert_non_null(strstr(err.choices, "numbered"));
	expect_error("socketpair,close@x", TR_UNIX, "@x", "bad descriptor");
	expect_error("socketpair,close@9", TR_UNIX, "@9", "bad descriptor");
	expect_error("socket@1,close", TR_UNIX, "@1", "takes no @K");
	expect_error("socketpair,recvfd,close", TR_UNIX, "recvfd", "would wait forever");
	expect_error("socketpair,sendfd:SELF,recvfd,close", TR_UNIX, "recvfd",
		     "nothing was sent to descriptor 0");
	expect_error("socketpair,recv:1,close", TR_UNIX, "recv:1", "would wait forever");
	expect_error("socketpair,connect,close", TR_UNIX, "connect", "connect on a socketpair");
	expect_error("socketpair,bind,close", TR_UNIX, "bind", "bind on a socketpair");
	expect_error("socketpair,socketpair,socketpair,socketpair,socketpair,close", TR_UNIX, NULL,
		     "too many descriptors");
	expect_error("socketpair,close,socketpair,close", TR_UNIX, NULL, "after close");
	expect_error("socketpair", TR_UNIX, NULL, "does not close");
	assert_null(seq_preset("scm-self", TR_TCP, &why));
	assert_non_null(strstr(why, "unix"));
}

static void test_flags(void **state)
{
	(void)state;
#ifdef _WIN32
	/* Winsock's flags: oob and peek. */
	assert_int_equal(
		compile("socket,connect,send:1:oob,send:8,recv:8:peek,recv:8,close", TR_TCP), 0);
	assert_true(s.ops[2].flags & MSG_OOB);
	assert_true(s.ops[4].flags & MSG_PEEK);
	assert_int_equal(s.plan.nsteps, 1);
	assert_int_equal(s.plan.step[0].expect, 9);
	assert_int_equal(compile("socket,connect,send:8,recv:8:peek,recv:8,close", TR_UDP), 0);
	assert_int_equal(s.ops[3].exec, EX_RECV_DGRAM);
	assert_int_equal(s.plan.step[0].reply, 8);
#else
	assert_int_equal(compile("socket,setsockopt:SO_SNDBUF=4096,connect,send:1M:dontwait,"
				 "recv:1:peek,recv:1,close",
				 TR_TCP),
			 0);
	assert_true(s.ops[3].flags & MSG_DONTWAIT);
	assert_int_equal(s.ops[3].len, 1 << 20);
	assert_true(s.has_nb);
	assert_true(s.ops[4].flags & MSG_PEEK);
	/* The peeked byte is taken by the next recv: one answer, not two. */
	assert_int_equal(s.plan.nsteps, 1);
	assert_int_equal(s.plan.step[0].expect, 1 << 20);
	assert_int_equal(compile("socket,connect,send:1:oob:more,sendmsg:64k,sendmsg:10:iov=3:"
				 "dontwait,close",
				 TR_TCP),
			 0);
	assert_int_equal(s.ops[2].flags & (MSG_OOB | MSG_MORE), MSG_OOB | MSG_MORE);
	assert_int_equal(s.ops[3].exec, EX_SENDMSG);
	assert_int_equal(s.ops[3].iovs, 16); /* one per 4 KiB by default */
	assert_int_equal(s.ops[4].iovs, 3);
	assert_true(s.ops[4].flags & MSG_DONTWAIT);
	assert_int_equal(s.max_send, 65536);
	assert_int_equal(compile("socket,setsockopt:SO_ZEROCOPY=1,connect,send:64k:zerocopy,"
				 "zcdrain,close",
				 TR_TCP6),
			 0);
	assert_true(s.ops[3].flags & MSG_ZEROCOPY);
	assert_int_equal(s.ops[4].exec, EX_ZCDRAIN);
	assert_int_equal(compile("socket,connect,send:8,recv:8:peek,recv:8,close", TR_UDP), 0);
	assert_int_equal(s.ops[3].exec, EX_RECV_DGRAM);
	assert_int_equal(s.plan.step[0].reply, 8);
#endif
}

static void test_flag_errors(void **state)
{
	(void)state;
	expect_error("socket,connect,send:64:nowait,close", TR_TCP, "nowait",
		     "unknown flag 'nowait' for send");
#ifdef _WIN32
	assert_non_null(strstr(err.choices, "oob"));
	/* Linux's flags are refused, not ignored. */
	expect_error("socket,connect,send:64:dontwait,close", TR_TCP, "dontwait", "unknown flag");
	expect_error("socket,connect,send:64:more,close", TR_TCP, "more", "unknown flag");
	expect_error("socket,connect,send:1,recv:1:peek,recv:2,close", TR_TCP, "recv:2",
		     "at most the 1 bytes peeked");
#else
	assert_non_null(strstr(err.choices, "dontwait"));
	assert_non_null(strstr(err.choices, "zerocopy"));
	expect_error("socket,connect,recv:1:oob,close", TR_TCP, "oob",
		     "unknown flag 'oob' for recv");
	assert_non_null(strstr(err.choices, "peek"));
	expect_error("socket,connect,send:1:peek,close", TR_TCP, "peek", "unknown flag");
	expect_error("socket,connect,send:1:oob,close", TR_UDP, "oob", "does not apply to udp");
	expect_error("socket,connect,send:1:,close", TR_TCP, NULL, "a flag after ':'");
	expect_error("socket,connect,send:64k:zerocopy,close", TR_TCP, "send:64k:zerocopy",
		     "needs setsockopt:SO_ZEROCOPY=1");
	expect_error("socket,connect,zcdrain,close", TR_TCP, "zcdrain", "without SO_ZEROCOPY");
	expect_error("socket,connect,zcdrain:1,close", TR_TCP, ":1", "takes no argument");
	expect_error("socket,connect,sendmsg:64:iov=0,close", TR_TCP, "iov=0", "iovec count");
	expect_error("socket,connect,sendmsg:64:iov=65,close", TR_TCP, "iov=65", "iovec count");
	expect_error("socket,connect,send:64:iov=2,close", TR_TCP, "iov=2", "unknown flag");
	expect_error("socket,connect,send:1,recv:1:peek,recv:2,close", TR_TCP, "recv:2",
		     "at most the 1 bytes peeked");
	expect_error("socket,connect,sendmsg:0,close", TR_TCP, "0", "byte count");
#endif
}

static void test_netns(void **state)
{
	const char *why;

	(void)state;
	assert_int_equal(compile(seq_preset("netns-kb", TR_TCP, &why), TR_TCP), 0);
	assert_true(s.netns_cycle);
	/* A hidden last op leaves the cycle's namespace; connect goes to its own listener. */
	assert_int_equal(s.nops, 7);
	assert_int_equal(s.ops[0].exec, EX_NETNS_ENTER);
	assert_int_equal(s.ops[3].exec, EX_CONNECT_ADDR);
	assert_int_equal(s.ops[6].exec, EX_NETNS_LEAVE);
	assert_int_equal(s.ops[6].kind, OP_NETNS);
	assert_int_equal(ntohs(((struct sockaddr_in *)&s.ops[3].addr)->sin_port), SEQ_CYCLE_PORT);
	assert_int_equal(compile("netns,socket,sendto:64,close", TR_UDP6), 0);
	assert_int_equal(s.ops[2].exec, EX_SENDTO_ADDR);
	assert_int_equal(compile("netns,socket,connect,send:1,close", TR_UNIX), 0);
	assert_int_equal(((struct sockaddr_un *)&s.ops[2].addr)->sun_path[0], '\0');
	expect_error("socket,netns,connect,close", TR_TCP, "netns", "netns must be the first op");
	expect_error("netns,netns,socket,close", TR_TCP, NULL, "a second netns");
	expect_error("netns,socket,connect,send:1,recv:1,close", TR_TCP, "recv:1",
		     "recv in a netns cycle");
	expect_error("netns:x,socket,close", TR_TCP, ":x", "takes no argument");
	expect_error("netns", TR_TCP, NULL, "never opens a socket");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_kb),
		cmocka_unit_test(test_crr_plan),
		cmocka_unit_test(test_dgram_plan),
		cmocka_unit_test(test_spaces_and_bind),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_allow_open),
		cmocka_unit_test(test_every_option),
		cmocka_unit_test(test_option_values),
		cmocka_unit_test(test_presets),
		cmocka_unit_test(test_payloads),
		cmocka_unit_test(test_payload_errors),
		cmocka_unit_test(test_caret_print),
		cmocka_unit_test(test_op_text),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_socketpair_fds),
		cmocka_unit_test(test_socketpair_errors),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_flag_errors),
		cmocka_unit_test(test_netns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
