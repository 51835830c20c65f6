/* sockleak sweep: a matrix of variants, each a measured run of its own, within a time budget. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/engine_opts.h"
#include "cli/measure_opts.h"
#include "common.h"
#include "report/machine.h"
#include "report/sweep_report.h"
#include "run.h"
#include "sweep.h"

enum {
	SO_TRANSPORTS = 1,
	SO_PRESETS,
	SO_OPTIONS,
	SO_MATRIX,
	SO_BUDGET,
	SO_DRY_RUN,
};

struct args {
	struct run_config base; /* what every variant shares */
	struct sweep_axes axes;
	bool axes_given;
	const char *seqs[SWEEP_MAX_AXIS]; /* --sequence, compiled once --allow-open is known */
	unsigned nseqs;
	const char *matrix;
	double budget;
	double baseline, quiesce_max; /* < 0: planned */
	bool churn_fixed; /* --seconds */
	const char *json, *html;
	bool dry_run;
};

static void help(FILE *f)
{
	fprintf(f,
		"Usage: sockleak sweep [OPTIONS]\n"
		"\n"
		"Runs a matrix of variants, each a measured run of its own (baseline, churn, quiesce,\n"
		"teardown) in a network namespace of its own, and prints one verdict row per variant.\n"
		"The variants are transports x sequences x socket options x server close modes; each\n"
		"option is added as a setsockopt right after socket (and the preset's own options),\n"
		"one variant per option, plus the sequence without. A variant that cannot run on its\n"
		"transport is skipped, with the reason in its row.\n"
		"Default: the KB Q171996 sequence with each option of the catalogue, over tcp and\n"
		"tcp6, within 10 minutes.\n"
		"\n"
		"Matrix:\n"
		"  --transports LIST       e.g. tcp,tcp6 (default: tcp,tcp6; also --transport)\n"
		"  --presets LIST          e.g. kb171996,abort (default: kb171996); see --list-presets\n"
		"  --sequence TEXT         a sequence of your own, one more entry (repeatable)\n"
		"  --options LIST          NAME=VALUE or NAME (the catalogue's example value), 'all'\n"
		"                          or 'none' (default: all for the default sequence, none\n"
		"                          when --presets or --sequence are given); --list-options\n"
		"  --server-close LIST     eof, immediate, never-read, rst (default: eof)\n"
		"  --matrix FILE           one variant per line instead: blank-separated KEY=VALUE\n"
		"                          fields transport=, sequence= (a preset or a sequence\n"
		"                          without blanks), option=NAME[=VALUE], server-close=;\n"
		"                          '#' starts a comment\n"
		"\n"
		"Budget (each variant gets an equal share, said before the first starts):\n"
		"  --budget DUR            the whole sweep (default: 10m); refused, with what would\n"
		"                          fit, when the variants cannot fit in it\n"
		"  --seconds DUR           churn per variant (default: what the budget leaves)\n"
		"  --baseline DUR          baseline per variant (default: 15%% of its share, 1-3 s)\n"
		"  --quiesce-max DUR       quiesce maximum per variant (default: 30%% of its share,\n"
		"                          2-90 s); ends early when everything settled\n"
		"  --no-teardown           do not measure after each variant's netns is gone (saves\n"
		"                          3 s per variant)\n"
		"  --interval DUR          sampling interval (default 100ms)\n"
		"  --dry-run               print the variants and the plan, run nothing\n"
		"\n"
		"Shared by every variant: --threads, --rate, --yield, --inject-leak, --allow-open,\n"
		"--server-threads, --backlog, --no-netns, --netns-sysctl (see 'sockleak run --help').\n"
		"\n"
		"Verdict and output:\n"
		"  --fail-on VERDICT       exit 1 when any variant is VERDICT or worse: leak,\n"
		"                          backlog (default), inconclusive or bounded\n"
		"  --json FILE             the table as JSON: every variant and the overall (\"-\":\n"
		"                          stdout, the table then goes to stderr)\n"
		"  --html DIR              one HTML report per variant and DIR/index.html linking\n"
		"                          them, with the table (the index is rewritten as each\n"
		"                          variant finishes)\n"
		"  --no-cgroup             do not run in a memory cgroup of its own\n"
		"  --quiet                 no progress line\n"
		"  -h, --help              this help\n"
		"\n"
		"SIGINT or SIGTERM stops the variant under way; what was measured is written (table,\n"
		"JSON, HTML) and sockleak exits 128+signal.\n"
		"Exit codes: 0 every variant below --fail-on, 1 any at or above it, 2 usage error\n"
		"(including a budget too small), 3 runtime error (a variant could not run, an output\n"
		"could not be written, the memory guard stopped the sweep).\n");
}

static int usage_err(const char *what, const char *why)
{
	sl_err("sweep: %s: %s", what, why);
	return -EINVAL;
}

