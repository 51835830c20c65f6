/* The client worker: the compiled sequence in a loop, blocking syscalls, lock-free counters. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "engine/internal.h"
#include "engine/netns.h"

/* A lost datagram must not stall a worker for good. */
static const struct timeval dgram_wait = { 1, 0 };

static int socket_rcvtimeo(const struct transport *tr)
{
	int fd = socket(tr->family, tr->type | SOCK_CLOEXEC, tr->protocol);

	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &dgram_wait, sizeof(dgram_wait));
	return fd;
}

static int send_all(int fd, const char *buf, size_t len, int flags)
{
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		n = send(fd, buf + off, len - off, flags | MSG_NOSIGNAL);
		if (n < 0)
			return -1;
		off += n;
	}
	return 0;
}

static int recv_all(int fd, char *buf, size_t len, int flags)
{
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		n = recv(fd, buf + off, len - off, flags);
		if (n < 0)
			return -1;
		if (n == 0 || (n < (ssize_t)len && flags & MSG_PEEK)) {
			errno = ENODATA; /* the peer closed before N bytes */
			return -1;
		}
		off += n;
	}
	return 0;
}

/*
 * recv-until: reads until the delimiter has come and takes no byte past it (a peek finds it, a
 * recv takes up to its end), or with no delimiter until EOF; at most op->len bytes (EMSGSIZE).
 * buf holds SEQ_UNTIL_CHUNK + SEQ_MAX_DELIM bytes: a piece and the tail of the one before, where
 * a delimiter split between two pieces starts.
 */
static int recv_until(int fd, char *buf, const struct seq_op *op, const char *delim)
{
	size_t got = 0, keep = 0, want, total, dl = op->dlen;
	ssize_t n, took;
	char *at;

	for (;;) {
		want = op->len - got < SEQ_UNTIL_CHUNK ? op->len - got : SEQ_UNTIL_CHUNK;
		if (!want) {
			errno = EMSGSIZE; /* no delimiter (or no EOF) within the bound */
			return -1;
		}
		n = recv(fd, buf + keep, want, dl ? MSG_PEEK : 0);
		if (n < 0)
			return -1;
		if (n == 0) {
			if (!dl)
				return 0; /* the server closed: all read */
			errno = ENODATA; /* closed before the delimiter */
			return -1;
		}
		got += n;
		if (!dl)
			continue;
		/* Take what the peek saw: up to the delimiter's end, or all of it. */
		at = memmem(buf, keep + n, delim, dl);
		if (at)
			n = at + dl - (buf + keep);
		took = recv(fd, buf + keep, n, 0);
		if (took != n) {
			errno = took < 0 ? errno : EIO;
			return -1;
		}
		if (at)
			return 0;
		/* The last dl - 1 bytes may start a delimiter the next piece ends. */
		total = keep + n;
		keep = total < dl - 1 ? total : dl - 1;
		memmove(buf, buf + total - keep, keep);
	}
}

/* N bytes of the send buffer in op->iovs iovecs; a stream sends the rest of a short one. */
static int send_iov(int fd, const char *buf, const struct seq_op *op)
{
	struct iovec iov[SEQ_MAX_IOV];
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = op->iovs };
	size_t each = (op->len + op->iovs - 1) / op->iovs, off = 0;
	ssize_t n;
	unsigned k;

	for (k = 0; k < op->iovs; k++, off += each) {
		iov[k].iov_base = (char *)buf + off;
		iov[k].iov_len = off >= op->len ? 0 : op->len - off < each ? op->len - off : each;
	}
	n = sendmsg(fd, &m, op->flags | MSG_NOSIGNAL);
	if (n < 0)
		return -1;
	return send_all(fd, buf + n, op->len - n, op->flags);
}

/* SCM_RIGHTS over op->fd: a descriptor of the cycle, or op->count fresh sockets. */
static int send_fds(int *fds, const struct seq_op *op, const struct transport *tr)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * SEQ_MAX_SENDFD)];
	} c;
	int carried[SEQ_MAX_SENDFD], n = op->count ? op->count : 1, k, made = 0, err;
	struct iovec iov = { (void *)"x", 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.buf };
	ssize_t rc = -1;

	carried[0] = fds[op->arg_fd];
	for (; made < op->count; made++)
		if ((carried[made] = socket(AF_UNIX, tr->type | SOCK_CLOEXEC, 0)) < 0)
			goto out;
	m.msg_controllen = CMSG_SPACE(sizeof(int) * n);
	c.h.cmsg_level = SOL_SOCKET;
	c.h.cmsg_type = SCM_RIGHTS;
	c.h.cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(&c.h), carried, sizeof(int) * n);
	rc = sendmsg(fds[op->fd], &m, MSG_NOSIGNAL);
