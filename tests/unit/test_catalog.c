/*
 * Unit tests for the metric catalog (src/model/catalog.c): what the probes declare is what the
 * schema-1 shim reads from the names, so old and new reports are judged alike; the names of its
 * enums read back; and analysis goes by the descriptor, not by the name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "analysis/analysis.h"
#include "gen.h"
#include "netns_fixture.h"
#include "probe_fixture.h"

static void assert_same_str(const char *a, const char *b, const char *what, const char *name)
{
	if ((a == NULL) != (b == NULL) || (a && strcmp(a, b)))
		fail_msg("%s %s: probe '%s', shim '%s'", name, what, a ? a : "(null)",
			 b ? b : "(null)");
}

/* Every column of s: the probe's descriptor equals the one the shim gives its name. */
static size_t check_series(const struct series *s)
{
	size_t j;

	for (j = 0; j < s->ncols; j++) {
		const struct series_col *c = &s->cols[j];
		struct metric_desc v1;
		char buf[256];

		metric_desc_v1(c->name, c->d.unit, c->d.kind, c->d.note, &v1, buf, sizeof(buf));
		if (c->d.cls != v1.cls || c->d.families != v1.families ||
		    c->d.traits != v1.traits || c->d.kind != v1.kind || c->d.unit != v1.unit)
			fail_msg("%s: probe says %s families %#x traits %#x, shim %s %#x %#x",
				 c->name, metric_class_name(c->d.cls), c->d.families, c->d.traits,
				 metric_class_name(v1.cls), v1.families, v1.traits);
		assert_same_str(c->d.source, v1.source, "source", c->name);
		assert_same_str(c->d.object, v1.object, "object", c->name);
		assert_same_str(c->d.holds, v1.holds, "holds", c->name);
	}
	return s->ncols;
}

static int col(const struct series *s, const char *name)
{
	int c = series_find(s, name);

	if (c < 0)
		fail_msg("no column %s", name);
	return c;
}

/* The probes on captured files: meminfo, slabinfo with SLUB merges, sockstat, netstat, proc, memcg. */
static void test_probes_match_shim(void **state)
{
	struct probe_ctx ctx = { .root = fixture("host"),
				 .netns_fd = -1,
				 .pid = 4242,
				 .cgroup = "/cgroup/v1",
				 .cgroup_version = 1 };
	struct probe_ctx v2 = { .root = fixture(""), .netns_fd = -1, .cgroup = "/cgroup-v2" };
	struct probe_set ps;
	struct probe p;
	struct series s;
	const struct metric_desc *d;

	(void)state;
	series_init(&s, 0);
	assert_int_equal(probes_open(&ps, &ctx, &s, true), 0);
	assert_int_equal(probe_once(&memcg_probe, &p, &v2, &s), 0);
	memcg_probe.close(&p);
	assert_true(check_series(&s) > 100);

	/* A few by hand, so that a shim and probes wrong alike do not pass. */
	d = &s.cols[col(&s, "slab.tw_sock_TCP.objs")].d;
	assert_int_equal(d->cls, MC_SLAB_OBJS);
	assert_true(desc_has(d, MT_TIME_WAIT | MT_SOCKET_CACHE | MT_HOST));
	assert_string_equal(d->object, "tw_sock_TCP");
	d = &s.cols[col(&s, "slab.TCP.total_bytes")].d;
	assert_int_equal(d->cls, MC_SLAB_PAGES);
	assert_true(desc_holds_sockets(d, FAM_TCP) && !desc_holds_sockets(d, FAM_UDP));
	d = &s.cols[col(&s, "slab.sock_inode_cache.bytes")].d;
	assert_true(desc_holds_sockets(d, FAM_UNIX));
	d = &s.cols[col(&s, "sockstat.TCP.tw")].d;
	assert_int_equal(d->cls, MC_TIME_WAIT);
	assert_true(desc_has(d, MT_NETNS | MT_TIME_WAIT) && !desc_has(d, MT_PART));
	d = &s.cols[col(&s, "sockstat.TCP.alloc")].d;
	assert_true(desc_has(d, MT_HOST | MT_ADVISORY) && !desc_has(d, MT_NETNS));
	d = &s.cols[col(&s, "sockstat.sockets.used")].d;
	assert_true(desc_has(d, MT_TOTAL | MT_KEY) && d->families == 0);
	d = &s.cols[col(&s, "meminfo.MemAvailable")].d;
	assert_true(desc_has(d, MT_FALLS | MT_ADVISORY));
	assert_true(desc_sign(d) < 0);
	d = &s.cols[col(&s, "memcg.kmem")].d;
	assert_true(d->cls == MC_MEMCG && desc_has(d, MT_TOTAL));
	d = &s.cols[col(&s, "memcg.kernel")].d;
	assert_true(d->cls == MC_MEMCG && desc_has(d, MT_TOTAL));
	assert_true(desc_has(&s.cols[col(&s, "memcg.usage")].d, MT_ADVISORY));
	assert_int_equal(s.cols[col(&s, "netstat.TWRecycled")].d.cls, MC_TW_RECYCLED);
	assert_int_equal(s.cols[col(&s, "proc.fds")].d.cls, MC_FDS);
	d = &s.cols[col(&s, "probe.slabinfo.us")].d;
	assert_true(d->cls == MC_COST && !strcmp(d->object, "slabinfo"));
	/* A merged line: the socket caches it holds, by name, not in a sentence. */
	d = &s.cols[col(&s, "slab.eventpoll_epi.objs")].d;
	assert_true(desc_has(d, MT_MERGED | MT_SOCKET_CACHE));
	assert_non_null(d->holds);
	assert_non_null(strstr(d->holds, "tcp_bind_bucket"));
	probes_close(&ps);
	series_free(&s);
}

