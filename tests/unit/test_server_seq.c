/* Unit tests for src/engine/server_seq.c: server sequences, presets, carets, the client check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "engine/server_seq.h"

static struct sseq ss;
static struct seq_error err;

static void expect_error(const char *text, const char *under, const char *what)
{
	const char *at;

	if (sseq_compile(text, &ss, &err) != -EINVAL)
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

static void test_compile(void **state)
{
	(void)state;
	assert_int_equal(
		sseq_compile("accept, recv:64, send:1k, shutdown:wr, drain, close:rst", &ss, &err),
		0);
	assert_int_equal(ss.nops, 6);
	assert_int_equal(ss.ops[0].kind, SS_ACCEPT);
	assert_int_equal(ss.ops[1].kind, SS_RECV);
	assert_int_equal(ss.ops[1].len, 64);
	assert_int_equal(ss.ops[2].len, 1024);
	assert_int_equal(ss.ops[3].len, SHUT_WR);
	assert_int_equal(ss.ops[5].kind, SS_CLOSE);
	assert_int_equal(ss.ops[5].len, 1);
	assert_int_equal(ss.max_send, 1024);
	/* Every --server-close mode is a preset of the language. */
	for (int m = SC_EOF; m < SC_COUNT; m++)
		assert_int_equal(sseq_compile(sseq_preset((enum server_close)m), &ss, &err), 0);
	assert_string_equal(sseq_preset(SC_NEVER_READ), "accept,hangup,close");
	assert_int_equal(sseq_compile(sseq_preset(SC_RST), &ss, &err), 0);
	assert_int_equal(ss.ops[ss.nops - 1].len, 1);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("accept,recieve:1,close", "recieve", "unknown server op 'recieve'");
	assert_non_null(strstr(err.choices, "answer"));
	expect_error("recv:1,close", "recv", "starts with accept");
	expect_error("accept,accept,close", NULL, "a second accept");
	expect_error("accept,recv,close", "recv", "needs an argument");
	expect_error("accept,recv:0,close", "0", "bad byte count");
	expect_error("accept,send:2M,close", "2M", "bad byte count");
	expect_error("accept,shutdown:up,close", "up", "shutdown direction");
	expect_error("accept,close:fin", "fin", "bad close mode");
	expect_error("accept,drain:1,close", ":1", "takes no argument");
	expect_error("accept,close,drain", "drain", "after close");
	expect_error("accept,drain", NULL, "does not close");
	expect_error("accept,,close", NULL, "empty op");
}

static void test_client_check(void **state)
{
	struct seq client;
	char why[256];

	(void)state;
	assert_int_equal(
		seq_compile("socket,connect,send:64,recv:1,close", TR_TCP, false, &client, &err),
		0);
	assert_int_equal(sseq_compile("accept,recv:64,send:1,close", &ss, &err), 0);
	assert_int_equal(sseq_check(&ss, &client, why, sizeof(why)), 0);
	assert_int_equal(sseq_compile("accept,answer,close", &ss, &err), 0);
	assert_int_equal(sseq_check(&ss, &client, why, sizeof(why)), 0);
	assert_int_equal(sseq_compile("accept,shutdown:wr,close", &ss, &err), 0);
	assert_int_equal(sseq_check(&ss, &client, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "wait for 1 bytes"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compile),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_client_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
