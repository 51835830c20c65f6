/* Unit tests for src/probe/meminfo.c on a /proc/meminfo captured from this machine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>

#include "probe/parse.h"
#include "probe_fixture.h"

static void test_capture(void **state)
{
	struct probe_ctx ctx = { .root = fixture("host"), .netns_fd = -1 };
	struct series s;
	struct probe p;

	(void)state;
	series_init(&s, 0);
	assert_int_equal(probe_once(&meminfo_probe, &p, &ctx, &s), 0);
	assert_float_equal(last(&s, "meminfo.Slab"), 76132.0 * 1024, 0);
	assert_float_equal(last(&s, "meminfo.SUnreclaim"), 25080.0 * 1024, 0);
	assert_float_equal(last(&s, "meminfo.Percpu"), 712.0 * 1024, 0);
	assert_float_equal(last(&s, "meminfo.MemAvailable"), 24362068.0 * 1024, 0);
	assert_false(isnan(last(&s, "meminfo.SReclaimable")));
	assert_false(isnan(last(&s, "meminfo.KernelStack")));
	assert_false(isnan(last(&s, "meminfo.PageTables")));
	assert_false(isnan(last(&s, "meminfo.VmallocUsed")));
	/* Only the kernel pools: not every line of the file. */
	assert_int_equal(series_find(&s, "meminfo.MemTotal"), -1);
	assert_int_equal(s.cols[series_find(&s, "meminfo.Slab")].d.unit, UNIT_BYTES);
	meminfo_probe.close(&p);
	series_free(&s);
}

static int count(void *arg, const char *key, double v)
{
	(void)key;
	(void)v;
	++*(int *)arg;
	return 0;
}

static void test_parse_lines(void **state)
{
	int n = 0;

	(void)state;
	assert_int_equal(meminfo_parse("A: 1 kB\nB:    2\nnot a line\nC: x\n", count, &n), 0);
	assert_int_equal(n, 2);
}

static void test_missing(void **state)
{
	struct probe_ctx ctx = { .root = "/nonexistent", .netns_fd = -1 };
	struct series s;
	struct probe p;

	(void)state;
	series_init(&s, 0);
	assert_int_equal(probe_once(&meminfo_probe, &p, &ctx, &s), -ENOENT);
	assert_non_null(strstr(p.why, "/proc/meminfo"));
	assert_null(p.priv);
	series_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capture),
		cmocka_unit_test(test_parse_lines),
		cmocka_unit_test(test_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
