/* Command-line options as table rows: one row per option gives getopt's table, --help and docs. */
#ifndef SOCKLEAK_OPT_H
#define SOCKLEAK_OPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common.h"

/*
 * What an option's value is: how it is parsed, and what --help, man pages and shell completion
 * say and offer for it.
 */
enum opt_kind {
	OPT_END, /* ends a table: { 0 } */
	OPT_FLAG, /* no value */
	OPT_INT, /* a whole number in [min, max] */
	OPT_NUMBER, /* a real number */
	OPT_DURATION, /* seconds: 10, 2.5, 500ms, 1m, 2h */
	OPT_CHOICE, /* one word of choices */
	OPT_LIST, /* comma-separated words of choices */
	OPT_TEXT, /* free text */
	OPT_SEQUENCE, /* a sequence text, or a preset: choices */
	OPT_ADDR, /* HOST:PORT, [V6]:PORT, /path or @abstract */
	OPT_SYSCTL, /* net.KEY=VALUE */
	OPT_FILE_IN, /* a file to read ("-": standard input) */
	OPT_PATH, /* a file or directory read by name (never standard input) */
	OPT_FILE_OUT, /* a file to write ("-": standard output) */
	OPT_DIR_OUT, /* a directory to write into */
	OPT_PID, /* a process id */
	OPT_NETNS, /* a network namespace: a name under /run/netns, or a path */
	OPT_CGROUP, /* a cgroup directory */
	OPT_SOCKOPTS, /* comma-separated socket options of the catalogue: NAME[=VALUE] */
	OPT_COMMAND, /* operands: a sockleak command and its arguments (the options end at it) */
	OPT_INCLUDE, /* not an option: another table's rows, at off in this table's struct */
};

#define OPT_HIDDEN 1u /* accepted, but not in --help or completion: aliases, refusals */
#define OPT_ABOVE 2u /* a number must be above min, not only at least min */
#define OPT_REPEAT 4u /* may be given more than once: each adds */

#define OPT_EXIT 1 /* a parser printed what was asked (--help, a list): the command exits 0 */

struct opt;
struct command;

/* What a row's parser is handed. */
struct opt_call {
	const char *cmd; /* the command's name, for messages; NULL: none */
	const struct command *command; /* --help prints its help; may be NULL */
	const struct opt *o; /* the row */
	void *obj; /* the struct the row's table describes */
	void *field; /* obj + o->off */
};

/* 0; OPT_EXIT; or -EINVAL after saying what is wrong and what to give (opt_bad). */
typedef int opt_parse_fn(const struct opt_call *c, const char *arg);

/*
 * One option. Tables are arrays of rows ending with { 0 }; a row of kind OPT_INCLUDE brings in
 * another table, whose struct sits at off in this one's. The first row of a name wins, so a
 * command can give a shared option its own meaning or words by listing it before the include.
 */
struct opt {
	const char *name; /* --name */
	char key; /* -k; 0: none */
	const char *arg; /* the value's name in --help: "N", "DUR"; NULL for a flag */
	enum opt_kind kind;
	opt_parse_fn *parse;
	size_t off; /* the field the parser fills (OPT_AT checks its type) */
	double min, max; /* numbers and durations; max 0: no upper bound */
	const char *choices; /* blank-separated words: OPT_CHOICE's in enum order; OPT_LIST's */
	const char *group; /* the --help section it is listed under; NULL: the last one */
	const char *help; /* one paragraph, wrapped when printed; a refusal's reason (HIDDEN) */
	unsigned flags;
	const struct opt *include; /* OPT_INCLUDE */
};

/* A command: what `sockleak --help`, its own --help, man pages and completion say of it. */
struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary; /* one line */
	const char *synopsis; /* after "sockleak NAME": "[OPTIONS]", "A.json B.json [OPTIONS]" */
	enum opt_kind operand; /* what its operands are (OPT_FILE_IN); OPT_END: it takes none */
	const char *about; /* what it does: paragraphs, printed as written */
	const struct opt *opts;
	const char *epilogue; /* after the options (signals, exit codes): printed as written */
};

