/*
 * Unit tests for src/analysis/attribution.c, src/report/attribution.c and src/report/json_attr.c:
 * stacks of known histories (a leak, objects in flight, a pool, TIME_WAIT, missed frees, slab's
 * own growth, a backlog) get their verdicts; a leaking figure lists its stacks with their shares;
 * the text section and the JSON round trip say the same.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "analysis/stats.h"
#include "describe.h"
#include "model/attribution.h"
#include "report/attribution.h"
#include "report/json_attr.h"

/* Snapshot rows: 3 baseline, churn from row 3 (0 cycles) to row 13 (10000), quiesce to row 43
 * every 0.25 s, 4 rows of teardown. */
#define NB 3
#define NC 11
#define NQ 30
#define NT 4
#define NROWS (NB + NC + NQ + NT)
#define C0 NB
#define Q0 (NB + NC - 1 + 1)
#define CYCLES 10000.0

/* One object: allocated at row a (engine cycle c), freed at row f (NROWS: never). */
struct obj {
	int a, f;
	double c;
};

static void snaps(struct attribution *a)
{
	size_t i;

	a->on = true;
	a->nsnaps = NROWS;
	a->snaps = calloc(NROWS, sizeof(*a->snaps));
	assert_non_null(a->snaps);
	for (i = 0; i < NROWS; i++) {
		struct attr_snap *s = &a->snaps[i];

		s->t = (double)i * 0.25;
		if (i < NB) {
			s->phase = PHASE_BASELINE;
		} else if (i < NB + NC) {
			s->phase = PHASE_CHURN;
			s->cycles = (double)(i - NB) * CYCLES / (NC - 1);
		} else {
			s->phase = i < NB + NC + NQ ? PHASE_QUIESCE : PHASE_TEARDOWN;
			s->cycles = CYCLES;
		}
	}
}

/* The churn row at which engine cycle c has been reached. */
static int row_of(double c)
{
	return NB + (int)ceil(c / (CYCLES / (NC - 1)));
}

static struct attr_stack *stack(struct attribution *a, const char *cache, const struct obj *o,
				size_t n, double size)
{
	struct attr_stack *st;
	size_t r, k;

	assert_int_equal(attribution_add_stack(a, &st), 0);
	snprintf(st->cache, sizeof(st->cache), "%s", cache);
	st->id = (int)a->nstacks;
	st->mean_age = st->age_sd = st->objs_teardown = st->bytes_teardown = NAN;
	st->objs = calloc(NROWS, sizeof(double));
	st->bytes = calloc(NROWS, sizeof(double));
	st->age_sum = calloc(NROWS, sizeof(double));
	st->age_sq = calloc(NROWS, sizeof(double));
	assert_true(st->objs && st->bytes && st->age_sum && st->age_sq);
	assert_int_equal(attr_stack_add_frame(st, "kmem_cache_alloc_noprof+0x230"), 0);
	assert_int_equal(attr_stack_add_frame(st, "sk_prot_alloc+0x32"), 0);
	assert_int_equal(attr_stack_add_frame(st, "sk_alloc+0x2c"), 0);
	assert_int_equal(attr_stack_add_frame(st, "inet_create+0xfa"), 0);
	assert_int_equal(attr_stack_add_frame(st, "__x64_sys_socket+0x13"), 0);
	assert_int_equal(attr_stack_add_frame(st, "do_syscall_64+0x71"), 0);
	st->nalloc_frames = 1;
	for (k = 0; k < n; k++) {
		st->allocs++;
		st->frees += o[k].f < NROWS;
		for (r = (size_t)o[k].a; r < (size_t)o[k].f && r < NROWS; r++) {
			st->objs[r] += 1;
			st->bytes[r] += size;
			st->age_sum[r] += o[k].c;
			st->age_sq[r] += o[k].c * o[k].c;
		}
	}
	return st;
}

/* n objects allocated evenly over the churn, kept: a leak's. */
static size_t leak_objs(struct obj *o, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++) {
		o[k].c = (k + 0.5) * CYCLES / n;
		o[k].a = row_of(o[k].c);
		o[k].f = NROWS;
	}
	return n;
}

