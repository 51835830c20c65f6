/* The workload's own memory cgroup (v1 or v2): enter, leave on every exit path, sweep stale ones. */
#include "run/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "run/stop.h"

/* True when the comma-separated list holds item. */
static bool in_list(const char *list, const char *item)
{
	size_t n = strlen(item);
	const char *p = list;

	while ((p = strstr(p, item))) {
		if ((p == list || p[-1] == ',' || p[-1] == ' ') &&
		    (p[n] == '\0' || p[n] == ',' || p[n] == ' ' || p[n] == '\n'))
			return true;
		p += n;
	}
	return false;
}

/* Finds the mount of the memory controller: v1 (cgroup with "memory") or v2 (cgroup2). */
static int find_mount(int version, char *mnt, size_t mn, char *root, size_t rn)
{
	char line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int found = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - "), *tok[6], *save = NULL, *p;
		char fstype[64], src[256], opts[1024];
		int i;

		if (!sep)
			continue;
		*sep = '\0';
		if (sscanf(sep + 3, "%63s %255s %1023s", fstype, src, opts) != 3)
			continue;
		for (i = 0, p = strtok_r(line, " ", &save); p && i < 6;
		     p = strtok_r(NULL, " ", &save))
			tok[i++] = p;
		if (i < 5)
			continue;
		if (version == 1 ? strcmp(fstype, "cgroup") || !in_list(opts, "memory") :
				   strcmp(fstype, "cgroup2"))
			continue;
		snprintf(mnt, mn, "%s", tok[4]);
		snprintf(root, rn, "%s", tok[3]);
		found = 0;
		break;
	}
	fclose(f);
	return found;
}

int cgroup_parse_path(char *text, int version, char *path, size_t n)
{
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		if (!c2)
			continue;
		*c1 = *c2 = '\0';
		/* "ID:controllers:path": v2 is "0::/path", v1 a line whose controllers hold memory. */
		if (version == 2 ? strcmp(line, "0") || c2 != c1 + 1 : !in_list(c1 + 1, "memory"))
			continue;
		snprintf(path, n, "%s", c2 + 1);
		return 0;
	}
	return -ENOENT;
}

/* The process's path in the hierarchy: v1 the "memory" line, v2 the "0::" line. */
static int cgroup_path(pid_t pid, int version, char *path, size_t n)
{
	char file[64], buf[4096];
	long len;

	snprintf(file, sizeof(file), "/proc/%d/cgroup", pid ? (int)pid : (int)getpid());
	if ((len = sl_read_file(file, buf, sizeof(buf))) < 0)
		return (int)len;
	return cgroup_parse_path(buf, version, path, n);
}

static bool has_memory_controller(const char *mnt)
{
	char path[PATH_MAX + 32], buf[512];

	snprintf(path, sizeof(path), "%s/cgroup.controllers", mnt);
	return sl_read_file(path, buf, sizeof(buf)) > 0 && in_list(buf, "memory");
}

