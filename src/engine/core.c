/* What both engines share: the split of --ops, the controller's turn, the stop's names, totals. */
#include "engine/core.h"

const char *engine_stop_name(enum engine_stop s)
{
	switch (s) {
	case ENGINE_STOP_OPS:
		return "ops";
	case ENGINE_STOP_TIME:
		return "time";
	case ENGINE_STOP_REQUEST:
		return "request";
	default:
		return "running";
	}
}

uint64_t engine_ops_share(const struct run_config *cfg, unsigned n, unsigned i, uint64_t *first)
{
	uint64_t share;

	if (!cfg->ops)
		return UINT64_MAX;
	share = cfg->ops / n + (i < cfg->ops % n);
	*first += share;
	return share;
}

int engine_control_turn(_Atomic int *stop, _Atomic int *reason, double deadline, double now,
			double *stop_at, bool *kick)
{
	double ms;

	*kick = false;
	if (!atomic_load(stop) && deadline > 0 && now >= deadline) {
		engine_stop_first(reason, ENGINE_STOP_TIME);
		atomic_store(stop, 1);
	}
	if (atomic_load(stop)) {
		if (!*stop_at)
			*stop_at = now;
		*kick = now - *stop_at >= KICK_GRACE;
		return KICK_EVERY_MS;
	}
	if (deadline <= 0)
		return 1000;
	ms = (deadline - now) * 1000 + 1;
	return ms > 1000 ? 1000 : (int)ms;
}

void engine_stats_add(struct engine_stats *st, const struct worker_counts *n,
		      counter_t (*errors)[ENGINE_MAX_ERRNO], unsigned nops)
{
	uint64_t c = counter_get(&n->cycles);
	unsigned op, er;

	st->cycles += c;
	st->failed_cycles += counter_get(&n->failed);
	st->leaked += counter_get(&n->leaked);
	st->left_open += counter_get(&n->left_open);
	st->closed_over_cap += counter_get(&n->closed_over_cap);
	st->thread_min = c < st->thread_min ? c : st->thread_min;
	st->thread_max = c > st->thread_max ? c : st->thread_max;
	for (op = 0; op < nops; op++)
		for (er = 0; er < ENGINE_MAX_ERRNO; er++)
			st->errors[op][er] += counter_get(&errors[op][er]);
}
