/* The engine's command-line options: their table, defaults, and the checks after the last one. */
#include "cli/engine_opts.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "engine/engine.h"
#include "engine/seq.h"
#include "engine/server_seq.h"
#include "engine/transport.h"

#define DEFAULT_PRESET "kb171996"

#define MAX_THREADS 1024
#define MAX_SERVER_THREADS 256

void run_config_defaults(struct run_config *cfg)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	cfg->sequence = NULL; /* engine_opts_finish: the default preset */
	cfg->preset = NULL;
	cfg->seq = NULL;
	cfg->transport = TR_TCP;
	cfg->target = NULL;
	cfg->threads = 1;
	cfg->seconds = -1; /* unset: 10 s, or until --ops */
	cfg->ops = 0;
	cfg->rate = 0;
	cfg->yield = false;
	cfg->inject_leak = 0;
	cfg->allow_open = false;
	cfg->server_threads = cores > 0 ? (unsigned)cores : 1;
	cfg->server_close = SC_EOF;
	cfg->backlog = 4096;
	cfg->netns = true;
	cfg->nsysctl = 0;
}

static bool sysctl_key_ok(const char *key, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char ch = key[i];

		if (ch == '.' ? i + 1 == n || key[i + 1] == '.' :
				!(isalnum((unsigned char)ch) || ch == '_' || ch == '-'))
			return false;
	}
	return n > 4;
}

static int parse_sysctl(const struct opt_call *c, const char *arg)
{
	struct run_config *cfg = c->obj;

	if (cfg->nsysctl == RUN_MAX_SYSCTL)
		return opt_bad(c, arg, "too many; at most %d", RUN_MAX_SYSCTL);
	if (strncmp(arg, "net.", 4) || !strchr(arg, '='))
		return opt_bad(c, arg, "expected net.KEY=VALUE, e.g. net.ipv4.tcp_tw_reuse=1");
	/* The key becomes a path under /proc/sys/net: it must name nothing outside it. */
	if (!sysctl_key_ok(arg, strchr(arg, '=') - arg))
		return opt_bad(c, arg,
			       "the key must be dotted words of letters, digits, '_' and '-' (no "
			       "'/', no empty part), e.g. net.ipv4.tcp_tw_reuse=1");
	cfg->netns_sysctl[cfg->nsysctl++] = arg;
	return 0;
}

static int parse_rate(const struct opt_call *c, const char *arg)
{
	struct run_config *cfg = c->obj;

	if (!strcmp(arg, "max")) {
		cfg->rate = 0;
		cfg->rate_max = true;
		return 0;
	}
	cfg->rate_max = false;
	return opt_real(c, arg);
}

static int list_presets(const struct opt_call *c, const char *arg)
{
	(void)c, (void)arg;
	seq_list_presets(stdout);
	return OPT_EXIT;
}

static int list_options(const struct opt_call *c, const char *arg)
{
	(void)c, (void)arg;
	seq_list_options(stdout);
	return OPT_EXIT;
}

#define RC struct run_config
#define G_SEQ "Sequence and transport"
#define G_CLIENT "Client"
#define G_SERVER "Local server"
#define G_ISOLATION "Isolation and target"

