/* sockleak run: a measured run through phases, with a verdict a CI pipeline can gate on. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/engine_opts.h"
#include "cli/measure_opts.h"
#include "common.h"
#include "engine/seq.h"
#include "report/junit.h"
#include "report/machine.h"
#include "report/report.h"
#include "report/attribution.h"
#include "report/text.h"
#include "report/wrap.h"
#include "run/run.h"

#define RC struct run_config

static const struct opt run_opts[] = {
	OPT_INCLUDE(engine_opts),
	OPT_INCLUDE(measure_opts),
	{ "warmup", .arg = "DUR", OPT_SECONDS(RC, warmup), .group = G_PHASES,
	  .help = "first part of churn left out of the fits (default 0)" },
	{ "confirm", OPT_ON(RC, confirm), .group = G_PHASES,
	  .help = "run again with 3x the cycles: a true leak's residual scales" },
	{ "csv", .arg = "FILE", OPT_STR(RC, csv_path, OPT_FILE_OUT), .group = G_VERDICT,
	  .help = "the time series as CSV" },
	OPT_HELP_ROW,
	{ 0 },
};

const struct command command_run = {
	.name = "run",
	.fn = cmd_run,
	.summary = "run a sequence through phases and give a verdict: CLEAN ... LEAK",
	.synopsis = "[OPTIONS]",
	.about =
		"Runs a socket call sequence through phases (baseline, churn, quiesce, teardown),\n"
		"samples every kernel pool it touches, and gives a verdict per metric and overall:\n"
		"CLEAN, BOUNDED, BACKLOG (rose while the loop ran, came back after: deferred\n"
		"clean-up starved), LEAK (stayed above noise), or INCONCLUSIVE (noise too large for\n"
		"the run's length; the report says how many cycles would decide).\n"
		"Default: the KB Q171996 sequence over tcp for 10 s against sockleak's own server.\n",
	.opts = run_opts,
	.epilogue = "Exit codes: 0 CLEAN or BOUNDED (below --fail-on), 1 at or above --fail-on\n"
		    "(default: BACKLOG or LEAK), 2 usage error, 3 runtime error.\n",
};

static int parse_args(int argc, char **argv, struct run_config *cfg)
{
	int first, r = opt_parse(&command_run, argc, argv, cfg, &first);

	if (r)
		return r;
	if (first < argc) {
		sl_err("unexpected argument '%s'", argv[first]);
		return -EINVAL;
	}
	if (cfg->warmup > 0 && cfg->seconds > 0 && !cfg->ops && cfg->warmup >= cfg->seconds) {
		sl_err("--warmup %gs leaves nothing of --seconds %gs to fit; make it shorter",
		       cfg->warmup, cfg->seconds);
		return -EINVAL;
	}
	return 0;
}

void run_defaults(struct run_config *cfg)
{
	run_config_defaults(cfg);
	cfg->baseline = 3;
	cfg->warmup = 0;
	cfg->quiesce_max = 90;
	cfg->interval = 0.1;
	cfg->teardown = true;
	cfg->cgroup = sl_is_root();
	cfg->fail_on = FAIL_ON_DEFAULT;
}

/* How the run went, for the reports to say after the evidence. */
/* Where the text report goes: stdout, or stderr when stdout carries the JSON (--json -). */
static FILE *text_out(const struct run_config *cfg)
{
	return cfg->json_path && !strcmp(cfg->json_path, "-") ? stderr : stdout;
}

static void facts_of(const struct run_config *cfg, const struct run_output *o, struct run_facts *x)
{
	memset(x, 0, sizeof(*x));
	x->signal = o->signal;
	snprintf(x->guard, sizeof(x->guard), "%s", o->guard);
	x->settled = o->settled;
	snprintf(x->unsettled, sizeof(x->unsettled), "%s", o->settle);
	x->quiesce_max = cfg->quiesce_max;
	x->cgroup = o->cgroup_version > 0;
	snprintf(x->cgroup_why, sizeof(x->cgroup_why), "%s", o->cgroup_why);
	x->text_width = wrap_width(text_out(cfg));
}

