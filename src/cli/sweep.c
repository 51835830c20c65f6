/* sockleak sweep: a matrix of variants, each a measured run of its own, within a time budget. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/engine_opts.h"
#include "cli/measure_opts.h"
#include "common.h"
#include "engine/seq.h"
#include "engine/transport.h"
#include "report/machine.h"
#include "report/out.h"
#include "report/sweep_report.h"
#include "run/outputs.h"
#include "run/run.h"
#include "run/stop.h"
#include "run/sweep.h"
#include "vm/kernels.h"
#include "vm/vm.h"

struct args {
	struct run_config base; /* what every variant shares; baseline, quiesce_max < 0: planned */
	struct sweep_axes axes;
	const char *seqs[SWEEP_MAX_AXIS]; /* --sequence, compiled once --allow-open is known */
	unsigned nseqs;
	const char *matrix;
	double budget;
	bool dry_run;
	unsigned shard, shards; /* --shard I/N; 0 of 0: the whole matrix */
	const char *json_dir;
	struct vm_kernels kernels; /* --kernels LIST: the kernel axis */
	bool *only; /* --variants (a VM's slice of its host's sweep): by matrix index */
	int argc; /* the command line, for the guests of --kernels */
	char **argv;
};

/* The axes: each list adds to its axis; a bad entry is a usage error naming it. */
static int axis(const struct opt_call *c, const char *arg,
		int (*parse)(struct sweep_axes *, const char *, char *, size_t))
{
	struct args *a = c->obj;
	char why[1024];

	if (parse(&a->axes, arg, why, sizeof(why))) {
		sl_err("--%s: %s", c->o->name, why);
		return -EINVAL;
	}
	return 0;
}

static int parse_transports(const struct opt_call *c, const char *arg)
{
	return axis(c, arg, sweep_parse_transports);
}

static int parse_presets(const struct opt_call *c, const char *arg)
{
	return axis(c, arg, sweep_parse_presets);
}

static int parse_options(const struct opt_call *c, const char *arg)
{
	return axis(c, arg, sweep_parse_options);
}

static int parse_closes(const struct opt_call *c, const char *arg)
{
	return axis(c, arg, sweep_parse_closes);
}

static int parse_sequence(const struct opt_call *c, const char *arg)
{
	struct args *a = c->obj;

	if (a->nseqs == SWEEP_MAX_AXIS)
		return opt_bad(c, arg, "too many sequences; at most %d", SWEEP_MAX_AXIS);
	a->seqs[a->nseqs++] = arg;
	return 0;
}

static int parse_shard(const struct opt_call *c, const char *arg)
{
	struct args *a = c->obj;
	char why[256];

	if (sweep_parse_shard(arg, &a->shard, &a->shards, why, sizeof(why)))
		return opt_bad(c, arg, "%s", why);
	return 0;
}

static int parse_variants(const struct opt_call *c, const char *arg)
{
	struct args *a = c->obj;
	char why[256];

	if (!a->only)
		a->only = calloc(SWEEP_MAX_VARIANTS + 1, sizeof(*a->only));
	if (!a->only)
		return opt_bad(c, arg, "out of memory");
	if (sweep_parse_indices(arg, a->only, SWEEP_MAX_VARIANTS, why, sizeof(why)))
		return opt_bad(c, arg, "%s", why);
	return 0;
}

static bool axes_given(const struct args *a)
{
	return a->axes.ntransports || a->axes.nseqs || a->axes.options_set || a->axes.ncloses ||
	       a->nseqs;
}

#define A struct args
#define G_MATRIX "Matrix"
#define G_BUDGET "Budget (each variant gets an equal share, said before the first starts)"

/* --quiesce-max given: each variant's quiesce also waits for TIME_WAIT, as run's does. */
static int parse_quiesce_max(const struct opt_call *c, const char *arg)
{
	int err = opt_seconds(c, arg);

	if (!err)
		((A *)c->obj)->base.quiesce_tw = true;
	return err;
}

