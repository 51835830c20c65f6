/* What Debian's liburing 2.3 lacks for sockets, from the kernel's io_uring ABI (6.7 and 6.11). */
#ifndef SOCKLEAK_URING_COMPAT_H
#define SOCKLEAK_URING_COMPAT_H

#include <liburing.h>
#include <string.h>

/* Opcodes after liburing 2.3's IORING_OP_LAST (enum io_uring_op, include/uapi/linux/io_uring.h). */
enum {
	SL_IORING_OP_BIND = 56,
	SL_IORING_OP_LISTEN = 57,
};

/* IORING_OP_URING_CMD on a socket (enum io_uring_socket_op). */
enum {
	SL_SOCKET_URING_OP_SIOCINQ = 0,
	SL_SOCKET_URING_OP_SIOCOUTQ,
	SL_SOCKET_URING_OP_GETSOCKOPT,
	SL_SOCKET_URING_OP_SETSOCKOPT,
};

/*
 * io_uring_prep_cmd_sock() of later liburing: the socket command's level and optname share the
 * 64 bits of sqe->addr, its optlen sqe->file_index, its optval sqe->addr3.
 */
static inline void sl_prep_cmd_sock(struct io_uring_sqe *sqe, int cmd_op, int fd, int level,
				    int optname, const void *optval, int optlen)
{
	__u32 lvl_name[2] = { (__u32)level, (__u32)optname };

	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, NULL, 0, 0);
	sqe->cmd_op = (__u32)cmd_op;
	memcpy(&sqe->addr, lvl_name, sizeof(lvl_name));
	sqe->file_index = (__u32)optlen;
	sqe->addr3 = (__u64)(unsigned long)optval;
}

/* io_uring_prep_bind(): IORING_OP_BIND carries the address as connect does. */
static inline void sl_prep_bind(struct io_uring_sqe *sqe, int fd, const struct sockaddr *addr,
				socklen_t len)
{
	io_uring_prep_rw(SL_IORING_OP_BIND, sqe, fd, addr, 0, len);
}

#endif
