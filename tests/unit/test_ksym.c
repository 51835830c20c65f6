/* Unit tests for src/attr/ksym.c: kernel symbols from a captured /proc/kallsyms, and the live one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "attr/ksym.h"

#define DIR "tests/data/kallsyms/"

/* Function + offset, and the module of a module's symbol; text symbols only. */
static void test_capture(void **state)
{
	struct ksyms *k;
	char buf[128];
	const char *mod = "x";
	uint64_t off = 0;

	(void)state;
	assert_int_equal(ksyms_load(DIR "live.txt", &k), 0);
	/* 12 text symbols; __start_rodata (D) is not one. */
	assert_int_equal(ksyms_count(k), 12);
	assert_string_equal(ksyms_format(k, 0xffffffff81e7aa20 + 0x2c, buf, sizeof(buf)),
			    "sk_alloc+0x2c");
	assert_string_equal(ksyms_format(k, 0xffffffff820acb50 + 0xfa, buf, sizeof(buf)),
			    "inet_create+0xfa");
	assert_string_equal(ksyms_find(k, 0xffffffffc0201010, &off, &mod), "ftrace_trampoline");
	assert_int_equal(off, 0x10);
	assert_string_equal(mod, "__builtin__ftrace");
	assert_string_equal(ksyms_format(k, 0xffffffffc0201010, buf, sizeof(buf)),
			    "ftrace_trampoline+0x10 [__builtin__ftrace]");
	/* Below the first symbol and far past the last: unknown, shown as the address. */
	assert_null(ksyms_find(k, 0x1000, &off, &mod));
	assert_null(ksyms_find(k, 0xffffffffc0201000 + 0x100000, &off, &mod));
	assert_string_equal(ksyms_format(k, 0x1000, buf, sizeof(buf)), "0x1000");
	/* A symbol's exact address is offset 0; the one before it ends there. */
	assert_string_equal(ksyms_format(k, 0xffffffff81e7bb10, buf, sizeof(buf)),
			    "sk_clone_lock+0x0");
	assert_string_equal(ksyms_format(k, 0xffffffff81e7bb0f, buf, sizeof(buf)),
			    "__pfx_sk_setup_caps+0xedf");
	ksyms_free(k);
}

/* kptr_restrict (or not root): every address 0 means no symbol can be found. */
static void test_restricted(void **state)
{
	struct ksyms *k = (struct ksyms *)1;

	(void)state;
	assert_int_equal(ksyms_load(DIR "restricted.txt", &k), -EPERM);
	assert_null(k);
	assert_int_equal(ksyms_parse("", 0, &k), -ENOENT);
	assert_int_equal(ksyms_load(DIR "missing.txt", &k), -ENOENT);
}

/* Lines that are not symbols are skipped, a missing trailing newline is fine. */
static void test_odd_lines(void **state)
{
	static const char text[] = "garbage\n"
				   "ffffffff81000000 T _text\n"
				   "ffffffff81000100\n"
				   "ffffffff81000200 X weird\n"
				   "ffffffff81000300 W weak_fn";
	struct ksyms *k;
	char buf[64];

	(void)state;
	assert_int_equal(ksyms_parse(text, sizeof(text) - 1, &k), 0);
	assert_int_equal(ksyms_count(k), 2);
	assert_string_equal(ksyms_format(k, 0xffffffff81000310, buf, sizeof(buf)), "weak_fn+0x10");
	assert_string_equal(ksyms_format(k, 0xffffffff81000250, buf, sizeof(buf)), "_text+0x250");
	ksyms_free(k);
}

/* The live kernel (root): this very function's callers are in kallsyms, e.g. do_syscall_64. */
static void test_live(void **state)
{
	struct ksyms *k;
	int err;

	(void)state;
	err = ksyms_load("/proc/kallsyms", &k);
	if (err == -EPERM || geteuid() != 0) {
		if (!err)
			ksyms_free(k);
		skip();
	}
	assert_int_equal(err, 0);
	assert_true(ksyms_count(k) > 1000);
	ksyms_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capture),
		cmocka_unit_test(test_restricted),
		cmocka_unit_test(test_odd_lines),
		cmocka_unit_test(test_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
