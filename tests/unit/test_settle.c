/* Unit tests for src/analysis/settle.c: the quiesce stop rule. */
#include "verdict_fixture.h"

/* Quiesce stop rule: a draining backlog is not settled; flat is; pending TIME_WAIT is not. */
static void test_settled(void **state)
{
	struct gen d = {
		.base = 33900, .noise = 3, .backlog = 0.01, .back_tau = 3, .integer = true
	};
	struct gen tw = { .tw_k = 1, .rate = RATE, .integer = true };
	struct gen host = { .base = 1e9, .noise = 1e6, .walk = 5e5 };
	struct synth_col cols[] = {
		COL("slab.dentry.objs", UNIT_COUNT, MK_LEVEL, &d),
		COL("meminfo.Slab", UNIT_BYTES, MK_LEVEL, &host),
		COL("sockstat.TCP.tw", UNIT_COUNT, MK_LEVEL, &tw),
	};
	/*
	 * Too short a quiesce is said with its own length, the phases table's (to its last row, or
	 * to teardown's mark): teardown's rows after it do not lengthen it.
	 */
	static const struct {
		size_t ncols;
		double quiesce, teardown;
		bool settled;
		const char *why;
	} cases[] = {
		{ 2, 3, 0, false,
		  "2.9 s of quiesce is too short to tell: settling is judged over "
		  "its last 5 s" },
		{ 2, 3, 4, false, "3.0 s of quiesce is too short to tell" },
		{ 2, 8, 0, false, "slab.dentry.objs still falling" },
		{ 2, 30, 0, true, NULL },
		{ 3, 30, 0, false, "TIME_WAIT" },
		{ 3, 75, 0, true, NULL },
	};
	struct analysis_params p;
	struct series s;
	size_t i;
	char why[160];

	(void)state;
	params(&p);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct synth_plan pl = plan(10, cases[i].quiesce);

		pl.teardown = cases[i].teardown;

		host.state = 0;
		assert_int_equal(synth_build(&s, &pl, cols, cases[i].ncols), 0);
		why[0] = '\0';
		assert_int_equal(analysis_settled(&s, &p, why, sizeof(why)), cases[i].settled);
		if (cases[i].why && !strstr(why, cases[i].why))
			fail_msg("case %d: \"%s\" lacks \"%s\"", (int)i, why, cases[i].why);
		series_free(&s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_settled),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
