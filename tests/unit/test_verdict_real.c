/*
 * Unit tests for src/analysis/verdict.c on recorded runs (tests/unit/data): real kernel noise,
 * bursts, TIME_WAIT caps and drains, with the answers the runs are known to have.
 */
#include "verdict_fixture.h"

static void test_recorded_loopback(void **state)
{
	struct analysis_params p;
	struct series s;
	struct result r;

	(void)state;
	analysis_defaults(&p);
	p.slab_hold_bytes = 256 * 1024; /* the recording's 2 CPUs */
	p.sockmem_hold_bytes = 2 * 1048576;
	p.memcg_hold_bytes = 4 * 1048576;
	p.cpus = 2;

	load_csv("tests/unit/data/loopback_clean.csv", &s);
	assert_int_equal(analyse(&s, &p, &r), 0);
	dump(&r, &s);
	assert_int_equal(r.verdict, VERDICT_BOUNDED);
	assert_int_equal(get(&r, &s, "sockstat.TCP.tw")->verdict, VERDICT_BOUNDED);
	assert_int_equal(get(&r, &s, "sockstat.TCP.inuse")->verdict, VERDICT_BOUNDED);
	assert_int_not_equal(get(&r, &s, "slab.TCP.objs")->verdict, VERDICT_LEAK);
	assert_float_equal(r.leaked_sockets_per_cycle, 0, 1e-6);
	assert_true(r.tw_peak > 10000);
	assert_float_equal(r.tw_pending, 0, 0);
	result_free(&r);
	series_free(&s);

	load_csv("tests/unit/data/loopback_leak.csv", &s);
	p.injected_per_cycle = 0.001;
	assert_int_equal(analyse(&s, &p, &r), 0);
	dump(&r, &s);
	assert_int_equal(r.verdict, VERDICT_LEAK);
	assert_int_equal(get(&r, &s, "sockstat.TCP.inuse")->verdict, VERDICT_LEAK);
	assert_int_equal(r.socket_col, series_find(&s, "sockstat.sockets.used"));
	assert_float_equal(r.socket_divisor, 2, 0);
	assert_float_equal(r.leaked_sockets_per_cycle, 38.0 / 38496, 0.05 * 38.0 / 38496);
	result_free(&r);
	series_free(&s);
}

/*
 * `sockleak run --seconds 5 --quiesce-max 80`, KB sequence: CLOSE_WAIT and FIN_WAIT1 come in
 * bursts (a server thread descheduled for a moment), slab TCP jitters with them, sockstat's
 * host-wide alloc and orphan move with other tasks' sockets, TIME_WAIT caps at the even ports
 * connect() reuses (tcp_tw_reuse on loopback) and expires 60 s later in two steps of the timer
 * wheel, with the bind buckets merged into eventpoll_epi. Was LEAK (sockstat.TCP.alloc), BACKLOG
 * (orphan, slab TCP, eventpoll_epi) and "still falling" while settled. All of it is BOUNDED.
 */
static void test_real_kb_bursts(void **state)
{
	static const char *const bounded[] = { "tcp.state.CLOSE_WAIT", "tcp.state.FIN_WAIT1",
					       "sockstat.TCP.inuse",   "slab.TCP.objs",
					       "slab.TCP.bytes",       "tcp4.state.CLOSE_WAIT" };
	struct analysis_params p;
	const struct metric_result *m;
	struct series s;
	struct result r;
	size_t i;

	(void)state;
	real_params(&p);
	load_real("kb_bursts.csv", &p, &s, &r);
	assert_int_equal(r.verdict, VERDICT_BOUNDED);
	for (i = 0; i < ARRAY_SIZE(bounded); i++) {
		m = get(&r, &s, bounded[i]);
		assert_int_equal(m->verdict, VERDICT_BOUNDED);
		assert_true(m->decisive);
	}
	assert_non_null(strstr(get(&r, &s, "tcp.state.CLOSE_WAIT")->why, "no sustained rise"));
	for (i = 0; i < 3; i++) {
		m = get(&r, &s,
			i == 0 ? "slab.eventpoll_epi.objs" :
			i == 1 ? "slab.eventpoll_epi.bytes" :
				 "slab.eventpoll_epi.total_bytes");
		assert_int_equal(m->verdict, VERDICT_BOUNDED);
		assert_true(m->tw_explained);
	}
	/* Host-wide: advisory, whatever other tasks did. */
	assert_false(get(&r, &s, "sockstat.TCP.alloc")->decisive);
	assert_false(get(&r, &s, "sockstat.TCP.orphan")->decisive);
	assert_int_equal(get(&r, &s, "tcp.client")->verdict, VERDICT_CLEAN);
	assert_float_equal(r.leaked_sockets_per_cycle, 0, 1e-9);
	/* TIME_WAIT: capped while the loop ran, all gone after quiesce. */
	assert_true(r.tw_capped);
	assert_float_equal(r.tw_cap, 14136, 30);
	assert_float_equal(r.tw_peak, 14153, 5);
	assert_float_equal(r.tw_pending, 0, 0);
	assert_true(r.quiesce_stable);
	result_free(&r);
	series_free(&s);
}

