/* Command-line options as table rows: getopt's table, the parsers of common values, --help. */
#include "cli/opt.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "report/out.h"
#include "report/wrap.h"

#define HELP_COL 28 /* where an option's help starts */
#define LONG_VAL 0x100 /* getopt_long's val of row i: LONG_VAL + i, apart from short keys */

static void collect(const struct opt *t, size_t base, struct opt_ref *out, size_t cap, size_t *n)
{
	size_t i;

	for (; t->kind != OPT_END; t++) {
		if (t->kind == OPT_INCLUDE) {
			collect(t->include, base + t->off, out, cap, n);
			continue;
		}
		for (i = 0; i < *n && strcmp(out[i].o->name, t->name); i++)
			;
		if (i < *n || *n == cap)
			continue;
		out[*n].o = t;
		out[*n].off = base + t->off;
		(*n)++;
	}
}

size_t opt_rows(const struct opt *table, struct opt_ref *out, size_t cap)
{
	size_t n = 0;

	collect(table, 0, out, cap, &n);
	return n;
}

const struct opt *opt_find(const struct opt *table, const char *name, size_t *off)
{
	struct opt_ref rows[OPT_MAX_ROWS];
	size_t i, n = opt_rows(table, rows, OPT_MAX_ROWS);

	for (i = 0; i < n; i++) {
		if (!strcmp(rows[i].o->name, name)) {
			if (off)
				*off = rows[i].off;
			return rows[i].o;
		}
	}
	return NULL;
}

const struct opt *opt_match(const struct opt *table, const char *name, char key)
{
	struct opt_ref rows[OPT_MAX_ROWS];
	size_t n = opt_rows(table, rows, OPT_MAX_ROWS), i, len = name ? strlen(name) : 0;
	const struct opt *o = NULL;
	unsigned prefixes = 0;

	for (i = 0; i < n; i++) {
		if (key) {
			if (rows[i].o->key == key)
				return rows[i].o;
		} else if (!strcmp(rows[i].o->name, name)) {
			return rows[i].o;
		} else if (!strncmp(rows[i].o->name, name, len) && !prefixes++) {
			o = rows[i].o;
		}
	}
	return key || prefixes > 1 ? NULL : o;
}

int opt_bad(const struct opt_call *c, const char *arg, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	/* sl_err names the command: "sockleak: run: --threads '0': ..." */
	if (arg)
		sl_err("--%s '%s': %s", c->o->name, arg, what);
	else
		sl_err("--%s: %s", c->o->name, what);
	return -EINVAL;
}

int opt_choice_index(const char *choices, const char *word)
{
	size_t n = strlen(word);
	const char *p = choices;
	int i = 0;

	if (!choices || !n)
		return -1;
	while (*p) {
		size_t k = strcspn(p, " ");

		if (k == n && !strncmp(p, word, n))
			return i;
		p += k;
		p += strspn(p, " ");
		i++;
	}
	return -1;
}

/* ---- generic parsers ---- */

int opt_on(const struct opt_call *c, const char *arg)
{
	(void)arg;
	*(bool *)c->field = true;
	return 0;
}

int opt_off(const struct opt_call *c, const char *arg)
{
	(void)arg;
	*(bool *)c->field = false;
	return 0;
}

/* Whether v is in the row's range; what says the range otherwise. */
static bool in_range(const struct opt *o, double v)
{
	if (o->flags & OPT_ABOVE ? v <= o->min : v < o->min)
		return false;
	return !(o->max > 0 && v > o->max);
}

static int bad_count(const struct opt_call *c, const char *arg)
{
	const struct opt *o = c->o;

	if (o->max > 0)
		return opt_bad(c, arg, "expected a whole number from %.0f to %.0f", o->min, o->max);
	return opt_bad(c, arg, "expected a whole number %s %.0f",
		       o->flags & OPT_ABOVE ? "above" : "of at least", o->min);
}

static int whole(const struct opt_call *c, const char *arg, long *v)
{
	if (sl_parse_int(arg, (long)-1e18, (long)1e18, v) || !in_range(c->o, (double)*v))
		return bad_count(c, arg);
	return 0;
}

int opt_uint(const struct opt_call *c, const char *arg)
{
	long v;

	if (whole(c, arg, &v))
		return -EINVAL;
	*(unsigned *)c->field = (unsigned)v;
	return 0;
}

int opt_int(const struct opt_call *c, const char *arg)
{
	long v;

	if (whole(c, arg, &v))
		return -EINVAL;
	*(int *)c->field = (int)v;
	return 0;
}