/* Options whose meaning differs here: the matrix axes, and what a sweep cannot do. */
static int sweep_engine_opt(int c, const char *arg, struct args *a)
{
	char why[1024];

	switch (c) {
	case EO_TRANSPORT:
		a->axes_given = true;
		return sweep_parse_transports(&a->axes, arg, why, sizeof(why)) ?
			       usage_err("--transport", why) :
			       0;
	case EO_SERVER_CLOSE:
		a->axes_given = true;
		return sweep_parse_closes(&a->axes, arg, why, sizeof(why)) ?
			       usage_err("--server-close", why) :
			       0;
	case EO_SEQUENCE:
		a->axes_given = true;
		if (a->nseqs == SWEEP_MAX_AXIS)
			return usage_err("--sequence", "too many sequences");
		a->seqs[a->nseqs++] = arg;
		return 0;
	case EO_OPS:
		return usage_err("--ops",
				 "a sweep plans each variant's churn by time; give --seconds "
				 "or let the budget decide");
	case EO_TARGET:
		return usage_err("--target", "each variant runs against a server of its own, in a "
					     "namespace of its own; use 'sockleak run --target'");
	case EO_SECONDS:
		a->churn_fixed = true;
		break;
	default:
		break;
	}
	return engine_opt(c, arg, &a->base);
}

static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		ENGINE_LONG_OPTIONS,
		MEASURE_LONG_OPTIONS,
		{ "transports", required_argument, NULL, SO_TRANSPORTS },
		{ "presets", required_argument, NULL, SO_PRESETS },
		{ "options", required_argument, NULL, SO_OPTIONS },
		{ "matrix", required_argument, NULL, SO_MATRIX },
		{ "budget", required_argument, NULL, SO_BUDGET },
		{ "dry-run", no_argument, NULL, SO_DRY_RUN },
		{ NULL, 0, NULL, 0 },
	};
	const struct measure_opts mo = {
		.cmd = "sweep",
		.cfg = &a->base,
		.baseline = &a->baseline,
		.quiesce_max = &a->quiesce_max,
		.json = &a->json,
		.html = &a->html,
		.help = help,
	};
	char why[1024];
	int c, r;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hq", opts, NULL)) != -1) {
		r = c >= EO_SEQUENCE ? sweep_engine_opt(c, optarg, a) : -ENOENT;
		if (r == -ENOENT)
			r = measure_opt(&mo, c, optarg);
		if (r == ENGINE_OPT_EXIT)
			return ENGINE_OPT_EXIT;
		if (r == 0)
			continue;
		if (r != -ENOENT)
			return -EINVAL;
		r = 0;
		switch (c) {
		case SO_TRANSPORTS:
			a->axes_given = true;
			if (sweep_parse_transports(&a->axes, optarg, why, sizeof(why)))
				r = usage_err("--transports", why);
			break;
		case SO_PRESETS:
			a->axes_given = true;
			if (sweep_parse_presets(&a->axes, optarg, why, sizeof(why)))
				r = usage_err("--presets", why);
			break;
		case SO_OPTIONS:
			a->axes_given = true;
			if (sweep_parse_options(&a->axes, optarg, why, sizeof(why)))
				r = usage_err("--options", why);
			break;
		case SO_MATRIX:
			a->matrix = optarg;
			break;
		case SO_BUDGET:
			r = measure_parse_seconds("sweep", "--budget", optarg, 1, &a->budget);
			break;
		case SO_DRY_RUN:
			a->dry_run = true;
			break;
		default:
			sl_err("sweep: unknown option or missing value: '%s'; see 'sockleak sweep "
			       "--help'",
			       argv[optind - 1]);
			return -EINVAL;
		}
		if (r)
			return -EINVAL;
	}
	if (optind < argc) {
		sl_err("sweep: unexpected argument '%s'; see 'sockleak sweep --help'",
		       argv[optind]);
		return -EINVAL;
	}
	if (a->matrix && a->axes_given) {
		sl_err("sweep: --matrix gives the variants; drop --transports, --presets, "
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
			sl_err("sweep: cannot read --matrix %s: %s", a->matrix, strerror(errno));
			return SL_EXIT_USAGE;
		}
		err = sweep_matrix_read(s, f, a->matrix, why, sizeof(why));
		if (f != stdin)
			fclose(f);
		if (err) {
			sl_err("sweep: %s", why);
			return SL_EXIT_USAGE;
		}
		return 0;
	}
	for (i = 0; i < a->nseqs; i++) {
		if (sweep_add_sequence(&a->axes, a->seqs[i], a->base.allow_open, why,
				       sizeof(why))) {
			sl_err("sweep: --sequence: %s", why);
			return SL_EXIT_USAGE;
		}
	}
	err = sweep_expand(&a->axes, s);
	if (err == -E2BIG) {
		sl_err("sweep: more than %d variants; choose fewer transports, presets or options",
		       SWEEP_MAX_VARIANTS);
		return SL_EXIT_USAGE;
	}
	if (err) {
		sl_err("sweep: out of memory");
		return SL_EXIT_RUNTIME;
	}
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
	cfg->server_close = v->server_close;
	cfg->seconds = churn;
	cfg->ops = 0;
	cfg->baseline = p->baseline;
	cfg->quiesce_max = p->quiesce_max;
	cfg->warmup = 0;
	cfg->confirm = false;
	cfg->json_path = cfg->csv_path = cfg->html_path = NULL;
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
			sl_err("sweep: variant %zu (%s) cannot run as given (above)", i + 1,
			       s->v[i].name);
			return SL_EXIT_USAGE;
		}
		engine_opts_free(&cfg);
	}
	return 0;
}