const struct opt engine_opts[] = {
	{ "sequence", .arg = "TEXT|PRESET", OPT_STR(RC, sequence, OPT_SEQUENCE),
	  .choices = SEQ_PRESET_NAMES, .group = G_SEQ,
	  .help = "ops to loop (default: kb171996); see SEQUENCES in 'man sockleak', "
		  "--list-presets, --list-options" },
	{ "transport", .arg = "NAME", OPT_ENUM(RC, transport, TRANSPORT_CHOICES), .group = G_SEQ,
	  .help = TRANSPORT_CHOICES " (default: tcp)" },
	{ "allow-open", OPT_ON(RC, allow_open), .group = G_SEQ,
	  .help = "accept a sequence without close (one socket left open per cycle, on purpose)" },
	{ "list-presets", .kind = OPT_FLAG, .parse = list_presets, .group = G_SEQ,
	  .help = "print the presets per transport and exit" },
	{ "list-options", .kind = OPT_FLAG, .parse = list_options, .group = G_SEQ,
	  .help = "print the socket-option catalogue and exit" },
	{ "api", .arg = "NAME", OPT_ENUM(RC, api, API_CHOICES), .group = G_CLIENT,
	  .help = "the syscall layer: syscalls (blocking syscalls; default) or io_uring (the same "
		  "ops through one ring per worker; setsockopt through the socket command where "
		  "the kernel has it)" },
	{ "sqpoll", OPT_ON(RC, sqpoll), .group = G_CLIENT,
	  .help = "with --api io_uring: a kernel thread per ring polls its submissions" },
	{ "fixed-files", OPT_ON(RC, fixed_files), .group = G_CLIENT,
	  .help = "with --api io_uring: direct descriptors, each cycle one linked submission; "
		  "refused with ops that run as plain syscalls (socketpair, sendfd, recvfd, "
		  "zcdrain, netns), --inject-leak and --allow-open" },
	{ "threads", .arg = "N", OPT_UINT(RC, threads), .min = 1, .max = MAX_THREADS,
	  .group = G_CLIENT, .help = "client workers (default: 1)" },
	{ "seconds", .arg = "S", OPT_SECONDS(RC, seconds), .flags = OPT_ABOVE, .group = G_CLIENT,
	  .help = "churn length: 10, 2.5, 500ms, 1m (default: 10, or until --ops when that is "
		  "given)" },
	{ "ops", .arg = "N", OPT_U64(RC, ops), .flags = OPT_ABOVE, .group = G_CLIENT,
	  .help = "total cycles, exact (split over the workers)" },
	{ "rate", .arg = "R|max", .kind = OPT_NUMBER, .parse = parse_rate,
	  .off = OPT_AT(RC, rate, double), .flags = OPT_ABOVE, .group = G_CLIENT,
	  .help = "total cycles per second (default: as fast as possible); 'max': as fast as "
		  "possible, said on purpose (a target on another host needs one or the other)" },
	{ "yield", OPT_ON(RC, yield), .group = G_CLIENT,
	  .help = "sched_yield between cycles: let deferred work run" },
	{ "io", .arg = "MODE", OPT_ENUM(RC, io, IO_CHOICES), .group = G_CLIENT,
	  .help = "Windows: how sends are issued: blocking (default), overlapped-apc (WSASend "
		  "with a completion routine, which runs only in an alertable wait: KB Q171996), "
		  "iocp (a completion port per worker, reaped every cycle)" },
	{ "alertable", OPT_ON(RC, alertable), .group = G_CLIENT,
	  .help = "Windows, with --io overlapped-apc: an alertable wait between cycles lets the "
		  "completion routines run (the twin of --yield)" },
	{ "inject-leak", .arg = "N", OPT_U64(RC, inject_leak), .flags = OPT_ABOVE,
	  .group = G_CLIENT,
	  .help = "keep one socket open every N cycles (ground truth for leak detection); they "
		  "close when the run ends" },
	{ "server-threads", .arg = "N", OPT_UINT(RC, server_threads), .min = 1,
	  .max = MAX_SERVER_THREADS, .group = G_SERVER,
	  .help = "epoll threads (default: one per core)" },
	{ "server-close", .arg = "MODE", OPT_ENUM(RC, server_close, SERVER_CLOSE_CHOICES),
	  .group = G_SERVER,
	  .help = "eof (read to EOF, close; default), immediate (close on accept), never-read "
		  "(close on hang-up only), rst (read to EOF, close with SO_LINGER 0: the client "
		  "sees a reset)" },
	{ "server-sequence", .arg = "TEXT", OPT_STR(RC, server_sequence, OPT_SEQUENCE),
	  .group = G_SERVER,
	  .help = "what the server does with each connection (stream transports): accept first, "
		  "then recv:N send:N answer (the client's requests, answered) drain (read to "
		  "EOF) hangup (wait for the peer to hang up) shutdown:rd|wr|rdwr, and close or "
		  "close:rst; e.g. 'accept,recv:64,send:1,close'. --server-close MODE is one of "
		  "these: eof 'accept,answer,drain,close', immediate 'accept,close', never-read "
		  "'accept,hangup,close', rst 'accept,answer,drain,close:rst'" },
	{ "backlog", .arg = "N", OPT_SINT(RC, backlog), .min = 1, .max = 1 << 20, .group = G_SERVER,
	  .help = "listen backlog (default: 4096; the kernel caps it at net.core.somaxconn)" },
	{ "no-netns", OPT_OFF(RC, netns), .group = G_ISOLATION,
	  .help = "use the host's network namespace (default when root: a fresh one with lo up, "
		  "gone when sockleak exits)" },
	{ "netns-sysctl", .arg = "K=V", .kind = OPT_SYSCTL, .parse = parse_sysctl,
	  .flags = OPT_REPEAT, .group = G_ISOLATION,
	  .help = "set a net.* sysctl in the run's namespace only, e.g. "
		  "net.ipv4.tcp_tw_reuse=1 (repeatable; the defaults are part of what is "
		  "measured)" },
	{ "guard-meminfo", .arg = "FILE", OPT_STR(RC, guard_meminfo, OPT_FILE_IN),
	  .flags = OPT_HIDDEN,
	  .help = "the memory guard reads MemTotal and MemAvailable from FILE instead of "
		  "/proc/meminfo (to test the guard without exhausting the host's memory)" },
	{ "target", .arg = "ADDR", OPT_STR(RC, target, OPT_ADDR), .group = G_ISOLATION,
	  .help = "churn against your server: HOST:PORT, [V6]:PORT, /path or @abstract; no local "
		  "server, no namespace (unless --server-cmd)" },
	{ "server-cmd", .arg = "CMD", OPT_STR(RC, server_cmd, OPT_TEXT), .group = G_ISOLATION,
	  .help = "with --target: start your server with /bin/sh -c CMD inside the run's network "
		  "namespace and memory cgroup, wait until ADDR accepts, watch its processes' fds, "
		  "memory and its port's sockets, stop it at the end (SIGTERM, SIGKILL after 3 s); "
		  "it must stay in the foreground" },
	{ "pid", .arg = "PID", .kind = OPT_PID, .parse = opt_uint,
	  .off = OPT_AT(RC, server_pid, unsigned), .min = 1, .max = INT_MAX, .group = G_ISOLATION,
	  .help = "with --target: your server is already running as process PID; the loop runs in "
		  "that process's network namespace and its processes' fds, memory and its port's "
		  "sockets are watched (counts there are exact only when no other process is in "
		  "that namespace); sockleak never signals it" },
	{ 0 },
};

