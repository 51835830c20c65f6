/* Unit tests for src/analysis/verdict.c: synthetic series with known answers, class by class. */
#include "verdict_fixture.h"

static void test_clean_realistic_noise(void **state)
{
	struct gen client = { .plateau = 1, .tau = 0.01, .back_tau = 0.01, .integer = true };
	struct gen inuse = {
		.base = 3, .plateau = 2, .tau = 0.01, .back_tau = 0.01, .integer = true
	};
	struct gen tcp = { .base = 26, .noise = 2, .integer = true };
	struct gen tcpb = { .base = 26, .noise = 2, .integer = true, .scale = 2368 };
	struct gen k64 = { .base = 2140, .noise = 10, .integer = true };
	struct gen sun = { .base = 23e6, .noise = 100e3 };
	struct gen avail = { .base = 24.9e9, .noise = 200e3 };
	struct gen ctr = { .base = 100 };
	struct gen cost = { .base = 50, .noise = 10 };
	struct synth_col cols[] = {
		COL("tcp.client", UNIT_COUNT, MK_LEVEL, &client),
		COL("sockstat.TCP.inuse", UNIT_COUNT, MK_LEVEL, &inuse),
		COL("slab.TCP.objs", UNIT_COUNT, MK_LEVEL, &tcp),
		COL("slab.TCP.bytes", UNIT_BYTES, MK_LEVEL, &tcpb),
		COL("slab.kmalloc-64.objs", UNIT_COUNT, MK_LEVEL, &k64),
		COL("meminfo.SUnreclaim", UNIT_BYTES, MK_LEVEL, &sun),
		COL("meminfo.MemAvailable", UNIT_BYTES, MK_LEVEL, &avail),
		COL("netstat.TcpExtTCPTimeouts", UNIT_COUNT, MK_COUNTER, &ctr),
		COL("probe.slab.us", UNIT_USEC, MK_COST, &cost),
	};
	struct synth_plan pl = plan(10, 30);
	struct analysis_params p;
	struct series s;
	struct result r;
	size_t i;

	(void)state;
	params(&p);
	run(&pl, cols, ARRAY_SIZE(cols), &p, &s, &r);
	assert_int_equal(r.verdict, VERDICT_CLEAN);
	assert_int_equal(r.nm, ARRAY_SIZE(cols) - 1); /* the cost column is not judged */
	for (i = 0; i < r.nm; i++)
		if (r.m[i].decisive)
			assert_int_equal(r.m[i].verdict, VERDICT_CLEAN);
	assert_int_equal(r.cycles, 300000);
	assert_float_equal(r.leaked_sockets_per_cycle, 0, 1e-9);
	assert_int_equal(r.socket_col, series_find(&s, "tcp.client"));
	assert_false(get(&r, &s, "netstat.TcpExtTCPTimeouts")->moved);
	assert_false(get(&r, &s, "meminfo.SUnreclaim")->decisive);
	assert_int_equal(r.npools, 0);
	result_free(&r);
	series_free(&s);
}

static void test_plateau_bounded(void **state)
{
	struct gen o = {
		.base = 190, .noise = 1, .plateau = 500, .tau = 0.5, .back_tau = 1, .integer = true
	};
	struct gen b = o;
	struct synth_col cols[] = {
		COL("slab.sock_inode_cache.objs", UNIT_COUNT, MK_LEVEL, &o),
		COL("slab.sock_inode_cache.bytes", UNIT_BYTES, MK_LEVEL, &b),
	};
	struct synth_plan pl = plan(10, 30);
	struct analysis_params p;
	const struct metric_result *m;
	struct series s;
	struct result r;

	(void)state;
	b.scale = 832;
	params(&p);
	run(&pl, cols, ARRAY_SIZE(cols), &p, &s, &r);
	assert_int_equal(r.verdict, VERDICT_BOUNDED);
	m = get(&r, &s, "slab.sock_inode_cache.objs");
	assert_int_equal(m->verdict, VERDICT_BOUNDED);
	assert_float_equal(m->peak, 500, 10);
	assert_float_equal(m->residual, 0, 3);
	assert_true(m->confidence > 0.9);
	assert_non_null(strstr(m->why, "plateau"));
	assert_int_equal(r.npools, 1);
	assert_string_equal(r.pools[0].cache, "sock_inode_cache");
	assert_int_equal(r.pools[0].verdict, VERDICT_BOUNDED);
	result_free(&r);
	series_free(&s);
}

static void test_backlog(void **state)
{
	struct gen d = {
		.base = 33900, .noise = 3, .backlog = 0.01, .back_tau = 3, .integer = true
	};
	struct synth_col cols[] = { COL("slab.dentry.objs", UNIT_COUNT, MK_LEVEL, &d) };
	struct synth_plan pl = plan(10, 40);
	struct analysis_params p;
	const struct metric_result *m;
	struct series s;
	struct result r;

	(void)state;
	params(&p);
	run(&pl, cols, 1, &p, &s, &r);
	m = get(&r, &s, "slab.dentry.objs");
	assert_int_equal(m->verdict, VERDICT_BACKLOG);
	assert_int_equal(r.verdict, VERDICT_BACKLOG);
	assert_float_equal(m->slope, 0.01, 0.001);
	assert_float_equal(m->slope_late, 0.01, 0.002);
	assert_true(m->residual < 10);
	result_free(&r);
	series_free(&s);
}

