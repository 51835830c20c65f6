/* The local server on Windows: IOCP threads on loopback that accept, follow the plan and close. */
#include <errno.h>
#include <mswsock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "engine/win/internal.h"

#define ACCEPTS 64 /* AcceptEx calls kept posted */
#define DGRAM_RECVS 16 /* WSARecvFrom calls kept posted on a datagram server */
#define RBUF 65536
#define ADDR_SPACE (sizeof(struct sockaddr_storage) + 16)
#define KEY_STOP 1

enum conn_state { C_ACCEPT, C_READ, C_DGRAM };

/*
 * One accept slot, one connection or one datagram receive: the overlapped in flight for it.
 * A conn has at most one call in flight, and its completion may be taken by another server thread
 * before the posting call has returned (a receive that finds its bytes or its end completes at
 * once, and its packet is queued all the same). Winsock may still read the overlapped in that
 * call (Wine's AcceptEx and WSARecv read its InternalHigh after the request), so the poster holds
 * `posting` over the call and a completion is served only once it can take `posting` too:
 * whoever frees the conn does so after the call that posted it returned.
 */
struct conn {
	WSAOVERLAPPED ov;
	SRWLOCK posting;
	enum conn_state st;
	SOCKET s;
	unsigned step; /* plan step being served */
	uint32_t got; /* bytes of the step's request read so far */
	struct sockaddr_storage from; /* datagrams: the sender */
	int fromlen;
	char addrs[2 * ADDR_SPACE]; /* AcceptEx's addresses */
	char buf[RBUF];
	struct conn *prev, *next; /* every live one, for the stop */
};

struct srv_priv {
	LPFN_ACCEPTEX acceptex;
	pthread_mutex_t lock;
	struct conn head;
	char *wbuf; /* the reply bytes: zeros */
	_Atomic bool stopping;
};

static struct conn *conn_new(struct server *s, enum conn_state st)
{
	struct srv_priv *p = s->priv;
	struct conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->st = st;
	c->s = INVALID_SOCKET;
	InitializeSRWLock(&c->posting);
	pthread_mutex_lock(&p->lock);
	c->next = p->head.next;
	c->prev = &p->head;
	p->head.next->prev = c;
	p->head.next = c;
	pthread_mutex_unlock(&p->lock);
	return c;
}

static void conn_free(struct server *s, struct conn *c)
{
	struct srv_priv *p = s->priv;

	pthread_mutex_lock(&p->lock);
	c->prev->next = c->next;
	c->next->prev = c->prev;
	pthread_mutex_unlock(&p->lock);
	if (c->s != INVALID_SOCKET) {
		if (s->mode == SC_RST && c->st == C_READ) {
			static const struct linger l = { 1, 0 };

			setsockopt(c->s, SOL_SOCKET, SO_LINGER, (const char *)&l, sizeof(l));
		}
		closesocket(c->s);
	}
	free(c);
}

