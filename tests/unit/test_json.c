/*
 * Unit tests for src/report/json.c: exact write -> load round trip, the engine summary, and the
 * loader's refusals. `test_json --write-fixtures tests/data` writes the synthetic runs kept there
 * (synthetic-leak.json, synthetic-clean.json) for the integration tests of report and compare.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "describe.h"
#include "capture.h"
#include "report/jtab.h"
#include "report/report.h"
#include "render.h"
#include "synth_run.h"

#define FIXTURES "tests/data"

/* Equal as stored: bit for bit, NaN equal to NaN. */
static void assert_same(double a, double b)
{
	if (isnan(a) && isnan(b))
		return;
	if (a != b)
		fail_msg("%.17g != %.17g", a, b);
}

static void assert_same_text(const char *a, const char *b)
{
	if ((a == NULL) != (b == NULL) || (a && strcmp(a, b)))
		fail_msg("'%s' != '%s'", a ? a : "(null)", b ? b : "(null)");
}

/* The descriptor, as the probe declared it (schema 2) or the shim read it (schema 1). */
static void assert_same_desc(const struct metric_desc *a, const struct metric_desc *b)
{
	assert_int_equal(a->cls, b->cls);
	assert_int_equal(a->families, b->families);
	assert_int_equal(a->traits, b->traits);
	assert_same_text(a->source, b->source);
	assert_same_text(a->object, b->object);
	assert_same_text(a->holds, b->holds);
}

static void assert_same_series(const struct series *a, const struct series *b)
{
	size_t i, j;

	assert_int_equal(a->nrows, b->nrows);
	assert_int_equal(a->ncols, b->ncols);
	assert_int_equal(a->fold, b->fold);
	assert_int_equal(a->samples, b->samples);
	assert_int_equal(a->nmarks, b->nmarks);
	for (i = 0; i < a->nmarks; i++) {
		assert_int_equal(a->marks[i].phase, b->marks[i].phase);
		assert_same(a->marks[i].t, b->marks[i].t);
		assert_int_equal(a->marks[i].cycles, b->marks[i].cycles);
		assert_int_equal(a->marks[i].row, b->marks[i].row);
	}
	for (j = 0; j < a->ncols; j++) {
		assert_string_equal(a->cols[j].name, b->cols[j].name);
		assert_int_equal(a->cols[j].d.unit, b->cols[j].d.unit);
		assert_int_equal(a->cols[j].d.kind, b->cols[j].d.kind);
		if (a->cols[j].d.note || b->cols[j].d.note)
			assert_string_equal(a->cols[j].d.note, b->cols[j].d.note);
		assert_same_desc(&a->cols[j].d, &b->cols[j].d);
	}
	for (i = 0; i < a->nrows; i++) {
		assert_same(a->t[i], b->t[i]);
		assert_same(a->cycles[i], b->cycles[i]);
		assert_int_equal(a->phase[i], b->phase[i]);
		for (j = 0; j < a->ncols; j++)
			assert_same(a->cols[j].v[i], b->cols[j].v[i]);
	}
}

static void assert_same_result(const struct result *a, const struct result *b)
{
	size_t i;

	assert_int_equal(a->verdict, b->verdict);
	assert_int_equal(a->nm, b->nm);
	assert_int_equal(a->cycles, b->cycles);
	assert_same(a->churn_seconds, b->churn_seconds);
	assert_same(a->quiesce_seconds, b->quiesce_seconds);
	assert_int_equal(a->quiesce_stable, b->quiesce_stable);
	assert_same(a->leaked_sockets_per_cycle, b->leaked_sockets_per_cycle);
	assert_same(a->injected_per_cycle, b->injected_per_cycle);
	assert_same(a->memcg_bytes_per_cycle, b->memcg_bytes_per_cycle);
	for (i = 0; i < a->nm; i++) {
		const struct metric_result *x = &a->m[i], *y = &b->m[i];

		assert_int_equal(x->col, y->col);
		assert_int_equal(x->verdict, y->verdict);
		assert_string_equal(x->why, y->why);
		assert_same(x->baseline, y->baseline);
		assert_same(x->noise, y->noise);
		assert_same(x->peak, y->peak);
		assert_same(x->slope, y->slope);
		assert_same(x->slope_lo, y->slope_lo);
		assert_same(x->slope_hi, y->slope_hi);
		assert_same(x->slope_early, y->slope_early);
		assert_same(x->slope_late, y->slope_late);
		assert_same(x->residual, y->residual);
		assert_same(x->residual_per_cycle, y->residual_per_cycle);
		assert_same(x->after_teardown, y->after_teardown);
		assert_same(x->confidence, y->confidence);
		assert_same(x->cycles_to_decide, y->cycles_to_decide);
		assert_int_equal(x->tw_explained, y->tw_explained);
	}
}

