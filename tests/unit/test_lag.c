/* Unit tests for src/analysis/lag.c: clean-up work that lagged a loop of one namespace per cycle. */
#include "verdict_fixture.h"

/*
 * A namespace per cycle: the net_namespace cache stands far above what per-CPU slabs keep while
 * the loop runs and comes back in 0.3 s. The loop held none of those namespaces: clean-up work
 * lagged it (BACKLOG). Without a namespace per cycle the same shape is a plateau (BOUNDED), and
 * the run's own socket counts, which see nothing, do not make it INCONCLUSIVE.
 */
static void test_netns_lag_backlog(void **state)
{
	struct gen o = {
		.base = 28, .noise = 2, .plateau = 800, .tau = 0.5, .back_tau = 0.1, .integer = true
	};
	struct gen b = o, none = { .base = 1, .integer = true };
	struct synth_col cols[] = {
		COL("slab.net_namespace.objs", UNIT_COUNT, MK_LEVEL, &o),
		COL("slab.net_namespace.bytes", UNIT_BYTES, MK_LEVEL, &b),
		COL("sockstat.sockets.used", UNIT_COUNT, MK_LEVEL, &none),
	};
	struct synth_plan pl = plan(10, 10);
	struct analysis_params p;
	const struct metric_result *m;
	struct series s;
	struct result r;
	int pass;

	(void)state;
	b.scale = 4480;
	pl.rate = 2000; /* 20000 cycles: too few for the socket counts alone to decide */
	for (pass = 0; pass < 2; pass++) {
		params(&p);
		p.netns_per_cycle = pass == 0;
		run(&pl, cols, ARRAY_SIZE(cols), &p, &s, &r);
		m = get(&r, &s, "slab.net_namespace.objs");
		if (pass == 0) {
			assert_int_equal(r.verdict, VERDICT_BACKLOG);
			assert_int_equal(m->verdict, VERDICT_BACKLOG);
			assert_non_null(strstr(m->why, "clean-up work lagged the loop, caught up"));
			m = get(&r, &s, "slab.net_namespace.bytes");
			assert_int_equal(m->verdict, VERDICT_BACKLOG);
			assert_non_null(strstr(m->why, "MiB above its baseline"));
		} else {
			assert_int_equal(m->verdict, VERDICT_BOUNDED);
			assert_int_not_equal(r.verdict, VERDICT_BACKLOG);
		}
		result_free(&r);
		series_free(&s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netns_lag_backlog),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
