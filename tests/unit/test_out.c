/* Unit tests for src/report/out.c: a report file appears whole or not at all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "report/out.h"

static void test_rename_into_place(void **state)
{
	char path[64];
	struct out o;
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/sockleak-test-out.%d", (int)getpid());
	unlink(path);
	assert_int_equal(out_open(&o, path), 0);
	fputs("half", o.f);
	fflush(o.f);
	/* Until it is closed, the report is not there under its name. */
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(out_close(&o, 0), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 4);

	/* A failed report leaves the previous file alone and no temporary file behind. */
	assert_int_equal(out_open(&o, path), 0);
	fputs("broken and longer", o.f);
	assert_int_equal(out_close(&o, -ENOMEM), -ENOMEM);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 4);
	{
		char tmp[96];

		snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
		assert_int_equal(stat(tmp, &st), -1);
	}
	unlink(path);
}

static void test_special_files(void **state)
{
	struct out o;
	struct stat st;

	(void)state;
	/* A device is written in place, never replaced by a regular file. */
	assert_int_equal(out_open(&o, "/dev/null"), 0);
	fputs("x", o.f);
	assert_int_equal(out_close(&o, 0), 0);
	assert_int_equal(stat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(out_open(&o, "-"), 0);
	assert_ptr_equal(o.f, stdout);
	assert_int_equal(out_close(&o, 0), 0);
}

static void test_errors(void **state)
{
	struct capture c;
	struct out o;
	char *msg;

	(void)state;
	capture_begin(&c);
	assert_int_equal(out_open(&o, "/nonexistent/dir/report.html"), -ENOENT);
	assert_int_equal(out_open(&o, ""), -EINVAL);
	msg = capture_end(&c);
	assert_non_null(strstr(msg, "cannot write /nonexistent/dir/report.html"));
	assert_non_null(strstr(msg, "no output file given"));
	free(msg);
	/* Write errors show at close: /dev/full takes nothing. */
	if (access("/dev/full", W_OK) == 0) {
		assert_int_equal(out_open(&o, "/dev/full"), 0);
		fputs("x", o.f);
		capture_begin(&c);
		assert_int_equal(out_close(&o, 0), -ENOSPC);
		msg = capture_end(&c);
		assert_non_null(strstr(msg, "cannot write /dev/full"));
		free(msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rename_into_place),
		cmocka_unit_test(test_special_files),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
