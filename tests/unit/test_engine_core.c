/* Unit tests for src/engine/core.c: what both engines share (--ops split, leak schedule, the
 * controller's turn, totals). Built for Linux and Windows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "engine/core.h"

/* --ops splits exactly into contiguous ranges, the first workers taking the remainder. */
static void test_ops_share(void **state)
{
	struct run_config cfg = { .ops = 10 };
	uint64_t first = 0, share[3], start[3];
	unsigned i;

	(void)state;
	for (i = 0; i < 3; i++) {
		start[i] = first;
		share[i] = engine_ops_share(&cfg, 3, i, &first);
	}
	assert_int_equal(share[0], 4);
	assert_int_equal(share[1], 3);
	assert_int_equal(share[2], 3);
	assert_int_equal(start[1], 4);
	assert_int_equal(start[2], 7);
	assert_int_equal(first, 10);
	/* no --ops: each runs until stopped */
	cfg.ops = 0;
	first = 0;
	assert_true(engine_ops_share(&cfg, 3, 0, &first) == UINT64_MAX);
	assert_int_equal(first, 0);
}

/* A leak every 10 cycles of the global index; a worker starting at cycle 25 keeps its first
 * socket in cycle 29 (its 5th); a failed cycle passes its leak on to the next one. */
static void test_leak_plan(void **state)
{
	struct worker_counts n;
	struct leak_plan lp;
	unsigned i, due = 0;

	(void)state;
	memset(&n, 0, sizeof(n));
	leak_plan_init(&lp, 10, 25);
	for (i = 0; i < 4; i++)
		assert_false(leak_plan_cycle(&lp));
	assert_true(leak_plan_cycle(&lp)); /* cycle 29 */
	worker_counts_end(&n, &lp, false, false); /* failed before it could keep it */
	assert_true(leak_plan_cycle(&lp)); /* cycle 30 owes it */
	worker_counts_end(&n, &lp, true, true);
	assert_false(leak_plan_cycle(&lp));
	worker_counts_end(&n, &lp, true, false);
	assert_int_equal(counter_get(&n.cycles), 2);
	assert_int_equal(counter_get(&n.failed), 1);
	assert_int_equal(counter_get(&n.leaked), 1);
	/* 100 cycles from 0, every one kept when due: exactly 10 leaks */
	leak_plan_init(&lp, 10, 0);
	for (i = 0; i < 100; i++) {
		bool d = leak_plan_cycle(&lp);

		due += d;
		worker_counts_end(&n, &lp, true, d);
	}
	assert_int_equal(due, 10);
	assert_int_equal(lp.debt, 0);
	/* no --inject-leak */
	leak_plan_init(&lp, 0, 0);
	for (i = 0; i < 100; i++)
		assert_false(leak_plan_cycle(&lp));
}

static void test_control_turn(void **state)
{
	_Atomic int stop = 0, reason = ENGINE_STOP_NONE;
	double stop_at = 0;
	bool kick = true;

	(void)state;
	/* Running, no deadline: a turn a second, nobody kicked. */
	assert_int_equal(engine_control_turn(&stop, &reason, 0, 5, &stop_at, &kick), 1000);
	assert_false(kick);
	/* Before the deadline the wait ends at it (at most a second). */
	assert_int_equal(engine_control_turn(&stop, &reason, 10, 9.5, &stop_at, &kick), 501);
	assert_int_equal(engine_control_turn(&stop, &reason, 10, 2, &stop_at, &kick), 1000);
	assert_int_equal(atomic_load(&stop), 0);
	/* At the deadline: stop, reason time; the workers get their grace before a kick. */
	assert_int_equal(engine_control_turn(&stop, &reason, 10, 10, &stop_at, &kick),
			 KICK_EVERY_MS);
	assert_int_equal(atomic_load(&stop), 1);
	assert_int_equal(atomic_load(&reason), ENGINE_STOP_TIME);
	assert_false(kick);
	engine_control_turn(&stop, &reason, 10, 10 + KICK_GRACE / 2, &stop_at, &kick);
	assert_false(kick);
	engine_control_turn(&stop, &reason, 10, 10 + 2 * KICK_GRACE, &stop_at, &kick);
	assert_true(kick);
	/* The first cause stays the reported one. */
	engine_stop_first(&reason, ENGINE_STOP_OPS);
	assert_int_equal(atomic_load(&reason), ENGINE_STOP_TIME);
	assert_string_equal(engine_stop_name(ENGINE_STOP_TIME), "time");
	/* A stop requested before the deadline keeps its reason. */
	atomic_store(&reason, ENGINE_STOP_NONE);
	atomic_store(&stop, 0);
	engine_stop_first(&reason, ENGINE_STOP_REQUEST);
	atomic_store(&stop, 1);
	stop_at = 0;
	engine_control_turn(&stop, &reason, 10, 11, &stop_at, &kick);
	assert_int_equal(atomic_load(&reason), ENGINE_STOP_REQUEST);
	assert_true(stop_at == 11);
}

static void test_stats_add(void **state)
{
	static counter_t errors[2][2][ENGINE_MAX_ERRNO];
	static struct engine_stats st;
	struct worker_counts n[2];

	(void)state;
	memset(n, 0, sizeof(n));
	atomic_store(&n[0].cycles, 7);
	atomic_store(&n[0].failed, 2);
	atomic_store(&n[1].cycles, 3);
	atomic_store(&n[1].leaked, 1);
	atomic_store(&n[1].left_open, 4);
	atomic_store(&errors[0][1][111], 2);
	atomic_store(&errors[1][1][111], 5);
	atomic_store(&errors[1][0][ENGINE_MAX_ERRNO - 1], 1);
	memset(&st, 0, sizeof(st));
	st.thread_min = UINT64_MAX;
	engine_stats_add(&st, &n[0], errors[0], 2);
	engine_stats_add(&st, &n[1], errors[1], 2);
	assert_int_equal(st.cycles, 10);
	assert_int_equal(st.failed_cycles, 2);
	assert_int_equal(st.leaked, 1);
	assert_int_equal(st.left_open, 4);
	assert_int_equal(st.thread_min, 3);
	assert_int_equal(st.thread_max, 7);
	assert_int_equal(st.errors[1][111], 7);
	assert_int_equal(st.errors[0][ENGINE_MAX_ERRNO - 1], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ops_share),
		cmocka_unit_test(test_leak_plan),
		cmocka_unit_test(test_control_turn),
		cmocka_unit_test(test_stats_add),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
