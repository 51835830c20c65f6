/* Child processes: started with PR_SET_PDEATHSIG, default signals and no stray fds; stopped whole. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* What the child failed at, told to the parent through the error pipe. */
enum stage { ST_DEATHSIG = 1, ST_NETNS, ST_FDS, ST_EXEC };

static const char *stage_what(int stage)
{
	switch (stage) {
	case ST_DEATHSIG:
		return "cannot tie it to sockleak's life (PR_SET_PDEATHSIG)";
	case ST_NETNS:
		return "cannot enter the network namespace";
	case ST_FDS:
		return "cannot set up its standard input and output";
	default:
		return "cannot run it";
	}
}

/* argv[0] as a path: itself when it has a '/', else found in PATH. 0 or -ENOENT/-EACCES. */
static int resolve(const char *name, char *path, size_t size)
{
	const char *p = getenv("PATH"), *end;
	int err = -ENOENT;

	if (strchr(name, '/')) {
		snprintf(path, size, "%s", name);
		return 0;
	}
	if (!p || !*p)
		p = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (; *p; p = *end ? end + 1 : end) {
		size_t n;

		end = strchrnul(p, ':');
		n = (size_t)(end - p);
		if ((size_t)snprintf(path, size, "%.*s%s%s", (int)n, n ? p : ".", "/", name) >=
		    size)
			continue;
		if (!access(path, X_OK))
			return 0;
		if (errno == EACCES)
			err = -EACCES;
	}
	return err;
}

/* In the child, between fork and exec: async-signal-safe calls only. */
static void child(const char *path, char *const argv[], const struct spawn_opts *o,
		  const int fds[3], pid_t parent, int errfd)
{
	struct sigaction dfl;
	sigset_t all;
	int report[2], i, sig;

	report[0] = ST_DEATHSIG;
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		goto fail; /* sockleak is already gone: so is the child */
	if (o->own_group)
		setpgid(0, 0);
	report[0] = ST_NETNS;
	if (o->netns_fd >= 0 && setns(o->netns_fd, CLONE_NEWNET))
		goto fail;
	report[0] = ST_FDS;
	for (i = 0; i < 3; i++) {
		if (fds[i] == SPAWN_INHERIT)
			continue;
		/* dup2 leaves the copy open across exec; an fd already in place is kept open. */
		if (fds[i] == i && fcntl(i, F_SETFD, 0))
			goto fail;
		if (fds[i] != i && dup2(fds[i], i) < 0)
			goto fail;
	}
	/* The fds passed become 3, 4, ...: each out of the way of those numbers first (the error
	 * pipe too), then into place (dup2 leaves the copy open across exec). */
	report[0] = ST_FDS;
	if (o->npass) {
		int high[SPAWN_MAX_PASS];

		if (o->npass > SPAWN_MAX_PASS)
			goto fail;
		errfd = fcntl(errfd, F_DUPFD_CLOEXEC, 3 + (int)o->npass);
		for (i = 0; i < (int)o->npass; i++)
			high[i] = fcntl(o->pass[i], F_DUPFD_CLOEXEC, 3 + (int)o->npass);
		for (i = 0; i < (int)o->npass; i++)
			if (errfd < 0 || high[i] < 0 || dup2(high[i], 3 + i) < 0)
				goto fail;
	}
	/* Nothing else of sockleak's reaches the child: its sockets, netns and report fds. */
	syscall(SYS_close_range, 3U + o->npass, ~0U, CLOSE_RANGE_CLOEXEC);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	report[0] = ST_EXEC;
	execv(path, argv);
fail:
	report[1] = errno;
	if (write(errfd, report, sizeof(report)) < 0)
		_exit(127);
	_exit(127);
}

int sl_spawn(char *const argv[], const struct spawn_opts *o, pid_t *pid, char *why, size_t whylen)
{
	struct spawn_opts def = SPAWN_OPTS_INIT;
	int fds[3], pipefd[2], report[2], devnull = -1, err = 0, st, i;
	char path[PATH_MAX];
	sigset_t all, old;
	pid_t parent = getpid(), p;
	ssize_t n;

	if (!o)
		o = &def;
	if (!argv || !argv[0]) {
		snprintf(why, whylen, "no program to run");
		return -EINVAL;
	}
	if ((err = resolve(argv[0], path, sizeof(path)))) {
		snprintf(why, whylen, "%s: %s", argv[0],
			 err == -ENOENT ? "not found (give its path, or put it in PATH)" :
					  strerror(-err));
		return err;
	}
	fds[0] = o->in;
	fds[1] = o->out;
	fds[2] = o->err;
	for (i = 0; i < 3; i++) {
		if (fds[i] != SPAWN_NULL)
			continue;
		if (devnull < 0 && (devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
			err = -errno;
			snprintf(why, whylen, "/dev/null: %s", strerror(errno));
			return err;
		}
		fds[i] = devnull;
	}
	if (pipe2(pipefd, O_CLOEXEC)) {
		err = -errno;
		snprintf(why, whylen, "%s: %s", argv[0], strerror(errno));
		goto out;
	}
	/* No handler of sockleak's may run in the child before exec resets them. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	p = fork();
	if (p == 0)
		child(path, argv, o, fds, parent, pipefd[1]);
	err = p < 0 ? -errno : 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	close(pipefd[1]);
	if (err) {
		snprintf(why, whylen, "%s: cannot fork: %s", argv[0], strerror(-err));
		close(pipefd[0]);
		goto out;
	}
	/* The pipe closes on exec: nothing read means the program runs. */
	do
		n = read(pipefd[0], report, sizeof(report));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	if (n == (ssize_t)sizeof(report)) {
		err = report[1] ? -report[1] : -EIO;
		snprintf(why, whylen, "%s: %s: %s", argv[0], stage_what(report[0]), strerror(-err));
		while (waitpid(p, &st, 0) < 0 && errno == EINTR)
			;
		goto out;
	}
	*pid = p;
out:
	if (devnull >= 0)
		close(devnull);
	return err;
}

int sl_child_stop(pid_t pid, double grace, int *status)
{
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	double end = sl_now() + grace;
	int st = 0;
	pid_t r;

	if (kill(pid, SIGTERM) && errno != ESRCH)
		return -errno;
	for (;;) {
		r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (sl_now() >= end) {
			kill(pid, SIGKILL);
			while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
				;
			if (r < 0)
				return -errno;
			break;
		}
		nanosleep(&nap, NULL);
	}
	if (status)
		*status = st;
	return 0;
}
