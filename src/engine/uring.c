/* The client's ops through io_uring: one ring per worker, the same compiled sequence. */
#include "engine/uring.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "common.h"
#include "engine/internal.h"
#include "engine/uring_compat.h"

#define RING_DEPTH 128 /* a whole cycle's SQEs when linked: ops, timeouts, closes */
#define UD_TIMEOUT (1ull << 32) /* user_data of a link timeout: not an op's */

struct uring_state {
	struct io_uring ring;
	bool fixed;
	const struct uring_caps *caps;
};

/* What this kernel's io_uring does, found once per run. */
static struct uring_caps caps;

/* A lost datagram must not stall a worker for good (SO_RCVTIMEO's part under io_uring). */
static struct __kernel_timespec dgram_wait = { 1, 0 };

static const struct {
	int opcode;
	const char *name;
} needed[] = {
	{ IORING_OP_SOCKET, "IORING_OP_SOCKET (5.19)" },
	{ IORING_OP_CONNECT, "IORING_OP_CONNECT (5.5)" },
	{ IORING_OP_SEND, "IORING_OP_SEND (5.6)" },
	{ IORING_OP_RECV, "IORING_OP_RECV (5.6)" },
	{ IORING_OP_SENDMSG, "IORING_OP_SENDMSG (5.3)" },
	{ IORING_OP_SHUTDOWN, "IORING_OP_SHUTDOWN (5.11)" },
	{ IORING_OP_CLOSE, "IORING_OP_CLOSE (5.6)" },
	{ IORING_OP_LINK_TIMEOUT, "IORING_OP_LINK_TIMEOUT (5.5)" },
};

/* Whether the op runs on the ring here, or as a plain syscall on the cycle's real fd. */
static bool on_ring(const struct seq_op *op, const struct uring_caps *c)
{
	if (seq_op_needs_fd(op))
		return false;
	if (op->exec == EX_SETSOCKOPT)
		return c->setsockopt;
	if (op->exec == EX_BIND)
		return c->bind;
	return true;
}

int uring_check(const struct run_config *cfg, const struct seq *s, char *why, size_t len)
{
	struct io_uring_probe *p = io_uring_get_probe();
	char missing[512] = "";
	unsigned i;
	size_t n = 0;

	if (!p) {
		snprintf(
			why, len,
			"io_uring is not available here (disabled by sysctl kernel.io_uring_disabled, "
			"or a kernel without it); use --api syscalls");
		return -EOPNOTSUPP;
	}
	for (i = 0; i < ARRAY_SIZE(needed); i++)
		if (!io_uring_opcode_supported(p, needed[i].opcode) && n + 64 < sizeof(missing))
			n += snprintf(missing + n, sizeof(missing) - n, "%s%s", n ? ", " : "",
				      needed[i].name);
	caps.setsockopt = io_uring_opcode_supported(p, IORING_OP_URING_CMD) &&
			  p->last_op >= SL_IORING_OP_BIND; /* the socket command came with 6.7 */
	caps.bind = io_uring_opcode_supported(p, SL_IORING_OP_BIND);
	io_uring_free_probe(p);
	if (n) {
		snprintf(why, len, "this kernel's io_uring lacks %s; use --api syscalls", missing);
		return -EOPNOTSUPP;
	}
	for (i = 0; i < s->nops; i++) {
		if (on_ring(&s->ops[i], &caps))
			continue;
		if (cfg->fixed_files) {
			snprintf(
				why, len,
				"--fixed-files: op %u (%s) runs as a plain syscall under io_uring, and "
				"a direct descriptor has no fd for it; drop --fixed-files",
				i + 1, seq_op_name(s->ops[i].kind));
			return -EINVAL;
		}
	}
	if (cfg->fixed_files && (cfg->inject_leak || !s->closes)) {
		snprintf(
			why, len,
			"--fixed-files: --inject-leak and --allow-open keep sockets open by their fd, "
			"which a direct descriptor does not have; drop --fixed-files");
		return -EINVAL;
	}
	return 0;
}

