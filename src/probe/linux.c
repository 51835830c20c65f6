/* The Linux probes' registry, their file helpers and the netns the per-netns ones open in. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "probe/probe.h"

const struct probe_ops *const probe_registry[PROBE_COUNT] = {
	[PROBE_MEMINFO] = &meminfo_probe,   [PROBE_SLABINFO] = &slabinfo_probe,
	[PROBE_SOCKSTAT] = &sockstat_probe, [PROBE_NETSTAT] = &netstat_probe,
	[PROBE_TCPSTATE] = &tcpstate_probe, [PROBE_SOCKDIAG] = &sockdiag_probe,
	[PROBE_MEMCG] = &memcg_probe,	    [PROBE_PROC] = &proc_probe,
	[PROBE_SERVER] = &server_probe,	    [PROBE_PORT] = &port_probe,
};

int probe_buf_init(struct probe_buf *b, size_t cap)
{
	b->p = malloc(cap);
	b->cap = b->p ? cap : 0;
	return b->p ? 0 : -ENOMEM;
}

void probe_buf_free(struct probe_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->cap = 0;
}

long probe_read(int fd, struct probe_buf *b)
{
	size_t len = 0;
	ssize_t n;

	for (;;) {
		if (len + 1 >= b->cap) {
			/* Only when the file outgrew the buffer: not in steady state. */
			char *q = realloc(b->p, b->cap * 2);

			if (!q)
				return -ENOMEM;
			b->p = q;
			b->cap *= 2;
		}
		n = pread(fd, b->p + len, b->cap - 1 - len, (off_t)len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	b->p[len] = '\0';
	return (long)len;
}

int probe_open_path(const struct probe_ctx *ctx, const char *path)
{
	char full[4096];
	int fd;

	if (snprintf(full, sizeof(full), "%s%s", ctx->root ? ctx->root : "", path) >=
	    (int)sizeof(full))
		return -ENAMETOOLONG;
	fd = open(full, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

long probe_read_path(const struct probe_ctx *ctx, const char *path, struct probe_buf *b)
{
	int fd = probe_open_path(ctx, path);
	long n;

	if (fd < 0)
		return fd;
	n = probe_read(fd, b);
	close(fd);
	return n;
}

void probe_net_path(const struct probe_ctx *ctx, const char *file, char *out, size_t n)
{
	/* /proc/net follows the thread group leader; thread-self follows the thread that setns'd. */
	if (!ctx->root || !*ctx->root)
		snprintf(out, n, "/proc/thread-self/net/%s", file);
	else
		snprintf(out, n, "/proc/net/%s", file);
}

/* True when fd is the network namespace this thread is in already: no setns needed. */
static bool same_netns(int fd)
{
	struct stat a, b;

	if (fstat(fd, &a) || stat("/proc/thread-self/ns/net", &b))
		return false;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int probe_netns_enter(int fd, int *home)
{
	int err;

	*home = -1;
	if (fd < 0 || same_netns(fd))
		return 0;
	*home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*home >= 0 && !setns(fd, CLONE_NEWNET))
		return 0;
	err = -errno;
	if (*home >= 0)
		close(*home);
	*home = -1;
	return err;
}

void probe_netns_leave(int home)
{
	if (home < 0)
		return;
	if (setns(home, CLONE_NEWNET)) {
		/* This thread would go on in the wrong netns: nothing sound can follow. */
		sl_err("cannot return to the original network namespace: %s", strerror(errno));
		abort();
	}
	close(home);
}
