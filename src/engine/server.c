/* The local server: epoll threads that accept, follow the sequence's plan and close as told. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "engine/internal.h"
#include "engine/netns.h"
#include "engine/server_seq.h"

#define RBUF 65536
#define MAX_EVENTS 64

/* A connection that had to wait: it lives in the thread's epoll and on its list. */
struct conn {
	int fd;
	unsigned pc; /* the server sequence's op under way */
	uint32_t left; /* recv, send: bytes still to go (0: the op has not started) */
	unsigned step; /* answer: plan step being served */
	uint32_t got; /* bytes of the step's request read so far */
	uint32_t out_left; /* bytes of the step's reply still to write */
	uint32_t want; /* EPOLLIN, EPOLLOUT or EPOLLRDHUP, as registered */
	struct conn *prev, *next;
};

struct sthread {
	struct server *s;
	unsigned idx;
	int ep;
	int lfd; /* its listening or datagram socket */
	bool own; /* lfd is this thread's alone (SO_REUSEPORT group), and blocking */
	char *rbuf, *wbuf; /* wbuf: zeros, the reply bytes */
	struct conn head; /* list of waiting connections */
};

enum { CONN_DONE, CONN_WAIT_IN, CONN_WAIT_OUT, CONN_WAIT_HUP };

static void conn_close(int fd, bool rst)
{
	if (rst) {
		static const struct linger l = { 1, 0 };

		setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	}
	close(fd);
}

#define ANSWERED -1

/* answer: the client's requests read and answered, step by step: ANSWERED, or CONN_*. */
static int conn_answer(struct sthread *t, struct conn *c)
{
	const struct seq_plan *plan = t->s->plan;
	ssize_t n;
	size_t cap;

	for (;;) {
		if (c->out_left) {
			n = send(c->fd, t->wbuf, c->out_left, MSG_NOSIGNAL);
			if (n < 0)
				return errno == EAGAIN ? CONN_WAIT_OUT : CONN_DONE;
			c->out_left -= (uint32_t)n;
			continue;
		}
		if (c->step == plan->nsteps)
			return ANSWERED;
		if (c->got == plan->step[c->step].expect) {
			c->out_left = plan->step[c->step].reply;
			c->step++;
			c->got = 0;
			continue;
		}
		cap = plan->step[c->step].expect - c->got;
		n = recv(c->fd, t->rbuf, cap > RBUF ? RBUF : cap, 0);
		if (n > 0) {
			c->got += (uint32_t)n;
			continue;
		}
		return n < 0 && errno == EAGAIN ? CONN_WAIT_IN : CONN_DONE;
	}
}

/* Runs the server sequence as far as it goes without blocking; closes the connection when done. */
static int conn_serve(struct sthread *t, struct conn *c, bool hup)
{
	const struct sseq *ss = t->s->ss;
	ssize_t n;
	int r;

	for (; c->pc < ss->nops; c->pc++) {
		uint32_t len = ss->ops[c->pc].len;

		switch (ss->ops[c->pc].kind) {
		case SS_RECV:
		case SS_SEND:
			if (!c->left)
				c->left = len;
			while (c->left) {
				n = ss->ops[c->pc].kind == SS_RECV ?
					    recv(c->fd, t->rbuf, c->left > RBUF ? RBUF : c->left,
						 0) :
					    send(c->fd, t->wbuf, c->left, MSG_NOSIGNAL);
				if (n < 0 && errno == EAGAIN)
					return ss->ops[c->pc].kind == SS_RECV ? CONN_WAIT_IN :
										CONN_WAIT_OUT;
				if (n <= 0)
					goto done; /* EOF before N bytes, or the peer reset */
				c->left -= (uint32_t)n;
			}
			break;
		case SS_ANSWER:
			r = conn_answer(t, c);
			if (r == CONN_DONE)
				goto done;
			if (r != ANSWERED)
				return r;
			break;
		case SS_DRAIN:
			while ((n = recv(c->fd, t->rbuf, RBUF, 0)) > 0)
				;
			if (n < 0 && errno == EAGAIN)
				return CONN_WAIT_IN;
			break;
		case SS_HANGUP:
			if (!hup)
				return CONN_WAIT_HUP;
			hup = false;
			break;
		case SS_SHUTDOWN:
			shutdown(c->fd, (int)len);
			break;
		case SS_CLOSE:
			conn_close(c->fd, len);
			return CONN_DONE;
		default:
			break;
		}
	}
done:
	close(c->fd);
	return CONN_DONE;
}

