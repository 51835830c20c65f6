/* Unit tests for src/cli/opt.c and the commands' option tables: parsing, ranges, help, docs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/engine_opts.h"
#include "common.h"
#include "engine/seq.h"
#include "engine/transport.h"

struct inner {
	double seconds;
	bool flag;
};

struct outer {
	unsigned count;
	int level;
	uint64_t big;
	double rate;
	const char *path;
	enum server_close mode;
	struct inner in;
};

#define O struct outer
#define I struct inner

static const struct opt inner_opts[] = {
	{ "seconds", 's', "DUR", OPT_SECONDS(I, seconds), .flags = OPT_ABOVE, .group = "Inner",
	  .help = "inner seconds" },
	{ "flag", OPT_ON(I, flag), .group = "Inner", .help = "inner flag" },
	{ "count", .arg = "N", .kind = OPT_INT, .parse = opt_refused, .flags = OPT_HIDDEN,
	  .help = "overridden: never reached" },
	{ 0 },
};

static const struct opt outer_opts[] = {
	{ "count", 'c', "N", OPT_UINT(O, count), .min = 1, .max = 10, .group = "Outer",
	  .help = "a count" },
	{ "level", .arg = "N", OPT_SINT(O, level), .min = -5, .max = 5, .group = "Outer",
	  .help = "a level" },
	{ "big", .arg = "N", OPT_U64(O, big), .flags = OPT_ABOVE, .group = "Outer",
	  .help = "a big one" },
	{ "rate", .arg = "P", OPT_REAL(O, rate), .max = 1, .flags = OPT_ABOVE, .group = "Outer",
	  .help = "a level below 1" },
	{ "path", 'p', "FILE", OPT_STR(O, path, OPT_FILE_OUT), .group = "Outer", .help = "a file" },
	{ "mode", .arg = "MODE", OPT_ENUM(O, mode, SERVER_CLOSE_CHOICES), .group = "Outer",
	  .help = "a mode" },
	{ "old", .kind = OPT_FLAG, .parse = opt_refused, .flags = OPT_HIDDEN,
	  .help = "gone; use --flag" },
	OPT_INCLUDE_AT(inner_opts, O, in),
	OPT_HELP_ROW,
	{ 0 },
};

static const struct command test_command = {
	.name = "test",
	.synopsis = "[OPTIONS] FILE",
	.about = "About it.\n",
	.opts = outer_opts,
	.epilogue = "Exit codes: none.\n",
};

static void test_values(void **state)
{
	struct outer o = { 0 };

	(void)state;
	assert_int_equal(opt_set(outer_opts, "count", "10", &o), 0);
	assert_int_equal(o.count, 10);
	assert_int_equal(opt_set(outer_opts, "count", "11", &o), -EINVAL);
	assert_int_equal(opt_set(outer_opts, "count", "0", &o), -EINVAL);
	assert_int_equal(opt_set(outer_opts, "count", "3x", &o), -EINVAL);
	assert_int_equal(o.count, 10);
	assert_int_equal(opt_set(outer_opts, "level", "-5", &o), 0);
	assert_int_equal(o.level, -5);
	assert_int_equal(opt_set(outer_opts, "level", "-6", &o), -EINVAL);
	assert_int_equal(opt_set(outer_opts, "big", "18446744073709551615", &o), 0);
	assert_true(o.big == UINT64_MAX);
	assert_int_equal(opt_set(outer_opts, "big", "0", &o), -EINVAL);
	assert_int_equal(opt_set(outer_opts, "rate", "0.05", &o), 0);
	assert_float_equal(o.rate, 0.05, 1e-12);
	/* A real's bound is exclusive at both ends here: above 0, below 1. */
	assert_int_equal(opt_set(outer_opts, "rate", "1", &o), -EINVAL);
	assert_int_equal(opt_set(outer_opts, "rate", "0", &o), -EINVAL);
	assert_int_equal(opt_set(outer_opts, "rate", "nan", &o), -EINVAL);
	assert_int_equal(opt_set(outer_opts, "mode", "never-read", &o), 0);
	assert_int_equal(o.mode, SC_NEVER_READ);
	assert_int_equal(opt_set(outer_opts, "mode", "never", &o), -EINVAL);
	assert_int_equal(opt_set(outer_opts, "path", "-", &o), 0);
	assert_string_equal(o.path, "-");
	assert_int_equal(opt_set(outer_opts, "old", NULL, &o), -EINVAL);
	assert_int_equal(opt_set(outer_opts, "nope", "1", &o), -ENOENT);
}

static void test_include(void **state)
{
	struct outer o = { 0 };
	struct opt_ref rows[OPT_MAX_ROWS];
	size_t n, i, off;

	(void)state;
	/* An included table fills the struct it describes, where it sits in the outer one. */
	assert_int_equal(opt_set(outer_opts, "seconds", "500ms", &o), 0);
	assert_float_equal(o.in.seconds, 0.5, 1e-12);
	assert_int_equal(opt_set(outer_opts, "seconds", "0", &o), -EINVAL);
	assert_int_equal(opt_set(outer_opts, "flag", NULL, &o), 0);
	assert_true(o.in.flag);
	/* The first row of a name wins: the inner --count is never reached. */
	assert_non_null(opt_find(outer_opts, "count", &off));
	assert_int_equal(off, offsetof(struct outer, count));
	n = opt_rows(outer_opts, rows, OPT_MAX_ROWS);
	assert_int_equal(n, 10);
	for (i = 0; i < n; i++)
		assert_string_not_equal(rows[i].o->help, "overridden: never reached");
}