static const struct opt sweep_opts[] = {
	{ "transports", .arg = "LIST", .kind = OPT_LIST, .parse = parse_transports,
	  .choices = TRANSPORT_CHOICES, .flags = OPT_REPEAT, .group = G_MATRIX,
	  .help = "e.g. tcp,tcp6 (default: tcp,tcp6; also --transport)" },
	{ "transport", .arg = "LIST", .kind = OPT_LIST, .parse = parse_transports,
	  .choices = TRANSPORT_CHOICES, .flags = OPT_HIDDEN | OPT_REPEAT,
	  .help = "the same as --transports" },
	{ "presets", .arg = "LIST", .kind = OPT_LIST, .parse = parse_presets,
	  .choices = SEQ_PRESET_NAMES, .flags = OPT_REPEAT, .group = G_MATRIX,
	  .help = "e.g. kb171996,abort (default: kb171996); see --list-presets" },
	{ "sequence", .arg = "TEXT", .kind = OPT_SEQUENCE, .parse = parse_sequence,
	  .choices = SEQ_PRESET_NAMES, .flags = OPT_REPEAT, .group = G_MATRIX,
	  .help = "a sequence of your own, one more entry (repeatable)" },
	{ "options", .arg = "LIST", .kind = OPT_SOCKOPTS, .parse = parse_options,
	  .flags = OPT_REPEAT, .group = G_MATRIX,
	  .help = "NAME=VALUE or NAME (the catalogue's example value), 'all' or 'none' (default: "
		  "all for the default sequence, none when --presets or --sequence are given); "
		  "--list-options" },
	{ "server-close", .arg = "LIST", .kind = OPT_LIST, .parse = parse_closes,
	  .choices = SERVER_CLOSE_CHOICES, .flags = OPT_REPEAT, .group = G_MATRIX,
	  .help = "eof, immediate, never-read, rst (default: eof)" },
	{ "matrix", .arg = "FILE", OPT_STR(A, matrix, OPT_FILE_IN), .group = G_MATRIX,
	  .help = "one variant per line instead: blank-separated KEY=VALUE fields transport=, "
		  "sequence= (a preset or a sequence without blanks), option=NAME[=VALUE], "
		  "server-close=; '#' starts a comment" },
	OPT_INCLUDE_AT(vm_kernels_opts, A, kernels),
	{ "planned-quiesce-max", .arg = "DUR", OPT_SECONDS(A, base.quiesce_max),
	  .flags = OPT_HIDDEN,
	  .help = "the quiesce maximum a plan gave (TIME_WAIT not waited for, unlike --quiesce-max)" },
	{ "variants", .arg = "LIST", .kind = OPT_TEXT, .parse = parse_variants, .flags = OPT_HIDDEN,
	  .help = "run only the variants of these matrix numbers" },
	{ "shard", .arg = "I/N", .kind = OPT_TEXT, .parse = parse_shard, .group = G_MATRIX,
	  .help = "run the I-th of N slices of the matrix: the variants numbered I, I+N, I+2N, ... "
		  "(skipped ones too), the same on every machine; the budget is the shard's. "
		  "'sockleak merge' joins the shards' --json reports" },
	{ "budget", .arg = "DUR", OPT_SECONDS(A, budget), .min = 1, .group = G_BUDGET,
	  .help = "the whole sweep (default: 10m); refused, with what would fit, when the variants "
		  "cannot fit in it" },
	{ "seconds", .arg = "DUR", OPT_SECONDS(A, base.seconds), .flags = OPT_ABOVE,
	  .group = G_BUDGET, .help = "churn per variant (default: what the budget leaves)" },
	{ "baseline", .arg = "DUR", OPT_SECONDS(A, base.baseline), .min = 0.5, .group = G_BUDGET,
	  .help = "baseline per variant (default: 15% of its share, 1-3s)" },
	{ "quiesce-max", .arg = "DUR", .kind = OPT_DURATION, .parse = parse_quiesce_max,
	  .off = OPT_AT(A, base.quiesce_max, double), .group = G_BUDGET,
	  .help = "quiesce maximum per variant (default: 30% of its share, 2-90s); ends early "
		  "when everything settled. Given, quiesce also waits for TIME_WAIT to expire" },
	{ "no-teardown", OPT_OFF(A, base.teardown), .group = G_BUDGET,
	  .help = "do not measure after each variant's netns is gone (saves 3 s per variant)" },
	{ "dry-run", OPT_ON(A, dry_run), .group = G_BUDGET,
	  .help = "print the variants and the plan, run nothing" },
	{ "ops", .arg = "N", .kind = OPT_INT, .parse = opt_refused, .flags = OPT_HIDDEN,
	  .help = "a sweep plans each variant's churn by time; give --seconds or let the budget "
		  "decide" },
	{ "target", .arg = "ADDR", OPT_STR(A, base.target, OPT_ADDR), .group = G_MATRIX,
	  .help = "with --server-cmd: the address your server listens on; each variant starts a "
		  "fresh one in its own namespace (default transport: tcp, or tcp6 for [V6]:PORT)" },
	{ "fail-on", .arg = "VERDICT", .kind = OPT_CHOICE, .parse = measure_parse_fail_on,
	  .off = OPT_AT(A, base.fail_on, unsigned), .choices = "leak backlog inconclusive bounded",
	  .group = G_VERDICT,
	  .help = "exit 1 when any variant is VERDICT or worse: leak, backlog (default), "
		  "inconclusive or bounded" },
	{ "json", .arg = "FILE", OPT_STR(A, base.json_path, OPT_FILE_OUT), .group = G_VERDICT,
	  .help = "the table as JSON: every variant and the overall (\"-\": stdout, the table then "
		  "goes to stderr)" },
	{ "html", .arg = "DIR", OPT_STR(A, base.html_path, OPT_DIR_OUT), .group = G_VERDICT,
	  .help = "one HTML report per variant and DIR/index.html linking them, with the table "
		  "(the index is rewritten as each variant finishes)" },
	{ "json-dir", .arg = "DIR", OPT_STR(A, json_dir, OPT_DIR_OUT), .group = G_VERDICT,
	  .help = "each variant's run report as JSON, DIR/NN-variant.json (NN its number in the "
		  "matrix), for 'sockleak report' and 'compare'; named in --json" },
	{ "junit", .arg = "FILE", OPT_STR(A, base.junit_path, OPT_FILE_OUT), .group = G_VERDICT,
	  .help = "a JUnit XML report for CI: one test case per variant, failing at or above "
		  "--fail-on (its verdict and why as the message), skipped with the reason when "
		  "it could not run" },
	OPT_INCLUDE_AT(engine_opts, A, base),
	OPT_INCLUDE_AT(measure_opts, A, base),
	OPT_HELP_ROW,
	{ 0 },
};

