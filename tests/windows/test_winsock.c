/* The Winsock engine's error slots and names, and the Windows probes as the system gives them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <string.h>

#include "engine/win/internal.h"
#include "probe/probe.h"

static void test_error_slots(void **state)
{
	char buf[32];
	unsigned s;

	(void)state;
	s = win_error_slot(WSAECONNREFUSED);
	assert_int_equal(engine_errno_code(s), WSAECONNREFUSED);
	assert_string_equal(engine_errno_name(s, buf, sizeof(buf)), "WSAECONNREFUSED");
	/* Win32 codes overlapped I/O reports are folded into their Winsock twins. */
	assert_int_equal(win_error_slot(ERROR_NETNAME_DELETED), win_error_slot(WSAECONNRESET));
	assert_int_equal(win_error_slot(ERROR_CONNECTION_REFUSED), s);
	/* 0 is the peer closing first; codes out of range share the last slot. */
	assert_string_equal(engine_errno_name(win_error_slot(0), buf, sizeof(buf)), "EOF");
	assert_int_equal(win_error_slot(ERROR_ACCESS_DENIED), ENGINE_MAX_ERRNO - 1);
	assert_int_equal(win_error_slot(WSAHOST_NOT_FOUND), ENGINE_MAX_ERRNO - 1);
	assert_string_equal(engine_errno_name(ENGINE_MAX_ERRNO - 1, buf, sizeof(buf)),
			    "WSA(other)");
	/* A code without a name of ours is still told by number. */
	assert_string_equal(engine_errno_name(win_error_slot(10111), buf, sizeof(buf)), "WSA10111");
	/* Port exhaustion is told apart from other connect failures. */
	assert_true(engine_errno_ports_out(win_error_slot(WSAEADDRNOTAVAIL)));
	assert_true(engine_errno_ports_out(win_error_slot(WSAENOBUFS)));
	assert_false(engine_errno_ports_out(s));
}

static void test_probes_open(void **state)
{
	struct probe_ctx ctx = { .root = "", .netns_fd = -1, .pid = 0, .server_port = 9 };
	struct probe_set ps;
	struct series s;
	unsigned i;
	int col;

	(void)state;
	assert_int_equal(series_init(&s, 0), 0);
	assert_int_equal(probes_open(&ps, &ctx, &s, true), 0);
	for (i = 0; i < PROBE_COUNT; i++)
		if (!ps.p[i].on) /* what is off says why, once */
			assert_true(ps.p[i].why[0] != '\0');
	/* The process and the connection tables are there on every Windows (and Wine). */
	assert_true(ps.p[PROBE_WINPROC].on);
	assert_true(ps.p[PROBE_TCPTABLE].on);
	probes_sample(&ps, &s);
	assert_int_equal(series_commit(&s, 0, 0), 0);
	/* Wine gives 0 for the handle count: only that the column is there is asked. */
	assert_true(series_find(&s, "proc.handles") >= 0);
	col = series_find(&s, "proc.working_set");
	assert_true(col >= 0);
	assert_true(s.last[col] > 0);
	col = series_find(&s, "tcp.state.TIME_WAIT");
	assert_true(col >= 0);
	assert_false(isnan(s.last[col]));
	assert_true(series_find(&s, "tcp.ports.used") >= 0);
	probes_close(&ps);
	series_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_slots),
		cmocka_unit_test(test_probes_open),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
