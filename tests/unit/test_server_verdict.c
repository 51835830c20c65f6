/*
 * Unit tests for src/analysis/server.c: a user's server's fds, CLOSE_WAIT sockets and RSS judged
 * with known leaks (ground truth) and clean runs; a leak capped by the server's fd limit.
 */
#include "verdict_fixture.h"

/* The descriptors the server and port probes declare. */
static const struct metric_desc fds_d = { .kind = MK_LEVEL,
					  .unit = UNIT_COUNT,
					  .cls = MC_FDS,
					  .traits = MT_SERVER | MT_NETNS | MT_KEY,
					  .source = "server",
					  .object = "fds" };
static const struct metric_desc sock_fds_d = { .kind = MK_LEVEL,
					       .unit = UNIT_COUNT,
					       .cls = MC_FDS,
					       .traits = MT_SERVER | MT_NETNS | MT_PART,
					       .source = "server",
					       .object = "socket" };
static const struct metric_desc rss_d = { .kind = MK_LEVEL,
					  .unit = UNIT_BYTES,
					  .cls = MC_OTHER,
					  .traits = MT_SERVER | MT_KEY,
					  .source = "server",
					  .object = "rss" };
static const struct metric_desc cw_d = { .kind = MK_LEVEL,
					 .unit = UNIT_COUNT,
					 .cls = MC_STATE,
					 .families = FAM_TCP,
					 .traits = MT_SERVER | MT_NETNS | MT_KEY,
					 .source = "port",
					 .object = "CLOSE_WAIT" };

#define SCOL(n, u, g, d)                        \
	{                                       \
		n, u, MK_LEVEL, gen_value, g, d \
	}

static struct synth_plan server_plan(void)
{
	struct synth_plan pl = plan(10, 10);

	pl.rate = 200; /* 2000 cycles, as a run bounded with --ops and --rate */
	return pl;
}

/* One fd kept per cycle: LEAK, with 1 fd per cycle (within 10%). */
static void test_fd_leak(void **state)
{
	struct gen fds = { .base = 12, .leak = 1, .noise = 0.3, .integer = true };
	struct gen sock = { .base = 3, .leak = 1, .integer = true };
	struct gen rss = { .base = 8e6, .noise = 20e3 };
	struct synth_col cols[] = {
		SCOL("server.fds", UNIT_COUNT, &fds, &fds_d),
		SCOL("server.fds.socket", UNIT_COUNT, &sock, &sock_fds_d),
		SCOL("server.rss", UNIT_BYTES, &rss, &rss_d),
	};
	struct synth_plan pl = server_plan();
	struct analysis_params p;
	struct series s;
	struct result r;

	(void)state;
	params(&p);
	p.server_fd_limit = 65536; /* far above: no cap */
	run(&pl, cols, ARRAY_SIZE(cols), &p, &s, &r);
	assert_int_equal(r.verdict, VERDICT_LEAK);
	assert_int_equal(get(&r, &s, "server.fds")->verdict, VERDICT_LEAK);
	assert_true(r.server.watched);
	assert_false(r.server.capped);
	assert_true(fabs(r.server.fds_per_cycle - 1) < 0.1);
	assert_int_equal(r.server.fds_col, series_find(&s, "server.fds"));
	assert_true(get(&r, &s, "server.rss")->decisive);
	assert_false(get(&r, &s, "server.rss")->moved);
	result_free(&r);
	series_free(&s);
}

/*
 * The same leak reaching the server's fd limit early in churn: flat after, which alone reads as
 * a plateau; against the limit it is a LEAK the limit capped, at 1 fd per cycle until then.
 */
static void test_fd_capped(void **state)
{
	struct gen fds = { .base = 12, .leak = 1, .cap = 1012, .integer = true };
	struct synth_col cols[] = { SCOL("server.fds", UNIT_COUNT, &fds, &fds_d) };
	struct synth_plan pl = server_plan();
	struct analysis_params p;
	const struct metric_result *m;
	struct series s;
	struct result r;

	(void)state;
	params(&p);
	run(&pl, cols, ARRAY_SIZE(cols), &p, &s, &r);
	assert_int_not_equal(get(&r, &s, "server.fds")->reason.code, RS_FD_CAPPED);
	assert_false(r.server.capped);
	result_free(&r);
	series_free(&s);
	params(&p);
	p.server_fd_limit = 1024;
	run(&pl, cols, ARRAY_SIZE(cols), &p, &s, &r);
	m = get(&r, &s, "server.fds");
	assert_int_equal(m->verdict, VERDICT_LEAK);
	assert_int_equal(m->reason.code, RS_FD_CAPPED);
	assert_non_null(strstr(m->why, "capped by the server's fd limit (1024)"));
	assert_int_equal(r.verdict, VERDICT_LEAK);
	assert_true(r.server.capped);
	assert_float_equal(r.server.fd_limit, 1024, 0);
	assert_true(fabs(r.server.fds_per_cycle - 1) < 0.1);
	result_free(&r);
	series_free(&s);
}

