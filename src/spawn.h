/* Child processes sockleak starts (a user's server, a VM): none outlives a killed sockleak. */
#ifndef SOCKLEAK_SPAWN_H
#define SOCKLEAK_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define SPAWN_NULL (-1) /* a standard fd of the child goes to /dev/null */
#define SPAWN_INHERIT (-2) /* a standard fd of the child is sockleak's own */
#define SPAWN_MAX_PASS 16

struct spawn_opts {
	int in, out, err; /* the child's fds 0, 1 and 2: an open fd, SPAWN_NULL or SPAWN_INHERIT */
	int netns_fd; /* >= 0: the child runs in this network namespace (setns before exec) */
	bool own_group; /* its own process group: a terminal's Ctrl-C reaches sockleak alone */
	const int *pass; /* npass more fds the child gets as its 3, 4, ... (a VM's channels) */
	unsigned npass;
};

/* Defaults: stdin from /dev/null, stdout and stderr inherited, sockleak's namespace and group,
 * nothing more passed. */
#define SPAWN_OPTS_INIT                                             \
	{                                                           \
		SPAWN_NULL, SPAWN_INHERIT, SPAWN_INHERIT, -1, false \
	}

/*
 * Starts argv[0] (a path, or a name looked up in PATH) with argv, and returns its pid in *pid.
 * The child gets SIGKILL when the thread that started it ends, so that it dies with sockleak
 * even when sockleak is killed with SIGKILL (PR_SET_PDEATHSIG): call it from a thread that lives
 * as long as the child, such as the main thread. The child starts with every signal at its
 * default action and unblocked (sockleak ignores SIGPIPE), and no fd of sockleak's but 0-2 and
 * those it passes.
 * 0, or -errno with why said in why (exec failures included: "not found", "permission denied").
 */
int sl_spawn(char *const argv[], const struct spawn_opts *o, pid_t *pid, char *why, size_t whylen);

/*
 * Ends a child: SIGTERM, then SIGKILL after grace seconds, and reaps it. *status (may be NULL)
 * gets its wait status. 0, or -errno (ECHILD: not a child of this process).
 */
int sl_child_stop(pid_t pid, double grace, int *status);

#endif
