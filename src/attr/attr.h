/*
 * --attribute: an eBPF program tracks the kernel allocations the run's own threads make, and the
 * outstanding ones are read per kernel stack (bpf/attribute.bpf.c does the kernel side).
 *
 * Order of use: attr_open (loads the programs, creates the maps: before the process enters the
 * run's memory cgroup, so that their memory is not charged to the run), attr_start (attaches
 * the event sources this kernel has, tracking on), attr_scope_tid / attr_scope_process for each
 * thread or process of the run, attr_tick from the orchestrator (cycles, snapshots) and
 * attr_mark at each phase, attr_stop (detaches), attr_collect (symbolizes, names caches, fills the
 * model), attr_close.
 */
#ifndef SOCKLEAK_ATTR_H
#define SOCKLEAK_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/attribution.h"
#include "model/series.h"

#define ATTR_DEFAULT_OBJECTS 262144 /* objects tracked at once */
#define ATTR_DEFAULT_STACKS 65536 /* distinct (stack, cache) pairs */
#define ATTR_SNAP_SECONDS 0.25 /* between snapshots of the per-stack totals */

struct attr_opts {
	uint64_t max_objects; /* 0: ATTR_DEFAULT_OBJECTS */
	uint64_t max_stacks; /* 0: ATTR_DEFAULT_STACKS */
	uint32_t sample_every; /* walk the stack of 1 in N allocations, at random; 0 or 1: all */
	bool quiet; /* do not list the sources that are missing */
};

struct attr;

/* True when this build has eBPF attribution; else why says why not. */
bool attr_built(char *why, size_t size);

/*
 * Loads the programs and creates the maps. On failure returns -errno with one line in why that
 * says what is missing (root, BTF, BPF) and what to do; the run goes on without attribution.
 */
int attr_open(const struct attr_opts *o, struct attr **out, char *why, size_t size);
/* Attaches every source this kernel has and starts tracking: -errno (why) when none attached. */
int attr_start(struct attr *a, char *why, size_t size);
/* Adds a thread of the run to the scope (from any thread, typically the thread itself). */
int attr_scope_tid(struct attr *a, pid_t tid);
/* Adds a whole process (all its threads), and with children its later children too. */
int attr_scope_process(struct attr *a, pid_t pid, bool children);
/*
 * The orchestrator's tick (any thread, one at a time): the engine's cycle count for the
 * allocations to come, and a snapshot of the per-stack totals when one is due.
 */
void attr_tick(struct attr *a, double t, uint64_t cycles, enum phase ph);
/* A phase begins: a snapshot now, so the decision knows each phase's first level. */
void attr_mark(struct attr *a, double t, uint64_t cycles, enum phase ph);
/* TCP sockets per state [AF_INET, AF_INET6][state] in the netns of this cookie; -ENOENT none. */
int attr_tcp_states(struct attr *a, uint64_t netns_cookie, int64_t out[2][16]);
/* The sources, attached or not and why (after attr_start): *out to be freed. 0 or -ENOMEM. */
int attr_sources(const struct attr *a, struct attr_source **out, size_t *n);
/* Detaches the programs: the figures stay readable. */
void attr_stop(struct attr *a);
/*
 * Fills out (attribution_free releases it) with every stack that allocated in the scope,
 * symbolized once from /proc/kallsyms, caches named as the pool-tag table names them, the
 * snapshots, the sources and every lost event. The decision is analysis' (attribution_decide).
 */
int attr_collect(struct attr *a, struct attribution *out);
void attr_close(struct attr *a);

#endif
