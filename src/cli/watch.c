/* sockleak watch: the kernel pools socket work touches, live (or one snapshot), with no workload. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common.h"
#include "engine/cgroup.h"
#include "report/live.h"
#include "sampler.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: sockleak watch [OPTIONS]\n"
		"\n"
		"Shows the kernel pools socket work touches, live: slab caches sorted by growth since\n"
		"start (keys: g growth, r rate, s size; q quits), sockstat, TCP and UNIX socket states,\n"
		"netstat counters that moved, meminfo and memcg totals, and a process's fds and RSS.\n"
		"With --once, or when stdout is not a terminal, prints one plain snapshot and exits.\n"
		"\n"
		"Options:\n"
		"  -i, --interval DUR   refresh and sampling interval (default 1s; e.g. 250ms, 2s)\n"
		"  -1, --once           print one snapshot of every section and exit\n"
		"  -p, --pid PID        watch this process: its fds/RSS/threads, its memory cgroup and\n"
		"                       its network namespace (unless --cgroup/--netns say otherwise)\n"
		"  -c, --cgroup DIR     memory cgroup directory for memcg figures (default: the\n"
		"                       watched process's)\n"
		"  -n, --netns PATH     network namespace for sockstat, netstat and socket states:\n"
		"                       a path (/run/netns/NAME, /proc/PID/ns/net) or a NAME\n"
		"      --port PORT      count TCP sockets by side: client (to PORT), server (from PORT)\n"
		"      --unix PATH      count UNIX sockets by side around the listener PATH (@abstract)\n"
		"  -s, --sort KEY       slab order: growth (default), rate or size\n"
		"  -t, --top N          slab caches in a snapshot (default 30; 0: all)\n"
		"  -h, --help           this help\n"
		"\n"
		"Per-cache slab figures need root (/proc/slabinfo); the rest works without.\n"
		"\n"
		"Exit codes: 0 done, 2 usage error, 3 runtime error (nothing could be watched).\n");
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
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "once", no_argument, NULL, '1' },
		{ "pid", required_argument, NULL, 'p' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "netns", required_argument, NULL, 'n' },
		{ "port", required_argument, NULL, 'P' },
		{ "unix", required_argument, NULL, 'U' },
		{ "sort", required_argument, NULL, 's' },
		{ "top", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct live_opts lo = { .refresh = 1, .sort = LIVE_SORT_GROWTH, .top = 30 };
	struct sampler_cfg cfg = { .ctx = { .root = "", .netns_fd = -1 } };
	const char *netns = NULL, *cgroup = NULL;
	bool sorted = false;
	char cgdir[PATH_MAX], title[PATH_MAX + 32];
	struct sampler *sp = NULL;
	struct series s;
	bool once = false;
	long pid = 0, v;
	int c, err, rc = SL_EXIT_RUNTIME;

	optind = 1;
	while ((c = getopt_long(argc, argv, "i:1p:c:n:s:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (sl_parse_duration(optarg, &lo.refresh) || lo.refresh < 0.01 ||
			    lo.refresh > 3600) {
				sl_err("--interval: '%s' is not a duration from 10ms to 1h",
				       optarg);
				return SL_EXIT_USAGE;
			}
			break;
		case '1':
			once = true;
			break;
		case 'p':
			if (sl_parse_int(optarg, 1, INT_MAX, &pid)) {
				sl_err("--pid: '%s' is not a process id", optarg);
				return SL_EXIT_USAGE;
			}
			break;
		case 'c':
			cgroup = optarg;
			break;
		case 'n':
			netns = optarg;
			break;
		case 'P':
			if (sl_parse_int(optarg, 1, 65535, &v)) {
				sl_err("--port: '%s' is not a port (1-65535)", optarg);
				return SL_EXIT_USAGE;
			}
			cfg.ctx.server_port = (uint16_t)v;
			break;
		case 'U':
			cfg.ctx.server_path = optarg;
			break;
		case 's':
			if (live_parse_sort(optarg, &lo.sort)) {
				sl_err("--sort: '%s' is not growth, rate or size", optarg);
				return SL_EXIT_USAGE;
			}
			sorted = true;
			break;
		case 't':
			if (sl_parse_int(optarg, 0, INT_MAX, &v)) {
				sl_err("--top: '%s' is not a count", optarg);
				return SL_EXIT_USAGE;
			}
			lo.top = (unsigned)v;
			break;
		case 'h':
			usage(stdout);
			return SL_EXIT_OK;
		default:
			sl_err("run 'sockleak watch --help' for the options");
			return SL_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		sl_err("watch: unexpected argument '%s'; run 'sockleak watch --help'",
		       argv[optind]);
		return SL_EXIT_USAGE;
	}
	if (pid && kill((pid_t)pid, 0) && errno == ESRCH) {
		sl_err("--pid: no process %ld", pid);
		return SL_EXIT_RUNTIME;
	}
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
	if (once || !isatty(STDOUT_FILENO)) {
		/* One sample has no growth: the biggest caches say more. */
		if (!sorted)
			lo.sort = LIVE_SORT_SIZE;
		if (!(err = sampler_sample_now(sp)))
			err = live_print(stdout, &s, sp, &lo);
	} else {
		if (!(err = sampler_start(sp)))
			err = live_view_run(&s, sp, &lo);
	}
	if (err)
		sl_err("watch: %s", strerror(-err));
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
