/* sockleak watch: the kernel pools socket work touches, live (or one snapshot), with no workload. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common.h"
#include "run/cgroup.h"
#include "report/live.h"
#include "run/sampler.h"
#include "run/stop.h"

struct args {
	double interval;
	bool once;
	unsigned pid;
	const char *cgroup, *netns;
	unsigned port;
	const char *unix_path;
	enum live_sort sort;
	bool sorted; /* --sort given */
	unsigned top;
};

static int parse_sort(const struct opt_call *c, const char *arg)
{
	struct args *a = c->obj;

	a->sorted = true;
	return opt_enum(c, arg);
}

#define A struct args

static const struct opt watch_opts[] = {
	{ "interval", 'i', "DUR", OPT_SECONDS(A, interval), .min = 0.01, .max = 3600,
	  .help = "refresh and sampling interval (default 1s; e.g. 250ms, 2s)" },
	{ "once", '1', OPT_ON(A, once), .help = "print one snapshot of every section and exit" },
	{ "pid", 'p', "PID", .kind = OPT_PID, .parse = opt_uint, .off = OPT_AT(A, pid, unsigned),
	  .min = 1, .max = INT_MAX,
	  .help = "watch this process: its fds/RSS/threads, its memory cgroup and its network "
		  "namespace (unless --cgroup/--netns say otherwise)" },
	{ "cgroup", 'c', "DIR", OPT_STR(A, cgroup, OPT_CGROUP),
	  .help = "memory cgroup directory for memcg figures (default: the watched process's)" },
	{ "netns", 'n', "PATH", OPT_STR(A, netns, OPT_NETNS),
	  .help = "network namespace for sockstat, netstat and socket states: a path "
		  "(/run/netns/NAME, /proc/PID/ns/net) or a NAME" },
	{ "port", .arg = "PORT", OPT_UINT(A, port), .min = 1, .max = 65535,
	  .help = "count TCP sockets by side: client (to PORT), server (from PORT)" },
	{ "unix", .arg = "PATH", OPT_STR(A, unix_path, OPT_TEXT),
	  .help = "count UNIX sockets by side around the listener PATH (@abstract)" },
	{ "sort", 's', "KEY", .kind = OPT_CHOICE, .parse = parse_sort, .off = OPT_AT_ENUM(A, sort),
	  .choices = "growth rate size", .help = "slab order: growth (default), rate or size" },
	{ "top", 't', "N", OPT_UINT(A, top), .max = INT_MAX,
	  .help = "slab caches in a snapshot (default 30; 0: all)" },
	OPT_HELP_ROW,
	{ 0 },
};

const struct command command_watch = {
	.name = "watch",
	.fn = cmd_watch,
	.summary = "show the kernel pools socket work touches, live (poolmon-like)",
	.synopsis = "[OPTIONS]",
	.about =
		"Shows the kernel pools socket work touches, live: slab caches sorted by growth since\n"
		"start (keys: g growth, r the objs/s rate, s size; q quits), sockstat, TCP and UNIX\n"
		"socket states, netstat counters that moved, meminfo and memcg totals, and a process's\n"
		"fds and RSS. With --once, or when stdout is not a terminal, prints one plain snapshot\n"
		"and exits: the TCP states that matter are always listed, zeros included; growth and\n"
		"rates need two samples, so a snapshot has none.\n",
	.opts = watch_opts,
	.epilogue =
		"Per-cache slab figures need root (/proc/slabinfo); the rest works without.\n"
		"\n"
		"Exit codes: 0 done (q, or a signal: Ctrl-C, SIGTERM and SIGHUP end the view as q\n"
		"does and put the terminal back), 2 usage error, 3 runtime error (nothing could be\n"
		"watched).\n",
};

static bool signalled(void *arg)
{
	(void)arg;
	return stop_count() > 0;
}