/* CLOSE_WAIT on the server's side growing with cycles: the server never closes. */
static void test_never_closes(void **state)
{
	struct gen cw = { .leak = 1, .integer = true };
	struct gen fds = { .base = 12, .leak = 1, .integer = true };
	struct synth_col cols[] = {
		SCOL("port.server.CLOSE_WAIT", UNIT_COUNT, &cw, &cw_d),
		SCOL("server.fds", UNIT_COUNT, &fds, &fds_d),
	};
	struct synth_plan pl = server_plan();
	struct analysis_params p;
	const struct metric_result *m;
	struct series s;
	struct result r;

	(void)state;
	params(&p);
	run(&pl, cols, ARRAY_SIZE(cols), &p, &s, &r);
	m = get(&r, &s, "port.server.CLOSE_WAIT");
	assert_int_equal(m->verdict, VERDICT_LEAK);
	assert_int_equal(m->reason.code, RS_SERVER_NEVER_CLOSES);
	assert_non_null(strstr(m->why, "the server never closes"));
	assert_true(r.server.never_closes);
	assert_true(fabs(r.server.close_wait_per_cycle - 1) < 0.1);
	result_free(&r);
	series_free(&s);
}

/*
 * RSS, over 50000 cycles: a rise the allocators keep (4 MiB) is BOUNDED and said so; 1 KiB per
 * cycle kept (51 MB) is a LEAK that decides the run; flat leaves the run CLEAN, the RSS itself
 * unseen within what allocators hold.
 */
static void test_rss(void **state)
{
	struct gen rss = {
		.base = 8e6, .noise = 30e3, .plateau = 4 << 20, .tau = 1, .back_tau = 1e9
	};
	struct gen fds = { .base = 12, .integer = true };
	struct synth_col cols[] = {
		SCOL("server.rss", UNIT_BYTES, &rss, &rss_d),
		SCOL("server.fds", UNIT_COUNT, &fds, &fds_d),
	};
	struct synth_plan pl = server_plan();
	struct analysis_params p;
	const struct metric_result *m;
	struct series s;
	struct result r;

	(void)state;
	pl.rate = 5000;
	params(&p);
	run(&pl, cols, ARRAY_SIZE(cols), &p, &s, &r);
	m = get(&r, &s, "server.rss");
	assert_int_equal(m->verdict, VERDICT_BOUNDED);
	assert_int_equal(m->reason.code, RS_ALLOC_HOLD);
	assert_non_null(strstr(m->why, "within what allocators hold, 16"));
	assert_true(r.server.rss_in_hold);
	assert_int_equal(r.verdict, VERDICT_BOUNDED);
	result_free(&r);
	series_free(&s);

	rss = (struct gen){ .base = 8e6, .noise = 30e3, .leak = 1024 };
	run(&pl, cols, ARRAY_SIZE(cols), &p, &s, &r);
	m = get(&r, &s, "server.rss");
	assert_int_equal(m->verdict, VERDICT_LEAK);
	assert_true(m->decisive);
	assert_int_equal(r.verdict, VERDICT_LEAK);
	assert_true(fabs(r.server.rss_per_cycle - 1024) < 100);
	assert_false(r.server.rss_in_hold);
	result_free(&r);
	series_free(&s);

	rss = (struct gen){ .base = 8e6, .noise = 30e3 };
	run(&pl, cols, ARRAY_SIZE(cols), &p, &s, &r);
	assert_int_equal(r.verdict, VERDICT_CLEAN);
	m = get(&r, &s, "server.rss");
	assert_int_equal(m->reason.code, RS_UNSEEN_ALLOC);
	assert_non_null(strstr(m->why, "within the 16.0 MiB allocators may hold"));
	result_free(&r);
	series_free(&s);
}

/* Without a server's columns nothing is said of one. */
static void test_no_server(void **state)
{
	struct gen g = { .base = 5, .integer = true };
	struct synth_col cols[] = { COL("tcp.client", UNIT_COUNT, MK_LEVEL, &g) };
	struct synth_plan pl = server_plan();
	struct analysis_params p;
	struct series s;
	struct result r;

	(void)state;
	params(&p);
	run(&pl, cols, ARRAY_SIZE(cols), &p, &s, &r);
	assert_false(r.server.watched);
	assert_int_equal(r.server.fds_col, -1);
	assert_true(isnan(r.server.fds_per_cycle));
	result_free(&r);
	series_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fd_leak),	     cmocka_unit_test(test_fd_capped),
		cmocka_unit_test(test_never_closes), cmocka_unit_test(test_rss),
		cmocka_unit_test(test_no_server),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