static SOCKET new_socket(const struct transport *tr)
{
	return WSASocketW(tr->family, tr->type, tr->protocol, NULL, 0,
			  WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
}

/* The completion of c's call arrived: wait until the thread that made the call is out of it. */
static void conn_settle(struct conn *c)
{
	AcquireSRWLockExclusive(&c->posting);
	ReleaseSRWLockExclusive(&c->posting);
}

static int post_accept(struct server *s, struct conn *c)
{
	struct srv_priv *p = s->priv;
	DWORD n = 0;
	BOOL done;
	int err;

	c->st = C_ACCEPT;
	c->s = new_socket(s->tr);
	if (c->s == INVALID_SOCKET)
		return -1;
	memset(&c->ov, 0, sizeof(c->ov));
	AcquireSRWLockExclusive(&c->posting);
	done = p->acceptex(s->lsock, c->s, c->addrs, 0, ADDR_SPACE, ADDR_SPACE, &n, &c->ov);
	err = done ? 0 : WSAGetLastError();
	ReleaseSRWLockExclusive(&c->posting);
	if (done || err == ERROR_IO_PENDING)
		return 0; /* c is the completion's now: not one more look at it here */
	closesocket(c->s);
	c->s = INVALID_SOCKET;
	return -1;
}

/*
 * The byte count comes with the completion: no count pointer to the call (Microsoft's advice for
 * overlapped receives), so Winsock has no reason to read the overlapped once it returned.
 */
static int post_read(struct server *s, struct conn *c)
{
	const struct seq_plan *plan = s->plan;
	DWORD flags = 0;
	WSABUF b = { RBUF, c->buf };
	int err;

	/* Within a step read what it expects and no more: the reply follows the request. */
	if (c->step < plan->nsteps && plan->step[c->step].expect - c->got < RBUF)
		b.len = plan->step[c->step].expect - c->got;
	memset(&c->ov, 0, sizeof(c->ov));
	AcquireSRWLockExclusive(&c->posting);
	err = WSARecv(c->s, &b, 1, NULL, &flags, &c->ov, NULL) ? WSAGetLastError() : 0;
	ReleaseSRWLockExclusive(&c->posting);
	return !err || err == WSA_IO_PENDING ? 0 : -1;
}

static int post_dgram(struct server *s, struct conn *c)
{
	DWORD flags = 0;
	WSABUF b = { RBUF, c->buf };
	int err;

	memset(&c->ov, 0, sizeof(c->ov));
	c->fromlen = sizeof(c->from);
	AcquireSRWLockExclusive(&c->posting);
	err = WSARecvFrom(s->lsock, &b, 1, NULL, &flags, (struct sockaddr *)&c->from, &c->fromlen,
			  &c->ov, NULL) ?
		      WSAGetLastError() :
		      0;
	ReleaseSRWLockExclusive(&c->posting);
	return !err || err == WSA_IO_PENDING ? 0 : -1;
}

/* A connection's bytes arrived (n > 0) or its end (n == 0): serve the plan; false to close it. */
static bool on_read(struct server *s, struct conn *c, DWORD n)
{
	const struct seq_plan *plan = s->plan;
	struct srv_priv *p = s->priv;

	if (!n)
		return false;
	if (c->step < plan->nsteps) {
		c->got += n;
		if (c->got == plan->step[c->step].expect) {
			uint32_t left = plan->step[c->step].reply;

			/* Replies are small and the client reads them: a plain blocking send. */
			while (left) {
				int k = send(c->s, p->wbuf, (int)left, 0);

				if (k == SOCKET_ERROR)
					return false;
				left -= (uint32_t)k;
			}
			c->step++;
			c->got = 0;
		}
	}
	return !post_read(s, c);
}

static void on_accept(struct server *s, struct conn *c)
{
	struct conn *next = conn_new(s, C_ACCEPT);
	SOCKET ls = s->lsock;

	/* Keep the accept slots full first. */
	if (next && post_accept(s, next))
		conn_free(s, next);
	setsockopt(c->s, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, (const char *)&ls, sizeof(ls));
	c->st = C_READ;
	if (s->mode == SC_IMMEDIATE || !CreateIoCompletionPort((HANDLE)c->s, s->port, 0, 0) ||
	    post_read(s, c))
		conn_free(s, c);
}

static void on_dgram(struct server *s, struct conn *c, DWORD n)
{
	const struct seq_plan *plan = s->plan;
	struct srv_priv *p = s->priv;
	unsigned i;

	for (i = 0; i < plan->nsteps; i++) {
		if (plan->step[i].expect != n || !plan->step[i].reply)
			continue;
		sendto(s->lsock, p->wbuf, (int)plan->step[i].reply, 0,
		       (const struct sockaddr *)&c->from, c->fromlen);
		break;
	}
	if (post_dgram(s, c))
		conn_free(s, c);
}

static void *server_main(void *arg)
{
	struct server *s = arg;
	struct srv_priv *p = s->priv;

	for (;;) {
		DWORD n = 0;
		ULONG_PTR key = 0;
		OVERLAPPED *ov = NULL;
		BOOL ok = GetQueuedCompletionStatus(s->port, &n, &key, &ov, INFINITE);
		struct conn *c = (struct conn *)ov;

		if (key == KEY_STOP || !ov)
			break;
		if (atomic_load(&p->stopping)) {
			continue; /* server_stop frees what is left */
		}
		conn_settle(c);
		switch (c->st) {
		case C_ACCEPT:
			if (ok) {
				on_accept(s, c);
			} else if (!post_accept(s, c)) {
				/* a failed accept (the client went first): the slot is posted again */
			} else {
				conn_free(s, c);
			}
			break;
		case C_READ:
			if (!ok || !on_read(s, c, n))
				conn_free(s, c);
			break;
		case C_DGRAM:
			on_dgram(s, c, ok ? n : (DWORD)-1);
			break;
		}
	}
	return NULL;
}

static int listen_socket(struct server *s, struct sockaddr_storage *ss, socklen_t *len, char *why,
			 size_t whylen)
{
	const struct transport *tr = s->tr;
	struct srv_priv *p = s->priv;
	GUID gid = WSAID_ACCEPTEX;
	DWORD n;

	memset(ss, 0, sizeof(*ss));
	if (tr->family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_addr = in6addr_loopback;
		*len = sizeof(*in6);
	}
	s->lsock = new_socket(tr);
	if (s->lsock == INVALID_SOCKET ||
	    bind(s->lsock, (struct sockaddr *)ss, *len) == SOCKET_ERROR ||
	    (tr->stream && listen(s->lsock, s->backlog) == SOCKET_ERROR) ||
	    getsockname(s->lsock, (struct sockaddr *)ss, len) == SOCKET_ERROR) {
		snprintf(why, whylen, "%s server on loopback: Winsock error %d",
			 transport_name(tr->kind), WSAGetLastError());
		return -EADDRNOTAVAIL;
	}
	if (tr->stream && WSAIoctl(s->lsock, SIO_GET_EXTENSION_FUNCTION_POINTER, &gid, sizeof(gid),
				   &p->acceptex, sizeof(p->acceptex), &n, NULL, NULL)) {
		snprintf(why, whylen, "AcceptEx is not available: Winsock error %d",
			 WSAGetLastError());
		return -ENOSYS;
	}
	if (!CreateIoCompletionPort((HANDLE)s->lsock, s->port, 0, 0)) {
		snprintf(why, whylen, "cannot bind the server socket to its completion port");
		return -ENOMEM;
	}
	return 0;
}

int server_start(struct server *s, struct sockaddr_storage *addr, socklen_t *len, char *why,
		 size_t whylen)
{
	struct srv_priv *p = calloc(1, sizeof(*p));
	unsigned i, nposts = s->tr->stream ? ACCEPTS : DGRAM_RECVS;
	int err;

	if (!p)
		return -ENOMEM;
	s->priv = p;
	pthread_mutex_init(&p->lock, NULL);
	p->head.next = p->head.prev = &p->head;
	p->wbuf = calloc(1, s->max_reply ? s->max_reply : 1);
	s->port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, s->nthreads);
	s->threads = calloc(s->nthreads, sizeof(*s->threads));
	if (!p->wbuf || !s->port || !s->threads) {
		snprintf(why, whylen, "out of memory for the local server");
		return -ENOMEM;
	}
	err = listen_socket(s, addr, len, why, whylen);
	if (err)
		return err;
	for (i = 0; i < nposts; i++) {
		struct conn *c = conn_new(s, s->tr->stream ? C_ACCEPT : C_DGRAM);

		if (!c || (s->tr->stream ? post_accept(s, c) : post_dgram(s, c))) {
			snprintf(why, whylen,
				 "the local server cannot post its %s: Winsock error %d",
				 s->tr->stream ? "accepts" : "receives", WSAGetLastError());
			if (c)
				conn_free(s, c);
			return -EIO;
		}
	}
	for (i = 0; i < s->nthreads; i++) {
		if (pthread_create(&s->threads[i], NULL, server_main, s)) {
			snprintf(why, whylen, "cannot start server threads");
			return -EAGAIN;
		}
		s->started++;
	}
	return 0;
}

