/* Unit tests for src/spawn.c: children start clean and die with sockleak, even on SIGKILL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn.h"

/* Runs sh -c SCRIPT with stdout to a pipe; returns what it printed (static buffer). */
static const char *sh_out(const char *script, int *status)
{
	static char buf[4096];
	char *argv[] = { "sh", "-c", (char *)script, NULL };
	struct spawn_opts o = SPAWN_OPTS_INIT;
	char why[256];
	int p[2];
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	o.out = p[1];
	assert_int_equal(sl_spawn(argv, &o, &pid, why, sizeof(why)), 0);
	close(p[1]);
	while ((n = read(p[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(pid, status, 0), pid);
	return buf;
}

static void test_runs(void **state)
{
	int st;

	(void)state;
	assert_string_equal(sh_out("echo hello; exit 3", &st), "hello\n");
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 3);
	/* stdin is /dev/null: a read ends at once. */
	assert_string_equal(sh_out("cat; echo done", &st), "done\n");
}

/* Signals at their defaults (sockleak ignores SIGPIPE), none blocked, no fd of sockleak's. */
static void test_clean_start(void **state)
{
	sigset_t block;
	const char *out;
	int st, fd;

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	fd = dup(1); /* an fd without close-on-exec, as a library might leave */
	out = sh_out("grep -E '^Sig(Ign|Blk)' /proc/self/status; ls /proc/self/fd | wc -l", &st);
	/* SIGPIPE is 13: bit 12 of SigIgn; SIGUSR1 (10) would be bit 9 of SigBlk. */
	assert_non_null(strstr(out, "SigBlk:\t0000000000000000"));
	assert_null(strstr(out, "SigIgn:\t0000000000001000"));
	{
		const char *ign = strstr(out, "SigIgn:\t");
		unsigned long long mask;

		assert_non_null(ign);
		mask = strtoull(ign + 8, NULL, 16);
		assert_int_equal(mask & (1ULL << (SIGPIPE - 1)), 0);
	}
	/* ls sees 0, 1, 2 and its own directory fd: 4. */
	assert_non_null(strstr(out, "\n4\n"));
	close(fd);
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	signal(SIGPIPE, SIG_DFL);
}

static void test_errors(void **state)
{
	char *missing[] = { "sockleak-no-such-program", NULL };
	char file[] = "/tmp/sockleak-test-spawn.XXXXXX";
	char *notexec[] = { file, NULL };
	char why[256];
	pid_t pid = 0;
	int fd;

	(void)state;
	fd = mkstemp(file); /* mode 0600: not a program */
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(sl_spawn(missing, NULL, &pid, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "sockleak-no-such-program: not found"));
	assert_int_equal(sl_spawn(notexec, NULL, &pid, why, sizeof(why)), -EACCES);
	assert_non_null(strstr(why, "cannot run it: Permission denied"));
	assert_int_equal(pid, 0);
	unlink(file);
}

static void test_stop(void **state)
{
	char *argv[] = { "sleep", "60", NULL };
	/* Short sleeps: a SIGKILL of the shell leaves its sleep behind, holding the test's stdout
	 * (a pipe under tests/unit/run.sh, which then waits for the sleep to end). */
	char *stubborn[] = { "sh", "-c", "trap '' TERM; while :; do sleep 0.05; done", NULL };
	char why[256];
	pid_t pid;
	int st;

	(void)state;
	assert_int_equal(sl_spawn(argv, NULL, &pid, why, sizeof(why)), 0);
	assert_int_equal(sl_child_stop(pid, 5, &st), 0);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGTERM);
	/* One that ignores SIGTERM gets SIGKILL after the grace. */
	assert_int_equal(sl_spawn(stubborn, NULL, &pid, why, sizeof(why)), 0);
	usleep(200 * 1000);
	assert_int_equal(sl_child_stop(pid, 0.3, &st), 0);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGKILL);
	assert_int_equal(sl_child_stop(pid, 0.1, &st), -ECHILD);
}

/* sockleak killed with SIGKILL: its child dies too (PR_SET_PDEATHSIG), not left running. */
static void test_dies_with_parent(void **state)
{
	char *argv[] = { "sleep", "60", NULL };
	int p[2], st;
	pid_t mid, kid = 0;

	(void)state;
	/* Orphans come to this process, which can then see how the child ended. */
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	assert_int_equal(pipe(p), 0);
	mid = fork();
	if (mid == 0) {
		char why[256];
		pid_t k;

		if (sl_spawn(argv, NULL, &k, why, sizeof(why)))
			_exit(1);
		if (write(p[1], &k, sizeof(k)) != sizeof(k))
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &kid, sizeof(kid)), sizeof(kid));
	close(p[0]);
	assert_int_equal(kill(mid, SIGKILL), 0);
	assert_int_equal(waitpid(mid, &st, 0), mid);
	/* The child was killed at once, not after its 60 s. */
	alarm(10);
	assert_int_equal(waitpid(kid, &st, 0), kid);
	alarm(0);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGKILL);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
}

/* Fds passed on become the child's 3, 4, ... whatever their numbers here; nothing else follows. */
static void test_pass_fds(void **state)
{
	char *argv[] = { "sh", "-c", "echo three >&3; echo four >&4; ls /proc/self/fd | wc -l",
			 NULL };
	struct spawn_opts o = SPAWN_OPTS_INIT;
	int a[2], b[2], out[2], pass[2], st;
	char why[256], buf[64];
	ssize_t n;
	pid_t pid;

	(void)state;
	/* The first pair may land on 3 and 4 themselves: swapped, each must still be moved. */
	assert_int_equal(pipe(a), 0);
	assert_int_equal(pipe(b), 0);
	assert_int_equal(pipe(out), 0);
	pass[0] = b[1];
	pass[1] = a[1];
	o.pass = pass;
	o.npass = 2;
	o.out = out[1];
	assert_int_equal(sl_spawn(argv, &o, &pid, why, sizeof(why)), 0);
	close(a[1]);
	close(b[1]);
	close(out[1]);
	n = read(b[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	assert_string_equal(buf, "three\n");
	n = read(a[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	assert_string_equal(buf, "four\n");
	n = read(out[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	/* 0, 1, 2, 3, 4 and ls's own directory fd. */
	assert_int_equal(atoi(buf), 6);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	close(a[0]);
	close(b[0]);
	close(out[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs),   cmocka_unit_test(test_clean_start),
		cmocka_unit_test(test_errors), cmocka_unit_test(test_pass_fds),
		cmocka_unit_test(test_stop),   cmocka_unit_test(test_dies_with_parent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