/* sock_diag's counts, on a live netns with a TCP server of its own. */
static void test_sockdiag_matches_shim(void **state)
{
	struct probe_ctx ctx = { .root = "", .netns_fd = -1 };
	struct test_netns tn = { -1, -1 };
	struct test_server sv;
	uint16_t port = 0;
	struct probe_set ps;
	struct series s;
	const struct metric_desc *d;

	(void)state;
	if (test_netns_create(&tn))
		skip();
	test_netns_enter(&tn);
	assert_int_equal(test_server_start(&sv, AF_INET, NULL, &port), 0);
	test_netns_leave(&tn);
	ctx.netns_fd = tn.ns;
	ctx.server_port = port;
	series_init(&s, 0);
	assert_int_equal(probes_open(&ps, &ctx, &s, true), 0);
	assert_true(ps.p[PROBE_SOCKDIAG].on);
	check_series(&s);
	d = &s.cols[col(&s, "tcp.client")].d;
	assert_true(d->cls == MC_SOCKETS && desc_has(d, MT_CLIENT | MT_KEY | MT_NETNS));
	assert_int_equal(d->families, FAM_TCP);
	d = &s.cols[col(&s, "tcp.state.TIME_WAIT")].d;
	assert_true(d->cls == MC_TIME_WAIT && desc_has(d, MT_PART | MT_TIME_WAIT));
	assert_true(desc_has(&s.cols[col(&s, "tcp4.state.ESTABLISHED")].d, MT_SPLIT));
	assert_int_equal(s.cols[col(&s, "unix.state.LISTEN")].d.families, FAM_UNIX);
	probes_close(&ps);
	series_free(&s);
	test_server_stop(&sv);
	test_netns_destroy(&tn);
}

/* Every name of every enum reads back as its value; unknown names are refused. */
static void test_names_read_back(void **state)
{
	enum metric_class c;
	enum metric_kind k;
	enum unit u;
	unsigned i, b;

	(void)state;
	for (i = 0; i < MC_NAMES; i++) {
		assert_int_equal(metric_class_parse(metric_class_name((enum metric_class)i), &c),
				 0);
		assert_int_equal(c, i);
	}
	for (i = 0; i < MK_NAMES; i++) {
		assert_int_equal(kind_parse(kind_name((enum metric_kind)i), &k), 0);
		assert_int_equal(k, i);
	}
	for (i = 0; i < UNIT_NAMES; i++) {
		assert_int_equal(unit_parse(unit_name((enum unit)i), &u), 0);
		assert_int_equal(u, i);
	}
	for (i = 0; i < MT_NAMES; i++) {
		assert_int_equal(trait_parse(trait_name(i), &b), 0);
		assert_int_equal(b, i);
	}
	for (i = 0; i < FAM_NAMES; i++) {
		assert_int_equal(family_parse(family_name(i), &b), 0);
		assert_int_equal(b, i);
	}
	assert_string_equal(metric_class_name(MC_NAMES), "?");
	assert_int_equal(metric_class_parse("slab", &c), -EINVAL);
	assert_int_equal(trait_parse(NULL, &b), -EINVAL);
}

/*
 * One column whose name says nothing, with the figures of a socket leak: its descriptor alone
 * makes it the run's leaked client sockets, or an advisory figure that never decides.
 */
static void test_descriptor_decides(void **state)
{
	struct gen g = { .leak = 0.001, .integer = true };
	struct synth_col cols[] = { { "m", UNIT_COUNT, MK_LEVEL, gen_value, &g } };
	struct synth_plan pl = {
		.hz = 10, .rate = 30000, .baseline = 3, .churn = 10, .quiesce = 10
	};
	struct metric_desc client = { .kind = MK_LEVEL,
				      .unit = UNIT_COUNT,
				      .cls = MC_SOCKETS,
				      .families = FAM_TCP,
				      .traits = MT_NETNS | MT_CLIENT | MT_KEY };
	struct metric_desc advisory = { .kind = MK_LEVEL,
					.unit = UNIT_COUNT,
					.traits = MT_ADVISORY };
	struct analysis_params p;
	struct series s;
	struct result r;

	(void)state;
	analysis_defaults(&p);
	assert_int_equal(synth_build(&s, &pl, cols, 1), 0);
	assert_int_equal(series_describe(&s, 0, &client), 0);
	assert_int_equal(analyse(&s, &p, &r), 0);
	assert_int_equal(r.verdict, VERDICT_LEAK);
	assert_int_equal(r.verdict_col, 0);
	assert_int_equal(r.socket_col, 0);
	assert_float_equal(r.leaked_sockets_per_cycle, 0.001, 1e-4);
	result_free(&r);

	g = (struct gen){ .leak = 0.001, .integer = true };
	series_free(&s);
	assert_int_equal(synth_build(&s, &pl, cols, 1), 0);
	assert_int_equal(series_describe(&s, 0, &advisory), 0);
	assert_int_equal(analyse(&s, &p, &r), 0);
	assert_int_equal(r.m[0].verdict, VERDICT_LEAK);
	assert_false(r.m[0].decisive);
	assert_int_equal(r.verdict, VERDICT_CLEAN);
	assert_int_equal(r.socket_col, -1);
	result_free(&r);
	series_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probes_match_shim),
		cmocka_unit_test(test_sockdiag_matches_shim),
		cmocka_unit_test(test_names_read_back),
		cmocka_unit_test(test_descriptor_decides),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
