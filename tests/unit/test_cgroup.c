/* Unit tests for src/run/cgroup.c: created, used, removed on normal exit, at exit and on SIGINT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "run/cgroup.h"

static char home[PATH_MAX];
static int version;

static int setup(void **state)
{
	(void)state;
	return cgroup_of(0, home, sizeof(home), &version);
}

static bool exists(const char *dir)
{
	struct stat st;

	return stat(dir, &st) == 0;
}

static void test_of_self(void **state)
{
	char path[PATH_MAX + 32];

	(void)state;
	assert_true(version == 1 || version == 2);
	snprintf(path, sizeof(path), "%s/cgroup.procs", home);
	assert_true(exists(path));
}

/* /proc/PID/cgroup: the memory line of v1, the "0::" line of v2 (a unified-only host, a VM). */
static void test_parse_path(void **state)
{
	char v2[] = "0::/user.slice/session-1.scope\n";
	char hybrid[] = "12:pids:/a\n4:cpu,memory:/b/c\n0::/d\n";
	char hybrid2[] = "12:pids:/a\n4:cpu,memory:/b/c\n0::/d\n";
	char v1only[] = "4:memory:/x\n";
	char root[] = "0::/\n";
	char path[256];

	(void)state;
	assert_int_equal(cgroup_parse_path(v2, 2, path, sizeof(path)), 0);
	assert_string_equal(path, "/user.slice/session-1.scope");
	assert_int_equal(cgroup_parse_path(root, 2, path, sizeof(path)), 0);
	assert_string_equal(path, "/");
	assert_int_equal(cgroup_parse_path(hybrid, 1, path, sizeof(path)), 0);
	assert_string_equal(path, "/b/c");
	assert_int_equal(cgroup_parse_path(hybrid2, 2, path, sizeof(path)), 0);
	assert_string_equal(path, "/d");
	assert_int_equal(cgroup_parse_path(v1only, 2, path, sizeof(path)), -ENOENT);
}

/* v1 charges socket buffers only once the TCP limit was written: unread data must show. */
static int tcp_charged(const struct sl_cgroup *cg)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	static char data[256 * 1024];
	char path[PATH_MAX + 64], buf[64];
	int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0), s, rc = 0;

	if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &len) ||
	    connect(c, (struct sockaddr *)&a, sizeof(a)) || (s = accept(l, NULL, NULL)) < 0)
		return 12;
	if (send(c, data, sizeof(data), MSG_DONTWAIT) <= 0)
		rc = 13;
	snprintf(path, sizeof(path), "%s/memory.kmem.tcp.usage_in_bytes", cg->dir);
	if (!rc && (sl_read_file(path, buf, sizeof(buf)) <= 0 || atoll(buf) <= 0))
		rc = 14;
	close(s);
	close(c);
	close(l);
	return rc;
}

/* Inside: the process is listed there and its sockets are charged there. */
static int child_checks(const struct sl_cgroup *cg)
{
	char path[PATH_MAX + 64], buf[4096];
	int fds[64], i;
	long n;

	if (sl_read_file("/proc/self/cgroup", buf, sizeof(buf)) < 0 || !strstr(buf, "/sockleak."))
		return 10;
	for (i = 0; i < 64; i++)
		fds[i] = socket(AF_INET, SOCK_STREAM, 0);
	snprintf(path, sizeof(path), "%s/%s", cg->dir,
		 cg->version == 1 ? "memory.kmem.usage_in_bytes" : "memory.current");
	if ((n = sl_read_file(path, buf, sizeof(buf))) <= 0 || atoll(buf) <= 0)
		return 11;
	for (i = 0; i < 64; i++)
		close(fds[i]);
	if (cg->version == 1)
		return tcp_charged(cg);
	return 0;
}

enum how { LEAVE, AT_EXIT, ON_SIGINT };

static void run_child(enum how how, int *status, char *dir, size_t n)
{
	int p[2];
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sl_cgroup cg;
		int rc;

		close(p[0]);
		/* A shell's background job starts with SIGINT ignored; this test is of the default. */
		signal(SIGINT, SIG_DFL);
		if (cgroup_enter(&cg))
			_exit(20);
		if (write(p[1], cg.dir, strlen(cg.dir) + 1) < 0)
			_exit(21);
		if ((rc = child_checks(&cg)))
			_exit(rc);
		if (how == LEAVE) {
			if (cgroup_leave(&cg) || exists(cg.dir))
				_exit(22);
			_exit(0);
		}
		if (how == ON_SIGINT)
			raise(SIGINT);
		exit(0); /* at exit: the handler leaves */
	}
	close(p[1]);
	memset(dir, 0, n);
	assert_true(read(p[0], dir, n - 1) > 0);
	close(p[0]);
	assert_int_equal(waitpid(pid, status, 0), pid);
}

