/*
 * Unit tests for src/model/reason.c: every reason has a name that reads back and a sentence; the
 * figures land where the sentence says, in the metric's unit; what is said beside a reason keeps
 * within the line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <string.h>

#include "model/reason.h"

static void test_names(void **state)
{
	enum reason r;
	char buf[200];
	int i, j;

	(void)state;
	for (i = 0; i < RS_COUNT; i++) {
		struct reason_of x = { (enum reason)i, { 1, 2, 3, 4 } };

		assert_int_equal(reason_parse(reason_name((enum reason)i), &r), 0);
		assert_int_equal(r, i);
		for (j = 0; j < i; j++)
			assert_string_not_equal(reason_name((enum reason)i),
						reason_name((enum reason)j));
		reason_text(buf, sizeof(buf), &x, UNIT_COUNT);
		if (i != RS_NONE && (!*buf || strchr(buf, '%')))
			fail_msg("reason %s: '%s'", reason_name((enum reason)i), buf);
	}
	assert_int_equal(reason_parse("leak-someday", &r), -EINVAL);
	assert_string_equal(reason_name(RS_COUNT), "?");
}

static void test_sentences(void **state)
{
	struct reason_of steady = { RS_LEAK_STEADY, { 144, 0.00199, 145 } };
	struct reason_of back = { RS_BACKLOG, { 3 * 1048576.0, -2048 } };
	struct reason_of lag = { RS_NETNS_LAG, { 5 * 1048576.0, 2.25 } };
	char buf[200];

	(void)state;
	assert_string_equal(reason_text(buf, sizeof(buf), &steady, UNIT_COUNT),
			    "kept +144 (0.002/cycle) after quiesce; rose steadily to +145");
	assert_string_equal(reason_text(buf, sizeof(buf), &back, UNIT_BYTES),
			    "rose +3.0 MiB steadily while the loop ran, still rising at its end; "
			    "came back to -2.0 KiB after it stopped");
	assert_string_equal(reason_text(buf, sizeof(buf), &lag, UNIT_BYTES),
			    "stood +5.0 MiB above its baseline while the loop ran (namespaces "
			    "pending): clean-up work lagged the loop, caught up 2.2 s after");
}

/* The headline of an overall BACKLOG: the deciding reason's own, or the general one. */
static void test_backlog_headline(void **state)
{
	struct reason_of back = { RS_BACKLOG, { 3 * 1048576.0, -2048 } };
	struct reason_of lag = { RS_NETNS_LAG, { 1200, 0.35 } };
	struct reason_of none = { RS_NONE, { 0 } };
	char buf[200];

	(void)state;
	assert_string_equal(reason_backlog(buf, sizeof(buf), &back, UNIT_BYTES),
			    "rose +3.0 MiB while the loop ran and came back after it stopped: "
			    "deferred clean-up starved by the loop");
	assert_string_equal(reason_backlog(buf, sizeof(buf), &lag, UNIT_COUNT),
			    "stood +1200 above its baseline while the loop ran: namespace clean-up "
			    "work lagged the loop, caught up 0.3 s after");
	assert_string_equal(reason_backlog(buf, sizeof(buf), &none, UNIT_COUNT),
			    "deferred clean-up starved by the loop");
	assert_string_equal(reason_backlog(buf, 12, &lag, UNIT_COUNT), "stood +1200");
}

/* Beside the reason: other tasks first, then what came later, then TIME_WAIT's part. */
static void test_beside(void **state)
{
	struct reason_of r = { RS_KEPT_NO_GROWTH, { 40960, 3e6 }, 8192, 4096, 1.5 };
	char buf[200], small[120];

	(void)state;
	assert_string_equal(reason_text(buf, sizeof(buf), &r, UNIT_BYTES),
			    "other tasks moved it by +-8.0 KiB during quiesce, more than the run "
			    "did; kept +40.0 KiB after quiesce without clear growth during churn; "
			    "~3,000,000 cycles would decide");
	r.other_tasks = 0;
	assert_string_equal(
		reason_text(buf, sizeof(buf), &r, UNIT_BYTES),
		"kept +40.0 KiB after quiesce without clear growth during churn; ~3,000,000 "
		"cycles would decide; +4.0 KiB more came during quiesce only; TIME_WAIT "
		"part (1.5/tw) removed");
	/* What does not fit is left out whole, never cut in the middle. */
	reason_text(small, sizeof(small), &r, UNIT_BYTES);
	assert_null(strstr(small, "more came"));
	assert_true(strlen(small) < sizeof(small));
}

static void test_overall(void **state)
{
	const char *names[] = { "tcp.client", "proc.fds", "slab.TCP.bytes", "a", "b", "c" };
	char buf[240];

	(void)state;
	assert_string_equal(reason_overall(buf, sizeof(buf), "CLEAN", true, 68, NULL, 0),
			    "CLEAN: no decisive metric grew (68 analysed)");
	assert_string_equal(reason_overall(buf, sizeof(buf), "LEAK", false, 68, names, 2),
			    "LEAK in tcp.client, proc.fds");
	assert_string_equal(reason_overall(buf, sizeof(buf), "LEAK", false, 68, names, 6),
			    "LEAK in tcp.client, proc.fds, slab.TCP.bytes, a (+2 more)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_sentences),
		cmocka_unit_test(test_backlog_headline),
		cmocka_unit_test(test_beside),
		cmocka_unit_test(test_overall),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
