/* The names of enums, beside their enums (model, config.c): every name parses back to its enum. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "config.h"
#include "model/result.h"
#include "model/series.h"

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
		assert_int_equal(verdict_parse(verdict_name((enum verdict)i), &v), 0);
		assert_int_equal(v, i);
	}
	for (i = MK_LEVEL; i <= MK_COST; i++) {
		assert_int_equal(kind_parse(kind_name((enum metric_kind)i), &k), 0);
		assert_int_equal(k, i);
	}
	for (i = UNIT_COUNT; i <= UNIT_USEC; i++) {
		assert_int_equal(unit_parse(unit_name((enum unit)i), &u), 0);
		assert_int_equal(u, i);
	}
	for (i = 0; i < PHASE_COUNT; i++) {
		assert_int_equal(phase_parse(phase_name((enum phase)i), &p), 0);
		assert_int_equal(p, i);
	}
	for (i = 0; i < TR_COUNT; i++) {
		assert_int_equal(transport_parse(transport_name((enum transport_kind)i), &t), 0);
		assert_int_equal(t, i);
	}
	for (i = SC_EOF; i <= SC_RST; i++) {
		assert_int_equal(server_close_parse(server_close_name((enum server_close)i), &c),
				 0);
		assert_int_equal(c, i);
	}
}

static void test_names(void **state)
{
	enum verdict v;
	enum transport_kind t;

	(void)state;
	assert_string_equal(verdict_name(VERDICT_LEAK), "LEAK");
	assert_string_equal(verdict_name(VERDICT_COUNT), "?");
	assert_string_equal(transport_name(TR_UNIX_DGRAM), "unix-dgram");
	assert_string_equal(server_close_name(SC_NEVER_READ), "never-read");
	assert_int_equal(verdict_parse("leak", &v), 0);
	assert_int_equal(v, VERDICT_LEAK);
	assert_int_equal(verdict_parse("LEAKY", &v), -EINVAL);
	assert_int_equal(verdict_parse(NULL, &v), -EINVAL);
	assert_int_equal(transport_parse("TCP", &t), -EINVAL);
	assert_int_equal(transport_parse("sctp", &t), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
