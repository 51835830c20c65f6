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

#endif
