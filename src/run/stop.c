/* Signals: counted in stoppable stretches, else clean up and die of them; clean-ups at exit too. */
#include "run/stop.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "common.h"

#define NAP 0.05 /* a signal is answered this fast */
#define MAX_CLEANUPS 8
#define LEAVE_AT 3 /* the signal that leaves at once even in a stoppable stretch */

static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

static atomic_int depth;
static atomic_uint count;
static atomic_int first;
static atomic_bool hurry;
static bool installed;

static struct {
	void (*_Atomic fn)(void *arg);
	void *arg;
} cleanups[MAX_CLEANUPS];

static void run_cleanups(void)
{
	int i;

	for (i = MAX_CLEANUPS - 1; i >= 0; i--) {
		void (*fn)(void *) = atomic_load(&cleanups[i].fn);

		if (fn)
			fn(cleanups[i].arg);
	}
}

/* Runs the clean-ups and dies of sig: the default action, once this handler returns. */
static void leave_now(int sig)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	run_cleanups();
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	raise(sig);
}

static void on_signal(int sig)
{
	int saved = errno;

#ifdef _WIN32
	signal(sig, on_signal); /* the C runtime put the default back before calling us */
#endif

	if (sig != SIGQUIT && atomic_load(&depth) > 0 && atomic_load(&count) + 1 < LEAVE_AT) {
		int none = 0;

		atomic_compare_exchange_strong(&first, &none, sig);
		if (atomic_fetch_add(&count, 1) > 0 || sig != SIGINT)
			atomic_store(&hurry, true);
		errno = saved;
		return;
	}
	leave_now(sig);
	errno = saved;
}

static void install(void)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART }, old;
	size_t i;

	if (installed)
		return;
	installed = true;
	/* The handler runs with every signal of ours blocked: one at a time. */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (i = 0; i < ARRAY_SIZE(sigs); i++) {
		/*
		 * nohup's SIGHUP stays ignored, and so does SIGQUIT. SIGINT and SIGTERM are always
		 * ours: a shell starts background jobs with SIGINT ignored, yet `kill -INT` is how
		 * scripts stop a run and expect its reports.
		 */
		if ((sigs[i] == SIGHUP || sigs[i] == SIGQUIT) &&
		    (sigaction(sigs[i], NULL, &old) || old.sa_handler == SIG_IGN))
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
	atexit(run_cleanups);
}

void stop_begin(void)
{
	install();
	if (atomic_fetch_add(&depth, 1) == 0) {
		atomic_store(&first, 0);
		atomic_store(&count, 0);
		atomic_store(&hurry, false);
	}
}

void stop_end(void)
{
	if (atomic_load(&depth) > 0)
		atomic_fetch_sub(&depth, 1);
}

unsigned stop_count(void)
{
	return atomic_load(&count);
}

bool stop_hurry(void)
{
	return atomic_load(&hurry);
}

int stop_signal(void)
{
	return atomic_load(&first);
}

const char *stop_signal_name(int sig)
{
	static char buf[24];

	switch (sig) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP";
	default:
		snprintf(buf, sizeof(buf), "signal %d", sig);
		return buf;
	}
}

bool stop_nap(double seconds, unsigned since)
{
	double end = sl_now() + seconds;

	while (stop_count() <= since) {
		double left = end - sl_now();
		struct timespec ts;

		if (left <= 0)
			return true;
		if (left > NAP)
			left = NAP;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)(left * 1e9);
		nanosleep(&ts, NULL);
	}
	return false;
}

int stop_cleanup_push(void (*fn)(void *arg), void *arg)
{
	int i;

	install();
	for (i = 0; i < MAX_CLEANUPS; i++) {
		if (atomic_load(&cleanups[i].fn))
			continue;
		cleanups[i].arg = arg;
		atomic_store(&cleanups[i].fn, fn);
		return i;
	}
	return -1;
}

void stop_cleanup_pop(int slot)
{
	if (slot >= 0 && slot < MAX_CLEANUPS)
		atomic_store(&cleanups[slot].fn, NULL);
}
