/* The engine's command-line options, parsed in one place for churn, run and sweep. */
#include "cli/engine_opts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "engine/engine.h"
#include "engine/seq.h"
#include "engine/transport.h"

#define DEFAULT_PRESET "kb171996"
#define DEFAULT_SECONDS 10.0
#define MAX_THREADS 1024
#define MAX_SERVER_THREADS 256

static const char *const close_names[] = {
	[SC_EOF] = "eof",
	[SC_IMMEDIATE] = "immediate",
	[SC_NEVER_READ] = "never-read",
	[SC_RST] = "rst",
};

const char *server_close_name(enum server_close m)
{
	return (unsigned)m < ARRAY_SIZE(close_names) ? close_names[m] : "?";
}

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

static int bad(const char *opt, const char *arg, const char *what)
{
	sl_err("--%s '%s': %s", opt, arg, what);
	return -EINVAL;
}

static int parse_count(const char *opt, const char *arg, long max, unsigned *out)
{
	long v;

	if (sl_parse_int(arg, 1, max, &v)) {
		char what[64];

		snprintf(what, sizeof(what), "expected a whole number from 1 to %ld", max);
		return bad(opt, arg, what);
	}
	*out = (unsigned)v;
	return 0;
}

int engine_opt(int c, const char *arg, struct run_config *cfg)
{
	uint64_t u;
	double d;
	unsigned k;

	switch (c) {
	case EO_SEQUENCE:
		cfg->sequence = arg;
		return 0;
	case EO_TRANSPORT:
		if (transport_parse(arg, &cfg->transport))
			return bad("transport", arg, "unknown; choose one of: " TRANSPORT_CHOICES);
		return 0;
	case EO_THREADS:
		return parse_count("threads", arg, MAX_THREADS, &cfg->threads);
	case EO_SERVER_THREADS:
		return parse_count("server-threads", arg, MAX_SERVER_THREADS, &cfg->server_threads);
	case EO_BACKLOG:
		return parse_count("backlog", arg, 1 << 20, &k) ? -EINVAL :
								  (cfg->backlog = (int)k, 0);
	case EO_SECONDS:
		if (sl_parse_duration(arg, &d) || d <= 0)
			return bad("seconds", arg,
				   "expected a duration above 0: 10, 2.5, 500ms, 1m");
		cfg->seconds = d;
		return 0;
	case EO_OPS:
		if (sl_parse_u64(arg, &u) || u == 0)
			return bad("ops", arg, "expected a cycle count above 0");
		cfg->ops = u;
		return 0;
	case EO_RATE:
		if (sl_parse_double(arg, &d) || d <= 0)
			return bad("rate", arg, "expected cycles per second above 0");
		cfg->rate = d;
		return 0;
	case EO_INJECT_LEAK:
		if (sl_parse_u64(arg, &u) || u == 0)
			return bad("inject-leak", arg,
				   "expected N above 0: keep one socket every N");
		cfg->inject_leak = u;
		return 0;
	case EO_YIELD:
		cfg->yield = true;
		return 0;
	case EO_ALLOW_OPEN:
		cfg->allow_open = true;
		return 0;
	case EO_NO_NETNS:
		cfg->netns = false;
		return 0;
	case EO_NETNS_SYSCTL:
		if (cfg->nsysctl == RUN_MAX_SYSCTL)
			return bad("netns-sysctl", arg, "too many; at most 8");
		if (strncmp(arg, "net.", 4) || !strchr(arg, '='))
			return bad("netns-sysctl", arg,
				   "expected net.KEY=VALUE, e.g. net.ipv4.tcp_tw_reuse=1");
		cfg->netns_sysctl[cfg->nsysctl++] = arg;
		return 0;
	case EO_TARGET:
		cfg->target = arg;
		return 0;
	case EO_SERVER_CLOSE:
		for (k = 0; k < ARRAY_SIZE(close_names); k++) {
			if (!strcmp(arg, close_names[k])) {
				cfg->server_close = (enum server_close)k;
				return 0;
			}
		}
		return bad("server-close", arg, "choose one of: eof immediate never-read rst");
	case EO_LIST_OPTIONS:
		seq_list_options(stdout);
		return ENGINE_OPT_EXIT;
	case EO_LIST_PRESETS:
		seq_list_presets(stdout);
		return ENGINE_OPT_EXIT;
	default:
		return -ENOENT;
	}
}