static void assert_same_config(const struct run_config *a, const struct run_config *b)
{
	assert_string_equal(a->sequence, b->sequence);
	assert_string_equal(a->preset, b->preset);
	assert_null(b->target);
	assert_int_equal(a->transport, b->transport);
	assert_int_equal(a->threads, b->threads);
	assert_same(a->seconds, b->seconds);
	assert_int_equal(a->ops, b->ops);
	assert_same(a->rate, b->rate);
	assert_int_equal(a->yield, b->yield);
	assert_int_equal(a->inject_leak, b->inject_leak);
	assert_int_equal(a->allow_open, b->allow_open);
	assert_int_equal(a->server_threads, b->server_threads);
	assert_int_equal(a->server_close, b->server_close);
	assert_int_equal(a->backlog, b->backlog);
	assert_int_equal(a->netns, b->netns);
	assert_int_equal(a->cgroup, b->cgroup);
	assert_same(a->interval, b->interval);
	assert_same(a->baseline, b->baseline);
	assert_same(a->warmup, b->warmup);
	assert_same(a->quiesce_max, b->quiesce_max);
	assert_int_equal(a->teardown, b->teardown);
	assert_int_equal(a->confirm, b->confirm);
	assert_int_equal(a->fail_on, b->fail_on);
}

static void assert_same_confirm(const struct confirm_result *a, const struct confirm_result *b)
{
	size_t i;

	assert_int_equal(a->verdict, b->verdict);
	assert_int_equal(a->final, b->final);
	assert_same(a->confidence, b->confidence);
	assert_same(a->cycles_a, b->cycles_a);
	assert_same(a->cycles_b, b->cycles_b);
	assert_string_equal(a->why, b->why);
	assert_int_equal(a->nm, b->nm);
	for (i = 0; i < a->nm; i++) {
		const struct confirm_metric *x = &a->m[i], *y = &b->m[i];

		assert_int_equal(x->col_a, y->col_a);
		assert_int_equal(y->col_b, -1);
		assert_int_equal(x->verdict, y->verdict);
		assert_same(x->confidence, y->confidence);
		assert_same(x->residual_a, y->residual_a);
		assert_same(x->residual_b, y->residual_b);
		assert_same(x->ratio, y->ratio);
		assert_same(x->expected, y->expected);
		assert_same(x->per_cycle, y->per_cycle);
	}
}

static char *tmp_path(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "/tmp/sockleak-test-json.%d.%s", (int)getpid(), name);
	return path;
}

