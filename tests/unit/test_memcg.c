/* Unit tests for src/probe/memcg.c: v1 kmem files captured here, a v2 memory.stat. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>

#include "probe/parse.h"
#include "probe_fixture.h"

static void test_v1(void **state)
{
	struct probe_ctx ctx = {
		.root = fixture("host"), .netns_fd = -1, .cgroup = "/cgroup/v1", .cgroup_version = 1
	};
	struct series s;
	struct probe p;

	(void)state;
	series_init(&s, 0);
	assert_int_equal(probe_once(&memcg_probe, &p, &ctx, &s), 0);
	assert_float_equal(last(&s, "memcg.kmem"), 3698688, 0);
	assert_float_equal(last(&s, "memcg.kmem_tcp"), 0, 0);
	assert_float_equal(last(&s, "memcg.usage"), 25497600, 0);
	assert_int_equal(s.cols[series_find(&s, "memcg.kmem")].d.unit, UNIT_BYTES);
	assert_int_equal(series_find(&s, "memcg.sock"), -1);
	memcg_probe.close(&p);
	series_free(&s);
}

/* No v2 memory controller on this machine: the memory.stat follows the kernel's v2 format. */
static void test_v2(void **state)
{
	struct probe_ctx ctx = { .root = fixture(""), .netns_fd = -1, .cgroup = "/cgroup-v2" };
	struct series s;
	struct probe p;

	(void)state;
	series_init(&s, 0);
	/* version 0: found from the files (memory.current is v2's). */
	assert_int_equal(probe_once(&memcg_probe, &p, &ctx, &s), 0);
	assert_float_equal(last(&s, "memcg.kernel"), 1744896, 0);
	assert_float_equal(last(&s, "memcg.sock"), 282624, 0);
	assert_float_equal(last(&s, "memcg.slab_unreclaimable"), 1183216, 0);
	assert_float_equal(last(&s, "memcg.percpu"), 23040, 0);
	assert_float_equal(last(&s, "memcg.usage"), 6754304, 0);
	assert_int_equal(series_find(&s, "memcg.kmem"), -1);
	assert_int_equal(series_find(&s, "memcg.anon"), -1);
	memcg_probe.close(&p);
	series_free(&s);
}

static void test_off(void **state)
{
	struct probe_ctx ctx = { .root = fixture("host"), .netns_fd = -1 };
	struct series s;
	struct probe p;

	(void)state;
	series_init(&s, 0);
	assert_true(probe_once(&memcg_probe, &p, &ctx, &s) < 0);
	assert_non_null(strstr(p.why, "no memory cgroup"));
	ctx.cgroup = "/nope";
	ctx.cgroup_version = 1;
	assert_true(probe_once(&memcg_probe, &p, &ctx, &s) < 0);
	assert_non_null(strstr(p.why, "/nope"));
	series_free(&s);
}

static int nop(void *arg, const char *key, double v)
{
	(void)arg;
	(void)key;
	(void)v;
	return 0;
}

static void test_parse(void **state)
{
	(void)state;
	assert_int_equal(memcg_stat_parse("a 1\nb 2\n", nop, NULL), 0);
	assert_int_equal(memcg_stat_parse("a\n", nop, NULL), -EPROTO);
	assert_int_equal(memcg_stat_parse("a x\n", nop, NULL), -EPROTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1),
		cmocka_unit_test(test_v2),
		cmocka_unit_test(test_off),
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
