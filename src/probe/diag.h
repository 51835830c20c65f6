/* sock_diag over netlink (libmnl): one socket, dumps with an optional bytecode filter. */
#ifndef SOCKLEAK_DIAG_H
#define SOCKLEAK_DIAG_H

#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

struct diag {
	struct mnl_socket *nl;
	unsigned seq;
	char *buf;
};

/* Each message of a dump; arg is the caller's. */
typedef void (*diag_fn)(void *arg, const struct nlmsghdr *nlh, int tag);

/* A NETLINK_SOCK_DIAG socket bound in the calling thread's netns: 0 or -errno. */
int diag_open(struct diag *d);
void diag_close(struct diag *d);

/*
 * One dump of request req (len bytes: an inet_diag_req_v2 or unix_diag_req). Protocols past 255
 * (MPTCP) go in an attribute; bc (bclen bytes) is an INET_DIAG_REQ_BYTECODE filter, or NULL.
 * Messages of other sequence numbers (the rest of a dump an earlier error cut short) are skipped,
 * so one bad dump never poisons the next. 0 or -errno.
 */
int diag_dump(struct diag *d, const void *req, size_t len, unsigned proto, const void *bc,
	      size_t bclen, diag_fn fn, void *arg, int tag);

/* The bytecode of "local port is port, or remote port is": DIAG_PORT_FILTER bytes into bc. */
#define DIAG_PORT_FILTER 20
size_t diag_port_filter(uint16_t port, void *bc);

#endif