static struct attr_stack *find(struct attribution *a, int id)
{
	size_t i;

	for (i = 0; i < a->nstacks; i++)
		if (a->stacks[i].id == id)
			return &a->stacks[i];
	fail_msg("no stack %d", id);
	return NULL;
}

static void decide(struct attribution *a, const struct result *r)
{
	struct analysis_params p;

	analysis_defaults(&p);
	assert_int_equal(attribution_decide(a, NULL, r, &p), 0);
}

static void test_leak(void **state)
{
	struct attribution a = { 0 };
	struct obj o[40];
	struct attr_stack *st;

	(void)state;
	snaps(&a);
	stack(&a, "TCP", o, leak_objs(o, 20), 2368);
	decide(&a, NULL);
	st = find(&a, 1);
	assert_int_equal(st->verdict, VERDICT_LEAK);
	assert_int_equal(st->reason, AR_LEAK);
	assert_float_equal(st->objs_end, 20, 0);
	assert_float_equal(st->objs_per_cycle, 20 / CYCLES, 1e-12);
	assert_float_equal(st->bytes_per_cycle, 20 * 2368 / CYCLES, 1e-9);
	assert_float_equal(st->mean_age, 0.5, 0.01);
	assert_float_equal(st->age_sd, 0.2887, 0.01);
	assert_int_equal(a.nleak, 1);
	attribution_free(&a);
}

/* In flight: 15 objects at a time all through churn, none kept. */
static void test_in_flight(void **state)
{
	struct attribution a = { 0 };
	struct obj o[200];
	size_t k, n = 0;

	(void)state;
	snaps(&a);
	for (k = 0; k < 10; k++)
		for (int j = 0; j < 15; j++, n++)
			o[n] = (struct obj){ (int)(C0 + 1 + k), (int)(C0 + 2 + k), k * 1000.0 };
	stack(&a, "skbuff_head_cache", o, n, 256);
	decide(&a, NULL);
	assert_int_equal(find(&a, 1)->verdict, VERDICT_BOUNDED);
	assert_int_equal(find(&a, 1)->reason, AR_IN_FLIGHT);
	attribution_free(&a);
}

/* A pool filled in the first fifth of the churn, and kept: allocated unevenly, not a leak. */
static void test_pool(void **state)
{
	struct attribution a = { 0 };
	struct obj o[100];
	size_t k;

	(void)state;
	snaps(&a);
	for (k = 0; k < 100; k++) {
		o[k].c = k * 20.0;
		o[k].a = row_of(o[k].c);
		o[k].f = NROWS;
	}
	stack(&a, "tcp_bind_bucket", o, 100, 64);
	decide(&a, NULL);
	assert_int_equal(find(&a, 1)->verdict, VERDICT_BOUNDED);
	assert_int_equal(find(&a, 1)->reason, AR_UNEVEN);
	assert_true(find(&a, 1)->mean_age < 0.2);
	attribution_free(&a);
}

/* TIME_WAIT: the tw_sock caches, and what keeps as many objects as TIME_WAIT sockets pend. */
static void test_time_wait(void **state)
{
	struct attribution a = { 0 };
	struct result r = { 0 };
	struct obj o[300];

	(void)state;
	snaps(&a);
	stack(&a, "tw_sock_TCP", o, leak_objs(o, 300), 192);
	stack(&a, "eventpoll_epi", o, leak_objs(o, 290), 64);
	r.tw_pending = 300;
	decide(&a, &r);
	assert_int_equal(find(&a, 1)->reason, AR_TIME_WAIT);
	assert_int_equal(find(&a, 1)->verdict, VERDICT_BOUNDED);
	assert_int_equal(find(&a, 2)->reason, AR_TIME_WAIT);
	/* The same stack without TIME_WAIT pending would be a leak's. */
	r.tw_pending = 0;
	decide(&a, &r);
	assert_int_equal(find(&a, 2)->verdict, VERDICT_LEAK);
	attribution_free(&a);
}

