/*
 * A deliberately leaky TCP server for the --server-cmd tests: ground truth of a server bug.
 *
 *   leaky_server PORT rst-fd       keeps the fd of every connection that ends in a reset
 *                                   (the error path forgets close): one fd per aborted cycle
 *   leaky_server PORT never-close  reads to EOF and never closes: one CLOSE_WAIT per cycle
 *   leaky_server PORT clean        reads to EOF and closes: leaks nothing
 *   leaky_server PORT exit-after N as clean, but exits with status 7 after N connections
 *
 * One thread, epoll, on 127.0.0.1:PORT; SIGTERM ends it with status 0. At its fd limit it
 * waits a millisecond and tries accept again, as real servers do.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum mode { RST_FD, NEVER_CLOSE, CLEAN, EXIT_AFTER };

static volatile sig_atomic_t done;

static void on_term(int sig)
{
	(void)sig;
	done = 1;
}

static void nap_ms(long ms)
{
	struct timespec t = { 0, ms * 1000000L };

	nanosleep(&t, NULL);
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct epoll_event ev, evs[64];
	struct sigaction sa = { 0 };
	long served = 0, limit = 0;
	enum mode m;
	int lfd, ep, one = 1, i, n, fd;
	char buf[4096];
	ssize_t r;

	if (argc < 3) {
		fprintf(stderr, "usage: %s PORT rst-fd|never-close|clean|exit-after N\n", argv[0]);
		return 2;
	}
	m = !strcmp(argv[2], "rst-fd")	    ? RST_FD :
	    !strcmp(argv[2], "never-close") ? NEVER_CLOSE :
	    !strcmp(argv[2], "exit-after")  ? EXIT_AFTER :
					      CLEAN;
	if (m == EXIT_AFTER)
		limit = argc > 3 ? atol(argv[3]) : 1;
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	a.sin_port = htons((unsigned short)atoi(argv[1]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 4096)) {
		perror("leaky_server: listen");
		return 1;
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	ev.events = EPOLLIN;
	ev.data.fd = lfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	printf("leaky_server: listening on 127.0.0.1:%s, mode %s\n", argv[1], argv[2]);
	fflush(stdout);
	while (!done) {
		n = epoll_wait(ep, evs, 64, 100);
		for (i = 0; i < n; i++) {
			if (evs[i].data.fd == lfd) {
				fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
				if (fd < 0) {
					if (errno == EMFILE || errno == ENFILE)
						nap_ms(1);
					continue;
				}
				ev.events = EPOLLIN | EPOLLRDHUP;
				ev.data.fd = fd;
				epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
				continue;
			}
			fd = evs[i].data.fd;
			while ((r = read(fd, buf, sizeof(buf))) > 0)
				;
			if (r < 0 && errno == EAGAIN)
				continue;
			epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
			/* The bugs: the reset's error path, and EOF, forget the close. */
			if (r < 0 && m == RST_FD)
				continue;
			if (r == 0 && m == NEVER_CLOSE)
				continue;
			close(fd);
			if (m == EXIT_AFTER && ++served >= limit) {
				fprintf(stderr, "leaky_server: exiting after %ld connections\n",
					served);
				return 7;
			}
		}
	}
	printf("leaky_server: SIGTERM, exiting\n");
	return 0;
}
