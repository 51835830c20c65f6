/* Unit tests for src/probe/netstat.c on /proc/net/netstat and /proc/net/snmp captured here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>

#include "probe/parse.h"
#include "probe_fixture.h"

static void test_capture(void **state)
{
	struct probe_ctx ctx = { .root = fixture("host"), .netns_fd = -1 };
	struct series s;
	struct probe p;
	int c;

	(void)state;
	series_init(&s, 0);
	assert_int_equal(probe_once(&netstat_probe, &p, &ctx, &s), 0);
	assert_float_equal(last(&s, "netstat.ListenOverflows"), 0, 0);
	assert_float_equal(last(&s, "netstat.TW"), 14, 0);
	assert_float_equal(last(&s, "netstat.TCPAbortOnData"), 1, 0);
	/* From snmp: Tcp: ... ActiveOpens 16 PassiveOpens 5 AttemptFails 0 EstabResets 0 OutRsts 2 */
	assert_float_equal(last(&s, "netstat.ActiveOpens"), 16, 0);
	assert_float_equal(last(&s, "netstat.PassiveOpens"), 5, 0);
	assert_float_equal(last(&s, "netstat.AttemptFails"), 0, 0);
	assert_float_equal(last(&s, "netstat.EstabResets"), 0, 0);
	assert_float_equal(last(&s, "netstat.OutRsts"), 2, 0);
	assert_false(isnan(last(&s, "netstat.UdpRcvbufErrors")));
	assert_false(isnan(last(&s, "netstat.TCPMemoryPressures")));
	assert_false(isnan(last(&s, "netstat.OutOfWindowIcmps")));
	c = series_find(&s, "netstat.ListenDrops");
	assert_true(c >= 0);
	assert_int_equal(s.cols[c].d.kind, MK_COUNTER);
	/* Tcp's MaxConn is -1 and InErrs exists in several sections: neither becomes a column. */
	assert_int_equal(series_find(&s, "netstat.MaxConn"), -1);
	netstat_probe.close(&p);
	series_free(&s);
}

struct one {
	const char *want;
	double v;
	int n;
};

static int pick(void *arg, const char *section, const char *field, double v)
{
	struct one *o = arg;

	(void)section;
	if (!strcmp(field, o->want))
		o->v = v;
	o->n++;
	return 0;
}

static void test_parse(void **state)
{
	struct one o = { "B", 0, 0 };

	(void)state;
	assert_int_equal(netstat_parse("X: A B C\nX: 1 -2 3\nY: D\nY: 4\n", pick, &o), 0);
	assert_float_equal(o.v, -2, 0);
	assert_int_equal(o.n, 4);
	/* Names without values, and value lines of another section. */
	assert_int_equal(netstat_parse("X: A B\n", pick, &o), -EPROTO);
	assert_int_equal(netstat_parse("X: A B\nY: 1 2\n", pick, &o), -EPROTO);
	assert_int_equal(netstat_parse("X: A B\nX: 1\n", pick, &o), -EPROTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capture),
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