/* --inject-leak 1000: one client socket kept every 1000 cycles, the server holding its end. */
static void leak_cols(struct gen g[9], struct synth_col cols[9])
{
	struct synth_col c[9] = {
		COL("tcp.client", UNIT_COUNT, MK_LEVEL, &g[0]),
		COL("sockstat.TCP.inuse", UNIT_COUNT, MK_LEVEL, &g[1]),
		COL("slab.TCP.objs", UNIT_COUNT, MK_LEVEL, &g[2]),
		COL("slab.TCP.bytes", UNIT_BYTES, MK_LEVEL, &g[3]),
		COL("slab.sock_inode_cache.objs", UNIT_COUNT, MK_LEVEL, &g[4]),
		COL("slab.sock_inode_cache.bytes", UNIT_BYTES, MK_LEVEL, &g[5]),
		COL("sockstat.TCP.tw", UNIT_COUNT, MK_LEVEL, &g[6]),
		COL("slab.tw_sock_TCP.objs", UNIT_COUNT, MK_LEVEL, &g[7]),
		COL("netstat.TcpExtListenOverflows", UNIT_COUNT, MK_COUNTER, &g[8]),
	};

	memset(g, 0, 9 * sizeof(*g));
	g[0] = (struct gen){
		.leak = 0.001, .plateau = 1, .tau = 0.01, .back_tau = 0.01, .integer = true
	};
	g[1] = (struct gen){ .base = 3,
			     .leak = 0.002,
			     .plateau = 2,
			     .tau = 0.01,
			     .back_tau = 0.01,
			     .integer = true };
	g[2] = (struct gen){ .base = 26, .leak = 0.002, .noise = 3, .integer = true };
	g[3] = g[2];
	g[3].scale = 2368;
	g[4] = (struct gen){ .base = 190, .leak = 0.002, .noise = 3, .integer = true };
	g[5] = g[4];
	g[5].scale = 832;
	g[6] = (struct gen){ .tw_k = 1, .rate = RATE, .integer = true };
	g[7] = (struct gen){ .base = 32, .tw_k = 1, .rate = RATE, .noise = 2, .integer = true };
	g[8] = (struct gen){ .base = 7, .backlog = 0.0001, .back_tau = 1e9, .integer = true };
	memcpy(cols, c, sizeof(c));
}

static void check_leak(const struct result *r, const struct series *s, double tol)
{
	const struct metric_result *m;
	size_t i;

	assert_int_equal(r->verdict, VERDICT_LEAK);
	assert_float_equal(r->injected_per_cycle, 0.001, 0);
	assert_float_equal(r->leaked_sockets_per_cycle, 0.001, 0.001 * tol);
	assert_int_equal(r->socket_col, series_find(s, "tcp.client"));
	m = get(r, s, "tcp.client");
	assert_int_equal(m->verdict, VERDICT_LEAK);
	assert_true(m->confidence > 0.99);
	assert_int_equal(get(r, s, "sockstat.TCP.inuse")->verdict, VERDICT_LEAK);
	assert_float_equal(get(r, s, "sockstat.TCP.inuse")->residual_per_cycle, 0.002, 0.002 * tol);
	/* TIME_WAIT grew hugely but is deferred clean-up; the counter is an event count. */
	assert_int_equal(get(r, s, "sockstat.TCP.tw")->verdict, VERDICT_BOUNDED);
	assert_true(get(r, s, "sockstat.TCP.tw")->tw_explained);
	assert_int_equal(get(r, s, "slab.tw_sock_TCP.objs")->verdict, VERDICT_BOUNDED);
	assert_int_equal(get(r, s, "netstat.TcpExtListenOverflows")->verdict, VERDICT_CLEAN);
	assert_true(get(r, s, "netstat.TcpExtListenOverflows")->moved);
	/* The pool-tag table: both socket caches, bytes per cycle from their object sizes. */
	assert_true(r->npools >= 2);
	assert_int_equal(r->leak_caches, 2);
	for (i = 0; i < 2; i++) {
		const struct pool_row *pr = &r->pools[i];

		assert_int_equal(pr->verdict, VERDICT_LEAK);
		assert_float_equal(pr->objs_per_cycle, 0.002, 0.002 * 3 * tol);
		if (!strcmp(pr->cache, "TCP"))
			assert_float_equal(pr->bytes_per_cycle, 0.002 * 2368,
					   2368 * 0.002 * 3 * tol);
		else
			assert_string_equal(pr->cache, "sock_inode_cache");
	}
	/* Largest first. */
	assert_string_equal(r->pools[0].cache, "TCP");
	assert_float_equal(r->leaked_bytes_per_cycle, 0.002 * (2368 + 832), 3200 * 0.002 * 3 * tol);
}

static void test_leak_estimate(void **state)
{
	struct gen g[9];
	struct synth_col cols[9];
	struct synth_plan pl = plan(10, 70);
	struct analysis_params p;
	struct series s;
	struct result r;

	(void)state;
	leak_cols(g, cols);
	params(&p);
	p.injected_per_cycle = 0.001;
	run(&pl, cols, 9, &p, &s, &r);
	check_leak(&r, &s, 0.01);
	assert_true(r.quiesce_stable);
	assert_false(r.tw_short_quiesce);
	assert_float_equal(r.tw_pending, 0, 0);
	assert_float_equal(r.tw_peak, 300000, 3000);
	result_free(&r);
	series_free(&s);
}

