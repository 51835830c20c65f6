/* Unit tests for src/vm/kernels.c: each kernel's command line and the names of its outputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "cli/cli.h"
#include "vm/kernels.h"

static void check_file(const char *path, const char *label, const char *want)
{
	char buf[256];

	assert_int_equal(vm_kernel_file(path, label, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

static void test_file(void **state)
{
	char small[12];

	(void)state;
	check_file("out.json", "6.1.0-47-amd64", "out.6.1.0-47-amd64.json");
	check_file("reports/run.html", "6.18.44", "reports/run.6.18.44.html");
	check_file("/tmp/a.b/run.tar.gz", "6.1", "/tmp/a.b/run.tar.6.1.gz");
	/* No extension in the file's own name (a dot in a directory does not count): last. */
	check_file("a.d/report", "6.1", "a.d/report.6.1");
	check_file("report", "6.1", "report.6.1");
	check_file("dir/.json", "6.1", "dir/.json.6.1");
	assert_int_equal(vm_kernel_file("out.json", "6.1.0-47-amd64", small, sizeof(small)),
			 -ENAMETOOLONG);
}

static void test_argv_keep(void **state)
{
	char *argv[] = { "run",
			 "--kernels",
			 "host,/boot/vmlinuz",
			 "--ops",
			 "2000",
			 "--json",
			 "out.json",
			 "--vm-acc=tcg",
			 "-q",
			 "--vm-boot-timeout",
			 "5s",
			 "--csv=x.csv",
			 "--html",
			 "r.html",
			 "--inject-leak",
			 "500",
			 NULL };
	static const char *const drop[] = { "json", "html", "junit", "csv", NULL };
	char **w;
	int n;

	(void)state;
	w = vm_argv_keep("run", command_run.opts, drop, 16, argv, 2, &n);
	assert_non_null(w);
	/* --kernels and the --vm-* options (an abbreviation too), and the outputs, each with its
	 * value, stay with the host; the rest goes to each kernel's run as it was given. */
	assert_int_equal(n, 6);
	assert_string_equal(w[0], "run");
	assert_string_equal(w[1], "--ops");
	assert_string_equal(w[2], "2000");
	assert_string_equal(w[3], "-q");
	assert_string_equal(w[4], "--inject-leak");
	assert_string_equal(w[5], "500");
	assert_null(w[6]);
	assert_int_equal(vm_argv_push(w, &n, "--json=%s", "out.6.1.json"), 0);
	assert_int_equal(vm_argv_push(w, &n, "--html=%s", "r.6.1.html"), 0);
	assert_int_equal(n, 8);
	assert_string_equal(w[7], "--html=r.6.1.html");
	assert_null(w[8]);
	vm_argv_free(w);
}

static void test_argv_operands(void **state)
{
	char *argv[] = {
		"sweep", "--kernels=host", "--presets", "kb171996", "--", "--kernels", "x"
	};
	char **w;
	int n;

	(void)state;
	w = vm_argv_keep("sweep", command_sweep.opts, NULL, 7, argv, 0, &n);
	assert_non_null(w);
	/* After "--" nothing is an option: kept as it is. */
	assert_int_equal(n, 6);
	assert_string_equal(w[1], "--presets");
	assert_string_equal(w[2], "kb171996");
	assert_string_equal(w[3], "--");
	assert_string_equal(w[4], "--kernels");
	assert_string_equal(w[5], "x");
	vm_argv_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_argv_keep),
		cmocka_unit_test(test_argv_operands),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
