/* Transports: the socket family/type/protocol of each, its server side and its addresses. */
#ifndef SOCKLEAK_TRANSPORT_H
#define SOCKLEAK_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "config.h"

#define TRANSPORT_CHOICES "tcp tcp6 udp udp6 unix unix-dgram mptcp"

struct transport {
	enum transport_kind kind; /* its name: transport_name(kind) */
	int family, type, protocol;
	bool stream;
	bool reuseport; /* one server socket per server thread (SO_REUSEPORT group) */
	const char *desc;
};

const struct transport *transport_get(enum transport_kind k);

/*
 * Parses an address for the transport: "A.B.C.D[:PORT]" (ipv4), "[ADDR][:PORT]" or "ADDR" (ipv6),
 * "/path" or "@abstract" (unix). Numeric only: 0 or -EINVAL.
 */
int transport_addr_parse(const struct transport *t, const char *text, struct sockaddr_storage *ss,
			 socklen_t *len);
/* As transport_addr_parse, but HOST may be a name (getaddrinfo) and a port (1-65535) is required. */
int transport_target_resolve(const struct transport *t, const char *text,
			     struct sockaddr_storage *ss, socklen_t *len, char *why, size_t whylen);
/*
 * Whether traffic to the address stays on this host: a UNIX socket, loopback, the unspecified
 * address, or an address of one of the host's interfaces.
 */
bool transport_addr_is_local(const struct sockaddr *sa);
/* The autobind / wildcard address used by a bare "bind". */
void transport_any_addr(const struct transport *t, struct sockaddr_storage *ss, socklen_t *len);
/* "127.0.0.1:40000", "[::1]:40000", "@sockleak.123.0" */
void transport_addr_str(const struct sockaddr *sa, socklen_t len, char *buf, size_t size);

/*
 * Creates the local server's socket in the calling thread's network namespace: loopback, an
 * ephemeral port or a unique abstract name, non-blocking; listening for stream transports; in a
 * SO_REUSEPORT group when t->reuseport. With join, binds to *ss instead: another socket of the
 * group. Fills the address clients use. Returns the fd, or -errno with why filled in.
 */
int transport_server_socket(const struct transport *t, int backlog, bool join,
			    struct sockaddr_storage *ss, socklen_t *len, char *why, size_t whylen);

#endif
