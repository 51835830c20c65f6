/* Unit tests for src/report/junit.c: counts, outcomes, and text that XML must escape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/junit.h"

static char *render(const struct junit_suite *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(junit_write(f, s), 0);
	fclose(f);
	return buf;
}

static void test_outcomes(void **state)
{
	const struct junit_case cases[] = {
		{ "tcp kb171996", "sockleak.sweep.tcp", 12.5, JUNIT_PASS, "CLEAN", "CLEAN: fine",
		  NULL, NULL },
		{ "tcp abort", "sockleak.sweep.tcp", 13, JUNIT_FAIL, "LEAK", "LEAK: kept +3",
		  "slab.TCP.objs +3", "the table row" },
		{ "mptcp kb171996", "sockleak.sweep.mptcp", NAN, JUNIT_SKIP, NULL,
		  "skipped: no MPTCP", NULL, NULL },
		{ "udp kb171996", "sockleak.sweep.udp", 1, JUNIT_ERROR, "failed", "failed: setup",
		  NULL, NULL },
	};
	const struct junit_suite s = {
		.name = "sockleak sweep", .time = 40, .cases = cases, .n = 4
	};
	char *x = render(&s);

	(void)state;
	assert_non_null(strstr(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"));
	assert_non_null(strstr(x, "tests=\"4\" failures=\"1\" errors=\"1\" skipped=\"1\""));
	assert_non_null(strstr(x,
			       "<testcase name=\"tcp kb171996\" classname=\"sockleak.sweep.tcp\" "
			       "time=\"12.500\"/>"));
	assert_non_null(strstr(x, "<failure message=\"LEAK: kept +3\" type=\"LEAK\">slab.TCP.objs "
				  "+3</failure>"));
	assert_non_null(strstr(x, "<system-out>the table row</system-out>"));
	/* No time for a variant that never ran; a skip carries no type. */
	assert_non_null(strstr(x, "<testcase name=\"mptcp kb171996\" classname=\"sockleak.sweep."
				  "mptcp\">\n      <skipped message=\"skipped: no MPTCP\"/>"));
	assert_non_null(strstr(x, "<error message=\"failed: setup\" type=\"failed\"/>"));
	free(x);
}

static void test_escaping(void **state)
{
	const struct junit_case c = { "a<b>&\"c\"",	 "k",	 0,
				      JUNIT_FAIL,	 "LEAK", "line one\nline\ttwo \x01 <&>",
				      "x < y & z\n\x02", NULL };
	const struct junit_suite s = { .name = "s&s", .cases = &c, .n = 1, .out = "<out>\x1b[0m" };
	char *x = render(&s);

	(void)state;
	assert_non_null(strstr(x, "name=\"a&lt;b&gt;&amp;&quot;c&quot;\""));
	/* In an attribute, a newline and a tab are character references; control characters
	 * XML 1.0 cannot carry are dropped. */
	assert_non_null(strstr(x, "message=\"line one&#10;line&#9;two  &lt;&amp;&gt;\""));
	assert_non_null(strstr(x, ">x &lt; y &amp; z\n</failure>"));
	assert_non_null(strstr(x, "<system-out>&lt;out&gt;[0m</system-out>"));
	assert_null(strchr(x, '\x01'));
	assert_null(strchr(x, '\x1b'));
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outcomes),
		cmocka_unit_test(test_escaping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
