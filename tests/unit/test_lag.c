/* Unit tests for src/analysis/lag.c: clean-up work that lagged a loop of one namespace per cycle. */
#include "verdict_fixture.h"

#include "report/report.h"
#include "report/text.h"

#include <unistd.h>

/*
 * A namespace per cycle: the net_namespace cache stands far above what per-CPU slabs keep while
 * the loop runs and comes back in 0.3 s; analysed with or without the flag that says so.
 */
static void netns_run(bool per_cycle, struct series *s, struct result *r)
{
	struct gen o = {
		.base = 28, .noise = 2, .plateau = 800, .tau = 0.5, .back_tau = 0.1, .integer = true
	};
	struct gen b = o, none = { .base = 1, .integer = true };
	struct synth_col cols[] = {
		COL("slab.net_namespace.objs", UNIT_COUNT, MK_LEVEL, &o),
		COL("slab.net_namespace.bytes", UNIT_BYTES, MK_LEVEL, &b),
		COL("sockstat.sockets.used", UNIT_COUNT, MK_LEVEL, &none),
	};
	struct synth_plan pl = plan(10, 10);
	struct analysis_params p;

	b.scale = 4480;
	pl.rate = 2000; /* 20000 cycles: too few for the socket counts alone to decide */
	params(&p);
	p.netns_per_cycle = per_cycle;
	run(&pl, cols, ARRAY_SIZE(cols), &p, s, r);
}

/*
 * The loop held none of those namespaces: clean-up work lagged it (BACKLOG). Without a namespace
 * per cycle the same shape is a plateau (BOUNDED), and the run's own socket counts, which see
 * nothing, do not make it INCONCLUSIVE.
 */
static void test_netns_lag_backlog(void **state)
{
	const struct metric_result *m;
	struct series s;
	struct result r;
	int pass;

	(void)state;
	for (pass = 0; pass < 2; pass++) {
		netns_run(pass == 0, &s, &r);
		m = get(&r, &s, "slab.net_namespace.objs");
		if (pass == 0) {
			assert_int_equal(r.verdict, VERDICT_BACKLOG);
			assert_int_equal(m->verdict, VERDICT_BACKLOG);
			assert_non_null(strstr(m->why, "clean-up work lagged the loop, caught up"));
			m = get(&r, &s, "slab.net_namespace.bytes");
			assert_int_equal(m->verdict, VERDICT_BACKLOG);
			assert_non_null(strstr(m->why, "MiB above its baseline"));
		} else {
			assert_int_equal(m->verdict, VERDICT_BOUNDED);
			assert_int_not_equal(r.verdict, VERDICT_BACKLOG);
		}
		result_free(&r);
		series_free(&s);
	}
}

static char *text_of(const struct report_in *in)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(report_text(f, in->s, in->r, NULL, 100), 0);
	fclose(f);
	return buf;
}

/* Text wraps at 100 columns: compared with its lines joined. */
static bool says(const char *text, const char *what)
{
	char *flat = strdup(text), *p, *q;
	bool yes;

	assert_non_null(flat);
	for (p = q = flat; *p; p++) {
		if (*p == '\n') {
			while (p[1] == ' ')
				p++;
			if (q > flat && q[-1] != ' ')
				*q++ = ' ';
			continue;
		}
		*q++ = *p;
	}
	*q = '\0';
	yes = strstr(flat, what) != NULL;
	free(flat);
	return yes;
}

/*
 * The headline of the BACKLOG comes from the reason code the analysis chose: the JSON carries it
 * with its figures, and the text, the HTML page and the text re-rendered from the JSON say the
 * same sentence.
 */
static void test_netns_lag_headline(void **state)
{
	struct report_in in = { 0 };
	struct report_run back;
	struct series s;
	struct result r;
	char head[240], path[] = "/tmp/sockleak-test-lag-XXXXXX", *text, *html = NULL, *again;
	json_t *root, *res;
	size_t len = 0;
	FILE *f;
	int fd;

	(void)state;
	netns_run(true, &s, &r);
	assert_int_equal(r.verdict, VERDICT_BACKLOG);
	assert_int_equal(r.reason.code, RS_NETNS_LAG);
	reason_backlog(head, sizeof(head), &r.reason, UNIT_COUNT);
	assert_non_null(strstr(head, "namespace clean-up work lagged the loop, caught up "));
	in.s = &s;
	in.r = &r;

	text = text_of(&in);
	if (!says(text, "BACKLOG: slab.net_namespace.objs ") || !says(text, head))
		fail_msg("the text's headline is not '%s':\n%s", head, text);
	f = open_memstream(&html, &len);
	assert_int_equal(report_html_write(f, &in), 0);
	fclose(f);
	if (!strstr(html, head))
		fail_msg("the page's headline is not '%s'", head);

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_int_equal(report_json_write(f, &in), 0);
	fclose(f);
	root = json_load_file(path, 0, NULL);
	assert_non_null(root);
	res = json_object_get(root, "result");
	assert_string_equal(json_string_value(json_object_get(res, "reason")),
			    "netns-clean-up-lagged");
	assert_int_equal(json_array_size(json_object_get(res, "figures")), REASON_FIGS);
	json_decref(root);
	assert_int_equal(report_json_load(path, &back), 0);
	unlink(path);
	in.s = &back.s;
	in.r = &back.r;
	again = text_of(&in);
	assert_string_equal(again, text);
	free(again);
	report_run_free(&back);
	free(html);
	free(text);
	result_free(&r);
	series_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netns_lag_backlog),
		cmocka_unit_test(test_netns_lag_headline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