/* Folded rows (averages of 2^k samples) must give the same answers. */
static void test_leak_folded(void **state)
{
	struct gen g[9];
	struct synth_col cols[9];
	struct synth_plan pl = plan(20, 70);
	struct analysis_params p;
	struct series s;
	struct result r;

	(void)state;
	leak_cols(g, cols);
	pl.max_rows = 64;
	params(&p);
	p.injected_per_cycle = 0.001;
	run(&pl, cols, 9, &p, &s, &r);
	assert_true(s.fold >= 4);
	assert_true(s.nrows <= 64);
	check_leak(&r, &s, 0.03);
	result_free(&r);
	series_free(&s);
}

static void test_backlog_folded(void **state)
{
	struct gen d = {
		.base = 33900, .noise = 3, .backlog = 0.01, .back_tau = 3, .integer = true
	};
	struct synth_col cols[] = { COL("slab.dentry.objs", UNIT_COUNT, MK_LEVEL, &d) };
	struct synth_plan pl = plan(30, 40);
	struct analysis_params p;
	struct series s;
	struct result r;

	(void)state;
	pl.max_rows = 128;
	params(&p);
	run(&pl, cols, 1, &p, &s, &r);
	assert_true(s.fold >= 2);
	assert_int_equal(r.verdict, VERDICT_BACKLOG);
	result_free(&r);
	series_free(&s);
}

/*
 * A busy host's socket total (not the run's own netns) hides 10 leaked sockets in noise of 40:
 * INCONCLUSIVE, not CLEAN, with a length that would decide. A run of that length then does.
 */
static void test_noise_hides_small_leak(void **state)
{
	struct gen g = { .base = 1500, .noise = 40, .leak = 0.0005, .integer = true };
	struct synth_col cols[] = { COL("sockstat.sockets.used", UNIT_COUNT, MK_LEVEL, &g) };
	struct synth_plan pl = {
		.hz = 10, .rate = 10000, .baseline = 3, .churn = 2, .quiesce = 20
	};
	struct analysis_params p;
	const struct metric_result *m;
	struct series s;
	struct result r;
	double need;

	(void)state;
	params(&p);
	p.private_netns = false;
	run(&pl, cols, 1, &p, &s, &r);
	m = get(&r, &s, "sockstat.sockets.used");
	assert_int_equal(m->verdict, VERDICT_INCONCLUSIVE);
	assert_int_equal(r.verdict, VERDICT_INCONCLUSIVE);
	need = m->cycles_to_decide;
	assert_true(need > 2 * r.cycles && need < 1000 * r.cycles);
	assert_float_equal(r.cycles_to_decide, need, 0);
	assert_non_null(strstr(m->why, "would decide"));
	assert_false(r.sockets_exact);
	result_free(&r);
	series_free(&s);

	/* The length it asked for finds the leak. */
	g = (struct gen){ .base = 1500, .noise = 40, .leak = 0.0005, .integer = true };
	pl.churn = need / pl.rate;
	run(&pl, cols, 1, &p, &s, &r);
	assert_int_equal(get(&r, &s, "sockstat.sockets.used")->verdict, VERDICT_LEAK);
	assert_float_equal(r.leaked_sockets_per_cycle, 0.0005 / 2, 0.0005 / 2 * 0.25);
	result_free(&r);
	series_free(&s);
}

/* The KB sequence with graceful close: TIME_WAIT grows by one socket per cycle, then expires. */
static void tw_cols(struct gen g[7], struct synth_col cols[7])
{
	struct synth_col c[7] = {
		COL("sockstat.TCP.tw", UNIT_COUNT, MK_LEVEL, &g[0]),
		COL("tcp.state.TIME_WAIT", UNIT_COUNT, MK_LEVEL, &g[1]),
		COL("slab.tw_sock_TCP.objs", UNIT_COUNT, MK_LEVEL, &g[2]),
		COL("slab.kmalloc-256.objs", UNIT_COUNT, MK_LEVEL, &g[3]),
		COL("meminfo.Slab", UNIT_BYTES, MK_LEVEL, &g[4]),
		COL("sockstat.TCP.inuse", UNIT_COUNT, MK_LEVEL, &g[5]),
		COL("tcp.client", UNIT_COUNT, MK_LEVEL, &g[6]),
	};

	memset(g, 0, 7 * sizeof(*g));
	g[0] = (struct gen){ .tw_k = 1, .rate = RATE, .integer = true };
	g[1] = g[0];
	g[2] = (struct gen){ .base = 32, .tw_k = 1, .rate = RATE, .noise = 2, .integer = true };
	g[3] = (struct gen){ .base = 784, .tw_k = 0.06, .rate = RATE, .noise = 3, .integer = true };
	g[4] = (struct gen){ .base = 74e6, .tw_k = 256, .rate = RATE, .noise = 50e3 };
	g[5] = (struct gen){
		.base = 1, .plateau = 1, .tau = 0.01, .back_tau = 0.01, .integer = true
	};
	g[6] = (struct gen){ .plateau = 1, .tau = 0.01, .back_tau = 0.01, .integer = true };
	memcpy(cols, c, sizeof(c));
}

