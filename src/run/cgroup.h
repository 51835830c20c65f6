/* The workload's own memory cgroup: created when root, left and removed on every exit path. */
#ifndef SOCKLEAK_CGROUP_H
#define SOCKLEAK_CGROUP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct sl_cgroup {
	int version; /* 1 or 2 while in it; 0: off (why says why) */
	char dir[PATH_MAX]; /* the workload's cgroup directory */
	char home[PATH_MAX]; /* the cgroup the process came from */
	char why[512];
	/* Prepared at enter, so leaving needs no formatting (it runs in signal handlers). */
	char home_procs[PATH_MAX + 16];
	char pid[16];
};

/*
 * The memory cgroup directory of pid (0: this process) and its version (1 or 2).
 * Returns 0, or -ENOENT when no hierarchy has the memory controller.
 */
int cgroup_of(pid_t pid, char *dir, size_t n, int *version);

/* The memory cgroup's path in /proc/PID/cgroup text (changed in place) for a version. 0 or
 * -ENOENT. */
int cgroup_parse_path(char *text, int version, char *path, size_t n);

/*
 * Creates sockleak.<pid> under this process's memory cgroup (v1, or v2 when the unified hierarchy
 * has the memory controller), turns on v1 TCP accounting in it, and moves the process in, so memcg
 * figures are the workload's kernel memory alone. Call it before starting threads. Leaving is
 * registered with the stop module (run/stop.h): a fatal signal or exit removes the cgroup too.
 * Returns -errno and says why in cg->why (e.g. not root); the run goes on without it.
 */
int cgroup_enter(struct sl_cgroup *cg);

/* Moves the process back and removes the cgroup; idempotent. */
int cgroup_leave(struct sl_cgroup *cg);

/*
 * Removes the sockleak.<pid> cgroups that killed runs left (the pid is gone, no task is in it)
 * anywhere under every mount of a hierarchy with the memory controller (cgroup_enter does it on
 * start and says so). Returns how many; their paths go to said (comma-separated, truncated).
 */
int cgroup_sweep_stale(char *said, size_t size);

#endif
