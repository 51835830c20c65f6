/* Unit tests for src/run/sampler.c: rows stamped with time, cycles and phase; stop; dropping the netns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <time.h>

#include "common.h"
#include "probe_fixture.h"
#include "run/sampler.h"

static uint64_t calls;

/* Counts its calls: each row must read the engine's cycles exactly once. */
static uint64_t cycles(void *arg)
{
	(void)arg;
	return ++calls * 10;
}

static void nap(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	nanosleep(&ts, NULL);
}

/* The fixture is a Linux /proc: Windows's probes read the system's own counters instead. */
#ifdef _WIN32
#define LINUX_PROBES_ONLY() skip()
#else
#define LINUX_PROBES_ONLY() ((void)0)
#endif

static void test_rows(void **state)
{
	struct sampler_cfg cfg = { .interval = 0.02,
				   .ctx = { .root = fixture("host"), .netns_fd = -1, .pid = 4242 },
				   .cycles = cycles,
				   .quiet = true };
	struct sampler *sp;
	size_t i, b, e, read;
	struct series s;

	(void)state;
	LINUX_PROBES_ONLY();
	calls = 0;
	series_init(&s, 0);
	assert_int_equal(sampler_create(&cfg, &s, &sp), 0);
	assert_int_equal(probes_on(sampler_probes(sp)), 5);
	assert_int_equal(sampler_mark(sp, PHASE_BASELINE), 0);
	assert_int_equal(sampler_start(sp), 0);
	assert_int_equal(sampler_start(sp), -EALREADY);
	nap(0.15);
	assert_int_equal(sampler_mark(sp, PHASE_CHURN), 0);
	nap(0.15);
	sampler_stop(sp);
	assert_true(s.samples >= 4);
	assert_int_equal(s.nrows, s.samples);
	/* One cycles read per row and per mark, in order. */
	assert_int_equal(calls, s.samples + 2);
	for (i = 1; i < s.nrows; i++) {
		assert_true(s.t[i] > s.t[i - 1]);
		assert_true(s.cycles[i] > s.cycles[i - 1]);
	}
	assert_true(series_phase_rows(&s, PHASE_BASELINE, &b, &e) >= 1);
	assert_true(series_phase_rows(&s, PHASE_CHURN, &b, &e) >= 1);
	assert_int_equal(e, s.nrows);
	/*
	 * Each row has the probe's figure and what reading it cost, or neither: a probe that took
	 * more than its share of the interval (a loaded machine) sits out the next rows (probe.h).
	 * The first sample always reads.
	 */
	for (i = 0, read = 0; i < s.nrows; i++) {
		double objs = series_val(&s, series_find(&s, "slab.TCP.objs"), i);
		double us = series_val(&s, series_find(&s, "probe.slabinfo.us"), i);

		assert_int_equal(!!isnan(objs), !!isnan(us));
		if (isnan(objs))
			continue;
		assert_float_equal(objs, 66, 0);
		assert_true(us > 0);
		read++;
	}
	assert_false(isnan(series_val(&s, series_find(&s, "slab.TCP.objs"), 0)));
	assert_true(read >= 1);

	/* A synchronous sample is one more row. */
	i = s.samples;
	assert_int_equal(sampler_sample_now(sp), 0);
	assert_int_equal(s.samples, i + 1);

	/* After the netns is dropped the per-netns columns read NAN, host-wide ones go on. */
	sampler_drop_netns(sp);
	assert_int_equal(sampler_sample_now(sp), 0);
	/* the latest row has no figure of it; `last` keeps its last one for live views */
	assert_true(isnan(series_val(&s, series_find(&s, "sockstat.TCP.inuse"), s.nrows - 1)));
	assert_false(isnan(last(&s, "sockstat.TCP.inuse")));
	/* the latest row has no figure of it; `last` keeps its last one for live views */
	assert_true(isnan(series_val(&s, series_find(&s, "netstat.ListenOverflows"), s.nrows - 1)));
	assert_false(isnan(last(&s, "netstat.ListenOverflows")));
	assert_float_equal(last(&s, "meminfo.Slab"), 76132.0 * 1024, 0);
	assert_float_equal(last(&s, "proc.fds"), 5, 0);
	sampler_destroy(sp);
	series_free(&s);
}

/* Stopping wakes the thread: it does not wait for a tick an hour away. */
static void test_stop_now(void **state)
{
	struct sampler_cfg cfg = { .interval = 3600,
				   .ctx = { .root = fixture("host"), .netns_fd = -1, .pid = 4242 },
				   .quiet = true };
	struct sampler *sp;
	struct series s;
	double t0;

	(void)state;
	series_init(&s, 0);
	assert_int_equal(sampler_create(&cfg, &s, &sp), 0);
	assert_int_equal(sampler_start(sp), 0);
	nap(0.05);
	t0 = sl_now();
	sampler_destroy(sp);
	assert_true(sl_now() - t0 < 60);
	/* The first sample is taken at start; no cycles callback: 0. */
	assert_int_equal(s.samples, 1);
	assert_float_equal(s.cycles[0], 0, 0);
	series_free(&s);
}

static void test_nothing_to_watch(void **state)
{
	struct sampler_cfg cfg = { .ctx = { .root = "/nonexistent", .netns_fd = -1, .pid = 1 },
				   .quiet = true };
	struct sampler *sp = NULL;
	struct series s;

	(void)state;
	LINUX_PROBES_ONLY();
	series_init(&s, 0);
	assert_true(sampler_create(&cfg, &s, &sp) < 0);
	assert_null(sp);
	series_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_stop_now),
		cmocka_unit_test(test_nothing_to_watch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
