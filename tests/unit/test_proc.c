/* Unit tests for src/probe/proc.c: a captured /proc/PID tree, and this very process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <unistd.h>

#include "probe/parse.h"
#include "probe_fixture.h"

static void test_capture(void **state)
{
	struct probe_ctx ctx = { .root = fixture("host"), .netns_fd = -1, .pid = 4242 };
	struct series s;
	struct probe p;

	(void)state;
	series_init(&s, 0);
	assert_int_equal(probe_once(&proc_probe, &p, &ctx, &s), 0);
	assert_float_equal(last(&s, "proc.fds"), 5, 0);
	/* statm: 1010 546 504 ... pages; status: Threads: 1 */
	assert_float_equal(last(&s, "proc.rss"), 546.0 * sysconf(_SC_PAGESIZE), 0);
	assert_float_equal(last(&s, "proc.threads"), 1, 0);
	assert_int_equal(s.cols[series_find(&s, "proc.rss")].d.unit, UNIT_BYTES);
	proc_probe.close(&p);
	series_free(&s);
}

/* Live: opening two more fds shows as exactly two more. */
static void test_self(void **state)
{
	struct probe_ctx ctx = { .root = "", .netns_fd = -1 };
	struct series s;
	struct probe p;
	double before;
	int a, b;

	(void)state;
	series_init(&s, 0);
	assert_int_equal(probe_once(&proc_probe, &p, &ctx, &s), 0);
	before = last(&s, "proc.fds");
	a = open("/dev/null", O_RDONLY);
	b = open("/dev/null", O_RDONLY);
	assert_int_equal(proc_probe.sample(&p, &s), 0);
	series_commit(&s, 1, 0);
	assert_float_equal(last(&s, "proc.fds"), before + 2, 0);
	assert_true(last(&s, "proc.rss") > 0);
	close(a);
	close(b);
	proc_probe.close(&p);
	series_free(&s);
}

static void test_statm(void **state)
{
	uint64_t pages = 0;

	(void)state;
	assert_int_equal(proc_statm_resident("1010 546 504 24 0 130 0\n", &pages), 0);
	assert_int_equal(pages, 546);
	assert_int_equal(proc_statm_resident("1010\n", &pages), -EPROTO);
	assert_int_equal(proc_statm_resident("", &pages), -EPROTO);
}

static void test_no_process(void **state)
{
	struct probe_ctx ctx = { .root = "", .netns_fd = -1, .pid = 0x3fffffff };
	struct series s;
	struct probe p;

	(void)state;
	series_init(&s, 0);
	assert_int_equal(probe_once(&proc_probe, &p, &ctx, &s), -ENOENT);
	assert_non_null(strstr(p.why, "/fd"));
	series_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capture),
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_statm),
		cmocka_unit_test(test_no_process),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
