/* A client worker's loop around its cycles: pacing, --inject-leak, counters, how it ends. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "engine/internal.h"
#include "engine/netns.h"

/* Pacing and --yield: the only path with time calls, taken only when asked for. */
static void between_cycles(struct worker *w, struct timespec *next)
{
	struct timespec now;
	long ns;

	if (w->e->cfg.yield)
		sched_yield();
	if (w->period <= 0)
		return;
	ns = (long)(w->period * 1e9);
	next->tv_nsec += ns % 1000000000L;
	next->tv_sec += ns / 1000000000L + next->tv_nsec / 1000000000L;
	next->tv_nsec %= 1000000000L;
	clock_gettime(CLOCK_MONOTONIC, &now);
	/* Fallen more than a second behind: do not burst to catch up. */
	if (now.tv_sec > next->tv_sec + 1) {
		*next = now;
		return;
	}
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL);
}

/* Descriptors an --allow-open sequence left open on purpose. */
static void keep_open(struct worker *w, int *fds)
{
	unsigned k;

	for (k = 0; k < SEQ_FD_SLOTS; k++) {
		if (fds[k] < 0)
			continue;
		if (engine_park(w->e, fds[k])) {
			counter_inc(&w->n.left_open);
		} else {
			close(fds[k]);
			counter_inc(&w->n.closed_over_cap);
		}
		fds[k] = -1;
	}
}

/* The namespace a netns cycle returns to: the run's, or the one the worker started in. */
static int home_netns(struct worker *w)
{
	if (!w->e->seq->netns_cycle)
		return 0;
	w->home_ns = w->e->netns_fd >= 0 ? w->e->netns_fd :
					   open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	w->own_home = w->e->netns_fd < 0;
	return w->home_ns < 0 ? -errno : 0;
}

void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct engine *e = w->e;
	const struct seq *s = e->seq;
	uint64_t left = w->budget;
	struct leak_plan lp;
	int fds[SEQ_FD_SLOTS];
	bool parked;
	struct timespec next;
	sigset_t wake;
	unsigned op_idx, k;
	int err;

	engine_thread_started(&e->srv, &w->tid, true);
	leak_plan_init(&lp, e->cfg.inject_leak, w->first);
	for (k = 0; k < SEQ_FD_SLOTS; k++)
		fds[k] = -1;
	/* Only the engine's wake signal may interrupt this thread's syscalls. */
	sigemptyset(&wake);
	sigaddset(&wake, SIGRTMIN);
	pthread_sigmask(SIG_UNBLOCK, &wake, NULL);
	if (e->netns_fd >= 0)
		w->setup_err = netns_enter(e->netns_fd);
	if (!w->setup_err)
		w->setup_err = home_netns(w);
	if (!w->setup_err && w->api && w->api->start)
		w->setup_err = w->api->start(w);
	if (w->setup_err)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &next);

	while (left) {
		if (atomic_load_explicit(&e->stop, memory_order_relaxed))
			break;
		if (unlikely(w->slow))
			between_cycles(w, &next);
		left--;
		parked = false;
		switch (w->cycle(w, s, leak_plan_cycle(&lp), fds, &op_idx, &err, &parked)) {
		case CYCLE_OK:
			worker_counts_end(&w->n, &lp, true, parked);
			if (unlikely(!s->closes))
				keep_open(w, fds);
			break;
		case CYCLE_FAILED:
			counter_inc(
				&w->errors[op_idx]
					  [err < ENGINE_MAX_ERRNO ? err : ENGINE_MAX_ERRNO - 1]);
			worker_counts_end(&w->n, &lp, false, parked);
			cycle_cleanup(w, s, fds);
			break;
		case CYCLE_STOPPED:
			cycle_cleanup(w, s, fds);
			left = 0;
			break;
		}
	}
out:
	if (w->api && w->api->stop)
		w->api->stop(w);
	if (w->own_home)
		close(w->home_ns);
	w->end = sl_now();
	atomic_store(&w->done, true);
	if (atomic_fetch_sub(&e->running, 1) == 1) {
		uint64_t one = 1;

		/* The last worker wakes the controller. */
		if (write(e->kick_fd, &one, sizeof(one)) < 0)
			(void)0;
	}
	return NULL;
}
