/* Unit tests for src/report/text.c: verdict line first, evidence tables, widths, phases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "describe.h"
#include "analysis/analysis.h"
#include "common.h"
#include "config.h"
#include "csv_fixture.h"
#include "gen.h"
#include "report/text.h"

#define RATE 30000.0
#define COL(n, u, k, g)               \
	{                             \
		n, u, k, gen_value, g \
	}

struct rendered {
	char *text;
	size_t len;
};

static void params(struct analysis_params *p)
{
	analysis_defaults(p);
	p->slab_hold_bytes = 256 * 1024;
	p->sockmem_hold_bytes = 2 * 1048576;
	p->memcg_hold_bytes = 4 * 1048576;
	p->cpus = 2;
}

static void render(const struct synth_plan *pl, const struct synth_col *cols, size_t n,
		   const struct analysis_params *p, const struct run_config *cfg,
		   const char *note_col, struct rendered *out)
{
	struct series s;
	struct result r;
	FILE *f;

	assert_int_equal(synth_build(&s, pl, cols, n), 0);
	if (note_col)
		series_set_note(&s, series_find(&s, note_col), "merged: TCPv6, UDP-Lite");
	assert_int_equal(analyse(&s, p, &r), 0);
	f = open_memstream(&out->text, &out->len);
	assert_non_null(f);
	assert_int_equal(report_text(f, &s, &r, cfg, 100), 0);
	fclose(f);
	if (getenv("SOCKLEAK_TEST_VERBOSE"))
		fprintf(stderr, "%s\n", out->text);
	result_free(&r);
	series_free(&s);
}

/* Every line fits in 100 columns. */
static void check_width(const char *text)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (n > 100)
			fail_msg("line of %d columns: %.*s", (int)n, (int)n, p);
		p += n + (nl ? 1 : 0);
	}
}

/* Column `what` of the header line starting with `head` sits where the rows' values end. */
static size_t column_end(const char *text, const char *head, const char *what)
{
	const char *h = strstr(text, head), *w;

	assert_non_null(h);
	w = strstr(h, what);
	assert_non_null(w);
	return (size_t)(w - h) + strlen(what);
}

static void test_leak_report(void **state)
{
	struct gen g[6] = {
		{ .leak = 0.001, .plateau = 1, .tau = 0.01, .back_tau = 0.01, .integer = true },
		{ .base = 3,
		  .leak = 0.002,
		  .plateau = 2,
		  .tau = 0.01,
		  .back_tau = 0.01,
		  .integer = true },
		{ .base = 26, .leak = 0.002, .noise = 3, .integer = true },
		{ .base = 26, .leak = 0.002, .noise = 3, .integer = true, .scale = 2368 },
		{ .tw_k = 1, .rate = RATE, .integer = true },
		{ .base = 850, .noise = 40 },
	};
	struct synth_col cols[] = {
		COL("tcp.client", UNIT_COUNT, MK_LEVEL, &g[0]),
		COL("sockstat.TCP.inuse", UNIT_COUNT, MK_LEVEL, &g[1]),
		COL("slab.TCP.objs", UNIT_COUNT, MK_LEVEL, &g[2]),
		COL("slab.TCP.bytes", UNIT_BYTES, MK_LEVEL, &g[3]),
		COL("sockstat.TCP.tw", UNIT_COUNT, MK_LEVEL, &g[4]),
		COL("probe.slabinfo.us", UNIT_USEC, MK_COST, &g[5]),
	};
	struct synth_plan pl = {
		.hz = 10, .rate = RATE, .baseline = 3, .churn = 10, .quiesce = 70
	};
	struct run_config cfg = { .sequence = "socket; setsockopt SO_REUSEADDR; connect; "
					      "send 64; close",
				  .preset = "kb",
				  .transport = TR_TCP,
				  .threads = 1 };
	struct analysis_params p;
	struct rendered out;
	const char *pool, *sock;
	size_t a, b;

	(void)state;
	params(&p);
	p.injected_per_cycle = 0.001;
	render(&pl, cols, ARRAY_SIZE(cols), &p, &cfg, "slab.TCP.objs", &out);
	/* The verdict line comes first, injected beside estimated, bytes in the caches. */
	assert_true(!strncmp(out.text, "LEAK: 0.00100 sockets/cycle (injected 0.00100), ", 48));
	assert_non_null(strstr(out.text, "in 1 slab cache (4.6 KiB per leaked"));
	assert_non_null(strstr(out.text, "sequence: socket; setsockopt"));
	assert_non_null(strstr(out.text, "(preset kb) over tcp"));
	/* The pool-tag table with the merged caches' note under its row. */
	pool = strstr(out.text, "Slab caches (pool tags)");
	assert_non_null(pool);
	assert_non_null(strstr(pool, "\n  TCP                    LEAK"));
	assert_non_null(strstr(pool, "merged: TCPv6, UDP-Lite"));
	/* Sockets exact, TIME_WAIT accounted for, phases and figures at the end. */
	assert_non_null(strstr(out.text, "Sockets (counted in the run's own netns: exact)"));
	assert_non_null(strstr(out.text, "TIME_WAIT: peak"));
	assert_non_null(strstr(out.text, "all expired during quiesce"));
	assert_non_null(strstr(out.text, "\nPhases\n"));
	assert_non_null(strstr(out.text, "  baseline"));
	assert_non_null(strstr(out.text, "  quiesce"));
	assert_non_null(strstr(out.text, "probe cost per sample: slabinfo 8"));
	assert_true(strstr(out.text, "Slab caches") < strstr(out.text, "\nPhases\n"));
	/* Why each metric got its class comes before the tables, the leak's own count first. */
	assert_non_null(strstr(out.text, "LEAK in tcp.client, "));
	assert_true(strstr(out.text, "\nWhy (") < strstr(out.text, "Slab caches"));
	/* Right-aligned columns: the header's last letters line up with the values. */
	sock = strstr(out.text, "\nSockets (");
	assert_non_null(sock);
	a = column_end(sock, "  metric", "per cycle");
	b = column_end(sock, "  tcp.client", "0.00100");
	assert_int_equal(a, b);
	check_width(out.text);
	free(out.text);
}

