/* sock_diag over netlink: the dump loop the sock_diag probes share. */
#include "probe/diag.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/inet_diag.h>
#include <linux/sock_diag.h>

#define DUMP_BUF (64 * 1024)

int diag_open(struct diag *d)
{
	memset(d, 0, sizeof(*d));
	d->buf = malloc(DUMP_BUF);
	if (!d->buf)
		return -ENOMEM;
	d->nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (!d->nl || mnl_socket_bind(d->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		diag_close(d);
		return err;
	}
	return 0;
}

void diag_close(struct diag *d)
{
	if (d->nl)
		mnl_socket_close(d->nl);
	free(d->buf);
	d->nl = NULL;
	d->buf = NULL;
}

int diag_dump(struct diag *d, const void *req, size_t len, unsigned proto, const void *bc,
	      size_t bclen, diag_fn fn, void *arg, int tag)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(d->buf);
	unsigned seq = ++d->seq;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	memcpy(mnl_nlmsg_put_extra_header(nlh, len), req, len);
	/* Protocols past 255 (MPTCP) do not fit the request's u8 field. */
	if (proto > 255)
		mnl_attr_put_u32(nlh, INET_DIAG_REQ_PROTOCOL, proto);
	if (bc)
		mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE, bclen, bc);
	if (mnl_socket_sendto(d->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(d->nl, d->buf, DUMP_BUF);
		int left;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		left = (int)n;
		for (nlh = (struct nlmsghdr *)d->buf; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

				return e->error ? e->error : -EPROTO;
			}
			if (nlh->nlmsg_type == SOCK_DIAG_BY_FAMILY)
				fn(arg, nlh, tag);
		}
	}
}

size_t diag_port_filter(uint16_t port, void *bc)
{
	/*
	 * The kernel runs it with len = 20: a true comparison jumps by `yes`, a false one by `no`,
	 * a JMP always by `no`; landing exactly at the end accepts, past it rejects. Every `no`
	 * target must also be on the chain of `yes` jumps (the kernel's audit). Ports: host order.
	 */
	struct inet_diag_bc_op op[5] = {
		{ INET_DIAG_BC_S_EQ, 8, 12 }, { 0, 0, port }, /* local port: to the JMP, else on */
		{ INET_DIAG_BC_JMP, 4, 12 }, /* to the end: accept */
		{ INET_DIAG_BC_D_EQ, 8, 12 }, { 0, 0, port }, /* remote port: accept, else reject */
	};

	memcpy(bc, op, sizeof(op));
	return sizeof(op);
}