int opt_u64(const struct opt_call *c, const char *arg)
{
	uint64_t v;

	if (sl_parse_u64(arg, &v) || !in_range(c->o, (double)v))
		return bad_count(c, arg);
	*(uint64_t *)c->field = v;
	return 0;
}

int opt_real(const struct opt_call *c, const char *arg)
{
	const struct opt *o = c->o;
	double v;

	/* A real's upper bound is not itself in range: a level below 1, say. */
	if (sl_parse_double(arg, &v) || !isfinite(v) || !in_range(o, v) ||
	    (o->max > 0 && v >= o->max)) {
		if (o->max > 0)
			return opt_bad(c, arg, "expected a number %s %g and below %g",
				       o->flags & OPT_ABOVE ? "above" : "from", o->min, o->max);
		return opt_bad(c, arg, "expected a number %s %g",
			       o->flags & OPT_ABOVE ? "above" : "of at least", o->min);
	}
	*(double *)c->field = v;
	return 0;
}

/* "500ms", "3s", "2m", "1h": a duration as --help and messages write it. */
static const char *dur(char *buf, size_t size, double s)
{
	if (s > 0 && s < 1)
		snprintf(buf, size, "%gms", s * 1000);
	else if (s >= 3600 && fmod(s, 3600) == 0)
		snprintf(buf, size, "%gh", s / 3600);
	else if (s >= 60 && fmod(s, 60) == 0)
		snprintf(buf, size, "%gm", s / 60);
	else
		snprintf(buf, size, "%gs", s);
	return buf;
}

int opt_seconds(const struct opt_call *c, const char *arg)
{
	const struct opt *o = c->o;
	/* Every duration is bounded: a run of 1e99 s would never end, and sums would overflow. */
	double max = o->max > 0 ? o->max : SL_MAX_SECONDS;
	char lo[32], hi[32];
	double v;

	if (sl_parse_duration(arg, &v) || !isfinite(v) || !in_range(o, v) || v > max) {
		dur(lo, sizeof(lo), o->min);
		dur(hi, sizeof(hi), max);
		if (o->flags & OPT_ABOVE)
			return opt_bad(c, arg,
				       "expected a duration above %s and at most %s, such as 10, "
				       "2.5, 500ms, 1m",
				       lo, hi);
		return opt_bad(c, arg, "expected a duration from %s to %s, such as 500ms, 3s, 2m",
			       lo, hi);
	}
	*(double *)c->field = v;
	return 0;
}

int opt_str(const struct opt_call *c, const char *arg)
{
	*(const char **)c->field = arg;
	return 0;
}

int opt_enum(const struct opt_call *c, const char *arg)
{
	int i = opt_choice_index(c->o->choices, arg);

	if (i < 0)
		return opt_bad(c, arg, "choose one of: %s", c->o->choices);
	*(int *)c->field = i;
	return 0;
}

int opt_help(const struct opt_call *c, const char *arg)
{
	(void)arg;
	if (c->command)
		opt_print_help(stdout, c->command);
	return OPT_EXIT;
}

int opt_refused(const struct opt_call *c, const char *arg)
{
	(void)arg;
	return opt_bad(c, NULL, "%s", c->o->help);
}

/* ---- parsing ---- */

static int call(const char *cmd, const struct command *command, const struct opt_ref *r, void *obj,
		const char *arg)
{
	const struct opt_call c = {
		.cmd = cmd,
		.command = command,
		.o = r->o,
		.obj = (char *)obj + r->off - r->o->off,
		.field = (char *)obj + r->off,
	};

	return r->o->parse(&c, arg);
}

int opt_set(const struct opt *table, const char *name, const char *arg, void *obj)
{
	struct opt_ref r;

	r.o = opt_find(table, name, &r.off);
	if (!r.o)
		return -ENOENT;
	return call(NULL, NULL, &r, obj, arg);
}

/*
 * Every output a command was given is checked before it does any work (out_check): a run must not
 * fail at its end on a path that could never be written, nor open a FIFO or a device there.
 */
static int check_outputs(const struct opt_ref *rows, size_t n, void *obj)
{
	char name[64];
	size_t i;

	for (i = 0; i < n; i++) {
		const struct opt *o = rows[i].o;
		const char *path;

		if (o->kind != OPT_FILE_OUT && o->kind != OPT_DIR_OUT)
			continue;
		path = *(const char **)((char *)obj + rows[i].off);
		if (!path)
			continue;
		snprintf(name, sizeof(name), "--%s", o->name);
		if (o->kind == OPT_FILE_OUT ? out_check(name, path) : out_check_dir(name, path))
			return -EINVAL;
	}
	return 0;
}

