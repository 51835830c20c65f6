/* sockleak: subcommand dispatch. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common.h"

static void usage(FILE *f)
{
	const struct command *const *c;

	fprintf(f, "Usage: sockleak COMMAND [OPTIONS]\n"
		   "\n"
		   "Kernel-memory leak hunter for socket call sequences.\n"
		   "\n"
		   "Commands:\n");
	for (c = commands; *c; c++)
		fprintf(f, "  %-10s %s\n", (*c)->name, (*c)->summary);
	fprintf(f, "\n"
		   "Run 'sockleak COMMAND --help' for a command's options.\n"
		   "\n"
		   "Exit codes: 0 clean or bounded, 1 leak or backlog (see run --fail-on),\n"
		   "            2 usage error, 3 runtime error.\n");
}

/* What the command wrote to standard output must have arrived: else a runtime error (3). */
static int finish_stdout(int rc)
{
	errno = 0;
	if (!fflush(stdout) && !ferror(stdout))
		return rc;
	sl_err("cannot write standard output: %s", strerror(errno ? errno : EIO));
	return rc == SL_EXIT_OK || rc == SL_EXIT_FAIL ? SL_EXIT_RUNTIME : rc;
}

int main(int argc, char **argv)
{
	const struct command *const *c;

	if (argc < 2) {
		usage(stderr);
		return SL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return SL_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("sockleak %s\n", SOCKLEAK_VERSION);
		return SL_EXIT_OK;
	}
	/* A reader that went away is a write error (EPIPE, exit 3), not death by SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	for (c = commands; *c; c++)
		if (!strcmp(argv[1], (*c)->name))
			return finish_stdout((*c)->fn(argc - 1, argv + 1));
	sl_err("unknown command '%s'; run 'sockleak --help' for the list", argv[1]);
	return SL_EXIT_USAGE;
}
