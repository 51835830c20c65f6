/* Unit tests for src/analysis/compare.c: outcomes, significance and the same-sequence check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "analysis/compare.h"
#include "synth_run.h"

static const struct cmp_metric *metric(const struct comparison *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nm; i++)
		if (!strcmp(c->m[i].name, name))
			return &c->m[i];
	fail_msg("metric %s not compared", name);
	return NULL;
}

static enum cmp_outcome outcome(const struct synth *a, const struct synth *b, struct comparison *c)
{
	assert_int_equal(compare_runs(&a->s, &a->r, &b->s, &b->r, NULL, c), 0);
	return c->outcome;
}

static void test_clean_vs_leak(void **state)
{
	struct synth a, b;
	struct comparison c;
	const struct cmp_metric *m;

	(void)state;
	synth_run(&a, false);
	synth_run(&b, true);
	assert_int_equal(outcome(&a, &b, &c), CMP_REGRESSION);
	m = metric(&c, "tcp.client");
	assert_int_equal(m->outcome, CMP_REGRESSION);
	assert_true(m->sig_residual);
	assert_float_equal(m->d_residual, 0.001, 1e-12);
	assert_non_null(strstr(m->why, "CLEAN -> LEAK"));
	/* TIME_WAIT is BOUNDED in both: the same, whatever its figures. */
	assert_int_equal(metric(&c, "sockstat.TCP.tw")->outcome, CMP_SAME);
	/* SUnreclaim went CLEAN -> INCONCLUSIVE: not a failure either way. */
	assert_int_equal(metric(&c, "meminfo.SUnreclaim")->outcome, CMP_SAME);
	assert_int_equal(c.nm, a.r.nm);
	assert_int_equal(c.tests, 2 * c.nm);
	comparison_free(&c);

	assert_int_equal(outcome(&b, &a, &c), CMP_IMPROVEMENT);
	assert_int_equal(metric(&c, "tcp.client")->outcome, CMP_IMPROVEMENT);
	comparison_free(&c);
	synth_free(&a);
	synth_free(&b);
}

/* Two clean runs whose figures differ by less than their own uncertainty. */
/* A regression only advisory figures show (a busy host's meminfo) does not decide. */
static void test_advisory_does_not_decide(void **state)
{
	struct synth a, b;
	struct comparison c;
	size_t i;

	(void)state;
	synth_run(&a, false);
	synth_run(&b, true);
	/* The runs differ only in the host's figures, where B's SUnreclaim became a LEAK. */
	for (i = 0; i < b.r.nm; i++) {
		const char *name = b.s.cols[b.r.m[i].col].name;
		bool host = !strncmp(name, "meminfo.", 8);

		if (!host)
			b.r.m[i] = a.r.m[i];
		a.r.m[i].decisive = b.r.m[i].decisive = !host;
		if (!strcmp(name, "meminfo.SUnreclaim"))
			b.r.m[i].verdict = VERDICT_LEAK;
	}
	assert_int_equal(outcome(&a, &b, &c), CMP_SAME);
	assert_int_equal(metric(&c, "meminfo.SUnreclaim")->outcome, CMP_REGRESSION);
	comparison_free(&c);
	synth_free(&a);
	synth_free(&b);
}

static void test_clean_vs_clean(void **state)
{
	struct synth a, b;
	struct comparison c;
	size_t i;

	(void)state;
	synth_run(&a, false);
	synth_run(&b, false);
	for (i = 0; i < b.r.nm; i++) {
		struct metric_result *m = &b.r.m[i];
		double se = (m->slope_hi - m->slope_lo) / 3.92;

		m->slope += 1.5 * se;
		m->slope_lo += 1.5 * se;
		m->slope_hi += 1.5 * se;
		m->residual_per_cycle += 2 * m->noise / (double)b.r.cycles;
	}
	assert_int_equal(outcome(&a, &b, &c), CMP_SAME);
	for (i = 0; i < c.nm; i++) {
		assert_false(c.m[i].sig_slope);
		assert_false(c.m[i].sig_residual);
		assert_false(c.m[i].changed);
	}
	comparison_free(&c);
	synth_free(&a);
	synth_free(&b);
}

