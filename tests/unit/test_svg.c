/* Unit tests for src/report/svg.c: nice ticks, unit labels, thinning, escaping, data attributes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/svg.h"

static void test_ticks(void **state)
{
	struct svg_ticks t;
	char buf[32];

	(void)state;
	svg_ticks(0, 1, 5, SVG_COUNT, &t);
	assert_float_equal(t.lo, 0, 0);
	assert_float_equal(t.hi, 1, 1e-12);
	assert_float_equal(t.step, 0.2, 1e-12);
	assert_int_equal(t.n, 6);
	assert_string_equal(svg_tick_label(&t, 0.4, buf, sizeof(buf)), "0.4");
	assert_string_equal(svg_tick_label(&t, 0, buf, sizeof(buf)), "0");

	/* Bytes in IEC units, ticks round in MiB. */
	svg_ticks(0, 3.5 * 1048576, 5, SVG_BYTES, &t);
	assert_string_equal(t.suffix, " MiB");
	assert_float_equal(t.step, 1048576, 0);
	assert_float_equal(t.hi, 4 * 1048576, 0);
	assert_string_equal(svg_tick_label(&t, 2 * 1048576, buf, sizeof(buf)), "2 MiB");

	/* Counts with SI prefixes; negative ranges stay exact. */
	svg_ticks(-2500, 12000, 5, SVG_COUNT, &t);
	assert_string_equal(t.suffix, " k");
	assert_true(t.lo <= -2500 && t.hi >= 12000);
	assert_string_equal(svg_tick_label(&t, -2000, buf, sizeof(buf)), "-2 k");
	assert_true(t.n <= SVG_MAX_TICKS);

	/* Long runs in minutes. */
	svg_ticks(0, 900, 6, SVG_SECONDS, &t);
	assert_string_equal(t.suffix, " min");
	assert_string_equal(svg_tick_label(&t, 600, buf, sizeof(buf)), "10 min");

	/* Microseconds: the probes' cost. */
	svg_ticks(0, 2500, 5, SVG_USEC, &t);
	assert_string_equal(t.suffix, " ms");

	/* A flat line still gets a range around it; NaN gets a default one. */
	svg_ticks(5, 5, 5, SVG_COUNT, &t);
	assert_true(t.lo < 5 && t.hi > 5);
	svg_ticks(NAN, NAN, 5, SVG_COUNT, &t);
	assert_true(t.hi > t.lo);
	/* A hair past a round value does not add a step. */
	svg_ticks(-0.5, 250, 5, SVG_COUNT, &t);
	assert_float_equal(t.lo, 0, 0);
}

static int increasing(const size_t *idx, size_t n)
{
	size_t i, last = 0;
	bool any = false;

	for (i = 0; i < n; i++) {
		if (idx[i] == SVG_BREAK)
			continue;
		if (any && idx[i] <= last)
			return 0;
		last = idx[i];
		any = true;
	}
	return 1;
}

static bool has(const size_t *idx, size_t n, size_t want)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (idx[i] == want)
			return true;
	return false;
}

static void test_thin(void **state)
{
	size_t n = 10000, i, k, breaks = 0;
	double *x = malloc(n * sizeof(*x)), *y = malloc(n * sizeof(*y));
	size_t *idx = malloc(n * sizeof(*idx));

	(void)state;
	for (i = 0; i < n; i++) {
		x[i] = (double)i;
		y[i] = sin(i / 300.0);
	}
	y[5001] = 40; /* a one-sample spike must survive */
	y[7002] = -40;
	for (i = 3000; i < 3010; i++)
		y[i] = NAN; /* a gap: one break */
	k = svg_thin(x, y, n, 0, (double)n - 1, 320, idx);
	assert_true(k <= 320 + 2);
	assert_true(increasing(idx, k));
	assert_true(has(idx, k, 0));
	assert_true(has(idx, k, n - 1));
	assert_true(has(idx, k, 5001));
	assert_true(has(idx, k, 7002));
	for (i = 0; i < k; i++) {
		breaks += idx[i] == SVG_BREAK;
		assert_true(idx[i] == SVG_BREAK || !isnan(y[idx[i]]));
	}
	assert_int_equal(breaks, 1);

	/* Short lines stay whole; leading and trailing gaps leave no break behind. */
	y[0] = NAN;
	y[20] = NAN;
	k = svg_thin(x, y, 21, 0, 20, 320, idx);
	assert_int_equal(k, 19);
	assert_int_equal(idx[0], 1);
	assert_int_equal(idx[18], 19);
	free(x);
	free(y);
	free(idx);
}

static char *render(const struct svg_chart *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(svg_chart(f, c), 0);
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

static void test_chart(void **state)
{
	double x[2000], y[2000], bx[2] = { 0, 1999 }, by[2] = { 5, 5 }, dx[1] = { 1999 },
				 dy[1] = { 7 };
	struct svg_line lines[] = {
		{ "slab.<TCP>&\"x\"", x, y, 2000, 0 },
		{ "baseline", bx, by, 2, 7, true },
		{ "after quiesce", dx, dy, 1, 4, false, true },
	};
	struct svg_band bands[] = { { 0, 500, "baseline", "ph-baseline" },
				    { 500, 1999, "churn", "ph-churn" } };
	struct svg_chart c = { .id = "id<&>",
			       .title = "t<",
			       .x = { "cycles", SVG_COUNT },
			       .y = { NULL, SVG_BYTES },
			       .lines = lines,
			       .nlines = 3,
			       .bands = bands,
			       .nbands = 2,
			       .max_points = 200,
			       .seq = 7 };
	char *svg, want[64];
	int i;

	(void)state;
	for (i = 0; i < 2000; i++) {
		x[i] = i;
		y[i] = 1000 + i * 3.0;
	}
	y[100] = NAN;
	svg = render(&c);
	assert_int_equal(occurrences(svg, "<svg "), 1);
	assert_int_equal(occurrences(svg, "</svg>"), 1);
	assert_non_null(strstr(svg, "data-chart=\"id&lt;&amp;&gt;\""));
	assert_non_null(strstr(svg, "data-lines=\"3\""));
	assert_non_null(strstr(svg, "data-series=\"slab.&lt;TCP&gt;&amp;&quot;x&quot;\""));
	assert_null(strstr(svg, "<TCP>"));
	assert_non_null(strstr(svg, "<title>t&lt;</title>"));
	assert_non_null(strstr(svg, "data-rows=\"1999\""));
	/* Thinned to at most max_points, with the gap as a second move. */
	{
		const char *p = strstr(svg, "data-points=\"");
		long k = strtol(p + 13, NULL, 10);

		assert_true(k > 10 && k <= 202);
	}
	assert_non_null(strstr(svg, "<path class=\"line c7 dash\" data-series=\"baseline\" "
				    "data-points=\"2\""));
	assert_int_equal(occurrences(svg, "<circle class=\"dot c4\" data-series"), 1);
	assert_non_null(strstr(svg, "data-phase=\"churn\""));
	assert_non_null(strstr(svg, "data-yscale=\"bytes\""));
	snprintf(want, sizeof(want), "clip-path=\"url(#clip%u)\"", c.seq);
	assert_non_null(strstr(svg, want));
	assert_non_null(strstr(svg, " KiB</text>"));
	free(svg);

	/* No data at all still makes a valid, empty chart. */
	c.nlines = 0;
	c.nbands = 0;
	svg = render(&c);
	assert_non_null(strstr(svg, "data-lines=\"0\""));
	free(svg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ticks),
		cmocka_unit_test(test_thin),
		cmocka_unit_test(test_chart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
