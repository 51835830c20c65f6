/* Unit tests for src/probe/probe.c: the registry on fixtures, and the KB sequence with a leak. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <time.h>

#include "common.h"
#include "netns_fixture.h"
#include "probe_fixture.h"

static void test_registry_fixture(void **state)
{
	struct probe_ctx ctx = { .root = fixture("host"), .netns_fd = -1, .pid = 4242 };
	struct probe_set ps;
	struct series s;
	int c;

	(void)state;
	series_init(&s, 0);
	assert_int_equal(probes_open(&ps, &ctx, &s, true), 0);
	assert_true(ps.p[PROBE_MEMINFO].on);
	assert_true(ps.p[PROBE_SLABINFO].on);
	assert_true(ps.p[PROBE_SOCKSTAT].on);
	assert_true(ps.p[PROBE_NETSTAT].on);
	assert_true(ps.p[PROBE_PROC].on);
	/* Off, each with its reason; the others go on. */
	assert_false(ps.p[PROBE_SOCKDIAG].on);
	assert_non_null(strstr(ps.p[PROBE_SOCKDIAG].why, "live kernel"));
	assert_false(ps.p[PROBE_MEMCG].on);
	assert_non_null(strstr(ps.p[PROBE_MEMCG].why, "cgroup"));
	assert_int_equal(probes_on(&ps), 5);
	/* Opening is not sampling: nothing is pending. */
	assert_true(isnan(s.row[series_find(&s, "slab.TCP.objs")]));

	probes_sample(&ps, &s);
	series_commit(&s, 0, 0);
	assert_float_equal(last(&s, "slab.TCP.objs"), 66, 0);
	assert_float_equal(last(&s, "sockstat.TCP.tw"), 3, 0);
	c = series_find(&s, "probe.slabinfo.us");
	assert_true(c >= 0);
	assert_int_equal(s.cols[c].d.kind, MK_COST);
	assert_int_equal(s.cols[c].d.unit, UNIT_USEC);
	assert_true(s.last[c] > 0);
	assert_int_equal(series_find(&s, "probe.memcg.us"), -1);

	/* Before a netns goes away: per-netns probes close, host-wide ones go on. */
	probes_close_netns(&ps);
	assert_false(ps.p[PROBE_SOCKSTAT].on);
	assert_false(ps.p[PROBE_NETSTAT].on);
	assert_true(ps.p[PROBE_SLABINFO].on);
	probes_sample(&ps, &s);
	series_commit(&s, 1, 0);
	/* the latest row has no figure of it; `last` keeps its last one for live views */
	assert_true(isnan(series_val(&s, series_find(&s, "sockstat.TCP.tw"), s.nrows - 1)));
	assert_false(isnan(last(&s, "sockstat.TCP.tw")));
	assert_float_equal(last(&s, "slab.TCP.objs"), 66, 0);
	probes_close(&ps);
	series_free(&s);
}

static void test_nothing_opens(void **state)
{
	struct probe_ctx ctx = { .root = "/nonexistent", .netns_fd = -1, .pid = 1 };
	struct probe_set ps;
	struct series s;

	(void)state;
	series_init(&s, 0);
	assert_true(probes_open(&ps, &ctx, &s, true) < 0);
	series_free(&s);
}

/* The KB sequence against a local server in a private netns, through the registry. */
struct run {
	struct test_netns tn;
	struct test_server sv;
	uint16_t port;
	struct probe_set ps;
	struct series s;
	int kept[512];
	int nkept;
};

static void sample(struct run *r)
{
	probes_sample(&r->ps, &r->s);
	series_commit(&r->s, sl_now(), 0);
}

static bool run_start(struct run *r)
{
	struct probe_ctx ctx = { .root = "", .netns_fd = -1 };

	memset(r, 0, sizeof(*r));
	if (test_netns_create(&r->tn))
		return false;
	test_netns_enter(&r->tn);
	assert_int_equal(test_server_start(&r->sv, AF_INET, NULL, &r->port), 0);
	test_netns_leave(&r->tn);
	ctx.netns_fd = r->tn.ns;
	ctx.server_port = r->port;
	series_init(&r->s, 0);
	assert_int_equal(probes_open(&r->ps, &ctx, &r->s, true), 0);
	assert_true(r->ps.p[PROBE_SOCKDIAG].on);
	sample(r);
	return true;
}

