/* Unit tests for src/analysis/confirm.c: --confirm's comparison of a run and one of 3x its cycles. */
#include "verdict_fixture.h"

/* Runs of n1 and n2 seconds of churn, the metric made by ga in the first and gb in the second. */
static void confirm_runs(struct gen *ga, struct gen *gb, const char *name, double n1, double n2,
			 struct confirm_result *c)
{
	struct synth_col cols_a[] = { COL(name, UNIT_COUNT, MK_LEVEL, ga) };
	struct synth_col cols_b[] = { COL(name, UNIT_COUNT, MK_LEVEL, gb) };
	struct analysis_params p;
	struct series sa, sb;
	struct result ra, rb;
	struct synth_plan pa = plan(n1, 30), pb = plan(n2, 30);

	params(&p);
	pb.seed = 12345;
	run(&pa, cols_a, 1, &p, &sa, &ra);
	run(&pb, cols_b, 1, &p, &sb, &rb);
	assert_int_equal(analysis_confirm(&sa, &ra, &sb, &rb, &p, c), 0);
	result_free(&ra);
	result_free(&rb);
	series_free(&sa);
	series_free(&sb);
}

static void confirm_pair(struct gen *g, const char *name, double n1, double n2,
			 struct confirm_result *c)
{
	confirm_runs(g, g, name, n1, n2, c);
}

static void test_confirm(void **state)
{
	/* Residuals above the ~1000 objects per-CPU slabs may hold, or they are not kept. */
	struct gen leak = { .base = 26, .noise = 5, .leak = 0.01, .integer = true };
	struct gen held = { .base = 26,
			    .noise = 5,
			    .plateau = 2000,
			    .tau = 0.5,
			    .back_tau = 1e9,
			    .integer = true };
	struct gen small = { .base = 26, .noise = 5, .leak = 0.0005, .integer = true };
	struct gen clean = { .base = 26, .noise = 5, .integer = true };
	struct gen flat = { .base = 26, .integer = true };
	struct gen host = { .base = 26, .noise = 5, .step = 2000, .step_at = 25, .integer = true };
	struct confirm_result c;

	(void)state;
	confirm_pair(&leak, "slab.TCP.objs", 4, 12, &c);
	assert_int_equal(c.verdict, VERDICT_LEAK);
	assert_int_equal(c.final, VERDICT_LEAK);
	assert_true(c.confidence > 0.95);
	assert_int_equal(c.nm, 1);
	assert_float_equal(c.m[0].ratio, 3, 0.3);
	assert_float_equal(c.m[0].expected, 3, 0.01);
	assert_float_equal(c.m[0].per_cycle, 0.01, 0.001);
	confirm_free(&c);

	confirm_pair(&held, "slab.TCP.objs", 4, 12, &c);
	assert_int_equal(c.verdict, VERDICT_BOUNDED);
	assert_int_equal(c.final, VERDICT_BOUNDED);
	assert_true(c.confidence > 0.95);
	assert_float_equal(c.m[0].ratio, 1, 0.2);
	assert_non_null(strstr(c.why, "does not scale"));
	confirm_free(&c);

	confirm_pair(&clean, "slab.TCP.objs", 4, 12, &c);
	assert_int_equal(c.verdict, VERDICT_CLEAN);
	assert_int_equal(c.final, VERDICT_CLEAN);
	assert_int_equal(c.nm, 0);
	confirm_free(&c);

	/* Kept by the shorter run, nothing by the longer (flat: no noise): that does not scale. */
	confirm_runs(&held, &flat, "slab.TCP.objs", 4, 12, &c);
	assert_int_equal(c.verdict, VERDICT_BOUNDED);
	assert_true(c.confidence > 0.95);
	confirm_free(&c);

	/* 60 then 180 objects: what per-CPU slabs keep anyway, whatever the ratio. */
	confirm_pair(&small, "slab.kmalloc-192.objs", 4, 12, &c);
	assert_int_equal(c.verdict, VERDICT_CLEAN);
	assert_int_equal(c.nm, 0);
	confirm_free(&c);

	/* Another task's allocation during the longer run's quiesce: the host's, not the loop's. */
	confirm_runs(&clean, &host, "slab.pool_workqueue.objs", 4, 12, &c);
	assert_int_equal(c.verdict, VERDICT_CLEAN);
	assert_int_equal(c.nm, 0);
	confirm_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_confirm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
