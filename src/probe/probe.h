/* The probe interface: one small table of functions per source of kernel-memory figures. */
#ifndef SOCKLEAK_PROBE_H
#define SOCKLEAK_PROBE_H

#include <stdbool.h>
#include <sys/types.h>

#include "analysis/series.h"

/* What a probe may know about the run it watches. */
struct probe_ctx {
	const char *root;	/* prefix for /proc and /sys paths ("" live; a fixture tree in tests) */
	int netns_fd;		/* the run's network namespace, or -1 for the caller's */
	pid_t pid;		/* process whose fds, RSS and threads the proc probe reads */
	const char *cgroup;	/* the workload's memory cgroup directory, or NULL */
	int cgroup_version;	/* 1 or 2; 0 when there is none */
};

struct probe;

struct probe_ops {
	const char *name;
	/* Detects availability and adds its columns; on failure returns -errno and says why. */
	int (*open)(struct probe *p, const struct probe_ctx *ctx, struct series *s);
	/* Sets this sample's values with series_set; never allocates in steady state. */
	int (*sample)(struct probe *p, struct series *s);
	void (*close)(struct probe *p);
};

struct probe {
	const struct probe_ops *ops;
	void *priv;
	char why[192];		/* why it is off, when open failed */
	bool on;
	int cost_col;		/* probe.NAME.us: this probe's own cost per sample */
};

#endif