/* The offset of field f of struct st, which must be of the given type (checked when compiled). */
#define OPT_AT(st, f, type)                                                                   \
	(offsetof(st, f) +                                                                    \
	 0 * sizeof(struct {                                                                  \
		 _Static_assert(__builtin_types_compatible_p(__typeof__(((st *)0)->f), type), \
				#st "." #f " is not " #type);                                 \
		 char c;                                                                      \
	 }))
/* The same for an enum field, stored as an int. */
#define OPT_AT_ENUM(st, f)                                                             \
	(offsetof(st, f) + 0 * sizeof(struct {                                         \
				   _Static_assert(sizeof(((st *)0)->f) == sizeof(int), \
						  #st "." #f " is not an enum");       \
				   char c;                                             \
			   }))

/* Generic parsers, each for the field type its row macro checks. */
opt_parse_fn opt_on, opt_off, opt_uint, opt_int, opt_u64, opt_real, opt_seconds, opt_str, opt_enum,
	opt_help, opt_refused;

/* Row parts: the parser, the field and the kind, for the common field types. */
#define OPT_ON(st, f) .kind = OPT_FLAG, .parse = opt_on, .off = OPT_AT(st, f, bool)
#define OPT_OFF(st, f) .kind = OPT_FLAG, .parse = opt_off, .off = OPT_AT(st, f, bool)
#define OPT_UINT(st, f) .kind = OPT_INT, .parse = opt_uint, .off = OPT_AT(st, f, unsigned)
#define OPT_SINT(st, f) .kind = OPT_INT, .parse = opt_int, .off = OPT_AT(st, f, int)
#define OPT_U64(st, f) .kind = OPT_INT, .parse = opt_u64, .off = OPT_AT(st, f, uint64_t)
#define OPT_REAL(st, f) .kind = OPT_NUMBER, .parse = opt_real, .off = OPT_AT(st, f, double)
#define OPT_SECONDS(st, f) .kind = OPT_DURATION, .parse = opt_seconds, .off = OPT_AT(st, f, double)
#define OPT_STR(st, f, k) .kind = (k), .parse = opt_str, .off = OPT_AT(st, f, const char *)
#define OPT_ENUM(st, f, words) \
	.kind = OPT_CHOICE, .parse = opt_enum, .off = OPT_AT_ENUM(st, f), .choices = (words)
/* Brings in another table on the same struct. */
#define OPT_INCLUDE(table)                              \
	{                                               \
		.kind = OPT_INCLUDE, .include = (table) \
	}
/* Brings in another table whose struct is field f of st. */
#define OPT_INCLUDE_AT(table, st, f)                                            \
	{                                                                       \
		.kind = OPT_INCLUDE, .include = (table), .off = offsetof(st, f) \
	}
/* -h, --help: every command has it. */
#define OPT_HELP_ROW                                                             \
	{                                                                        \
		.name = "help", .key = 'h', .kind = OPT_FLAG, .parse = opt_help, \
		.help = "this help"                                              \
	}

/* A row as a table with its includes shows it: the row, and where its struct sits. */
struct opt_ref {
	const struct opt *o;
	size_t off;
};

#define OPT_MAX_ROWS 128

/*
 * The rows of a table and its includes, in order, each name once (the first wins): what the
 * parser accepts and --help lists (but HIDDEN ones). Returns the count, at most cap.
 */
size_t opt_rows(const struct opt *table, struct opt_ref *out, size_t cap);
/* The row named name in a table and its includes, or NULL. */
const struct opt *opt_find(const struct opt *table, const char *name, size_t *off);
/*
 * The row a long option of the command line names, as getopt_long reads it: the whole name, else
 * the one row it abbreviates; NULL when none or ambiguous. key != 0: the row of short option -key.
 */
const struct opt *opt_match(const struct opt *table, const char *name, char key);

/*
 * Parses argv's options into obj by the command's table (getopt_long: operands may come anywhere
 * and end up from *first on). 0; OPT_EXIT (--help or a list was printed: exit 0); or -EINVAL
 * after a message that names the option and what to give (exit 2).
 */
int opt_parse(const struct command *cmd, int argc, char **argv, void *obj, int *first);
/* Sets one option by name, as if given on the command line; -ENOENT when the table has none. */
int opt_set(const struct opt *table, const char *name, const char *arg, void *obj);

/* "sockleak: CMD: --NAME 'ARG': what" (printf-style); returns -EINVAL. */
int opt_bad(const struct opt_call *c, const char *arg, const char *fmt, ...) SL_PRINTF(3, 4);

/*
 * The command's --help: usage, about, the options by group, epilogue, and where its manual page
 * is; wrapped at the width of f (report/wrap.h).
 */
void opt_print_help(FILE *f, const struct command *cmd);
/* The options of a table alone, by group, as --help lists them, wrapped at width. */
void opt_print_rows(FILE *f, const struct opt *table, int width);
/* Index of word in a blank-separated list, or -1. */
int opt_choice_index(const char *choices, const char *word);

#endif
