/* Unit tests for src/probe/sockstat.c: real sockstat{,6} captures, pages to bytes, no UDPLITE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <unistd.h>

#include "probe/parse.h"
#include "probe_fixture.h"

static void test_capture(void **state)
{
	struct probe_ctx ctx = { .root = fixture("host"), .netns_fd = -1 };
	struct series s;
	struct probe p;

	(void)state;
	series_init(&s, 0);
	assert_int_equal(probe_once(&sockstat_probe, &p, &ctx, &s), 0);
	/* sockets: used 13 / TCP: inuse 1 orphan 0 tw 3 alloc 1 mem 0 */
	assert_float_equal(last(&s, "sockstat.sockets.used"), 13, 0);
	assert_float_equal(last(&s, "sockstat.TCP.inuse"), 1, 0);
	assert_float_equal(last(&s, "sockstat.TCP.orphan"), 0, 0);
	assert_float_equal(last(&s, "sockstat.TCP.tw"), 3, 0);
	assert_float_equal(last(&s, "sockstat.TCP.alloc"), 1, 0);
	assert_float_equal(last(&s, "sockstat.TCP.mem"), 0, 0);
	assert_float_equal(last(&s, "sockstat.UDP.inuse"), 0, 0);
	assert_float_equal(last(&s, "sockstat.TCP6.inuse"), 0, 0);
	assert_false(isnan(last(&s, "sockstat.UDPLITE6.inuse")));
	assert_false(isnan(last(&s, "sockstat.FRAG6.memory")));
	assert_int_equal(s.cols[series_find(&s, "sockstat.TCP.mem")].d.unit, UNIT_BYTES);
	assert_int_equal(s.cols[series_find(&s, "sockstat.FRAG.memory")].d.unit, UNIT_BYTES);
	assert_int_equal(s.cols[series_find(&s, "sockstat.TCP.inuse")].d.unit, UNIT_COUNT);
	assert_true(sockstat_probe.per_netns);
	assert_non_null(strstr(s.cols[series_find(&s, "sockstat.TCP.orphan")].d.note, "host-wide"));
	assert_non_null(strstr(s.cols[series_find(&s, "sockstat.UDP.mem")].d.note, "host-wide"));
	assert_null(s.cols[series_find(&s, "sockstat.TCP.inuse")].d.note);
	assert_null(s.cols[series_find(&s, "sockstat.TCP.tw")].d.note);
	sockstat_probe.close(&p);
	series_free(&s);
}

/* Kernels without UDP-Lite list no UDPLITE lines: those columns are simply not there. */
static void test_no_udplite(void **state)
{
	struct probe_ctx ctx = { .root = fixture("odd"), .netns_fd = -1 };
	struct series s;
	struct probe p;

	(void)state;
	series_init(&s, 0);
	assert_int_equal(probe_once(&sockstat_probe, &p, &ctx, &s), 0);
	assert_int_equal(series_find(&s, "sockstat.UDPLITE.inuse"), -1);
	assert_int_equal(series_find(&s, "sockstat.UDPLITE6.inuse"), -1);
	assert_float_equal(last(&s, "sockstat.RAW6.inuse"), 0, 0);
	assert_float_equal(last(&s, "sockstat.TCP.tw"), 3, 0);
	sockstat_probe.close(&p);
	series_free(&s);
}

struct seen {
	double tcp_mem, frag_memory;
	int n;
};

static int record(void *arg, const char *proto, const char *key, double v)
{
	struct seen *x = arg;

	if (!strcmp(proto, "TCP") && !strcmp(key, "mem"))
		x->tcp_mem = v;
	if (!strcmp(proto, "FRAG") && !strcmp(key, "memory"))
		x->frag_memory = v;
	x->n++;
	return 0;
}

static void test_parse(void **state)
{
	struct seen x = { 0 };

	(void)state;
	assert_int_equal(
		sockstat_parse("sockets: used 40\nTCP: inuse 5 orphan 1 tw 7 alloc 6 mem 3\n"
			       "FRAG: inuse 0 memory 4096\n",
			       record, &x),
		0);
	assert_int_equal(x.n, 8);
	assert_float_equal(x.tcp_mem, 3, 0);
	assert_float_equal(x.frag_memory, 4096, 0);
	assert_int_equal(sockstat_parse("TCP inuse 5\n", record, &x), -EPROTO);
	assert_int_equal(sockstat_parse("TCP: inuse\n", record, &x), -EPROTO);
}

/* mem counts pages: the column is in bytes. */
static void test_mem_pages(void **state)
{
	char dir[] = "/tmp/sockleak-ss-XXXXXX", path[160];
	struct probe_ctx ctx = { .root = dir, .netns_fd = -1 };
	struct series s;
	struct probe p;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "mkdir -p %s/proc/net", dir);
	assert_int_equal(system(path), 0);
	snprintf(path, sizeof(path), "%s/proc/net/sockstat", dir);
	f = fopen(path, "w");
	fputs("sockets: used 40\nTCP: inuse 5 orphan 1 tw 7 alloc 6 mem 3\n", f);
	fclose(f);
	series_init(&s, 0);
	assert_int_equal(probe_once(&sockstat_probe, &p, &ctx, &s), 0);
	assert_float_equal(last(&s, "sockstat.TCP.mem"), 3.0 * sysconf(_SC_PAGESIZE), 0);
	sockstat_probe.close(&p);
	series_free(&s);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capture),
		cmocka_unit_test(test_no_udplite),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_mem_pages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