static void run_cycles(struct run *r, int n, int leak_every)
{
	int i, fd;

	test_netns_enter(&r->tn);
	for (i = 1; i <= n; i++) {
		bool keep = leak_every && i % leak_every == 0;

		fd = kb_cycle(r->port, keep);
		assert_true(fd >= 0);
		if (keep)
			r->kept[r->nkept++] = fd;
	}
	test_netns_leave(&r->tn);
}

static void run_stop(struct run *r)
{
	int i;

	for (i = 0; i < r->nkept; i++)
		close(r->kept[i]);
	probes_close(&r->ps);
	series_free(&r->s);
	test_server_stop(&r->sv);
	test_netns_destroy(&r->tn);
}

struct want {
	const char *name;
	double v;
};

/* Samples until every socket count is what it must be once the kernel's clean-up ran, or 10 s. */
static bool settle(struct run *r, const struct want *w, size_t n)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	int tries;
	size_t i;

	for (tries = 0; tries < 500; tries++) {
		bool ok = true;

		sample(r);
		for (i = 0; i < n; i++)
			ok = ok && last(&r->s, w[i].name) == w[i].v;
		if (ok)
			return true;
		nanosleep(&pause, NULL);
	}
	for (i = 0; i < n; i++)
		if (last(&r->s, w[i].name) != w[i].v)
			print_error("%s = %.0f, want %.0f\n", w[i].name, last(&r->s, w[i].name),
				    w[i].v);
	return false;
}

/*
 * slab.TCP.objs is host-wide and SLUB counts every object of a per-CPU (partial) slab as active:
 * it moves by whole slabs (13 TCP objects here) and with everyone else's sockets. The tolerance is
 * four slabs per CPU; the first sample within it of the expected rise passes.
 */
static double slab_tol(void)
{
	return 4 * 13 * (double)sysconf(_SC_NPROCESSORS_ONLN);
}

/*
 * What other tasks do moves the host-wide cache by hundreds of objects on a shared machine. The
 * kernel counts every TCP socket allocated, host-wide, in the same sample (sockstat.TCP.alloc);
 * the run's own netns counts its own exactly (sockstat.TCP.inuse). Other tasks' sockets are the
 * difference, and the cache must have risen by ours plus theirs.
 */
struct slab_base {
	double objs, alloc, inuse;
};

static struct slab_base slab_base(struct run *r)
{
	return (struct slab_base){ last(&r->s, "slab.TCP.objs"), last(&r->s, "sockstat.TCP.alloc"),
				   last(&r->s, "sockstat.TCP.inuse") };
}

static bool slab_near(struct run *r, const struct slab_base *b, double rise, double tol)
{
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	double d = 0, others = 0;
	int tries;

	for (tries = 0; tries < 100; tries++) {
		d = last(&r->s, "slab.TCP.objs") - b->objs;
		others = (last(&r->s, "sockstat.TCP.alloc") - b->alloc) -
			 (last(&r->s, "sockstat.TCP.inuse") - b->inuse);
		if (getenv("SOCKLEAK_TEST_VERBOSE"))
			print_message("slab.TCP.objs rise %.0f (want %.0f, other tasks' %+.0f)\n",
				      d, rise, others);
		if (fabs(d - rise - others) <= tol)
			return true;
		nanosleep(&pause, NULL);
		sample(r);
	}
	print_error("slab.TCP.objs rose by %.0f, want %.0f + other tasks' %+.0f sockets +- %.0f\n",
		    d, rise, others, tol);
	return false;
}

/* The kernel's own TIME_WAIT figures of this netns at the start: entries made, reused, resets sent. */
struct tw_base {
	double made, reused, rsts;
};

static struct tw_base tw_base(struct run *r)
{
	return (struct tw_base){ last(&r->s, "netstat.TW"), last(&r->s, "netstat.TWRecycled"),
				 last(&r->s, "netstat.OutRsts") };
}

/*
 * Every closed client enters TIME_WAIT, and netstat.TW counts the entries exactly. The probe's
 * TIME_WAIT count is those entries less the ones a connect() reused (loopback allows it:
 * tcp_tw_reuse 2) and the few the kernel ends with a reset when the machine is busy (seen: OutRsts
 * rose by exactly the missing count while EstabResets and every abort counter stayed put). Nothing
 * else in this netns sends a reset.
 */
