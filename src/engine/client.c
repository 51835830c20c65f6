/* The client worker: the compiled sequence in a loop, blocking syscalls, lock-free counters. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "engine/internal.h"
#include "engine/netns.h"

/* A lost datagram must not stall a worker for good. */
static const struct timeval dgram_wait = { 1, 0 };

enum cycle_end {
	CYCLE_OK,
	CYCLE_FAILED,
	CYCLE_STOPPED, /* interrupted by a stop request */
};

static int send_all(int fd, const char *buf, size_t len)
{
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		n = send(fd, buf + off, len - off, MSG_NOSIGNAL);
		if (n < 0)
			return -1;
		off += n;
	}
	return 0;
}

static int recv_all(int fd, char *buf, size_t len)
{
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		n = recv(fd, buf + off, len - off, 0);
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = ENODATA; /* the peer closed before N bytes */
			return -1;
		}
		off += n;
	}
	return 0;
}

/*
 * One cycle. Returns CYCLE_OK, or the end with *op_idx and *err saying what failed. On failure
 * the socket is still open in *fdp (or -1).
 */
static enum cycle_end run_cycle(struct worker *w, const struct seq *s, bool leak_due, int *fdp,
				unsigned *op_idx, int *err, bool *parked)
{
	struct engine *e = w->e;
	const struct transport *tr = e->tr;
	const struct sockaddr *peer = (const struct sockaddr *)&e->peer;
	socklen_t peerlen = e->peerlen;
	int fd = -1;
	unsigned i;

	for (i = 0; i < s->nops; i++) {
		const struct seq_op *op = &s->ops[i];

		switch (op->exec) {
		case EX_SOCKET:
			fd = socket(tr->family, tr->type | SOCK_CLOEXEC, tr->protocol);
			if (fd < 0)
				goto fail;
			break;
		case EX_SOCKET_RCVTIMEO:
			fd = socket(tr->family, tr->type | SOCK_CLOEXEC, tr->protocol);
			if (fd < 0)
				goto fail;
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &dgram_wait, sizeof(dgram_wait));
			break;
		case EX_SETSOCKOPT:
			if (setsockopt(fd, op->level, op->name, &op->val, op->len))
				goto fail;
			break;
		case EX_BIND:
			if (bind(fd, (const struct sockaddr *)&op->addr, op->len))
				goto fail;
			break;
		case EX_CONNECT:
			if (connect(fd, peer, peerlen))
				goto fail;
			break;
		case EX_SEND_ALL:
			if (send_all(fd, w->sbuf, op->len))
				goto fail;
			break;
		case EX_SEND_DGRAM:
			if (send(fd, w->sbuf, op->len, MSG_NOSIGNAL) < 0)
				goto fail;
			break;
		case EX_SENDTO:
			if (sendto(fd, w->sbuf, op->len, MSG_NOSIGNAL, peer, peerlen) < 0)
				goto fail;
			break;
		case EX_RECV_ALL:
			if (recv_all(fd, w->rbuf, op->len))
				goto fail;
			break;
		case EX_RECV_DGRAM:
			if (recv(fd, w->rbuf, op->len, 0) < 0)
				goto fail;
			break;
		case EX_SHUTDOWN:
			if (shutdown(fd, op->how))
				goto fail;
			break;
		case EX_CLOSE:
			if (unlikely(leak_due) && engine_park(e, fd)) {
				*parked = true;
			} else if (close(fd)) {
				fd = -1; /* Linux frees the descriptor even when close fails */
				goto fail;
			}
			fd = -1;
			break;
		default:
			break;
		}
	}
	*fdp = fd;
	return CYCLE_OK;
fail:
	*err = errno;
	*fdp = fd;
	*op_idx = i;
	if (*err == EINTR && atomic_load_explicit(&e->stop, memory_order_relaxed))
		return CYCLE_STOPPED;
	return CYCLE_FAILED;
}

/* Pacing and --yield: the only path with time calls, taken only when asked for. */
static void between_cycles(struct worker *w, struct timespec *next)
{
	struct timespec now;
	long ns;

	if (w->e->cfg.yield)
		sched_yield();
	if (w->period <= 0)
		return;
	ns = (long)(w->period * 1e9);
	next->tv_nsec += ns % 1000000000L;
	next->tv_sec += ns / 1000000000L + next->tv_nsec / 1000000000L;
	next->tv_nsec %= 1000000000L;
	clock_gettime(CLOCK_MONOTONIC, &now);
	/* Fallen more than a second behind: do not burst to catch up. */
	if (now.tv_sec > next->tv_sec + 1) {
		*next = now;
		return;
	}
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL);
}

void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct engine *e = w->e;
	const struct seq *s = e->seq;
	uint64_t n = e->cfg.inject_leak;
	uint64_t left = w->budget;
	/* Cycles until the next leak, counted on the global cycle index: (g + 1) % n == 0. */
	uint64_t until_leak = n ? n - w->first % n : 0;
	uint64_t leak_debt = 0; /* leaks due; a failed cycle passes its leak to the next */
	bool parked;
	struct timespec next;
	sigset_t wake;
	unsigned op_idx;
	int fd, err;

	/* Only the engine's wake signal may interrupt this thread's syscalls. */
	sigemptyset(&wake);
	sigaddset(&wake, SIGRTMIN);
	pthread_sigmask(SIG_UNBLOCK, &wake, NULL);
	if (e->netns_fd >= 0) {
		w->setup_err = netns_enter(e->netns_fd);
		if (w->setup_err)
			goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &next);

	while (left) {
		if (atomic_load_explicit(&e->stop, memory_order_relaxed))
			break;
		if (unlikely(w->slow))
			between_cycles(w, &next);
		left--;
		if (n && --until_leak == 0) {
			leak_debt++;
			until_leak = n;
		}
		parked = false;
		switch (run_cycle(w, s, leak_debt > 0, &fd, &op_idx, &err, &parked)) {
		case CYCLE_OK:
			counter_inc(&w->cycles);
			if (parked) {
				counter_inc(&w->leaked);
				leak_debt--;
			}
			if (unlikely(fd >= 0)) {
				/* --allow-open: the sequence left its socket open on purpose. */
				if (engine_park(e, fd))
					counter_inc(&w->left_open);
				else
					close(fd);
			}
			break;
		case CYCLE_FAILED:
			counter_inc(
				&w->errors[op_idx]
					  [err < ENGINE_MAX_ERRNO ? err : ENGINE_MAX_ERRNO - 1]);
			counter_inc(&w->failed);
			if (fd >= 0)
				close(fd);
			break;
		case CYCLE_STOPPED:
			if (fd >= 0)
				close(fd);
			left = 0;
			break;
		}
	}
out:
	w->end = sl_now();
	atomic_store(&w->done, true);
	if (atomic_fetch_sub(&e->running, 1) == 1) {
		uint64_t one = 1;

		/* The last worker wakes the controller. */
		if (write(e->kick_fd, &one, sizeof(one)) < 0)
			(void)0;
	}
	return NULL;
}
