/* The Winsock client worker: the compiled sequence in a loop; sends blocking, overlapped or IOCP. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "engine/win/internal.h"

#define CTX_CHUNK 4096 /* overlapped contexts allocated together */
#define DRAIN_SECONDS 10.0 /* at most this long to collect the completions still due at the end */

enum cycle_end {
	CYCLE_OK,
	CYCLE_FAILED,
	CYCLE_STOPPED,
};

/* Only when every context is in flight: a starved completion queue grows here, not per send. */
static struct io_ctx *ctx_get(struct worker *w)
{
	struct io_ctx *c = w->free_ctx, *blk;
	size_t i;

	if (likely(c != NULL)) {
		w->free_ctx = c->next;
		return c;
	}
	if (w->nchunks == w->chunks_cap) {
		size_t cap = w->chunks_cap ? 2 * w->chunks_cap : 64;
		void **p = realloc(w->chunks, cap * sizeof(*p));

		if (!p)
			return NULL;
		w->chunks = p;
		w->chunks_cap = cap;
	}
	blk = calloc(CTX_CHUNK, sizeof(*blk));
	if (!blk)
		return NULL;
	w->chunks[w->nchunks++] = blk;
	for (i = 1; i < CTX_CHUNK; i++) {
		blk[i].w = w;
		blk[i].next = w->free_ctx;
		w->free_ctx = &blk[i];
	}
	blk[0].w = w;
	return &blk[0];
}

static void ctx_put(struct io_ctx *c)
{
	struct worker *w = c->w;

	c->next = w->free_ctx;
	w->free_ctx = c;
	atomic_store_explicit(&w->inflight, counter_get(&w->inflight) - 1, memory_order_relaxed);
}

/* The completion routine: an APC, run only while this worker waits alertably (the KB's point). */
static void CALLBACK send_done(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
	(void)err;
	(void)bytes;
	(void)flags;
	ctx_put((struct io_ctx *)ov);
}

/* --io iocp: collects what the worker's port has; wait in ms (0: what is there now). */
static void reap_port(struct worker *w, DWORD wait)
{
	OVERLAPPED_ENTRY ent[64];
	ULONG n = 0, i;

	while (GetQueuedCompletionStatusEx(w->port, ent, 64, &n, wait, FALSE) && n) {
		for (i = 0; i < n; i++)
			ctx_put((struct io_ctx *)ent[i].lpOverlapped);
		if (n < 64)
			break;
		wait = 0;
	}
}

/* One send of len bytes of buf as --io says; 0 or SOCKET_ERROR with WSAGetLastError set. */
static int send_once(struct worker *w, SOCKET s, const char *buf, int len, int flags,
		     const struct sockaddr *to, int tolen)
{
	struct io_ctx *c;
	WSABUF b = { (ULONG)len, (char *)buf };
	DWORD sent = 0;

	if (w->e->cfg.io == IO_BLOCKING) {
		int off = 0, n;

		if (to)
			return sendto(s, buf, len, flags, to, tolen) < 0 ? SOCKET_ERROR : 0;
		while (off < len) {
			n = send(s, buf + off, len - off, flags);
			if (n == SOCKET_ERROR)
				return SOCKET_ERROR;
			off += n;
		}
		return 0;
	}
	c = ctx_get(w);
	if (!c) {
		WSASetLastError(WSAENOBUFS);
		return SOCKET_ERROR;
	}
	memset(&c->ov, 0, sizeof(c->ov));
	atomic_store_explicit(&w->inflight, counter_get(&w->inflight) + 1, memory_order_relaxed);
	if (counter_get(&w->inflight) > w->inflight_max)
		w->inflight_max = counter_get(&w->inflight);
	/* An overlapped send sends all of it or fails; its completion is queued either way. */
	if ((to ? WSASendTo(s, &b, 1, &sent, (DWORD)flags, to, tolen, &c->ov,
			    w->e->cfg.io == IO_OVERLAPPED_APC ? send_done : NULL) :
		  WSASend(s, &b, 1, &sent, (DWORD)flags, &c->ov,
			  w->e->cfg.io == IO_OVERLAPPED_APC ? send_done : NULL)) == 0 ||
	    WSAGetLastError() == WSA_IO_PENDING)
		return 0;
	/* Failed at once: no completion will come. */
	ctx_put(c);
	return SOCKET_ERROR;
}

static int recv_all(SOCKET s, char *buf, int len, int flags)
{
	int off = 0, n;

	while (off < len) {
		n = recv(s, buf + off, len - off, flags);
		if (n == SOCKET_ERROR)
			return SOCKET_ERROR;
		if (n == 0) {
			WSASetLastError(0); /* the peer closed before N bytes */
			return SOCKET_ERROR;
		}
		off += n;
	}
	return 0;
}

static SOCKET make_socket(struct worker *w, bool rcvtimeo)
{
	const struct transport *tr = w->e->tr;
	DWORD flags = WSA_FLAG_NO_HANDLE_INHERIT;
	SOCKET s;

	if (w->e->cfg.io != IO_BLOCKING)
		flags |= WSA_FLAG_OVERLAPPED;
	s = WSASocketW(tr->family, tr->type, tr->protocol, NULL, 0, flags);
	if (s == INVALID_SOCKET)
		return s;
	if (rcvtimeo) {
		DWORD ms = 1000; /* a lost datagram must not stall a worker for good */

		setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, (const char *)&ms, sizeof(ms));
	}
	if (w->port && !CreateIoCompletionPort((HANDLE)s, w->port, 0, 0)) {
		closesocket(s);
		WSASetLastError(WSAENOBUFS);
		return INVALID_SOCKET;
	}
	return s;
}

