/* The bare reference loop: the KB Q171996 sequence written plainly, with an accept-and-discard server. */
/*
 * Usage: bare THREADS SECONDS graceful|abort
 * Prints: "cycles N seconds S user U system Y". Runs in a fresh network namespace when root, as
 * sockleak churn does, so both pay the same for isolation.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in addr;
static atomic_int stop;
static int abortive;
static int lfd;

static void *server(void *arg)
{
	char buf[4096];
	int fd;

	(void)arg;
	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			continue;
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
	return NULL;
}

static void *client(void *arg)
{
	unsigned long *count = arg;
	struct linger lg = { 1, 0 };
	char msg[64] = { 0 };
	int one = 1, fd;

	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (abortive)
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		else
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		connect(fd, (struct sockaddr *)&addr, sizeof(addr));
		send(fd, msg, sizeof(msg), MSG_NOSIGNAL);
		close(fd);
		(*count)++;
	}
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	socklen_t len = sizeof(addr);
	unsigned long counts[64] = { 0 }, total = 0;
	pthread_t srv[64], cli[64];
	struct rusage ru;
	int threads, nsrv, i;
	double secs, t0, t1;

	if (argc != 4) {
		fprintf(stderr, "usage: bare THREADS SECONDS graceful|abort\n");
		return 2;
	}
	threads = atoi(argv[1]);
	secs = atof(argv[2]);
	abortive = !strcmp(argv[3], "abort");
	if (threads < 1 || threads > 64)
		return 2;
	if (geteuid() == 0 && unshare(CLONE_NEWNET) == 0) {
		struct ifreq ifr = { 0 };
		int s = socket(AF_INET, SOCK_DGRAM, 0);

		strcpy(ifr.ifr_name, "lo");
		ioctl(s, SIOCGIFFLAGS, &ifr);
		ifr.ifr_flags |= IFF_UP;
		ioctl(s, SIOCSIFFLAGS, &ifr);
		close(s);
	}
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) || listen(lfd, 4096) ||
	    getsockname(lfd, (struct sockaddr *)&addr, &len)) {
		perror("bare: server");
		return 3;
	}
	nsrv = getenv("BARE_SERVER_THREADS") ? atoi(getenv("BARE_SERVER_THREADS")) :
					       (int)sysconf(_SC_NPROCESSORS_ONLN);
	nsrv = nsrv < 1 ? 1 : nsrv > 64 ? 64 : nsrv;
	for (i = 0; i < nsrv; i++)
		pthread_create(&srv[i], NULL, server, NULL);

	t0 = now();
	for (i = 0; i < threads; i++)
		pthread_create(&cli[i], NULL, client, &counts[i]);
	usleep((useconds_t)(secs * 1e6));
	atomic_store(&stop, 1);
	for (i = 0; i < threads; i++) {
		pthread_join(cli[i], NULL);
		total += counts[i];
	}
	t1 = now();
	getrusage(RUSAGE_SELF, &ru);
	printf("cycles %lu seconds %.3f user %.3f system %.3f\n", total, t1 - t0,
	       ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6,
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6);
	return 0;
}
