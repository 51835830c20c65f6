/*
 * Unit tests of charge counters (MT_CHARGE, src/analysis/verdict.c charge_evidence): a charge
 * kept with cycles while the memory it stands for came back is a LEAK of accounting, "charge not
 * returned"; within per-CPU reserves (net.core.mem_pcpu_rsv pages per CPU) it is not; growth in
 * time, not with cycles, is not; with the memory kept too, the leak is the memory's.
 */
#include <string.h>

#include "verdict_fixture.h"

/* net.core.mem_pcpu_rsv's default: 256 pages of 4 KiB per CPU, 2 CPUs: 2 MiB. */
#define RSV 256.0
#define RESERVE (RSV * 2 * 4096)

static void charge_params(struct analysis_params *p)
{
	params(p);
	p->mem_pcpu_rsv = RSV;
	p->page_size = 4096;
}

/* The run's own TCP sockets (exact, in its netns): one in flight while the loop runs. */
static struct gen client_gen(void)
{
	struct gen g = { .plateau = 1, .tau = 0.01, .back_tau = 0.01, .integer = true };

	return g;
}

/* The TCP slab cache: in flight while the loop runs, back after. */
static struct gen cache_gen(void)
{
	struct gen g = {
		.base = 800, .noise = 2, .plateau = 40, .tau = 0.1, .back_tau = 0.2, .integer = true
	};

	return g;
}

/* sockstat's TCP mem (pages, in bytes), as the catalog describes it. */
static struct metric_desc mem_desc(void)
{
	struct metric_desc d;

	sockstat_desc("TCP", "mem", &d);
	return d;
}

static void run_charge(struct gen *client, struct gen *cache, struct gen *charge, double quiesce,
		       struct series *s, struct result *r)
{
	struct metric_desc md = mem_desc();
	struct synth_col cols[] = {
		COL("tcp.client", UNIT_COUNT, MK_LEVEL, client),
		COL("slab.TCP.objs", UNIT_COUNT, MK_LEVEL, cache),
		{ "sockstat.TCP.mem", UNIT_BYTES, MK_LEVEL, gen_value, charge, &md },
	};
	struct synth_plan pl = plan(10, quiesce);
	struct analysis_params p;

	charge_params(&p);
	run(&pl, cols, ARRAY_SIZE(cols), &p, s, r);
}

/* The catalog: sockstat's mem and memcg's kmem.tcp are charge counters, of TCP's memory. */
static void test_charge_descriptors(void **state)
{
	struct metric_desc md = mem_desc(), slab = { .cls = MC_SLAB_OBJS, .families = FAM_TCP };
	struct metric_desc v1;
	char buf[256];

	(void)state;
	assert_true(desc_has(&md, MT_CHARGE));
	assert_int_equal(md.families, FAM_TCP);
	metric_desc_v1("memcg.kmem_tcp", UNIT_BYTES, MK_LEVEL, NULL, &v1, buf, sizeof(buf));
	assert_true(desc_has(&v1, MT_CHARGE));
	slab.traits = MT_HOLDS_SOCKETS;
	assert_true(desc_charge_stands_for(&md, &slab));
	slab.families = FAM_UDP;
	assert_false(desc_charge_stands_for(&md, &slab));
	assert_false(desc_charge_stands_for(&md, &md));
}

