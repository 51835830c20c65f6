/* Unit tests for src/report/csv.c: header, one line per row, empty cells for NaN, RFC 4180 quoting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>

#include "describe.h"
#include "report/report.h"

static char *csv_of(const struct series *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(report_csv_write(f, s), 0);
	fclose(f);
	return buf;
}

static void test_csv(void **state)
{
	struct series s;
	char *out, *line, *save = NULL;
	int a, b, c, n = 0;

	(void)state;
	series_init(&s, 0);
	a = series_add_named(&s, "slab.TCP.objs", UNIT_COUNT, MK_LEVEL, NULL);
	b = series_add_named(&s, "odd,name", UNIT_BYTES, MK_LEVEL, NULL);
	c = series_add_named(&s, "say \"hi\"", UNIT_COUNT, MK_COUNTER, NULL);
	series_mark(&s, PHASE_BASELINE, 0, 0);
	series_set(&s, a, 10);
	series_set(&s, b, 0.1);
	series_set(&s, c, 1.0 / 3);
	series_commit(&s, 0, 0);
	series_mark(&s, PHASE_CHURN, 0.1, 0);
	series_set(&s, a, 12); /* b and c not sampled: empty cells */
	series_commit(&s, 0.1, 2500);
	out = csv_of(&s);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
		switch (n) {
		case 0:
			assert_string_equal(line, "t,cycles,phase,slab.TCP.objs,\"odd,name\","
						  "\"say \"\"hi\"\"\"");
			break;
		case 1:
			assert_string_equal(line, "0,0,baseline,10,0.1,0.3333333333333333");
			break;
		case 2:
			assert_string_equal(line, "0.1,2500,churn,12,,");
			break;
		}
	}
	assert_int_equal(n, 3);
	free(out);
	series_free(&s);
}

static void test_file(void **state)
{
	struct series s;
	char path[64], buf[256];
	FILE *f;
	size_t n;

	(void)state;
	series_init(&s, 0);
	series_add_named(&s, "x", UNIT_COUNT, MK_LEVEL, NULL);
	snprintf(path, sizeof(path), "/tmp/sockleak-test-csv.%d.csv", (int)getpid());
	assert_int_equal(report_csv(path, &s), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_string_equal(buf, "t,cycles,phase,x\n");
	unlink(path);
	assert_int_equal(report_csv("/nonexistent/dir/x.csv", &s), -ENOENT);
	series_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
