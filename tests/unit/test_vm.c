/* Unit tests for src/vm/vm.c: the guest's command line, and its reports landing on the host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "cli/cli.h"
#include "vm/vm.h"

#define G "/run/sockleak/out"

static void test_map_outputs(void **state)
{
	char *argv[] = { "run",	  "--ops", "2000",   "--json", "out/run.json", "--html=/tmp/r.html",
			 "--csv", "-",	   "--quiet" };
	struct vm_args a;
	char why[256];

	(void)state;
	assert_int_equal(vm_map_args(command_run.opts, 9, argv, G, &a, why, sizeof(why)), 0);
	assert_int_equal(a.argc, 9);
	assert_string_equal(a.argv[0], "run");
	assert_string_equal(a.argv[2], "2000");
	assert_string_equal(a.argv[3], "--json");
	assert_string_equal(a.argv[4], G "/0/run.json");
	assert_string_equal(a.argv[5], "--html=" G "/1/r.html");
	/* Standard output stays standard output: the host relays it. */
	assert_string_equal(a.argv[7], "-");
	assert_string_equal(a.argv[8], "--quiet");
	assert_null(a.argv[9]);
	assert_int_equal(a.nout, 2);
	assert_string_equal(a.out[0].user, "out/run.json");
	assert_string_equal(a.out[0].rel, "0/run.json");
	assert_false(a.out[0].dir);
	assert_string_equal(a.out[1].user, "/tmp/r.html");
	vm_args_free(&a);
}

static void test_map_sweep_dir(void **state)
{
	char *argv[] = { "sweep", "--html", "reports/", "--json=-", "--", "--json", "x" };
	struct vm_args a;
	char why[256];

	(void)state;
	assert_int_equal(vm_map_args(command_sweep.opts, 7, argv, G, &a, why, sizeof(why)), 0);
	/* A directory keeps its name; after "--" nothing is an option. */
	assert_string_equal(a.argv[2], G "/0/reports");
	assert_string_equal(a.argv[3], "--json=-");
	assert_string_equal(a.argv[5], "--json");
	assert_string_equal(a.argv[6], "x");
	assert_int_equal(a.nout, 1);
	assert_true(a.out[0].dir);
	vm_args_free(&a);
}

/* Which options name outputs comes from each command's table, abbreviations as getopt reads them. */
static void test_kinds(void **state)
{
	(void)state;
	assert_int_equal(vm_arg_kind(command_run.opts, "json"), VM_ARG_FILE_OUT);
	assert_int_equal(vm_arg_kind(command_run.opts, "csv"), VM_ARG_FILE_OUT);
	assert_int_equal(vm_arg_kind(command_run.opts, "js"), VM_ARG_FILE_OUT);
	assert_int_equal(vm_arg_kind(command_run.opts, "h"), VM_ARG_OTHER); /* html or help */
	assert_int_equal(vm_arg_kind(command_run.opts, "ops"), VM_ARG_OTHER);
	assert_int_equal(vm_arg_kind(command_sweep.opts, "html"), VM_ARG_DIR_OUT);
	assert_int_equal(vm_arg_kind(command_report.opts, "csv"), VM_ARG_FILE_OUT);
	assert_int_equal(vm_arg_kind(command_compare.opts, "json"), VM_ARG_FILE_OUT);
	/* A file sweep reads is not one the guest writes. */
	assert_int_equal(vm_arg_kind(command_sweep.opts, "matrix"), VM_ARG_OTHER);
}

static void test_map_refused(void **state)
{
	char *vm[] = { "vm", "--kernel", "k" };
	char *opt[] = { "--json", "x" };
	struct vm_args a;
	char why[256];

	(void)state;
	assert_int_equal(vm_map_args(NULL, 3, vm, G, &a, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "cannot run inside"));
	assert_int_equal(vm_map_args(NULL, 2, opt, G, &a, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "no command"));
	assert_int_equal(vm_map_args(NULL, 0, opt, G, &a, why, sizeof(why)), -EINVAL);
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *slurp(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* What the guest wrote under the share lands where the user named it; what it did not write
 * leaves the user's file alone. */
static void test_land(void **state)
{
	char base[] = "/tmp/sockleak-land-XXXXXX", share[128], p[256], user[4][160];
	char *argv[] = { "sweep", "--json", user[0], "--html", user[1] };
	char *argv2[] = { "run", "--json", user[2] };
	struct vm_args a;
	char why[256], cmd[192];
	struct capture c;

	(void)state;
	assert_non_null(mkdtemp(base));
	snprintf(share, sizeof(share), "%s/share", base);
	snprintf(user[0], sizeof(user[0]), "%s/s.json", base);
	snprintf(user[1], sizeof(user[1]), "%s/html", base);
	snprintf(user[2], sizeof(user[2]), "%s/kept.json", base);
	assert_int_equal(vm_map_args(command_sweep.opts, 5, argv, G, &a, why, sizeof(why)), 0);
	mkdir(share, 0700);
	snprintf(p, sizeof(p), "%s/0", share);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/0/s.json", share);
	put(p, "{\"kind\": \"sweep\"}\n");
	snprintf(p, sizeof(p), "%s/1", share);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/1/html", share);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/1/html/index.html", share);
	put(p, "<html>index</html>\n");
	snprintf(p, sizeof(p), "%s/1/html/v1.html", share);
	put(p, "<html>v1</html>\n");
	/* A link in the share is never followed onto the host. */
	snprintf(p, sizeof(p), "%s/1/html/passwd.html", share);
	assert_int_equal(symlink("/etc/passwd", p), 0);
	assert_int_equal(vm_land(&a, share), 0);
	assert_string_equal(slurp(user[0]), "{\"kind\": \"sweep\"}\n");
	snprintf(p, sizeof(p), "%s/index.html", user[1]);
	assert_string_equal(slurp(p), "<html>index</html>\n");
	snprintf(p, sizeof(p), "%s/v1.html", user[1]);
	assert_string_equal(slurp(p), "<html>v1</html>\n");
	snprintf(p, sizeof(p), "%s/passwd.html", user[1]);
	assert_null(slurp(p));
	vm_args_free(&a);

	put(user[2], "earlier\n");
	assert_int_equal(vm_map_args(command_run.opts, 3, argv2, G, &a, why, sizeof(why)), 0);
	snprintf(p, sizeof(p), "%s/0", share);
	capture_begin(&c);
	assert_int_equal(vm_land(&a, share), 0); /* 0/kept.json was never written */
	free(capture_end(&c));
	assert_string_equal(slurp(user[2]), "earlier\n");
	vm_args_free(&a);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_outputs), cmocka_unit_test(test_map_sweep_dir),
		cmocka_unit_test(test_kinds),	    cmocka_unit_test(test_map_refused),
		cmocka_unit_test(test_land),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
