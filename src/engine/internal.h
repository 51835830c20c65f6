/* Engine internals shared by engine.c, client.c and server.c; not a contract for other parts. */
#ifndef SOCKLEAK_ENGINE_INTERNAL_H
#define SOCKLEAK_ENGINE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"
#include "engine/core.h"
#include "engine/counter.h"
#include "engine/engine.h"
#include "engine/seq.h"
#include "engine/transport.h"

struct worker;

enum cycle_end {
	CYCLE_OK,
	CYCLE_FAILED,
	CYCLE_STOPPED, /* interrupted by a stop request */
};

/*
 * One cycle of the compiled sequence. fds holds the cycle's descriptors (-1: none) before and
 * after; on failure *op_idx and *err say what failed and the caller closes what is left.
 */
typedef enum cycle_end (*cycle_fn)(struct worker *w, const struct seq *s, bool leak_due, int *fds,
				   unsigned *op_idx, int *err, bool *parked);

/* A syscall layer other than plain syscalls (io_uring): set up and torn down per worker. */
struct cycle_api {
	const char *name;
	int (*start)(struct worker *w); /* in the worker's thread; 0 or -errno */
	void (*stop)(struct worker *w);
};

/* One client worker. Aligned so that no two workers share a cache line. */
struct worker {
	/* written by the worker while it runs */
	_Alignas(CACHELINE) struct worker_counts n;
	_Atomic bool done;
	double end; /* sl_now() when it ended; read after join */
	_Atomic pid_t tid; /* its thread id, once started */
	int setup_err; /* -errno when it could not start (setns) */

	/* set before it starts */
	_Alignas(CACHELINE) struct engine *e;
	unsigned idx;
	uint64_t budget; /* cycles to run; UINT64_MAX: until stopped */
	uint64_t first; /* global index of its first cycle (--inject-leak) */
	double period; /* seconds between cycle starts when paced; 0: unpaced */
	bool slow; /* paced or yielding: take the between-cycles path */
	pthread_t thread;
	bool started;
	counter_t (*errors)[ENGINE_MAX_ERRNO]; /* [op][errno] */
	counter_t *wouldblock; /* [op]: dontwait ops that would have blocked */
	char *sbuf, *rbuf;
	cycle_fn cycle;
	const struct cycle_api *api;
	void *api_state; /* the api's per-worker state (its ring) */
	int home_ns; /* netns cycles: the namespace the worker returns to */
	bool own_home; /* home_ns is the worker's to close */
};

/*
 * The local server: epoll threads stopped through an eventfd, on one listening (or datagram)
 * socket each when the transport has SO_REUSEPORT groups, else all on one socket.
 */
struct server {
	const struct transport *tr;
	const struct seq_plan *plan;
	const struct sseq *ss; /* what it does with each connection */
	int *fds;
	unsigned nfds;
	int stop_fd;
	int netns_fd;
	unsigned nthreads;
	pthread_t *threads;
	unsigned started;
	uint32_t max_reply;
	void *priv; /* the threads' own state */
	_Atomic(const struct engine_thread_hook *) hook; /* engine_set_thread_hook's */
	_Atomic pid_t *tids; /* per thread, once started */
};

int server_start(struct server *s, char *why, size_t whylen);
void server_stop(struct server *s);

struct engine {
	struct run_config cfg;
	const struct seq *seq;
	const struct transport *tr;
	int netns_fd;
	struct sockaddr_storage peer; /* where clients connect or send */
	socklen_t peerlen;
	struct server srv;
	bool have_server;

	struct worker *workers;
	unsigned nworkers;
	pthread_t ctl;
	bool started, joined;
	_Atomic int stop;
	_Atomic int reason; /* enum engine_stop: the first cause wins */
	_Atomic unsigned running;
	int kick_fd; /* eventfd: wakes the controller */
	double t_start, deadline;
	struct rusage_pair {
		double user, sys;
	} cpu0, cpu;

	int *parked; /* --inject-leak and --allow-open sockets */
	size_t park_cap;
	_Atomic size_t nparked;
	_Atomic bool park_full;
	_Atomic uint64_t park_full_at; /* cycles completed when park_full was set */
};

void *worker_main(void *arg);
/* --api io_uring (uring.c). */
extern const struct cycle_api uring_api;
enum cycle_end uring_cycle(struct worker *w, const struct seq *s, bool leak_due, int *fds,
			   unsigned *op_idx, int *err, bool *parked);
/* Records the calling thread's id in *slot and tells the thread hook, if one is set. */
void engine_thread_started(struct server *s, _Atomic pid_t *slot, bool client);
enum cycle_end run_cycle(struct worker *w, const struct seq *s, bool leak_due, int *fds,
			 unsigned *op_idx, int *err, bool *parked);
void cycle_cleanup(const struct worker *w, const struct seq *s, int *fds);
/* For other syscall layers: one op as a plain syscall (-1 and errno when it failed), the
 * would-block rule of dontwait ops, and how a cycle ends at a failed op. */
long syscall_op(struct worker *w, const struct seq_op *op, int *fds, bool leak_due, bool *parked);
bool cycle_would_block(struct worker *w, const struct seq_op *op, unsigned i, int err);
enum cycle_end cycle_failed(struct worker *w, unsigned i, int err, unsigned *op_idx, int *errp);
/* Keeps fd open until engine_destroy; false when the store is full (the caller closes it). */
bool engine_park(struct engine *e, int fd);

#endif