static void test_round_trip(void **state)
{
	struct synth x;
	struct report_run run;
	struct report_in in;
	char path[256];
	struct confirm_metric cm[2] = {
		{ 0, 0, VERDICT_LEAK, 0.999, 30, 90, 3, 3, 1.0 / 1000 },
		{ 2, 1, VERDICT_BOUNDED, 0.97, 1e6, 1.1e6, 1.1, 3, NAN },
	};
	struct confirm_result conf = {
		VERDICT_LEAK, VERDICT_LEAK, 0.999, 30000, 90000, cm, 2, "tcp.client kept 30 then 90"
	};
	int leak;

	(void)state;
	/* tmp_path's buffer is reused by the next call: keep this one. */
	snprintf(path, sizeof(path), "%s", tmp_path("rt.json"));
	for (leak = 0; leak <= 1; leak++) {
		synth_run(&x, leak);
		/* Values that must survive exactly: thirds, tiny and huge numbers, a name to escape. */
		x.r.m[0].slope = 1.0 / 3;
		x.r.m[1].residual_per_cycle = 5e-324;
		x.r.m[2].peak = 1.7976931348623157e308;
		x.r.m[3].after_teardown = -0.1;
		snprintf(x.r.m[0].why, sizeof(x.r.m[0].why), "quote \" backslash \\ tab \t é");
		if (leak) {
			/* A run in a VM of sockleak vm says which; without one the keys are null. */
			snprintf(x.m.vm, sizeof(x.m.vm), "qemu/tcg");
			snprintf(x.m.vm_kernel, sizeof(x.m.vm_kernel),
				 "/k/boot/vmlinuz-6.1.0-57-amd64");
			snprintf(x.m.vm_initramfs, sizeof(x.m.vm_initramfs), "busybox 1.35.0");
		}
		in = synth_in(&x);
		in.confirm = leak ? &conf : NULL;
		assert_int_equal(report_json(path, &in), 0);
		assert_int_equal(report_json_load(path, &run), 0);
		assert_same_series(&x.s, &run.s);
		assert_same_result(&x.r, &run.r);
		assert_int_equal(run.has_confirm, leak);
		if (leak)
			assert_same_confirm(&conf, &run.confirm);
		assert_true(run.has_cfg && run.has_machine);
		assert_same_config(&x.cfg, &run.cfg);
		assert_memory_equal(&x.m, &run.m, sizeof(x.m));
		assert_true(json_equal(x.engine, run.engine));
		/* And the loaded run writes the same file again. */
		in = report_run_in(&run);
		assert_int_equal(report_json(tmp_path("rt2.json"), &in), 0);
		report_run_free(&run);
		assert_int_equal(report_json_load(tmp_path("rt2.json"), &run), 0);
		assert_same_series(&x.s, &run.s);
		assert_same_result(&x.r, &run.r);
		if (leak)
			assert_same_confirm(&conf, &run.confirm);
		report_run_free(&run);
		synth_free(&x);
	}
	unlink(path);
	unlink(tmp_path("rt2.json"));
}

/* A folded series (fractional cycles, averaged values) and one without config or machine. */
static void test_round_trip_folded(void **state)
{
	struct series s;
	struct result r = { 0 };
	struct report_run run;
	struct report_in in = { &s, &r, NULL, NULL, NULL };
	char *path = tmp_path("fold.json");
	int c, i;

	(void)state;
	series_init(&s, 8);
	c = series_add_named(&s, "v", UNIT_BYTES, MK_LEVEL, NULL);
	series_mark(&s, PHASE_CHURN, 0, 0);
	for (i = 0; i < 37; i++) {
		series_set(&s, c, i % 5 ? i * 0.7 : NAN);
		series_commit(&s, i * 0.1, (uint64_t)i * 3);
	}
	series_flush(&s);
	assert_true(s.fold > 0);
	assert_int_equal(report_json(path, &in), 0);
	assert_int_equal(report_json_load(path, &run), 0);
	assert_same_series(&s, &run.s);
	assert_false(run.has_cfg);
	assert_false(run.has_machine);
	assert_null(run.engine);
	in = report_run_in(&run);
	assert_null(in.cfg);
	report_run_free(&run);
	series_free(&s);
	unlink(path);
}

