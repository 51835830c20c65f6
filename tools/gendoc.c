/*
 * gendoc: what the man pages and the shell completion say of commands and options, written
 * from the same tables the program parses its command line with (src/cli), and the engine's
 * own tables of presets, transports, ops and socket options.
 *
 *   gendoc man doc/sockleak-run.1.scd   the scdoc source with its @NAME@, @SYNOPSIS@,
 *                                       @OPTIONS@, @COMMANDS@, @OPS@, @PRESETS@,
 *                                       @TRANSPORTS@ and @SOCKOPTS@ lines filled in
 *   gendoc completion doc/completion.bash   the bash completion with its @WORDS@ line filled in
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "config.h"
#include "engine/seq.h"
#include "engine/transport.h"

static const struct command *find(const char *name)
{
	const struct command *const *c;

	for (c = commands; *c; c++)
		if (!strcmp((*c)->name, name))
			return *c;
	return NULL;
}

/* Text as scdoc reads it literally: its markup characters escaped. */
static void scd(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '*' || *s == '_' || *s == '`')
			fputc('\\', f);
		fputc(*s, f);
	}
}

static void man_name(FILE *f, const struct command *c)
{
	if (c) {
		fprintf(f, "sockleak-%s - ", c->name);
		scd(f, c->summary);
	} else {
		fprintf(f, "sockleak - kernel-memory leak hunter for socket call sequences");
	}
	fputc('\n', f);
}

static void man_synopsis(FILE *f, const struct command *c)
{
	fprintf(f, "*sockleak %s* ", c->name);
	scd(f, c->synopsis);
	fputc('\n', f);
}

/* What the value of an option of this kind may also be, said once per option. */
static const char *kind_note(enum opt_kind k)
{
	switch (k) {
	case OPT_FILE_OUT:
		return "\"-\" is standard output; the file is written whole or not at all.";
	case OPT_FILE_IN:
		return "\"-\" is standard input.";
	default:
		return NULL;
	}
}

static void man_option(FILE *f, const struct opt *o)
{
	const char *note = kind_note(o->kind);

	if (o->key)
		fprintf(f, "*-%c*, ", o->key);
	fprintf(f, "*--%s*", o->name);
	if (o->arg) {
		fputs(" _", f);
		scd(f, o->arg);
		fputc('_', f);
	}
	fputs("\n\t", f);
	scd(f, o->help ? o->help : "");
	if (o->flags & OPT_REPEAT)
		fputs(" May be given more than once.", f);
	if (note) {
		fputc(' ', f);
		scd(f, note);
	}
	fputs("\n\n", f);
}

/* The options by group, in the order --help lists them; hidden rows are left out. */
static void man_options(FILE *f, const struct command *c)
{
	struct opt_ref rows[OPT_MAX_ROWS];
	size_t n = opt_rows(c->opts, rows, OPT_MAX_ROWS), i, j;
	bool done[OPT_MAX_ROWS] = { false };
	const char *last = "Options", *gi, *gj;

	for (i = 0; i < n; i++)
		if (!(rows[i].o->flags & OPT_HIDDEN) && rows[i].o->group)
			last = rows[i].o->group;
	for (i = 0; i < n; i++) {
		if (done[i] || rows[i].o->flags & OPT_HIDDEN)
			continue;
		gi = rows[i].o->group ? rows[i].o->group : last;
		fputs("## ", f);
		scd(f, gi);
		fputs("\n\n", f);
		for (j = i; j < n; j++) {
			gj = rows[j].o->group ? rows[j].o->group : last;
			if (done[j] || rows[j].o->flags & OPT_HIDDEN || strcmp(gi, gj))
				continue;
			man_option(f, rows[j].o);
			done[j] = true;
		}
	}
}

static void man_commands(FILE *f)
{
	const struct command *const *c;

	for (c = commands; *c; c++) {
		fprintf(f, "*sockleak %s*\n\t", (*c)->name);
		scd(f, (*c)->summary);
		fprintf(f, "; see *sockleak-%s*(1).\n\n", (*c)->name);
	}
}