static bool tw_settle(struct run *r, double want, const struct tw_base *b)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	double made = 0, tw = 0, reused = 0, rsts = 0;
	int tries;

	for (tries = 0; tries < 500; tries++) {
		made = last(&r->s, "netstat.TW") - b->made;
		tw = last(&r->s, "tcp.state.TIME_WAIT");
		reused = last(&r->s, "netstat.TWRecycled") - b->reused;
		rsts = last(&r->s, "netstat.OutRsts") - b->rsts;
		if (made == want && tw + reused + rsts == want)
			return true;
		nanosleep(&pause, NULL);
		sample(r);
	}
	print_error("TIME_WAIT entries %.0f, want %.0f; tcp.state.TIME_WAIT %.0f + reused %.0f + "
		    "reset %.0f, want %.0f\n",
		    made, want, tw, reused, rsts, want);
	return false;
}

#define CYCLES 10000
#define EVERY 100
#define LEAKED (CYCLES / EVERY)

static void test_kb_leak(void **state)
{
	double inuse, est;
	struct slab_base slab;
	struct tw_base tb;
	struct run r;

	(void)state;
	if (!sl_is_root() || !run_start(&r))
		skip();
	inuse = last(&r.s, "sockstat.TCP.inuse");
	est = last(&r.s, "tcp.state.ESTABLISHED");
	slab = slab_base(&r);
	tb = tw_base(&r);
	assert_float_equal(inuse, 1, 0); /* the listener */
	assert_float_equal(est, 0, 0);

	run_cycles(&r, CYCLES, EVERY);
	/* Each kept client socket keeps the server's end open too: two sockets per leak. */
	{
		const struct want w[] = {
			{ "sockstat.TCP.inuse", inuse + 2 * LEAKED },
			{ "tcp.state.ESTABLISHED", est + 2 * LEAKED },
			{ "tcp.client", LEAKED },
			{ "tcp.server", LEAKED },
			{ "tcp.state.LAST_ACK", 0 },
			{ "tcp.state.FIN_WAIT2", 0 },
		};

		assert_true(settle(&r, w, ARRAY_SIZE(w)));
		assert_true(tw_settle(&r, CYCLES - LEAKED, &tb));
	}
	assert_true(slab_near(&r, &slab, 2 * LEAKED, slab_tol()));
	assert_true(last(&r.s, "netstat.ActiveOpens") >= CYCLES);

	/* Closing the leaked sockets brings every count back; TIME_WAIT is deferred clean-up. */
	while (r.nkept)
		close(r.kept[--r.nkept]);
	{
		const struct want w[] = {
			{ "sockstat.TCP.inuse", inuse },
			{ "tcp.state.ESTABLISHED", est },
			{ "tcp.client", 0 },
			{ "tcp.server", 0 },
		};

		assert_true(settle(&r, w, ARRAY_SIZE(w)));
		assert_true(tw_settle(&r, CYCLES, &tb));
	}
	assert_true(slab_near(&r, &slab, 0, slab_tol()));
	run_stop(&r);
}

static void test_kb_clean(void **state)
{
	double inuse;
	struct slab_base slab;
	struct tw_base tb;
	struct run r;

	(void)state;
	if (!sl_is_root() || !run_start(&r))
		skip();
	inuse = last(&r.s, "sockstat.TCP.inuse");
	slab = slab_base(&r);
	tb = tw_base(&r);
	run_cycles(&r, 1000, 0);
	{
		const struct want w[] = {
			{ "sockstat.TCP.inuse", inuse },
			{ "tcp.state.ESTABLISHED", 0 },
			{ "tcp.client", 0 },
			{ "tcp.server", 0 },
		};

		assert_true(settle(&r, w, ARRAY_SIZE(w)));
		assert_true(tw_settle(&r, 1000, &tb));
	}
	assert_true(slab_near(&r, &slab, 0, slab_tol()));
	run_stop(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry_fixture),
		cmocka_unit_test(test_nothing_opens),
		cmocka_unit_test(test_kb_leak),
		cmocka_unit_test(test_kb_clean),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
