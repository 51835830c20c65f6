/* The sampler thread: every probe, every interval, on an absolute CLOCK_MONOTONIC schedule. */
#include "run/sampler.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"

struct sampler {
	struct series *s;
	struct probe_set probes;
	double interval;
	double t0;
	uint64_t (*cycles)(void *arg);
	void *arg;

	pthread_t thread;
	bool running;
	bool stop;
	bool commit_failed;
	uint64_t overruns;
	/* Held while sampling: drop_netns and a synchronous sample wait for the thread's sample. */
	pthread_mutex_t mu;
	pthread_cond_t cv; /* on CLOCK_MONOTONIC: wakes the thread at its tick or at stop */
};

static void to_timespec(double t, struct timespec *ts)
{
#ifdef _WIN32
	/* winpthreads times a condition wait on the realtime clock whatever the attribute says. */
	struct timespec rt;

	clock_gettime(CLOCK_REALTIME, &rt);
	t += (double)rt.tv_sec + rt.tv_nsec * 1e-9 - sl_now();
#endif
	ts->tv_sec = (time_t)t;
	ts->tv_nsec = (long)((t - (double)ts->tv_sec) * 1e9);
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

int sampler_create(const struct sampler_cfg *cfg, struct series *s, struct sampler **out)
{
	struct sampler *sp = calloc(1, sizeof(*sp));
	pthread_condattr_t ca;
	int err;

	if (!sp)
		return -ENOMEM;
	sp->s = s;
	sp->interval = cfg->interval > 0 ? cfg->interval : SAMPLER_DEFAULT_INTERVAL;
	sp->cycles = cfg->cycles;
	sp->arg = cfg->arg;
	pthread_mutex_init(&sp->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sp->cv, &ca);
	pthread_condattr_destroy(&ca);
	if ((err = probes_open(&sp->probes, &cfg->ctx, s, cfg->quiet))) {
		pthread_cond_destroy(&sp->cv);
		pthread_mutex_destroy(&sp->mu);
		free(sp);
		return err;
	}
	/* Each probe takes about 1% of the interval from the run it measures (see probe_set.budget_us). */
	sp->probes.budget_us = sp->interval * 1e6 * SAMPLER_PROBE_SHARE;
	sp->t0 = sl_now();
	*out = sp;
	return 0;
}

double sampler_elapsed(const struct sampler *sp)
{
	return sl_now() - sp->t0;
}

static uint64_t cycles_now(const struct sampler *sp)
{
	return sp->cycles ? sp->cycles(sp->arg) : 0;
}

/*
 * One row: time and cycles read together first, then every probe due at this tick (all: every
 * probe, off the tick grid). Called with mu held.
 */
static int sample_locked(struct sampler *sp, bool all)
{
	double t = sampler_elapsed(sp);
	uint64_t c = cycles_now(sp);
	int err;

	if (all)
		probes_sample_all(&sp->probes, sp->s);
	else
		probes_sample(&sp->probes, sp->s);
	err = series_commit(sp->s, t, c);
	if (err && !sp->commit_failed) {
		sp->commit_failed = true;
		sl_err("sampler: cannot store a sample (%s); samples are being lost",
		       strerror(-err));
	}
	return err;
}

int sampler_sample_now(struct sampler *sp)
{
	int err;

	pthread_mutex_lock(&sp->mu);
	err = sample_locked(sp, true);
	pthread_mutex_unlock(&sp->mu);
	return err;
}

int sampler_mark(struct sampler *sp, enum phase ph)
{
	double t = sampler_elapsed(sp);

	return series_mark(sp->s, ph, t, cycles_now(sp));
}

static void *run(void *arg)
{
	struct sampler *sp = arg;
	double next = sl_now();
	struct timespec ts;

	pthread_mutex_lock(&sp->mu);
	while (!sp->stop) {
		double now;

		sample_locked(sp, false);
		next += sp->interval;
		now = sl_now();
		if (next <= now) {
			/* Late: skip the missed ticks but stay on the grid, so rows stay evenly spaced. */
			double missed = floor((now - next) / sp->interval) + 1;

			sp->overruns += (uint64_t)missed;
			next += missed * sp->interval;
		}
		to_timespec(next, &ts);
		while (!sp->stop && pthread_cond_timedwait(&sp->cv, &sp->mu, &ts) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&sp->mu);
	return NULL;
}

int sampler_start(struct sampler *sp)
{
	sigset_t all, old;
	int err;

	if (sp->running)
		return -EALREADY;
	sp->stop = false;
	/* Signals (SIGINT) are for the main thread, not this one. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&sp->thread, NULL, run, sp);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		return -err;
	sp->running = true;
	return 0;
}

void sampler_drop_netns(struct sampler *sp)
{
	pthread_mutex_lock(&sp->mu);
	probes_close_netns(&sp->probes);
	pthread_mutex_unlock(&sp->mu);
}

void sampler_stop(struct sampler *sp)
{
	if (!sp->running)
		return;
	pthread_mutex_lock(&sp->mu);
	sp->stop = true;
	pthread_cond_signal(&sp->cv);
	pthread_mutex_unlock(&sp->mu);
	pthread_join(sp->thread, NULL);
	sp->running = false;
	series_flush(sp->s);
}

void sampler_destroy(struct sampler *sp)
{
	if (!sp)
		return;
	sampler_stop(sp);
	probes_close(&sp->probes);
	pthread_cond_destroy(&sp->cv);
	pthread_mutex_destroy(&sp->mu);
	free(sp);
}

const struct probe_set *sampler_probes(const struct sampler *sp)
{
	return &sp->probes;
}

uint64_t sampler_overruns(const struct sampler *sp)
{
	return sp->overruns;
}