const struct uring_caps *uring_caps(void)
{
	return &caps;
}

static int uring_start(struct worker *w)
{
	struct io_uring_params params = { 0 };
	struct uring_state *u = calloc(1, sizeof(*u));
	int err;

	if (!u)
		return -ENOMEM;
	if (w->e->cfg.sqpoll) {
		params.flags = IORING_SETUP_SQPOLL;
		params.sq_thread_idle = 100; /* ms */
	}
	err = io_uring_queue_init_params(RING_DEPTH, &u->ring, &params);
	if (!err && w->e->cfg.fixed_files)
		err = io_uring_register_files_sparse(&u->ring, SEQ_FD_SLOTS);
	if (err) {
		free(u);
		return err;
	}
	u->fixed = w->e->cfg.fixed_files;
	u->caps = &caps;
	w->api_state = u;
	return 0;
}

static void uring_stop(struct worker *w)
{
	struct uring_state *u = w->api_state;

	if (!u)
		return;
	io_uring_queue_exit(&u->ring); /* cancels what is still in flight */
	free(u);
	w->api_state = NULL;
}

/* The SQEs prepared for one submission, in order. */
struct batch {
	struct io_uring *ring;
	struct io_uring_sqe *sqe[RING_DEPTH];
	unsigned n;
};

static struct io_uring_sqe *next_sqe(struct batch *b)
{
	return b->sqe[b->n++] = io_uring_get_sqe(b->ring);
}

/* Prepares op i on descriptor fd (its slot when fixed). */
static void prep(struct worker *w, struct batch *b, const struct seq_op *op, unsigned i, int fd,
		 bool fixed, struct msghdr *mh, struct iovec *iov)
{
	struct engine *e = w->e;
	const struct transport *tr = e->tr;
	struct io_uring_sqe *sqe = next_sqe(b), *t;
	const struct sockaddr *peer = (const struct sockaddr *)&e->peer;
	size_t each, off;
	bool first = true;
	unsigned k;

	switch (op->exec) {
	case EX_SOCKET:
	case EX_SOCKET_RCVTIMEO:
		if (fixed)
			io_uring_prep_socket_direct(sqe, tr->family, tr->type, tr->protocol, op->fd,
						    0);
		else
			io_uring_prep_socket(sqe, tr->family, tr->type | SOCK_CLOEXEC, tr->protocol,
					     0);
		break;
	case EX_SETSOCKOPT:
		sl_prep_cmd_sock(sqe, SL_SOCKET_URING_OP_SETSOCKOPT, fd, op->level, op->name,
				 &op->val, (int)op->len);
		break;
	case EX_BIND:
		sl_prep_bind(sqe, fd, (const struct sockaddr *)&op->addr, op->len);
		break;
	case EX_CONNECT:
		io_uring_prep_connect(sqe, fd, peer, e->peerlen);
		break;
	case EX_CONNECT_ADDR:
		io_uring_prep_connect(sqe, fd, (const struct sockaddr *)&op->addr, op->len);
		break;
	case EX_SEND_ALL:
	case EX_SEND_DGRAM:
		io_uring_prep_send(sqe, fd, seq_send_buf(e->seq, op, w->sbuf), op->len,
				   op->flags | (op->exec == EX_SEND_ALL ? MSG_WAITALL : 0));
		break;
	case EX_SENDTO:
	case EX_SENDTO_ADDR:
	case EX_SENDMSG:
		memset(mh, 0, sizeof(*mh));
		mh->msg_iov = iov;
		mh->msg_iovlen = op->exec == EX_SENDMSG ? op->iovs : 1;
		each = (op->len + mh->msg_iovlen - 1) / mh->msg_iovlen;
		for (k = 0, off = 0; k < mh->msg_iovlen; k++, off += each) {
			iov[k].iov_base = (char *)seq_send_buf(e->seq, op, w->sbuf) + off;
			iov[k].iov_len = off >= op->len	      ? 0 :
					 op->len - off < each ? op->len - off :
								each;
		}
		if (op->exec != EX_SENDMSG) {
			mh->msg_name = (void *)(op->exec == EX_SENDTO ?
							peer :
							(const struct sockaddr *)&op->addr);
			mh->msg_namelen = op->exec == EX_SENDTO ? e->peerlen : op->len;
		}
		io_uring_prep_sendmsg(sqe, fd, mh, op->flags | (tr->stream ? MSG_WAITALL : 0));
		break;
	case EX_RECV_ALL:
	case EX_RECV_DGRAM:
		io_uring_prep_recv(sqe, fd, w->rbuf, op->len,
				   op->flags | (op->exec == EX_RECV_ALL ? MSG_WAITALL : 0));
		break;
	case EX_SHUTDOWN:
		io_uring_prep_shutdown(sqe, fd, op->how);
		break;
	case EX_CLOSE:
		if (fixed)
			io_uring_prep_close_direct(sqe, op->fd);
		else
			io_uring_prep_close(sqe, fd);
		break;
	default: /* EX_CLOSE_ALL when fixed: one close per descriptor */
		for (k = 0; k < SEQ_MAX_FDS; k++) {
			if (!(op->mask & (1u << k)))
				continue;
			if (!first)
				sqe = next_sqe(b);
			first = false;
			io_uring_prep_close_direct(sqe, k);
			sqe->user_data = i;
		}
		return;
	}
	sqe->user_data = i;
	if (fixed && op->exec != EX_SOCKET && op->exec != EX_SOCKET_RCVTIMEO &&
	    op->exec != EX_CLOSE)
		sqe->flags |= IOSQE_FIXED_FILE;
	if (op->exec != EX_RECV_DGRAM)
		return;
	/* A datagram answer waits at most dgram_wait, as SO_RCVTIMEO does for syscalls. */
	sqe->flags |= IOSQE_IO_LINK;
	t = next_sqe(b);
	io_uring_prep_link_timeout(t, &dgram_wait, 0);
	t->user_data = UD_TIMEOUT;
}