/* The written file is what README documents: jq-friendly names, null for NaN. */
static void test_schema_layout(void **state)
{
	struct synth x;
	struct report_in in;
	json_error_t e;
	json_t *root, *col, *v;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	synth_run(&x, true);
	in = synth_in(&x);
	f = open_memstream(&buf, &len);
	assert_int_equal(report_json_write(f, &in), 0);
	fclose(f);
	root = json_loadb(buf, len, 0, &e);
	assert_non_null(root);
	assert_int_equal(json_integer_value(json_object_get(root, "schema")), 3);
	assert_string_equal(json_string_value(json_object_get(root, "tool")), "sockleak");
	v = json_object_get(json_object_get(root, "result"), "verdict");
	assert_string_equal(json_string_value(v), "LEAK");
	v = json_object_get(json_object_get(root, "config"), "fail_on");
	assert_int_equal(json_array_size(v), 2);
	assert_string_equal(json_string_value(json_array_get(v, 0)), "BACKLOG");
	v = json_array_get(json_object_get(json_object_get(root, "result"), "metrics"), 0);
	assert_string_equal(json_string_value(json_object_get(v, "metric")), "tcp.client");
	assert_true(json_is_null(json_object_get(v, "after_teardown")));
	v = json_object_get(json_object_get(root, "result"), "pool_tags");
	assert_true(json_array_size(v) >= 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(v, 0), "cache")),
			    "TCP");
	col = json_array_get(json_object_get(json_object_get(root, "series"), "columns"), 1);
	assert_string_equal(json_string_value(json_object_get(col, "name")), "sockstat.TCP.inuse");
	assert_true(json_is_null(json_array_get(json_object_get(col, "values"), 200)));
	v = json_object_get(json_object_get(root, "engine"), "errors");
	assert_string_equal(json_string_value(json_object_get(json_array_get(v, 0), "name")),
			    ERRNAME_111);
	assert_string_equal(json_string_value(json_object_get(json_array_get(v, 0), "op")),
			    "connect");
	v = json_array_get(json_object_get(root, "phases"), 1);
	assert_string_equal(json_string_value(json_object_get(v, "name")), "churn");
	assert_int_equal(json_integer_value(json_object_get(v, "row")), 30);
	/* The interval prints as people wrote it, not as 0.10000000000000001. */
	assert_non_null(strstr(buf, "\"interval\": 0.1,"));
	json_decref(root);
	free(buf);
	synth_free(&x);
}

/* Writes text to a file, loads it and returns the error and the message. */
static int load_text(const char *text, char **msg)
{
	struct report_run run;
	struct capture c;
	char *path = tmp_path("bad.json");
	FILE *f = fopen(path, "w");
	int err;

	fputs(text, f);
	fclose(f);
	capture_begin(&c);
	err = report_json_load(path, &run);
	*msg = capture_end(&c);
	report_run_free(&run);
	unlink(path);
	return err;
}

static void expect_refusal(const char *text, const char *words)
{
	char *msg;

	assert_int_equal(load_text(text, &msg), -EINVAL);
	if (!strstr(msg, words))
		fail_msg("message '%s' lacks '%s'", msg, words);
	free(msg);
}

/* A valid report to break in one place at a time. */
static char *valid_text(void)
{
	struct synth x;
	struct report_in in;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	synth_run(&x, false);
	in = synth_in(&x);
	f = open_memstream(&buf, &len);
	report_json_write(f, &in);
	fclose(f);
	synth_free(&x);
	return buf;
}

/* text with its first from replaced by to must be refused with words. */
static void expect_refusal_of(const char *text, const char *from, const char *to, const char *words)
{
	const char *p = strstr(text, from);
	char *out;
	size_t n;

	assert_non_null(p);
	n = strlen(text) - strlen(from) + strlen(to) + 1;
	out = malloc(n);
	snprintf(out, n, "%.*s%s%s", (int)(p - text), text, to, p + strlen(from));
	expect_refusal(out, words);
	free(out);
}

static void expect_broken(const char *from, const char *to, const char *words)
{
	char *text = valid_text();

	expect_refusal_of(text, from, to, words);
	free(text);
}

