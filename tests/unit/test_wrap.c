/* Unit tests for src/report/wrap.c: the width text wraps at, words, paragraphs, hanging lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/wrap.h"

static char *render(void (*fn)(FILE *, const char *, int), const char *text, int width)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, text, width);
	fclose(f);
	return buf;
}

static void text_at(FILE *f, const char *text, int width)
{
	fputs("  key: ", f);
	wrap_text(f, text, 7, 4, width);
}

static void test_words(void **state)
{
	char *s;

	(void)state;
	s = render(text_at, "one two three four five six", 20);
	assert_string_equal(s, "  key: one two three\n    four five six\n");
	free(s);
	/* Blanks inside a line are kept: alignment survives when nothing breaks there. */
	s = render(text_at, "a   b", 40);
	assert_string_equal(s, "  key: a   b\n");
	free(s);
	/* A word longer than the width stays whole, on a line of its own. */
	s = render(text_at, "x abcdefghijklmnopqrstuvwxyz y", 20);
	assert_string_equal(s, "  key: x\n    abcdefghijklmnopqrstuvwxyz\n    y\n");
	free(s);
}

static void test_paragraphs(void **state)
{
	const char *text = "First paragraph with hard\n"
			   "line breaks.\n"
			   "\n"
			   "Outcomes:\n"
			   "  LEAK   stayed above\n"
			   "         noise after quiesce\n"
			   "  CLEAN  neither\n"
			   "Exit codes: 0 fine, 2 usage error,\n"
			   "            3 runtime error.\n";
	char *s;

	(void)state;
	s = render(wrap_paragraphs, text, 100);
	assert_string_equal(s, "First paragraph with hard line breaks.\n"
			       "\n"
			       "Outcomes:\n"
			       "  LEAK   stayed above noise after quiesce\n"
			       "  CLEAN  neither\n"
			       "Exit codes: 0 fine, 2 usage error, 3 runtime error.\n");
	free(s);
	s = render(wrap_paragraphs, text, 40);
	assert_string_equal(s, "First paragraph with hard line breaks.\n"
			       "\n"
			       "Outcomes:\n"
			       "  LEAK   stayed above noise after\n"
			       "         quiesce\n"
			       "  CLEAN  neither\n"
			       "Exit codes: 0 fine, 2 usage error, 3\n"
			       "            runtime error.\n");
	free(s);
}

static void test_width(void **state)
{
	FILE *f = tmpfile();
	int w;

	(void)state;
	assert_non_null(f);
	unsetenv("COLUMNS");
	assert_int_equal(wrap_width(f), WRAP_DEFAULT); /* a file is not a terminal */
	setenv("COLUMNS", "132", 1);
	assert_int_equal(wrap_width(f), 132);
	setenv("COLUMNS", "10", 1);
	assert_int_equal(wrap_width(f), WRAP_MIN);
	setenv("COLUMNS", "wide", 1);
	assert_int_equal(wrap_width(f), WRAP_DEFAULT);
	unsetenv("COLUMNS");
	assert_int_equal(wrap_parse_width("72", &w), 0);
	assert_int_equal(w, 72);
	assert_int_not_equal(wrap_parse_width("", &w), 0);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_paragraphs),
		cmocka_unit_test(test_width),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
