/* The commands, in the order `sockleak --help` lists them. */
#include "cli/cli.h"

const struct command *const commands[] = {
	&command_run,	  &command_sweep, &command_churn, &command_watch, &command_report,
	&command_compare, &command_repro, &command_vm,	  NULL,
};
