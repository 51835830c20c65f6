/* struct run_config: everything the command line decides, read by the engine, sampler and reports. */
#ifndef SOCKLEAK_CONFIG_H
#define SOCKLEAK_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

struct seq;
struct sseq;
struct run_hook;

#define RUN_MAX_SYSCTL 8

enum transport_kind {
	TR_TCP,
	TR_TCP6,
	TR_UDP,
	TR_UDP6,
	TR_UNIX,
	TR_UNIX_DGRAM,
	TR_MPTCP,
	TR_COUNT,
};

/* "tcp", "tcp6", "udp", "udp6", "unix", "unix-dgram", "mptcp"; "?" out of range. */
const char *transport_name(enum transport_kind k);
/* The reverse: 0, or -EINVAL for an unknown name. */
int transport_parse(const char *name, enum transport_kind *out);

enum server_close {
	SC_EOF, /* read until EOF, then close (default) */
	SC_IMMEDIATE, /* close as soon as accepted */
	SC_NEVER_READ, /* never read; close on EOF/HUP only */
	SC_RST, /* SO_LINGER 0 then close: the peer sees a reset */
	SC_COUNT,
};

/* "eof", "immediate", "never-read", "rst"; "?" out of range. */
const char *server_close_name(enum server_close m);
int server_close_parse(const char *name, enum server_close *out);

/* The syscall layer the client workers use. */
enum api_kind {
	API_SYSCALLS, /* plain blocking syscalls (default) */
	API_IO_URING, /* the same ops through one io_uring per worker */
	API_COUNT,
};

#define API_CHOICES "syscalls io_uring"

/* "syscalls", "io_uring"; "?" out of range. */
const char *api_name(enum api_kind a);

/* How the Windows engine issues its sends (--io); the Linux engine has blocking syscalls only. */
enum io_mode {
	IO_BLOCKING, /* send() on a blocking socket (default) */
	IO_OVERLAPPED_APC, /* WSASend with a completion routine: it runs in an alertable wait only */
	IO_IOCP, /* WSASend on a socket bound to the worker's completion port, reaped each cycle */
	IO_COUNT,
};

#define IO_CHOICES "blocking overlapped-apc iocp"

/* "blocking", "overlapped-apc", "iocp"; "?" out of range. */
const char *io_mode_name(enum io_mode m);
int io_mode_parse(const char *name, enum io_mode *out);

struct run_config {
	/* what to run */
	const char *sequence; /* sequence text (a preset already expanded) */
	const char *preset; /* preset name when one was used, else NULL */
	struct seq *seq; /* compiled sequence, owned by the config */
	enum transport_kind transport;
	const char *target; /* the user's server (host:port or path); NULL: sockleak's own */
	const char *server_cmd; /* --server-cmd: sockleak starts the target's server (/bin/sh -c) */
	unsigned server_pid; /* --pid: the target's server, already running (0: none) */

	/* client */
	unsigned threads; /* client workers */
	double seconds; /* churn length; 0 with ops set: until ops */
	uint64_t ops; /* total cycles, exact; 0: unbounded */
	double rate; /* total cycles/s; 0: as fast as possible */
	bool rate_max; /* --rate max: full speed asked for in so many words (a remote --target) */
	bool yield; /* sched_yield between cycles */
	uint64_t inject_leak; /* keep one socket open every N cycles; 0: off */
	bool allow_open; /* accept a sequence without close */
	enum api_kind api;
	bool sqpoll; /* io_uring: a kernel thread polls the submission queue */
	bool fixed_files; /* io_uring: direct descriptors, each cycle one linked submission */
	enum io_mode io; /* Windows: how sends are issued */
	bool alertable; /* Windows: an alertable wait between cycles lets completion routines run */

	/* local server */
	unsigned server_threads;
	enum server_close server_close;
	const char *server_sequence; /* what the server does per connection (else server_close's) */
	struct sseq *sseq; /* it compiled, owned by the config */
	int backlog;

	/* isolation */
	bool netns; /* run in a fresh network namespace (root only) */
	const char *netns_sysctl[RUN_MAX_SYSCTL]; /* "net.KEY=VALUE" set inside that namespace */
	unsigned nsysctl;
	bool cgroup; /* run in a memory cgroup of its own (root only) */

	/* sampling and phases (run) */
	double interval; /* seconds between samples */
	double baseline; /* seconds */
	double warmup; /* seconds of churn excluded from fits */
	double quiesce_max; /* seconds */
	/* quiesce waits for TIME_WAIT to expire (--quiesce-max given); else the netns's purge ends it */
	bool quiesce_tw;
	bool teardown; /* destroy the netns and measure again */
	bool confirm; /* run again at 3x length: a leak scales */
	bool attribute; /* eBPF: the kernel stacks of what the run kept */
	uint64_t attribute_objects; /* objects --attribute tracks at once; 0: its default */
	uint64_t attribute_sample; /* --attribute-sample: stacks walked for 1 in N; 0: default */
	unsigned fail_on; /* bitmask of 1u << enum verdict that exit 1 */
	bool allow_failures; /* run, churn: cycles that nearly all fail are intended, not exit 3 */
#define FAIL_ON_DEFAULT (1u << VERDICT_BACKLOG | 1u << VERDICT_LEAK)
	bool churn_only; /* churn: no baseline, quiesce, teardown or analysis */
	const char *guard_meminfo; /* the guard's meminfo instead of /proc/meminfo (tests) */
	const struct run_hook *const *hooks; /* at phase boundaries (run/run.h); NULL: none */

	/* output */
	const char *json_path;
	const char *csv_path;
	const char *html_path;
	const char *junit_path; /* JUnit XML for CI */
	bool full_series; /* JSON: every column's values, the constant ones too */
	bool watch; /* live view while churning */
	bool quiet;
};

#endif