static void test_refusals(void **state)
{
	struct report_run run;
	struct capture c;
	char *msg;

	(void)state;
	expect_refusal("not json", "not valid JSON");
	expect_refusal("[1, 2]", "not a sockleak JSON report");
	expect_refusal("{\"tool\": \"sockleak\"}", "not a sockleak JSON report");
	expect_refusal("{\"schema\": 1, \"tool\": \"other\"}", "not a sockleak JSON report");
	expect_refusal("{\"schema\": 4, \"tool\": \"sockleak\"}", "schema 4 is not supported");
	expect_refusal("{\"schema\": 0, \"tool\": \"sockleak\"}", "schema 0 is not supported");
	expect_refusal("{\"schema\": \"1\", \"tool\": \"sockleak\"}", "schema \"1\" is not");
	expect_refusal("{\"schema\": 1, \"tool\": \"sockleak\"}", "series: missing");
	expect_broken("\"rows\": 881", "\"rows\": 880", "series.t: expected 880 items");
	expect_broken("\"name\": \"churn\"", "\"name\": \"spin\"", "phases[1].name: unknown value");
	expect_broken("\"metric\": \"tcp.client\"", "\"metric\": \"tcp.nope\"",
		      "result.metrics[0].metric: no column 'tcp.nope'");
	expect_broken("\"verdict\": \"BOUNDED\"", "\"verdict\": \"MAYBE\"",
		      "result.verdict: unknown value 'MAYBE'");
	expect_broken("\"transport\": \"tcp\"", "\"transport\": \"sctp\"", "unknown transport");
	expect_broken("\"unit\": \"count\"", "\"unit\": \"pages\"", "columns[0].unit");
	expect_broken("\"noise\": 0.2", "\"noise\": \"x\"", "noise: expected a number or null");
	expect_broken("\"phase\": [\"baseline\"", "\"phase\": [\"idle\"", "phase[0]: expected");
	expect_broken("\"values\": [0,", "\"values\": [true,", "values[0]: expected a number");
	/* A missing file is an error of its own, with the system's reason. */
	capture_begin(&c);
	assert_int_equal(report_json_load("/nonexistent/run.json", &run), -ENOENT);
	msg = capture_end(&c);
	assert_non_null(strstr(msg, "cannot read /nonexistent/run.json"));
	free(msg);
	report_run_free(&run);
}

/*
 * Every class of verdict, with what the run saw around it (a signal, the guard, quiesce cut
 * short, no cgroup and why), renders the same text and the same HTML once written as JSON and
 * read back: what 'sockleak report run.json' prints is what the run printed. CLEAN has no real
 * run among the integration tests' (the others do: t_run_*, t_server_*), so it is here too.
 */
static void test_every_class(void **state)
{
	struct run_facts facts = { 0 };
	struct report_run run;
	struct report_in in, back;
	struct synth x;
	char *a, *b;
	int v;

	(void)state;
	facts.signal = 2;
	snprintf(facts.stopped_by, sizeof(facts.stopped_by), "SIGINT");
	snprintf(facts.guard, sizeof(facts.guard), "MemAvailable fell below 1 GiB");
	snprintf(facts.unsettled, sizeof(facts.unsettled), "slab.TCP.objs");
	facts.quiesce_max = 12;
	snprintf(facts.cgroup_why, sizeof(facts.cgroup_why), "not root");
	facts.text_width = 100;
	for (v = 0; v < VERDICT_COUNT; v++) {
		synth_run(&x, v == VERDICT_LEAK);
		x.r.verdict = (enum verdict)v;
		x.r.verdict_col = v == VERDICT_CLEAN ? -1 : x.r.m[0].col;
		in = synth_in(&x);
		in.facts = &facts;
		assert_int_equal(report_json(tmp_path("class.json"), &in), 0);
		assert_int_equal(report_json_load(tmp_path("class.json"), &run), 0);
		back = report_run_in(&run);
		a = render(&in, false);
		b = render(&back, false);
		if (strcmp(a, b))
			fail_msg("%s: the text read back differs:\n%s\n----\n%s",
				 verdict_name((enum verdict)v), a, b);
		free(a);
		free(b);
		a = render(&in, true);
		b = render(&back, true);
		if (strcmp(a, b))
			fail_msg("%s: the HTML read back differs", verdict_name((enum verdict)v));
		free(a);
		free(b);
		report_run_free(&run);
		synth_free(&x);
	}
	unlink(tmp_path("class.json"));
}

/* Columns of every kind of constancy, and one that moved: col names "moves", "flat", ... */
static void constant_series(struct series *s)
{
	static const char *const names[] = { "moves", "flat", "never", "gap", "zeros" };
	int c[5], i, k;

	series_init(s, 64);
	for (k = 0; k < 5; k++)
		c[k] = series_add_named(s, names[k], UNIT_COUNT, MK_LEVEL, NULL);
	series_mark(s, PHASE_BASELINE, 0, 0);
	for (i = 0; i < 20; i++) {
		if (i == 10)
			series_mark(s, PHASE_CHURN, i * 0.1, 0);
		series_set(s, c[0], i == 15 ? 7 : 1.0 / 3);
		series_set(s, c[1], 1.0 / 3);
		series_set(s, c[2], NAN);
		series_set(s, c[3], i % 4 ? 5 : NAN);
		series_set(s, c[4], i % 2 ? 0.0 : -0.0);
		series_commit(s, i * 0.1, (uint64_t)i * 10);
	}
}