const struct command command_sweep = {
	.name = "sweep",
	.fn = cmd_sweep,
	.summary = "run a matrix of variants within a time budget; a verdict row each",
	.synopsis = "[OPTIONS]",
	.about =
		"Runs a matrix of variants, each a measured run of its own (baseline, churn, quiesce,\n"
		"teardown) in a network namespace of its own, and prints one verdict row per variant.\n"
		"The variants are transports x sequences x socket options x server close modes; each\n"
		"option is added as a setsockopt right after socket (and the preset's own options),\n"
		"one variant per option, plus the sequence without. A variant that cannot run on its\n"
		"transport is skipped, with the reason in its row.\n"
		"Default: the KB Q171996 sequence with each option of the catalogue, over tcp and\n"
		"tcp6, within 10 minutes. The engine's options (--threads, --rate, --yield,\n"
		"--inject-leak, --allow-open, --server-threads, --backlog, --no-netns,\n"
		"--netns-sysctl) apply to every variant, as in 'sockleak run'.\n"
		"--kernels host,IMAGE runs the matrix on each kernel: host here, each image in a VM\n"
		"booted once for its variants (as 'sockleak vm'); the kernel becomes a column.\n",
	.opts = sweep_opts,
	.epilogue =
		"Signals stop the variant under way as in 'sockleak run' (Ctrl-C once: it quiesces;\n"
		"again, SIGTERM or SIGHUP: it ends at once); the rest are not run, what was measured is\n"
		"written (table, JSON, HTML) and sockleak exits 128+signal. A third signal, or one while\n"
		"the outputs are written, ends it at once.\n"
		"\n"
		"Exit codes: 0 every variant below --fail-on, 1 any at or above it, 2 usage error\n"
		"(including a budget too small), 3 runtime error (a variant could not run, an output\n"
		"could not be written, the memory guard stopped the sweep, a VM of --kernels did not\n"
		"run its variants), 128+N ended by signal N;\n"
		"when several apply: 128+N, then 3, then 1.\n",
};

static int parse_args(int argc, char **argv, struct args *a)
{
	int first, r = opt_parse(&command_sweep, argc, argv, a, &first);

	if (r)
		return r;
	if (first < argc) {
		sl_err("unexpected argument '%s'", argv[first]);
		return -EINVAL;
	}
	if (a->matrix && axes_given(a)) {
		sl_err("--matrix gives the variants; drop --transports, --presets, "
		       "--sequence, --options and --server-close, or drop --matrix");
		return -EINVAL;
	}
	return 0;
}

