/*
 * Golden test: real runs of each verdict class, recorded on this machine (tests/data/golden, see
 * record.sh there), analysed again by the current code with the parameters the run had. The
 * verdicts, the metric that decided and every figure must come out as they were recorded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/analysis.h"
#include "engine/transport.h"
#include "report/report.h"
#include "report/text.h"
#include "render.h"

/* tests/data/golden, or $SOCKLEAK_TESTDATA/golden when the tests run from elsewhere. */
static void golden_path(char *out, size_t n, const char *name, const char *ext)
{
	const char *base = getenv("SOCKLEAK_TESTDATA");

	snprintf(out, n, "%s/golden/%s.%s", base ? base : "tests/data", name, ext);
}

/*
 * The recorded JSON, decompressed into a file of its own (the loader reads a path); true if that
 * file is a temporary one. The Windows build has no gzip to call: its Makefile decompresses the
 * recordings into GOLDEN_JSON_DIR beforehand.
 */
static bool unzip(const char *name, char *tmp, size_t n)
{
#ifdef GOLDEN_JSON_DIR
	snprintf(tmp, n, "%s/%s.json", GOLDEN_JSON_DIR, name);
	return false;
#else
	char gz[512], cmd[1200];

	golden_path(gz, sizeof(gz), name, "json.gz");
	snprintf(tmp, n, "/tmp/sockleak-test-golden.%d.%s.json", (int)getpid(), name);
	snprintf(cmd, sizeof(cmd), "gzip -dc '%s' > '%s'", gz, tmp);
	if (system(cmd) != 0)
		fail_msg("cannot decompress %s", gz);
	return true;
#endif
}

/* Relative tolerance 1e-9; NaN (null) equals NaN. */
static void assert_close(double got, double want, const char *what, const char *metric)
{
	double tol = 1e-9 * fmax(fabs(got), fabs(want));

	if (isnan(got) && isnan(want))
		return;
	if (isnan(got) != isnan(want) || !(fabs(got - want) <= tol))
		fail_msg("%s %s: %.17g, recorded %.17g", metric, what, got, want);
}

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		fail_msg("recorded report lacks %s", key);
	return json_is_null(v) ? NAN : json_number_value(v);
}

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void assert_str(const char *got, const char *want, const char *what, const char *metric)
{
	if ((got == NULL) != (want == NULL) || (got && strcmp(got, want)))
		fail_msg("%s %s: '%s', recorded '%s'", metric, what, got ? got : "(null)",
			 want ? want : "(null)");
}

/* The parameters the run had, as run.c's params_for sets them, from the report's config and machine. */
static void params_of(const struct report_run *run, struct analysis_params *p)
{
	const struct transport *tr = transport_get(run->cfg.transport);
	unsigned cpus = run->m.cores ? run->m.cores : 1;

	analysis_defaults(p);
	p->cpus = cpus;
	p->slab_hold_bytes = 131072.0 * cpus;
	p->sockmem_hold_bytes = 1048576.0 * cpus;
	p->memcg_hold_bytes = 2097152.0 * cpus;
	p->injected_per_cycle = run->cfg.inject_leak ? 1.0 / run->cfg.inject_leak : 0;
	p->private_netns = run->m.netns;
	p->private_cgroup = run->m.cgroup;
	p->sockets_per_leak = tr->stream && !run->cfg.target ? 2 : 1;
}

static const char *col_name(const struct series *s, int col)
{
	return col >= 0 && (size_t)col < s->ncols ? s->cols[col].name : NULL;
}

static void check_metric(const struct series *s, const struct metric_result *m, json_t *want)
{
	const char *name = str(want, "metric");

	assert_str(col_name(s, m->col), name, "metric", "");
	assert_str(verdict_name(m->verdict), str(want, "verdict"), "verdict", name);
	assert_str(m->why, str(want, "why"), "why", name);
	assert_close(m->baseline, num(want, "baseline"), "baseline", name);
	assert_close(m->noise, num(want, "noise"), "noise", name);
	assert_close(m->peak, num(want, "peak"), "peak", name);
	assert_close(m->slope, num(want, "slope"), "slope", name);
	assert_close(m->slope_lo, num(want, "slope_lo"), "slope_lo", name);
	assert_close(m->slope_hi, num(want, "slope_hi"), "slope_hi", name);
	assert_close(m->slope_early, num(want, "slope_early"), "slope_early", name);
	assert_close(m->slope_late, num(want, "slope_late"), "slope_late", name);
	assert_close(m->residual, num(want, "residual"), "residual", name);
	assert_close(m->residual_per_cycle, num(want, "residual_per_cycle"), "residual_per_cycle",
		     name);
	assert_close(m->after_teardown, num(want, "after_teardown"), "after_teardown", name);
	assert_close(m->confidence, num(want, "confidence"), "confidence", name);
	assert_close(m->cycles_to_decide, num(want, "cycles_to_decide"), "cycles_to_decide", name);
	if (m->tw_explained != json_is_true(json_object_get(want, "tw_explained")))
		fail_msg("%s tw_explained differs", name);
	assert_str(role_name(m->role), str(want, "role"), "role", name);
	if (m->decisive != json_is_true(json_object_get(want, "decisive")))
		fail_msg("%s decisive differs", name);
}