/* Most frees never seen (RCU batches): what it keeps cannot be told; slab's own growth is not
 * judged at all; allocations whose stack was lost are never a leak's stack. */
static void test_missed_and_own(void **state)
{
	struct attribution a = { 0 };
	struct attr_stack *st;
	struct obj o[50];

	(void)state;
	snaps(&a);
	st = stack(&a, "eventpoll_epi", o, leak_objs(o, 50), 128);
	st->missed = 5000;
	st->frees = 10;
	st = stack(&a, "kmalloc-256", o, leak_objs(o, 50), 256);
	st->slab_own = true;
	/* Leak-shaped, but its stack was lost: allocations of unknown code paths, never a leak's. */
	stack(&a, "pages", o, leak_objs(o, 50), 4096)->id = -1;
	decide(&a, NULL);
	assert_int_equal(find(&a, -1)->verdict, VERDICT_INCONCLUSIVE);
	assert_int_equal(find(&a, -1)->reason, AR_NO_STACK);
	assert_int_equal(find(&a, 1)->verdict, VERDICT_INCONCLUSIVE);
	assert_int_equal(find(&a, 1)->reason, AR_MISSED_FREES);
	assert_int_equal(find(&a, 2)->verdict, VERDICT_CLEAN);
	assert_int_equal(find(&a, 2)->reason, AR_SLAB_OWN);
	assert_int_equal(a.nleak, 0);
	attribution_free(&a);
}

/* Rose steadily with cycles while the loop ran, all back during quiesce: BACKLOG. */
static void test_backlog(void **state)
{
	struct attribution a = { 0 };
	struct obj o[200];
	size_t k;

	(void)state;
	snaps(&a);
	for (k = 0; k < 200; k++) {
		o[k].c = (k + 0.5) * CYCLES / 200;
		o[k].a = row_of(o[k].c);
		o[k].f = Q0 + 4;
	}
	stack(&a, "TCP", o, 200, 2368);
	decide(&a, NULL);
	assert_int_equal(find(&a, 1)->verdict, VERDICT_BACKLOG);
	assert_float_equal(find(&a, 1)->objs_per_cycle, 0.02, 0.002);
	attribution_free(&a);
}

/* A leaking slab figure lists the stacks of its cache, most first, with their shares. */
static void test_figure(void **state)
{
	struct attribution a = { 0 };
	struct analysis_params p;
	struct result r = { 0 };
	struct metric_result m = { 0 };
	struct series s;
	struct obj o[40];
	const struct attr_figure *f;
	char *text = NULL;
	size_t len = 0;
	FILE *mf;

	(void)state;
	series_init(&s, 0);
	m.col = series_add_named(&s, "slab.TCP.objs", UNIT_COUNT, MK_LEVEL, NULL);
	assert_true(m.col >= 0);
	m.verdict = VERDICT_LEAK;
	m.residual_per_cycle = 0.004;
	r.m = &m;
	r.nm = 1;
	snaps(&a);
	stack(&a, "TCP", o, leak_objs(o, 20), 2368);
	stack(&a, "TCP", o, leak_objs(o, 20), 2368);
	stack(&a, "filp", o, leak_objs(o, 20), 256);
	analysis_defaults(&p);
	assert_int_equal(attribution_decide(&a, &s, &r, &p), 0);
	assert_int_equal(a.nfigures, 1);
	f = &a.figures[0];
	assert_int_equal(f->col, m.col);
	assert_int_equal(f->nstacks, 2);
	assert_float_equal(f->share[0], 0.5, 1e-9);
	assert_float_equal(f->explained, 1.0, 1e-9);
	assert_string_equal(a.stacks[f->stacks[0]].cache, "TCP");
	assert_string_equal(a.stacks[f->stacks[1]].cache, "TCP");

	mf = open_memstream(&text, &len);
	assert_int_equal(report_text_attribution(mf, &s, &a, 100), 0);
	fclose(mf);
	assert_non_null(strstr(text, "Where it was allocated"));
	assert_non_null(strstr(text, "sk_prot_alloc+0x32 < sk_alloc+0x2c < inet_create+0xfa"));
	assert_non_null(strstr(text, "slab.TCP.objs"));
	assert_non_null(strstr(text, "50%"));
	/* The allocator's frame is folded, the syscall entry below the syscall cut. */
	assert_null(strstr(text, "kmem_cache_alloc_noprof"));
	assert_null(strstr(text, "do_syscall_64"));
	free(text);
	attribution_free(&a);
	series_free(&s);
}