static void test_time_wait_bounded(void **state)
{
	struct gen g[7];
	struct synth_col cols[7];
	struct synth_plan pl = plan(10, 75);
	struct analysis_params p;
	const struct metric_result *m;
	struct series s;
	struct result r;
	size_t i;

	(void)state;
	tw_cols(g, cols);
	params(&p);
	run(&pl, cols, 7, &p, &s, &r);
	assert_int_equal(r.verdict, VERDICT_BOUNDED);
	for (i = 0; i < 5; i++) {
		m = get(&r, &s, cols[i].name);
		assert_int_equal(m->verdict, VERDICT_BOUNDED);
		assert_true(m->tw_explained);
	}
	m = get(&r, &s, "slab.kmalloc-256.objs");
	assert_non_null(strstr(m->why, "TIME_WAIT"));
	assert_non_null(strstr(get(&r, &s, "sockstat.TCP.tw")->why, "expired"));
	assert_int_equal(get(&r, &s, "tcp.client")->verdict, VERDICT_CLEAN);
	assert_float_equal(r.tw_peak, 300000, 3000);
	assert_float_equal(r.tw_pending, 0, 0);
	result_free(&r);
	series_free(&s);
}

/*
 * Quiesce shorter than TIME_WAIT's 60 s: the tw sockets are still there at the end. They stay
 * BOUNDED and the report says so; a client count that includes them plus a real leak is a LEAK of
 * the right size once the TIME_WAIT part is taken off.
 */
static void test_time_wait_short_quiesce(void **state)
{
	struct gen g[7];
	struct synth_col cols[7];
	struct synth_plan pl = plan(10, 30);
	struct analysis_params p;
	const struct metric_result *m;
	struct series s;
	struct result r;

	(void)state;
	tw_cols(g, cols);
	g[6] = (struct gen){ .leak = 0.001, .tw_k = 1, .rate = RATE, .integer = true };
	params(&p);
	run(&pl, cols, 7, &p, &s, &r);
	assert_true(r.tw_short_quiesce);
	assert_float_equal(r.tw_pending, 300000, 3000);
	m = get(&r, &s, "sockstat.TCP.tw");
	assert_int_equal(m->verdict, VERDICT_BOUNDED);
	assert_non_null(strstr(m->why, "still pending"));
	assert_int_equal(get(&r, &s, "slab.tw_sock_TCP.objs")->verdict, VERDICT_BOUNDED);
	assert_int_equal(get(&r, &s, "slab.kmalloc-256.objs")->verdict, VERDICT_BOUNDED);
	m = get(&r, &s, "tcp.client");
	assert_int_equal(m->verdict, VERDICT_LEAK);
	assert_float_equal(m->residual_per_cycle, 0.001, 0.00001);
	assert_float_equal(m->tw_part, 300000, 3000);
	assert_float_equal(r.leaked_sockets_per_cycle, 0.001, 0.00001);
	assert_int_equal(r.verdict, VERDICT_LEAK);
	result_free(&r);
	series_free(&s);
}

/* System noise on byte figures, socket counts clean: never a LEAK, over many seeds. */
static void test_noisy_bytes_not_leak(void **state)
{
	unsigned seed;

	(void)state;
	for (seed = 1; seed <= 12; seed++) {
		struct gen client = {
			.plateau = 1, .tau = 0.01, .back_tau = 0.01, .integer = true
		};
		struct gen sun = { .base = 23e6, .noise = 60e3, .walk = 30e3 };
		struct gen k256 = {
			.base = 800 * 256.0, .noise = 8e3, .step = 400e3, .step_at = 3 + seed % 10
		};
		struct gen kmem = { .base = 50e6, .noise = 100e3, .walk = 20e3 };
		struct gen slab = { .base = 74e6, .noise = 80e3, .walk = 40e3 };
		struct synth_col cols[] = {
			COL("tcp.client", UNIT_COUNT, MK_LEVEL, &client),
			COL("meminfo.SUnreclaim", UNIT_BYTES, MK_LEVEL, &sun),
			COL("meminfo.Slab", UNIT_BYTES, MK_LEVEL, &slab),
			COL("slab.kmalloc-256.bytes", UNIT_BYTES, MK_LEVEL, &k256),
			COL("memcg.kmem", UNIT_BYTES, MK_LEVEL, &kmem),
		};
		struct synth_plan pl = plan(10, 40);
		struct analysis_params p;
		struct series s;
		struct result r;

		pl.seed = seed * 7919;
		params(&p);
		run(&pl, cols, ARRAY_SIZE(cols), &p, &s, &r);
		assert_int_not_equal(r.verdict, VERDICT_LEAK);
		assert_int_not_equal(get(&r, &s, "slab.kmalloc-256.bytes")->verdict, VERDICT_LEAK);
		assert_int_equal(get(&r, &s, "tcp.client")->verdict, VERDICT_CLEAN);
		assert_false(get(&r, &s, "memcg.kmem")->decisive); /* shared cgroup */
		result_free(&r);
		series_free(&s);
	}
}