/* The errno a completion means for op: short transfers fail as the syscall loop's would. */
static int op_error(const struct seq_op *op, int res)
{
	if (res == -ECANCELED && op->exec == EX_RECV_DGRAM)
		return EAGAIN; /* timed out, as SO_RCVTIMEO */
	if (res < 0)
		return -res;
	if (op->exec == EX_RECV_ALL && (uint32_t)res < op->len)
		return ENODATA;
	/* A short dontwait send stopped where the syscall loop would have seen EAGAIN. */
	if ((op->exec == EX_SEND_ALL || op->exec == EX_SENDMSG) && (uint32_t)res < op->len)
		return op->flags & MSG_DONTWAIT ? EAGAIN : EPIPE;
	return 0;
}

/* Submits what was prepared and reaps n completions; res[op] gets each op's result. */
static int submit_reap(struct io_uring *ring, unsigned n, int *res)
{
	struct io_uring_cqe *cqe;
	int rc;

	rc = io_uring_submit_and_wait(ring, n);
	if (rc < 0 && rc != -EINTR)
		return rc;
	while (n) {
		rc = io_uring_wait_cqe(ring, &cqe);
		if (rc == -EINTR)
			return rc;
		if (rc < 0)
			return rc;
		if (cqe->user_data < UD_TIMEOUT && res[cqe->user_data] >= 0)
			res[cqe->user_data] = cqe->res;
		io_uring_cqe_seen(ring, cqe);
		n--;
	}
	return 0;
}