static void test_clean_and_tw_short(void **state)
{
	struct gen tw = { .tw_k = 1, .rate = RATE, .integer = true };
	struct gen client = { .plateau = 1, .tau = 0.01, .back_tau = 0.01, .integer = true };
	struct synth_col cols[] = {
		COL("sockstat.TCP.tw", UNIT_COUNT, MK_LEVEL, &tw),
		COL("tcp.client", UNIT_COUNT, MK_LEVEL, &client),
	};
	struct synth_plan pl = {
		.hz = 10, .rate = RATE, .baseline = 3, .churn = 10, .quiesce = 30
	};
	struct analysis_params p;
	struct rendered out;

	(void)state;
	params(&p);
	render(&pl, cols, 2, &p, NULL, NULL, &out);
	assert_true(!strncmp(out.text, "BOUNDED: growth stayed bounded; TIME_WAIT peaked at", 51));
	assert_non_null(strstr(out.text, "still pending at the end: quiesce 30 s"));
	assert_non_null(strstr(out.text, "TIME_WAIT's 60 s (deferred clean-up, not a leak)"));
	assert_null(strstr(out.text, "sequence:"));
	check_width(out.text);
	free(out.text);

	tw = (struct gen){ .base = 3, .integer = true };
	render(&pl, cols, 2, &p, NULL, NULL, &out);
	assert_true(!strncmp(out.text, "CLEAN: no significant growth in", 31));
	check_width(out.text);
	free(out.text);
}

/* A missed injection is said on the verdict line; INCONCLUSIVE says what length decides. */
static void test_inconclusive_and_missed_injection(void **state)
{
	struct gen g = { .base = 1500, .noise = 40, .leak = 0.0005, .integer = true };
	struct synth_col cols[] = { COL("sockstat.sockets.used", UNIT_COUNT, MK_LEVEL, &g) };
	struct synth_plan pl = {
		.hz = 10, .rate = 10000, .baseline = 3, .churn = 2, .quiesce = 20
	};
	struct analysis_params p;
	struct rendered out;

	(void)state;
	params(&p);
	p.private_netns = false;
	p.injected_per_cycle = 0.0005;
	render(&pl, cols, 1, &p, NULL, NULL, &out);
	assert_true(!strncmp(out.text,
			     "INCONCLUSIVE: noise too large for 20,000 cycles; a run of ~", 59));
	assert_non_null(strstr(out.text, "cycles would decide"));
	assert_non_null(strstr(out.text, "(sockstat.sockets.used)"));
	assert_non_null(strstr(out.text, "(injected 0.0005 sockets/cycle, estimated"));
	assert_non_null(strstr(out.text, "Sockets (host-wide counts)"));
	check_width(out.text);
	free(out.text);
}