/* Counters count events: growing in proportion to cycles is what they do, not a leak. */
static void test_counters_never_leak(void **state)
{
	struct gen c = { .base = 1000, .backlog = 2, .back_tau = 1e12 };
	struct gen flat = { .base = 5 };
	struct synth_col cols[] = {
		COL("netstat.TcpActiveOpens", UNIT_COUNT, MK_COUNTER, &c),
		COL("netstat.TcpExtListenDrops", UNIT_COUNT, MK_COUNTER, &flat),
	};
	struct synth_plan pl = plan(10, 20);
	struct analysis_params p;
	const struct metric_result *m;
	struct series s;
	struct result r;

	(void)state;
	params(&p);
	run(&pl, cols, 2, &p, &s, &r);
	assert_int_equal(r.verdict, VERDICT_CLEAN);
	m = get(&r, &s, "netstat.TcpActiveOpens");
	assert_int_equal(m->verdict, VERDICT_CLEAN);
	assert_int_equal(m->role, ROLE_COUNTER);
	assert_true(m->moved);
	assert_float_equal(m->total, 600000, 1000);
	assert_float_equal(m->slope, 2, 0.01);
	assert_false(get(&r, &s, "netstat.TcpExtListenDrops")->moved);
	result_free(&r);
	series_free(&s);
}

/* A warm-up spike stays out of the fits; the warm-up's cycles still count for the rate. */
static void test_warmup_excluded(void **state)
{
	struct gen spike = { .base = 500,
			     .noise = 1,
			     .spike = 400,
			     .spike_at = 3,
			     .spike_len = 1.5,
			     .integer = true };
	struct gen client = { .leak = 0.001, .integer = true };
	struct synth_col cols[] = {
		COL("slab.filp.objs", UNIT_COUNT, MK_LEVEL, &spike),
		COL("tcp.client", UNIT_COUNT, MK_LEVEL, &client),
	};
	struct synth_plan pl = plan(8, 20);
	struct analysis_params p;
	struct series s;
	struct result r;

	(void)state;
	pl.warmup = 2;
	params(&p);
	run(&pl, cols, 2, &p, &s, &r);
	assert_int_equal(r.cycles, 300000);
	assert_int_equal(get(&r, &s, "slab.filp.objs")->verdict, VERDICT_CLEAN);
	assert_float_equal(r.leaked_sockets_per_cycle, 0.001, 0.00001);
	result_free(&r);
	series_free(&s);
}

/* A slab cache that keeps what per-CPU slabs hold after the burst is BOUNDED, not a LEAK. */
static void test_percpu_hold_not_leak(void **state)
{
	struct gen o = { .base = 26,
			 .noise = 20,
			 .plateau = 4000,
			 .tau = 0.3,
			 .back_tau = 0.5,
			 .step = 93,
			 .step_at = 3.5,
			 .integer = true };
	struct synth_col cols[] = { COL("slab.TCP.objs", UNIT_COUNT, MK_LEVEL, &o) };
	struct gen b = { .base = 26 * 2368.0 };
	struct synth_col bcol[] = { COL("slab.TCP.bytes", UNIT_BYTES, MK_LEVEL, &b) };
	struct synth_col both[] = { cols[0], bcol[0] };
	struct synth_plan pl = plan(10, 30);
	struct analysis_params p;
	struct series s;
	struct result r;

	(void)state;
	params(&p);
	run(&pl, both, 2, &p, &s, &r);
	assert_int_equal(get(&r, &s, "slab.TCP.objs")->verdict, VERDICT_BOUNDED);
	assert_int_equal(r.verdict, VERDICT_BOUNDED);
	result_free(&r);
	series_free(&s);
}

/* Memory that falls when used (MemAvailable) is read the other way up. */
static void test_memavailable_sign(void **state)
{
	struct gen a = { .base = 24e9, .noise = 10e3, .leak = -4000 };
	struct synth_col cols[] = { COL("meminfo.MemAvailable", UNIT_BYTES, MK_LEVEL, &a) };
	struct synth_plan pl = plan(10, 20);
	struct analysis_params p;
	const struct metric_result *m;
	struct series s;
	struct result r;

	(void)state;
	params(&p);
	run(&pl, cols, 1, &p, &s, &r);
	m = get(&r, &s, "meminfo.MemAvailable");
	assert_int_equal(m->verdict, VERDICT_LEAK);
	assert_float_equal(m->residual_per_cycle, 4000, 40);
	assert_false(m->decisive);
	assert_int_equal(r.verdict, VERDICT_CLEAN); /* advisory: the host's, not the run's */
	result_free(&r);
	series_free(&s);
}

static void test_degenerate_series(void **state)
{
	struct analysis_params p;
	struct series s;
	struct result r;
	int c;

	(void)state;
	params(&p);
	series_init(&s, 0);
	assert_int_equal(analyse(&s, &p, &r), 0);
	assert_int_equal(r.nm, 0);
	assert_int_equal(r.verdict, VERDICT_CLEAN);
	result_free(&r);
	c = series_add_named(&s, "tcp.client", UNIT_COUNT, MK_LEVEL, NULL);
	series_mark(&s, PHASE_CHURN, 0, 0);
	series_set(&s, c, 1);
	series_commit(&s, 0, 10);
	series_flush(&s);
	assert_int_equal(analyse(&s, &p, &r), 0);
	assert_int_equal(r.m[0].verdict, VERDICT_INCONCLUSIVE);
	assert_false(analysis_settled(&s, &p, NULL, 0));
	result_free(&r);
	series_free(&s);
}

