/* The Winsock engine's internals, shared by engine.c, client.c and server.c in this folder. */
#ifndef SOCKLEAK_ENGINE_WIN_INTERNAL_H
#define SOCKLEAK_ENGINE_WIN_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "engine/core.h"
#include "engine/counter.h"
#include "engine/engine.h"
#include "engine/seq.h"
#include "engine/transport.h"

#define WIN_PARK_MAX (1u << 20) /* sockets --inject-leak and --allow-open may keep */
#define WIN_EOF_SLOT ENODATA /* errors[] slot of "the peer closed before N bytes" */

/* One overlapped send in flight: owned by the worker until its completion is delivered. */
struct io_ctx {
	WSAOVERLAPPED ov; /* first: the completion hands back this address */
	struct worker *w;
	struct io_ctx *next; /* on the worker's free list */
};

struct worker {
	_Alignas(CACHELINE) struct worker_counts n;
	counter_t inflight; /* overlapped sends whose completion has not run yet */
	_Atomic bool done;
	_Atomic bool in_call; /* inside a blocking Winsock call: the controller may cancel it */
	double end;

	_Alignas(CACHELINE) struct engine *e;
	unsigned idx;
	uint64_t budget;
	uint64_t first;
	double period;
	bool slow;
	pthread_t thread;
	HANDLE handle; /* for CancelSynchronousIo */
	bool started;
	counter_t (*errors)[ENGINE_MAX_ERRNO];
	char *sbuf, *rbuf;
	HANDLE port; /* --io iocp: the worker's completion port */
	struct io_ctx *free_ctx; /* contexts ready for reuse (this thread only) */
	void **chunks; /* every context block, freed at the end */
	size_t nchunks, chunks_cap;
	uint64_t inflight_max;
};

/* The local server: IOCP threads on loopback (server.c). */
struct server {
	const struct transport *tr;
	const struct seq_plan *plan;
	enum server_close mode;
	int backlog;
	unsigned nthreads;
	SOCKET lsock;
	HANDLE port;
	pthread_t *threads;
	unsigned started;
	uint32_t max_reply;
	void *priv;
};

int server_start(struct server *s, struct sockaddr_storage *addr, socklen_t *len, char *why,
		 size_t whylen);
void server_stop(struct server *s);

struct engine {
	struct run_config cfg;
	const struct seq *seq;
	const struct transport *tr;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	struct server srv;
	bool have_server, wsa;

	struct worker *workers;
	unsigned nworkers;
	pthread_t ctl;
	bool ctl_started;
	bool started, joined;
	_Atomic int stop;
	_Atomic int reason;
	_Atomic unsigned running;
	HANDLE kick; /* event: wakes the controller */
	HANDLE drain; /* event: the workers may run their starved completions and end */
	double t_start, deadline;
	double cpu0_user, cpu0_sys, cpu_user, cpu_sys;

	SOCKET *parked;
	size_t park_cap;
	_Atomic size_t nparked;
	_Atomic bool park_full;
};

void *worker_main(void *arg);
bool engine_park(struct engine *e, SOCKET s);
/* errors[] slot of a Winsock or Win32 error code. */
unsigned win_error_slot(DWORD err);

#endif
