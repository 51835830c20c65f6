/* The churn engine: a local server and client workers running a compiled sequence in a loop. */
#ifndef SOCKLEAK_ENGINE_H
#define SOCKLEAK_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"

#define ENGINE_MAX_OPS 32 /* ops in one compiled sequence */
#define ENGINE_MAX_ERRNO 160 /* errno values counted one by one; larger ones share the last slot */

/* What ended the churn. */
enum engine_stop {
	ENGINE_STOP_NONE, /* still running (or never started) */
	ENGINE_STOP_OPS, /* every worker ran its share of --ops */
	ENGINE_STOP_TIME, /* --seconds elapsed */
	ENGINE_STOP_REQUEST, /* engine_request_stop: a signal, the memory guard, the caller */
};

/* Totals over all workers; exact once engine_join returned. */
struct engine_stats {
	uint64_t cycles; /* completed cycles */
	uint64_t failed_cycles; /* cycles cut short by a failed op */
	uint64_t errors[ENGINE_MAX_OPS][ENGINE_MAX_ERRNO]; /* [op index][errno] */
	uint64_t leaked; /* sockets kept open by --inject-leak */
	double seconds; /* from engine_start to the last worker's end */
	double user_seconds, system_seconds; /* CPU of the whole process (getrusage) */
	unsigned threads;
	uint64_t thread_min, thread_max; /* per-thread cycle spread */
	/* added with the engine */
	uint64_t left_open; /* sockets left open by an --allow-open sequence */
	bool leak_capped; /* the fd store was full: fewer kept than asked */
	uint64_t park_cap; /* sockets the fd store holds: what RLIMIT_NOFILE leaves free */
	uint64_t capped_at; /* cycles completed when the store became full (leak_capped) */
	uint64_t
		closed_over_cap; /* sockets to keep that sockleak closed itself: the store was full */
	enum engine_stop stop; /* what ended the churn */
	unsigned nops; /* ops in the sequence: rows of errors[] in use */
	uint64_t wouldblock[ENGINE_MAX_OPS]; /* [op index]: dontwait ops that would have blocked */
};

struct engine;

/*
 * Told the thread id of each engine thread (the local server's, client false; the client
 * workers', client true): thread ids, not the process id, for the process also runs the sampler
 * and the orchestrator. See engine_set_thread_hook.
 */
struct engine_thread_hook {
	void (*fn)(void *arg, pid_t tid, bool client);
	void *arg;
};

/* Enters isolation (netns when cfg->netns), starts the local server; no client traffic yet.
 * Says why on stderr when it fails. */
int engine_create(const struct run_config *cfg, struct engine **out);
/*
 * Tells h (which must outlive the engine) of every engine thread: those running now at once, from
 * this thread, and each one that starts later from that thread itself, before its first socket
 * call (client workers start with engine_start). A thread may be told twice; h->fn may be called
 * from several threads at once.
 */
void engine_set_thread_hook(struct engine *e, const struct engine_thread_hook *h);
/* The thread ids of the engine's threads that have started (server, then clients): how many. */
size_t engine_thread_ids(const struct engine *e, pid_t *tids, size_t max);
/* Starts the client workers: churn begins. */
int engine_start(struct engine *e);
/* Cycles completed so far, summed without stopping the workers. */
uint64_t engine_cycles(const struct engine *e);
/* Asks workers to stop; async-signal-safe (SIGINT handler, memory guard). */
void engine_request_stop(struct engine *e);
/* True once every worker has ended (its stop condition or a request). */
bool engine_done(const struct engine *e);
/* Waits for the workers; afterwards engine_stats is final. The server keeps running. */
int engine_join(struct engine *e);
void engine_stats(const struct engine *e, struct engine_stats *st);
/* The run's network namespace (an fd), or -1 when the host's is used. */
int engine_netns_fd(const struct engine *e);
/*
 * The local server's address for probes that count sockets by side: its TCP/UDP port, or its
 * UNIX path ("@name" when abstract). -ENOENT with --target (no server of sockleak's).
 */
int engine_server_addr(const struct engine *e, uint16_t *port, char *path, size_t size);
/* Closes injected-leak sockets, stops the server, leaves and drops the netns, frees all. */
void engine_destroy(struct engine *e);

/*
 * The name of an errors[][] slot: "ECONNREFUSED"; "E(other)" for the last slot, which holds every
 * errno past it; "E<n>" for a number without a name. buf holds the formatted ones.
 */
const char *engine_errno_name(unsigned er, char *buf, size_t size);

/* The platform's number for an errors[][] slot (errno on Linux, the WSA code on Windows), and
 * its meaning in a few words. */
int engine_errno_code(unsigned er);
const char *engine_errno_text(unsigned er);
/* Whether a slot is the error of a connect or bind that found no free ephemeral port. */
bool engine_errno_ports_out(unsigned er);
/* The most overlapped sends one worker had in flight at once (Windows --io); 0 on Linux. */
uint64_t engine_io_pending_max(const struct engine *e);

/* Added with the engine. */
const char *engine_stop_name(enum engine_stop s); /* "ops", "time", "request", "running" */
/* The address clients connect to (the local server's or --target), as text. */
void engine_peer(const struct engine *e, char *buf, size_t size);
/*
 * Whether the syscall layer (--api) can run the sequence on this kernel: 0 (why may hold a note
 * to print once, e.g. an op that runs as a plain syscall), -EOPNOTSUPP (what the kernel lacks)
 * or -EINVAL (a combination that cannot work), with why filled in.
 */
int engine_api_check(const struct run_config *cfg, char *why, size_t whylen);
/*
 * Whether --inject-leak (and the local server's far ends) fit the fd limit for --ops, after
 * raising RLIMIT_NOFILE to its hard maximum. 0, or -EMFILE with why filled in.
 */
int engine_fd_check(const struct run_config *cfg, char *why, size_t whylen);

#endif
