/* Unit tests for src/escape.c: nothing a terminal acts on gets through; text stays as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

static const char *esc(const char *in, size_t n)
{
	static char out[512];
	struct esc_state st = { 0 };

	esc_text(&st, in, n, out, sizeof(out), 1);
	return out;
}

#define ESC(s) esc(s, sizeof(s) - 1)

static void test_controls(void **state)
{
	(void)state;
	assert_string_equal(ESC("plain text, 100%\n\tindented"), "plain text, 100%\n\tindented");
	assert_string_equal(ESC("\x1b[31mred\x1b[0m"), "\\x1b[31mred\\x1b[0m");
	assert_string_equal(ESC("a\rb\bc\ad\x7f"), "a\\x0db\\x08c\\x07d\\x7f");
	assert_string_equal(ESC("\x1b]0;title\x07"), "\\x1b]0;title\\x07");
	/* C1 controls: CSI as UTF-8 (U+009B) and as a lone byte. */
	assert_string_equal(ESC("\xc2\x9b"
				"31m"),
			    "\\u009b31m");
	assert_string_equal(ESC("\x9b"
				"31m"),
			    "\\x9b31m");
}

static void test_utf8(void **state)
{
	(void)state;
	/* Text in any script stays as it is: µs, €, a CJK name, an emoji, U+00A0. */
	assert_string_equal(ESC("50 \xc2\xb5s \xe2\x82\xac \xe4\xb8\xad \xf0\x9f\x98\x80 \xc2\xa0"),
			    "50 \xc2\xb5s \xe2\x82\xac \xe4\xb8\xad \xf0\x9f\x98\x80 \xc2\xa0");
	/* What is not UTF-8: each byte escaped, the text around kept. */
	assert_string_equal(ESC("a\xff"
				"b"),
			    "a\\xffb");
	assert_string_equal(ESC("a\xe2\x82"
				"b"),
			    "a\\xe2\\x82b");
	assert_string_equal(ESC("end\xe2\x82"), "end\\xe2\\x82");
	assert_string_equal(ESC("\xc0\xaf"), "\\xc0\\xaf");
}

/* A sequence split between two writes is judged whole. */
static void test_split(void **state)
{
	struct esc_state st = { 0 };
	char out[64];

	(void)state;
	esc_text(&st, "x\xe2", 2, out, sizeof(out), 0);
	assert_string_equal(out, "x");
	esc_text(&st, "\x82\xac", 2, out, sizeof(out), 0);
	assert_string_equal(out, "\xe2\x82\xac");
	esc_text(&st, "\xc2", 1, out, sizeof(out), 0);
	esc_text(&st, "\x85", 1, out, sizeof(out), 1);
	assert_string_equal(out, "\\u0085");
	/* Truncated output still says how long the whole is. */
	memset(&st, 0, sizeof(st));
	assert_int_equal(esc_text(&st, "\x1b\x1b\x1b", 3, out, 5, 1), 12);
	assert_string_equal(out, "\\x1b");
}

static void test_stream(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len), *e;
	int i;

	(void)state;
	e = esc_stream(m);
	assert_non_null(e);
	fprintf(e, "why: %s\n", "\x1b[2J cleared");
	for (i = 0; i < 2000; i++)
		fputs("\x1b", e);
	fputs("\xe2", e);
	assert_int_equal(fclose(e), 0);
	fclose(m);
	assert_int_equal(strncmp(buf, "why: \\x1b[2J cleared\n", 21), 0);
	assert_null(memchr(buf, 0x1b, len));
	assert_int_equal(len, 21 + 2000 * 4 + 4);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