static void conn_unlink(struct conn *c)
{
	c->prev->next = c->next;
	c->next->prev = c->prev;
}

static uint32_t wait_events(int r)
{
	return r == CONN_WAIT_OUT ? EPOLLOUT : r == CONN_WAIT_HUP ? EPOLLRDHUP : EPOLLIN;
}

/* Registers a connection that must wait for readiness. */
static void conn_park(struct sthread *t, struct conn *stack, uint32_t events)
{
	struct epoll_event ev = { .events = events };
	struct conn *c = malloc(sizeof(*c));

	if (!c) {
		close(stack->fd);
		return;
	}
	*c = *stack;
	c->want = events;
	ev.data.ptr = c;
	if (epoll_ctl(t->ep, EPOLL_CTL_ADD, c->fd, &ev)) {
		close(c->fd);
		free(c);
		return;
	}
	c->next = t->head.next;
	c->prev = &t->head;
	t->head.next->prev = c;
	t->head.next = c;
}

static void conn_event(struct sthread *t, struct conn *c, uint32_t events)
{
	struct epoll_event ev;
	int r = conn_serve(t, c, c->want == EPOLLRDHUP && events & (EPOLLRDHUP | EPOLLHUP));

	if (r == CONN_DONE) {
		conn_unlink(c);
		free(c); /* conn_serve closed it, which also left the epoll set */
		return;
	}
	ev.events = wait_events(r);
	if (ev.events != c->want) {
		ev.data.ptr = c;
		c->want = ev.events;
		epoll_ctl(t->ep, EPOLL_CTL_MOD, c->fd, &ev);
	}
}

/*
 * Accepts one connection and serves what it can. Level-triggered: epoll says when there is more.
 * Returns false when the listener no longer listens (server_stop shut it down).
 */
static bool on_accept(struct sthread *t)
{
	struct conn c = { 0 };
	int r;

	c.fd = accept4(t->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (c.fd < 0) {
		/* Out of fds (--allow-open, --inject-leak): the listener stays readable, so pause
		 * rather than spin. Otherwise another thread took it or the peer left. */
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			static const struct timespec ms = { 0, 1000000 };

			nanosleep(&ms, NULL);
		}
		return errno != EINVAL;
	}
	/* The request and EOF are often there already: serve inline, park only if needed. */
	c.pc = 1; /* past accept */
	r = conn_serve(t, &c, false);
	if (r != CONN_DONE)
		conn_park(t, &c, wait_events(r));
	return true;
}

static void on_datagrams(struct sthread *t)
{
	const struct seq_plan *plan = t->s->plan;
	struct sockaddr_storage from;
	socklen_t flen;
	ssize_t n;
	unsigned i;

	for (;;) {
		flen = sizeof(from);
		/* MSG_TRUNC: the real size, whatever the buffer; the size tells the request. */
		n = recvfrom(t->lfd, t->rbuf, RBUF, MSG_TRUNC, (struct sockaddr *)&from, &flen);
		if (n < 0)
			return;
		for (i = 0; i < plan->nsteps; i++) {
			if (plan->step[i].expect != (uint32_t)n || !plan->step[i].reply)
				continue;
			/* An unbound client has no address to answer to. */
			if (flen > sizeof(sa_family_t))
				sendto(t->lfd, t->wbuf, plan->step[i].reply, MSG_NOSIGNAL,
				       (struct sockaddr *)&from, flen);
			break;
		}
	}
}