/* Each output file is written even when another failed: nothing measured is lost. */
int run_write_reports(const struct run_config *cfg, const struct run_output *o,
		      const struct machine *m, const struct confirm_result *conf)
{
	const char *names[ENGINE_MAX_OPS];
	struct report_in in = { &o->series, &o->result, cfg, m, NULL, conf };
	struct run_facts facts;
	json_t *eng;
	unsigned i;
	int rc = 0;

	for (i = 0; i < cfg->seq->nops; i++)
		names[i] = seq_op_name(cfg->seq->ops[i].kind);
	eng = report_engine_json(&o->stats, names, cfg->seq->nops);
	in.engine = eng;
	facts_of(cfg, o, &facts);
	in.facts = &facts;
	in.attr = &o->attribution;
	if (cfg->json_path && report_json(cfg->json_path, &in))
		rc = -EIO;
	if (cfg->csv_path && report_csv(cfg->csv_path, &o->series))
		rc = -EIO;
	if (cfg->html_path && report_html(cfg->html_path, &in))
		rc = -EIO;
	if (cfg->junit_path &&
	    report_junit_run(cfg->junit_path, &in, cfg->fail_on, wrap_width(text_out(cfg))))
		rc = -EIO;
	json_decref(eng);
	return rc;
}

static void print_run(FILE *f, const struct run_config *cfg, const struct run_output *o)
{
	struct run_facts facts;

	facts_of(cfg, o, &facts);
	report_text(f, &o->series, &o->result, cfg, wrap_width(f));
	report_text_attribution(f, &o->series, &o->attribution, wrap_width(f));
	report_text_facts(f, &facts);
}

/*
 * --confirm: the same run with three times the cycles; a leak's residual scales with them. Fills c
 * and sets *have when both runs were analysed and compared.
 */
static int confirm(struct run_config *cfg, struct run_output *a, FILE *f, struct confirm_result *c,
		   bool *have)
{
	struct run_config longer = *cfg;
	struct run_output *b = calloc(1, sizeof(*b));
	int rc;

	if (!b)
		return SL_EXIT_RUNTIME;
	if (cfg->ops)
		longer.ops = cfg->ops * 3;
	else
		longer.seconds = cfg->seconds * 3;
	if (!cfg->quiet)
		sl_err("confirming with a run of 3x the %s",
		       cfg->ops ? "cycles (--ops)" : "length (--seconds)");
	rc = run_measure(&longer, b);
	if (!rc && !b->signal &&
	    !analysis_confirm(&a->series, &a->result, &b->series, &b->result, &a->params, c)) {
		fprintf(f, "\n");
		report_text_confirm(f, &a->series, c, wrap_width(f));
		*have = true;
	} else if (!rc) {
		if (b->signal)
			a->signal = b->signal;
		sl_err("confirmation run interrupted or not analysable: verdict from the first run");
	}
	run_output_free(b);
	free(b);
	return rc;
}

int cmd_run(int argc, char **argv)
{
	struct run_config cfg = { 0 };
	struct run_output *o = NULL;
	struct confirm_result conf = { 0 };
	bool have_conf = false;
	struct machine m;
	enum verdict v;
	FILE *out;
	int rc, r;

	run_defaults(&cfg);
	r = parse_args(argc, argv, &cfg);
	if (r == OPT_EXIT)
		return SL_EXIT_OK;
	if (r)
		return SL_EXIT_USAGE;
	rc = engine_opts_finish(&cfg);
	if (rc)
		return rc;
	machine_init(&m, "");
	machine_set_run(&m, &cfg);
	o = calloc(1, sizeof(*o));
	if (!o) {
		rc = SL_EXIT_RUNTIME;
		goto done;
	}
	rc = run_measure(&cfg, o);
	if (!o->analysed)
		goto done;
	m.cgroup = o->cgroup_version > 0;
	m.netns = o->netns;
	/* With --json -, stdout carries the JSON: the text goes to stderr. */
	out = text_out(&cfg);
	print_run(out, &cfg, o);
	v = o->result.verdict;
	if (cfg.confirm && !o->signal && !rc) {
		rc = confirm(&cfg, o, out, &conf, &have_conf);
		if (have_conf)
			v = conf.final;
	}
	if (run_write_reports(&cfg, o, &m, have_conf ? &conf : NULL) && !rc)
		rc = SL_EXIT_RUNTIME;
	if (!rc && o->signal)
		rc = 128 + o->signal;
	if (!rc)
		rc = cfg.fail_on & (1u << v) ? SL_EXIT_FAIL : SL_EXIT_OK;
done:
	confirm_free(&conf);
	if (o)
		run_output_free(o);
	free(o);
	engine_opts_free(&cfg);
	return rc;
}
