/* Unit tests for src/report/html.c: page structure, charts with data, escaping, no network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "describe.h"
#include "report/report.h"
#include "synth_run.h"

static char *page(const struct report_in *in)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(report_html_write(f, in), 0);
	fclose(f);
	return buf;
}

static size_t occurrences(const char *s, const char *what)
{
	size_t n = 0;

	while ((s = strstr(s, what))) {
		n++;
		s += strlen(what);
	}
	return n;
}

/* Everything the page needs is in it: no URL but the SVG namespace, no external resource. */
static void assert_self_contained(const char *html)
{
	const char *p = html;

	while ((p = strstr(p, "http"))) {
		if (strncmp(p, "http://www.w3.org/2000/svg", 26))
			fail_msg("a URL in the page: %.60s", p);
		p += 4;
	}
	assert_null(strstr(html, " src="));
	assert_null(strstr(html, "<link"));
	assert_null(strstr(html, "@import"));
	assert_null(strstr(html, "url(http"));
}

/* Every line drawn has points, and the footer counts the charts. */
static void assert_charts(const char *html, size_t want_min)
{
	const char *p = html, *f = strstr(html, "<footer data-charts=\"");
	size_t charts = occurrences(html, "<svg class=\"chart\"");

	assert_non_null(f);
	assert_int_equal(strtol(f + 21, NULL, 10), (long)charts);
	assert_true(charts >= want_min);
	while ((p = strstr(p, "<path class=\"line"))) {
		const char *d = strstr(p, "data-points=\"");

		assert_non_null(d);
		assert_true(strtol(d + 13, NULL, 10) > 0);
		p = d;
	}
}

static void test_leak_page(void **state)
{
	struct synth x;
	struct report_in in;
	char *html;

	(void)state;
	synth_run(&x, true);
	in = synth_in(&x);
	html = page(&in);
	assert_true(!strncmp(html, "<!DOCTYPE html>", 15));
	assert_non_null(strstr(html, "<body data-verdict=\"LEAK\">"));
	assert_non_null(
		strstr(html, "<header class=\"banner v-leak\"><div class=\"verdict\">LEAK"));
	assert_non_null(strstr(html, "0.00100 sockets/cycle leaked (injected 0.00100)"));
	/* Sections a reader looks for. */
	assert_non_null(strstr(html, "id=\"pool\""));
	assert_non_null(strstr(html, "<code>TCP</code>"));
	assert_non_null(strstr(html, "merged: bio-256, biovec-16"));
	assert_non_null(strstr(html, "id=\"injected\""));
	assert_non_null(strstr(html, "data-series=\"injected\""));
	assert_non_null(strstr(html, "data-chart=\"time-wait\""));
	assert_non_null(strstr(html, ERRNAME_111));
	assert_non_null(strstr(html, "Linux 6.18.0-test"));
	assert_non_null(strstr(html, "250,000"));
	/* Phases shaded and named in the time charts. */
	assert_non_null(strstr(html, "class=\"band ph-quiesce\" data-phase=\"quiesce\""));
	/* Judged metrics charted twice (cycles, time); objs folded into the bytes of a cache. */
	assert_non_null(strstr(html, "data-chart=\"slab.TCP.bytes@cycles\""));
	assert_non_null(strstr(html, "data-chart=\"slab.TCP.bytes@time\""));
	assert_null(strstr(html, "data-chart=\"slab.TCP.objs@cycles\""));
	/* A CLEAN metric that moved well beyond its noise is shown too. */
	assert_non_null(strstr(html, "data-chart=\"tcp.state.FIN_WAIT2@time\""));
	assert_null(strstr(html, "data-chart=\"meminfo.MemAvailable@time\""));
	assert_charts(html, 20);
	assert_self_contained(html);
	assert_true(strlen(html) < 400 * 1024);
	free(html);
	synth_free(&x);
}

static void test_clean_page(void **state)
{
	struct synth x;
	struct report_in in;
	char *html;

	(void)state;
	synth_run(&x, false);
	in = synth_in(&x);
	html = page(&in);
	assert_non_null(strstr(html, "<header class=\"banner v-bounded\">"));
	assert_non_null(strstr(html, "TIME_WAIT"));
	assert_null(strstr(html, "id=\"injected\""));
	/* TIME_WAIT's cache came back: BOUNDED in the pool-tag table, no bytes per cycle kept. */
	assert_non_null(strstr(html, "<code>tw_sock_TCP</code>"));
	assert_charts(html, 4);
	free(html);
	/* No slab cache to list: said in the words every report uses for the quiet ones. */
	{
		struct result none = *in.r;

		none.npools = 0;
		in.r = &none;
		html = page(&in);
		assert_null(strstr(html, "judged other than CLEAN"));
		assert_non_null(strstr(html, "No slab cache to list: each was CLEAN or had no "
					     "growth seen"));
		free(html);
	}
	synth_free(&x);
}

/* Names come from the kernel and the user: they are escaped everywhere. */
static void test_escaping_and_missing_parts(void **state)
{
	struct series s;
	struct result r = { 0 };
	struct metric_result m = { 0 };
	struct report_in in = { &s, &r, NULL, NULL, NULL };
	char *html;
	int c, i;

	(void)state;
	series_init(&s, 0);
	c = series_add_named(&s, "slab.<script>x</script>.bytes", UNIT_BYTES, MK_LEVEL, NULL);
	series_set_note(&s, c, "a & b");
	series_mark(&s, PHASE_BASELINE, 0, 0);
	for (i = 0; i < 10; i++) {
		series_set(&s, c, 100);
		series_commit(&s, i * 0.1, 0);
	}
	series_mark(&s, PHASE_CHURN, 1, 0);
	for (i = 0; i < 10; i++) {
		series_set(&s, c, 100 + 10 * i);
		series_commit(&s, 1 + i * 0.1, (uint64_t)i * 100);
	}
	m.col = c;
	m.verdict = VERDICT_BACKLOG;
	m.noise = 1;
	m.slope = 0.1;
	snprintf(m.why, sizeof(m.why), "rose <fast> & came back");
	r.m = &m;
	r.nm = 1;
	r.verdict = VERDICT_BACKLOG;
	r.leaked_sockets_per_cycle = NAN;
	r.memcg_bytes_per_cycle = NAN;
	html = page(&in);
	assert_null(strstr(html, "<script>x"));
	assert_non_null(strstr(html, "slab.&lt;script&gt;x&lt;/script&gt;.bytes"));
	assert_non_null(strstr(html, "rose &lt;fast&gt; &amp; came back"));
	assert_non_null(strstr(html, "a &amp; b"));
	assert_non_null(strstr(html, "v-backlog"));
	assert_non_null(strstr(html, "not recorded"));
	assert_int_equal(occurrences(html, "<script>"), 1); /* the page's own */
	assert_charts(html, 2);
	free(html);

	/* Nothing judged, nothing sampled: still a page. */
	r.nm = 0;
	r.verdict = VERDICT_CLEAN;
	series_free(&s);
	series_init(&s, 0);
	html = page(&in);
	assert_non_null(strstr(html, "No metric was judged"));
	assert_charts(html, 0);
	free(html);
	series_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leak_page),
		cmocka_unit_test(test_clean_page),
		cmocka_unit_test(test_escaping_and_missing_parts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