static void check_pool(const struct pool_row *p, json_t *want)
{
	const char *name = str(want, "cache");

	assert_str(p->cache, name, "cache", "pool_tags");
	assert_str(verdict_name(p->verdict), str(want, "verdict"), "verdict", name);
	assert_close(p->objs_per_cycle, num(want, "objects_per_cycle"), "objects_per_cycle", name);
	assert_close(p->bytes_per_cycle, num(want, "bytes_per_cycle"), "bytes_per_cycle", name);
	assert_close(p->peak_objs, num(want, "peak_objects"), "peak_objects", name);
	assert_close(p->peak_bytes, num(want, "peak_bytes"), "peak_bytes", name);
	assert_close(p->confidence, num(want, "confidence"), "confidence", name);
}

static void check_result(const struct series *s, const struct result *r, json_t *want)
{
	json_t *tw = json_object_get(want, "time_wait"), *arr, *item;
	size_t i;

	assert_str(verdict_name(r->verdict), str(want, "verdict"), "verdict", "result");
	assert_str(col_name(s, r->verdict_col), str(want, "verdict_metric"), "verdict_metric",
		   "result");
	assert_str(r->why, str(want, "why"), "why", "result");
	assert_close((double)r->cycles, num(want, "cycles"), "cycles", "result");
	assert_close(r->churn_seconds, num(want, "churn_seconds"), "churn_seconds", "result");
	assert_close(r->quiesce_seconds, num(want, "quiesce_seconds"), "quiesce_seconds", "result");
	if (r->quiesce_stable != json_is_true(json_object_get(want, "quiesce_stable")))
		fail_msg("result quiesce_stable differs");
	assert_close(r->leaked_sockets_per_cycle, num(want, "leaked_sockets_per_cycle"),
		     "leaked_sockets_per_cycle", "result");
	assert_close(r->injected_per_cycle, num(want, "injected_per_cycle"), "injected_per_cycle",
		     "result");
	assert_close(r->memcg_bytes_per_cycle, num(want, "memcg_bytes_per_cycle"),
		     "memcg_bytes_per_cycle", "result");
	assert_close(r->leaked_bytes_per_cycle, num(want, "leaked_bytes_per_cycle"),
		     "leaked_bytes_per_cycle", "result");
	assert_close((double)r->leak_caches, num(want, "leak_caches"), "leak_caches", "result");
	assert_close(r->cycles_to_decide, num(want, "cycles_to_decide"), "cycles_to_decide",
		     "result");
	assert_close(r->tw_peak, num(tw, "peak"), "peak", "time_wait");
	assert_close(r->tw_pending, num(tw, "pending"), "pending", "time_wait");
	assert_close(r->tw_cap, num(tw, "cap"), "cap", "time_wait");
	assert_close(r->tw_recycled, num(tw, "recycled"), "recycled", "time_wait");
	assert_close(r->tw_overflow, num(tw, "overflow"), "overflow", "time_wait");
	if (r->tw_capped != json_is_true(json_object_get(tw, "capped")) ||
	    r->tw_short_quiesce != json_is_true(json_object_get(tw, "short_quiesce")))
		fail_msg("time_wait capped or short_quiesce differs");

	arr = json_object_get(want, "metrics");
	if (r->nm != json_array_size(arr))
		fail_msg("%u metrics analysed, %u recorded", (unsigned)r->nm,
			 (unsigned)json_array_size(arr));
	json_array_foreach(arr, i, item)
		check_metric(s, &r->m[i], item);
	arr = json_object_get(want, "pool_tags");
	if (r->npools != json_array_size(arr))
		fail_msg("%u pool tags, %u recorded", (unsigned)r->npools,
			 (unsigned)json_array_size(arr));
	json_array_foreach(arr, i, item)
		check_pool(&r->pools[i], item);
}