/* Written and read back: the same stacks, figures, sources and losses. */
static void test_json_round_trip(void **state)
{
	struct attribution a = { 0 }, b;
	struct jt_reader rd = { .path = "t", .schema = 2 };
	struct analysis_params p;
	struct result r = { 0 };
	struct metric_result m = { 0 };
	struct series s;
	struct obj o[40];
	struct jw w;
	char *text = NULL;
	size_t len = 0, i;
	json_t *root;
	FILE *mf;

	(void)state;
	series_init(&s, 0);
	m.col = series_add_named(&s, "slab.TCP.objs", UNIT_COUNT, MK_LEVEL, NULL);
	m.verdict = VERDICT_LEAK;
	m.residual_per_cycle = 0.002;
	r.m = &m;
	r.nm = 1;
	snaps(&a);
	stack(&a, "TCP", o, leak_objs(o, 20), 2368)->cache_note = strdup("merged: a, b");
	a.sources = calloc(1, sizeof(*a.sources));
	a.nsources = 1;
	snprintf(a.sources[0].group, sizeof(a.sources[0].group), "socket charges");
	snprintf(a.sources[0].name, sizeof(a.sources[0].name), "__sk_mem_raise_allocated");
	snprintf(a.sources[0].why, sizeof(a.sources[0].why), "fentry refused");
	a.lost.objs_full = 12;
	a.lost_any = true;
	analysis_defaults(&p);
	assert_int_equal(attribution_decide(&a, &s, &r, &p), 0);

	mf = open_memstream(&text, &len);
	jw_init(&w, mf);
	jw_object(&w, NULL, false);
	report_json_attribution(&w, &s, &a);
	jw_end(&w);
	fclose(mf);
	root = json_loads(text, 0, NULL);
	assert_non_null(root);
	rd.s = &s;
	assert_int_equal(
		report_json_load_attribution(&rd, json_object_get(root, "attribution"), &b), 0);
	assert_true(b.on);
	assert_int_equal(b.nstacks, a.nstacks);
	for (i = 0; i < a.nstacks; i++) {
		assert_string_equal(b.stacks[i].cache, a.stacks[i].cache);
		assert_int_equal(b.stacks[i].verdict, a.stacks[i].verdict);
		assert_int_equal(b.stacks[i].reason, a.stacks[i].reason);
		assert_int_equal(b.stacks[i].nframes, a.stacks[i].nframes);
		assert_string_equal(b.stacks[i].frames[1], a.stacks[i].frames[1]);
		assert_true(b.stacks[i].objs_per_cycle == a.stacks[i].objs_per_cycle);
	}
	assert_string_equal(b.stacks[0].cache_note, "merged: a, b");
	assert_int_equal(b.nfigures, 1);
	assert_int_equal(b.figures[0].col, m.col);
	assert_int_equal(b.figures[0].nstacks, a.figures[0].nstacks);
	assert_true(b.figures[0].share[0] == a.figures[0].share[0]);
	assert_int_equal(b.nsources, 1);
	assert_string_equal(b.sources[0].why, "fentry refused");
	assert_true(b.lost.objs_full == 12);
	assert_true(b.lost_any);
	/* A stack index past the stacks is refused, naming the place. */
	json_object_set_new(
		json_array_get(
			json_object_get(
				json_array_get(json_object_get(json_object_get(root, "attribution"),
							       "figures"),
					       0),
				"stacks"),
			0),
		"stack", json_integer(99));
	attribution_free(&b);
	rd.err = 0;
	assert_int_equal(
		report_json_load_attribution(&rd, json_object_get(root, "attribution"), &b),
		-EINVAL);
	attribution_free(&b);
	json_decref(root);
	free(text);
	attribution_free(&a);
	series_free(&s);
}