/* (a) The charge grows with cycles and stays; sockets and caches came back: LEAK of accounting. */
static void test_charge_not_returned(void **state)
{
	struct gen client = client_gen(), cache = cache_gen();
	/* 20 bytes per cycle over 300,000 cycles: ~6 MB, three times the reserves. */
	struct gen charge = { .base = 8e6, .noise = 4096, .leak = 20 };
	const struct metric_result *m;
	struct series s;
	struct result r;

	(void)state;
	run_charge(&client, &cache, &charge, 10, &s, &r);
	m = get(&r, &s, "sockstat.TCP.mem");
	assert_int_equal(m->verdict, VERDICT_LEAK);
	assert_int_equal(m->reason.code, RS_CHARGE_KEPT);
	assert_true(m->decisive);
	assert_non_null(strstr(m->why, "charge not returned"));
	assert_int_equal(get(&r, &s, "tcp.client")->verdict != VERDICT_LEAK, true);
	assert_int_equal(r.verdict, VERDICT_LEAK);
	assert_int_equal(r.verdict_col, series_find(&s, "sockstat.TCP.mem"));
	assert_string_equal(r.leak_kind, "charge not returned");
	assert_non_null(strstr(r.why, "charge not returned"));
	result_free(&r);
	series_free(&s);
}

/* (b) The same growth, kept within what per-CPU reserves hold: not a leak, and said so. */
static void test_charge_within_reserve(void **state)
{
	struct gen client = client_gen(), cache = cache_gen();
	/* 4 bytes per cycle: ~1.2 MB kept, under the 2 MiB of reserves. */
	struct gen charge = { .base = 8e6, .noise = 4096, .leak = 4 };
	const struct metric_result *m;
	struct series s;
	struct result r;

	(void)state;
	run_charge(&client, &cache, &charge, 10, &s, &r);
	m = get(&r, &s, "sockstat.TCP.mem");
	assert_int_not_equal(m->verdict, VERDICT_LEAK);
	assert_int_equal(m->reason.code, RS_CHARGE_RESERVE);
	assert_non_null(strstr(m->why, "within per-CPU reserves (256 pages × 2 CPUs)"));
	assert_int_not_equal(r.verdict, VERDICT_LEAK);
	assert_string_equal(r.leak_kind, "");
	result_free(&r);
	series_free(&s);
}

/* (c) The charge grows in time through baseline, churn and quiesce: not with cycles. */
static void test_charge_time_drift(void **state)
{
	struct gen client = client_gen(), cache = cache_gen();
	/* 400 KB a second for 33 s: ~13 MB, far above the reserves. */
	struct gen charge = { .base = 8e6, .noise = 4096, .drift = 4e5 };
	const struct metric_result *m;
	struct series s;
	struct result r;

	(void)state;
	run_charge(&client, &cache, &charge, 20, &s, &r);
	m = get(&r, &s, "sockstat.TCP.mem");
	assert_int_not_equal(m->verdict, VERDICT_LEAK);
	assert_int_not_equal(m->reason.code, RS_CHARGE_KEPT);
	assert_null(strstr(m->why, "charge not returned"));
	assert_int_not_equal(r.verdict, VERDICT_LEAK);
	assert_string_equal(r.leak_kind, "");
	result_free(&r);
	series_free(&s);
}

/* (d) Charge and memory both kept: a plain LEAK of memory, not "charge not returned". */
static void test_charge_with_memory(void **state)
{
	struct gen client = client_gen(), cache = cache_gen();
	struct gen charge = { .base = 8e6, .noise = 4096, .leak = 20 };
	const struct metric_result *m;
	struct series s;
	struct result r;

	(void)state;
	client.leak = 0.001;
	cache.leak = 0.002;
	run_charge(&client, &cache, &charge, 10, &s, &r);
	assert_int_equal(r.verdict, VERDICT_LEAK);
	assert_int_equal(get(&r, &s, "tcp.client")->verdict, VERDICT_LEAK);
	m = get(&r, &s, "sockstat.TCP.mem");
	assert_int_not_equal(m->reason.code, RS_CHARGE_KEPT);
	assert_null(strstr(m->why, "charge not returned"));
	assert_string_equal(r.leak_kind, "memory");
	assert_null(strstr(r.why, "charge not returned"));
	result_free(&r);
	series_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_charge_descriptors),
		cmocka_unit_test(test_charge_not_returned),
		cmocka_unit_test(test_charge_within_reserve),
		cmocka_unit_test(test_charge_time_drift),
		cmocka_unit_test(test_charge_with_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
