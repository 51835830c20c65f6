/* The probe interface: one small table of functions per source of kernel-memory figures. */
#ifndef SOCKLEAK_PROBE_H
#define SOCKLEAK_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common.h"
#include "model/series.h"

/* What a probe may know about the run it watches. */
struct probe_ctx {
	const char *root; /* prefix for /proc and /sys paths ("" live; a fixture tree in tests) */
	int netns_fd; /* the run's network namespace, or -1 for the caller's */
	pid_t pid; /* process whose fds, RSS and threads the proc probe reads */
	const char *cgroup; /* the workload's memory cgroup directory, or NULL */
	int cgroup_version; /* 1 or 2; 0 when there is none */
	uint16_t server_port; /* the local server's TCP port: client/server split; 0 unknown */
	const char
		*server_path; /* the local server's unix path ("@name": abstract); NULL unknown */
	/*
	 * TCP sockets per state [AF_INET, AF_INET6][state] of a network namespace (by cookie),
	 * counted in the kernel (--attribute's eBPF program); NULL: none, sock_diag counts them.
	 */
	int (*tcp_states)(void *arg, uint64_t netns_cookie, int64_t out[2][16]);
	void *tcp_states_arg;
	pid_t server_pid; /* the user's server (--server-cmd, --pid): its process tree; 0 none */
	bool server_adopted; /* orphans of that tree become pid's children (a child subreaper) */
	bool server_port_states; /* its port's sockets by state and side (the port probe) */
};

struct probe;

struct probe_ops {
	const char *name;
	/* Reads the run's network namespace: opened inside it, closed before it is destroyed. */
	bool per_netns;
	/* Whether it has anything to watch in this run (NULL: always); else it stays off, unsaid. */
	bool (*applies)(const struct probe_ctx *ctx);
	/* Detects availability and adds its columns; on failure returns -errno and says why. */
	int (*open)(struct probe *p, const struct probe_ctx *ctx, struct series *s);
	/* Sets this sample's values with series_set; never allocates in steady state. */
	int (*sample)(struct probe *p, struct series *s);
	void (*close)(struct probe *p);
};

struct probe {
	const struct probe_ops *ops;
	void *priv;
	char why[192]; /* why it is off, when open failed */
	bool on;
	int cost_col; /* probe.NAME.us: this probe's own cost per sample */
	bool failed; /* a sample failed: said once */
	bool unasked; /* off because nothing asked for it (or ops->applies): not worth a line */
	/* Samples every this many ticks (0, 1: each): raised when its samples cost more than budget */
	unsigned every;
	unsigned over; /* samples in a row that cost more than the budget allows at this rate */
	double over_min; /* the cheapest of them, µs */
};

/* The registry: every probe of the platform, in a fixed order. */
#ifdef _WIN32
enum probe_id {
	PROBE_PERF,
	PROBE_POOLTAG,
	PROBE_TCPTABLE,
	PROBE_WINPROC,
	PROBE_COUNT,
};
#else
enum probe_id {
	PROBE_MEMINFO,
	PROBE_SLABINFO,
	PROBE_SOCKSTAT,
	PROBE_NETSTAT,
	PROBE_TCPSTATE, /* before sockdiag: the state columns it adds are its own */
	PROBE_SOCKDIAG,
	PROBE_MEMCG,
	PROBE_PROC,
	PROBE_SERVER,
	PROBE_PORT,
	PROBE_COUNT,
};

extern const struct probe_ops meminfo_probe, slabinfo_probe, sockstat_probe, netstat_probe,
	tcpstate_probe, sockdiag_probe, memcg_probe, proc_probe, server_probe, port_probe;
#endif

struct probe_set {
	struct probe p[PROBE_COUNT];
	bool quiet; /* do not print why probes are off */
	/*
	 * Each probe's share of the time between samples, in µs (0: no limit). A probe whose sample
	 * costs more, PROBE_OVER_RUN samples in a row (one slow sample on a busy host is not the
	 * probe's cost), is sampled less often but regularly: every k-th tick, k the cheapest of
	 * them over the budget (never lowered, at most PROBE_MAX_EVERY, so that every phase still
	 * holds enough of its samples to be judged and drawn). The rows between carry no figure of it (NAN), and
	 * probe.NAME.us shows what it cost when it ran.
	 */
	double budget_us;
	uint64_t ticks; /* probes_sample calls so far */
};

#define PROBE_MAX_EVERY 5
#define PROBE_OVER_RUN 3

/*
 * Opens every probe; the per-netns ones inside ctx->netns_fd (setns on this thread and back).
 * A probe that cannot open says why once (unless quiet) and stays off; the rest go on.
 * Fails only when no probe at all could open, or setns failed.
 */
int probes_open(struct probe_set *ps, const struct probe_ctx *ctx, struct series *s, bool quiet);
/* One tick: samples every probe that is on and due, with its cost in µs into probe.NAME.us. */
void probes_sample(struct probe_set *ps, struct series *s);
/* Samples every probe that is on, due or not (a phase's last row); not a tick. */
void probes_sample_all(struct probe_set *ps, struct series *s);
/* Closes the per-netns probes (their fds keep the netns alive); their columns read NAN after. */
void probes_close_netns(struct probe_set *ps);
void probes_close(struct probe_set *ps);
/* How many probes are on. */
unsigned probes_on(const struct probe_set *ps);

/* The platform's probes, in their fixed order (probe/linux.c, probe/win/registry.c). */
extern const struct probe_ops *const probe_registry[PROBE_COUNT];
/*
 * Moves the calling thread into the network namespace fd (< 0 or the one it is in: nothing to do)
 * and keeps a way back in *home (-1: none needed); 0 or -errno. probe_netns_leave goes back.
 */
int probe_netns_enter(int fd, int *home);
void probe_netns_leave(int home);

/* Helpers shared by the Linux probes (probe/linux.c). */

/* A buffer reused for every read of one file: grows only when a file outgrows it. */
struct probe_buf {
	char *p;
	size_t cap;
};

int probe_buf_init(struct probe_buf *b, size_t cap);
void probe_buf_free(struct probe_buf *b);
/* Reads the whole file behind fd from offset 0 with pread() into b, NUL-terminated: length or -errno. */
long probe_read(int fd, struct probe_buf *b);
/* Opens ctx->root + path read-only; an fd or -errno. */
int probe_open_path(const struct probe_ctx *ctx, const char *path);
/* Opens ctx->root + path and reads it once into b: length or -errno. */
long probe_read_path(const struct probe_ctx *ctx, const char *path, struct probe_buf *b);
/* Sets p->why and returns err (negative). */
int probe_off(struct probe *p, int err, const char *fmt, ...) SL_PRINTF(3, 4);
/* Path of a per-netns /proc/net file: the opening thread's netns when live ("" root). */
void probe_net_path(const struct probe_ctx *ctx, const char *file, char *out, size_t n);

#endif
