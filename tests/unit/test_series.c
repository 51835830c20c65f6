/* Unit tests for src/analysis/series.c: columns, phases, NAN handling and bounded folding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>

#include "describe.h"
#include "model/series.h"

static void test_columns(void **state)
{
	struct series s, odd;
	int a, b;

	(void)state;
	assert_int_equal(series_init(&odd, 7), -EINVAL);
	assert_int_equal(series_init(&s, 0), 0);
	a = series_add_named(&s, "slab.TCP.objs", UNIT_COUNT, MK_LEVEL, NULL);
	b = series_add_named(&s, "slab.TCP.bytes", UNIT_BYTES, MK_LEVEL, NULL);
	assert_int_equal(a, 0);
	assert_int_equal(b, 1);
	assert_int_equal(series_add_named(&s, "slab.TCP.objs", UNIT_COUNT, MK_LEVEL, NULL), a);
	assert_int_equal(series_find(&s, "slab.TCP.bytes"), b);
	assert_int_equal(series_find(&s, "nope"), -1);
	assert_int_equal(series_set_note(&s, a, "merged: x, y"), 0);
	assert_string_equal(s.cols[a].d.note, "merged: x, y");
	series_free(&s);
}

static void test_rows_and_phases(void **state)
{
	struct series s;
	size_t b, e;
	int c, i;

	(void)state;
	series_init(&s, 0);
	c = series_add_named(&s, "x", UNIT_COUNT, MK_LEVEL, NULL);
	series_mark(&s, PHASE_BASELINE, 0, 0);
	for (i = 0; i < 3; i++) {
		series_set(&s, c, 10);
		series_commit(&s, i * 0.1, 0);
	}
	series_mark(&s, PHASE_CHURN, 0.3, 0);
	for (i = 0; i < 5; i++) {
		series_set(&s, c, 10 + i);
		series_commit(&s, 0.3 + i * 0.1, 100 * i);
	}
	assert_int_equal(s.nrows, 8);
	assert_int_equal(series_phase_rows(&s, PHASE_BASELINE, &b, &e), 3);
	assert_int_equal(b, 0);
	assert_int_equal(series_phase_rows(&s, PHASE_CHURN, &b, &e), 5);
	assert_int_equal(b, 3);
	assert_int_equal(e, 8);
	assert_int_equal(series_phase_rows(&s, PHASE_QUIESCE, &b, &e), 0);
	assert_non_null(series_phase(&s, PHASE_CHURN));
	assert_null(series_phase(&s, PHASE_TEARDOWN));
	assert_float_equal(series_val(&s, c, 7), 14, 0);
	assert_float_equal(s.cycles[7], 400, 0);
	assert_float_equal(s.last[c], 14, 0);
	series_free(&s);
}

static void test_late_column_and_nan(void **state)
{
	struct series s;
	int a, b;

	(void)state;
	series_init(&s, 0);
	a = series_add_named(&s, "a", UNIT_COUNT, MK_LEVEL, NULL);
	series_set(&s, a, 1);
	series_commit(&s, 0, 0);
	b = series_add_named(&s, "b", UNIT_COUNT, MK_LEVEL, NULL);
	series_set(&s, b, 5); /* a not set this time: NAN */
	series_commit(&s, 1, 0);
	assert_true(isnan(series_val(&s, b, 0)));
	assert_float_equal(series_val(&s, b, 1), 5, 0);
	assert_true(isnan(series_val(&s, a, 1)));
	series_free(&s);
}

/* A long run keeps at most max_rows rows, averaged in pairs, and the values stay exact for a line. */
static void test_fold_bounded(void **state)
{
	struct series s;
	size_t r, n = 100000;
	int c;

	(void)state;
	series_init(&s, 64);
	c = series_add_named(&s, "line", UNIT_COUNT, MK_LEVEL, NULL);
	series_mark(&s, PHASE_CHURN, 0, 0);
	for (r = 0; r < n; r++) {
		series_set(&s, c, 3.0 * r);
		series_commit(&s, r, r);
		assert_true(s.nrows <= 64);
	}
	assert_int_equal(s.samples, n);
	assert_true(s.nrows >= 32);
	assert_true(s.fold >= 10);
	/* Averages of a line lie on the line: value = 3 * cycles in every stored row. */
	for (r = 0; r < s.nrows; r++)
		assert_float_equal(series_val(&s, c, r), 3 * s.cycles[r], 1e-6);
	assert_float_equal(s.last[c], 3.0 * (n - 1), 0);
	series_free(&s);
}

/* A pending group of samples never mixes two phases, even after folding. */
static void test_fold_phase_boundary(void **state)
{
	struct series s;
	size_t b, e, r;
	int c;

	(void)state;
	series_init(&s, 8);
	c = series_add_named(&s, "v", UNIT_COUNT, MK_LEVEL, NULL);
	series_mark(&s, PHASE_BASELINE, 0, 0);
	for (r = 0; r < 20; r++) {
		series_set(&s, c, 1);
		series_commit(&s, r, 0);
	}
	series_mark(&s, PHASE_CHURN, 20, 0);
	series_set(&s, c, 9);
	series_commit(&s, 20, 0);
	assert_true(s.fold > 0);
	assert_int_equal(series_phase_rows(&s, PHASE_CHURN, &b, &e), 0); /* still pending */
	series_flush(&s);
	assert_int_equal(series_phase_rows(&s, PHASE_CHURN, &b, &e), 1);
	assert_float_equal(series_val(&s, c, b), 9, 0);
	for (r = 0; r < b; r++)
		assert_float_equal(series_val(&s, c, r), 1, 0);
	series_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_columns),
		cmocka_unit_test(test_rows_and_phases),
		cmocka_unit_test(test_late_column_and_nan),
		cmocka_unit_test(test_fold_bounded),
		cmocka_unit_test(test_fold_phase_boundary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
