/* The user's server, started by sockleak (--server-cmd): in the run's netns and memory cgroup. */
#ifndef SOCKLEAK_SERVER_CMD_H
#define SOCKLEAK_SERVER_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SERVER_CMD_START_SECONDS 10.0 /* longest wait for the target to accept */
#define SERVER_CMD_GRACE_SECONDS 3.0 /* from SIGTERM to SIGKILL */
#define SERVER_CMD_TAIL 1024 /* bytes of its last output lines kept for the report */

struct server_cmd {
	pid_t pid; /* its first process (what /bin/sh -c became), 0: none */
	int log_fd; /* its stdout and stderr: an unlinked file of sockleak's */
	int cleanup; /* the stop module's slot: the group is killed however sockleak ends */
	uint64_t fd_limit; /* its RLIMIT_NOFILE (soft) once it accepts; 0 unknown */
	bool stopped; /* reaped: status is its wait status */
	int status;
	char how[160]; /* how it ended: "exited with status 0 after SIGTERM" */
	char tail[SERVER_CMD_TAIL]; /* the last lines it wrote */
	unsigned long long
		start; /* --pid: its start time (/proc/PID/stat), 0: started by sockleak */
};

/*
 * Runs cmd with /bin/sh -c in the network namespace netns_fd (< 0: sockleak's), in its own
 * process group, sockleak its child subreaper, and waits up to SERVER_CMD_START_SECONDS until
 * target (an address of the transport) accepts a connection there. 0, or -errno with why said:
 * it did not start, its first process exited early (a server that goes to the background), it
 * never accepted, or a signal came; s is then already stopped (server_cmd_stop is harmless).
 */
int server_cmd_start(struct server_cmd *s, const char *cmd, int transport, const char *target,
		     int netns_fd, char *why, size_t whylen);

/*
 * --pid: a server already running, watched but never signalled: s->pid and s->fd_limit set, and
 * what tells that process from a later one of the same number. Never stopped by sockleak.
 */
void server_cmd_watch(struct server_cmd *s, pid_t pid);

/*
 * --pid: whether the network namespace of pid is used by nothing but pid's process tree and
 * sockleak itself (no other process has a thread in it): then the counts there are exact. 1 alone,
 * 0 shared (who names one other process: "nginx (pid 12)"), or -errno.
 */
int server_netns_alone(pid_t pid, char *who, size_t wholen);

/* A watched server (--pid) still there; false (how says so) once it has exited. */
bool server_cmd_alive(struct server_cmd *s);

/*
 * Ends it: SIGTERM to its process group, SIGKILL after SERVER_CMD_GRACE_SECONDS, reaped; fills
 * how and tail. Idempotent.
 */
void server_cmd_stop(struct server_cmd *s);

#endif