static void test_parse(void **state)
{
	char *argv[] = { "test", "-c3",	   "FILE",   "--path", "x.json", "-s",
			 "2m",	 "--flag", "--mode", "rst",    "MORE",	 NULL };
	struct outer o = { 0 };
	int first = -1;

	(void)state;
	assert_int_equal(opt_parse(&test_command, 11, argv, &o, &first), 0);
	assert_int_equal(o.count, 3);
	assert_string_equal(o.path, "x.json");
	assert_float_equal(o.in.seconds, 120, 1e-9);
	assert_true(o.in.flag);
	assert_int_equal(o.mode, SC_RST);
	/* Operands end up after the options, in their order. */
	assert_int_equal(first, 9);
	assert_string_equal(argv[first], "FILE");
	assert_string_equal(argv[first + 1], "MORE");

	char *bad[] = { "test", "--count", "99", NULL };
	assert_int_equal(opt_parse(&test_command, 3, bad, &o, &first), -EINVAL);
	char *unknown[] = { "test", "--bogus", NULL };
	assert_int_equal(opt_parse(&test_command, 2, unknown, &o, &first), -EINVAL);
	char *missing[] = { "test", "--path", NULL };
	assert_int_equal(opt_parse(&test_command, 2, missing, &o, &first), -EINVAL);
	char *refused[] = { "test", "--old", NULL };
	assert_int_equal(opt_parse(&test_command, 2, refused, &o, &first), -EINVAL);
}

static char *help_of(const struct command *cmd)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	opt_print_help(f, cmd);
	fclose(f);
	return out;
}

static void test_help(void **state)
{
	char *h = help_of(&test_command);

	(void)state;
	assert_non_null(strstr(h, "Usage: sockleak test [OPTIONS] FILE\n\nAbout it.\n"));
	assert_non_null(strstr(h, "\nOuter:\n  -c, --count N"));
	assert_non_null(strstr(h, "\n      --level N"));
	assert_non_null(strstr(h, "\nInner:\n  -s, --seconds DUR"));
	/* Hidden rows are accepted but not listed; --help goes in the last group. */
	assert_null(strstr(h, "--old"));
	assert_null(strstr(h, "never reached"));
	assert_non_null(strstr(h, "inner flag\n  -h, --help"));
	assert_non_null(strstr(h, "\nExit codes: none.\n"));
	free(h);
}

/* Every command's table: what --help, man pages and completion are made from is complete. */
static void test_commands(void **state)
{
	const struct command *const *c;
	struct opt_ref rows[OPT_MAX_ROWS];
	size_t n, i, j;

	(void)state;
	for (c = commands; *c; c++) {
		char *h = help_of(*c), flag[64];

		assert_non_null((*c)->fn);
		assert_non_null((*c)->summary);
		assert_non_null((*c)->synopsis);
		n = opt_rows((*c)->opts, rows, OPT_MAX_ROWS);
		assert_true(n > 1 && n < OPT_MAX_ROWS);
		assert_non_null(opt_find((*c)->opts, "help", NULL));
		for (i = 0; i < n; i++) {
			const struct opt *o = rows[i].o;

			assert_non_null(o->parse);
			assert_non_null(o->help);
			assert_true(o->kind > OPT_END && o->kind < OPT_INCLUDE);
			/* A flag takes no value; everything else names its value. */
			assert_int_equal(o->kind == OPT_FLAG, o->arg == NULL);
			if (o->kind == OPT_CHOICE)
				assert_non_null(o->choices);
			for (j = 0; j < i; j++)
				assert_true(!o->key || o->key != rows[j].o->key);
			snprintf(flag, sizeof(flag), "--%s%s%s", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
			if (o->flags & OPT_HIDDEN) {
				snprintf(flag, sizeof(flag), "--%s ", o->name);
				assert_null(strstr(h, flag));
			} else {
				assert_non_null(strstr(h, flag));
			}
		}
		free(h);
	}
}

/* Choice words are the enums' names, in enum order: the parser stores the index. */
static void test_choices(void **state)
{
	const char *why;
	char words[] = SEQ_PRESET_NAMES, *w, *save = NULL;
	unsigned i, n = 0;

	(void)state;
	for (i = 0; i < TR_COUNT; i++)
		assert_int_equal(
			opt_choice_index(TRANSPORT_CHOICES, transport_name((enum transport_kind)i)),
			(int)i);
	for (i = SC_EOF; i <= SC_RST; i++)
		assert_int_equal(opt_choice_index(SERVER_CLOSE_CHOICES,
						  server_close_name((enum server_close)i)),
				 (int)i);
	assert_int_equal(opt_choice_index(SERVER_CLOSE_CHOICES, "never"), -1);
	for (w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save), n++)
		assert_true(seq_preset(w, TR_TCP, &why) || seq_preset(w, TR_UDP, &why) ||
			    seq_preset(w, TR_UNIX, &why));
	assert_int_equal(n, seq_preset_count());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),	 cmocka_unit_test(test_include),
		cmocka_unit_test(test_parse),	 cmocka_unit_test(test_help),
		cmocka_unit_test(test_commands), cmocka_unit_test(test_choices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
