/* Unit tests for src/report/names.c: every stable name parses back to its enum. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "report/names.h"

static void test_round_trips(void **state)
{
	enum verdict v;
	enum metric_kind k;
	enum unit u;
	enum phase p;
	enum transport_kind t;
	enum server_close c;
	int i;

	(void)state;
	for (i = 0; i < VERDICT_COUNT; i++) {
		assert_int_equal(names_parse_verdict(names_verdict((enum verdict)i), &v), 0);
		assert_int_equal(v, i);
	}
	for (i = MK_LEVEL; i <= MK_COST; i++) {
		assert_int_equal(names_parse_kind(names_kind((enum metric_kind)i), &k), 0);
		assert_int_equal(k, i);
	}
	for (i = UNIT_COUNT; i <= UNIT_USEC; i++) {
		assert_int_equal(names_parse_unit(unit_name((enum unit)i), &u), 0);
		assert_int_equal(u, i);
	}
	for (i = 0; i < PHASE_COUNT; i++) {
		assert_int_equal(names_parse_phase(phase_name((enum phase)i), &p), 0);
		assert_int_equal(p, i);
	}
	for (i = 0; i < TR_COUNT; i++) {
		assert_int_equal(names_parse_transport(names_transport((enum transport_kind)i), &t),
				 0);
		assert_int_equal(t, i);
	}
	for (i = SC_EOF; i <= SC_RST; i++) {
		assert_int_equal(
			names_parse_server_close(names_server_close((enum server_close)i), &c), 0);
		assert_int_equal(c, i);
	}
}

static void test_names(void **state)
{
	enum verdict v;
	enum transport_kind t;

	(void)state;
	assert_string_equal(names_verdict(VERDICT_LEAK), "LEAK");
	assert_string_equal(names_verdict(VERDICT_COUNT), "?");
	assert_string_equal(names_transport(TR_UNIX_DGRAM), "unix-dgram");
	assert_string_equal(names_server_close(SC_NEVER_READ), "never-read");
	assert_int_equal(names_parse_verdict("leak", &v), 0);
	assert_int_equal(v, VERDICT_LEAK);
	assert_int_equal(names_parse_verdict("LEAKY", &v), -EINVAL);
	assert_int_equal(names_parse_verdict(NULL, &v), -EINVAL);
	assert_int_equal(names_parse_transport("TCP", &t), -EINVAL);
	assert_int_equal(names_parse_transport("sctp", &t), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
