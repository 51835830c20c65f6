/* Unit tests for src/report/pooltag.c: caches ranked by residual bytes per cycle. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "report/pooltag.h"
#include "synth_run.h"

static void test_leak(void **state)
{
	struct pool_tag t[8];
	struct synth x;
	size_t n;

	(void)state;
	synth_run(&x, true);
	n = pool_tags(&x.s, &x.r, t, 8);
	assert_int_equal(n, pool_tags(&x.s, &x.r, NULL, 0));
	assert_int_equal(n, 4);
	assert_string_equal(t[0].cache, "TCP");
	assert_int_equal(t[0].verdict, VERDICT_LEAK);
	assert_float_equal(t[0].bytes_per_cycle, 0.002 * 2368, 1e-9);
	assert_float_equal(t[0].objs_per_cycle, 0.002, 1e-12);
	assert_non_null(t[0].bytes);
	assert_non_null(t[0].objs);
	assert_string_equal(t[1].cache, "sock_inode_cache");
	assert_string_equal(t[2].cache, "filp");
	assert_string_equal(t[2].note, "merged: bio-256, biovec-16");
	assert_true(isnan(t[2].objs_per_cycle)); /* only its bytes were judged */
	assert_string_equal(t[3].cache, "tw_sock_TCP");
	assert_int_equal(t[3].verdict, VERDICT_BOUNDED);
	/* CLEAN caches are left out. */
	n = pool_tags(&x.s, &x.r, t, 2);
	assert_int_equal(n, 4);
	assert_string_equal(t[1].cache, "sock_inode_cache");
	synth_free(&x);
}

static void test_clean(void **state)
{
	struct pool_tag t[8];
	struct synth x;

	(void)state;
	synth_run(&x, false);
	assert_int_equal(pool_tags(&x.s, &x.r, t, 8), 1);
	assert_string_equal(t[0].cache, "tw_sock_TCP");
	x.r.nm = 0;
	assert_int_equal(pool_tags(&x.s, &x.r, t, 8), 0);
	synth_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leak),
		cmocka_unit_test(test_clean),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