/* The ops of the sequence language and the flags after a size, from the engine's tables. */
static void man_ops(FILE *f)
{
	const char *name, *what;
	char ops[256];
	unsigned k;

	for (k = 0; k < OP_KINDS; k++) {
		fputc('*', f);
		scd(f, seq_op_syntax((enum seq_opk)k));
		fputs("*\n\t", f);
		scd(f, seq_op_what((enum seq_opk)k));
		fputs(".\n\n", f);
	}
	fputs("After the size, *send*, *sendto*, *sendmsg* and *recv* take flags, each written "
	      "*:*_FLAG_:\n\n",
	      f);
	for (k = 0; k < seq_flag_count(); k++) {
		seq_flag_doc(k, &name, &what, ops, sizeof(ops));
		fputc('*', f);
		scd(f, name);
		fputs("* (", f);
		scd(f, ops);
		fputs(")\n\t", f);
		scd(f, what);
		fputs(".\n\n", f);
	}
}

/* The presets, as --list-presets prints them. */
static void man_presets(FILE *f)
{
	fputs("```\n", f);
	fflush(f);
	seq_list_presets(f);
	fputs("```\n", f);
}

static void man_transports(FILE *f)
{
	unsigned k;

	for (k = 0; k < TR_COUNT; k++) {
		const struct transport *t = transport_get((enum transport_kind)k);

		fprintf(f, "*%s*\n\t", transport_name((enum transport_kind)k));
		scd(f, t->desc ? t->desc : "");
		fputs("\n\n", f);
	}
}

/* The socket-option catalogue, one entry each (--list-options prints it as one wide table). */
static void man_sockopts(FILE *f)
{
	struct seq_option_doc d;
	unsigned i;

	for (i = 0; i < seq_option_count(); i++) {
		seq_option_doc(i, &d);
		fputc('*', f);
		scd(f, d.name);
		fputs("=*_", f);
		scd(f, d.value);
		fputs("_ (", f);
		scd(f, d.level);
		fputs(", e.g. ", f);
		scd(f, d.example);
		fputs(")\n\t", f);
		scd(f, d.what);
		fputs(". Transports: ", f);
		scd(f, d.transports);
		fputs(".\n\n", f);
	}
}

/* "doc/sockleak-run.1.scd" -> the command "run"; "doc/sockleak.1.scd" -> NULL. */
static int page_command(const char *path, const struct command **c)
{
	const char *base = strrchr(path, '/');
	char name[64];
	size_t n;

	base = base ? base + 1 : path;
	*c = NULL;
	if (strncmp(base, "sockleak", 8))
		return -EINVAL;
	if (base[8] != '-')
		return 0;
	n = strcspn(base + 9, ".");
	if (n >= sizeof(name))
		return -EINVAL;
	memcpy(name, base + 9, n);
	name[n] = '\0';
	*c = find(name);
	return *c ? 0 : -ENOENT;
}

static int man(const char *path)
{
	const struct command *c;
	char line[4096];
	FILE *in;
	int err = page_command(path, &c);

	if (err) {
		fprintf(stderr, "gendoc: %s: not a page of a command (sockleak[-CMD].1.scd)\n",
			path);
		return 1;
	}
	in = fopen(path, "r");
	if (!in) {
		fprintf(stderr, "gendoc: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), in)) {
		if (!strcmp(line, "@NAME@\n"))
			man_name(stdout, c);
		else if (!strcmp(line, "@SYNOPSIS@\n") && c)
			man_synopsis(stdout, c);
		else if (!strcmp(line, "@OPTIONS@\n") && c)
			man_options(stdout, c);
		else if (!strcmp(line, "@COMMANDS@\n"))
			man_commands(stdout);
		else if (!strcmp(line, "@OPS@\n"))
			man_ops(stdout);
		else if (!strcmp(line, "@PRESETS@\n"))
			man_presets(stdout);
		else if (!strcmp(line, "@TRANSPORTS@\n"))
			man_transports(stdout);
		else if (!strcmp(line, "@SOCKOPTS@\n"))
			man_sockopts(stdout);
		else if (line[0] == '@' && strchr(line + 1, '@')) {
			fprintf(stderr, "gendoc: %s: unknown placeholder %s", path, line);
			fclose(in);
			return 1;
		} else
			fputs(line, stdout);
	}
	fclose(in);
	return ferror(stdout) ? 1 : 0;
}

/* ---- bash completion ---- */

static void words(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == '\'' ? ' ' : *s, f);
}