out:
	err = errno;
	for (k = 0; k < made; k++)
		close(carried[k]); /* in flight now, or never sent */
	errno = err;
	return rc < 0 ? -1 : 0;
}

/* One message from op->fd: its first descriptor becomes the cycle's op->arg_fd, the rest close. */
static int recv_fd(int *fds, const struct seq_op *op)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * SEQ_MAX_SENDFD)];
	} c;
	char data[64];
	struct iovec iov = { data, sizeof(data) };
	struct msghdr m = { .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = c.buf,
			    .msg_controllen = sizeof(c.buf) };
	struct cmsghdr *h;
	int got[SEQ_MAX_SENDFD], n = 0, k;
	ssize_t rc = recvmsg(fds[op->fd], &m, MSG_CMSG_CLOEXEC);

	if (rc <= 0) {
		errno = rc ? errno : ENODATA;
		return -1;
	}
	for (h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h)) {
		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		k = (int)((h->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		k = k > SEQ_MAX_SENDFD - n ? SEQ_MAX_SENDFD - n : k;
		memcpy(got + n, CMSG_DATA(h), sizeof(int) * k);
		n += k;
	}
	for (k = 1; k < n; k++)
		close(got[k]);
	if (!n) {
		errno = ENOMSG; /* a message without descriptors */
		return -1;
	}
	fds[op->arg_fd] = got[0];
	return 0;
}

/* Reads the error queue until it is empty: MSG_ZEROCOPY completions. */
static int zc_drain(int fd)
{
	char control[256];
	struct msghdr m = { 0 };

	for (;;) {
		m.msg_control = control;
		m.msg_controllen = sizeof(control);
		if (recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			return errno == EAGAIN ? 0 : -1;
	}
}

/* netns: the rest of the cycle in a namespace of its own, lo up, with a listener to connect to. */
static int netns_cycle_enter(int *fds, const struct seq_op *op, const struct transport *tr)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int l;

	if (unshare(CLONE_NEWNET))
		return -1;
	l = fds[SEQ_LISTENER] = socket(tr->family, tr->type | SOCK_CLOEXEC, tr->protocol);
	if (l < 0 || ioctl(l, SIOCGIFFLAGS, &ifr))
		return -1;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(l, SIOCSIFFLAGS, &ifr) || bind(l, (const struct sockaddr *)&op->addr, op->len))
		return -1;
	return tr->stream ? listen(l, 64) : 0;
}

/* Drops the cycle's namespace: its listener closes, the worker goes home; the kernel frees it. */
static int netns_cycle_leave(const struct worker *w, int *fds)
{
	close(fds[SEQ_LISTENER]);
	fds[SEQ_LISTENER] = -1;
	return setns(w->home_ns, CLONE_NEWNET);
}

static int close_fd(struct engine *e, int *fd, bool leak_due, bool *parked)
{
	int rc = 0;

	if (unlikely(leak_due) && !*parked && engine_park(e, *fd))
		*parked = true;
	else
		rc = close(*fd); /* Linux frees the descriptor even when close fails */
	*fd = -1;
	return rc;
}

static int close_fds(struct engine *e, int *fds, uint32_t mask, bool leak_due, bool *parked)
{
	int rc = 0;

	for (; mask; mask &= mask - 1)
		rc |= close_fd(e, &fds[__builtin_ctz(mask)], leak_due, parked);
	return rc;
}

/* After a failed or stopped cycle: every descriptor closed, the worker in its namespace. */
void cycle_cleanup(const struct worker *w, const struct seq *s, int *fds)
{
	unsigned k;

	for (k = 0; k < SEQ_FD_SLOTS; k++) {
		if (fds[k] >= 0)
			close(fds[k]);
		fds[k] = -1;
	}
	if (s->netns_cycle)
		setns(w->home_ns, CLONE_NEWNET);
}