/* --fixed-files: the whole cycle is one linked chain on direct descriptors, one submission. */
static enum cycle_end fixed_cycle(struct worker *w, struct uring_state *u, const struct seq *s,
				  unsigned *op_idx, int *err)
{
	struct msghdr mh[ENGINE_MAX_OPS];
	struct iovec iov[ENGINE_MAX_OPS][SEQ_MAX_IOV];
	int res[ENGINE_MAX_OPS] = { 0 };
	struct batch b = { &u->ring };
	unsigned i, j, k;
	int rc, e;

	for (i = 0; i < s->nops; i++)
		prep(w, &b, &s->ops[i], i, s->ops[i].fd, true, &mh[i], iov[i]);
	/* Each SQE links to the next; a dontwait op's EAGAIN must not cut the chain. */
	for (j = 0; j + 1 < b.n; j++) {
		k = b.sqe[j]->user_data < UD_TIMEOUT ? (unsigned)b.sqe[j]->user_data : 0;
		b.sqe[j]->flags |=
			b.sqe[j]->user_data < UD_TIMEOUT && s->ops[k].flags & MSG_DONTWAIT ?
				IOSQE_IO_HARDLINK :
				IOSQE_IO_LINK;
	}
	rc = submit_reap(&u->ring, b.n, res);
	if (rc < 0)
		return cycle_failed(w, 0, -rc, op_idx, err);
	for (i = 0; i < s->nops; i++) {
		e = op_error(&s->ops[i], res[i]);
		if (!e || cycle_would_block(w, &s->ops[i], i, e))
			continue;
		/* The rest was cancelled: close what the cycle opened (absent slots just fail). */
		for (k = 0; k < s->nfds; k++)
			io_uring_prep_close_direct(io_uring_get_sqe(&u->ring), k);
		io_uring_submit_and_wait(&u->ring, s->nfds);
		io_uring_cq_advance(&u->ring, io_uring_cq_ready(&u->ring));
		return cycle_failed(w, i, e, op_idx, err);
	}
	return CYCLE_OK;
}

/*
 * One cycle through the ring. Without --fixed-files each op is one submission on the cycle's
 * real descriptors (a socket's fd comes back in its completion); ops io_uring cannot do here run
 * as plain syscalls on the same fds.
 */
enum cycle_end uring_cycle(struct worker *w, const struct seq *s, bool leak_due, int *fds,
			   unsigned *op_idx, int *err, bool *parked)
{
	struct uring_state *u = w->api_state;
	struct msghdr mh;
	struct iovec iov[SEQ_MAX_IOV];
	int res[ENGINE_MAX_OPS] = { 0 };
	struct batch b = { &u->ring };
	unsigned i, n;
	int rc, e;

	if (u->fixed)
		return fixed_cycle(w, u, s, op_idx, err);
	for (i = 0; i < s->nops; i++) {
		const struct seq_op *op = &s->ops[i];

		if (!on_ring(op, u->caps) ||
		    (leak_due && (op->exec == EX_CLOSE || op->exec == EX_CLOSE_ALL))) {
			if (syscall_op(w, op, fds, leak_due, parked) < 0 &&
			    !cycle_would_block(w, op, i, errno))
				return cycle_failed(w, i, errno, op_idx, err);
			continue;
		}
		if (op->exec == EX_CLOSE_ALL) {
			for (n = 0; n < SEQ_MAX_FDS; n++) {
				if (!(op->mask & (1u << n)) || fds[n] < 0)
					continue;
				io_uring_prep_close(io_uring_get_sqe(&u->ring), fds[n]);
				fds[n] = -1;
			}
			n = io_uring_sq_ready(&u->ring);
			io_uring_submit_and_wait(&u->ring, n);
			io_uring_cq_advance(&u->ring, io_uring_cq_ready(&u->ring));
			continue;
		}
		res[i] = 0;
		b.n = 0;
		prep(w, &b, op, i, fds[op->fd], false, &mh, iov);
		rc = submit_reap(&u->ring, b.n, res);
		if (rc < 0)
			return cycle_failed(w, i, -rc, op_idx, err);
		if (op->exec == EX_SOCKET || op->exec == EX_SOCKET_RCVTIMEO)
			fds[op->fd] = res[i] >= 0 ? res[i] : -1;
		else if (op->exec == EX_CLOSE)
			fds[op->fd] = -1;
		e = op_error(op, res[i]);
		if (e && !cycle_would_block(w, op, i, e))
			return cycle_failed(w, i, e, op_idx, err);
	}
	return CYCLE_OK;
}

const struct cycle_api uring_api = {
	.name = "io_uring",
	.start = uring_start,
	.stop = uring_stop,
};