static void say_plan(FILE *f, const struct args *a, const struct sweep *s,
		     const struct sweep_plan *p)
{
	char t1[32], t2[32];

	fprintf(f, "sockleak sweep: %u variant%s to run, %zu skipped; budget %s\n", p->variants,
		p->variants == 1 ? "" : "s", sweep_count(s, VS_SKIPPED),
		sweep_fmt_duration(t1, sizeof(t1), a->budget));
	if (!p->variants)
		return;
	fprintf(f,
		"  each: %.1f s baseline + %.1f s churn + quiesce up to %.1f s + %.0f s teardown "
		"+ ~%.1f s set-up = %.1f s\n"
		"  expected at most %s (sooner when quiesce settles early)\n\n",
		p->baseline, p->churn, p->quiesce_max, p->teardown, p->overhead, p->per_variant,
		sweep_fmt_duration(t2, sizeof(t2), p->total));
}

/* "03-tcp-kb171996-SO_LINGER=1-0.html": numbered, and safe in a file name and a relative URL. */
static void html_name(const struct sweep_variant *v, size_t index, size_t n, char *buf, size_t size)
{
	int w = n >= 100 ? (n >= 1000 ? 4 : 3) : 2;
	size_t k = (size_t)snprintf(buf, size, "%0*zu-", w, index);
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
	snprintf(buf + k, size - k, ".html");
}

static int write_index(const struct args *a, const struct sweep_summary *sum)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/index.html", a->html);
	return sweep_index_html(path, sum);
}

static volatile sig_atomic_t g_stop;

/* Between variants (run_measure has its own handler while one runs): stop after this one. */
static void on_signal(int sig)
{
	g_stop = sig;
	signal(sig, SIG_DFL);
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

/* One variant: configure, measure, record, write its report. */
static void run_variant(struct state *st, size_t i, double churn)
{
	struct sweep_variant *v = &st->s->v[i];
	struct run_output *o = calloc(1, sizeof(*o));
	double t = sl_now();
	struct run_config cfg;
	struct machine m;
	char path[4096];

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
		m.cgroup = o->cgroup_version > 0;
		m.netns = o->netns;
		if (st->a->html) {
			html_name(v, i + 1, st->s->n, v->html, sizeof(v->html));
			snprintf(path, sizeof(path), "%s/%s", st->a->html, v->html);
			cfg.html_path = path;
			if (run_write_reports(&cfg, o, &m, NULL)) {
				v->html[0] = '\0';
				st->runtime_err = true;
			}
		}
	}
	if (o->guard[0]) {
		snprintf(st->sum.stopped, sizeof(st->sum.stopped), "the memory guard: %.200s",
			 o->guard);
		st->runtime_err = true;
	}
	/* A signal during the analysis is not in o->signal: run_interrupted() has it. */
	if (o->signal || run_interrupted())
		st->sum.signal = o->signal ? o->signal : run_interrupted();
	run_output_free(o);
	free(o);
	engine_opts_free(&cfg);
}

