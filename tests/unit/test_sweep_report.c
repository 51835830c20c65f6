/* Unit tests for src/report/sweep_report.c: table rows, the JSON summary and the HTML index. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "report/machine.h"
#include "report/sweep_report.h"
#include "run/sweep.h"

struct fixture {
	struct sweep s;
	struct sweep_plan plan;
	struct machine m;
	struct sweep_summary sum;
};

/* Four variants: a LEAK, a CLEAN one cut short by a signal, one skipped, one never run. */
static void make(struct fixture *fx)
{
	struct sweep_plan_in in = { 120, 3, -1, -1, -1, 3 };
	struct sweep_variant *v;
	char why[256];

	memset(fx, 0, sizeof(*fx));
	assert_int_equal(sweep_add(&fx->s, TR_TCP, "kb171996", NULL, SC_EOF), 0);
	assert_int_equal(sweep_add(&fx->s, TR_TCP, "abort", "TCP_NODELAY=1", SC_RST), 0);
	assert_int_equal(sweep_add(&fx->s, TR_TCP, "kb171996", "IPV6_V6ONLY=1", SC_EOF), 0);
	assert_int_equal(sweep_add(&fx->s, TR_TCP6, "kb171996", NULL, SC_EOF), 0);
	assert_int_equal(fx->s.v[2].status, VS_SKIPPED);

	v = &fx->s.v[0];
	v->status = VS_DONE;
	v->verdict = VERDICT_LEAK;
	v->fails = true;
	v->cycles = 100000;
	v->cycles_per_second = 12345.4;
	snprintf(v->metric, sizeof(v->metric), "slab.TCP.bytes");
	v->unit = UNIT_BYTES;
	v->peak = 3 * 1048576.0;
	v->residual_per_cycle = 1024;
	v->leaked_sockets_per_cycle = 0.001;
	v->churn_seconds = 8;
	v->elapsed = 15;
	snprintf(v->why, sizeof(v->why), "LEAK in slab.TCP.bytes & co");
	snprintf(v->html, sizeof(v->html), "01-tcp-kb171996.html");

	v = &fx->s.v[1];
	v->status = VS_INTERRUPTED;
	v->verdict = VERDICT_CLEAN;
	v->cycles = 500;
	v->failed_cycles = 3;
	v->cycles_per_second = 900;
	snprintf(v->metric, sizeof(v->metric), "tcp.client");
	v->unit = UNIT_COUNT;
	v->peak = 2;
	v->residual_per_cycle = 0;

	v = &fx->s.v[3];
	v->status = VS_NOT_RUN;
	snprintf(v->reason, sizeof(v->reason), "interrupted by signal 2 (Interrupt)");

	assert_int_equal(sweep_plan(&in, &fx->plan, why, sizeof(why)), 0);
	machine_init(&fx->m, "");
	fx->sum.s = &fx->s;
	fx->sum.plan = &fx->plan;
	fx->sum.m = &fx->m;
	fx->sum.budget = 120;
	fx->sum.elapsed = 61.5;
	fx->sum.fail_on = 1u << VERDICT_BACKLOG | 1u << VERDICT_LEAK;
	fx->sum.signal = 2;
	fx->sum.finished = true;
	fx->sum.exit_code = 130;
	snprintf(fx->sum.stopped, sizeof(fx->sum.stopped), "interrupted by signal 2 (Interrupt)");
	sweep_summarise(&fx->sum);
}

static char *render(void (*fn)(FILE *, const struct fixture *), const struct fixture *fx)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, fx);
	fclose(f);
	return buf;
}

static void table(FILE *f, const struct fixture *fx)
{
	sweep_table(f, &fx->sum);
}

static void test_summary(void **state)
{
	struct fixture fx;

	(void)state;
	make(&fx);
	assert_true(fx.sum.measured);
	assert_int_equal(fx.sum.verdict, VERDICT_LEAK);
	assert_int_equal(fx.sum.failing, 1);
	sweep_free(&fx.s);
}

static void test_table(void **state)
{
	struct fixture fx;
	char *out;

	(void)state;
	make(&fx);
	out = render(table, &fx);
	assert_non_null(strstr(out, "variant"));
	assert_non_null(strstr(out, "residual/cycle"));
	/* One row each, numbered, with the figures in the metric's unit. */
	assert_non_null(strstr(out, "   1  tcp kb171996 "));
	assert_non_null(strstr(out, "12,345"));
	assert_non_null(strstr(out, "+3.00 MiB"));
	assert_non_null(strstr(out, "1.00 KiB"));
	assert_non_null(strstr(out, "LEAK          slab.TCP.bytes"));
	assert_non_null(
		strstr(out, "tcp.client (interrupted: what was measured); 3 failed cycles"));
	assert_non_null(strstr(out, "skipped       IPV6_V6ONLY does not apply to tcp"));
	assert_non_null(strstr(out, "not run       interrupted by signal 2"));
	assert_non_null(strstr(out, "Overall: LEAK (the worst of 2 variants measured); 1 at or "
				    "above --fail-on: #1"));
	assert_non_null(strstr(out, "1m2s elapsed of a 2m budget"));
	assert_non_null(strstr(out, "Stopped early: interrupted by signal 2"));
	free(out);

	/* Only the failing ones are listed: the first one listed need not be #1. */
	fx.s.v[0].fails = false;
	fx.s.v[0].verdict = VERDICT_INCONCLUSIVE;
	fx.s.v[1].fails = true;
	fx.s.v[1].verdict = VERDICT_BACKLOG;
	sweep_summarise(&fx.sum);
	out = render(table, &fx);
	assert_non_null(strstr(out, "Overall: BACKLOG (the worst of 2 variants measured); 1 at or "
				    "above --fail-on: #2\n"));
	free(out);
	sweep_free(&fx.s);
}

