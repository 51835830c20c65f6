/* sockleak repro: writes a saved run as one self-contained C program, for a bug report. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common.h"
#include "report/out.h"
#include "report/report.h"
#include "repro/repro.h"

struct args {
	uint64_t cycles;
};

#define A struct args

static const struct opt repro_opts[] = {
	{ "cycles", .arg = "N", OPT_U64(A, cycles), .flags = OPT_ABOVE,
	  .help = "cycles the program loops (default: enough for the residual per cycle of the "
		  "metric that made the verdict to reach ten times the noise the run measured; "
		  "as many as the run had when nothing was kept)" },
	OPT_HELP_ROW,
	{ 0 },
};

const struct command command_repro = {
	.name = "repro",
	.fn = cmd_repro,
	.summary = "write a saved run as a self-contained C reproducer",
	.synopsis = "FILE.json [--cycles N] > repro.c",
	.operand = OPT_FILE_IN,
	.about = "Writes, on standard output, one C file that needs only libc and the kernel's\n"
		 "headers: it sets up what the run had (its network namespace, sockleak's local\n"
		 "server doing with each connection what the run's did: its --server-sequence or\n"
		 "--server-close mode; the sequence with its socket options), loops\n"
		 "the sequence, and prints the figures that moved (the sockstat line, the slab\n"
		 "cache lines, its fds, its memory cgroup's kernel memory) before and after,\n"
		 "with their growth per cycle: ready to paste into a bug report. The kernel and\n"
		 "the sockleak command are in a comment at the top.\n"
		 "  cc -O2 -Wall repro.c -o repro -pthread && ./repro\n",
	.opts = repro_opts,
	.epilogue =
		"Exit codes: 0 written, 2 usage error, FILE is not a sockleak JSON report or a\n"
		"            run it cannot reproduce (--target, netns per cycle), 3 not written.\n",
};

/* The command the run was, as far as its report says. */
static void run_command(const struct report_run *run, char *buf, size_t size)
{
	const struct run_config *c = &run->cfg;
	unsigned i;
	int n = snprintf(buf, size, "sockleak run --sequence '%s' --transport %s",
			 c->preset ? c->preset : c->sequence, transport_name(c->transport));

	if (c->inject_leak && n > 0 && (size_t)n < size)
		n += snprintf(buf + n, size - n, " --inject-leak %llu",
			      (unsigned long long)c->inject_leak);
	for (i = 0; i < c->nsysctl && n > 0 && (size_t)n < size; i++)
		n += snprintf(buf + n, size - n, " --netns-sysctl '%s'", c->netns_sysctl[i]);
	if (c->server_sequence && n > 0 && (size_t)n < size)
		snprintf(buf + n, size - n, " --server-sequence '%s'", c->server_sequence);
	else if (c->server_close != SC_EOF && n > 0 && (size_t)n < size)
		snprintf(buf + n, size - n, " --server-close %s",
			 server_close_name(c->server_close));
}

int cmd_repro(int argc, char **argv)
{
	struct args a = { 0 };
	struct report_run run;
	char why[512], cmd[1024];
	int first, err;

	err = opt_parse(&command_repro, argc, argv, &a, &first);
	if (err)
		return err == OPT_EXIT ? SL_EXIT_OK : SL_EXIT_USAGE;
	if (first != argc - 1) {
		sl_err("name the saved run: sockleak repro FILE.json > repro.c");
		return SL_EXIT_USAGE;
	}
	if (report_json_load(argv[first], &run)) {
		report_run_free(&run);
		return SL_EXIT_USAGE;
	}
	run_command(&run, cmd, sizeof(cmd));
	err = repro_write(stdout, &run, a.cycles ? a.cycles : repro_default_cycles(&run), cmd, why,
			  sizeof(why));
	report_run_free(&run);
	if (err == -EINVAL) {
		sl_err("%s: %s", argv[first], why);
		return SL_EXIT_USAGE;
	}
	if (err || fflush(stdout)) {
		sl_err("cannot write the reproducer: %s", strerror(err ? -err : errno));
		return SL_EXIT_RUNTIME;
	}
	return SL_EXIT_OK;
}
