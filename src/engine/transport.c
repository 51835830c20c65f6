/* Transports: the socket family/type/protocol of each, its server side and its addresses. */
#include "engine/transport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#ifndef _WIN32
#include <ifaddrs.h>
#endif
#include <netdb.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "common.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

static const struct transport transports[TR_COUNT] = {
	[TR_TCP] = { TR_TCP, AF_INET, SOCK_STREAM, IPPROTO_TCP, true, true, "TCP over IPv4" },
	[TR_TCP6] = { TR_TCP6, AF_INET6, SOCK_STREAM, IPPROTO_TCP, true, true, "TCP over IPv6" },
	[TR_UDP] = { TR_UDP, AF_INET, SOCK_DGRAM, IPPROTO_UDP, false, true, "UDP over IPv4" },
	[TR_UDP6] = { TR_UDP6, AF_INET6, SOCK_DGRAM, IPPROTO_UDP, false, true, "UDP over IPv6" },
	[TR_UNIX] = { TR_UNIX, AF_UNIX, SOCK_STREAM, 0, true, false, "UNIX stream" },
	[TR_UNIX_DGRAM] = { TR_UNIX_DGRAM, AF_UNIX, SOCK_DGRAM, 0, false, false, "UNIX datagram" },
	[TR_MPTCP] = { TR_MPTCP, AF_INET, SOCK_STREAM, IPPROTO_MPTCP, true, false,
		       "Multipath TCP over IPv4" },
};

const struct transport *transport_get(enum transport_kind k)
{
	return (unsigned)k < TR_COUNT ? &transports[k] : NULL;
}

static int parse_port(const char *s, uint16_t *port)
{
	long v;

	if (sl_parse_int(s, 0, 65535, &v))
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

static int parse_unix(const char *text, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_un *un = (struct sockaddr_un *)ss;
	size_t n = strlen(text);

	if (n == 0 || n >= sizeof(un->sun_path))
		return -EINVAL;
	memset(un, 0, sizeof(*un));
	un->sun_family = AF_UNIX;
	if (text[0] == '@') {
		/* Abstract names start with a NUL byte and are not NUL-terminated. */
		memcpy(un->sun_path + 1, text + 1, n - 1);
		*len = offsetof(struct sockaddr_un, sun_path) + n;
	} else {
		memcpy(un->sun_path, text, n);
		*len = offsetof(struct sockaddr_un, sun_path) + n + 1;
	}
	return 0;
}

/* Splits "HOST:PORT", "[HOST]:PORT", "HOST", "[HOST]" into host and port (port may be NULL). */
static int split_host_port(const char *text, bool v6, char *host, size_t hsize, const char **port)
{
	const char *colon, *end;
	size_t n;

	*port = NULL;
	if (text[0] == '[') {
		end = strchr(text, ']');
		if (!end)
			return -EINVAL;
		n = end - text - 1;
		if (end[1] == ':')
			*port = end + 2;
		else if (end[1])
			return -EINVAL;
		text++;
	} else if (v6) {
		/* A bare IPv6 address has colons of its own: no port then. */
		n = strlen(text);
	} else {
		colon = strrchr(text, ':');
		n = colon ? (size_t)(colon - text) : strlen(text);
		if (colon)
			*port = colon + 1;
	}
	if (n >= hsize)
		return -EINVAL;
	memcpy(host, text, n);
	host[n] = '\0';
	return 0;
}

int transport_addr_parse(const struct transport *t, const char *text, struct sockaddr_storage *ss,
			 socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *port;
	uint16_t p = 0;

	if (t->family == AF_UNIX)
		return parse_unix(text, ss, len);
	if (split_host_port(text, t->family == AF_INET6, host, sizeof(host), &port))
		return -EINVAL;
	if (port && parse_port(port, &p))
		return -EINVAL;
	memset(ss, 0, sizeof(*ss));
	if (t->family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(p);
		if (!*host)
			in->sin_addr.s_addr = htonl(INADDR_ANY);
		else if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
			return -EINVAL;
		*len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(p);
		if (!*host)
			in6->sin6_addr = in6addr_any;
		else if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
			return -EINVAL;
		*len = sizeof(*in6);
	}
	return 0;
}

int transport_target_resolve(const struct transport *t, const char *text,
			     struct sockaddr_storage *ss, socklen_t *len, char *why, size_t whylen)
{
	struct addrinfo hints = { 0 }, *res = NULL;
	char host[256];
	const char *port;
	long pv;
	int rc;

	if (t->family == AF_UNIX) {
		if (parse_unix(text, ss, len)) {
			snprintf(why, whylen, "'%s' is not a UNIX socket path or @abstract name",
				 text);
			return -EINVAL;
		}
		return 0;
	}
	if (split_host_port(text, false, host, sizeof(host), &port) || !port || !*host) {
		snprintf(why, whylen, "'%s' is not HOST:PORT (IPv6: [ADDR]:PORT)", text);
		return -EINVAL;
	}
	/* getaddrinfo takes 99999 and wraps it into another port: refuse what is not a port. */
	if (sl_parse_int(port, 1, 65535, &pv)) {
		snprintf(why, whylen, "'%s': the port '%s' is not a port (1-65535)", text, port);
		return -EINVAL;
	}
	hints.ai_family = t->family;
	hints.ai_socktype = t->type;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc) {
		snprintf(why, whylen, "cannot resolve '%s' for %s: %s", text,
			 transport_name(t->kind), gai_strerror(rc));
		return -EINVAL;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

bool transport_addr_is_local(const struct sockaddr *sa)
{
	struct ifaddrs *ifs, *i;
	bool local = false;

	if (sa->sa_family == AF_UNIX)
		return true;
	if (sa->sa_family == AF_INET) {
		in_addr_t a = ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr);

		/* 127/8 is loopback; 0.0.0.0 connects to this host. */
		if (a >> 24 == 127 || a == INADDR_ANY)
			return true;
	} else if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_UNSPECIFIED(a) ||
		    (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127))
			return true;
	} else {
		return false;
	}
