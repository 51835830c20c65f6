/* The engine's command-line options, parsed in one place for churn, run and sweep. */
#ifndef SOCKLEAK_ENGINE_OPTS_H
#define SOCKLEAK_ENGINE_OPTS_H

#include <getopt.h>
#include <stdio.h>

#include "config.h"

/* getopt_long values of the engine's options; a command's own use other values (< 0x1000). */
enum engine_opt_val {
	EO_SEQUENCE = 0x1000,
	EO_TRANSPORT,
	EO_THREADS,
	EO_SECONDS,
	EO_OPS,
	EO_RATE,
	EO_YIELD,
	EO_INJECT_LEAK,
	EO_ALLOW_OPEN,
	EO_SERVER_THREADS,
	EO_SERVER_CLOSE,
	EO_BACKLOG,
	EO_NO_NETNS,
	EO_NETNS_SYSCTL,
	EO_TARGET,
	EO_LIST_OPTIONS,
	EO_LIST_PRESETS,
};

/* Entries for a command's struct option table: { ENGINE_LONG_OPTIONS, own..., { 0 } }. */
#define ENGINE_LONG_OPTIONS                                                       \
	{ "sequence", required_argument, NULL, EO_SEQUENCE },                     \
		{ "transport", required_argument, NULL, EO_TRANSPORT },           \
		{ "threads", required_argument, NULL, EO_THREADS },               \
		{ "seconds", required_argument, NULL, EO_SECONDS },               \
		{ "ops", required_argument, NULL, EO_OPS },                       \
		{ "rate", required_argument, NULL, EO_RATE },                     \
		{ "yield", no_argument, NULL, EO_YIELD },                         \
		{ "inject-leak", required_argument, NULL, EO_INJECT_LEAK },       \
		{ "allow-open", no_argument, NULL, EO_ALLOW_OPEN },               \
		{ "server-threads", required_argument, NULL, EO_SERVER_THREADS }, \
		{ "server-close", required_argument, NULL, EO_SERVER_CLOSE },     \
		{ "backlog", required_argument, NULL, EO_BACKLOG },               \
		{ "no-netns", no_argument, NULL, EO_NO_NETNS },                   \
		{ "netns-sysctl", required_argument, NULL, EO_NETNS_SYSCTL },     \
		{ "target", required_argument, NULL, EO_TARGET },                 \
		{ "list-options", no_argument, NULL, EO_LIST_OPTIONS },           \
	{                                                                         \
		"list-presets", no_argument, NULL, EO_LIST_PRESETS                \
	}

#define ENGINE_OPT_EXIT 1 /* engine_opt printed a list: the command exits 0 */

/* Engine defaults: kb171996 over tcp, 1 client thread, 10 s, one server thread per core. */
void run_config_defaults(struct run_config *cfg);
/*
 * Handles one getopt_long result. 0: consumed; ENGINE_OPT_EXIT: printed a list, exit 0;
 * -ENOENT: not an engine option (the command handles it); -EINVAL: bad value (message printed).
 */
int engine_opt(int c, const char *arg, struct run_config *cfg);
/*
 * After the last option: expands a preset, compiles the sequence for the transport (caret
 * messages), resolves defaults and checks the combination. 0 or SL_EXIT_USAGE.
 */
int engine_opts_finish(struct run_config *cfg);
/* Frees what engine_opts_finish allocated (the compiled sequence). */
void engine_opts_free(struct run_config *cfg);
/* The options' help, for a command's --help. */
void engine_opts_help(FILE *f);

const char *server_close_name(enum server_close m);

#endif
