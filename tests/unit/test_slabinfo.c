/* Unit tests for src/probe/slabinfo.c: a real capture, an unknown-column variant, SLUB merges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe/parse.h"
#include "probe_fixture.h"

static void check_tcp(const struct series *s)
{
	double page = (double)sysconf(_SC_PAGESIZE);

	/* TCP 66 117 2368 13 8 : tunables 0 0 0 : slabdata 9 9 0 */
	assert_float_equal(last(s, "slab.TCP.objs"), 66, 0);
	assert_float_equal(last(s, "slab.TCP.bytes"), 66.0 * 2368, 0);
	assert_float_equal(last(s, "slab.TCP.total_bytes"), 9.0 * 8 * page, 0);
	assert_float_equal(last(s, "slab.kmalloc-64.objs"), 2204, 0);
	assert_float_equal(last(s, "slab.kmalloc-64.total_bytes"), 36.0 * 1 * page, 0);
}

static void test_capture(void **state)
{
	struct probe_ctx ctx = { .root = fixture("host"), .netns_fd = -1 };
	struct series s;
	struct probe p;

	(void)state;
	series_init(&s, 0);
	assert_int_equal(probe_once(&slabinfo_probe, &p, &ctx, &s), 0);
	check_tcp(&s);
	/* 235 caches in the capture, three columns each. */
	assert_int_equal(s.ncols, 235 * 3);
	assert_int_equal(s.cols[series_find(&s, "slab.TCP.bytes")].d.unit, UNIT_BYTES);
	assert_int_equal(s.cols[series_find(&s, "slab.TCP.objs")].d.kind, MK_LEVEL);
	slabinfo_probe.close(&p);
	series_free(&s);
}

/* An extra column in the middle and one at the end, and version 2.2: read by the header's names. */
static void test_unknown_columns(void **state)
{
	struct probe_ctx ctx = { .root = fixture("odd"), .netns_fd = -1 };
	struct series s;
	struct probe p;

	(void)state;
	series_init(&s, 0);
	assert_int_equal(probe_once(&slabinfo_probe, &p, &ctx, &s), 0);
	check_tcp(&s);
	slabinfo_probe.close(&p);
	series_free(&s);
}

static int nop(void *arg, const struct slab_line *l)
{
	(void)arg;
	(void)l;
	return 0;
}

static void test_bad_format(void **state)
{
	(void)state;
	assert_int_equal(
		slabinfo_parse("slabinfo - version: 1.1\n# name <active_objs>\n", nop, NULL),
		-EPROTO);
	/* A header without <num_slabs>: no total can be computed. */
	assert_int_equal(slabinfo_parse("slabinfo - version: 2.1\n# name <active_objs> <num_objs> "
					"<objsize> <pagesperslab>\nx 1 2 3 4\n",
					nop, NULL),
			 -EPROTO);
	/* A line shorter than the header. */
	assert_int_equal(slabinfo_parse("slabinfo - version: 2.1\n# name <active_objs> <num_objs> "
					"<objsize> <pagesperslab> <num_slabs>\nx 1 2 3\n",
					nop, NULL),
			 -EPROTO);
	assert_int_equal(slabinfo_parse("slabinfo - version: 2.1\n# name <active_objs> <num_objs> "
					"<objsize> <pagesperslab> <num_slabs>\nx 1 2 3 4 5\n",
					nop, NULL),
			 0);
}

struct merged {
	char holder[64];
	int n;
};

static int find_tcp_bind(void *arg, const char *shown, const char *merged)
{
	struct merged *m = arg;

	if (!strcmp(merged, "tcp_bind_bucket"))
		snprintf(m->holder, sizeof(m->holder), "%s", shown);
	m->n++;
	return 0;
}

/* tcp_bind_bucket has no line: SLUB merged it into the cache slabinfo shows as eventpoll_epi. */
static void test_merges(void **state)
{
	struct probe_ctx ctx = { .root = fixture("host"), .netns_fd = -1 };
	char *buf = slurp("host/proc/slabinfo");
	struct merged m = { "", 0 };
	struct series s;
	struct probe p;
	const char *note;

	(void)state;
	assert_non_null(buf);
	assert_int_equal(slab_aliases(ctx.root, buf, find_tcp_bind, &m), 0);
	assert_string_equal(m.holder, "eventpoll_epi");
	assert_true(m.n >= 10);
	free(buf);

	series_init(&s, 0);
	assert_int_equal(probe_once(&slabinfo_probe, &p, &ctx, &s), 0);
	note = s.cols[series_find(&s, "slab.eventpoll_epi.objs")].d.note;
	assert_non_null(note);
	assert_non_null(strstr(note, "merged: "));
	assert_non_null(strstr(note, "fib6_node"));
	assert_non_null(
		strstr(note, "socket caches counted here: tcp_bind2_bucket, tcp_bind_bucket"));
	assert_string_equal(s.cols[series_find(&s, "slab.eventpoll_epi.total_bytes")].d.note, note);
	note = s.cols[series_find(&s, "slab.signal_cache.objs")].d.note;
	assert_non_null(note);
	assert_non_null(strstr(note, "socket caches counted here: UNIX, UNIX-STREAM"));
	/* TCP is a cache of its own: no note. */
	assert_null(s.cols[series_find(&s, "slab.TCP.objs")].d.note);
	assert_int_equal(series_find(&s, "slab.tcp_bind_bucket.objs"), -1);
	slabinfo_probe.close(&p);
	series_free(&s);
}

/* A cache created after open gets its columns then; one that went away reads NAN. */
static void test_cache_appears(void **state)
{
	char dir[] = "/tmp/sockleak-slab-XXXXXX", path[128];
	struct probe_ctx ctx = { .root = dir, .netns_fd = -1 };
	const char *hdr = "slabinfo - version: 2.1\n# name <active_objs> <num_objs> <objsize> "
			  "<objperslab> <pagesperslab> : tunables <limit> <batchcount> "
			  "<sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n";
	struct series s;
	struct probe p;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/proc", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/proc/slabinfo", dir);
	f = fopen(path, "w");
	fprintf(f, "%sa 1 1 8 1 1 : tunables 0 0 0 : slabdata 1 1 0\n", hdr);
	fclose(f);
	series_init(&s, 0);
	assert_int_equal(probe_once(&slabinfo_probe, &p, &ctx, &s), 0);
	f = fopen(path, "w");
	fprintf(f, "%sb 2 2 8 1 1 : tunables 0 0 0 : slabdata 1 1 0\n", hdr);
	fclose(f);
	assert_int_equal(slabinfo_probe.sample(&p, &s), 0);
	series_commit(&s, 1, 0);
	/* the latest row has no figure of it; `last` keeps its last one for live views */
	assert_true(isnan(series_val(&s, series_find(&s, "slab.a.objs"), s.nrows - 1)));
	assert_false(isnan(last(&s, "slab.a.objs")));
	assert_float_equal(last(&s, "slab.b.objs"), 2, 0);
	slabinfo_probe.close(&p);
	series_free(&s);
	unlink(path);
	snprintf(path, sizeof(path), "%s/proc", dir);
	rmdir(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capture),	      cmocka_unit_test(test_unknown_columns),
		cmocka_unit_test(test_bad_format),    cmocka_unit_test(test_merges),
		cmocka_unit_test(test_cache_appears),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
