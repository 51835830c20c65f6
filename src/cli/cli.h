/* The subcommands: each a struct command (cli/opt.h) with its entry point, options and help. */
#ifndef SOCKLEAK_CLI_H
#define SOCKLEAK_CLI_H

#include "cli/opt.h"

int cmd_run(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_churn(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_repro(int argc, char **argv);
int cmd_vm(int argc, char **argv);

extern const struct command command_run, command_sweep, command_merge, command_churn, command_watch,
	command_report, command_compare, command_repro, command_vm;

/* Every command, in the order `sockleak --help` lists them, ending with NULL. */
extern const struct command *const commands[];

struct run_config;
/* run's defaults, shared with sweep (src/cli/run.c): the engine's, 3 s baseline, 90 s quiesce
 * maximum, teardown, a memory cgroup when root, fail on BACKLOG. */
void run_defaults(struct run_config *cfg);

struct vm_kernels;
/*
 * run --kernels (src/cli/run_kernels.c, Linux only): the run of argv (cfg, already checked) on
 * each kernel of k in turn, each one's outputs named after it, and a closing line across them.
 * Returns the worst of their exit codes (128+N, then 3, then 2, then 1).
 */
int run_kernels(const struct run_config *cfg, const struct vm_kernels *k, int argc, char **argv);

#endif