static void *server_main(void *arg)
{
	struct sthread *t = arg;
	struct server *s = t->s;
	struct epoll_event evs[MAX_EVENTS], ev;
	struct conn *c;
	int i, n;

	engine_thread_started(s, &s->tids[t->idx], false);
	t->head.next = t->head.prev = &t->head;
	if (s->netns_fd >= 0 && netns_enter(s->netns_fd))
		goto out;
	ev.events = EPOLLIN;
	ev.data.ptr = s;
	epoll_ctl(t->ep, EPOLL_CTL_ADD, s->stop_fd, &ev);
	/* A socket shared by several threads: EPOLLEXCLUSIVE wakes one of them, not all. */
	ev.events = EPOLLIN | (s->nfds < s->nthreads ? EPOLLEXCLUSIVE : 0);
	ev.data.ptr = NULL;
	epoll_ctl(t->ep, EPOLL_CTL_ADD, t->lfd, &ev);

	for (;;) {
		/*
		 * Nothing waiting on a listener of its own: sleep in accept itself, one call per
		 * connection as a plain server makes, not epoll_wait and accept4. server_stop
		 * shuts the listener down, which ends a blocked accept with EINVAL.
		 */
		if (t->own && t->head.next == &t->head) {
			if (!on_accept(t))
				goto out;
			continue;
		}
		n = epoll_wait(t->ep, evs, MAX_EVENTS, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < n; i++) {
			if (evs[i].data.ptr == s)
				goto out;
			if (!evs[i].data.ptr) {
				if (s->tr->stream) {
					if (!on_accept(t))
						goto out;
				} else
					on_datagrams(t);
			} else {
				conn_event(t, evs[i].data.ptr, evs[i].events);
			}
		}
	}
out:
	while ((c = t->head.next) != &t->head) {
		conn_unlink(c);
		close(c->fd);
		free(c);
	}
	return NULL;
}

int server_start(struct server *s, char *why, size_t whylen)
{
	struct sthread *ts;
	sigset_t all, old;
	unsigned i;
	int err = 0;

	s->threads = calloc(s->nthreads, sizeof(*s->threads));
	s->tids = calloc(s->nthreads, sizeof(*s->tids));
	ts = calloc(s->nthreads, sizeof(*ts));
	s->priv = ts;
	s->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!s->threads || !s->tids || !ts || s->stop_fd < 0) {
		snprintf(why, whylen, "server: out of memory or fds");
		return -ENOMEM;
	}
	for (i = 0; i < s->nthreads; i++)
		ts[i].ep = -1;
	for (i = 0; i < s->nthreads; i++) {
		ts[i].s = s;
		ts[i].idx = i;
		ts[i].lfd = s->fds[i % s->nfds];
		/* A listener of its own may block: no other thread can take its connection. */
		ts[i].own = s->tr->stream && s->tr->reuseport && s->nfds == s->nthreads &&
			    !fcntl(ts[i].lfd, F_SETFL, fcntl(ts[i].lfd, F_GETFL) & ~O_NONBLOCK);
		ts[i].ep = epoll_create1(EPOLL_CLOEXEC);
		ts[i].rbuf = malloc(RBUF);
		ts[i].wbuf = calloc(1, s->max_reply ? s->max_reply : 1);
		if (ts[i].ep < 0 || !ts[i].rbuf || !ts[i].wbuf) {
			snprintf(why, whylen, "server: out of memory or fds");
			return -ENOMEM;
		}
	}
	/* Server threads take no signals: the stop eventfd ends them. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (i = 0; i < s->nthreads; i++) {
		err = -pthread_create(&s->threads[i], NULL, server_main, &ts[i]);
		if (err) {
			snprintf(why, whylen, "server thread: %s", strerror(-err));
			break;
		}
		s->started++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

void server_stop(struct server *s)
{
	struct sthread *ts = s->priv;
	uint64_t one = 1;
	unsigned i;

	if (s->stop_fd >= 0 && write(s->stop_fd, &one, sizeof(one)) < 0)
		sl_err("server: cannot signal stop: %s", strerror(errno));
	/* Ends a blocked accept (EINVAL): the listener leaves the listening state. */
	for (i = 0; ts && i < s->nthreads; i++)
		if (ts[i].own)
			shutdown(ts[i].lfd, SHUT_RD);
	for (i = 0; i < s->started; i++)
		pthread_join(s->threads[i], NULL);
	for (i = 0; ts && i < s->nthreads; i++) {
		if (ts[i].ep >= 0)
			close(ts[i].ep);
		free(ts[i].rbuf);
		free(ts[i].wbuf);
	}
	if (s->stop_fd >= 0)
		close(s->stop_fd);
	for (i = 0; i < s->nfds; i++)
		close(s->fds[i]);
	free(s->fds);
	s->fds = NULL;
	s->nfds = 0;
	free(ts);
	free(s->threads);
	free((void *)s->tids);
	s->tids = NULL;
	s->priv = NULL;
	s->threads = NULL;
	s->started = 0;
	s->stop_fd = -1;
}