static void test_backlog_and_long_names(void **state)
{
	struct gen d = {
		.base = 33900, .noise = 3, .backlog = 0.01, .back_tau = 3, .integer = true
	};
	struct gen n = { .base = 5 };
	struct gen ev = { .base = 7, .backlog = 0.001, .back_tau = 1e12, .integer = true };
	struct synth_col cols[] = {
		COL("slab.dentry.objs", UNIT_COUNT, MK_LEVEL, &d),
		COL("netstat.TcpExtTCPDeferAcceptDropAndAVeryLongCounterName", UNIT_COUNT,
		    MK_COUNTER, &ev),
		COL("meminfo.SUnreclaim", UNIT_BYTES, MK_LEVEL, &n),
	};
	struct synth_plan pl = {
		.hz = 10, .rate = RATE, .baseline = 3, .churn = 10, .quiesce = 30
	};
	struct analysis_params p;
	struct rendered out;

	(void)state;
	params(&p);
	render(&pl, cols, 3, &p, NULL, NULL, &out);
	assert_true(!strncmp(out.text, "BACKLOG: slab.dentry.objs rose +", 32));
	assert_non_null(strstr(out.text, "Counters that moved"));
	assert_non_null(strstr(out.text, "netstat.TcpExt~LongCounterName "));
	assert_non_null(strstr(out.text, "\nWhy (decisive metrics that moved"));
	assert_non_null(strstr(out.text, "rose +2,397 steadily while the loop ran"));
	/* A host figure that did not move is only counted. */
	assert_null(strstr(out.text, "meminfo.SUnreclaim"));
	assert_non_null(strstr(out.text, "\nNot shown: "));
	check_width(out.text);
	free(out.text);
}

static void test_confirm_section(void **state)
{
	struct confirm_metric m = { .col_a = 0,
				    .col_b = 0,
				    .verdict = VERDICT_LEAK,
				    .confidence = 0.99,
				    .residual_a = 300,
				    .residual_b = 900,
				    .ratio = 3,
				    .expected = 3,
				    .per_cycle = 0.001 };
	struct confirm_result c = { .verdict = VERDICT_LEAK,
				    .confidence = 0.99,
				    .cycles_a = 3e5,
				    .cycles_b = 9e5,
				    .m = &m,
				    .nm = 1 };
	struct series s;
	char *text;
	size_t len;
	FILE *f;

	(void)state;
	series_init(&s, 0);
	series_add_named(&s, "tcp.client", UNIT_COUNT, MK_LEVEL, NULL);
	snprintf(c.why, sizeof(c.why), "tcp.client kept 300 then 900");
	f = open_memstream(&text, &len);
	assert_int_equal(report_text_confirm(f, &s, &c, 100), 0);
	fclose(f);
	assert_non_null(strstr(text, "Confirm: LEAK (99%) over 300000 and 900000 cycles"));
	assert_non_null(strstr(text, "tcp.client"));
	check_width(text);
	free(text);
	series_free(&s);
}

static size_t lines(const char *text)
{
	size_t n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

/*
 * A real KB run (tests/unit/data/kb_bursts.csv): the verdict and why first, only what moved in
 * the tables, no tcp4/tcp6 split, TIME_WAIT's cap said, the quiet rest in one line.
 */
static void test_real_kb_report(void **state)
{
	struct analysis_params p;
	struct series s;
	struct result r;
	char *text;
	size_t len;
	const char *why, *sockets, *states;
	FILE *f;

	(void)state;
	params(&p);
	assert_int_equal(fixture_load("tests/unit/data/kb_bursts.csv", &s), 0);
	assert_int_equal(analyse(&s, &p, &r), 0);
	f = open_memstream(&text, &len);
	assert_int_equal(report_text(f, &s, &r, NULL, 100), 0);
	fclose(f);
	if (getenv("SOCKLEAK_TEST_VERBOSE"))
		fprintf(stderr, "%s\n", text);
	assert_true(
		!strncmp(text, "BOUNDED: growth stayed bounded; TIME_WAIT peaked at 14,153", 58));
	why = strstr(text, "\nWhy (");
	sockets = strstr(text, "\nSockets (");
	states = strstr(text, "\nTCP states\n");
	assert_true(why && sockets && states && why < sockets && sockets < states);
	assert_non_null(strstr(text, "no sustained rise"));
	assert_null(strstr(text, "tcp4."));
	assert_null(strstr(text, "tcp6."));
	/* TCP states that never moved are counted, not listed. */
	assert_null(strstr(states, "tcp.state.ESTABLISHED"));
	assert_non_null(strstr(states, "tcp.state.CLOSE_WAIT"));
	assert_non_null(strstr(states, "it stopped growing at about 14,136 while the loop ran"));
	assert_non_null(strstr(text, "\nNot shown: "));
	assert_null(strstr(text, "decisive metrics showed nothing"));
	assert_true(lines(text) < 80);
	check_width(text);
	free(text);
	result_free(&r);
	series_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leak_report),
		cmocka_unit_test(test_clean_and_tw_short),
		cmocka_unit_test(test_inconclusive_and_missed_injection),
		cmocka_unit_test(test_backlog_and_long_names),
		cmocka_unit_test(test_confirm_section),
		cmocka_unit_test(test_real_kb_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