void server_stop(struct server *s)
{
	struct srv_priv *p = s->priv;
	unsigned i;

	if (p)
		atomic_store(&p->stopping, true);
	for (i = 0; i < s->started; i++)
		PostQueuedCompletionStatus(s->port, 0, KEY_STOP, NULL);
	for (i = 0; i < s->started; i++)
		pthread_join(s->threads[i], NULL);
	s->started = 0;
	if (s->lsock != INVALID_SOCKET)
		closesocket(s->lsock);
	s->lsock = INVALID_SOCKET;
	if (p) {
		struct conn *c;
		double end = sl_now() + 2;
		DWORD n;
		ULONG_PTR key;
		OVERLAPPED *ov;

		/* Closing each socket cancels its overlapped call ... */
		for (c = p->head.next; c != &p->head; c = c->next) {
			if (c->s != INVALID_SOCKET) {
				closesocket(c->s);
				c->s = INVALID_SOCKET;
			}
		}
		/* ... whose completion the kernel still writes: collect them before freeing. */
		while (sl_now() < end) {
			ov = NULL;
			if (!GetQueuedCompletionStatus(s->port, &n, &key, &ov, 100) && !ov)
				break; /* timed out: nothing more is due */
		}
		while (p->head.next != &p->head)
			conn_free(s, p->head.next);
	}
	if (s->port)
		CloseHandle(s->port);
	s->port = NULL;
	free(s->threads);
	s->threads = NULL;
	if (p) {
		pthread_mutex_destroy(&p->lock);
		free(p->wbuf);
		free(p);
	}
	s->priv = NULL;
}