static void test_enter_leave(void **state)
{
	char dir[PATH_MAX];
	int st;

	(void)state;
	if (!sl_is_root())
		skip();
	run_child(LEAVE, &st, dir, sizeof(dir));
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_non_null(strstr(dir, "/sockleak."));
	assert_false(exists(dir));
}

static void test_at_exit(void **state)
{
	char dir[PATH_MAX];
	int st;

	(void)state;
	if (!sl_is_root())
		skip();
	run_child(AT_EXIT, &st, dir, sizeof(dir));
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_false(exists(dir));
}

static void test_sigint(void **state)
{
	char dir[PATH_MAX];
	int st;

	(void)state;
	if (!sl_is_root())
		skip();
	run_child(ON_SIGINT, &st, dir, sizeof(dir));
	/* It still dies of the signal, as it would have without a cgroup. */
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGINT);
	assert_false(exists(dir));
}

/*
 * A signal that comes while the cgroup is being left still removes it: the cgroup counts as gone
 * only once rmdir said so. A process of its own (G) keeps the cgroup busy, so the child's leave
 * is retrying rmdir when SIGINT comes; G then goes, and the handler's own leave must finish.
 */
static void test_signal_while_leaving(void **state)
{
	char dir[PATH_MAX];
	int p[2], st;
	pid_t pid, g = 0;
	bool gone;

	(void)state;
	if (!sl_is_root())
		skip();
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sl_cgroup cg;

		close(p[0]);
		if (cgroup_enter(&cg))
			_exit(20);
		g = fork();
		if (g == 0) {
			pause();
			_exit(0);
		}
		if (write(p[1], &g, sizeof(g)) < 0 || write(p[1], cg.dir, strlen(cg.dir) + 1) < 0)
			_exit(21);
		cgroup_leave(&cg);
		_exit(22); /* the signal should have ended it first */
	}
	close(p[1]);
	memset(dir, 0, sizeof(dir));
	assert_int_equal(read(p[0], &g, sizeof(g)), sizeof(g));
	assert_true(read(p[0], dir, sizeof(dir) - 1) > 0);
	close(p[0]);
	/* The child moved out and retries rmdir while G holds the cgroup (1 s at most). */
	usleep(100 * 1000);
	kill(pid, SIGINT);
	usleep(50 * 1000);
	kill(g, SIGKILL);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	gone = !exists(dir);
	if (!gone)
		rmdir(dir); /* left behind: not for the next test to trip on */
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGINT);
	assert_true(gone);
}

/*
 * A run killed with SIGKILL leaves its cgroup: the next run removes it, wherever it is under a
 * memory hierarchy, and leaves alone one whose pid lives or that holds a task.
 */
static void test_sweep(void **state)
{
	char parent[PATH_MAX + 32], dead[PATH_MAX + 64], live[PATH_MAX + 64], said[1024];
	char procs[PATH_MAX + 80], pidtxt[16];
	pid_t pid, sleeper;
	int st, fd;

	(void)state;
	if (!sl_is_root())
		skip();
	pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, &st, 0);
	sleeper = fork();
	if (sleeper == 0) {
		pause();
		_exit(0);
	}
	/* Not where this process lives: a run started elsewhere must find it too. */
	snprintf(parent, sizeof(parent), "%s/sockleak-test.%d", home, (int)getpid());
	assert_int_equal(mkdir(parent, 0755), 0);
	snprintf(dead, sizeof(dead), "%s/sockleak.%d", parent, (int)pid);
	snprintf(live, sizeof(live), "%s/sockleak.%d", parent, (int)sleeper);
	assert_int_equal(mkdir(dead, 0755), 0);
	assert_int_equal(mkdir(live, 0755), 0);
	assert_true(cgroup_sweep_stale(said, sizeof(said)) >= 1);
	assert_non_null(strstr(said, dead));
	assert_false(exists(dead));
	assert_true(exists(live));

	/* A task in it: not stale, whatever its name says. */
	assert_int_equal(mkdir(dead, 0755), 0);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dead);
	snprintf(pidtxt, sizeof(pidtxt), "%d", (int)sleeper);
	fd = open(procs, O_WRONLY);
	assert_true(fd >= 0);
	assert_true(write(fd, pidtxt, strlen(pidtxt)) > 0);
	close(fd);
	cgroup_sweep_stale(said, sizeof(said));
	assert_true(exists(dead));

	kill(sleeper, SIGKILL);
	waitpid(sleeper, &st, 0);
	/* Gone with its task: both are stale now. */
	cgroup_sweep_stale(said, sizeof(said));
	assert_false(exists(dead));
	assert_false(exists(live));
	assert_int_equal(rmdir(parent), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_of_self),	    cmocka_unit_test(test_parse_path),
		cmocka_unit_test(test_enter_leave), cmocka_unit_test(test_at_exit),
		cmocka_unit_test(test_sigint),	    cmocka_unit_test(test_signal_while_leaving),
		cmocka_unit_test(test_sweep),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