#ifdef _WIN32
	/* Only loopback counts as this host on Windows: another address is taken for remote. */
	(void)ifs;
	(void)i;
	return local;
#else
	/* An address of one of this host's own interfaces: the traffic stays on the host. */
	if (getifaddrs(&ifs))
		return false;
	for (i = ifs; i && !local; i = i->ifa_next) {
		const struct sockaddr *ia = i->ifa_addr;

		if (!ia || ia->sa_family != sa->sa_family)
			continue;
		if (sa->sa_family == AF_INET)
			local = ((const struct sockaddr_in *)ia)->sin_addr.s_addr ==
				((const struct sockaddr_in *)sa)->sin_addr.s_addr;
		else
			local = !memcmp(&((const struct sockaddr_in6 *)ia)->sin6_addr,
					&((const struct sockaddr_in6 *)sa)->sin6_addr,
					sizeof(struct in6_addr));
	}
	freeifaddrs(ifs);
	return local;
#endif
}

void transport_any_addr(const struct transport *t, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = t->family;
	if (t->family == AF_INET)
		*len = sizeof(struct sockaddr_in);
	else if (t->family == AF_INET6)
		*len = sizeof(struct sockaddr_in6);
	else
		*len = sizeof(sa_family_t); /* autobind: the kernel picks an abstract name */
}

void transport_addr_str(const struct sockaddr *sa, socklen_t len, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(buf, size, "%s:%u", host, ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(buf, size, "[%s]:%u", host, ntohs(in6->sin6_port));
	} else if (sa->sa_family == AF_UNIX) {
		const struct sockaddr_un *un = (const struct sockaddr_un *)sa;
		size_t n = (size_t)len > offsetof(struct sockaddr_un, sun_path) ?
				   (size_t)len - offsetof(struct sockaddr_un, sun_path) :
				   0;

		if (n && un->sun_path[0] == '\0')
			snprintf(buf, size, "@%.*s", (int)(n - 1), un->sun_path + 1);
		else
			snprintf(buf, size, "%.*s", (int)strnlen(un->sun_path, n), un->sun_path);
	} else {
		snprintf(buf, size, "(family %d)", sa->sa_family);
	}
}

#ifndef _WIN32 /* the Windows server makes its own overlapped sockets (engine/win/server.c) */
int transport_server_socket(const struct transport *t, int backlog, bool join,
			    struct sockaddr_storage *ss, socklen_t *len, char *why, size_t whylen)
{
	static atomic_uint serial;
	int fd, one = 1, err;

	if (!join)
		memset(ss, 0, sizeof(*ss));
	if (join) {
		/* *ss is the group's address already */
	} else if (t->family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*len = sizeof(*in);
	} else if (t->family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_addr = in6addr_loopback;
		*len = sizeof(*in6);
	} else {
		char name[64];

		/* Abstract names live in the network namespace and vanish with the socket. */
		snprintf(name, sizeof(name), "@sockleak.%d.%u", (int)getpid(),
			 atomic_fetch_add(&serial, 1));
		parse_unix(name, ss, len);
	}

	fd = socket(t->family, t->type | SOCK_NONBLOCK | SOCK_CLOEXEC, t->protocol);
	if (fd < 0) {
		err = -errno;
		if (t->kind == TR_MPTCP)
			snprintf(why, whylen,
				 "the kernel refuses MPTCP sockets (%s); it needs CONFIG_MPTCP and "
				 "sysctl net.mptcp.enabled=1",
				 strerror(-err));
		else
			snprintf(why, whylen, "%s server socket: %s", transport_name(t->kind),
				 strerror(-err));
		return err;
	}
	if (t->family != AF_UNIX)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (t->reuseport)
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)ss, *len) || (t->stream && listen(fd, backlog)) ||
	    getsockname(fd, (struct sockaddr *)ss, len)) {
		err = -errno;
		snprintf(why, whylen, "%s server on loopback: %s", transport_name(t->kind),
			 strerror(-err));
		if (err == -EADDRNOTAVAIL && t->family != AF_UNIX)
			snprintf(why, whylen,
				 "%s server: no loopback address here (%s); is 'lo' up and does it "
				 "have the address?",
				 transport_name(t->kind), strerror(-err));
		close(fd);
		return err;
	}
	return fd;
}
#endif