static int open_netns(const char *arg, int *fd)
{
	char path[PATH_MAX];

	if (strchr(arg, '/'))
		snprintf(path, sizeof(path), "%s", arg);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", arg);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0) {
		sl_err("cannot open network namespace %s: %s", path, strerror(errno));
		return -errno;
	}
	return 0;
}

int cmd_watch(int argc, char **argv)
{
	struct args a = { .interval = 1, .sort = LIVE_SORT_GROWTH, .top = 30 };
	struct live_opts lo;
	struct sampler_cfg cfg = { .ctx = { .root = "", .netns_fd = -1 } };
	const char *netns, *cgroup;
	char cgdir[PATH_MAX], title[PATH_MAX + 32];
	struct sampler *sp = NULL;
	struct series s;
	long pid;
	int first, err, rc = SL_EXIT_RUNTIME;

	err = opt_parse(&command_watch, argc, argv, &a, &first);
	if (err)
		return err == OPT_EXIT ? SL_EXIT_OK : SL_EXIT_USAGE;
	if (first < argc) {
		sl_err("unexpected argument '%s'", argv[first]);
		return SL_EXIT_USAGE;
	}
	lo = (struct live_opts){ .refresh = a.interval, .sort = a.sort, .top = a.top };
	pid = a.pid;
	netns = a.netns;
	cgroup = a.cgroup;
	cfg.ctx.server_port = (uint16_t)a.port;
	cfg.ctx.server_path = a.unix_path;
#ifdef _WIN32
	if (netns || cgroup || a.unix_path) {
		sl_err("--%s is Linux-only (network namespaces, memory cgroups, UNIX sockets); "
		       "Windows has the host's pools and TCP tables",
		       netns  ? "netns" :
		       cgroup ? "cgroup" :
				"unix");
		return SL_EXIT_USAGE;
	}
#endif
#ifndef _WIN32 /* Windows: the process probe says when it cannot open the process */
	if (pid && kill((pid_t)pid, 0) && errno == ESRCH) {
		sl_err("--pid: no process %ld", pid);
		return SL_EXIT_RUNTIME;
	}
#endif
	cfg.ctx.pid = pid ? (pid_t)pid : getpid();
	if (netns && open_netns(netns, &cfg.ctx.netns_fd))
		return SL_EXIT_RUNTIME;
	if (!netns && pid) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%ld/ns/net", pid);
		/* Another user's namespace needs root: then the host's figures are shown. */
		cfg.ctx.netns_fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (cgroup) {
		cfg.ctx.cgroup = cgroup;
	} else if (!cgroup_of((pid_t)pid, cgdir, sizeof(cgdir), &cfg.ctx.cgroup_version)) {
		cfg.ctx.cgroup = cgdir;
	}
	cfg.interval = lo.refresh;
	if (pid)
		snprintf(title, sizeof(title), "pid %ld", pid);
	else if (netns)
		snprintf(title, sizeof(title), "netns %s", netns);
	else
		snprintf(title, sizeof(title), "host");
	lo.title = title;

	if ((err = series_init(&s, 0)))
		goto out_ns;
	if ((err = sampler_create(&cfg, &s, &sp)))
		goto out_series;
	if (a.once || !isatty(STDOUT_FILENO)) {
		/* One sample has no growth: the biggest caches say more. */
		if (!a.sorted)
			lo.sort = LIVE_SORT_SIZE;
		if (!(err = sampler_sample_now(sp)))
			err = live_print(stdout, &s, sampler_probes(sp), &lo);
	} else if (!(err = sampler_start(sp))) {
		/* A signal ends the view as q does: the terminal is put back. */
		stop_begin();
		lo.done = signalled;
		err = live_view_run(&s, sampler_probes(sp), &lo);
		stop_end();
	}
	if (err)
		sl_err("%s", strerror(-err));
	else
		rc = SL_EXIT_OK;
	sampler_destroy(sp);
out_series:
	series_free(&s);
out_ns:
	if (cfg.ctx.netns_fd >= 0)
		close(cfg.ctx.netns_fd);
	return rc;
}