/* --seconds 10 --quiesce-max 20: sock_inode_cache jitters by 400-1500 objects: not a BACKLOG. */
static void test_real_kb_slab_jitter(void **state)
{
	struct analysis_params p;
	struct series s;
	struct result r;
	const char *const c[] = { "slab.sock_inode_cache.objs", "slab.sock_inode_cache.bytes",
				  "slab.sock_inode_cache.total_bytes", "slab.TCP.objs" };
	size_t i;

	(void)state;
	real_params(&p);
	load_real("kb_slab_jitter.csv", &p, &s, &r);
	assert_int_equal(r.verdict, VERDICT_BOUNDED);
	for (i = 0; i < ARRAY_SIZE(c); i++)
		assert_int_equal(get(&r, &s, c[i])->verdict, VERDICT_BOUNDED);
	/* Quiesce shorter than TIME_WAIT's life: pending, said, and not settled. */
	assert_true(r.tw_capped);
	assert_true(r.tw_short_quiesce);
	assert_float_equal(r.tw_pending, 14121, 5);
	assert_false(r.quiesce_stable);
	assert_int_equal(get(&r, &s, "tcp.client")->verdict, VERDICT_CLEAN);
	result_free(&r);
	series_free(&s);
}

/*
 * --seconds 5, quiesce 65 s: TIME_WAIT expires just before the end; kmalloc-4k got +128 objects
 * from another task 14 s into quiesce; sockstat.TCP.mem is the host's. Was INCONCLUSIVE.
 */
static void test_real_tw_drain(void **state)
{
	struct analysis_params p;
	const struct metric_result *m;
	struct series s;
	struct result r;

	(void)state;
	real_params(&p);
	load_real("kb_tw_drain.csv", &p, &s, &r);
	assert_int_equal(r.verdict, VERDICT_BOUNDED);
	m = get(&r, &s, "slab.eventpoll_epi.objs");
	assert_int_equal(m->verdict, VERDICT_BOUNDED);
	assert_true(m->tw_explained);
	m = get(&r, &s, "slab.kmalloc-4k.objs");
	assert_int_not_equal(m->verdict, VERDICT_INCONCLUSIVE);
	assert_int_not_equal(m->verdict, VERDICT_LEAK);
	assert_false(get(&r, &s, "sockstat.TCP.mem")->decisive);
	assert_float_equal(r.tw_pending, 0, 0);
	result_free(&r);
	series_free(&s);
}

/*
 * The same run cut 1.5 s after TIME_WAIT began to expire: the tails of TIME_WAIT and of the bind
 * buckets that follow it fall. Not settled, and the buckets are BOUNDED, not "still falling".
 */
