/*
 * Unit tests of host drift (src/analysis/measure.c drift_fit, verdict.c host_drift and
 * overrule_covered, settle.c): host-wide figures that another task moves at a steady rate through
 * baseline and quiesce, with and without a real leak, and the run's exact socket counts
 * overruling only the caches they cover.
 */
#include "verdict_fixture.h"

/*
 * A slower loop than RATE (50,000 cycles), so that a leak of 1 per cycle and the host's drift
 * (500 per second, 17,500 over the run) are comparable.
 */
#define DRIFT 500.0

static struct synth_plan slow_plan(void)
{
	struct synth_plan p = { .hz = 10, .rate = 5000, .baseline = 5, .churn = 10, .quiesce = 20 };

	return p;
}

/* The run's own TCP sockets (exact, in its netns): one in flight while the loop runs. */
static struct gen client_gen(void)
{
	struct gen g = { .plateau = 1, .tau = 0.01, .back_tau = 0.01, .integer = true };

	return g;
}

/* Another netns opens and keeps TCP sockets at a steady rate: clean loop, not a LEAK. */
static void test_host_drift_clean(void **state)
{
	struct gen client = client_gen();
	struct gen tcp = { .base = 600, .noise = 2, .drift = DRIFT, .integer = true };
	struct gen sic = { .base = 900, .noise = 2, .drift = DRIFT, .integer = true };
	struct synth_col cols[] = {
		COL("tcp.client", UNIT_COUNT, MK_LEVEL, &client),
		COL("slab.TCP.objs", UNIT_COUNT, MK_LEVEL, &tcp),
		COL("slab.dentry.objs", UNIT_COUNT, MK_LEVEL, &sic),
	};
	struct synth_plan pl = slow_plan();
	struct analysis_params p;
	const struct metric_result *m;
	struct series s;
	struct result r;

	(void)state;
	params(&p);
	run(&pl, cols, ARRAY_SIZE(cols), &p, &s, &r);
	assert_int_not_equal(r.verdict, VERDICT_LEAK);
	assert_int_not_equal(r.verdict, VERDICT_INCONCLUSIVE);
	m = get(&r, &s, "slab.dentry.objs");
	assert_int_equal(m->verdict, VERDICT_CLEAN);
	assert_int_equal(m->reason.code, RS_HOST_DRIFT);
	assert_float_equal(m->drift, DRIFT, DRIFT / 10);
	assert_non_null(strstr(m->why, "host drift"));
	assert_int_equal(get(&r, &s, "slab.TCP.objs")->reason.code, RS_HOST_DRIFT);
	assert_true(r.drift_col >= 0);
	assert_int_equal(r.ndrift, 2);
	assert_int_equal(get(&r, &s, "tcp.client")->drift, 0);
	result_free(&r);
	series_free(&s);
}

/* A paced opener's rate wanders: 360 a second until the loop stops, 390 after, on clean lines. */
static double paced(const struct synth_row *r, const void *arg)
{
	double split = *(const double *)arg;

	return round(170 + 360 * fmin(r->t, split) + 390 * fmax(0, r->t - split));
}

static void test_host_drift_paced(void **state)
{
	struct gen client = client_gen();
	struct synth_plan pl = slow_plan();
	double split = pl.baseline + pl.churn;
	struct synth_col cols[] = {
		COL("tcp.client", UNIT_COUNT, MK_LEVEL, &client),
		{ "slab.TCP.objs", UNIT_COUNT, MK_LEVEL, paced, &split, NULL },
	};
	struct analysis_params p;
	const struct metric_result *m;
	struct series s;
	struct result r;

	(void)state;
	params(&p);
	run(&pl, cols, ARRAY_SIZE(cols), &p, &s, &r);
	m = get(&r, &s, "slab.TCP.objs");
	assert_int_equal(m->reason.code, RS_HOST_DRIFT);
	assert_float_equal(m->drift, 375, 20);
	result_free(&r);
	series_free(&s);
}

/* The same drift with a real leak of one object per cycle: LEAK, its rate within 10%. */
static void test_host_drift_leak(void **state)
{
	struct gen client = client_gen();
	struct gen tcp = { .base = 600, .noise = 2, .drift = DRIFT, .integer = true };
	struct gen den = { .base = 900, .noise = 2, .drift = DRIFT, .leak = 1, .integer = true };
	struct synth_col cols[] = {
		COL("tcp.client", UNIT_COUNT, MK_LEVEL, &client),
		COL("slab.TCP.objs", UNIT_COUNT, MK_LEVEL, &tcp),
		COL("slab.dentry.objs", UNIT_COUNT, MK_LEVEL, &den),
	};
	struct synth_plan pl = slow_plan();
	struct analysis_params p;
	const struct metric_result *m;
	struct series s;
	struct result r;

	(void)state;
	params(&p);
	run(&pl, cols, ARRAY_SIZE(cols), &p, &s, &r);
	assert_int_equal(r.verdict, VERDICT_LEAK);
	m = get(&r, &s, "slab.dentry.objs");
	assert_int_equal(m->verdict, VERDICT_LEAK);
	assert_float_equal(m->residual_per_cycle, 1, 0.1);
	assert_float_equal(m->drift, DRIFT, DRIFT / 10);
	assert_non_null(strstr(m->why, "host drift"));
	/* The run's own TCP sockets came back, the TCP cache only drifted: it did not decide. */
	assert_int_equal(get(&r, &s, "slab.TCP.objs")->verdict, VERDICT_CLEAN);
	assert_int_equal(r.verdict_col, series_find(&s, "slab.dentry.objs"));
	result_free(&r);
	series_free(&s);
}