/*
 * A column whose samples all hold the same number (or that has none) is written as that one
 * "value", with "sampled" naming its rows' pattern when it lacks a sample in some of them; one
 * that moved keeps its "values". The series reads back the same, --full-series writes every
 * "values", and a count, a pattern or an index the writer cannot produce is refused.
 */
static void test_constant_columns(void **state)
{
	static const char *const want[] = { NULL, "0.33333333333333333", "null", "5", "0" };
	struct series s;
	struct result r = { 0 };
	struct report_run run;
	struct report_in in = { &s, &r, NULL, NULL, NULL };
	char *path = tmp_path("const.json"), *buf = NULL, *full = NULL, *text;
	json_t *root, *cols;
	size_t len = 0, flen = 0, j;
	FILE *f;

	(void)state;
	constant_series(&s);
	f = open_memstream(&buf, &len);
	assert_int_equal(report_json_write(f, &in), 0);
	fclose(f);
	root = json_loadb(buf, len, 0, NULL);
	assert_non_null(root);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(root, "series"),
							    "constant_columns")),
			 4);
	/* gap: a sample in 3 rows of 4, the pattern its "sampled" names. */
	assert_string_equal(
		json_string_value(json_array_get(
			json_object_get(json_object_get(root, "series"), "sampled"), 0)),
		"01110111011101110111");
	cols = json_object_get(json_object_get(root, "series"), "columns");
	for (j = 0; j < 5; j++) {
		json_t *col = json_array_get(cols, j), *one = json_object_get(col, "value");
		double v = 0;

		assert_true(!want[j] == !!json_object_get(col, "values"));
		assert_true(!want[j] == !one);
		assert_true((j == 3) == !!json_object_get(col, "sampled"));
		if (want[j] && strcmp(want[j], "null"))
			assert_true(jt_number(one, &v) && v == strtod(want[j], NULL));
		else if (want[j])
			assert_true(json_is_null(one));
	}
	json_decref(root);
	f = fopen(path, "w");
	fputs(buf, f);
	fclose(f);
	assert_int_equal(report_json_load(path, &run), 0);
	assert_same_series(&s, &run.s);
	report_run_free(&run);

	in.full_series = true;
	f = open_memstream(&full, &flen);
	assert_int_equal(report_json_write(f, &in), 0);
	fclose(f);
	assert_true(flen > len);
	root = json_loadb(full, flen, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(root, "series"),
							    "constant_columns")),
			 0);
	json_array_foreach(json_object_get(json_object_get(root, "series"), "columns"), j, cols)
		assert_int_equal(json_array_size(json_object_get(cols, "values")), 20);
	json_decref(root);

	/* The count says how many columns have one value: another count is refused. */
	expect_refusal_of(buf, "\"constant_columns\": 4", "\"constant_columns\": 3",
			  "series.constant_columns: 3, but 4 columns have one \"value\"");
	expect_refusal_of(buf, "\"01110", "\"0111x",
			  "series.sampled[0]: expected a string of 20 '0' or '1'");
	expect_refusal_of(buf, "\"sampled\": 0", "\"sampled\": 1",
			  "series.columns[3].sampled: 1 is out of range");
	expect_refusal_of(buf, "\"value\": ", "\"value\": \"x\", \"y\": ",
			  "series.columns[1].value: expected a number or null");
	/* A schema-2 file has "values" in every column. */
	text = strdup(buf);
	memcpy(strstr(text, "\"schema\": 3"), "\"schema\": 2", 11);
	expect_refusal(text, "series.columns[1].values: missing");
	free(text);
	free(buf);
	free(full);
	series_free(&s);
	unlink(path);
}

/* The valid report with one value changed (json_t path given key by key), dumped as text. */
static char *with(const char *const *path, json_t *value)
{
	char *text = valid_text(), *out;
	json_t *root = json_loads(text, 0, NULL), *o = root, *parent = NULL;
	const char *key = NULL;
	size_t i;

	assert_non_null(root);
	for (i = 0; path[i]; i++) {
		parent = o;
		key = path[i];
		if (json_is_array(o))
			o = json_array_get(o, strtoul(key, NULL, 10));
		else
			o = json_object_get(o, key);
		assert_non_null(o);
	}
	if (json_is_array(parent))
		json_array_set_new(parent, strtoul(key, NULL, 10), value);
	else
		json_object_set_new(parent, key, value);
	out = json_dumps(root, 0);
	json_decref(root);
	free(text);
	return out;
}