static void test_real_tw_still_draining(void **state)
{
	struct analysis_params p;
	struct series s;
	struct result r;
	char why[160];

	(void)state;
	real_params(&p);
	/* The recording of test_real_tw_drain, cut 1.5 s after TIME_WAIT began to expire. */
	if (fixture_load_rows("tests/unit/data/kb_tw_drain.csv", &s, 699))
		fail_msg("cannot load tests/unit/data/kb_tw_drain.csv");
	assert_int_equal(analyse(&s, &p, &r), 0);
	dump(&r, &s);
	check_agreement(&r, &s, &p);
	assert_false(r.quiesce_stable);
	assert_false(analysis_settled(&s, &p, why, sizeof(why)));
	assert_non_null(strstr(why, "TIME_WAIT"));
	assert_int_equal(r.verdict, VERDICT_BOUNDED);
	assert_int_equal(get(&r, &s, "slab.eventpoll_epi.objs")->verdict, VERDICT_BOUNDED);
	assert_true(get(&r, &s, "slab.eventpoll_epi.objs")->tw_explained);
	result_free(&r);
	series_free(&s);
}

/*
 * --inject-leak 1000, 5 s: 62 client sockets kept open (and their 62 accepted ends). Slab TCP
 * read as BACKLOG; with the run's own sockets leaking, the socket caches are named LEAK.
 */
static void test_real_leak1000(void **state)
{
	struct analysis_params p;
	struct series s;
	struct result r;
	size_t i;
	bool tcp = false;

	(void)state;
	real_params(&p);
	p.injected_per_cycle = 0.001;
	load_real("kb_leak1000.csv", &p, &s, &r);
	assert_int_equal(r.verdict, VERDICT_LEAK);
	assert_int_equal(r.verdict_col, series_find(&s, "tcp.client"));
	assert_int_equal(r.socket_col, series_find(&s, "tcp.client"));
	assert_float_equal(r.leaked_sockets_per_cycle, 62.0 / 62847, 0.02 * 62.0 / 62847);
	assert_int_equal(get(&r, &s, "tcp.server")->verdict, VERDICT_LEAK);
	assert_int_equal(get(&r, &s, "sockstat.TCP.inuse")->verdict, VERDICT_LEAK);
	assert_false(get(&r, &s, "sockstat.TCP.alloc")->decisive);
	for (i = 0; i < r.npools; i++)
		if (!strcmp(r.pools[i].cache, "TCP")) {
			tcp = true;
			assert_int_equal(r.pools[i].verdict, VERDICT_LEAK);
			assert_float_equal(r.pools[i].objs_per_cycle, 124.0 / 62847,
					   0.35 * 124.0 / 62847);
		}
	assert_true(tcp);
	assert_true(r.tw_short_quiesce);
	result_free(&r);
	series_free(&s);
}

/* UDP, KB sequence: sockets freed after an RCU grace period; ~550 in flight, flat: BOUNDED. */
static void test_real_udp(void **state)
{
	struct analysis_params p;
	struct series s;
	struct result r;

	(void)state;
	real_params(&p);
	load_real("udp_rcu.csv", &p, &s, &r);
	assert_int_equal(r.verdict, VERDICT_BOUNDED);
	assert_int_equal(get(&r, &s, "slab.UDP.objs")->verdict, VERDICT_BOUNDED);
	assert_int_equal(get(&r, &s, "slab.UDP.bytes")->verdict, VERDICT_BOUNDED);
	assert_false(get(&r, &s, "meminfo.MemAvailable")->decisive);
	result_free(&r);
	series_free(&s);
}

/*
 * A clean KB run (sensitivity benchmark) while another task wrote files: buffer_head rose steadily
 * through churn and went on rising through quiesce. Was a LEAK; not the loop's.
 */
static void test_real_buffer_head(void **state)
{
	struct analysis_params p;
	const struct metric_result *m;
	struct series s;
	struct result r;

	(void)state;
	real_params(&p);
	load_real("kb_buffer_head.csv", &p, &s, &r);
	assert_int_not_equal(r.verdict, VERDICT_LEAK);
	m = get(&r, &s, "slab.buffer_head.objs");
	assert_int_equal(m->verdict, VERDICT_INCONCLUSIVE);
	assert_non_null(strstr(m->why, "went on rising after the loop stopped"));
	assert_false(m->decisive);
	assert_int_equal(r.verdict, VERDICT_BOUNDED);
	assert_int_equal(get(&r, &s, "tcp.client")->verdict, VERDICT_CLEAN);
	result_free(&r);
	series_free(&s);
}

