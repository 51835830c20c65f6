/* The options of a measured run that run and sweep share: phases, the verdict gate, outputs. */
#ifndef SOCKLEAK_MEASURE_OPTS_H
#define SOCKLEAK_MEASURE_OPTS_H

#include <getopt.h>
#include <stdio.h>

#include "cli/engine_opts.h"
#include "config.h"

/* getopt_long values, apart from the engine's (0x1000...) and a command's own (< 0x1000). */
enum measure_opt_val {
	MO_BASELINE = 0x2000,
	MO_QUIESCE_MAX,
	MO_NO_TEARDOWN,
	MO_INTERVAL,
	MO_FAIL_ON,
	MO_JSON,
	MO_HTML,
	MO_NO_CGROUP,
	MO_QUIET,
	MO_HELP,
};

/* Entries for a command's struct option table, beside ENGINE_LONG_OPTIONS; short options "hq". */
#define MEASURE_LONG_OPTIONS                                                \
	{ "baseline", required_argument, NULL, MO_BASELINE },               \
		{ "quiesce-max", required_argument, NULL, MO_QUIESCE_MAX }, \
		{ "no-teardown", no_argument, NULL, MO_NO_TEARDOWN },       \
		{ "interval", required_argument, NULL, MO_INTERVAL },       \
		{ "fail-on", required_argument, NULL, MO_FAIL_ON },         \
		{ "json", required_argument, NULL, MO_JSON },               \
		{ "html", required_argument, NULL, MO_HTML },               \
		{ "no-cgroup", no_argument, NULL, MO_NO_CGROUP },           \
		{ "quiet", no_argument, NULL, MO_QUIET },                   \
	{                                                                   \
		"help", no_argument, NULL, MO_HELP                          \
	}

/*
 * Where the values go. run writes the phases and paths into its configuration; sweep keeps the
 * phases to plan each variant's and writes one report per variant under --html DIR.
 */
struct measure_opts {
	const char *cmd; /* names the command in messages */
	struct run_config *cfg; /* --no-teardown, --interval, --fail-on, --no-cgroup, --quiet */
	double *baseline, *quiesce_max;
	const char **json, **html;
	void (*help)(FILE *f); /* the command's --help */
};

/*
 * Handles one getopt_long result. 0: consumed; ENGINE_OPT_EXIT: printed the command's help, exit 0;
 * -ENOENT: not one of these; -EINVAL: bad value (said with sl_err).
 */
int measure_opt(const struct measure_opts *m, int c, const char *arg);
/* --fail-on VERDICT -> the mask of verdicts that exit 1. 0 or -EINVAL (said with sl_err). */
int measure_parse_fail_on(const char *cmd, const char *arg, unsigned *mask);
/* A duration option of at least min seconds. 0 or -EINVAL (said with sl_err). */
int measure_parse_seconds(const char *cmd, const char *opt, const char *arg, double min,
			  double *out);

#endif