int cgroup_of(pid_t pid, char *dir, size_t n, int *version)
{
	char mnt[PATH_MAX], root[PATH_MAX], path[PATH_MAX];
	int v;

	for (v = 1; v <= 2; v++) {
		const char *rel;

		if (find_mount(v, mnt, sizeof(mnt), root, sizeof(root)))
			continue;
		if (v == 2 && !has_memory_controller(mnt))
			continue;
		if (cgroup_path(pid, v, path, sizeof(path)))
			continue;
		/* A mount of a sub-tree (cgroup namespaces, containers) shows paths below its root. */
		rel = path;
		if (strcmp(root, "/") && !strncmp(path, root, strlen(root)))
			rel = path + strlen(root);
		if ((size_t)snprintf(dir, n, "%s%s", mnt, strcmp(rel, "/") ? rel : "") >= n)
			return -ENAMETOOLONG;
		*version = v;
		return 0;
	}
	return -ENOENT;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* Every mount of a hierarchy with the memory controller: v1 "memory" mounts, and cgroup2. */
static int memory_mounts(char (*mnts)[PATH_MAX], int max)
{
	char line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int n = 0, i;

	if (!f)
		return 0;
	while (n < max && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - "), *tok[6], *save = NULL, *p;
		char fstype[64], src[256], opts[1024];
		int k;

		if (!sep)
			continue;
		*sep = '\0';
		if (sscanf(sep + 3, "%63s %255s %1023s", fstype, src, opts) != 3)
			continue;
		for (k = 0, p = strtok_r(line, " ", &save); p && k < 6;
		     p = strtok_r(NULL, " ", &save))
			tok[k++] = p;
		if (k < 5 || !(strcmp(fstype, "cgroup2") == 0 ||
			       (strcmp(fstype, "cgroup") == 0 && in_list(opts, "memory"))))
			continue;
		for (i = 0; i < n && strcmp(mnts[i], tok[4]); i++)
			;
		if (i == n)
			snprintf(mnts[n++], PATH_MAX, "%s", tok[4]);
	}
	fclose(f);
	return n;
}

/* sockleak.<pid> with pid gone and no task left in it: what a killed run left. */
static bool is_stale(int dirfd, const char *name)
{
	char buf[300];
	long pid;
	int fd;
	ssize_t n;

	if (strncmp(name, "sockleak.", 9) || sl_parse_int(name + 9, 1, 1L << 30, &pid))
		return false;
	if (pid == getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
		return false;
	snprintf(buf, sizeof(buf), "%s/cgroup.procs", name);
	fd = openat(dirfd, buf, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n == 0;
}

struct sweep {
	int n;
	char *said;
	size_t size, used;
};

static void sweep_dir(int dirfd, const char *path, int depth, struct sweep *sw)
{
	int fd = dup(dirfd);
	struct dirent *e;
	DIR *d;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d))) {
		char sub[PATH_MAX];
		int k, subfd;

		if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		if (!strncmp(e->d_name, "sockleak.", 9)) {
			if (!is_stale(dirfd, e->d_name) || unlinkat(dirfd, e->d_name, AT_REMOVEDIR))
				continue;
			k = snprintf(sw->said + sw->used, sw->size - sw->used, "%s%s",
				     sw->n ? ", " : "", sub);
			if (k > 0 && sw->used + (size_t)k < sw->size)
				sw->used += (size_t)k;
			sw->n++;
			continue;
		}
		if (depth >= 32)
			continue;
		subfd = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (subfd < 0)
			continue;
		sweep_dir(subfd, sub, depth + 1, sw);
		close(subfd);
	}
	closedir(d);
}

