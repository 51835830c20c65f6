/* The options of a measured run that run and sweep share, one table row each. */
#include "cli/measure_opts.h"

#include <errno.h>
#include <string.h>

#include "model/result.h"
#include "common.h"

int measure_parse_fail_on(const struct opt_call *c, const char *arg)
{
	static const struct {
		const char *name;
		enum verdict v;
	} names[] = {
		{ "leak", VERDICT_LEAK },
		{ "backlog", VERDICT_BACKLOG },
		{ "inconclusive", VERDICT_INCONCLUSIVE },
		{ "bounded", VERDICT_BOUNDED },
	};
	unsigned *mask = c->field;
	size_t i;
	int v;

	/* Every verdict at least as severe fails. */
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (strcmp(arg, names[i].name))
			continue;
		*mask = 0;
		for (v = names[i].v; v < VERDICT_COUNT; v++)
			*mask |= 1u << v;
		return 0;
	}
	return opt_bad(c, arg, "choose leak, backlog, inconclusive or bounded");
}

#define RC struct run_config

/* --attribute-objects and --attribute-sample tune attribution: asking for them asks for it. */
static int parse_attribute_objects(const struct opt_call *c, const char *arg)
{
	int err = opt_u64(c, arg);

	if (!err)
		((RC *)c->obj)->attribute = true;
	return err;
}

/*
 * --quiesce-max given: quiesce waits for TIME_WAIT to expire, up to it. Without it, the TIME_WAIT
 * sockets of the run's own netns go with the netns at teardown, and quiesce need not wait.
 */
static int parse_quiesce_max(const struct opt_call *c, const char *arg)
{
	int err = opt_seconds(c, arg);

	if (!err)
		((RC *)c->obj)->quiesce_tw = true;
	return err;
}

const struct opt measure_opts[] = {
	{ "baseline", .arg = "DUR", OPT_SECONDS(RC, baseline), .min = 0.5, .group = G_PHASES,
	  .help = "idle measurement before churn (default 3s)" },
	{ "quiesce-max", .arg = "DUR", .kind = OPT_DURATION, .parse = parse_quiesce_max,
	  .off = OPT_AT(RC, quiesce_max, double), .group = G_PHASES,
	  .help = "longest wait after churn for metrics to settle; ends early when settled. "
		  "Default: 12s, the run's TIME_WAIT sockets go with its netns at teardown (90s "
		  "without a netns of its own). Given, quiesce also waits for TIME_WAIT (60s) to "
		  "expire, up to it" },
	{ "no-teardown", OPT_OFF(RC, teardown), .group = G_PHASES,
	  .help = "do not measure again after the netns is destroyed" },
	{ "interval", .arg = "DUR", OPT_SECONDS(RC, interval), .min = 0.01, .group = G_PHASES,
	  .help = "sampling interval (default 100ms)" },
	{ "no-cgroup", OPT_OFF(RC, cgroup), .group = G_PHASES,
	  .help = "do not run in a memory cgroup of its own" },
	{ "fail-on", .arg = "VERDICT", .kind = OPT_CHOICE, .parse = measure_parse_fail_on,
	  .off = OPT_AT(RC, fail_on, unsigned), .choices = "leak backlog inconclusive bounded",
	  .group = G_VERDICT,
	  .help = "exit 1 when the overall verdict is VERDICT or worse: leak, backlog (default), "
		  "inconclusive or bounded (severity: clean < bounded < inconclusive < backlog < "
		  "leak)" },
	{ "json", .arg = "FILE", OPT_STR(RC, json_path, OPT_FILE_OUT), .group = G_VERDICT,
	  .help = "the report and the time series as JSON (schema 3; \"-\": stdout)" },
	{ "full-series", OPT_ON(RC, full_series), .group = G_VERDICT,
	  .help = "with --json (sweep: --json-dir): every column's \"values\", the constant "
		  "ones' too; without it a column that never moved (every sample the same number) is written "
		  "as that one \"value\" (nothing is lost: report, compare and the CSV read it "
		  "back whole)" },
	{ "html", .arg = "FILE", OPT_STR(RC, html_path, OPT_FILE_OUT), .group = G_VERDICT,
	  .help = "a self-contained HTML report with charts" },
	{ "junit", .arg = "FILE", OPT_STR(RC, junit_path, OPT_FILE_OUT), .group = G_VERDICT,
	  .help = "a JUnit XML report for CI: a test case for the verdict and one per decisive "
		  "metric, each failing at or above --fail-on; the text report as its output" },
	{ "quiet", 'q', OPT_ON(RC, quiet), .group = G_VERDICT,
	  .help = "no progress line, no notes on probes that are off" },
	{ "attribute", OPT_ON(RC, attribute), .group = G_WHERE,
	  .help = "track the kernel allocations of the run's own threads (eBPF) and name the "
		  "kernel stacks of what the run kept, per cycle (\"Where it was allocated\"); TCP "
		  "states are then counted in the kernel. Without root, BTF or BPF it says why in "
		  "one line and the run goes on without it" },
	{ "attribute-objects", .arg = "N", .kind = OPT_INT, .parse = parse_attribute_objects,
	  .off = OPT_AT(RC, attribute_objects, uint64_t), .min = 16, .max = 1 << 26,
	  .group = G_WHERE,
	  .help = "objects --attribute tracks at once (default 262144); implies --attribute. "
		  "Allocations past it are counted as lost, and the report says so" },
	{ "attribute-sample", .arg = "N", .kind = OPT_INT, .parse = parse_attribute_objects,
	  .off = OPT_AT(RC, attribute_sample, uint64_t), .min = 1, .max = 1 << 20, .group = G_WHERE,
	  .help = "walk the kernel stack of 1 in N tracked allocations, drawn at random (default "
		  "1: every one, exact); implies --attribute. Every object is still tracked, so what "
		  "each cache keeps stays exact; each stack's share of its call site's objects is "
		  "then an estimate, and the report gives its 95% interval" },
	{ 0 },
};