static int resolve_sequence(struct run_config *cfg)
{
	const struct transport *tr = transport_get(cfg->transport);
	const char *text = cfg->sequence ? cfg->sequence : DEFAULT_PRESET, *why, *expanded;
	struct seq_error err;
	struct seq *s;

	expanded = seq_preset(text, cfg->transport, &why);
	if (why) {
		sl_err("preset '%s' does not apply to %s: %s; see --list-presets", text,
		       transport_name(tr->kind), why);
		return SL_EXIT_USAGE;
	}
	cfg->preset = expanded ? text : NULL;
	cfg->sequence = expanded ? expanded : text;
	s = malloc(sizeof(*s));
	if (!s) {
		sl_err("out of memory");
		return SL_EXIT_RUNTIME;
	}
	if (seq_compile(cfg->sequence, cfg->transport, cfg->allow_open, s, &err)) {
		fflush(stdout);
		seq_error_print(stderr, cfg->sequence, &err);
		if (!cfg->preset && !strchr(cfg->sequence, ','))
			fprintf(stderr, "  or a preset: " SEQ_PRESET_NAMES " (--list-presets)\n");
		free(s);
		return SL_EXIT_USAGE;
	}
	cfg->seq = s;
	return 0;
}

/* The server sequence: --server-sequence, else --server-close's preset; checked against the
 * client's. */