/* What completes an option's value: a word the completion's logic reads, then its words. */
static void completion_value(FILE *f, const struct opt *o)
{
	switch (o->kind) {
	case OPT_FLAG:
		fputs("flag", f);
		break;
	case OPT_CHOICE:
		fputs("words ", f);
		words(f, o->choices);
		break;
	case OPT_LIST:
		fputs("list ", f);
		words(f, o->choices ? o->choices : "");
		break;
	case OPT_SOCKOPTS:
		fputs("sockopts", f);
		break;
	case OPT_SEQUENCE:
		fputs("sequence", f);
		break;
	case OPT_FILE_IN:
	case OPT_FILE_OUT:
	case OPT_PATH:
		fputs("file", f);
		break;
	case OPT_DIR_OUT:
	case OPT_CGROUP:
		fputs("dir", f);
		break;
	case OPT_PID:
		fputs("pid", f);
		break;
	case OPT_NETNS:
		fputs("netns", f);
		break;
	default:
		fputs("text", f);
		break;
	}
}

static void completion_words(FILE *f)
{
	const struct command *const *c;
	struct opt_ref rows[OPT_MAX_ROWS];
	size_t n, i;
	unsigned k;

	fputs("_sockleak_commands='", f);
	for (c = commands; *c; c++)
		fprintf(f, "%s ", (*c)->name);
	fputs("help'\n", f);

	fputs("_sockleak_presets='", f);
	for (k = 0; k < seq_preset_count(); k++)
		fprintf(f, "%s%s", k ? " " : "", seq_preset_name(k));
	fputs("'\n_sockleak_ops='", f);
	for (k = 0; k < OP_KINDS; k++) {
		const char *syn = seq_op_syntax((enum seq_opk)k);
		const char *colon = strchr(syn, ':');

		/* An op with a value ends in ':'; one whose value may be left out stands alone. */
		fprintf(f, "%s%s%s", k ? " " : "", seq_op_name((enum seq_opk)k),
			colon && colon[-1] != '[' ? ":" : "");
	}
	fputs("'\n_sockleak_sockopts='", f);
	for (k = 0; k < seq_option_count(); k++)
		fprintf(f, "%s%s", k ? " " : "", seq_option_name(k));
	fputs("'\n\n", f);

	fputs("# _sockleak_options CMD: its options.\n_sockleak_options()\n{\n\tcase $1 in\n", f);
	for (c = commands; *c; c++) {
		n = opt_rows((*c)->opts, rows, OPT_MAX_ROWS);
		fprintf(f, "\t%s) echo '", (*c)->name);
		for (i = 0; i < n; i++)
			if (!(rows[i].o->flags & OPT_HIDDEN))
				fprintf(f, "%s--%s", i ? " " : "", rows[i].o->name);
		fputs("' ;;\n", f);
	}
	fputs("\tesac\n}\n\n", f);

	fputs("# _sockleak_value CMD OPTION: what its value is (flag, words W..., list W..., "
	      "sockopts,\n# sequence, file, dir, pid, netns, text); -k is its long name's.\n"
	      "_sockleak_value()\n{\n\tcase \"$1 $2\" in\n",
	      f);
	for (c = commands; *c; c++) {
		n = opt_rows((*c)->opts, rows, OPT_MAX_ROWS);
		for (i = 0; i < n; i++) {
			const struct opt *o = rows[i].o;

			if (o->key)
				fprintf(f, "\t\"%s --%s\" | \"%s -%c\") echo '", (*c)->name,
					o->name, (*c)->name, o->key);
			else
				fprintf(f, "\t\"%s --%s\") echo '", (*c)->name, o->name);
			completion_value(f, o);
			fputs("' ;;\n", f);
		}
	}
	fputs("\t*) echo unknown ;;\n\tesac\n}\n\n", f);

	fputs("# _sockleak_operand CMD: what its operands are (file, command, or none).\n"
	      "_sockleak_operand()\n{\n\tcase $1 in\n",
	      f);
	for (c = commands; *c; c++)
		fprintf(f, "\t%s) echo %s ;;\n", (*c)->name,
			(*c)->operand == OPT_FILE_IN ? "file" :
			(*c)->operand == OPT_COMMAND ? "command" :
						       "none");
	fputs("\t*) echo none ;;\n\tesac\n}\n", f);
}

static int completion(const char *path)
{
	char line[4096];
	FILE *in = fopen(path, "r");

	if (!in) {
		fprintf(stderr, "gendoc: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), in)) {
		if (!strcmp(line, "@WORDS@\n"))
			completion_words(stdout);
		else
			fputs(line, stdout);
	}
	fclose(in);
	return ferror(stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "man"))
		return man(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "completion"))
		return completion(argv[2]);
	fprintf(stderr, "usage: gendoc man PAGE.scd | gendoc completion TEMPLATE.bash\n");
	return 2;
}
