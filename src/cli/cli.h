/* The subcommands, one entry point each: int cmd_NAME(int argc, char **argv) -> exit code. */
#ifndef SOCKLEAK_CLI_H
#define SOCKLEAK_CLI_H

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);

/* The table main() dispatches on, ending with a NULL name. */
extern const struct command commands[];

int cmd_churn(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_sweep(int argc, char **argv);

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