static int resolve_server_sequence(struct run_config *cfg)
{
	const char *text =
		cfg->server_sequence ? cfg->server_sequence : sseq_preset(cfg->server_close);
	struct seq_error err;
	char why[256];

	if (cfg->server_sequence && cfg->server_close != SC_EOF) {
		sl_err("--server-sequence and --server-close both say what the server does: give one");
		return -EINVAL;
	}
	if (cfg->server_sequence && (cfg->target || !transport_get(cfg->transport)->stream ||
				     !cfg->seq->has_server || cfg->seq->netns_cycle)) {
		sl_err("--server-sequence scripts sockleak's own stream server; %s",
		       cfg->target ? "--target is your server" :
		       !transport_get(cfg->transport)->stream ?
				     "datagram transports have no connections" :
				     "this sequence has no connection to it");
		return -EINVAL;
	}
	cfg->sseq = malloc(sizeof(*cfg->sseq));
	if (!cfg->sseq)
		return -ENOMEM;
	if (sseq_compile(text, cfg->sseq, &err)) {
		fflush(stdout);
		seq_error_print(stderr, text, &err);
		return -EINVAL;
	}
	if (cfg->server_sequence && cfg->seq->has_server &&
	    sseq_check(cfg->sseq, cfg->seq, why, sizeof(why))) {
		sl_err("%s", why);
		return -EINVAL;
	}
	return 0;
}

/* --pid: a running server that --target names, seen through /proc; 0 or SL_EXIT_USAGE. */
static int pid_check(const struct run_config *cfg, const struct transport *tr)
{
	char path[64];

	if (!cfg->server_pid)
		return 0;
	if (cfg->server_cmd) {
		sl_err("--pid watches a server that is already running, --server-cmd starts one: "
		       "give one of them");
		return SL_EXIT_USAGE;
	}
	if (!cfg->target || !tr->stream || tr->family == AF_UNIX) {
		sl_err("--pid watches the server that --target names: %s",
		       !cfg->target ?
			       "give --target ADDR, the address it listens on" :
			       "it needs a TCP-like transport (tcp, tcp6, mptcp) to see its port");
		return SL_EXIT_USAGE;
	}
	snprintf(path, sizeof(path), "/proc/%u/ns/net", cfg->server_pid);
	if (access(path, F_OK)) {
		sl_err("--pid %u: %s", cfg->server_pid,
		       errno == ENOENT ? "no such process" : strerror(errno));
		return SL_EXIT_USAGE;
	}
	return 0;
}

