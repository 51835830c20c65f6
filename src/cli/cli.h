/* The subcommands: each a struct command (cli/opt.h) with its entry point, options and help. */
#ifndef SOCKLEAK_CLI_H
#define SOCKLEAK_CLI_H

#include "cli/opt.h"

int cmd_run(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_churn(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_repro(int argc, char **argv);
int cmd_vm(int argc, char **argv);

extern const struct command command_run, command_sweep, command_churn, command_watch,
	command_report, command_compare, command_repro, command_vm;

/* Every command, in the order `sockleak --help` lists them, ending with NULL. */
extern const struct command *const commands[];

/* Shared by run and sweep (src/cli/run.c); cmd names the command in messages. */
struct run_config;
struct run_output;
struct machine;
/* run's defaults: the engine's, 3 s baseline, 90 s quiesce maximum, teardown, fail on BACKLOG. */
void run_defaults(struct run_config *cfg);
struct confirm_result;
/* Writes cfg's --json, --csv and --html files of a measured run (with --confirm's result, or
 * NULL). 0 or -EIO. */
int run_write_reports(const struct run_config *cfg, const struct run_output *o,
		      const struct machine *m, const struct confirm_result *conf);

#endif
