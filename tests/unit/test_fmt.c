/* Unit tests for src/report/fmt.c: exact numbers, human units, counts, escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/fmt.h"

static void test_exact(void **state)
{
	char buf[FMT_NUM_MAX];
	const double v[] = {
		0.1, 1.0 / 3, 1e300, 5e-324, -2.5, 123456789.125, 0.30000000000000004
	};
	size_t i;

	(void)state;
	assert_string_equal(fmt_exact(buf, 0.1), "0.1");
	assert_string_equal(fmt_exact(buf, 250000), "250000");
	assert_string_equal(fmt_exact(buf, NAN), "nan");
	assert_string_equal(fmt_exact(buf, -INFINITY), "-inf");
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_true(strtod(fmt_exact(buf, v[i]), NULL) == v[i]);
}

static void test_human(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(amount(b, sizeof(b), 0.001, UNIT_COUNT, AMT_HUMAN), "0.00100");
	assert_string_equal(amount(b, sizeof(b), 850, UNIT_COUNT, AMT_HUMAN), "850");
	assert_string_equal(amount(b, sizeof(b), 1234, UNIT_COUNT, AMT_HUMAN), "1.23 k");
	assert_string_equal(amount(b, sizeof(b), 999.9, UNIT_COUNT, AMT_HUMAN), "1.00 k");
	assert_string_equal(amount(b, sizeof(b), 2.5e6, UNIT_COUNT, AMT_HUMAN), "2.50 M");
	assert_string_equal(amount(b, sizeof(b), 512, UNIT_BYTES, AMT_HUMAN), "512 B");
	assert_string_equal(amount(b, sizeof(b), 1536, UNIT_BYTES, AMT_HUMAN), "1.50 KiB");
	assert_string_equal(amount(b, sizeof(b), -2048, UNIT_BYTES, AMT_HUMAN), "-2.00 KiB");
	assert_string_equal(amount(b, sizeof(b), 0.73, UNIT_BYTES, AMT_HUMAN), "0.730 B");
	assert_string_equal(amount(b, sizeof(b), 3.0 * 1048576, UNIT_BYTES, AMT_HUMAN), "3.00 MiB");
	assert_string_equal(amount(b, sizeof(b), 2.5e6, UNIT_USEC, AMT_HUMAN), "2.50 s");
	assert_string_equal(amount(b, sizeof(b), 0, UNIT_BYTES, AMT_HUMAN), "0 B");
	assert_string_equal(amount(b, sizeof(b), NAN, UNIT_COUNT, AMT_HUMAN), "n/a");
}

/* The other styles: the reasons' sentences, the text tables, the live view's narrow columns. */
static void test_styles(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(amount(b, sizeof(b), 1234, UNIT_COUNT, AMT_PLAIN), "1,234");
	/* Prose never has an exponent: "+100", not "+1e+02"; "0.00001", not "1e-05". */
	assert_string_equal(amount(b, sizeof(b), 99.6, UNIT_COUNT, AMT_PLAIN | AMT_SIGN), "+100");
	assert_string_equal(amount(b, sizeof(b), 1e-5, UNIT_COUNT, AMT_PLAIN), "0.00001");
	assert_string_equal(amount(b, sizeof(b), 9.96, UNIT_COUNT, AMT_PLAIN), "10");
	assert_string_equal(amount(b, sizeof(b), 0.5, UNIT_COUNT, AMT_PLAIN), "0.5");
	assert_string_equal(amount(b, sizeof(b), -0.25, UNIT_COUNT, AMT_PLAIN), "-0.25");
	assert_string_equal(amount(b, sizeof(b), 3.2e7, UNIT_COUNT, AMT_PLAIN), "32,000,000");
	/* An estimate keeps three significant digits: "~32,400 cycles". */
	assert_string_equal(amount(b, sizeof(b), 32412.7, UNIT_COUNT, AMT_PLAIN | AMT_ROUND),
			    "32,400");
	assert_string_equal(amount(b, sizeof(b), 2.1e6, UNIT_COUNT, AMT_PLAIN | AMT_ROUND),
			    "2,100,000");
	assert_string_equal(amount(b, sizeof(b), 0.0019, UNIT_COUNT, AMT_PLAIN), "0.0019");
	assert_string_equal(amount(b, sizeof(b), 0.00199, UNIT_COUNT, AMT_PLAIN), "0.002");
	assert_string_equal(amount(b, sizeof(b), 222617.6, UNIT_BYTES, AMT_PLAIN), "217.4 KiB");
	assert_string_equal(amount(b, sizeof(b), 3, UNIT_BYTES, AMT_PLAIN), "3 B");
	assert_string_equal(amount(b, sizeof(b), -1048576, UNIT_BYTES, AMT_PLAIN), "-1.0 MiB");
	assert_string_equal(amount(b, sizeof(b), 0.00199, UNIT_COUNT, AMT_TABLE), "0.00199");
	assert_string_equal(amount(b, sizeof(b), 2.5e7, UNIT_COUNT, AMT_TABLE), "2.5e+07");
	assert_string_equal(amount(b, sizeof(b), 145, UNIT_COUNT, AMT_TABLE | AMT_SIGN), "+145");
	assert_string_equal(amount(b, sizeof(b), 0, UNIT_BYTES, AMT_TABLE | AMT_SIGN), "+0 B");
	assert_string_equal(amount(b, sizeof(b), NAN, UNIT_COUNT, AMT_TABLE), "-");
	assert_string_equal(amount(b, sizeof(b), 1536, UNIT_BYTES, AMT_SHORT), "1.5K");
	assert_string_equal(amount(b, sizeof(b), 312, UNIT_BYTES, AMT_SHORT | AMT_SIGN), "+312");
	assert_string_equal(amount(b, sizeof(b), 0, UNIT_BYTES, AMT_SHORT | AMT_SIGN), "0");
	assert_string_equal(amount(b, sizeof(b), -3 * 1048576.0, UNIT_BYTES, AMT_SHORT), "-3.0M");
	assert_string_equal(amount(b, sizeof(b), NAN, UNIT_BYTES, AMT_SHORT), "-");
}

static void test_count(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(fmt_count(b, sizeof(b), 250000), "250,000");
	assert_string_equal(fmt_count(b, sizeof(b), 1000), "1,000");
	assert_string_equal(fmt_count(b, sizeof(b), 999), "999");
	assert_string_equal(fmt_count(b, sizeof(b), 0), "0");
	assert_string_equal(fmt_count(b, sizeof(b), -1234567), "-1,234,567");
	assert_string_equal(fmt_count(b, sizeof(b), 0.5), "0.5");
	assert_string_equal(fmt_count(b, sizeof(b), NAN), "n/a");
	/* Too small a buffer truncates, never overflows. */
	assert_string_equal(fmt_count(b, 5, 1234567), "1,2");
}

static char *write_with(void (*fn)(FILE *, const char *), const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f, s);
	fclose(f);
	return buf;
}

static void test_escape(void **state)
{
	char *s;

	(void)state;
	s = write_with(fmt_html, "<a href=\"x\">&'</a>");
	assert_string_equal(s, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
	free(s);
	s = write_with(fmt_csv, "plain.name");
	assert_string_equal(s, "plain.name");
	free(s);
	s = write_with(fmt_csv, "a,b");
	assert_string_equal(s, "\"a,b\"");
	free(s);
	s = write_with(fmt_csv, "say \"x\"\n");
	assert_string_equal(s, "\"say \"\"x\"\"\n\"");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact),  cmocka_unit_test(test_human),
		cmocka_unit_test(test_styles), cmocka_unit_test(test_count),
		cmocka_unit_test(test_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
