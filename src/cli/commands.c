/* The commands, in the order `sockleak --help` lists them. */
#include "cli/cli.h"

const struct command *const commands[] = {
	&command_run,
#ifndef _WIN32 /* sweep's variants, repro's C program and QEMU guests are Linux's */
	&command_sweep, &command_merge,
#endif
	&command_churn, &command_watch, &command_report, &command_compare,
#ifndef _WIN32
	&command_repro, &command_vm,
#endif
	NULL,
};
