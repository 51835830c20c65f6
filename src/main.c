/* sockleak: subcommand dispatch, the top-level help and where to start. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/engine_opts.h"
#include "common.h"
#include "config.h"
#include "report/fmt.h"
#include "report/wrap.h"
#include "run/run.h"
#include "run/sweep.h"

/* Where to start: the default run, and how long it takes, from its own defaults. */
static void start_here(FILE *f, int width)
{
	struct run_config d = { 0 };
	char text[1024], t1[32], t2[32];
	/* Quiesce: settled after ~6 s; TIME_WAIT sockets go with the run's netns at teardown. */
	double typical, most;

	run_defaults(&d);
	typical = d.baseline + ENGINE_DEFAULT_SECONDS + 6 + RUN_TEARDOWN_SECONDS;
	most = d.baseline + ENGINE_DEFAULT_SECONDS + RUN_QUIESCE_PURGED_MAX + RUN_TEARDOWN_SECONDS;
	snprintf(
		text, sizeof(text),
		"Start with 'sockleak run' (as root): the KB Q171996 sequence over tcp against "
		"sockleak's own server, %.0f s of baseline, %.0f s of churn, then quiesce until "
		"every pool has settled (TCP's TIME_WAIT sockets go with the run's netns) and a %.0f s "
		"teardown: "
		"about %s in all, at most %s, and a verdict with its evidence.",
		d.baseline, ENGINE_DEFAULT_SECONDS, RUN_TEARDOWN_SECONDS,
		sweep_fmt_duration(t1, sizeof(t1), typical),
		sweep_fmt_duration(t2, sizeof(t2), most));
	wrap_text(f, text, 0, 0, width);
}

static void usage(FILE *f, bool start)
{
	const struct command *const *c;
	int width = wrap_width(f);

	fprintf(f, "Usage: sockleak COMMAND [OPTIONS]\n"
		   "\n"
		   "Kernel-memory leak hunter for socket call sequences.\n\n");
	if (start) {
		start_here(f, width);
		fputc('\n', f);
	}
	fprintf(f, "Commands:\n");
	for (c = commands; *c; c++)
		fprintf(f, "  %-10s %s\n", (*c)->name, (*c)->summary);
	fprintf(f, "  %-10s %s\n", "help", "this help, or a command's: sockleak help run");
	fputc('\n', f);
	wrap_paragraphs(
		f,
		"'sockleak COMMAND --help' lists a command's options; 'man sockleak' and "
		"'man sockleak-COMMAND' are the manual.\n"
		"\n"
		"Exit codes: 0 clean or bounded, 1 leak or backlog (see run --fail-on), 2 usage "
		"error (before any work), 3 runtime error (the memory guard, a report that could "
		"not be written), 128+N ended by signal N (SIGINT: 130). When several apply: "
		"128+N, then 3, then 1.\n",
		width);
}

static const struct command *find(const char *name)
{
	const struct command *const *c;

	for (c = commands; *c; c++)
		if (!strcmp(name, (*c)->name))
			return *c;
	return NULL;
}

static void command_list(char *buf, size_t size)
{
	const struct command *const *c;
	size_t k = 0;

	buf[0] = '\0';
	for (c = commands; *c && k < size; c++)
		k += (size_t)snprintf(buf + k, size - k, "%s%s", k ? " " : "", (*c)->name);
}

#ifdef _WIN32
/* The commands this build leaves out: named as such, not as unknown. */
static bool linux_only(const char *name)
{
	static const char *const names[] = { "sweep", "merge", "repro", "vm" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}
#endif

/* sockleak help [COMMAND] */
static int help(int argc, char **argv)
{
	const struct command *c;
	char names[256];

	if (argc < 2 || !strcmp(argv[1], "help")) {
		usage(stdout, true);
		return SL_EXIT_OK;
	}
	sl_set_command("help");
	if (argc > 2) {
		sl_err("one topic at a time: sockleak help COMMAND");
		return SL_EXIT_USAGE;
	}
	c = find(argv[1]);
#ifdef _WIN32
	if (!c && linux_only(argv[1])) {
		sl_err("%s: runs on Linux only (its variants, C program or guests are Linux's); "
		       "run it there, and read its reports here with 'sockleak report'",
		       argv[1]);
		return SL_EXIT_USAGE;
	}
#endif
	if (!c) {
		command_list(names, sizeof(names));
		sl_err("no help on '%s': the topics are the commands, %s", argv[1], names);
		return SL_EXIT_USAGE;
	}
	opt_print_help(stdout, c);
	return SL_EXIT_OK;
}

/*
 * What the command wrote to standard output must have arrived: else a runtime error, which beats
 * a verdict (0, 1) and yields to usage errors and signals (sl_exit_code).
 */
static int finish_stdout(int rc)
{
	errno = 0;
	if (!fflush(stdout) && !ferror(stdout))
		return rc;
	sl_err("cannot write standard output: %s", strerror(errno ? errno : EIO));
	return rc == SL_EXIT_OK || rc == SL_EXIT_FAIL ? sl_exit_code(0, true, rc == SL_EXIT_FAIL) :
							rc;
}

int main(int argc, char **argv)
{
	const struct command *c;
	char names[256];
	int rc;

	if (argc < 2) {
		usage(stderr, true);
		return SL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout, true);
		return SL_EXIT_OK;
	}
	if (!strcmp(argv[1], "help"))
		return help(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("sockleak %s\n", SOCKLEAK_VERSION);
		return SL_EXIT_OK;
	}
	c = find(argv[1]);
	if (!c) {
		command_list(names, sizeof(names));
		sl_err("unknown command '%s'; the commands: %s", argv[1], names);
		fprintf(stderr, "Try 'sockleak --help' for more information.\n");
		return SL_EXIT_USAGE;
	}
	/*
	 * In a VM of sockleak vm, stdout is a serial port relayed to the host: written line by line
	 * as on a terminal, so that progress (a sweep's rows) comes as it is printed, not at the end.
	 */
	if (sl_vm())
		setvbuf(stdout, NULL, _IOLBF, 0);
	/* A reader that went away is a write error (EPIPE, exit 3), not death by SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	/* Every message names the command; a usage error ends with where to read more. */
	sl_set_command(c->name);
	rc = finish_stdout(c->fn(argc - 1, argv + 1));
	if (rc == SL_EXIT_USAGE)
		fprintf(stderr,
			"Try 'sockleak %s --help' or 'man sockleak-%s' for more information.\n",
			c->name, c->name);
	return rc;
}