/* The sources line groups what is on, then what is off and why. */
static void test_sources_line(void **state)
{
	struct attr_source s[4] = {
		{ "slab", "kmem_cache_alloc", true, "" },
		{ "slab", "kfree", true, "" },
		{ "socket charges", "__sk_mem_raise_allocated", false,
		  "not traceable on this kernel (fentry refused)" },
		{ "socket charges", "__sk_mem_reduce_allocated", false,
		  "not traceable on this kernel (fentry refused)" },
	};
	char buf[256];

	(void)state;
	report_attr_sources(buf, sizeof(buf), s, 4);
	assert_string_equal(buf, "tracing slab; socket charges: not traceable on this kernel "
				 "(fentry refused)");
}

/* The share of a finite population from a random sample: Wilson's interval, exact when whole. */
static void test_share_estimate(void **state)
{
	double lo, hi;

	(void)state;
	/* Every item sampled: the count is exact. */
	assert_float_equal(st_share_estimate(3, 10, 10, 0.95, &lo, &hi), 3, 0);
	assert_float_equal(lo, 3, 0);
	assert_float_equal(hi, 3, 0);
	/* Half of 100 sampled out of 1600: 800, 651 to 949 (variance shrunk by 1 - 100/1600). */
	assert_float_equal(st_share_estimate(50, 100, 1600, 0.95, &lo, &hi), 800, 1e-9);
	assert_float_equal(lo, 650.84, 0.01);
	assert_float_equal(hi, 949.16, 0.01);
	/* None of 10 sampled out of 100: 0, at most 25.7; never below what was seen. */
	assert_float_equal(st_share_estimate(0, 10, 100, 0.95, &lo, &hi), 0, 0);
	assert_float_equal(lo, 0, 0);
	assert_float_equal(hi, 25.69, 0.01);
	/* Certain bounds: at least the k seen, at most all but the n - k seen without it. */
	st_share_estimate(9, 10, 12, 0.95, &lo, &hi);
	assert_true(lo >= 9 && hi <= 11);
	/* Nothing sampled, or counts that cannot be: no estimate. */
	assert_true(isnan(st_share_estimate(0, 0, 100, 0.95, &lo, &hi)) && isnan(lo) && isnan(hi));
	assert_true(isnan(st_share_estimate(5, 4, 100, 0.95, &lo, &hi)));
	assert_true(isnan(st_share_estimate(5, 10, 8, 0.95, &lo, &hi)));
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

/* xorshift64*: the same draws on every run, so the test is deterministic. */
static double draw(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (double)((rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/*
 * The 95% interval covers the truth about 95% of the time: 2000 objects, 700 of one stack, each
 * walked with chance 1/16 as the eBPF program walks them, 4000 times.
 */
static void test_share_coverage(void **state)
{
	int trial, i, covered = 0, trials = 4000;

	(void)state;
	for (trial = 0; trial < trials; trial++) {
		double k = 0, n = 0, lo, hi;

		for (i = 0; i < 2000; i++)
			if (draw() < 1.0 / 16) {
				n++;
				k += i < 700;
			}
		if (!isnan(st_share_estimate(k, n, 2000, 0.95, &lo, &hi)))
			covered += lo <= 700 && 700 <= hi;
	}
	assert_true(covered >= 0.93 * trials && covered <= 0.97 * trials);
}

/*
 * Sampled 1 in 16: two stacks of one call site leak 500 and 300 objects, a third alone at its
 * own call site leaks 400. Each object's stack is walked with chance 1/16; the others go to the
 * group's unwalked entry. Shared out, the group's total is exact, each stack's count is within
 * its interval of the truth, the lone stack's count is its call site's (with an interval: a
 * stack never walked may share it), and nothing stays unwalked.
 */
static void test_sampled(void **state)
{
	struct attribution a = { 0 };
	static struct obj all[1200], w1[1200], w2[1200], w3[1200], u1[1200], u3[1200];
	size_t n1 = 0, n2 = 0, n3 = 0, nu1 = 0, nu3 = 0, k;
	struct attr_stack *st;
	double sum = 0;

	(void)state;
	snaps(&a);
	a.sample_every = 16;
	leak_objs(all, 1200);
	for (k = 0; k < 1200; k++) {
		bool walked = draw() < 1.0 / 16;
		size_t who = k % 12 < 5 ? 1 : k % 12 < 8 ? 2 : 3; /* 500, 300, 400 */

		if (who == 1 && walked)
			w1[n1++] = all[k];
		else if (who == 2 && walked)
			w2[n2++] = all[k];
		else if (who == 3 && walked)
			w3[n3++] = all[k];
		else if (who == 3)
			u3[nu3++] = all[k];
		else
			u1[nu1++] = all[k];
	}
	stack(&a, "TCP", w1, n1, 2368)->site = 0x100;
	stack(&a, "TCP", w2, n2, 2368)->site = 0x100;
	stack(&a, "TCP", w3, n3, 2368)->site = 0x200;
	st = stack(&a, "TCP", u1, nu1, 2368);
	st->site = 0x100;
	st->id = ATTR_ID_UNWALKED;
	st = stack(&a, "TCP", u3, nu3, 2368);
	st->site = 0x200;
	st->id = ATTR_ID_UNWALKED;
	assert_int_equal(attribution_share_unwalked(&a), 0);
	decide(&a, NULL);
	for (k = 1; k <= 3; k++) {
		double truth = k == 1 ? 500 : k == 2 ? 300 : 400;

		st = find(&a, (int)k);
		assert_int_equal(st->verdict, VERDICT_LEAK);
		assert_true(fabs(st->objs_end - truth) <= st->kept_pm * st->objs_end);
		if (k < 3)
			sum += st->objs_end;
	}
	assert_float_equal(sum, 800, 1e-6);
	assert_true(find(&a, 1)->kept_pm > 0.05 && find(&a, 1)->kept_pm < 0.5);
	assert_float_equal(find(&a, 3)->objs_end, 400, 1e-6);
	assert_true(find(&a, 3)->kept_pm > 0 && find(&a, 3)->kept_pm < 0.2);
	assert_float_equal(find(&a, 1)->allocs + find(&a, 2)->allocs, 800, 1e-6);
	for (k = 0; k < a.nstacks; k++)
		if (a.stacks[k].id == ATTR_ID_UNWALKED) {
			assert_int_equal(a.stacks[k].reason, AR_UNWALKED);
			assert_int_equal(a.stacks[k].verdict, VERDICT_CLEAN);
		}
	attribution_free(&a);
}

/* A call site none of whose walked stacks keeps anything: its objects stay unwalked, named so. */
static void test_unwalked_stays(void **state)
{
	struct attribution a = { 0 };
	struct obj o[200];
	struct attr_stack *st;

	(void)state;
	snaps(&a);
	a.sample_every = 16;
	st = stack(&a, "TCP", o, leak_objs(o, 200), 2368);
	st->id = ATTR_ID_UNWALKED;
	assert_int_equal(attribution_share_unwalked(&a), 0);
	decide(&a, NULL);
	st = find(&a, ATTR_ID_UNWALKED);
	assert_float_equal(st->objs_end, 200, 0);
	assert_int_equal(st->reason, AR_UNWALKED);
	assert_int_equal(st->verdict, VERDICT_INCONCLUSIVE);
	attribution_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leak),	       cmocka_unit_test(test_in_flight),
		cmocka_unit_test(test_pool),	       cmocka_unit_test(test_time_wait),
		cmocka_unit_test(test_missed_and_own), cmocka_unit_test(test_backlog),
		cmocka_unit_test(test_figure),	       cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_sources_line),   cmocka_unit_test(test_share_estimate),
		cmocka_unit_test(test_share_coverage), cmocka_unit_test(test_sampled),
		cmocka_unit_test(test_unwalked_stays),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