#define PATH(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void expect_impossible(const char *const *path, json_t *value, const char *words)
{
	char *text = with(path, value);

	expect_refusal(text, words);
	free(text);
}

/*
 * What the writer cannot produce is refused with its place, before a renderer computes with it:
 * a fold past 31 (renderers shift by it), phases out of order or overlapping, times and counts
 * that go back or below 0, confidences outside [0, 1], names of columns that do not exist.
 */
static void test_impossible(void **state)
{
	(void)state;
	expect_impossible(PATH("series", "fold"), json_integer(63),
			  "series.fold: 63 is out of range [0, 31]");
	expect_impossible(PATH("series", "fold"), json_integer(20),
			  "series.samples: 881 is fewer than one row of fold 20 holds");
	expect_impossible(PATH("series", "samples"), json_integer(3),
			  "series.samples: 3 is fewer than the 881 rows");
	expect_impossible(PATH("series", "t", "5"), json_real(-1),
			  "series: t[5]: expected seconds");
	expect_impossible(PATH("series", "t", "5"), json_null(), "series: t[5]: expected seconds");
	expect_impossible(PATH("series", "t", "5"), json_real(1e6),
			  "series: t[6]: 0.6 comes before the row above");
	expect_impossible(PATH("series", "cycles", "880"), json_real(0),
			  "series: cycles[880]: 0 is below the row above");
	expect_impossible(PATH("series", "phase", "0"), json_string("teardown"),
			  "series: phase[1]: baseline after teardown");
	expect_impossible(PATH("phases", "0", "name"), json_string("quiesce"),
			  "phases[1].name: churn after quiesce");
	expect_impossible(PATH("phases", "2", "t"), json_real(2),
			  "phases[2].t: 2 is before the start of churn");
	expect_impossible(PATH("phases", "2", "row"), json_integer(1),
			  "phases[2].row: 1 is before the first row of churn");
	expect_impossible(PATH("phases", "1", "cycles"), json_integer(300000),
			  "phases[2].cycles: 250000 is below churn's (300000)");
	expect_impossible(PATH("phases", "1", "t"), json_real(-2), "phases[1].t: -2 is negative");
	expect_impossible(PATH("result", "metrics", "0", "confidence"), json_real(1.5),
			  "result.metrics[0].confidence: 1.5 is out of range [0, 1]");
	expect_impossible(PATH("result", "metrics", "0", "noise"), json_real(-3),
			  "result.metrics[0].noise: -3 is negative");
	expect_impossible(PATH("result", "churn_seconds"), json_real(-0.1),
			  "result.churn_seconds: -0.1 is negative");
	expect_impossible(PATH("result", "pool_tags", "0", "confidence"), json_real(-1),
			  "result.pool_tags[0].confidence: -1 is out of range [0, 1]");
	expect_impossible(PATH("config", "seconds"), json_real(-10),
			  "config.seconds: -10 is negative");
	expect_impossible(PATH("result", "verdict_metric"), json_string("slab.nope"),
			  "result.verdict_metric: no column 'slab.nope'");
}

/*
 * Descriptors as a probe declares them travel whole (schema 2): traits, families, the socket
 * caches a merged slab line holds. A trait a newer sockleak adds is skipped, not refused; a class
 * it does not know is refused. A schema-1 file is described by the catalog's shim.
 */