/*
 * Another run's 200 sockets were in the TCP cache during the baseline and left as the churn
 * began; this run leaked 300 client sockets and their accepted ends, which the teardown closed.
 * Against the baseline the cache kept nothing; the teardown shows what it held.
 */
static double tcp_objs_shared(const struct synth_row *r, const void *arg)
{
	double v = 100 + 6 * synth_gauss(r->rng);

	(void)arg;
	if (r->ph == PHASE_BASELINE)
		return round(v + 200);
	if (r->ph == PHASE_TEARDOWN)
		return round(v);
	return round(v + 0.002 * r->cycles);
}

static double client_leak(const struct synth_row *r, const void *arg)
{
	(void)arg;
	return r->ph == PHASE_TEARDOWN ? NAN : floor(0.001 * r->cycles);
}

static void test_teardown_evidence(void **state)
{
	struct synth_col cols[] = {
		{ "tcp.client", UNIT_COUNT, MK_LEVEL, client_leak, NULL },
		{ "slab.TCP.objs", UNIT_COUNT, MK_LEVEL, tcp_objs_shared, NULL },
	};
	struct synth_plan pl = plan(5, 10);
	struct analysis_params p;
	const struct metric_result *m;
	struct series s;
	struct result r;

	(void)state;
	pl.teardown = 3;
	params(&p);
	run(&pl, cols, ARRAY_SIZE(cols), &p, &s, &r);
	assert_int_equal(r.verdict, VERDICT_LEAK);
	assert_float_equal(r.leaked_sockets_per_cycle, 0.001, 0.00001);
	m = get(&r, &s, "slab.TCP.objs");
	assert_float_equal(m->residual, 100, 15); /* against a baseline another run raised */
	assert_int_equal(m->verdict, VERDICT_LEAK);
	assert_non_null(strstr(m->why, "when the run's netns closed"));
	assert_float_equal(m->residual_per_cycle, 0.002, 0.0002);
	result_free(&r);
	series_free(&s);
}

/*
 * An in-flight count: zero most of the time, bursts of 30-60 at random moments and a cluster of
 * them in the last second of churn. Its late third rises; the churn as a whole does not.
 */
static double bursts(const struct synth_row *r, const void *arg)
{
	double u = synth_uniform(r->rng);

	(void)arg;
	if (r->ph != PHASE_CHURN)
		return 0;
	if (r->t > r->churn_t1 - 1 && u < 0.6)
		return round(30 + 30 * synth_uniform(r->rng));
	return u < 0.1 ? round(30 + 30 * synth_uniform(r->rng)) : 0;
}

static void test_bursts_bounded(void **state)
{
	struct synth_col cols[] = {
		{ "tcp.state.CLOSE_WAIT", UNIT_COUNT, MK_LEVEL, bursts, NULL },
		{ "sockstat.TCP.inuse", UNIT_COUNT, MK_LEVEL, bursts, NULL },
	};
	unsigned seed;

	(void)state;
	for (seed = 1; seed <= 10; seed++) {
		struct synth_plan pl = plan(5, 30);
		struct analysis_params p;
		struct series s;
		struct result r;

		pl.seed = seed * 104729;
		params(&p);
		run(&pl, cols, ARRAY_SIZE(cols), &p, &s, &r);
		assert_int_equal(get(&r, &s, "tcp.state.CLOSE_WAIT")->verdict, VERDICT_BOUNDED);
		assert_int_equal(r.verdict, VERDICT_BOUNDED);
		result_free(&r);
		series_free(&s);
	}
}

/*
 * --inject-leak 100000: one client socket kept every 100,000 cycles, two in the run, among bursts
 * of in-flight sockets during churn. arg: a quiesce time (s) at which one sample reads the
 * baseline (the count was not above it at every sample of the tail), or NULL.
 */
static double few_kept(const struct synth_row *r, const void *arg)
{
	const double *dip = arg;
	double u = synth_uniform(r->rng), kept = floor(r->cycles / 100000);

	if (dip && r->ph == PHASE_QUIESCE && fabs(r->tq - *dip) < 0.05)
		return 0;
	if (r->ph != PHASE_CHURN)
		return kept;
	return kept + (u < 0.3 ? round(10 + 50 * synth_uniform(r->rng)) : 0);
}