/*
 * Another task's: a step of 6,000 during churn, and from 4 s before the end of quiesce a rise of
 * 800 a second; with leak, a leak of that many objects per cycle too.
 */
struct other_task {
	double end; /* seconds: the end of quiesce */
	double leak;
	bool step;
};

static double other_task(const struct synth_row *r, const void *arg)
{
	const struct other_task *o = arg;
	double from = o->end - 4;

	return 600 + o->leak * r->cycles + (o->step && r->t >= 9 ? 6000 : 0) +
	       (r->t > from ? 800 * (r->t - from) : 0) + round(2 * synth_gauss(r->rng));
}

/*
 * Another task keeps objects in the TCP cache and in dentry, not steadily, still rising at the
 * end: the run's exact TCP count came back to zero and decides for the TCP cache it covers;
 * dentry, which no socket count covers, is still judged on its own, and more cycles would not
 * decide it (a longer quiesce would): the request never names the cycles that ran.
 */
static void test_covered_overruled(void **state)
{
	struct gen client = client_gen();
	struct synth_plan pl = slow_plan();
	struct other_task o = { pl.baseline + pl.churn + pl.quiesce, 0, true };
	struct synth_col cols[] = {
		COL("tcp.client", UNIT_COUNT, MK_LEVEL, &client),
		{ "slab.TCP.objs", UNIT_COUNT, MK_LEVEL, other_task, &o, NULL },
		{ "slab.dentry.objs", UNIT_COUNT, MK_LEVEL, other_task, &o, NULL },
	};
	struct analysis_params p;
	const struct metric_result *m, *d;
	struct series s;
	struct result r;

	(void)state;
	params(&p);
	run(&pl, cols, ARRAY_SIZE(cols), &p, &s, &r);
	m = get(&r, &s, "slab.TCP.objs");
	d = get(&r, &s, "slab.dentry.objs");
	assert_int_equal(d->verdict, VERDICT_INCONCLUSIVE);
	assert_int_equal(d->covered_by, -1);
	assert_int_equal(m->verdict, VERDICT_CLEAN);
	assert_int_equal(m->reason.code, RS_COVERED);
	assert_int_equal(m->covered_by, series_find(&s, "tcp.client"));
	assert_false(m->decisive);
	assert_int_equal(r.verdict, VERDICT_INCONCLUSIVE);
	assert_int_equal(r.verdict_col, series_find(&s, "slab.dentry.objs"));
	if (r.cycles_to_decide > 0)
		assert_true(r.cycles_to_decide > (double)r.cycles);
	assert_true(r.no_length);
	result_free(&r);
	series_free(&s);
}

/*
 * The TCP cache's objects, which another task moves, are covered by the run's exact count; its
 * pages rose with cycles (slabs kept half-empty, or for that task): they follow the objects and
 * are covered too, not a LEAK row beside them. With the objects a real leak, the pages stay LEAK.
 */
static void test_pages_follow_objects(void **state)
{
	struct gen client = client_gen();
	struct synth_plan pl = slow_plan();
	struct other_task o = { pl.baseline + pl.churn + pl.quiesce, 0, true };
	struct gen pages = { .base = 1 << 20, .noise = 4096, .leak = 64, .scale = 1 };
	struct gen leak = { .base = 600, .noise = 2, .leak = 1, .integer = true };
	struct synth_col cols[] = {
		COL("tcp.client", UNIT_COUNT, MK_LEVEL, &client),
		{ "slab.TCP.objs", UNIT_COUNT, MK_LEVEL, other_task, &o, NULL },
		COL("slab.TCP.total_bytes", UNIT_BYTES, MK_LEVEL, &pages),
	};
	struct analysis_params p;
	const struct metric_result *m;
	struct series s;
	struct result r;
	int pass;

	(void)state;
	for (pass = 0; pass < 2; pass++) {
		if (pass)
			cols[1] =
				(struct synth_col)COL("slab.TCP.objs", UNIT_COUNT, MK_LEVEL, &leak);
		params(&p);
		run(&pl, cols, ARRAY_SIZE(cols), &p, &s, &r);
		m = get(&r, &s, "slab.TCP.total_bytes");
		if (!pass) {
			assert_int_equal(get(&r, &s, "slab.TCP.objs")->reason.code, RS_COVERED);
			assert_int_equal(m->verdict, VERDICT_CLEAN);
			assert_int_equal(m->reason.code, RS_COVERED);
			assert_int_equal(m->covered_by, series_find(&s, "tcp.client"));
		} else {
			assert_int_equal(get(&r, &s, "slab.TCP.objs")->verdict, VERDICT_LEAK);
			assert_int_equal(m->verdict, VERDICT_LEAK);
		}
		result_free(&r);
		series_free(&s);
	}
}