/*
 * The KB sequence over UNIX stream sockets (t_run_transports under load): sock_inode_cache jitters
 * with the sockets in flight (was BACKLOG); buffer_head got +6500 from another task's writes at
 * the end of churn and kept them (was INCONCLUSIVE, deciding).
 */
static void test_real_unix(void **state)
{
	struct analysis_params p;
	const struct metric_result *m;
	struct series s;
	struct result r;

	(void)state;
	real_params(&p);
	load_real("unix_buffer_head.csv", &p, &s, &r);
	assert_int_equal(r.verdict, VERDICT_BOUNDED);
	assert_int_equal(get(&r, &s, "slab.sock_inode_cache.objs")->verdict, VERDICT_BOUNDED);
	m = get(&r, &s, "slab.buffer_head.objs");
	assert_int_not_equal(m->verdict, VERDICT_LEAK);
	assert_false(m->decisive && m->verdict == VERDICT_INCONCLUSIVE);
	assert_int_equal(get(&r, &s, "unix.client")->verdict, VERDICT_CLEAN);
	result_free(&r);
	series_free(&s);
}

/*
 * A clean KB run (bench/noise.sh, tcp) while another netns opened and kept 200 connections a
 * second: another task lists that process's descriptors every 3 s or so, and proc_inode_cache
 * rises in steps of about 1,200 (dentry with it), one step in a 3 s baseline, none within
 * churn's last seconds, two more in quiesce: too coarse for a rate, yet still rising when no
 * cycle runs. Was INCONCLUSIVE "still rising at the end of quiesce" (deciding), with quiesce
 * held to its maximum; the run's own sockets all came back. sock_inode_cache rose at the
 * opener's rate in slab-sized steps and got no drift (its rows too correlated for a trend).
 */
static void test_real_host_steps(void **state)
{
	struct analysis_params p;
	const struct metric_result *m;
	struct series s;
	struct result r;
	char why[200] = "";

	(void)state;
	real_params(&p);
	p.tw_purged = true;
	load_real("kb_host_steps.csv", &p, &s, &r);
	assert_int_not_equal(r.verdict, VERDICT_LEAK);
	assert_int_not_equal(r.verdict, VERDICT_INCONCLUSIVE);
	m = get(&r, &s, "slab.proc_inode_cache.objs");
	assert_false(m->decisive && m->verdict == VERDICT_INCONCLUSIVE);
	assert_int_equal(m->reason.code, RS_ROSE_AFTER_LOOP);
	assert_int_equal(get(&r, &s, "tcp.client")->verdict, VERDICT_CLEAN);
	/* A slab at a time (19 objects), with stalls: the opener's 400 a second all the same. */
	m = get(&r, &s, "slab.sock_inode_cache.objs");
	assert_int_equal(m->verdict, VERDICT_CLEAN);
	assert_float_equal(m->drift, 400, 40);
	if (!analysis_settled(&s, &p, why, sizeof(why)))
		fail_msg("not settled: %s", why);
	result_free(&r);
	series_free(&s);
	/* Cut 6 s into quiesce: the steps hold it no longer (the run waited to its 12 s maximum). */
	if (fixture_load_rows("tests/unit/data/kb_host_steps.csv", &s, 144))
		fail_msg("cannot load tests/unit/data/kb_host_steps.csv");
	if (!analysis_settled(&s, &p, why, sizeof(why)))
		fail_msg("not settled 6 s into quiesce: %s", why);
	series_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded_loopback),
		cmocka_unit_test(test_real_kb_bursts),
		cmocka_unit_test(test_real_kb_slab_jitter),
		cmocka_unit_test(test_real_tw_drain),
		cmocka_unit_test(test_real_tw_still_draining),
		cmocka_unit_test(test_real_leak1000),
		cmocka_unit_test(test_real_udp),
		cmocka_unit_test(test_real_buffer_head),
		cmocka_unit_test(test_real_unix),
		cmocka_unit_test(test_real_host_steps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
