/* Network-namespace isolation: create one without touching the caller's, enter it, read inside it. */
#include "engine/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

int netns_enter(int fd)
{
	return setns(fd, CLONE_NEWNET) ? -errno : 0;
}

struct run_arg {
	int fd;
	int (*fn)(void *);
	void *arg;
	int rc;
};

static void *run_thread(void *p)
{
	struct run_arg *r = p;

	if (r->fd >= 0 && netns_enter(r->fd)) {
		r->rc = -errno;
		return NULL;
	}
	r->rc = r->fn(r->arg);
	return NULL;
}

int netns_run(int fd, int (*fn)(void *arg), void *arg)
{
	struct run_arg r = { fd, fn, arg, 0 };
	pthread_t t;
	int err;

	err = pthread_create(&t, NULL, run_thread, &r);
	if (err)
		return -err;
	pthread_join(t, NULL);
	return r.rc;
}

static int lo_up(void)
{
	struct ifreq ifr = { 0 };
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		err = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (!err && ioctl(fd, SIOCSIFFLAGS, &ifr))
		err = -errno;
	close(fd);
	return err;
}

static int write_sysctl(const char *kv, char *why, size_t whylen)
{
	const char *eq = strchr(kv, '=');
	char path[256];
	size_t n, i, plen;
	int fd, err = 0;

	if (!eq || strncmp(kv, "net.", 4) || eq == kv + 4) {
		snprintf(why, whylen, "sysctl '%s': write it as net.KEY=VALUE", kv);
		return -EINVAL;
	}
	n = eq - kv;
	plen = strlen("/proc/sys/");
	if (plen + n >= sizeof(path)) {
		snprintf(why, whylen, "sysctl '%s': name too long", kv);
		return -EINVAL;
	}
	memcpy(path, "/proc/sys/", plen);
	for (i = 0; i < n; i++)
		path[plen + i] = kv[i] == '.' ? '/' : kv[i];
	path[plen + n] = '\0';
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, eq + 1, strlen(eq + 1)) < 0) {
		err = -errno;
		snprintf(why, whylen, "sysctl %.*s in the run's namespace: %s", (int)n, kv,
			 strerror(-err));
	}
	if (fd >= 0)
		close(fd);
	return err;
}

struct create_arg {
	const char *const *sysctls;
	unsigned nsysctls;
	char *why;
	size_t whylen;
};

static int create_in_thread(void *p)
{
	struct create_arg *a = p;
	unsigned i;
	int fd, err;

	/* Only this helper thread moves: unshare applies to the calling task alone. */
	if (unshare(CLONE_NEWNET)) {
		err = -errno;
		snprintf(a->why, a->whylen, "cannot create a network namespace: %s%s",
			 strerror(-err), err == -EPERM ? " (needs root or CAP_SYS_ADMIN)" : "");
		return err;
	}
	fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		snprintf(a->why, a->whylen, "/proc/thread-self/ns/net: %s", strerror(-err));
		return err;
	}
	err = lo_up();
	if (err) {
		snprintf(a->why, a->whylen, "cannot bring 'lo' up in the run's namespace: %s",
			 strerror(-err));
		goto fail;
	}
	for (i = 0; i < a->nsysctls; i++) {
		err = write_sysctl(a->sysctls[i], a->why, a->whylen);
		if (err)
			goto fail;
	}
	return fd;
fail:
	close(fd);
	return err;
}

int netns_of_pid(unsigned pid, int *fd, char *why, size_t whylen)
{
	struct stat theirs, ours;
	char path[64];
	int err;

	snprintf(path, sizeof(path), "/proc/%u/ns/net", pid);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0 || fstat(*fd, &theirs) || stat("/proc/self/ns/net", &ours)) {
		err = -errno;
		snprintf(why, whylen, "cannot open process %u's network namespace (%s): %s", pid,
			 path, strerror(-err));
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return err;
	}
	if (theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino) {
		close(*fd);
		*fd = -1;
	}
	return 0;
}

int netns_create(const char *const *sysctls, unsigned nsysctls, char *why, size_t whylen)
{
	struct create_arg a = { sysctls, nsysctls, why, whylen };
	int rc = netns_run(-1, create_in_thread, &a);

	if (rc < 0 && !why[0])
		snprintf(why, whylen, "cannot create a network namespace: %s", strerror(-rc));
	return rc;
}

static int drop_in_thread(void *p)
{
	(void)p;
	/* The namespace goes with this thread: nothing else holds it. */
	return unshare(CLONE_NEWNET) ? -errno : 0;
}

int netns_flush(void)
{
	return netns_run(-1, drop_in_thread, NULL);
}

struct read_arg {
	const char *name;
	char *buf;
	size_t size;
};

static int read_in_thread(void *p)
{
	struct read_arg *a = p;
	char path[128];

	snprintf(path, sizeof(path), "/proc/thread-self/net/%s", a->name);
	return (int)sl_read_file(path, a->buf, a->size);
}

long netns_read_file(int fd, const char *name, char *buf, size_t size)
{
	struct read_arg a = { name, buf, size };

	if (size > INT32_MAX)
		return -EINVAL;
	if (fd < 0)
		return read_in_thread(&a);
	return netns_run(fd, read_in_thread, &a);
}
