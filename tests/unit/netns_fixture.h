/* Helpers for tests on real sockets: a private network namespace and a loopback TCP/UNIX server. */
#ifndef SOCKLEAK_NETNS_FIXTURE_H
#define SOCKLEAK_NETNS_FIXTURE_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* The namespace this thread started in, and a fresh one with loopback up. */
struct test_netns {
	int home, ns;
};

/* Creates the namespace and returns to home; -errno when not allowed (not root). */
static inline int test_netns_create(struct test_netns *t)
{
	struct ifreq ifr = { 0 };
	int s;

	t->home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (t->home < 0 || unshare(CLONE_NEWNET))
		return -errno;
	t->ns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	strcpy(ifr.ifr_name, "lo");
	ifr.ifr_flags = IFF_UP | IFF_RUNNING;
	ioctl(s, SIOCSIFFLAGS, &ifr);
	close(s);
	return setns(t->home, CLONE_NEWNET) ? -errno : 0;
}

static inline void test_netns_enter(const struct test_netns *t)
{
	setns(t->ns, CLONE_NEWNET);
}

static inline void test_netns_leave(const struct test_netns *t)
{
	setns(t->home, CLONE_NEWNET);
}

static inline void test_netns_destroy(struct test_netns *t)
{
	close(t->ns);
	close(t->home);
}

/*
 * A server like sockleak's own: accepts, reads until EOF, then closes (epoll, one thread).
 * Sockets a client keeps open stay open here too, as a real server's would.
 */
struct test_server {
	int lfd, efd, stop;
	pthread_t th;
};

static inline void *test_server_run(void *arg)
{
	struct test_server *sv = arg;
	struct epoll_event ev, evs[64];
	char buf[512];
	int ep = epoll_create1(EPOLL_CLOEXEC), n, i;

	ev.events = EPOLLIN;
	ev.data.fd = sv->lfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, sv->lfd, &ev);
	ev.data.fd = sv->stop;
	epoll_ctl(ep, EPOLL_CTL_ADD, sv->stop, &ev);
	for (;;) {
		n = epoll_wait(ep, evs, 64, -1);
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd, c;

			if (fd == sv->stop)
				goto out;
			if (fd == sv->lfd) {
				while ((c = accept4(sv->lfd, NULL, NULL,
						    SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
					ev.events = EPOLLIN;
					ev.data.fd = c;
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
				}
				continue;
			}
			for (;;) {
				ssize_t r = read(fd, buf, sizeof(buf));

				if (r > 0)
					continue;
				if (r == 0 || errno != EAGAIN)
					close(fd); /* EOF: leaves epoll with its last fd */
				break;
			}
		}
	}
out:
	close(ep);
	return NULL;
}

/* Listens on 127.0.0.1 (port 0: any) or on the abstract unix name "@name"; starts the thread. */
static inline int test_server_start(struct test_server *sv, int family, const char *uname,
				    uint16_t *port)
{
	union {
		struct sockaddr_in in;
		struct sockaddr_un un;
	} a;
	socklen_t len;

	memset(&a, 0, sizeof(a));
	sv->lfd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (family == AF_UNIX) {
		a.un.sun_family = AF_UNIX;
		strcpy(a.un.sun_path + 1, uname + 1);
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(uname));
	} else {
		a.in.sin_family = AF_INET;
		a.in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(a.in);
	}
	if (bind(sv->lfd, (struct sockaddr *)&a, len) || listen(sv->lfd, 4096))
		return -errno;
	if (port) {
		getsockname(sv->lfd, (struct sockaddr *)&a, &len);
		*port = ntohs(a.in.sin_port);
	}
	sv->stop = eventfd(0, EFD_CLOEXEC);
	return -pthread_create(&sv->th, NULL, test_server_run, sv);
}

static inline void test_server_stop(struct test_server *sv)
{
	uint64_t one = 1;

	if (write(sv->stop, &one, sizeof(one)) < 0)
		return;
	pthread_join(sv->th, NULL);
	close(sv->stop);
	close(sv->lfd);
}

/* One KB Q171996 cycle: socket, setsockopt, connect, send, close; or keep it open: the fd. */
static inline int kb_cycle(uint16_t port, bool keep)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	static const char msg[64] = "sockleak test";
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -errno;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    send(fd, msg, sizeof(msg), MSG_NOSIGNAL) != (ssize_t)sizeof(msg)) {
		close(fd);
		return -errno;
	}
	if (keep)
		return fd;
	close(fd);
	return 0;
}

#endif