/* One op of the cycle as a plain syscall: -1 with errno when it failed. */
static inline long do_op(struct worker *w, const struct seq_op *op, int *fds, bool leak_due,
			 bool *parked)
{
	struct engine *e = w->e;
	const struct transport *tr = e->tr;
	const struct sockaddr *peer = (const struct sockaddr *)&e->peer,
			      *addr = (const struct sockaddr *)&op->addr;
	socklen_t peerlen = e->peerlen;
	int *fd = &fds[op->fd];
	const char *sbuf = seq_send_buf(e->seq, op, w->sbuf);

	/* One line per op keeps the loop on one screen. */
	/* clang-format off */
	switch (op->exec) {
	case EX_SOCKET: return *fd = socket(tr->family, tr->type | SOCK_CLOEXEC, tr->protocol);
	case EX_SOCKET_RCVTIMEO: return *fd = socket_rcvtimeo(tr);
	case EX_SOCKETPAIR: return socketpair(AF_UNIX, tr->type | SOCK_CLOEXEC, 0, fd);
	case EX_SETSOCKOPT: return setsockopt(*fd, op->level, op->name, &op->val, op->len);
	case EX_BIND: return bind(*fd, addr, op->len);
	case EX_CONNECT: return connect(*fd, peer, peerlen);
	case EX_CONNECT_ADDR: return connect(*fd, addr, op->len);
	case EX_SEND_ALL: return send_all(*fd, sbuf, op->len, op->flags);
	case EX_SEND_DGRAM: return send(*fd, sbuf, op->len, op->flags);
	case EX_SENDTO: return sendto(*fd, sbuf, op->len, op->flags, peer, peerlen);
	case EX_SENDTO_ADDR: return sendto(*fd, sbuf, op->len, op->flags, addr, op->len);
	case EX_SENDMSG: return send_iov(*fd, sbuf, op);
	case EX_RECV_ALL: return recv_all(*fd, w->rbuf, op->len, op->flags);
	case EX_RECV_UNTIL: return recv_until(*fd, w->rbuf, op, e->seq->data + op->off);
	case EX_RECV_DGRAM: return recv(*fd, w->rbuf, op->len, op->flags);
	case EX_SENDFD: return send_fds(fds, op, tr);
	case EX_RECVFD: return recv_fd(fds, op);
	case EX_ZCDRAIN: return zc_drain(*fd);
	case EX_SHUTDOWN: return shutdown(*fd, op->how);
	case EX_CLOSE: return close_fd(e, fd, leak_due, parked);
	case EX_CLOSE_ALL: return close_fds(e, fds, op->mask, leak_due, parked);
	case EX_NETNS_ENTER: return netns_cycle_enter(fds, op, tr);
	case EX_NETNS_LEAVE: return netns_cycle_leave(w, fds);
	}
	/* clang-format on */
	return 0;
}

long syscall_op(struct worker *w, const struct seq_op *op, int *fds, bool leak_due, bool *parked)
{
	return do_op(w, op, fds, leak_due, parked);
}

/* A dontwait op that would have blocked: counted, and the cycle goes on. */
bool cycle_would_block(struct worker *w, const struct seq_op *op, unsigned i, int err)
{
	if (err != EAGAIN || !(op->flags & MSG_DONTWAIT))
		return false;
	counter_inc(&w->wouldblock[i]);
	return true;
}

/* How a cycle ends at op i that failed with err. */
enum cycle_end cycle_failed(struct worker *w, unsigned i, int err, unsigned *op_idx, int *errp)
{
	*errp = err;
	*op_idx = i;
	if (err == EINTR && atomic_load_explicit(&w->e->stop, memory_order_relaxed))
		return CYCLE_STOPPED;
	return CYCLE_FAILED;
}

/*
 * One cycle. Returns CYCLE_OK, or the end with *op_idx and *err saying what failed; descriptors
 * still open stay in fds (the caller parks or closes them).
 */
enum cycle_end run_cycle(struct worker *w, const struct seq *s, bool leak_due, int *fds,
			 unsigned *op_idx, int *err, bool *parked)
{
	unsigned i;

	for (i = 0; i < s->nops; i++) {
		const struct seq_op *op = &s->ops[i];

		if (unlikely(do_op(w, op, fds, leak_due, parked) < 0) &&
		    !cycle_would_block(w, op, i, errno))
			return cycle_failed(w, i, errno, op_idx, err);
	}
	return CYCLE_OK;
}