static void test_descriptors(void **state)
{
	struct metric_desc d = { .kind = MK_LEVEL,
				 .unit = UNIT_COUNT,
				 .cls = MC_SLAB_OBJS,
				 .families = FAM_TCP | FAM_UNIX,
				 .traits = MT_HOST | MT_MERGED | MT_SOCKET_CACHE,
				 .source = "slabinfo",
				 .object = "eventpoll_epi",
				 .holds = "tcp_bind_bucket, tcp_bind2_bucket",
				 .note = "merged: fib6_node" };
	struct series s;
	struct result r = { 0 };
	struct report_in in = { &s, &r, NULL, NULL, NULL };
	struct report_run run;
	char *path = tmp_path("desc.json"), *text = NULL, *p;
	size_t len = 0;
	FILE *f;

	(void)state;
	series_init(&s, 0);
	assert_int_equal(series_add(&s, "x.y", &d), 0);
	series_mark(&s, PHASE_BASELINE, 0, 0);
	series_set(&s, 0, 1);
	series_commit(&s, 0, 0);
	series_flush(&s);
	r.verdict_col = r.socket_col = -1;
	assert_int_equal(report_json(path, &in), 0);
	assert_int_equal(report_json_load(path, &run), 0);
	assert_same_desc(&d, &run.s.cols[0].d);
	report_run_free(&run);

	f = open_memstream(&text, &len);
	assert_int_equal(report_json_write(f, &in), 0);
	fclose(f);
	assert_non_null(strstr(text, "\"holds\": [\"tcp_bind_bucket\", \"tcp_bind2_bucket\"]"));
	/* A trait from the future: read as if it were not there. */
	p = strstr(text, "\"merged\"");
	assert_non_null(p);
	memcpy(p, "\"future\"", 8);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	assert_int_equal(report_json_load(path, &run), 0);
	assert_int_equal(run.s.cols[0].d.traits, MT_HOST | MT_SOCKET_CACHE);
	report_run_free(&run);
	expect_refusal_of(text, "\"slab-objects\"", "\"slab-things\"",
			  "series.columns[0].class: unknown value 'slab-things'");
	free(text);
	unlink(path);
	series_free(&s);
}

static void test_engine_summary(void **state)
{
	struct engine_stats *st = calloc(1, sizeof(*st));
	json_t *o, *errs;

	(void)state;
	st->cycles = 1000;
	st->seconds = 2;
	st->errors[0][24] = 5; /* EMFILE */
	st->errors[1][ENGINE_MAX_ERRNO - 1] = 1; /* the shared slot of large errnos */
	o = report_engine_json(st, NULL, 0);
	assert_non_null(o);
	assert_float_equal(json_real_value(json_object_get(o, "cycles_per_second")), 500, 0);
	errs = json_object_get(o, "errors");
	assert_int_equal(json_array_size(errs), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 0), "name")),
			    ERRNAME_24);
	assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 0), "op")),
			    "op0");
	assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 1), "name")),
			    ERRNAME_OTHER);
	json_decref(o);
	free(st);
}

/* The committed fixtures load and say what the synthetic runs say. */
static void test_fixtures(void **state)
{
	static const char *const names[] = { "synthetic-clean.json", "synthetic-leak.json" };
	struct report_run run;
	struct synth x;
	char path[128];
	int leak;

	(void)state;
	for (leak = 0; leak <= 1; leak++) {
		snprintf(path, sizeof(path), "%s/%s", FIXTURES, names[leak]);
		if (report_json_load(path, &run))
			fail_msg("cannot load %s (run from the repository root; regenerate with "
				 "build/tests/test_json --write-fixtures %s)",
				 path, FIXTURES);
		synth_run(&x, leak);
		assert_same_series(&x.s, &run.s);
		assert_same_result(&x.r, &run.r);
		synth_free(&x);
		report_run_free(&run);
	}
}

static int write_fixtures(const char *dir)
{
	struct report_in in;
	struct synth x;
	char path[512];
	int leak, err = 0;

	for (leak = 0; leak <= 1 && !err; leak++) {
		snprintf(path, sizeof(path), "%s/synthetic-%s.json", dir, leak ? "leak" : "clean");
		synth_run(&x, leak);
		in = synth_in(&x);
		err = report_json(path, &in);
		synth_free(&x);
	}
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),	 cmocka_unit_test(test_round_trip_folded),
		cmocka_unit_test(test_schema_layout),	 cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_engine_summary),	 cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_descriptors),	 cmocka_unit_test(test_impossible),
		cmocka_unit_test(test_constant_columns), cmocka_unit_test(test_every_class),
	};

	if (argc == 3 && !strcmp(argv[1], "--write-fixtures"))
		return write_fixtures(argv[2]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