static int resolve_sequence(struct run_config *cfg)
{
	const struct transport *tr = transport_get(cfg->transport);
	const char *text = cfg->sequence ? cfg->sequence : DEFAULT_PRESET, *why, *expanded;
	struct seq_error err;
	struct seq *s;

	expanded = seq_preset(text, cfg->transport, &why);
	if (why) {
		sl_err("preset '%s' does not apply to %s: %s; see --list-presets", text, tr->name,
		       why);
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
			fprintf(stderr, "  or a preset: kb171996 crr abort halfclose sendto "
					"(--list-presets)\n");
		free(s);
		return SL_EXIT_USAGE;
	}
	cfg->seq = s;
	return 0;
}

int engine_opts_finish(struct run_config *cfg)
{
	const struct transport *tr = transport_get(cfg->transport);
	char why[512];
	int rc;

	if (cfg->seconds < 0)
		cfg->seconds = cfg->ops ? 0 : DEFAULT_SECONDS;
	if (cfg->target) {
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
		       server_close_name(cfg->server_close), tr->name);
		return SL_EXIT_USAGE;
	}
	if (cfg->target) {
		struct sockaddr_storage ss;
		socklen_t len;

		if (transport_target_resolve(tr, cfg->target, &ss, &len, why, sizeof(why))) {
			sl_err("--target: %s", why);
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
	if (engine_fd_check(cfg, why, sizeof(why))) {
		sl_err("%s", why);
		goto usage;
	}
	return 0;
usage:
	engine_opts_free(cfg);
	return SL_EXIT_USAGE;
}

void engine_opts_free(struct run_config *cfg)
{
	free(cfg->seq);
	cfg->seq = NULL;
}

void engine_opts_help(FILE *f)
{
	fprintf(f,
		"Sequence and transport:\n"
		"  --sequence TEXT|PRESET  ops to loop (default: kb171996); see 'The sequence\n"
		"                          language' in README.md, --list-presets, --list-options\n"
		"  --transport NAME        " TRANSPORT_CHOICES " (default: tcp)\n"
		"  --allow-open            accept a sequence without close (one socket left open\n"
		"                          per cycle, on purpose)\n"
		"  --list-presets          print the presets per transport and exit\n"
		"  --list-options          print the socket-option catalogue and exit\n"
		"Client:\n"
		"  --threads N             client workers (default: 1)\n"
		"  --seconds S             churn length: 10, 2.5, 500ms, 1m (default: 10, or until\n"
		"                          --ops when that is given)\n"
		"  --ops N                 total cycles, exact (split over the workers)\n"
		"  --rate R                total cycles per second (default: as fast as possible)\n"
		"  --yield                 sched_yield between cycles: let deferred work run\n"
		"  --inject-leak N         keep one socket open every N cycles (ground truth for\n"
		"                          leak detection); they close when the run ends\n"
		"Local server:\n"
		"  --server-threads N      epoll threads (default: one per core)\n"
		"  --server-close MODE     eof (read to EOF, close; default), immediate (close on\n"
		"                          accept), never-read (close on hang-up only), rst (read\n"
		"                          to EOF, close with SO_LINGER 0: the client sees a reset)\n"
		"  --backlog N             listen backlog (default: 4096; the kernel caps it at\n"
		"                          net.core.somaxconn)\n"
		"Isolation and target:\n"
		"  --no-netns              use the host's network namespace (default when root: a\n"
		"                          fresh one with lo up, gone when sockleak exits)\n"
		"  --netns-sysctl K=V      set a net.* sysctl in the run's namespace only, e.g.\n"
		"                          net.ipv4.ip_local_port_range='1024 65535' (repeatable;\n"
		"                          the defaults are part of what is measured)\n"
		"  --target ADDR           churn against your server: HOST:PORT, [V6]:PORT, /path or\n"
		"                          @abstract; no local server, no namespace\n");
}