/* A few sockets left open, counted exactly in the run's netns: a LEAK at their rate per cycle. */
static void test_few_kept_open(void **state)
{
	double dip = 8;
	struct synth_col cols[] = {
		{ "tcp.client", UNIT_COUNT, MK_LEVEL, few_kept, NULL },
		{ "tcp.state.ESTABLISHED", UNIT_COUNT, MK_LEVEL, few_kept, NULL },
	};
	struct synth_plan pl = plan(7, 10);
	struct analysis_params p;
	const struct metric_result *m;
	struct series s;
	struct result r;
	unsigned seed;

	(void)state;
	params(&p);
	for (seed = 1; seed <= 5; seed++) {
		pl.seed = seed * 7919;
		run(&pl, cols, ARRAY_SIZE(cols), &p, &s, &r);
		m = get(&r, &s, "tcp.client");
		assert_int_equal(m->verdict, VERDICT_LEAK);
		assert_int_equal(m->reason.code, RS_KEPT_OPEN);
		assert_float_equal(m->residual, 2, 0);
		assert_float_equal(m->residual_per_cycle, 2.0 / r.cycles, 1e-12);
		assert_int_equal(get(&r, &s, "tcp.state.ESTABLISHED")->verdict, VERDICT_LEAK);
		assert_int_equal(r.verdict, VERDICT_LEAK);
		assert_int_equal(r.verdict_col, series_find(&s, "tcp.client"));
		assert_float_equal(r.leaked_sockets_per_cycle, 2.0 / r.cycles, 1e-12);
		assert_non_null(strstr(r.why, "decided by tcp.client: an exact count"));
		result_free(&r);
		series_free(&s);
	}
	/* Back at its baseline for one sample of the tail: not this rule's to call. */
	cols[0].arg = &dip;
	cols[1].arg = &dip;
	run(&pl, cols, ARRAY_SIZE(cols), &p, &s, &r);
	assert_int_not_equal(get(&r, &s, "tcp.client")->reason.code, RS_KEPT_OPEN);
	assert_int_not_equal(get(&r, &s, "tcp.client")->verdict, VERDICT_LEAK);
	result_free(&r);
	series_free(&s);
	/* Not the run's own netns: the counts are not exact, and two sockets are not a leak. */
	cols[0].arg = cols[1].arg = NULL;
	p.private_netns = false;
	run(&pl, cols, ARRAY_SIZE(cols), &p, &s, &r);
	assert_int_not_equal(get(&r, &s, "tcp.client")->reason.code, RS_KEPT_OPEN);
	assert_int_not_equal(r.verdict, VERDICT_LEAK);
	result_free(&r);
	series_free(&s);
}

/*
 * A clean real server run (nginx, redis, memcached with --server-cmd: 1,000 cycles in 1 s, 3 s of
 * quiesce): a socket or two in flight now and then during churn, sock_diag's counts on one tick
 * of three, everything back at its baseline at every sample of quiesce. arg: its shape.
 */
struct inflight {
	double base; /* the baseline level */
	double blip; /* a quiesce time (s) at which one sample reads +1; 0: none */
	int every; /* a value on one tick of this many (1: every tick) */
};

static double inflight(const struct synth_row *r, const void *arg)
{
	const struct inflight *a = arg;
	long tick = lround(r->t * 10);

	if (a->blip > 0 && r->ph == PHASE_QUIESCE && fabs(r->tq - a->blip) < 0.05)
		return a->base + 1;
	if (r->ph != PHASE_BASELINE && tick % a->every)
		return NAN;
	if (r->ph != PHASE_CHURN)
		return a->base;
	return a->base + (synth_uniform(r->rng) < 0.3 ? 1 : 0);
}

/* The server's fds, as the server probe declares them. */
static const struct metric_desc server_fds_d = { .kind = MK_LEVEL,
						 .unit = UNIT_COUNT,
						 .cls = MC_FDS,
						 .traits = MT_SERVER | MT_NETNS | MT_KEY,
						 .source = "server",
						 .object = "fds" };

/*
 * Exact counts of the run's own (sockets of its netns, its processes' fds) back at their baseline
 * at every sample of the quiesce tail kept nothing: CLEAN at 1,000 cycles, where their noise
 * floor alone would ask ~32,000 to rule out a leak of 1 in 10,000 cycles.
 */
static void test_back_at_baseline_exact(void **state)
{
	struct inflight client = { 0, 0, 3 }, inuse = { 1, 0, 1 }, fds = { 25, 0, 1 };
	struct inflight sfds = { 13, 0, 2 };
	struct synth_col cols[] = {
		{ "tcp.client", UNIT_COUNT, MK_LEVEL, inflight, &client, NULL },
		{ "tcp.state.ESTABLISHED", UNIT_COUNT, MK_LEVEL, inflight, &client, NULL },
		{ "sockstat.TCP.inuse", UNIT_COUNT, MK_LEVEL, inflight, &inuse, NULL },
		{ "proc.fds", UNIT_COUNT, MK_LEVEL, inflight, &fds, NULL },
		{ "server.fds", UNIT_COUNT, MK_LEVEL, inflight, &sfds, &server_fds_d },
	};
	struct synth_plan pl = plan(1, 3);
	struct analysis_params p;
	const struct metric_result *m;
	struct series s;
	struct result r;
	size_t i;

	(void)state;
	pl.baseline = 1;
	pl.rate = 1000;
	params(&p);
	run(&pl, cols, ARRAY_SIZE(cols), &p, &s, &r);
	for (i = 0; i < ARRAY_SIZE(cols); i++) {
		m = get(&r, &s, cols[i].name);
		assert_int_equal(m->verdict, VERDICT_CLEAN);
		assert_int_equal(m->reason.code, RS_BACK_EXACT);
		assert_float_equal(m->residual, 0, 0);
	}
	assert_non_null(strstr(get(&r, &s, "tcp.client")->why, "counted exactly: kept nothing"));
	assert_int_equal(r.verdict, VERDICT_CLEAN);
	assert_int_equal(r.cycles, 1000);
	result_free(&r);
	series_free(&s);

	/* One sample of the tail a socket above: not back at every sample, not this rule's. */
	client.blip = 2;
	run(&pl, cols, ARRAY_SIZE(cols), &p, &s, &r);
	m = get(&r, &s, "tcp.client");
	assert_int_not_equal(m->reason.code, RS_BACK_EXACT);
	assert_int_not_equal(m->verdict, VERDICT_CLEAN);
	assert_int_equal(get(&r, &s, "proc.fds")->reason.code, RS_BACK_EXACT);
	assert_int_equal(r.verdict, VERDICT_INCONCLUSIVE);
	result_free(&r);
	series_free(&s);

	/* Not the run's own netns (--pid): not exact, the run's length speaks. */
	client.blip = 0;
	p.private_netns = false;
	run(&pl, cols, ARRAY_SIZE(cols), &p, &s, &r);
	for (i = 0; i < ARRAY_SIZE(cols); i++)
		assert_int_not_equal(get(&r, &s, cols[i].name)->reason.code, RS_BACK_EXACT);
	assert_int_not_equal(r.verdict, VERDICT_CLEAN);
	result_free(&r);
	series_free(&s);
}