static int build(struct args *a, struct sweep *s)
{
	char why[1024];
	unsigned i;
	FILE *f;
	int err;

	s->allow_open = a->base.allow_open;
	if (a->matrix) {
		f = strcmp(a->matrix, "-") ? fopen(a->matrix, "r") : stdin;
		if (!f) {
			sl_err("cannot read --matrix %s: %s", a->matrix, strerror(errno));
			return SL_EXIT_USAGE;
		}
		err = sweep_matrix_read(s, f, a->matrix, why, sizeof(why));
		if (f != stdin)
			fclose(f);
		if (err) {
			sl_err("%s", why);
			return SL_EXIT_USAGE;
		}
		return 0;
	}
	for (i = 0; i < a->nseqs; i++) {
		if (sweep_add_sequence(&a->axes, a->seqs[i], a->base.allow_open, why,
				       sizeof(why))) {
			sl_err("--sequence: %s", why);
			return SL_EXIT_USAGE;
		}
	}
	err = sweep_expand(&a->axes, s);
	if (err == -E2BIG) {
		sl_err("more than %d variants; choose fewer transports, presets or options",
		       SWEEP_MAX_VARIANTS);
		return SL_EXIT_USAGE;
	}
	if (err) {
		sl_err("out of memory");
		return SL_EXIT_RUNTIME;
	}
	return 0;
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

/* A phase's length as the matrix has it: fixed by the user, or planned from the budget. */
static void phase(FILE *f, const char *name, double v)
{
	if (v > 0)
		fprintf(f, " %s=%g", name, v);
	else
		fprintf(f, " %s=planned", name);
}

/*
 * The settings every variant shares that decide what is measured, as text: part of the matrix's
 * identity, so that only sweeps that measured alike are merged. The budget is not (each shard
 * has its own), nor are the outputs.
 */
static char *matrix_settings(const struct run_config *c)
{
	char *text = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fprintf(f, "threads=%u rate=%s", c->threads, c->rate_max ? "max" : "");
	if (!c->rate_max)
		fprintf(f, "%g", c->rate);
	fprintf(f, " yield=%s inject-leak=%llu allow-open=%s api=%s sqpoll=%s fixed-files=%s",
		yes_no(c->yield), (unsigned long long)c->inject_leak, yes_no(c->allow_open),
		api_name(c->api), yes_no(c->sqpoll), yes_no(c->fixed_files));
	fprintf(f, " server-threads=%u server-sequence=%s backlog=%d netns=%s cgroup=%s",
		c->server_threads, c->server_sequence ? c->server_sequence : "-", c->backlog,
		yes_no(c->netns), yes_no(c->cgroup));
	for (i = 0; i < c->nsysctl; i++)
		fprintf(f, " netns-sysctl=%s", c->netns_sysctl[i]);
	fprintf(f, " interval=%g", c->interval);
	phase(f, "seconds", c->seconds);
	phase(f, "baseline", c->baseline);
	phase(f, "quiesce-max", c->quiesce_max);
	fprintf(f, " teardown=%s", yes_no(c->teardown));
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

/* --kernels: the kernel axis, set before the matrix is fixed (its identity holds it). */
static int kernel_axis(const struct args *a, struct sweep *s)
{
	char why[1024];
	size_t k;

	if (!a->kernels.list)
		return 0;
	if (sweep_parse_kernels(&s->matrix, a->kernels.list, why, sizeof(why))) {
		sl_err("--kernels: %s", why);
		return SL_EXIT_USAGE;
	}
	for (k = 0; k < s->matrix.nkernels; k++) {
		if (s->matrix.kernels[k].image[0] && a->matrix && !strcmp(a->matrix, "-")) {
			sl_err("--matrix -: a VM of --kernels cannot read this standard input; give "
			       "the matrix as a file");
			return SL_EXIT_USAGE;
		}
	}
	return 0;
}

/* The whole matrix, numbered and identified; the variants on this host say its kernel. */
static int fix_matrix(const struct args *a, struct sweep *s)
{
	char *settings = matrix_settings(&a->base);
	struct utsname u;
	int err = settings ? sweep_matrix_set(s, settings) : -ENOMEM;
	size_t i;

	free(settings);
	if (err == -E2BIG) {
		sl_err("more than %d variants; choose fewer transports, presets or options",
		       SWEEP_MAX_VARIANTS);
		return SL_EXIT_USAGE;
	}
	if (err) {
		sl_err("out of memory");
		return SL_EXIT_RUNTIME;
	}
	if (uname(&u))
		return 0;
	for (i = 0; i < s->n; i++)
		if (sweep_on_host(s, &s->v[i]))
			snprintf(s->v[i].kernel, sizeof(s->v[i].kernel), "%s", u.release);
	return 0;
}

/*
 * --target names the server --server-cmd starts, fresh for each variant (run_measure starts and
 * stops it); a server of the user's already running is run's business: each variant runs in a
 * namespace of its own. The transport follows the target's address unless given.
 */
static int user_server(struct args *a)
{
	if (a->base.target && !a->base.server_cmd) {
		sl_err("--target: each variant runs against a server of its own, in a namespace of "
		       "its own: give --server-cmd CMD to start yours there, or use 'sockleak run "
		       "--target'");
		return SL_EXIT_USAGE;
	}
	if (a->base.server_cmd && a->axes.ncloses) {
		sl_err("--server-close: with --server-cmd your server decides how it closes");
		return SL_EXIT_USAGE;
	}
	if (a->base.server_cmd && a->base.target && !a->axes.ntransports && !a->matrix)
		a->axes.transports[a->axes.ntransports++] =
			a->base.target[0] == '[' ? TR_TCP6 : TR_TCP;
	return 0;
}

/* A variant's configuration: the shared one with its transport, sequence and phases. */
static void variant_cfg(const struct args *a, const struct sweep_plan *p,
			const struct sweep_variant *v, double churn, struct run_config *cfg)
{
	*cfg = a->base;
	cfg->transport = v->transport;
	/* A bare preset goes by its name, so that its reports say which preset it was. */
	cfg->sequence = v->preset && !v->option[0] ? v->base : v->sequence;
	cfg->preset = NULL;
	cfg->seq = NULL;
	cfg->sseq = NULL;
	cfg->server_close = v->server_close;
	cfg->seconds = churn;
	cfg->ops = 0;
	cfg->baseline = p->baseline;
	cfg->quiesce_max = p->quiesce_max;
	cfg->warmup = 0;
	cfg->confirm = false;
	cfg->json_path = cfg->csv_path = cfg->html_path = cfg->junit_path = NULL;
}

/* Every variant is checked before the first runs: a sweep does not fail after nine minutes. */
static int validate(const struct args *a, const struct sweep *s, const struct sweep_plan *p)
{
	struct run_config cfg;
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (s->v[i].status != VS_PENDING)
			continue;
		variant_cfg(a, p, &s->v[i], p->churn, &cfg);
		if (engine_opts_finish(&cfg)) {
			sl_err("variant %zu (%s) cannot run as given (above)", i + 1, s->v[i].name);
			return SL_EXIT_USAGE;
		}
		engine_opts_free(&cfg);
	}
	return 0;
}

/* Which variants a shard has: "shard 2 of 3, the matrix's #2, #5, ..., #44 (...): 15 of 44; " */
static void say_shard(FILE *f, const struct sweep *s)
{
	const struct sweep_matrix *m = &s->matrix;
	size_t i;

	if (!s->n) {
		fprintf(f, "shard %u of %u, none of the matrix's %zu variant%s; ", m->shard,
			m->shards, m->size, m->size == 1 ? "" : "s");
		return;
	}
	fprintf(f, "shard %u of %u, the matrix's ", m->shard, m->shards);
	for (i = 0; i < s->n && i < 3; i++)
		fprintf(f, "%s#%zu", i ? ", " : "", s->v[i].index);
	if (s->n > 4)
		fprintf(f, ", ...");
	if (s->n > 3)
		fprintf(f, ", #%zu", s->v[s->n - 1].index);
	if (s->n > 1)
		fprintf(f, " (every %u%s from #%u)", m->shards,
			m->shards == 2 ? "nd" :
			m->shards == 3 ? "rd" :
					 "th",
			m->shard);
	fprintf(f, ": %zu of %zu; ", s->n, m->size);
}

static void say_plan(FILE *f, const struct args *a, const struct sweep *s,
		     const struct sweep_plan *p)
{
	char t1[32], t2[32];

	fprintf(f, "sockleak sweep: ");
	if (s->matrix.shards)
		say_shard(f, s);
	fprintf(f, "%u variant%s to run, %zu skipped; budget %s%s\n", p->variants,
		p->variants == 1 ? "" : "s", sweep_count(s, VS_SKIPPED),
		sweep_fmt_duration(t1, sizeof(t1), a->budget),
		s->matrix.shards ? " (the shard's)" : "");
	if (!p->variants)
		return;
	fprintf(f,
		"  each: %.1f s baseline + %.1f s churn + quiesce up to %.1f s + %.0f s teardown "
		"+ ~%.1f s set-up = %.1f s\n",
		p->baseline, p->churn, p->quiesce_max, p->teardown, p->overhead, p->per_variant);
	if (p->boots)
		fprintf(f,
			"  and %u VM boot%s (--kernels), ~%.0f s each, the variants of a kernel in one\n",
			p->boots, p->boots == 1 ? "" : "s", p->boot);
	fprintf(f, "  expected at most %s (sooner when quiesce settles early)\n\n",
		sweep_fmt_duration(t2, sizeof(t2), p->total));
}

/*
 * "03-tcp-kb171996-SO_LINGER=1-0.html": numbered as in the matrix (so that the shards' files do
 * not collide), and safe in a file name and a relative URL. ext is ".html" or ".json".
 */
static void file_name(const struct sweep_variant *v, size_t n, const char *ext, char *buf,
		      size_t size)
{
	int w = n >= 100 ? (n >= 1000 ? 4 : 3) : 2;
	size_t k = (size_t)snprintf(buf, size, "%0*zu-", w, v->index);
	const char *p;
	bool dash = true;

	for (p = v->name; *p && k + 6 < size && k < 96; p++) {
		bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			  (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '=';

		if (ok) {
			buf[k++] = *p;
			dash = false;
		} else if (!dash) {
			buf[k++] = '-';
			dash = true;
		}
	}
	if (dash && k > 0 && buf[k - 1] == '-')
		k--;
	snprintf(buf + k, size - k, "%s", ext);
}

static int write_index(const struct args *a, const struct sweep_summary *sum)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/index.html", a->base.html_path);
	return sweep_index_html(path, sum);
}

struct state {
	struct args *a;
	struct sweep *s;
	struct sweep_plan plan;
	struct sweep_summary sum;
	FILE *out; /* the table */
	double t0, deadline;
	bool runtime_err;
};

/* A variant's run report, HTML or JSON, in its directory; name is left "" when not written. */
static void variant_report(struct state *st, struct sweep_variant *v, const struct run_output *o,
			   const struct machine *m, struct run_config *cfg, const char *ext,
			   char *name, size_t size)
{
	bool html = !strcmp(ext, ".html");
	char path[4096];

	file_name(v, st->s->matrix.size, ext, name, size);
	snprintf(path, sizeof(path), "%s/%s", html ? st->a->base.html_path : st->a->json_dir, name);
	cfg->html_path = html ? path : NULL;
	cfg->json_path = html ? NULL : path;
	if (run_write_reports(cfg, o, m, NULL)) {
		name[0] = '\0';
		st->runtime_err = true;
	}
	cfg->html_path = cfg->json_path = NULL;
}

/* One variant: configure, measure, record, write its report. */
static void run_variant(struct state *st, size_t i, double churn)
{
	struct sweep_variant *v = &st->s->v[i];
	struct run_output *o = calloc(1, sizeof(*o));
	double t = sl_now();
	struct run_config cfg;
	struct machine m;

	variant_cfg(st->a, &st->plan, v, churn, &cfg);
	v->churn_seconds = churn;
	if (!o || engine_opts_finish(&cfg)) {
		v->status = VS_FAILED;
		snprintf(v->reason, sizeof(v->reason), "could not be set up");
		st->runtime_err = true;
		free(o);
		return;
	}
	machine_init(&m, "");
	machine_set_run(&m, &cfg);
	run_measure(&cfg, o);
	v->elapsed = sl_now() - t;
	if (!o->analysed) {
		v->status = o->signal ? VS_NOT_RUN : VS_FAILED;
		snprintf(v->reason, sizeof(v->reason), "%s",
			 o->signal ?
				 "interrupted before anything was measured" :
				 "the run could not be carried out (the message above says why)");
		st->runtime_err |= !o->signal;
	} else {
		v->status = o->signal ? VS_INTERRUPTED : VS_DONE;
		sweep_record(v, &o->series, &o->result, &o->stats, cfg.fail_on);
		if (cfg.attribute)
			sweep_record_where(v, &o->attribution);
		m.cgroup = o->cgroup_version > 0;
		m.netns = o->netns;
		if (st->a->base.html_path)
			variant_report(st, v, o, &m, &cfg, ".html", v->html, sizeof(v->html));
		if (st->a->json_dir)
			variant_report(st, v, o, &m, &cfg, ".json", v->json, sizeof(v->json));
	}
	if (o->guard[0]) {
		snprintf(st->sum.stopped, sizeof(st->sum.stopped), "the memory guard: %.200s",
			 o->guard);
		st->runtime_err = true;
	}
	/* A signal during the analysis is not in o->signal, but counted all the same. */
	if (stop_signal())
		st->sum.signal = stop_signal();
	run_output_free(o);
	free(o);
	engine_opts_free(&cfg);
}

/* ---- the kernels of --kernels other than this machine's: one VM each ---- */

/*
 * The guest's command line: sweep with this one's options but the host's own (the kernel axis,
 * the outputs: the guest writes its own into the VM's share; the budget and the phases: the host
 * fixes them), then the slice it runs (--variants, numbered as its matrix without the kernel axis
 * numbers them), the phases the host planned and its outputs under dir. NULL when out of memory.
 */
static char **guest_argv(const struct state *st, const char *list, double budget, const char *dir,
			 int *argc)
{
	static const char *const host_only[] = { "variants", "shard",	    "json",
						 "html",     "json-dir",    "junit",
						 "dry-run",  "budget",	    "seconds",
						 "baseline", "quiesce-max", "planned-quiesce-max",
						 NULL };
	const struct args *a = st->a;
	char **argv = vm_argv_keep("sweep", sweep_opts, host_only, a->argc, a->argv, 8, argc);
	int err;

	if (!argv)
		return NULL;
	err = vm_argv_push(argv, argc, "--variants=%s", list) ||
	      vm_argv_push(argv, argc, "--seconds=%.3f", st->plan.churn) ||
	      vm_argv_push(argv, argc, "--baseline=%.3f", st->plan.baseline) ||
	      vm_argv_push(argv, argc, "--%squiesce-max=%.3f", a->base.quiesce_tw ? "" : "planned-",
			   st->plan.quiesce_max) ||
	      vm_argv_push(argv, argc, "--budget=%.0f", ceil(budget)) ||
	      vm_argv_push(argv, argc, "--json=%s/sweep.json", dir);
	if (!err && a->base.html_path)
		err = vm_argv_push(argv, argc, "--html=%s/html", dir);
	if (!err && a->json_dir)
		err = vm_argv_push(argv, argc, "--json-dir=%s/json", dir);
	if (err) {
		vm_argv_free(argv);
		return NULL;
	}
	return argv;
}

/* The variant's report the guest wrote (sub/NAME under dir), under this sweep's name for it. */
static void take_file(struct state *st, const char *dir, const char *sub, const char *out_dir,
		      struct sweep_variant *v, const char *ext, char *name, size_t size)
{
	char from[4096], to[4096];

	if (!name[0] || !out_dir)
		return;
	snprintf(from, sizeof(from), "%s/%s/%s", dir, sub, name);
	file_name(v, st->s->matrix.size, ext, name, size);
	snprintf(to, sizeof(to), "%s/%s", out_dir, name);
	if (vm_copy_file(AT_FDCWD, from, to)) {
		name[0] = '\0';
		st->runtime_err = true;
	}
}

/* What the guest's sweep said of a variant, taken into this sweep's (v is where it stands here). */
static void take(struct state *st, const char *dir, struct sweep_variant *v,
		 struct sweep_variant *g)
{
	struct sweep_variant here = *v;

	*v = *g;
	g->nwhere = 0; /* the stacks' frames are v's now */
	v->transport = here.transport;
	v->base = here.base;
	v->preset = here.preset;
	memcpy(v->option, here.option, sizeof(v->option));
	v->server_close = here.server_close;
	v->sequence = here.sequence;
	memcpy(v->name, here.name, sizeof(v->name));
	v->index = here.index;
	v->kernel_at = here.kernel_at;
	v->fails = (v->status == VS_DONE || v->status == VS_INTERRUPTED) &&
		   (st->a->base.fail_on & (1u << v->verdict));
	if (!v->kernel[0])
		snprintf(v->kernel, sizeof(v->kernel), "%s", here.kernel);
	take_file(st, dir, "html", st->a->base.html_path, v, ".html", v->html, sizeof(v->html));
	take_file(st, dir, "json", st->a->json_dir, v, ".json", v->json, sizeof(v->json));
}

/* The variants of kernel k still to run: "1,3" as its guest numbers them; how many. */
static size_t kernel_slice(const struct sweep *s, unsigned k, char *list, size_t size)
{
	size_t i, n = 0, used = 0;

	list[0] = '\0';
	for (i = 0; i < s->n; i++) {
		const struct sweep_variant *v = &s->v[i];

		if (v->kernel_at != k || v->status != VS_PENDING)
			continue;
		used += (size_t)snprintf(list + used, used < size ? size - used : 0, "%s%zu",
					 n ? "," : "", (v->index - 1) % s->matrix.nnames + 1);
		n++;
	}
	return used < size ? n : 0;
}

/* Marks the variants of kernel k not taken from its guest: not run, and why. */
static void kernel_not_run(struct sweep *s, unsigned k, const char *fmt, ...) SL_PRINTF(3, 4);

static void kernel_not_run(struct sweep *s, unsigned k, const char *fmt, ...)
{
	char why[256];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	for (i = 0; i < s->n; i++) {
		if (s->v[i].kernel_at != k || s->v[i].status != VS_PENDING)
			continue;
		s->v[i].status = VS_NOT_RUN;
		snprintf(s->v[i].reason, sizeof(s->v[i].reason), "%s", why);
	}
}

/* Takes the guest's report: each of kernel k's variants it holds, by its number there. */
static void kernel_results(struct state *st, unsigned k, const char *dir, struct sweep_doc *d)
{
	struct sweep *s = st->s;
	size_t i, j;

	for (i = 0; i < s->n; i++) {
		struct sweep_variant *v = &s->v[i];
		size_t at = (v->index - 1) % s->matrix.nnames + 1;

		if (v->kernel_at != k || v->status != VS_PENDING)
			continue;
		for (j = 0; j < d->s.n; j++) {
			struct sweep_variant *g = &d->s.v[j];

			if (g->index == at && g->status != VS_PENDING && g->status != VS_NOT_RUN)
				take(st, dir, v, g);
			else if (g->index == at && g->status == VS_NOT_RUN)
				snprintf(v->reason, sizeof(v->reason), "%s", g->reason);
		}
	}
}

/*
 * Boots kernel k once and runs its variants there: the guest's sweep writes its JSON (and the
 * variants' reports) into the VM's share; each variant's outcome is taken from it. A VM that did
 * not boot (tried twice) or could not run the sweep leaves its variants not run, with the reason.
 */
static void run_kernel(struct state *st, unsigned k)
{
	struct sweep *s = st->s;
	const struct sweep_kernel *K = &s->matrix.kernels[k];
	const char *tmp = getenv("TMPDIR");
	char list[8192], dir[4096], json[4200], said[512] = "";
	double budget = st->deadline - sl_now() - st->plan.boot;
	size_t n = kernel_slice(s, k, list, sizeof(list));
	struct sweep_doc *d = NULL;
	struct stat sb;
	char **argv = NULL;
	int argc, rc;

	if (!n)
		return;
	if (budget < n * st->plan.per_variant) {
		snprintf(st->sum.stopped, sizeof(st->sum.stopped),
			 "the budget ran out: no time left to boot %s and run its variants",
			 K->label);
		return;
	}
	snprintf(dir, sizeof(dir), "%s/sockleak-sweep.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir))
		argv = guest_argv(st, list, budget, dir, &argc);
	else
		dir[0] = '\0';
	if (!argv) {
		sl_err("cannot prepare the VM of %s: %s", K->label, strerror(errno));
		kernel_not_run(s, k, "its VM could not be prepared");
		st->runtime_err = true;
		if (dir[0])
			vm_rm_tree(AT_FDCWD, dir);
		return;
	}
	fprintf(st->out,
		"  (booting %s for its %zu variant%s; the guest's progress goes to stderr)\n",
		K->label, n, n == 1 ? "" : "s");
	fflush(st->out);
	/* The guest's table is progress: stdout keeps this sweep's own (and --json -). */
	rc = vm_kernel_run(&st->a->kernels, K->image, sweep_opts, true, said, sizeof(said), argc,
			   argv);
	if (rc >= 128)
		st->sum.signal = rc - 128;
	snprintf(json, sizeof(json), "%s/sweep.json", dir);
	if (!stat(json, &sb)) {
		d = calloc(1, sizeof(*d));
		if (d && !sweep_report_load(json, d))
			kernel_results(st, k, dir, d);
		if (d)
			sweep_doc_free(d);
		free(d);
	}
	if (rc >= 128)
		kernel_not_run(s, k, "interrupted by signal %d in the VM of %s", rc - 128,
			       K->label);
	else if (said[0])
		kernel_not_run(s, k, "its VM could not run it: %.200s", said);
	else if (rc == SL_EXIT_RUNTIME || rc == SL_EXIT_USAGE)
		kernel_not_run(s, k,
			       "its VM could not run it (exit %d: the messages above say why)", rc);
	else
		kernel_not_run(s, k, "the VM of %s did not report it", K->label);
	if (rc == SL_EXIT_RUNTIME || rc == SL_EXIT_USAGE)
		st->runtime_err = true;
	vm_rm_tree(AT_FDCWD, dir);
	vm_argv_free(argv);
}

/* --html: the index as it stands, rewritten after each variant. */
static void index_now(struct state *st)
{
	if (!st->a->base.html_path)
		return;
	sweep_summarise(&st->sum);
	st->sum.elapsed = sl_now() - st->t0;
	write_index(st->a, &st->sum);
}

static void sweep_loop(struct state *st)
{
	struct sweep *s = st->s;
	size_t i, j;

	for (i = 0; i < s->n; i++) {
		struct sweep_variant *v = &s->v[i];
		bool on_host = sweep_on_host(s, v);
		double churn, remaining;
		unsigned left = 0;

		/* A VM's variants are done together: their rows come as the loop passes them. */
		if (v->status == VS_SKIPPED || (!on_host && v->status != VS_PENDING)) {
			sweep_table_row(st->out, s, v);
			continue;
		}
		if (stop_signal() && !st->sum.signal)
			st->sum.signal = stop_signal();
		if (st->sum.signal || st->sum.stopped[0])
			break;
		if (!on_host) {
			run_kernel(st, v->kernel_at);
			if (v->status == VS_PENDING)
				break; /* the budget ran out before its boot */
			sweep_table_row(st->out, s, v);
			index_now(st);
			continue;
		}
		for (j = i; j < s->n; j++)
			left += s->v[j].status == VS_PENDING;
		/* What is left for the variants, the VMs still to boot aside. */
		remaining = st->deadline - sl_now() - st->plan.boot * sweep_boots(s);
		/* A churn the user fixed is not shortened: the variant runs if it fits whole. */
		if (st->a->base.seconds > 0)
			churn = remaining >= st->plan.per_variant ? st->plan.churn : 0;
		else
			churn = sweep_churn_now(&st->plan, remaining, left);
		if (churn <= 0) {
			snprintf(st->sum.stopped, sizeof(st->sum.stopped),
				 "the budget ran out: variants took longer than planned");
			break;
		}
		run_variant(st, i, churn);
		sweep_table_row(st->out, s, v);
		index_now(st);
	}
	if (st->sum.signal && !st->sum.stopped[0])
		snprintf(st->sum.stopped, sizeof(st->sum.stopped), "interrupted by signal %d (%s)",
			 st->sum.signal, strsignal(st->sum.signal));
	for (; i < s->n; i++) {
		if (s->v[i].status != VS_PENDING)
			continue;
		s->v[i].status = VS_NOT_RUN;
		snprintf(s->v[i].reason, sizeof(s->v[i].reason), "%s", st->sum.stopped);
	}
}

/* The exit code: a signal first, then a runtime error (the guard's included), then verdicts. */
static int exit_code(const struct state *st)
{
	return sl_exit_code(st->sum.signal, st->runtime_err, st->sum.failing);
}

static int finish(struct state *st)
{
	struct sweep_summary *sum = &st->sum;
	int rc;

	sweep_summarise(sum);
	sum->finished = true;
	sum->exit_code = exit_code(st);
	sum->elapsed = sl_now() - st->t0;
	fprintf(st->out, "\n");
	sweep_table(st->out, sum);
	/* Written last: the outputs carry the exit code; a failure to write them changes it. */
	if (st->a->base.json_path && sweep_json(st->a->base.json_path, sum))
		st->runtime_err = true;
	if (st->a->base.html_path && write_index(st->a, sum))
		st->runtime_err = true;
	if (st->a->base.junit_path && sweep_junit(st->a->base.junit_path, sum))
		st->runtime_err = true;
	rc = exit_code(st);
	if (rc != sum->exit_code)
		sl_err("an output could not be written (above): exit %d", rc);
	return rc;
}

int cmd_sweep(int argc, char **argv)
{
	struct args *a = calloc(1, sizeof(*a));
	struct sweep s = { 0 };
	struct state st = { 0 };
	struct sweep_plan_in in;
	struct machine m;
	char why[1024];
	int rc = SL_EXIT_USAGE, r;

	if (!a)
		return SL_EXIT_RUNTIME;
	st.t0 = sl_now();
	a->argc = argc;
	a->argv = argv;
	run_defaults(&a->base);
	a->budget = SWEEP_DEFAULT_BUDGET;
	vm_kernels_defaults(&a->kernels);
	a->base.baseline = a->base.quiesce_max = -1;
	r = parse_args(argc, argv, a);
	if (r == OPT_EXIT) {
		rc = SL_EXIT_OK;
		goto out;
	}
	if (r)
		goto out;
	if (a->base.netns && !sl_is_root()) {
		sl_err("not root: every variant runs in the host's network namespace (no isolation)");
		a->base.netns = false;
	}
	if ((rc = user_server(a)))
		goto out;
	if (a->base.full_series && !a->json_dir) {
		sl_err("--full-series shapes each variant's JSON report: give --json-dir DIR too");
		rc = SL_EXIT_USAGE;
		goto out;
	}
	rc = build(a, &s);
	if (!rc)
		rc = kernel_axis(a, &s);
	if (!rc)
		rc = fix_matrix(a, &s);
	if (rc)
		goto out;
	if (a->shards)
		sweep_shard(&s, a->shard, a->shards);
	if (a->only)
		sweep_keep(&s, a->only, SWEEP_MAX_VARIANTS);
	sweep_check_kernel(&s);

	in.budget = a->budget;
	in.variants = (unsigned)sweep_count(&s, VS_PENDING);
	in.baseline = a->base.baseline;
	in.churn = a->base.seconds > 0 ? a->base.seconds : -1;
	in.quiesce_max = a->base.quiesce_max;
	in.teardown = a->base.teardown && a->base.netns ? RUN_TEARDOWN_SECONDS : 0;
	in.boots = sweep_boots(&s);
	st.out = a->base.json_path && !strcmp(a->base.json_path, "-") ? stderr : stdout;
	if (sweep_plan(&in, &st.plan, why, sizeof(why))) {
		sl_err("%s", why);
		rc = SL_EXIT_USAGE;
		goto out;
	}
	if (!in.variants && a->shards) {
		/* Not an error: its report says so, and the merge counts its variants as done. */
		sl_err("note: shard %u of %u has nothing to run here (%s)", a->shard, a->shards,
		       s.n ? "each of its variants is skipped" : "the matrix has fewer variants");
	} else if (!in.variants) {
		sweep_table_head(st.out, &s);
		for (size_t i = 0; i < s.n; i++)
			sweep_table_row(st.out, &s, &s.v[i]);
		sl_err("no variant can run here (every one is skipped, above); choose "
		       "others");
		rc = SL_EXIT_USAGE;
		goto out;
	}
	rc = validate(a, &s, &st.plan);
	if (rc)
		goto out;
	say_plan(st.out, a, &s, &st.plan);
	if (a->dry_run) {
		sweep_table_head(st.out, &s);
		for (size_t i = 0; i < s.n; i++)
			sweep_table_row(st.out, &s, &s.v[i]);
		rc = SL_EXIT_OK;
		goto out;
	}
	if ((a->base.html_path && out_make_dir("--html", a->base.html_path)) ||
	    (a->json_dir && out_make_dir("--json-dir", a->json_dir))) {
		rc = SL_EXIT_USAGE;
		goto out;
	}

	machine_init(&m, "");
	machine_set_run(&m, &a->base);
	st.a = a;
	st.s = &s;
	st.sum.s = &s;
	st.sum.plan = &st.plan;
	st.sum.m = &m;
	st.sum.budget = a->budget;
	st.sum.fail_on = a->base.fail_on;
	st.sum.json_dir = a->json_dir;
	st.deadline = st.t0 + a->budget - st.plan.reserve;
	/* Signals end variants' phases, then the sweep; once the outputs are written, sockleak. */
	stop_begin();
	sweep_table_head(st.out, &s);
	sweep_loop(&st);
	stop_end();
	rc = finish(&st);
out:
	sweep_free(&s);
	sweep_axes_free(&a->axes);
	free(a->only);
	free(a);
	return rc;
}