int opt_parse(const struct command *cmd, int argc, char **argv, void *obj, int *first)
{
	struct opt_ref rows[OPT_MAX_ROWS];
	struct option lopts[OPT_MAX_ROWS + 1];
	char shorts[2 * OPT_MAX_ROWS + 3];
	size_t n = opt_rows(cmd->opts, rows, OPT_MAX_ROWS), i, k = 0;
	int c, r;

	memset(lopts, 0, sizeof(lopts));
	/* A command's own command line after its options is left alone (sockleak vm -- run ...). */
	if (cmd->operand == OPT_COMMAND)
		shorts[k++] = '+';
	shorts[k++] = ':'; /* first: a missing value is told from an unknown option */
	for (i = 0; i < n; i++) {
		const struct opt *o = rows[i].o;

		lopts[i].name = o->name;
		lopts[i].has_arg = o->arg ? required_argument : no_argument;
		lopts[i].val = LONG_VAL + (int)i;
		if (o->key) {
			shorts[k++] = o->key;
			if (o->arg)
				shorts[k++] = ':';
		}
	}
	shorts[k] = '\0';
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, shorts, lopts, NULL)) != -1) {
		const struct opt_ref *ref = NULL;

		if (c >= LONG_VAL && c < LONG_VAL + (int)n)
			ref = &rows[c - LONG_VAL];
		for (i = 0; !ref && c != '?' && c != ':' && i < n; i++)
			if (rows[i].o->key == c)
				ref = &rows[i];
		if (!ref) {
			if (c == ':')
				sl_err("%s needs a value", argv[optind - 1]);
			else
				sl_err("unknown option or missing value: '%s'", argv[optind - 1]);
			return -EINVAL;
		}
		r = call(cmd->name, cmd, ref, obj, optarg);
		if (r)
			return r == OPT_EXIT ? OPT_EXIT : -EINVAL;
	}
	if (first)
		*first = optind;
	return check_outputs(rows, n, obj) ? -EINVAL : 0;
}

/* ---- help ---- */

static void print_row(FILE *f, const struct opt *o, bool keys, int width)
{
	char flag[96];
	int n;

	if (o->key)
		n = snprintf(flag, sizeof(flag), "  -%c, --%s%s%s", o->key, o->name,
			     o->arg ? " " : "", o->arg ? o->arg : "");
	else
		n = snprintf(flag, sizeof(flag), "  %s--%s%s%s", keys ? "    " : "", o->name,
			     o->arg ? " " : "", o->arg ? o->arg : "");
	if (n > HELP_COL - 2)
		fprintf(f, "%s\n%*s", flag, HELP_COL, "");
	else
		fprintf(f, "%-*s", HELP_COL, flag);
	wrap_text(f, o->help ? o->help : "", HELP_COL, HELP_COL, width);
}

static void print_rows(FILE *f, const struct opt_ref *rows, size_t n, int width)
{
	bool keys = false, done[OPT_MAX_ROWS] = { false };
	const char *last = "Options", *gi, *gj;
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (rows[i].o->flags & OPT_HIDDEN)
			continue;
		keys |= rows[i].o->key != 0;
		if (rows[i].o->group)
			last = rows[i].o->group;
	}
	/* Groups in the order they first appear, each with its rows in table order. */
	for (i = 0; i < n; i++) {
		if (done[i] || rows[i].o->flags & OPT_HIDDEN)
			continue;
		gi = rows[i].o->group ? rows[i].o->group : last;
		fprintf(f, "\n%s:\n", gi);
		for (j = i; j < n; j++) {
			gj = rows[j].o->group ? rows[j].o->group : last;
			if (done[j] || rows[j].o->flags & OPT_HIDDEN || strcmp(gi, gj))
				continue;
			print_row(f, rows[j].o, keys, width);
			done[j] = true;
		}
	}
}

void opt_print_rows(FILE *f, const struct opt *table, int width)
{
	struct opt_ref rows[OPT_MAX_ROWS];

	print_rows(f, rows, opt_rows(table, rows, OPT_MAX_ROWS), width);
}

void opt_print_help(FILE *f, const struct command *cmd)
{
	int width = wrap_width(f);

	fprintf(f, "Usage: sockleak %s %s\n", cmd->name, cmd->synopsis);
	if (cmd->about) {
		fputc('\n', f);
		wrap_paragraphs(f, cmd->about, width);
	}
	if (cmd->opts)
		opt_print_rows(f, cmd->opts, width);
	if (cmd->epilogue) {
		fputc('\n', f);
		wrap_paragraphs(f, cmd->epilogue, width);
	}
	fprintf(f, "\nThe manual: man sockleak-%s (all commands: man sockleak).\n", cmd->name);
}
