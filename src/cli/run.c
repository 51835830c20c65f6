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
#include "report/failures.h"
#include "report/machine.h"
#include "run/outputs.h"
#include "run/run.h"
#include "run/stop.h"
#include "vm/kernels.h"

#define RC struct run_config

/* What run's command line sets: the run, and the kernels it runs on (--kernels). */
struct run_args {
	struct run_config cfg; /* first: the shared tables' rows are at their run_config offsets */
	struct vm_kernels kernels;
};

static const struct opt run_opts[] = {
	OPT_INCLUDE(engine_opts),
	OPT_INCLUDE(measure_opts),
	{ "warmup", .arg = "DUR", OPT_SECONDS(RC, warmup), .group = G_PHASES,
	  .help = "first part of churn left out of the fits (default 0)" },
	{ "confirm", OPT_ON(RC, confirm), .group = G_PHASES,
	  .help = "run again with 3x the cycles: a true leak's residual scales" },
	{ "allow-failures", OPT_ON(RC, allow_failures), .group = G_VERDICT,
	  .help = "cycles that nearly all fail (90% or more: a refused connect, a bad option) are "
		  "intended: give the verdict's exit code, not 3" },
	{ "csv", .arg = "FILE", OPT_STR(RC, csv_path, OPT_FILE_OUT), .group = G_VERDICT,
	  .help = "the time series as CSV" },
#ifndef _WIN32 /* QEMU guests are Linux's */
	OPT_INCLUDE_AT(vm_kernels_opts, struct run_args, kernels),
#endif
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
	.epilogue =
		"Signals: Ctrl-C (SIGINT) once during churn stops the loop and moves on to quiesce,\n"
		"so the verdict covers what ran; Ctrl-C again, SIGTERM or SIGHUP ends the run at\n"
		"once with what was measured. Either way the reports are written, the netns and\n"
		"cgroup removed, and sockleak exits 128+signal. A third signal, or one while the\n"
		"reports are written, ends it at once (its cgroup still removed).\n"
		"\n"
		"Exit codes: 0 CLEAN or BOUNDED (below --fail-on), 1 at or above --fail-on\n"
		"(default: BACKLOG or LEAK), 2 usage error, 3 runtime error, stopped by the\n"
		"memory guard, or 90% or more of the cycles failed (without --allow-failures;\n"
		"the report leads with FAILED CYCLES and lists the errors by op and errno),\n"
		"128+N stopped by signal N (SIGINT: 130). When several apply:\n"
		"128+N (even after a Ctrl-C that still gave a verdict), then 3, then 1.\n"
#ifndef _WIN32
		"\n"
		"Across kernels: --kernels host,IMAGE,... runs the same run on each kernel in turn,\n"
		"this machine's natively and each image in a VM (as 'sockleak vm' boots it); each\n"
		"kernel's text report is headed by its release, its files are named after it\n"
		"(--json out.json: out.6.1.0-47-amd64.json, out.6.18.44.json; likewise --html,\n"
		"--junit, --csv; '-' is refused), and a closing line says what each kernel gave:\n"
		"'Across kernels: LEAK on 6.1.0-47-amd64, CLEAN on 6.18.44'. The exit code is the\n"
		"worst of the kernels' (as above); a kernel whose VM did not boot or run is NOT RUN,\n"
		"with the reason, and exits 3, never CLEAN.\n"
#endif
	,
};

static int parse_args(int argc, char **argv, struct run_args *a)
{
	struct run_config *cfg = &a->cfg;
	int first, r = opt_parse(&command_run, argc, argv, a, &first);

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

/* One run on this machine's kernel: phases, verdict, reports. */
static int run_here(struct run_config *cfg)
{
	struct run_output *o = NULL;
	struct confirm_result conf = { 0 };
	bool have_conf = false, failed;
	struct machine m;
	enum verdict v;
	FILE *out;
	int rc;

	machine_init(&m, "");
	machine_set_run(&m, cfg);
	o = calloc(1, sizeof(*o));
	if (!o) {
		rc = SL_EXIT_RUNTIME;
		goto done;
	}
	/* Signals end phases until the reports are written; from then on they end sockleak. */
	stop_begin();
	rc = run_measure(cfg, o);
	if (!o->analysed) {
		stop_end();
		rc = sl_exit_code(o->signal, true, false);
		goto done;
	}
	m.cgroup = o->cgroup_version > 0;
	m.netns = o->netns;
	out = run_text_out(cfg);
	run_print(out, cfg, o);
	v = o->result.verdict;
	rc = failures_exit((double)o->stats.cycles, (double)o->stats.failed_cycles,
			   cfg->allow_failures, "FAILED CYCLES above");
	if (cfg->confirm && !o->signal && !o->guard[0] && !rc) {
		rc = run_confirm(cfg, o, out, &conf, &have_conf);
		if (have_conf)
			v = conf.final;
	}
	stop_end();
	failed = rc != 0 || o->server_lost;
	if (run_write_reports(cfg, o, &m, have_conf ? &conf : NULL))
		failed = true;
	rc = sl_exit_code(o->signal, failed || o->guard[0], cfg->fail_on & (1u << v));
done:
	confirm_free(&conf);
	if (o)
		run_output_free(o);
	free(o);
	return rc;
}

int cmd_run(int argc, char **argv)
{
	struct run_args a = { 0 };
	int r, rc;

	run_defaults(&a.cfg);
#ifndef _WIN32
	vm_kernels_defaults(&a.kernels);
#endif
	r = parse_args(argc, argv, &a);
	if (r == OPT_EXIT)
		return SL_EXIT_OK;
	if (r)
		return SL_EXIT_USAGE;
	rc = engine_opts_finish(&a.cfg);
	if (rc)
		return rc;
	if (a.cfg.full_series && !a.cfg.json_path) {
		sl_err("--full-series shapes the JSON report: give --json FILE too");
		engine_opts_free(&a.cfg);
		return SL_EXIT_USAGE;
	}
#ifndef _WIN32
	if (a.kernels.list)
		rc = run_kernels(&a.cfg, &a.kernels, argc, argv);
	else
#endif
		rc = run_here(&a.cfg);
	engine_opts_free(&a.cfg);
	return rc;
}
