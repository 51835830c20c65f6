/* The user's server (--server-cmd): started in the run's netns and cgroup, waited for, stopped. */
#include "run/server_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "engine/netns.h"
#include "engine/transport.h"
#include "probe/parse.h"
#include "run/stop.h"
#include "spawn.h"

#define POLL 0.05

struct probe_arg {
	const struct transport *tr;
	struct sockaddr_storage ss;
	socklen_t len;
};

/* One connection attempt in the namespace: 0 when it was accepted, -errno when not. */
static int try_connect(void *p)
{
	struct probe_arg *a = p;
	int fd = socket(a->tr->family, a->tr->type | SOCK_CLOEXEC, a->tr->protocol), err = 0;

	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a->ss, a->len))
		err = -errno;
	close(fd);
	return err;
}

/* However sockleak ends, its server's group goes too (async-signal-safe). */
static void kill_group(void *arg)
{
	struct server_cmd *s = arg;

	if (s->pid > 0 && !s->stopped)
		kill(-s->pid, SIGKILL);
}

/* The file the server writes to: sockleak's own, created exclusively and unlinked at once. */
static int log_open(void)
{
	char path[] = "/tmp/sockleak-server.XXXXXX";
	int fd = mkostemp(path, O_CLOEXEC);

	if (fd >= 0)
		unlink(path);
	return fd;
}

static void read_limit(struct server_cmd *s)
{
	char path[64], buf[4096];
	uint64_t soft = 0, hard = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/limits", (int)s->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	if (!proc_limits_nofile(buf, &soft, &hard))
		s->fd_limit = soft;
}

/* Field 22 of /proc/PID/stat, its start time in clock ticks since boot; 0 when it is gone. */
static unsigned long long start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long t = 0;
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the command's name may hold spaces and parentheses */
	for (i = 2; p && i < 22; i++)
		p = strchr(p + 1, ' ');
	if (p)
		t = strtoull(p + 1, NULL, 10);
	return t;
}

void server_cmd_watch(struct server_cmd *s, pid_t pid)
{
	memset(s, 0, sizeof(*s));
	s->pid = pid;
	s->log_fd = -1;
	s->cleanup = -1;
	s->stopped = true; /* nothing of sockleak's to stop */
	s->start = start_time(pid);
	read_limit(s);
}

/* Whether a thread of process pid is in the namespace ns (every task looked at). */
static bool in_netns(pid_t pid, const struct stat *ns)
{
	char path[96];
	struct dirent *d;
	struct stat st;
	bool in = false;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if (!(dir = opendir(path)))
		return false; /* gone */
	while (!in && (d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.16s/ns/net", (int)pid, d->d_name);
		in = !stat(path, &st) && st.st_dev == ns->st_dev && st.st_ino == ns->st_ino;
	}
	closedir(dir);
	return in;
}

/* Every process and its parent, from /proc; how many, or -errno. */
static long proc_links(struct proc_link **out)
{
	struct proc_link *l = NULL, *grown;
	size_t n = 0, cap = 0;
	char path[64], buf[1024];
	struct dirent *d;
	DIR *dir = opendir("/proc");

	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		char *end;
		long pid = strtol(d->d_name, &end, 10);
		pid_t ppid;
		ssize_t len;
		int fd;

		if (*end || end == d->d_name || pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue; /* gone since the listing */
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		if (proc_stat_ppid(buf, &ppid))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 512;
			if (!(grown = realloc(l, cap * sizeof(*l)))) {
				free(l);
				closedir(dir);
				return -ENOMEM;
			}
			l = grown;
		}
		l[n++] = (struct proc_link){ (pid_t)pid, ppid };
	}
	closedir(dir);
	*out = l;
	return (long)n;
}

/* A process's name, from /proc/PID/comm ("?" when gone). */
static void comm_of(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	snprintf(buf, len, "?");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? (size_t)n : 1] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

int server_netns_alone(pid_t pid, char *who, size_t wholen)
{
	struct proc_link *l = NULL;
	struct stat ns;
	char path[64], comm[32];
	bool *in = NULL;
	long n;
	size_t i;
	int alone = 1;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	if (stat(path, &ns))
		return -errno;
	if ((n = proc_links(&l)) < 0)
		return (int)n;
	if (!(in = calloc((size_t)n + 1, sizeof(*in)))) {
		free(l);
		return -ENOMEM;
	}
	proc_tree(l, (size_t)n, pid, 0, in);
	for (i = 0; alone && i < (size_t)n; i++) {
		if (in[i] || l[i].pid == getpid() || !in_netns(l[i].pid, &ns))
			continue;
		comm_of(l[i].pid, comm, sizeof(comm));
		snprintf(who, wholen, "%s (pid %d)", comm, (int)l[i].pid);
		alone = 0;
	}
	free(in);
	free(l);
	return alone;
}

bool server_cmd_alive(struct server_cmd *s)
{
	unsigned long long t = start_time(s->pid);

	if (t && t == s->start)
		return true;
	snprintf(s->how, sizeof(s->how), "exited during the run");
	return false;
}

static void describe(struct server_cmd *s, const char *after)
{
	if (WIFEXITED(s->status))
		snprintf(s->how, sizeof(s->how), "exited with status %d%s", WEXITSTATUS(s->status),
			 after);
	else if (WIFSIGNALED(s->status))
		snprintf(s->how, sizeof(s->how), "killed by %s%s", strsignal(WTERMSIG(s->status)),
			 after);
	else
		snprintf(s->how, sizeof(s->how), "ended%s", after);
}