static void test_leak_grows(void **state)
{
	struct synth a, b;
	struct comparison c;
	struct metric_result *m;

	(void)state;
	synth_run(&a, true);
	synth_run(&b, true);
	m = &b.r.m[0]; /* tcp.client */
	/* 2% more: significant with exact counts, but too small to call. */
	m->residual_per_cycle *= 1.02;
	assert_int_equal(outcome(&a, &b, &c), CMP_SAME);
	assert_true(metric(&c, "tcp.client")->sig_residual);
	assert_true(metric(&c, "tcp.client")->changed);
	comparison_free(&c);
	/* Twice the leak: a regression while both say LEAK. */
	m->residual_per_cycle = 2 * a.r.m[0].residual_per_cycle;
	assert_int_equal(outcome(&a, &b, &c), CMP_REGRESSION);
	assert_non_null(strstr(metric(&c, "tcp.client")->why, "+100%"));
	comparison_free(&c);
	synth_free(&a);
	synth_free(&b);
}

/* A verdict that changes within the noise is not called. */
static void test_noisy_verdict_change(void **state)
{
	struct synth a, b;
	struct comparison c;
	struct metric_result *x, *y;

	(void)state;
	synth_run(&a, false);
	synth_run(&b, false);
	x = &a.r.m[0];
	y = &b.r.m[0];
	x->noise = y->noise = 1e6;
	x->slope_lo = y->slope_lo = -1;
	x->slope_hi = y->slope_hi = 1;
	y->verdict = VERDICT_LEAK;
	y->residual_per_cycle = x->residual_per_cycle + 1e-3;
	assert_int_equal(outcome(&a, &b, &c), CMP_SAME);
	assert_non_null(strstr(c.m[0].why, "within the noise"));
	assert_true(c.m[0].changed);
	comparison_free(&c);
	synth_free(&a);
	synth_free(&b);
}

static void test_only_in_one(void **state)
{
	struct synth a, b;
	struct comparison c;

	(void)state;
	synth_run(&a, false);
	synth_run(&b, false);
	b.r.nm -= 2; /* B judged two metrics fewer */
	assert_int_equal(outcome(&a, &b, &c), CMP_SAME);
	assert_int_equal(c.nm, a.r.nm - 2);
	assert_int_equal(c.n_only_a, 2);
	assert_int_equal(c.n_only_b, 0);
	assert_string_equal(c.only_a[1], a.s.cols[a.r.m[a.r.nm - 1].col].name);
	comparison_free(&c);
	synth_free(&a);
	synth_free(&b);
}

static void test_same_sequence(void **state)
{
	struct run_config a = { 0 }, b = { 0 };
	char why[256];

	(void)state;
	a.sequence = b.sequence = "socket,connect,close";
	assert_int_equal(compare_same_sequence(&a, &b, why, sizeof(why)), 0);
	b.transport = TR_UDP;
	assert_int_equal(compare_same_sequence(&a, &b, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "transports: A tcp, B udp"));
	b.transport = TR_TCP;
	b.sequence = "socket,connect,send:64,close";
	assert_int_equal(compare_same_sequence(&a, &b, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "different sequences"));
	assert_int_equal(compare_same_sequence(&a, NULL, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "run B has no configuration"));
}

static void test_z_crit(void **state)
{
	(void)state;
	assert_float_equal(compare_z_crit(0.05), 1.959964, 1e-5);
	assert_float_equal(compare_z_crit(0.001), 3.290527, 1e-5);
	assert_float_equal(compare_z_crit(0.05 / 40), 3.227218, 1e-4);
	assert_true(isinf(compare_z_crit(0)));
	assert_string_equal(cmp_outcome_name(CMP_REGRESSION), "REGRESSION");
	assert_string_equal(cmp_outcome_name(CMP_SAME), "SAME");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_vs_leak),
		cmocka_unit_test(test_clean_vs_clean),
		cmocka_unit_test(test_leak_grows),
		cmocka_unit_test(test_noisy_verdict_change),
		cmocka_unit_test(test_only_in_one),
		cmocka_unit_test(test_same_sequence),
		cmocka_unit_test(test_z_crit),
		cmocka_unit_test(test_advisory_does_not_decide),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