/* The whole file, or NULL. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, n;
	char chunk[4096];
	FILE *m;

	if (!f)
		return NULL;
	m = open_memstream(&buf, &len);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(f);
	fclose(m);
	return buf;
}

/*
 * The text report of the analysis again, with what the run saw around it (its exit status, and
 * whether quiesce settled), is the text the run printed, byte for byte.
 */
static void facts_of(const char *name, const struct report_run *run,
		     const struct analysis_params *p, struct run_facts *facts)
{
	char path[256], *rc;

	golden_path(path, sizeof(path), name, "rc");
	rc = slurp(path);
	assert_non_null(rc);
	memset(facts, 0, sizeof(*facts));
	facts->signal = atoi(rc) > 128 ? atoi(rc) - 128 : 0;
	facts->settled = analysis_settled(&run->s, p, facts->unsettled, sizeof(facts->unsettled));
	if (facts->signal && !facts->settled)
		snprintf(facts->unsettled, sizeof(facts->unsettled), "interrupted");
	facts->quiesce_max = run->cfg.quiesce_max;
	facts->cgroup = run->m.cgroup;
	free(rc);
}

static void assert_same_text(const char *got, const char *want, const char *what)
{
	size_t i = 0;

	if (!strcmp(got, want))
		return;
	while (got[i] && got[i] == want[i])
		i++;
	fail_msg("%s differs at byte %u: '%.60s' vs '%.60s'", what, (unsigned)i, got + i, want + i);
}

/*
 * SOCKLEAK_GOLDEN_UPDATE=DIR: what the current code says of each recording, for update.sh to
 * take as the new expectation once a change of verdicts is deliberate: DIR/NAME.txt (the text)
 * and DIR/NAME.json (a report whose "result" replaces the recorded one).
 */
