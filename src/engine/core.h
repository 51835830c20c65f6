/* What both engines (POSIX sockets and Winsock) share: the workers' counts and leak schedule,
 * the split of --ops, the controller's turn and the stop's reason. */
#ifndef SOCKLEAK_ENGINE_CORE_H
#define SOCKLEAK_ENGINE_CORE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "engine/counter.h"
#include "engine/engine.h"

#define KICK_GRACE 0.05 /* seconds a stopping worker may finish its cycle before a kick */
#define KICK_EVERY_MS 20

/* A worker's cycle counts: written by the worker alone, read by others without locks. */
struct worker_counts {
	counter_t cycles;
	counter_t failed; /* cycles cut short by a failed op */
	counter_t leaked; /* sockets kept by --inject-leak */
	counter_t left_open; /* sockets an --allow-open sequence left open */
	counter_t closed_over_cap; /* sockets to keep that were closed: the fd store was full */
};

/*
 * --inject-leak's schedule on the global cycle index: a leak is due in cycle g when
 * (g + 1) % every == 0. A cycle that could not keep its socket (it failed first) passes the
 * leak on to the next one.
 */
struct leak_plan {
	uint64_t every; /* 0: no leaks */
	uint64_t until; /* cycles until the next leak falls due */
	uint64_t debt; /* leaks due and not yet kept */
};

static inline void leak_plan_init(struct leak_plan *lp, uint64_t every, uint64_t first)
{
	lp->every = every;
	lp->until = every ? every - first % every : 0;
	lp->debt = 0;
}

/* One more cycle begins: whether it should keep its socket. */
static inline bool leak_plan_cycle(struct leak_plan *lp)
{
	if (lp->every && --lp->until == 0) {
		lp->debt++;
		lp->until = lp->every;
	}
	return lp->debt > 0;
}

/* A cycle ended, completed or failed; parked: it kept its socket. */
static inline void worker_counts_end(struct worker_counts *n, struct leak_plan *lp, bool ok,
				     bool parked)
{
	counter_inc(ok ? &n->cycles : &n->failed);
	if (parked) {
		counter_inc(&n->leaked);
		lp->debt--;
	}
}

/* The first cause of a stop is the one reported. */
static inline void engine_stop_first(_Atomic int *reason, enum engine_stop r)
{
	int none = ENGINE_STOP_NONE;

	atomic_compare_exchange_strong(reason, &none, (int)r);
}

/* Worker i of n: its share of --ops (UINT64_MAX: until stopped), contiguous ranges of the
 * global cycle index from *first on, which it advances. */
uint64_t engine_ops_share(const struct run_config *cfg, unsigned n, unsigned i, uint64_t *first);

/*
 * One turn of the controller at time now: at the deadline (0: none) the churn stops with reason
 * time. Returns how many ms to wait for the next turn; *kick: the workers had their grace since
 * the stop (*stop_at, 0 until then) and are to be woken from a blocking call.
 */
int engine_control_turn(_Atomic int *stop, _Atomic int *reason, double deadline, double now,
			double *stop_at, bool *kick);

/* Adds one worker's counts (and its errors[op][errno] over nops ops) to st. */
void engine_stats_add(struct engine_stats *st, const struct worker_counts *n,
		      counter_t (*errors)[ENGINE_MAX_ERRNO], unsigned nops);

#endif
