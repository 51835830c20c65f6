/* Unit tests for src/report/live.c: the plain snapshot over fixture probes, and sort keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "probe_fixture.h"
#include "report/live.h"
#include "run/sampler.h"

static char *snapshot(enum live_sort sort, unsigned top)
{
	struct sampler_cfg cfg = { .ctx = { .root = fixture("host"), .netns_fd = -1, .pid = 4242 },
				   .quiet = true };
	struct live_opts lo = { .sort = sort, .top = top, .title = "fixture" };
	struct sampler *sp;
	struct series s;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	unsetenv("COLUMNS");
	series_init(&s, 0);
	assert_int_equal(sampler_create(&cfg, &s, &sp), 0);
	assert_int_equal(sampler_sample_now(sp), 0);
	assert_int_equal(live_print(f, &s, sampler_probes(sp), &lo), 0);
	fclose(f);
	sampler_destroy(sp);
	series_free(&s);
	return buf;
}

static void test_sections(void **state)
{
	char *out = snapshot(LIVE_SORT_SIZE, 5);
	const char *const want[] = {
		"sockleak watch: fixture",
		"\nmeminfo   MemAvailable 23.2G",
		"\nmemcg     (off)",
		"\nproc      fds 5 ",
		"\nsockstat\n  sockets: used 13\n  TCP: inuse 1 orphan 0 tw 3 alloc 1 mem 0\n",
		"\n  UDPLITE: inuse 0\n", /* a snapshot shows idle protocols too */
		"\ntcp       (none)", /* sock_diag is off on fixtures */
		"\nnetstat   OutOfWindowIcmps", /* a table of counters, folded at 100 columns */
		"\noff       sockdiag: sock_diag reads the live kernel only",
		"\noff       memcg: no memory cgroup to read",
		"\nslab cache",
		"eventpoll_epi holds tcp_bind2_bucket, tcp_bind_bucket",
		"signal_cache holds UNIX, UNIX-STREAM",
	};
	const char *const never[] = {
		"+objs", "objs/s", "+bytes", /* one sample has no growth and no rate */
	};
	size_t i, rows = 0;
	const char *p, *q;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(out, want[i]))
			fail_msg("snapshot lacks '%s':\n%s", want[i], out);
	for (i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		if (strstr(out, never[i]))
			fail_msg("snapshot of one sample shows '%s':\n%s", never[i], out);
	/* Nothing wider than 100 columns (not a terminal, no COLUMNS). */
	for (p = out; (q = strchr(p, '\n')); p = q + 1)
		if (q - p > 100)
			fail_msg("line of %d columns: %.*s", (int)(q - p), (int)(q - p), p);
	/* The netstat counters fold into a table: every counter is there, one line each at most. */
	assert_non_null(strstr(out, "TCPAbortOnClose"));
	assert_non_null(strstr(out, "UdpSndbufErrors"));
	/* --top 5: five cache lines between the table's header and the "holds" lines. */
	p = strstr(strstr(out, "\nslab cache"), "\n   cache");
	assert_non_null(p);
	p = strchr(p + 1, '\n');
	for (; p && p[1]; p = strchr(p + 1, '\n')) {
		const char *eol = strchr(p + 1, '\n');
		const char *h = strstr(p + 1, " holds ");

		if (h && (!eol || h < eol))
			break;
		rows++;
	}
	assert_int_equal(rows, 5);
	free(out);
}

/* By size, the biggest cache of the capture comes first. */
static void test_sort_size(void **state)
{
	char *out = snapshot(LIVE_SORT_SIZE, 1);
	const char *p = strstr(out, "\nslab cache");

	(void)state;
	assert_non_null(p);
	p = strchr(p + 1, '\n');
	assert_non_null(strstr(p, "ext4_inode_cache"));
	free(out);
}

static void test_parse_sort(void **state)
{
	enum live_sort s;

	(void)state;
	assert_int_equal(live_parse_sort("rate", &s), 0);
	assert_int_equal(s, LIVE_SORT_RATE);
	assert_int_equal(live_parse_sort("size", &s), 0);
	assert_int_equal(s, LIVE_SORT_SIZE);
	assert_int_equal(live_parse_sort("growth", &s), 0);
	assert_int_equal(s, LIVE_SORT_GROWTH);
	assert_int_equal(live_parse_sort("big", &s), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_sort_size),
		cmocka_unit_test(test_parse_sort),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