/* The last lines it wrote (at most SERVER_CMD_TAIL bytes, from a line's start). */
static void read_tail(struct server_cmd *s)
{
	off_t end, from;
	ssize_t n;
	char *p;

	s->tail[0] = '\0';
	if (s->log_fd < 0 || (end = lseek(s->log_fd, 0, SEEK_END)) <= 0)
		return;
	from = end > SERVER_CMD_TAIL - 1 ? end - (SERVER_CMD_TAIL - 1) : 0;
	n = pread(s->log_fd, s->tail, SERVER_CMD_TAIL - 1, from);
	if (n <= 0) {
		s->tail[0] = '\0';
		return;
	}
	s->tail[n] = '\0';
	p = s->tail;
	if (from > 0 && (p = strchr(s->tail, '\n')))
		memmove(s->tail, p + 1, strlen(p + 1) + 1);
	n = (ssize_t)strlen(s->tail);
	while (n > 0 && s->tail[n - 1] == '\n')
		s->tail[--n] = '\0';
}

/*
 * Kills what is left of its group and reaps what sockleak adopted as their subreaper (a daemon's
 * children), waiting up to a second for them to die.
 */
static void reap_orphans(pid_t group)
{
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	double end = sl_now() + 1;
	pid_t r;

	kill(-group, SIGKILL);
	for (;;) {
		r = waitpid(-1, NULL, WNOHANG);
		if (r > 0)
			continue;
		if (r < 0 || kill(-group, 0) || sl_now() >= end)
			break;
		nanosleep(&nap, NULL);
	}
}

int server_cmd_start(struct server_cmd *s, const char *cmd, int transport, const char *target,
		     int netns_fd, char *why, size_t whylen)
{
	struct spawn_opts o = SPAWN_OPTS_INIT;
	char *argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };
	struct probe_arg a = { .tr = transport_get(transport) };
	unsigned since = stop_count();
	double end;
	int err, st;
	pid_t r;

	memset(s, 0, sizeof(*s));
	s->log_fd = -1;
	s->cleanup = -1;
	if (transport_target_resolve(a.tr, target, &a.ss, &a.len, why, whylen))
		return -EINVAL;
	s->log_fd = log_open();
	if (s->log_fd < 0) {
		err = -errno;
		snprintf(why, whylen, "cannot make a file for its output: %s", strerror(errno));
		return err;
	}
	/* What its processes leave behind when they exit (a daemon's parent) comes to sockleak. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	o.out = o.err = s->log_fd;
	o.netns_fd = netns_fd;
	o.own_group = true;
	err = sl_spawn(argv, &o, &s->pid, why, whylen);
	if (err) {
		s->pid = 0;
		return err;
	}
	s->cleanup = stop_cleanup_push(kill_group, s);
	end = sl_now() + SERVER_CMD_START_SECONDS;
	for (;;) {
		r = waitpid(s->pid, &st, WNOHANG);
		if (r == s->pid) {
			s->status = st;
			s->stopped = true;
			describe(s, "");
			read_tail(s);
			snprintf(
				why, whylen,
				"the server command %s before %s accepted a connection: the server "
				"must stay in the foreground (no daemon mode, no fork to the "
				"background)%s%s",
				s->how, target, s->tail[0] ? "; its last lines:\n" : "", s->tail);
			server_cmd_stop(s);
			return -ECHILD;
		}
		if (!netns_run(netns_fd, try_connect, &a))
			break;
		if (sl_now() >= end || !stop_nap(POLL, since)) {
			bool sig = stop_count() > since;

			server_cmd_stop(s);
			if (sig)
				snprintf(why, whylen,
					 "a signal came while waiting for %s to accept", target);
			else
				snprintf(
					why, whylen,
					"%s did not accept a connection within %gs of the server's "
					"start (is it listening there?)%s%s",
					target, SERVER_CMD_START_SECONDS,
					s->tail[0] ? "; its last lines:\n" : "", s->tail);
			return sig ? -EINTR : -ETIMEDOUT;
		}
	}
	read_limit(s);
	return 0;
}

void server_cmd_stop(struct server_cmd *s)
{
	double end = sl_now() + SERVER_CMD_GRACE_SECONDS;
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	bool killed = false;
	pid_t r;

	if (s->pid > 0 && !s->stopped) {
		kill(-s->pid, SIGTERM);
		for (;;) {
			r = waitpid(s->pid, &s->status, WNOHANG);
			if (r == s->pid || (r < 0 && errno == ECHILD))
				break;
			if (sl_now() >= end) {
				kill(-s->pid, SIGKILL);
				killed = true;
				while (waitpid(s->pid, &s->status, 0) < 0 && errno == EINTR)
					;
				break;
			}
			nanosleep(&nap, NULL);
		}
		s->stopped = true;
		describe(s, killed ? " (SIGKILL after SIGTERM's grace period)" : " after SIGTERM");
	}
	if (s->pid > 0)
		reap_orphans(s->pid);
	if (s->cleanup >= 0) {
		stop_cleanup_pop(s->cleanup);
		s->cleanup = -1;
	}
	if (s->log_fd >= 0) {
		read_tail(s);
		close(s->log_fd);
		s->log_fd = -1;
	}
}
