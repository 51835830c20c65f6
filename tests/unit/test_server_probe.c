/*
 * Unit tests for src/probe/server.c and port.c: the parsers on a captured nginx tree
 * (tests/data/server, tests/data/capture_server.sh), the tree walk, and live process trees and
 * sockets made here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "probe/parse.h"
#include "probe_fixture.h"

/* The captured tree: this pid stood for sockleak, the next for nginx's master (README). */
#define CAP_SELF 18877
#define CAP_MASTER 18883

static void test_parsers(void **state)
{
	char *buf = slurp("server/proc/18883/stat");
	uint64_t soft = 0, hard = 0;
	pid_t ppid = 0;

	(void)state;
	assert_non_null(buf);
	assert_int_equal(proc_stat_ppid(buf, &ppid), 0);
	assert_int_equal(ppid, CAP_SELF);
	free(buf);
	assert_int_equal(proc_stat_ppid("7 (a) b (c)) S 42 1 1", &ppid), 0);
	assert_int_equal(ppid, 42);
	assert_int_equal(proc_stat_ppid("7 (a", &ppid), -EPROTO);
	assert_int_equal(proc_stat_ppid("7 (a) S x", &ppid), -EPROTO);
	buf = slurp("server/proc/18883/limits");
	assert_int_equal(proc_limits_nofile(buf, &soft, &hard), 0);
	assert_int_equal(soft, 20000);
	assert_int_equal(hard, 20000);
	free(buf);
	assert_int_equal(proc_limits_nofile("Limit  Soft  Hard  Units\n"
					    "Max open files  unlimited  unlimited  files\n",
					    &soft, &hard),
			 0);
	assert_true(soft == UINT64_MAX && hard == UINT64_MAX);
	assert_int_equal(proc_limits_nofile("Max processes 5 5\n", &soft, &hard), -ENOENT);
	assert_int_equal(fd_link_kind("socket:[136586934]"), FDK_SOCKET);
	assert_int_equal(fd_link_kind("pipe:[1]"), FDK_PIPE);
	assert_int_equal(fd_link_kind("anon_inode:[eventpoll]"), FDK_ANON);
	assert_int_equal(fd_link_kind("/dev/null"), FDK_FILE);
	assert_string_equal(fd_kind_name(FDK_ANON), "anon");
}

static void test_tree(void **state)
{
	/* 10 runs 20 (and 21 below it) and 30; 40 is another's; 50 was orphaned to 10. */
	struct proc_link l[] = { { 40, 1 }, { 21, 20 }, { 20, 10 }, { 30, 10 }, { 1, 0 },
				 { 10, 5 }, { 50, 5 },	{ 60, 61 }, { 61, 60 } };
	bool in[ARRAY_SIZE(l)];
	size_t i, n = ARRAY_SIZE(l);

	(void)state;
	assert_int_equal(proc_tree(l, n, 20, 0, in), 2);
	for (i = 0; i < n; i++)
		assert_int_equal(in[i], l[i].pid == 20 || l[i].pid == 21);
	/* The adopter's children and theirs: the server's orphans land there. */
	assert_int_equal(proc_tree(l, n, 20, 5, in), 5);
	for (i = 0; i < n; i++)
		assert_int_equal(in[i], l[i].pid != 40 && l[i].pid != 1 && l[i].pid != 60 &&
						l[i].pid != 61);
	/* A loop of parents (pids reused between reads) ends. */
	assert_int_equal(proc_tree(l, n, 99, 0, in), 0);
}

static void test_capture(void **state)
{
	struct probe_ctx ctx = {
		.root = fixture("server"), .netns_fd = -1, .pid = CAP_SELF, .server_pid = CAP_MASTER
	};
	double page = (double)sysconf(_SC_PAGESIZE);
	struct series s;
	struct probe p;

	(void)state;
	series_init(&s, 0);
	assert_true(server_probe.applies(&ctx));
	assert_int_equal(probe_once(&server_probe, &p, &ctx, &s), 0);
	/* The master and two workers, 11 fds each (tests/data/server/proc/1888x/fd). */
	assert_float_equal(last(&s, "server.processes"), 3, 0);
	assert_float_equal(last(&s, "server.fds"), 33, 0);
	assert_float_equal(last(&s, "server.fds.socket"), 11, 0);
	assert_float_equal(last(&s, "server.fds.pipe"), 3, 0);
	assert_float_equal(last(&s, "server.fds.anon"), 4, 0);
	assert_float_equal(last(&s, "server.fds.file"), 15, 0);
	assert_float_equal(last(&s, "server.threads"), 3, 0);
	assert_float_equal(last(&s, "server.rss"), (1697.0 + 923 + 923) * page, 0);
	assert_int_equal(s.cols[series_find(&s, "server.fds")].d.cls, MC_FDS);
	assert_true(desc_has(&s.cols[series_find(&s, "server.fds")].d, MT_SERVER | MT_KEY));
	assert_true(desc_has(&s.cols[series_find(&s, "server.threads")].d, MT_ADVISORY));
	assert_false(desc_has(&s.cols[series_find(&s, "server.rss")].d, MT_ADVISORY));
	server_probe.close(&p);
	series_free(&s);
	/* No server: the probe has nothing to watch; a server that is gone is said. */
	ctx.server_pid = 0;
	assert_false(server_probe.applies(&ctx));
	ctx.server_pid = 4;
	series_init(&s, 0);
	assert_int_equal(probe_once(&server_probe, &p, &ctx, &s), -ESRCH);
	assert_non_null(strstr(p.why, "gone"));
	series_free(&s);
}