int engine_opts_finish(struct run_config *cfg)
{
	const struct transport *tr = transport_get(cfg->transport);
	char why[512];
	int rc;

	if (cfg->seconds < 0)
		cfg->seconds = cfg->ops ? 0 : ENGINE_DEFAULT_SECONDS;
#ifdef _WIN32
	/* Windows runs on the host's stack: no namespaces, and no hang-up without a read. */
	if (!cfg->netns || cfg->nsysctl || cfg->server_close == SC_NEVER_READ) {
		sl_err("%s is Linux-only: %s",
		       !cfg->netns  ? "--no-netns" :
		       cfg->nsysctl ? "--netns-sysctl" :
				      "--server-close never-read",
		       cfg->server_close == SC_NEVER_READ && cfg->netns && !cfg->nsysctl ?
			       "the IOCP server learns of a hang-up only by reading" :
			       "Windows has no network namespaces (runs use the host's stack)");
		return SL_EXIT_USAGE;
	}
	cfg->netns = false;
	if (cfg->server_cmd || cfg->server_pid) {
		sl_err("%s is Linux-only: %s", cfg->server_cmd ? "--server-cmd" : "--pid",
		       cfg->server_cmd ? "it starts your server in the run's network namespace; on "
					 "Windows start it yourself and give --target" :
					 "it watches your server's processes through /proc");
		return SL_EXIT_USAGE;
	}
	if (cfg->server_sequence) {
		sl_err("--server-sequence is not in the Windows build: its IOCP server answers the "
		       "client's requests and closes as --server-close eof, immediate or rst says");
		return SL_EXIT_USAGE;
	}
	if (tr->family == AF_UNIX || tr->kind == TR_MPTCP) {
		sl_err("--transport %s is Linux-only; on Windows choose tcp, tcp6, udp or udp6",
		       transport_name(tr->kind));
		return SL_EXIT_USAGE;
	}
#else
	if (cfg->io != IO_BLOCKING) {
		sl_err("--io %s is Windows-only: the Linux engine's layers are --api " API_CHOICES,
		       io_mode_name(cfg->io));
		return SL_EXIT_USAGE;
	}
#endif
	if (cfg->alertable && cfg->io != IO_OVERLAPPED_APC) {
		sl_err("--alertable lets completion routines run: it goes with --io overlapped-apc");
		return SL_EXIT_USAGE;
	}
	if (cfg->server_cmd && (!cfg->target || !tr->stream || tr->family == AF_UNIX)) {
		sl_err("--server-cmd starts the server that --target names: %s",
		       !cfg->target ?
			       "give --target ADDR, the address it listens on" :
			       "it needs a TCP-like transport (tcp, tcp6, mptcp) to see it accept");
		return SL_EXIT_USAGE;
	}
	if (cfg->server_cmd && !*cfg->server_cmd) {
		sl_err("--server-cmd: an empty command");
		return SL_EXIT_USAGE;
	}
	rc = pid_check(cfg, tr);
	if (rc)
		return rc;
	if (cfg->target && !cfg->server_cmd) {
		/* The user's server lives in the host's namespace. */
		cfg->netns = false;
	} else if (cfg->netns && !sl_is_root()) {
		sl_err("not root: running in the host's network namespace (no isolation)");
		cfg->netns = false;
	}
	if (cfg->nsysctl && !cfg->netns) {
		sl_err("--netns-sysctl changes the run's own namespace only; it needs one (root, "
		       "without --no-netns and --target)");
		return SL_EXIT_USAGE;
	}
	if (!tr->stream && cfg->server_close != SC_EOF && !cfg->target) {
		sl_err("--server-close %s is for stream transports; %s has no connections to close",
		       server_close_name(cfg->server_close), transport_name(tr->kind));
		return SL_EXIT_USAGE;
	}
	if (cfg->target) {
		struct sockaddr_storage ss;
		socklen_t len;

		if (transport_target_resolve(tr, cfg->target, &ss, &len, why, sizeof(why))) {
			sl_err("--target: %s", why);
			return SL_EXIT_USAGE;
		}
		/* Safe by default: another host is never churned at full speed unasked. */
		if (!cfg->rate && !cfg->rate_max &&
		    !transport_addr_is_local((const struct sockaddr *)&ss)) {
			transport_addr_str((const struct sockaddr *)&ss, len, why, sizeof(why));
			sl_err("--target %s (%s) is not on this host: sockleak churns another host only "
			       "at a rate you choose; give --rate R (cycles per second), or --rate max "
			       "to churn it at full speed on purpose",
			       cfg->target, why);
			return SL_EXIT_USAGE;
		}
	}
	rc = resolve_sequence(cfg);
	if (rc)
		return rc;
	if (cfg->server_close == SC_NEVER_READ && cfg->seq->has_recv && !cfg->target) {
		sl_err("--server-close never-read never answers, so the sequence's recv would wait "
		       "forever; use --server-close immediate to see recv fail, or drop recv");
		goto usage;
	}
	rc = resolve_server_sequence(cfg);
	if (rc)
		goto usage;
	if (cfg->seq->has_until && !cfg->target) {
		sl_err("recv-until waits for what a real server answers, and sockleak's own server "
		       "answers zeros: give --target ADDR (your server)%s",
		       cfg->preset ? "; the preset is for one that speaks its protocol" : "");
		goto usage;
	}
	if (engine_fd_check(cfg, why, sizeof(why))) {
		sl_err("%s", why);
		goto usage;
	}
	if (cfg->seq->netns_cycle && (cfg->target || !sl_is_root())) {
		sl_err("%s", cfg->target ?
				     "netns makes a namespace per cycle with a listener of its "
				     "own; it takes no --target" :
				     "netns makes a network namespace every cycle: it needs "
				     "root (CAP_SYS_ADMIN)");
		goto usage;
	}
	if ((cfg->sqpoll || cfg->fixed_files) && cfg->api != API_IO_URING) {
		sl_err("--%s is for --api io_uring", cfg->sqpoll ? "sqpoll" : "fixed-files");
		goto usage;
	}
	rc = engine_api_check(cfg, why, sizeof(why));
	if (rc == -EINVAL) {
		sl_err("%s", why);
		goto usage;
	}
	if (rc) {
		sl_err("%s", why);
		engine_opts_free(cfg);
		return SL_EXIT_RUNTIME;
	}
	if (why[0])
		sl_err("%s", why);
	return 0;
usage:
	engine_opts_free(cfg);
	return SL_EXIT_USAGE;
}

void engine_opts_free(struct run_config *cfg)
{
	free(cfg->seq);
	cfg->seq = NULL;
	free(cfg->sseq);
	cfg->sseq = NULL;
}