static void sweep_loop(struct state *st)
{
	struct sweep *s = st->s;
	size_t i, j;

	for (i = 0; i < s->n; i++) {
		struct sweep_variant *v = &s->v[i];
		unsigned left = 0;
		double churn;

		if (v->status == VS_SKIPPED) {
			sweep_table_row(st->out, i + 1, v);
			continue;
		}
		if (g_stop && !st->sum.signal)
			st->sum.signal = g_stop;
		if (st->sum.signal || st->sum.stopped[0])
			break;
		for (j = i; j < s->n; j++)
			left += s->v[j].status == VS_PENDING;
		/* A churn the user fixed is not shortened: the variant runs if it fits whole. */
		if (st->a->churn_fixed)
			churn = st->deadline - sl_now() >= st->plan.per_variant ? st->plan.churn :
										  0;
		else
			churn = sweep_churn_now(&st->plan, st->deadline - sl_now(), left);
		if (churn <= 0) {
			snprintf(st->sum.stopped, sizeof(st->sum.stopped),
				 "the budget ran out: variants took longer than planned");
			break;
		}
		run_variant(st, i, churn);
		sweep_table_row(st->out, i + 1, v);
		if (st->a->html) {
			sweep_summarise(&st->sum);
			st->sum.elapsed = sl_now() - st->t0;
			write_index(st->a, &st->sum);
		}
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

/* The exit code: a signal first, then a runtime error, then the verdicts. */
static int exit_code(const struct state *st)
{
	if (st->sum.signal)
		return 128 + st->sum.signal;
	if (st->runtime_err)
		return SL_EXIT_RUNTIME;
	return st->sum.failing ? SL_EXIT_FAIL : SL_EXIT_OK;
}

static int finish(struct state *st)
{
	struct sweep_summary *sum = &st->sum;
	size_t i;
	int rc;

	sweep_summarise(sum);
	sum->finished = true;
	sum->exit_code = exit_code(st);
	sum->elapsed = sl_now() - st->t0;
	fprintf(st->out, "\n");
	sweep_table_head(st->out);
	for (i = 0; i < st->s->n; i++)
		sweep_table_row(st->out, i + 1, &st->s->v[i]);
	sweep_table_end(st->out, sum);
	/* Written last: the outputs carry the exit code; a failure to write them changes it. */
	if (st->a->json && sweep_json(st->a->json, sum))
		st->runtime_err = true;
	if (st->a->html && write_index(st->a, sum))
		st->runtime_err = true;
	rc = exit_code(st);
	if (rc != sum->exit_code)
		sl_err("sweep: an output could not be written (above): exit %d", rc);
	return rc;
}

static int make_dir(const char *dir)
{
	struct stat sb;

	if (!mkdir(dir, 0755) || (errno == EEXIST && !stat(dir, &sb) && S_ISDIR(sb.st_mode)))
		return 0;
	sl_err("sweep: --html %s: %s; give a directory that can be created or written", dir,
	       errno == EEXIST ? "exists and is not a directory" : strerror(errno));
	return -errno;
}

int cmd_sweep(int argc, char **argv)
{
	struct args *a = calloc(1, sizeof(*a));
	struct sweep s = { 0 };
	struct state st = { 0 };
	struct sweep_plan_in in;
	struct machine m;
	struct sigaction sa = { 0 }, old_int, old_term;
	char why[1024];
	int rc = SL_EXIT_USAGE, r;

	if (!a)
		return SL_EXIT_RUNTIME;
	st.t0 = sl_now();
	run_defaults(&a->base);
	a->budget = SWEEP_DEFAULT_BUDGET;
	a->baseline = a->quiesce_max = -1;
	r = parse_args(argc, argv, a);
	if (r == ENGINE_OPT_EXIT) {
		rc = SL_EXIT_OK;
		goto out;
	}
	if (r)
		goto out;
	if (a->base.netns && !sl_is_root()) {
		sl_err("not root: every variant runs in the host's network namespace (no isolation)");
		a->base.netns = false;
	}
	rc = build(a, &s);
	if (rc)
		goto out;
	sweep_check_kernel(&s);

	in.budget = a->budget;
	in.variants = (unsigned)sweep_count(&s, VS_PENDING);
	in.baseline = a->baseline;
	in.churn = a->churn_fixed ? a->base.seconds : -1;
	in.quiesce_max = a->quiesce_max;
	in.teardown = a->base.teardown && a->base.netns ? RUN_TEARDOWN_SECONDS : 0;
	st.out = a->json && !strcmp(a->json, "-") ? stderr : stdout;
	if (sweep_plan(&in, &st.plan, why, sizeof(why))) {
		sl_err("sweep: %s", why);
		rc = SL_EXIT_USAGE;
		goto out;
	}
	if (!in.variants) {
		sweep_table_head(st.out);
		for (size_t i = 0; i < s.n; i++)
			sweep_table_row(st.out, i + 1, &s.v[i]);
		sl_err("sweep: no variant can run here (every one is skipped, above); choose "
		       "others");
		rc = SL_EXIT_USAGE;
		goto out;
	}
	rc = validate(a, &s, &st.plan);
	if (rc)
		goto out;
	say_plan(st.out, a, &s, &st.plan);
	if (a->dry_run) {
		sweep_table_head(st.out);
		for (size_t i = 0; i < s.n; i++)
			sweep_table_row(st.out, i + 1, &s.v[i]);
		rc = SL_EXIT_OK;
		goto out;
	}
	if (a->html && make_dir(a->html)) {
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
	st.deadline = st.t0 + a->budget - st.plan.reserve;
	g_stop = 0;
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	sweep_table_head(st.out);
	sweep_loop(&st);
	rc = finish(&st);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
out:
	sweep_free(&s);
	sweep_axes_free(&a->axes);
	free(a);
	return rc;
}