static enum cycle_end run_cycle(struct worker *w, const struct seq *sq, bool leak_due, SOCKET *sp,
				unsigned *op_idx, unsigned *slot, bool *parked)
{
	struct engine *e = w->e;
	const struct sockaddr *peer = (const struct sockaddr *)&e->peer;
	int peerlen = (int)e->peerlen, rc = 0;
	SOCKET s = INVALID_SOCKET;
	unsigned i;

	for (i = 0; i < sq->nops; i++) {
		const struct seq_op *op = &sq->ops[i];

		atomic_store_explicit(&w->in_call, true, memory_order_relaxed);
		switch (op->exec) {
		case EX_SOCKET:
		case EX_SOCKET_RCVTIMEO:
			s = make_socket(w, op->exec == EX_SOCKET_RCVTIMEO);
			rc = s == INVALID_SOCKET ? SOCKET_ERROR : 0;
			break;
		case EX_SETSOCKOPT:
			rc = setsockopt(s, op->level, op->name, (const char *)&op->val,
					(int)op->len);
			break;
		case EX_BIND:
			rc = bind(s, (const struct sockaddr *)&op->addr, (int)op->len);
			break;
		case EX_CONNECT:
			rc = connect(s, peer, peerlen);
			break;
		case EX_SEND_ALL:
		case EX_SEND_DGRAM:
			rc = send_once(w, s, seq_send_buf(sq, op, w->sbuf), (int)op->len, op->flags,
				       NULL, 0);
			break;
		case EX_SENDTO:
			rc = send_once(w, s, seq_send_buf(sq, op, w->sbuf), (int)op->len, op->flags,
				       peer, peerlen);
			break;
		case EX_RECV_ALL:
			rc = recv_all(s, w->rbuf, (int)op->len, op->flags);
			break;
		case EX_RECV_DGRAM:
			rc = recv(s, w->rbuf, (int)op->len, op->flags) == SOCKET_ERROR ?
				     SOCKET_ERROR :
				     0;
			break;
		case EX_SHUTDOWN:
			rc = shutdown(s, op->how);
			break;
		case EX_CLOSE:
		case EX_CLOSE_ALL: /* one socket a cycle on Windows: the same */
			if (unlikely(leak_due) && engine_park(e, s)) {
				*parked = true;
			} else if (closesocket(s)) {
				rc = SOCKET_ERROR;
			}
			s = INVALID_SOCKET;
			break;
		default: /* refused by engine_api_check */
			break;
		}
		atomic_store_explicit(&w->in_call, false, memory_order_relaxed);
		if (unlikely(rc))
			goto fail;
	}
	*sp = s;
	return CYCLE_OK;
fail:
	*slot = win_error_slot((DWORD)WSAGetLastError());
	*sp = s;
	*op_idx = i;
	if (atomic_load_explicit(&e->stop, memory_order_relaxed) &&
	    (*slot == WSAEINTR - WSABASEERR || *slot == ENGINE_MAX_ERRNO - 1))
		return CYCLE_STOPPED;
	return CYCLE_FAILED;
}

/* Pacing, --yield and --alertable: the only path with time calls, taken only when asked for. */
static void between_cycles(struct worker *w, double *next)
{
	double now, wait;

	if (w->e->cfg.alertable)
		SleepEx(0, TRUE); /* an alertable wait: the queued completion routines run now */
	if (w->e->cfg.yield)
		SwitchToThread();
	if (w->period <= 0)
		return;
	*next += w->period;
	now = sl_now();
	if (now > *next + 1) {
		*next = now; /* fallen more than a second behind: do not burst to catch up */
		return;
	}
	wait = *next - now;
	if (wait > 0)
		SleepEx((DWORD)(wait * 1000), w->e->cfg.alertable);
}

/* The end of the churn: the completions still due are collected, as the thread would see them. */
static void drain(struct worker *w)
{
	double end = sl_now() + DRAIN_SECONDS;

	while (counter_get(&w->inflight) && sl_now() < end) {
		if (w->port)
			reap_port(w, 50);
		else
			SleepEx(50, TRUE);
	}
}

void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct engine *e = w->e;
	const struct seq *sq = e->seq;
	uint64_t left = w->budget;
	struct leak_plan lp;
	double next = sl_now();
	unsigned op_idx = 0, slot = 0;
	bool parked;
	SOCKET s;

	leak_plan_init(&lp, e->cfg.inject_leak, w->first);
	while (left) {
		if (atomic_load_explicit(&e->stop, memory_order_relaxed))
			break;
		if (unlikely(w->slow))
			between_cycles(w, &next);
		left--;
		parked = false;
		switch (run_cycle(w, sq, leak_plan_cycle(&lp), &s, &op_idx, &slot, &parked)) {
		case CYCLE_OK:
			worker_counts_end(&w->n, &lp, true, parked);
			if (unlikely(s != INVALID_SOCKET)) {
				if (engine_park(e, s))
					counter_inc(&w->n.left_open);
				else
					closesocket(s);
			}
			break;
		case CYCLE_FAILED:
			counter_inc(&w->errors[op_idx][slot]);
			worker_counts_end(&w->n, &lp, false, parked);
			if (s != INVALID_SOCKET)
				closesocket(s);
			break;
		case CYCLE_STOPPED:
			if (s != INVALID_SOCKET)
				closesocket(s);
			left = 0;
			break;
		}
		if (w->port)
			reap_port(w, 0);
	}
	w->end = sl_now();
	atomic_store(&w->done, true);
	if (atomic_fetch_sub(&e->running, 1) == 1)
		SetEvent(e->kick);
	/* The churn is over, its completions still starved: they run once the engine is joined
	 * (quiesce), so what they hold comes back there, as the KB's pool did. */
	WaitForSingleObject(e->drain, INFINITE);
	drain(w);
	return NULL;
}