int cgroup_sweep_stale(char *said, size_t size)
{
	static char mnts[8][PATH_MAX];
	struct sweep sw = { 0, said, size, 0 };
	int n = memory_mounts(mnts, 8), i, fd;

	if (size)
		said[0] = '\0';
	for (i = 0; i < n; i++) {
		fd = open(mnts[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		sweep_dir(fd, mnts[i], 0, &sw);
		close(fd);
	}
	return sw.n;
}

/*
 * The cgroup the process is in, for the clean-up that runs on a fatal signal or at exit: the
 * caller's struct may be gone by then (main's stack). One at a time.
 */
static struct sl_cgroup live;
static int live_slot = -1;

static int leave(struct sl_cgroup *cg);

static void leave_cleanup(void *arg)
{
	int saved = errno;

	leave(arg);
	errno = saved;
}

static int enable_v2_memory(struct sl_cgroup *cg)
{
	char path[PATH_MAX + 32], buf[512];
	int err;

	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", cg->home);
	if (sl_read_file(path, buf, sizeof(buf)) >= 0 && in_list(buf, "memory"))
		return 0;
	if ((err = write_str(path, "+memory")))
		snprintf(
			cg->why, sizeof(cg->why),
			"cannot enable the memory controller in %.160s (%s): a v2 cgroup that holds "
			"processes cannot give controllers to children; run sockleak from a leaf "
			"cgroup whose parent delegates memory",
			cg->home, strerror(-err));
	return err;
}

/* What killed runs left goes first, wherever it is, in one line. */
static void sweep_and_say(void)
{
	char said[1024];
	int n = cgroup_sweep_stale(said, sizeof(said));

	if (n)
		sl_err("removed %d cgroup%s that killed runs left: %s", n, n == 1 ? "" : "s", said);
}

int cgroup_enter(struct sl_cgroup *cg)
{
	char path[PATH_MAX + 64];
	int err, version;

	memset(cg, 0, sizeof(*cg));
	if (!sl_is_root()) {
		snprintf(cg->why, sizeof(cg->why),
			 "not root: no cgroup of its own, memcg figures include the whole session");
		return -EPERM;
	}
	if ((err = cgroup_of(0, cg->home, sizeof(cg->home), &version))) {
		snprintf(cg->why, sizeof(cg->why), "no cgroup hierarchy has the memory controller");
		return err;
	}
	sweep_and_say();
	if (version == 2 && (err = enable_v2_memory(cg)))
		return err;
	snprintf(cg->pid, sizeof(cg->pid), "%d", (int)getpid());
	if ((size_t)snprintf(cg->dir, sizeof(cg->dir), "%s/sockleak.%s", cg->home, cg->pid) >=
	    sizeof(cg->dir)) {
		snprintf(cg->why, sizeof(cg->why), "cgroup path too long");
		return -ENAMETOOLONG;
	}
	if (mkdir(cg->dir, 0755) && errno != EEXIST) {
		err = -errno;
		snprintf(cg->why, sizeof(cg->why), "cannot create %.200s: %s", cg->dir,
			 strerror(errno));
		return err;
	}
	/* v1 charges socket buffers to a memcg only once its TCP limit was written; -1 is no limit. */
	if (version == 1) {
		snprintf(path, sizeof(path), "%s/memory.kmem.tcp.limit_in_bytes", cg->dir);
		write_str(path, "-1");
	}
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg->dir);
	if ((err = write_str(path, cg->pid))) {
		snprintf(cg->why, sizeof(cg->why), "cannot move into %.200s: %s", cg->dir,
			 strerror(-err));
		rmdir(cg->dir);
		return err;
	}
	snprintf(cg->home_procs, sizeof(cg->home_procs), "%s/cgroup.procs", cg->home);
	cg->version = version;
	live = *cg;
	live_slot = stop_cleanup_push(leave_cleanup, &live);
	return 0;
}

/*
 * Async-signal-safe and idempotent: it may run again from a signal handler after a first call was
 * cut short, so the cgroup counts as gone only once rmdir said so.
 */
static int leave(struct sl_cgroup *cg)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	int err = 0, i, fd;

	if (!cg->version)
		return 0;
	fd = open(cg->home_procs, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, cg->pid, strlen(cg->pid)) < 0)
		err = -errno;
	if (fd >= 0)
		close(fd);
	/* The move is done when write returns, but a dying thread may hold the cgroup a moment. */
	for (i = 0; i < 100; i++) {
		if (!rmdir(cg->dir) || errno == ENOENT) {
			cg->version = 0;
			return 0;
		}
		err = -errno;
		if (errno != EBUSY)
			break;
		nanosleep(&pause, NULL);
	}
	return err;
}

int cgroup_leave(struct sl_cgroup *cg)
{
	int err;

	if (!cg || !cg->version)
		return 0;
	if (live.version && !strcmp(live.dir, cg->dir)) {
		err = leave(&live);
		if (!live.version) {
			stop_cleanup_pop(live_slot);
			live_slot = -1;
		}
	} else {
		err = leave(cg);
	}
	cg->version = 0;
	return err;
}
