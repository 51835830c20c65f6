/* Unit tests for src/common.c: strict number, duration and size parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "common.h"

static void test_u64(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(sl_parse_u64("42", &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(sl_parse_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(sl_parse_u64("18446744073709551616", &v), -ERANGE);
	assert_int_equal(sl_parse_u64("-1", &v), -EINVAL);
	assert_int_equal(sl_parse_u64("12x", &v), -EINVAL);
	assert_int_equal(sl_parse_u64("", &v), -EINVAL);
}

static void test_int(void **state)
{
	long v;

	(void)state;
	assert_int_equal(sl_parse_int("-3", -5, 5, &v), 0);
	assert_int_equal(v, -3);
	assert_int_equal(sl_parse_int("6", -5, 5, &v), -ERANGE);
	assert_int_equal(sl_parse_int("1.5", -5, 5, &v), -EINVAL);
}

static void test_duration(void **state)
{
	double s;

	(void)state;
	assert_int_equal(sl_parse_duration("90", &s), 0);
	assert_float_equal(s, 90, 1e-9);
	assert_int_equal(sl_parse_duration("250ms", &s), 0);
	assert_float_equal(s, 0.25, 1e-9);
	assert_int_equal(sl_parse_duration("1.5m", &s), 0);
	assert_float_equal(s, 90, 1e-9);
	assert_int_equal(sl_parse_duration("2h", &s), 0);
	assert_float_equal(s, 7200, 1e-9);
	assert_int_equal(sl_parse_duration("-1s", &s), -EINVAL);
	assert_int_equal(sl_parse_duration("10 m", &s), -EINVAL);
	assert_int_equal(sl_parse_duration("m", &s), -EINVAL);
}

static void test_size(void **state)
{
	uint64_t b;

	(void)state;
	assert_int_equal(sl_parse_size("64", &b), 0);
	assert_int_equal(b, 64);
	assert_int_equal(sl_parse_size("4k", &b), 0);
	assert_int_equal(b, 4096);
	assert_int_equal(sl_parse_size("1M", &b), 0);
	assert_int_equal(b, 1 << 20);
	assert_int_equal(sl_parse_size("k", &b), -EINVAL);
	assert_int_equal(sl_parse_size("99999999999999999999G", &b), -EINVAL);
}

static void test_read_file(void **state)
{
	char buf[64];
	long n;

	(void)state;
	n = sl_read_file("/proc/self/stat", buf, sizeof(buf));
	assert_int_equal(n, 63); /* truncated to the buffer, NUL-terminated */
	assert_int_equal(buf[63], '\0');
	assert_int_equal(sl_read_file("/nonexistent/file", buf, sizeof(buf)), -ENOENT);
}

/* The exit-code table's order: a signal, then a runtime error (the guard, a failed write), then 1. */
static void test_exit_code(void **state)
{
	(void)state;
	assert_int_equal(sl_exit_code(0, false, false), SL_EXIT_OK);
	assert_int_equal(sl_exit_code(0, false, true), SL_EXIT_FAIL);
	assert_int_equal(sl_exit_code(0, true, false), SL_EXIT_RUNTIME);
	assert_int_equal(sl_exit_code(0, true, true), SL_EXIT_RUNTIME);
	assert_int_equal(sl_exit_code(2, false, false), 130);
	assert_int_equal(sl_exit_code(2, false, true),
			 130); /* a handled Ctrl-C that gave a verdict */
	assert_int_equal(sl_exit_code(15, true, true), 143);
	assert_int_equal(sl_exit_code(1, true, false), 129);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64),	  cmocka_unit_test(test_int),
		cmocka_unit_test(test_duration),  cmocka_unit_test(test_size),
		cmocka_unit_test(test_read_file), cmocka_unit_test(test_exit_code),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