static void json(FILE *f, const struct fixture *fx)
{
	assert_int_equal(sweep_json_write(f, &fx->sum), 0);
}

static void test_json(void **state)
{
	struct fixture fx;
	json_error_t err;
	json_t *root, *v, *o;
	char *out;

	(void)state;
	make(&fx);
	out = render(json, &fx);
	root = json_loads(out, 0, &err);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "kind")), "sweep");
	assert_string_equal(json_string_value(json_object_get(root, "tool")), "sockleak");
	assert_non_null(json_object_get(json_object_get(root, "machine"), "kernel"));
	o = json_object_get(root, "overall");
	assert_string_equal(json_string_value(json_object_get(o, "verdict")), "LEAK");
	assert_int_equal(json_integer_value(json_object_get(o, "variants")), 4);
	assert_int_equal(json_integer_value(json_object_get(o, "measured")), 2);
	assert_int_equal(json_integer_value(json_object_get(o, "skipped")), 1);
	assert_int_equal(json_integer_value(json_object_get(o, "not_run")), 1);
	assert_int_equal(json_integer_value(json_object_get(o, "exit_code")), 130);
	assert_int_equal(json_integer_value(json_object_get(o, "signal")), 2);
	assert_int_equal(json_array_size(json_object_get(o, "fail_on")), 2);
	assert_true(json_real_value(json_object_get(json_object_get(root, "plan"),
						    "expected_seconds")) <= 120);

	v = json_object_get(root, "variants");
	assert_int_equal(json_array_size(v), 4);
	o = json_array_get(v, 0);
	assert_string_equal(json_string_value(json_object_get(o, "verdict")), "LEAK");
	assert_true(json_is_true(json_object_get(o, "fails")));
	assert_string_equal(json_string_value(json_object_get(o, "preset")), "kb171996");
	assert_true(json_is_null(json_object_get(o, "option")));
	assert_string_equal(json_string_value(json_object_get(o, "unit")), "bytes");
	assert_string_equal(json_string_value(json_object_get(o, "html")), "01-tcp-kb171996.html");
	assert_int_equal(json_integer_value(json_object_get(o, "cycles")), 100000);
	o = json_array_get(v, 1);
	assert_string_equal(json_string_value(json_object_get(o, "status")), "interrupted");
	assert_string_equal(json_string_value(json_object_get(o, "option")), "TCP_NODELAY=1");
	assert_string_equal(json_string_value(json_object_get(o, "server_close")), "rst");
	assert_string_equal(json_string_value(json_object_get(o, "sequence")),
			    "socket,setsockopt:SO_LINGER=1:0,setsockopt:TCP_NODELAY=1,connect,"
			    "send:64,close");
	o = json_array_get(v, 2);
	assert_string_equal(json_string_value(json_object_get(o, "status")), "skipped");
	assert_true(json_is_null(json_object_get(o, "verdict")));
	assert_true(json_is_null(json_object_get(o, "peak")));
	assert_non_null(strstr(json_string_value(json_object_get(o, "reason")), "IPV6_V6ONLY"));
	json_decref(root);
	free(out);
	sweep_free(&fx.s);
}

static void html(FILE *f, const struct fixture *fx)
{
	assert_int_equal(sweep_index_html_write(f, &fx->sum), 0);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)); hay++)
		n++;
	return n;
}

static void test_html(void **state)
{
	struct fixture fx;
	char *out;

	(void)state;
	make(&fx);
	out = render(html, &fx);
	assert_non_null(strstr(out, "<!DOCTYPE html>"));
	assert_non_null(strstr(out, "<body data-verdict=\"LEAK\" data-variants=\"4\" "
				    "data-finished=\"true\">"));
	/* A link for the variant that has a report, none for the others. */
	assert_int_equal(count(out, "<a href="), 1);
	assert_non_null(strstr(out, "<a href=\"01-tcp-kb171996.html\">tcp kb171996</a>"));
	assert_int_equal(count(out, "<tr data-status="), 4);
	assert_non_null(strstr(out, "<tr data-status=\"skipped\">"));
	assert_non_null(strstr(out, "class=\"badge v-leak\">LEAK<"));
	/* Text is escaped, nothing is fetched. */
	assert_non_null(strstr(out, "slab.TCP.bytes &amp; co"));
	assert_null(strstr(out, "http://"));
	assert_null(strstr(out, "https://"));
	assert_null(strstr(out, "<script src"));
	assert_non_null(strstr(out, "<footer data-reports=\"1\">"));
	assert_non_null(strstr(out, "</html>"));
	assert_non_null(strstr(out, "<td>130</td>"));
	free(out);

	/* While the sweep runs, the page says so instead of an exit code. */
	fx.sum.finished = false;
	out = render(html, &fx);
	assert_non_null(strstr(out, "sockleak sweep (running)"));
	assert_non_null(strstr(out, "still running"));
	assert_null(strstr(out, "<td>130</td>"));
	free(out);
	sweep_free(&fx.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_html),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