/* TIME_WAIT that stops at the ports connect() may reuse while the loop goes on: capped. */
static double tw_capped_gen(const struct synth_row *r, const void *arg)
{
	(void)arg;
	return fmin(synth_tw(r, RATE, 60), 14116);
}

static void test_tw_capped(void **state)
{
	struct gen tw = { .tw_k = 1, .rate = 500, .integer = true };
	struct synth_col capped[] = { { "sockstat.TCP.tw", UNIT_COUNT, MK_LEVEL, tw_capped_gen,
					NULL } };
	struct synth_col steady[] = { COL("sockstat.TCP.tw", UNIT_COUNT, MK_LEVEL, &tw) };
	struct synth_plan pl = plan(5, 75);
	struct analysis_params p;
	struct series s;
	struct result r;

	(void)state;
	params(&p);
	run(&pl, capped, 1, &p, &s, &r);
	assert_true(r.tw_capped);
	assert_float_equal(r.tw_cap, 14116, 1);
	assert_int_equal(r.verdict, VERDICT_BOUNDED);
	result_free(&r);
	series_free(&s);

	/* Longer than TIME_WAIT's life: flat because as many expire as come, not capped. */
	pl = plan(90, 75);
	pl.rate = 500;
	run(&pl, steady, 1, &p, &s, &r);
	assert_false(r.tw_capped);
	assert_float_equal(r.tw_peak, 30000, 600);
	result_free(&r);
	series_free(&s);
}

/* Another task's allocation after the loop stopped is not the loop's: no verdict against it. */
static void test_late_step_not_loop(void **state)
{
	struct gen k = { .base = 230, .noise = 2, .step = 128, .step_at = 25, .integer = true };
	struct gen kb = {
		.base = 230 * 4096.0, .noise = 2 * 4096.0, .step = 128 * 4096.0, .step_at = 25
	};
	struct gen client = { .plateau = 1, .tau = 0.01, .back_tau = 0.01, .integer = true };
	struct synth_col cols[] = {
		COL("slab.kmalloc-4k.objs", UNIT_COUNT, MK_LEVEL, &k),
		COL("slab.kmalloc-4k.bytes", UNIT_BYTES, MK_LEVEL, &kb),
		COL("tcp.client", UNIT_COUNT, MK_LEVEL, &client),
	};
	struct synth_plan pl = plan(5, 60);
	struct analysis_params p;
	const struct metric_result *m;
	struct series s;
	struct result r;

	(void)state;
	params(&p);
	run(&pl, cols, ARRAY_SIZE(cols), &p, &s, &r);
	m = get(&r, &s, "slab.kmalloc-4k.bytes");
	assert_int_equal(m->verdict, VERDICT_CLEAN);
	assert_non_null(strstr(m->why, "after it stopped"));
	assert_int_not_equal(r.verdict, VERDICT_INCONCLUSIVE);
	assert_int_not_equal(r.verdict, VERDICT_LEAK);
	result_free(&r);
	series_free(&s);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(verdict_name(VERDICT_LEAK), "LEAK");
	assert_string_equal(verdict_name(VERDICT_INCONCLUSIVE), "INCONCLUSIVE");
	assert_string_equal(verdict_name(VERDICT_COUNT), "?");
	assert_string_equal(role_name(ROLE_TW), "time-wait");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_realistic_noise),
		cmocka_unit_test(test_plateau_bounded),
		cmocka_unit_test(test_backlog),
		cmocka_unit_test(test_leak_estimate),
		cmocka_unit_test(test_leak_folded),
		cmocka_unit_test(test_backlog_folded),
		cmocka_unit_test(test_noise_hides_small_leak),
		cmocka_unit_test(test_time_wait_bounded),
		cmocka_unit_test(test_time_wait_short_quiesce),
		cmocka_unit_test(test_noisy_bytes_not_leak),
		cmocka_unit_test(test_counters_never_leak),
		cmocka_unit_test(test_warmup_excluded),
		cmocka_unit_test(test_percpu_hold_not_leak),
		cmocka_unit_test(test_memavailable_sign),
		cmocka_unit_test(test_degenerate_series),
		cmocka_unit_test(test_teardown_evidence),
		cmocka_unit_test(test_bursts_bounded),
		cmocka_unit_test(test_tw_capped),
		cmocka_unit_test(test_few_kept_open),
		cmocka_unit_test(test_back_at_baseline_exact),
		cmocka_unit_test(test_late_step_not_loop),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