/*
 * Live: a child that opens a pipe and a socket and forks a grandchild shows as two processes
 * with those fds; as a subreaper, a grandchild whose parent exited (a server going to the
 * background) is still counted.
 */
static void test_live_tree(void **state)
{
	struct probe_ctx ctx = { .root = "", .netns_fd = -1 };
	int go[2], ready[2], pfd[2];
	struct series s;
	struct probe p;
	pid_t child;
	char c;

	(void)state;
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(ready), 0);
	child = fork();
	if (child == 0) {
		close(go[1]);
		close(ready[0]);
		if (pipe(pfd) || socket(AF_INET, SOCK_STREAM, 0) < 0)
			_exit(1);
		if (fork() == 0) {
			/* The grandchild: waits for the end, parent gone or not. */
			if (write(ready[1], "g", 1) != 1 || read(go[0], &c, 1) < 0)
				_exit(1);
			_exit(0);
		}
		if (write(ready[1], "c", 1) != 1 || read(go[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	assert_int_equal(read(ready[0], &c, 1), 1);
	ctx.pid = getpid();
	ctx.server_pid = child;
	ctx.server_adopted = true;
	series_init(&s, 0);
	assert_int_equal(probe_once(&server_probe, &p, &ctx, &s), 0);
	assert_float_equal(last(&s, "server.processes"), 2, 0);
	/* Each: 0-2, go, ready, a pipe and a socket (the grandchild has copies of the child's). */
	assert_float_equal(last(&s, "server.fds.socket"), 2, 0);
	assert_true(last(&s, "server.fds.pipe") >= 6);
	/*
	 * The child exits: its grandchild is adopted, still the server's. Killed, not told through
	 * go: a byte there could wake the grandchild instead, and the child would wait for ever.
	 */
	assert_int_equal(kill(child, SIGKILL), 0);
	assert_int_equal(waitpid(child, NULL, 0), child);
	assert_int_equal(server_probe.sample(&p, &s), 0);
	series_commit(&s, 1, 0);
	assert_float_equal(last(&s, "server.processes"), 1, 0);
	assert_float_equal(last(&s, "server.fds.socket"), 1, 0);
	close(go[1]);
	while (waitpid(-1, NULL, 0) > 0)
		;
	assert_int_equal(server_probe.sample(&p, &s), 0);
	series_commit(&s, 2, 0);
	assert_float_equal(last(&s, "server.processes"), 0, 0);
	server_probe.close(&p);
	series_free(&s);
	close(go[0]);
	close(ready[0]);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
}

/* Live: a listener on a port, one connection to it, the client closed: CLOSE_WAIT on the server
 * side, FIN_WAIT2 on the client side, nothing of another port. */
static void test_port(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct probe_ctx ctx = { .root = "", .netns_fd = -1, .server_port_states = true };
	socklen_t len = sizeof(a);
	int l, c, s2, other;
	struct series s;
	struct probe p;

	(void)state;
	l = socket(AF_INET, SOCK_STREAM, 0);
	other = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(l, 8), 0);
	assert_int_equal(bind(other, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(other, 8), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&a, &len), 0);
	ctx.server_port = ntohs(a.sin_port);
	assert_true(port_probe.applies(&ctx));
	c = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
	s2 = accept(l, NULL, NULL);
	assert_true(s2 >= 0);
	series_init(&s, 0);
	assert_int_equal(probe_once(&port_probe, &p, &ctx, &s), 0);
	assert_float_equal(last(&s, "port.server.LISTEN"), 1, 0);
	assert_float_equal(last(&s, "port.server.ESTABLISHED"), 1, 0);
	assert_float_equal(last(&s, "port.client.ESTABLISHED"), 1, 0);
	assert_int_equal(series_find(&s, "port.client.LISTEN"), -1);
	close(c);
	usleep(20000);
	assert_int_equal(port_probe.sample(&p, &s), 0);
	series_commit(&s, 1, 0);
	assert_float_equal(last(&s, "port.server.CLOSE_WAIT"), 1, 0);
	assert_float_equal(last(&s, "port.client.FIN_WAIT2"), 1, 0);
	assert_float_equal(last(&s, "port.server.ESTABLISHED"), 0, 0);
	close(s2);
	usleep(20000);
	assert_int_equal(port_probe.sample(&p, &s), 0);
	series_commit(&s, 2, 0);
	assert_float_equal(last(&s, "port.server.CLOSE_WAIT"), 0, 0);
	assert_float_equal(last(&s, "port.client.TIME_WAIT"), 1, 0);
	assert_int_equal(s.cols[series_find(&s, "port.client.TIME_WAIT")].d.cls, MC_TIME_WAIT);
	assert_true(
		desc_has(&s.cols[series_find(&s, "port.server.CLOSE_WAIT")].d, MT_SERVER | MT_KEY));
	port_probe.close(&p);
	series_free(&s);
	close(l);
	close(other);
	ctx.server_port_states = false;
	assert_false(port_probe.applies(&ctx));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parsers), cmocka_unit_test(test_tree),
		cmocka_unit_test(test_capture), cmocka_unit_test(test_live_tree),
		cmocka_unit_test(test_port),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