static void update(const char *name, const struct report_in *in, const char *text)
{
	const char *dir = getenv("SOCKLEAK_GOLDEN_UPDATE");
	char path[512];
	FILE *f;

	if (!dir || !*dir)
		return;
	snprintf(path, sizeof(path), "%s/%s.txt", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/%s.json", dir, name);
	assert_int_equal(report_json(path, in), 0);
}

/*
 * The result stored in the recording (update.sh keeps it current) renders the golden text too:
 * what 'sockleak report NAME.json --text' prints with the run's facts is the .txt, byte for byte.
 */
static void check_stored_text(const char *name, const struct report_run *run,
			      const struct analysis_params *p)
{
	struct run_facts facts;
	struct report_in in = { &run->s, &run->r, &run->cfg, &run->m, NULL, NULL, &facts };
	char path[256], *want, *got;

	facts_of(name, run, p, &facts);
	got = render(&in, false);
	golden_path(path, sizeof(path), name, "txt");
	want = slurp(path);
	assert_non_null(want);
	assert_same_text(got, want, "the text of the stored result");
	free(got);
	free(want);
}

static void check_text(const char *name, const struct report_run *run, const struct result *r,
		       const struct analysis_params *p)
{
	struct run_facts facts;
	struct report_in in = { &run->s, r, &run->cfg, &run->m, NULL, NULL, &facts };
	char path[256], *want, *got;

	facts_of(name, run, p, &facts);
	got = render(&in, false);
	update(name, &in, got);
	golden_path(path, sizeof(path), name, "txt");
	/* SOCKLEAK_GOLDEN_UPDATE=1: the text as rendered now becomes the golden one (review the diff). */
	if (getenv("SOCKLEAK_GOLDEN_UPDATE")) {
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs(got, f);
		fclose(f);
	}
	want = slurp(path);
	assert_non_null(want);
	assert_same_text(got, want, path);
	free(got);
	free(want);
}

/*
 * A report written as JSON and read back renders the same text and the same HTML as the run it
 * came from; a confirmation of two of its metrics included.
 */
static void check_round_trip(const char *name, const struct report_run *run, const struct result *r,
			     const struct analysis_params *p)
{
	struct confirm_metric cm[2] = {
		{ r->m[0].col, r->m[0].col, VERDICT_LEAK, 0.99, 30, 90, 3, 3, 1e-3 },
		{ r->m[1].col, r->m[1].col, VERDICT_BOUNDED, 0.9, 12, 13, 13.0 / 12, 3, NAN },
	};
	struct confirm_result conf = {
		VERDICT_LEAK, VERDICT_LEAK, 0.99, 1e5,
		3e5,	      cm,	    2,	  "the residual scaled with the cycles"
	};
	struct run_facts facts;
	struct report_in in = { &run->s, r, &run->cfg, &run->m, run->engine, &conf, &facts };
	struct report_run back;
	struct report_in bin;
	char path[256], *a, *b;

	facts_of(name, run, p, &facts);
	snprintf(facts.guard, sizeof(facts.guard), "MemAvailable fell below 1 GiB");
	facts.cgroup = false;
	snprintf(facts.cgroup_why, sizeof(facts.cgroup_why), "not root");
	snprintf(path, sizeof(path), "/tmp/sockleak-test-golden.%d.%s.2.json", (int)getpid(), name);
	assert_int_equal(report_json(path, &in), 0);
	assert_int_equal(report_json_load(path, &back), 0);
	unlink(path);
	assert_int_equal(back.schema, REPORT_SCHEMA);
	bin = report_run_in(&back);
	a = render(&in, false);
	b = render(&bin, false);
	assert_same_text(b, a, "the text of the run read back");
	free(a);
	free(b);
	a = render(&in, true);
	b = render(&bin, true);
	assert_same_text(b, a, "the HTML of the run read back");
	free(a);
	free(b);
	report_run_free(&back);
}

/* A number with an exponent ("1e+02", "3.24e+04", "1e-05") in the first n bytes of s. */
static bool exponent(const char *s, size_t n)
{
	size_t i;

	for (i = 1; i + 2 < n; i++)
		if (s[i] == 'e' && (s[i + 1] == '+' || s[i + 1] == '-') && isdigit(s[i - 1]) &&
		    isdigit(s[i + 2]))
			return true;
	return false;
}

/*
 * One vocabulary and one order in every report: the metric that made the verdict leads the JSON
 * list and the HTML Evidence table; metrics with no growth seen are counted, in the words the
 * text report uses, never listed as evidence; no number in prose has an exponent.
 */
static void check_vocabulary(const struct report_run *run, const struct result *r)
{
	struct report_in in = { &run->s, r, &run->cfg, &run->m, NULL, NULL, NULL };
	char *html = render(&in, true), *text = render(&in, false), quiet[240], first[300];
	const char *ev = strstr(html, "<section id=\"evidence\">"), *end, *p;
	size_t i;

	assert_non_null(ev);
	end = strstr(ev, "</section>");
	assert_non_null(end);
	if (r->verdict != VERDICT_CLEAN) {
		assert_int_equal(r->m[0].col, r->verdict_col);
		assert_true(r->m[0].decided);
		snprintf(first, sizeof(first), "<tr class=\"decided\"><td class=\"name\"><code>%s<",
			 run->s.cols[r->verdict_col].name);
		p = strstr(ev, "<tbody>");
		p = p ? strstr(p, "<tr") : NULL;
		if (!p || strncmp(p, first, strlen(first)))
			fail_msg("the Evidence table does not start with %s: %.120s",
				 run->s.cols[r->verdict_col].name, p ? p : "(no row)");
	}
	for (i = 0; i < r->nm; i++) {
		const struct metric_result *m = &r->m[i];
		char cell[300];

		/* Decided ones first, then those that spoke, then the rest. */
		if (i > 0 && m->decided && !r->m[i - 1].decided)
			fail_msg("%s decided but comes after one that did not",
				 run->s.cols[m->col].name);
		if (i > 0 && metric_spoke(m) && !m->decided && !r->m[i - 1].decided &&
		    !metric_spoke(&r->m[i - 1]))
			fail_msg("%s moved but comes after one that did not",
				 run->s.cols[m->col].name);
		if (!m->nothing_seen)
			continue;
		snprintf(cell, sizeof(cell), "<code>%s</code>", run->s.cols[m->col].name);
		p = strstr(ev, cell);
		if (p && p < end)
			fail_msg("%s showed no growth but is listed as evidence",
				 run->s.cols[m->col].name);
	}
	/* A probe sampled every k-th tick: its lines join the rows it has, and the page says so. */
	for (p = strstr(html, "<path class=\"line"); p; p = strstr(p + 1, "<path class=\"line")) {
		const char *d = strstr(p, " d=\""), *q = d ? strchr(d + 4, '"') : NULL;
		const char *mv = d ? strstr(d + 4, " M") : NULL;

		if (mv && mv < q)
			fail_msg("a chart line breaks where a probe sat out: %.100s", p);
	}
	for (i = 0; i < r->nm; i++) {
		const struct series_col *c = &run->s.cols[r->m[i].col];
		char cap[200];
		const char *f, *fe;

		snprintf(cap, sizeof(cap), "<figcaption><code>%s</code>", c->name);
		f = strstr(html, cap);
		fe = f ? strstr(f, "</figcaption>") : NULL;
		if (!fe || series_spacing(&run->s, c->v) <= 1.5 * series_spacing(&run->s, NULL))
			continue;
		p = strstr(f, "(sampled every");
		if (!p || p > fe)
			fail_msg("the chart of %s does not say how often it was sampled", c->name);
	}
	reason_quiet(quiet, sizeof(quiet), r->nclean, r->nunseen);
	assert_non_null(strstr(html, quiet));
	assert_null(strstr(html, "judged other than CLEAN"));
	/* Prose: the headline paragraph and every reason. */
	end = strstr(text, "\n\n");
	assert_false(exponent(text, end ? (size_t)(end - text) : strlen(text)));
	for (i = 0; i < r->nm; i++)
		if (exponent(r->m[i].why, strlen(r->m[i].why)))
			fail_msg("%s: an exponent in '%s'", run->s.cols[r->m[i].col].name,
				 r->m[i].why);
	free(html);
	free(text);
}

/*
 * The peak rise a metric's table row and reason give is its series' largest rise above the
 * baseline in churn, the one its chart shows, however few rows a probe sampled every k-th tick
 * left there (host drift, when taken off, is not drawn: those are left out).
 */
static void check_peaks(const struct series *s, const struct result *r)
{
	size_t i, row, b, e;

	if (!series_phase_rows(s, PHASE_CHURN, &b, &e))
		return;
	for (i = 0; i < r->nm; i++) {
		const struct metric_result *m = &r->m[i];
		const struct series_col *c = &s->cols[m->col];
		double sign = desc_sign(&c->d), top = -INFINITY;

		if (c->d.kind != MK_LEVEL || !isfinite(m->peak) || !isfinite(m->baseline) ||
		    (m->drift != 0 && !isnan(m->drift)))
			continue;
		for (row = b; row < e; row++)
			if (!isnan(c->v[row]))
				top = fmax(top, sign * (c->v[row] - m->baseline));
		if (!isfinite(top))
			continue;
		if (c->d.unit == UNIT_COUNT)
			top = round(top);
		if (fabs(m->peak - top) > 1e-6 * fmax(1, fabs(top)))
			fail_msg("%s: peak rise %g, its series rose %g above its baseline in churn",
				 c->name, m->peak, top);
	}
}

static void golden(const char *name)
{
	struct analysis_params p;
	struct report_run run;
	struct result r;
	json_error_t e;
	char path[256];
	bool temporary;
	json_t *root;

	temporary = unzip(name, path, sizeof(path));
	root = json_load_file(path, 0, &e);
	if (!root)
		fail_msg("%s: %s", path, e.text);
	assert_int_equal(report_json_load(path, &run), 0);
	if (temporary)
		unlink(path);
	assert_true(run.has_cfg && run.has_machine);
	params_of(&run, &p);
	assert_int_equal(analyse(&run.s, &p, &r), 0);
	check_peaks(&run.s, &r);
	check_text(name, &run, &r, &p);
	if (!getenv("SOCKLEAK_GOLDEN_UPDATE"))
		check_stored_text(name, &run, &p);
	check_result(&run.s, &r, json_object_get(root, "result"));
	check_vocabulary(&run, &r);
	check_round_trip(name, &run, &r, &p);
	result_free(&r);
	report_run_free(&run);
	json_decref(root);
}

static void test_kb(void **state)
{
	(void)state;
	golden("kb");
}

static void test_abort(void **state)
{
	(void)state;
	golden("abort");
}

static void test_leak(void **state)
{
	(void)state;
	golden("leak");
}

static void test_udp(void **state)
{
	(void)state;
	golden("udp");
}

static void test_unix(void **state)
{
	(void)state;
	golden("unix");
}

static void test_twcap(void **state)
{
	(void)state;
	golden("twcap");
}

static void test_sigint(void **state)
{
	(void)state;
	golden("sigint");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kb),     cmocka_unit_test(test_abort),
		cmocka_unit_test(test_leak),   cmocka_unit_test(test_udp),
		cmocka_unit_test(test_unix),   cmocka_unit_test(test_twcap),
		cmocka_unit_test(test_sigint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