/* A dentry-like cache no socket count covers, with a real leak, stays LEAK beside them. */
static void test_uncovered_leak_kept(void **state)
{
	struct gen client = client_gen();
	struct gen tcp = { .base = 600, .noise = 2, .step = 6000, .step_at = 9, .integer = true };
	struct gen den = { .base = 900, .noise = 2, .drift = DRIFT, .leak = 2, .integer = true };
	struct synth_col cols[] = {
		COL("tcp.client", UNIT_COUNT, MK_LEVEL, &client),
		COL("slab.TCP.objs", UNIT_COUNT, MK_LEVEL, &tcp),
		COL("slab.dentry.objs", UNIT_COUNT, MK_LEVEL, &den),
	};
	struct synth_plan pl = slow_plan();
	struct analysis_params p;
	const struct metric_result *d;
	struct series s;
	struct result r;

	(void)state;
	params(&p);
	run(&pl, cols, ARRAY_SIZE(cols), &p, &s, &r);
	d = get(&r, &s, "slab.dentry.objs");
	assert_int_equal(d->verdict, VERDICT_LEAK);
	assert_int_equal(d->covered_by, -1);
	assert_float_equal(d->residual_per_cycle, 2, 0.2);
	assert_int_equal(get(&r, &s, "slab.TCP.objs")->verdict, VERDICT_CLEAN);
	assert_int_equal(r.verdict, VERDICT_LEAK);
	result_free(&r);
	series_free(&s);
}

/* Steady drift does not keep quiesce waiting: its level is judged with the drift taken off. */
static void test_drift_settles(void **state)
{
	struct gen client = client_gen();
	struct gen tcp = { .base = 600, .noise = 2, .drift = DRIFT, .integer = true };
	struct synth_col cols[] = {
		COL("tcp.client", UNIT_COUNT, MK_LEVEL, &client),
		COL("slab.TCP.objs", UNIT_COUNT, MK_LEVEL, &tcp),
	};
	struct synth_plan pl = slow_plan();
	struct analysis_params p;
	struct series s;
	struct result r;
	char why[200] = "";

	(void)state;
	params(&p);
	run(&pl, cols, ARRAY_SIZE(cols), &p, &s, &r);
	if (!analysis_settled(&s, &p, why, sizeof(why)))
		fail_msg("not settled: %s", why);
	assert_true(r.quiesce_stable);
	result_free(&r);
	series_free(&s);
}

/*
 * What another netns's opener of 400 sockets a second leaves in a socket cache, as
 * /proc/slabinfo shows it: a slab (19 objects) at a time, its pace wandering around the steady
 * rate by a tenth of a second over a couple of seconds (bench/noise.sh, tcp).
 */
static double slab_ramp(const struct synth_row *r, const void *arg)
{
	const double *lag = arg;

	return 300 + 19 * floor(400 * (r->t - *lag * sin(r->t * M_PI)) / 19);
}

/* A ramp in slab-sized steps: the same host drift (was none: its rows too correlated). */
static void test_drift_slab_steps(void **state)
{
	struct gen client = client_gen();
	struct synth_plan pl = { .hz = 10, .rate = 14000, .baseline = 3, .churn = 5, .quiesce = 8 };
	double lag = 0.1;
	struct synth_col cols[] = {
		COL("tcp.client", UNIT_COUNT, MK_LEVEL, &client),
		{ "slab.sock_inode_cache.objs", UNIT_COUNT, MK_LEVEL, slab_ramp, &lag, NULL },
	};
	struct analysis_params p;
	const struct metric_result *m;
	struct series s;
	struct result r;
	char why[200] = "";

	(void)state;
	params(&p);
	run(&pl, cols, ARRAY_SIZE(cols), &p, &s, &r);
	m = get(&r, &s, "slab.sock_inode_cache.objs");
	assert_int_equal(m->reason.code, RS_HOST_DRIFT);
	assert_float_equal(m->drift, 400, 40);
	assert_int_not_equal(r.verdict, VERDICT_INCONCLUSIVE);
	if (!analysis_settled(&s, &p, why, sizeof(why)))
		fail_msg("not settled: %s", why);
	result_free(&r);
	series_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_drift_clean),
		cmocka_unit_test(test_host_drift_paced),
		cmocka_unit_test(test_host_drift_leak),
		cmocka_unit_test(test_covered_overruled),
		cmocka_unit_test(test_pages_follow_objects),
		cmocka_unit_test(test_uncovered_leak_kept),
		cmocka_unit_test(test_drift_settles),
		cmocka_unit_test(test_drift_slab_steps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
