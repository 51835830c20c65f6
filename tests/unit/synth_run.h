/* Synthetic runs for the report tests: a KB Q171996 run over TCP, with or without a known leak. */
#ifndef SOCKLEAK_TEST_SYNTH_RUN_H
#define SOCKLEAK_TEST_SYNTH_RUN_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "describe.h"
#include "model/result.h"
#include "model/series.h"
#include "config.h"
#include "report/machine.h"
#include "report/report.h"

/* The name the platform's engine gives an errors[] slot the fixtures fill: errno on Linux, the
 * Winsock code (slot + 10000) on Windows. */
#ifdef _WIN32
#define ERRNAME_111 "WSA10111"
#define ERRNAME_24 "WSAEMFILE"
#define ERRNAME_OTHER "WSA(other)"
#else
#define ERRNAME_111 "ECONNREFUSED"
#define ERRNAME_24 "EMFILE"
#define ERRNAME_OTHER "E(other)"
#endif

/*
 * Shape of the run: 10 Hz samples, 3 s of baseline, 10 s of churn at 25k cycles/s, 75 s of
 * quiesce. TIME_WAIT sockets pile up at the cycle rate and expire 60 s later. With a leak, one
 * client socket in 1000 stays open (and its accepted end on the server).
 */
#define SY_HZ 10
#define SY_BASE 3.0
#define SY_CHURN 10.0
#define SY_QUIESCE 75.0
#define SY_RATE 25000.0
#define SY_N 1000

struct synth {
	struct series s;
	struct result r;
	struct run_config cfg;
	struct machine m;
	json_t *engine;
	uint64_t rng;
};

static inline double synth_noise(struct synth *x, double sigma)
{
	double u = 0;
	int i;

	/* Sum of four uniforms: near-normal, deterministic across runs and machines. */
	for (i = 0; i < 4; i++) {
		x->rng = x->rng * 6364136223846793005ULL + 1442695040888963407ULL;
		u += (double)(x->rng >> 11) / 9007199254740992.0 - 0.5;
	}
	return u * sigma * 1.732;
}

static inline double synth_cycles(double t)
{
	if (t <= SY_BASE)
		return 0;
	if (t >= SY_BASE + SY_CHURN)
		return SY_RATE * SY_CHURN;
	return floor(SY_RATE * (t - SY_BASE));
}

struct synth_col {
	const char *name;
	enum unit unit;
	enum metric_kind kind;
	double base, per_leak, per_tw, per_inflight, objsize, noise;
	enum verdict leak_verdict, clean_verdict;
	const char *note;
};

static const struct synth_col synth_cols[] = {
	{ "tcp.client", UNIT_COUNT, MK_LEVEL, 0, 1, 0, 0.5, 0, 0, VERDICT_LEAK, VERDICT_CLEAN },
	{ "sockstat.TCP.inuse", UNIT_COUNT, MK_LEVEL, 1, 2, 0, 1, 0, 0, VERDICT_LEAK,
	  VERDICT_CLEAN },
	{ "slab.TCP.bytes", UNIT_BYTES, MK_LEVEL, 30, 2, 0, 1, 2368, 0, VERDICT_LEAK,
	  VERDICT_CLEAN },
	{ "slab.TCP.objs", UNIT_COUNT, MK_LEVEL, 30, 2, 0, 1, 0, 0, VERDICT_LEAK, VERDICT_CLEAN },
	{ "slab.sock_inode_cache.bytes", UNIT_BYTES, MK_LEVEL, 210, 2, 0, 1, 832, 0, VERDICT_LEAK,
	  VERDICT_CLEAN },
	{ "slab.sock_inode_cache.objs", UNIT_COUNT, MK_LEVEL, 210, 2, 0, 1, 0, 0, VERDICT_LEAK,
	  VERDICT_CLEAN },
	{ "slab.filp.bytes", UNIT_BYTES, MK_LEVEL, 3000, 2, 0, 1, 256, 4, VERDICT_LEAK,
	  VERDICT_CLEAN, "merged: bio-256, biovec-16" },
	{ "memcg.kmem", UNIT_BYTES, MK_LEVEL, 31457280, 7372.8, 256, 3000, 0, 8192, VERDICT_LEAK,
	  VERDICT_BOUNDED },
	{ "proc.fds", UNIT_COUNT, MK_LEVEL, 8, 2, 0, 1, 0, 0, VERDICT_LEAK, VERDICT_CLEAN },
	{ "tcp.state.ESTABLISHED", UNIT_COUNT, MK_LEVEL, 0, 2, 0, 1, 0, 0, VERDICT_LEAK,
	  VERDICT_CLEAN },
	{ "sockstat.TCP.tw", UNIT_COUNT, MK_LEVEL, 0, 0, 1, 0, 0, 0, VERDICT_BOUNDED,
	  VERDICT_BOUNDED },
	{ "tcp.state.TIME_WAIT", UNIT_COUNT, MK_LEVEL, 0, 0, 1, 0, 0, 0, VERDICT_BOUNDED,
	  VERDICT_BOUNDED },
	{ "slab.tw_sock_TCP.bytes", UNIT_BYTES, MK_LEVEL, 40, 0, 1, 0, 256, 0, VERDICT_BOUNDED,
	  VERDICT_BOUNDED },
	{ "tcp.state.LISTEN", UNIT_COUNT, MK_LEVEL, 1, 0, 0, 0, 0, 0, VERDICT_CLEAN,
	  VERDICT_CLEAN },
	{ "tcp.state.FIN_WAIT2", UNIT_COUNT, MK_LEVEL, 0, 0, 0, 2, 0, 0, VERDICT_CLEAN,
	  VERDICT_CLEAN },
	{ "meminfo.SUnreclaim", UNIT_BYTES, MK_LEVEL, 157286400, 6912, 256, 4000, 0, 153600,
	  VERDICT_INCONCLUSIVE, VERDICT_CLEAN },
	{ "meminfo.MemAvailable", UNIT_BYTES, MK_LEVEL, 21474836480.0, 0, 0, 0, 0, 2097152,
	  VERDICT_CLEAN, VERDICT_CLEAN },
	{ "slab.kmalloc-256.bytes", UNIT_BYTES, MK_LEVEL, 4096, 0, 0, 0, 256, 20, VERDICT_CLEAN,
	  VERDICT_CLEAN, "merged: skbuff_ext_cache" },
	{ "proc.rss", UNIT_BYTES, MK_LEVEL, 6291456, 0, 0, 0, 0, 4096, VERDICT_CLEAN,
	  VERDICT_CLEAN },
	{ "netstat.ListenOverflows", UNIT_COUNT, MK_COUNTER, 0, 0, 0, 0, 0, 0, VERDICT_CLEAN,
	  VERDICT_CLEAN },
	{ "probe.slabinfo.us", UNIT_USEC, MK_COST, 900, 0, 0, 0, 0, 60, VERDICT_CLEAN,
	  VERDICT_CLEAN },
};

#define SY_NCOLS (sizeof(synth_cols) / sizeof(synth_cols[0]))

/* TIME_WAIT sockets at t: the cycles of the last 60 s. */
static inline double synth_tw(double t)
{
	return synth_cycles(t) - synth_cycles(t - 60);
}

static inline double synth_value(struct synth *x, const struct synth_col *c, double t, bool leak,
				 bool noisy)
{
	double leaked = leak ? floor(synth_cycles(t) / SY_N) : 0;
	bool churn = t > SY_BASE && t <= SY_BASE + SY_CHURN;
	double v = c->base + c->per_leak * leaked + c->per_tw * synth_tw(t);

	if (churn && c->per_inflight)
		v += noisy ? fabs(round(c->per_inflight + synth_noise(x, c->per_inflight))) :
			     c->per_inflight;
	if (noisy && c->noise)
		v += round(synth_noise(x, c->noise));
	return c->objsize ? v * c->objsize : v;
}

static inline void synth_metric(struct synth *x, int col, bool leak)
{
	const struct synth_col *c = &synth_cols[col];
	struct metric_result *m = &x->r.m[x->r.nm++];
	double end = SY_BASE + SY_CHURN + SY_QUIESCE, cycles = SY_RATE * SY_CHURN;
	double peak = 0, t;

	m->col = col;
	m->verdict = leak ? c->leak_verdict : c->clean_verdict;
	m->baseline = synth_value(x, c, 0, leak, false);
	m->noise = c->noise ? c->noise * (c->objsize ? c->objsize : 1) : 0.2;
	for (t = SY_BASE; t <= SY_BASE + SY_CHURN; t += 0.1)
		peak = fmax(peak, synth_value(x, c, t, leak, false) - m->baseline);
	m->peak = peak;
	m->slope = (synth_value(x, c, SY_BASE + SY_CHURN, leak, false) -
		    synth_value(x, c, SY_BASE + 0.1, leak, false)) /
		   (cycles - synth_cycles(SY_BASE + 0.1));
	m->slope_lo = m->slope * 0.97 - m->noise / cycles;
	m->slope_hi = m->slope * 1.03 + m->noise / cycles;
	m->slope_early = m->slope * 1.01;
	m->slope_late = m->slope * 0.99;
	m->residual = synth_value(x, c, end, leak, false) - m->baseline;
	m->residual_per_cycle = m->residual / cycles;
	m->after_teardown = NAN;
	m->confidence = m->verdict == VERDICT_CLEAN ? 0.9 : 0.99;
	m->cycles_to_decide = m->verdict == VERDICT_INCONCLUSIVE ? 1.2e6 : 0;
	m->tw_explained = c->per_tw > 0 && m->verdict == VERDICT_BOUNDED;
	m->decisive = strncmp(c->name, "meminfo.", 8) != 0;
	snprintf(m->why, sizeof(m->why), "%s: residual %.4g after quiesce, noise %.3g",
		 m->verdict == VERDICT_LEAK ? "kept" : "came back", m->residual, m->noise);
}

/* The pool-tag table analysis would make: one row per slab cache judged other than CLEAN. */
static inline void synth_pools(struct synth *x)
{
	size_t i, k;

	x->r.pools = calloc(SY_NCOLS, sizeof(*x->r.pools));
	for (i = 0; i < x->r.nm; i++) {
		const struct metric_result *m = &x->r.m[i];
		const char *name = x->s.cols[m->col].name, *dot = strrchr(name, '.');
		struct pool_row *p = NULL;
		bool bytes;
		size_t n;

		if (strncmp(name, "slab.", 5) || m->verdict == VERDICT_CLEAN)
			continue;
		bytes = !strcmp(dot, ".bytes");
		n = (size_t)(dot - name - 5);
		for (k = 0; k < x->r.npools && !p; k++)
			if (strlen(x->r.pools[k].cache) == n &&
			    !strncmp(x->r.pools[k].cache, name + 5, n))
				p = &x->r.pools[k];
		if (!p) {
			p = &x->r.pools[x->r.npools++];
			memcpy(p->cache, name + 5, n);
			p->objs_col = p->bytes_col = -1;
			p->objs_per_cycle = p->bytes_per_cycle = NAN;
		}
		if (bytes) {
			p->bytes_col = m->col;
			p->bytes_per_cycle = m->residual_per_cycle;
			p->peak_bytes = m->peak;
		} else {
			p->objs_col = m->col;
			p->objs_per_cycle = m->residual_per_cycle;
			p->peak_objs = m->peak;
		}
		p->verdict = m->verdict > p->verdict ? m->verdict : p->verdict;
		p->confidence = m->confidence;
	}
}

/* Builds the run; free with synth_free. */
static inline void synth_run(struct synth *x, bool leak)
{
	static const enum phase phases[] = { PHASE_BASELINE, PHASE_CHURN, PHASE_QUIESCE };
	static const double starts[] = { 0, SY_BASE, SY_BASE + SY_CHURN };
	double end = SY_BASE + SY_CHURN + SY_QUIESCE;
	size_t j, k = 0, row;
	struct engine_stats *st;

	memset(x, 0, sizeof(*x));
	x->rng = leak ? 42 : 7;
	series_init(&x->s, 0);
	for (j = 0; j < SY_NCOLS; j++) {
		series_add_named(&x->s, synth_cols[j].name, synth_cols[j].unit, synth_cols[j].kind,
				 synth_cols[j].note);
	}
	for (row = 0; row <= (size_t)(end * SY_HZ); row++) {
		double t = (double)row / SY_HZ;

		while (k < 3 && t >= starts[k]) {
			series_mark(&x->s, phases[k], t, (uint64_t)synth_cycles(t));
			k++;
		}
		for (j = 0; j < SY_NCOLS; j++)
			series_set(&x->s, (int)j, synth_value(x, &synth_cols[j], t, leak, true));
		/* The TCP probe missed one sample: reports must show the gap, not a zero. */
		if (row == 200)
			series_set(&x->s, 1, NAN);
		series_commit(&x->s, t, (uint64_t)synth_cycles(t));
	}
	series_flush(&x->s);

	x->r.m = calloc(SY_NCOLS, sizeof(*x->r.m));
	for (j = 0; j < SY_NCOLS; j++)
		if (synth_cols[j].kind == MK_LEVEL)
			synth_metric(x, (int)j, leak);
	synth_pools(x);
	x->r.verdict = leak ? VERDICT_LEAK : VERDICT_BOUNDED;
	x->r.verdict_col = -1;
	x->r.cycles = (uint64_t)(SY_RATE * SY_CHURN);
	x->r.churn_seconds = SY_CHURN;
	x->r.quiesce_seconds = SY_QUIESCE;
	x->r.quiesce_stable = true;
	x->r.leaked_sockets_per_cycle = leak ? 1.0 / SY_N : 0;
	x->r.injected_per_cycle = leak ? 1.0 / SY_N : 0;
	x->r.memcg_bytes_per_cycle = leak ? 7.3728 : 0.0012;

	x->cfg.sequence = "socket,setsockopt:SO_REUSEADDR=1,connect,send:64,close";
	x->cfg.preset = "kb171996";
	x->cfg.transport = TR_TCP;
	x->cfg.threads = 1;
	x->cfg.seconds = SY_CHURN;
	x->cfg.inject_leak = leak ? SY_N : 0;
	x->cfg.server_threads = 1;
	x->cfg.server_close = SC_EOF;
	x->cfg.backlog = 128;
	x->cfg.netns = true;
	x->cfg.cgroup = true;
	x->cfg.interval = 1.0 / SY_HZ;
	x->cfg.baseline = SY_BASE;
	x->cfg.quiesce_max = 90;
	x->cfg.fail_on = 1u << VERDICT_LEAK | 1u << VERDICT_BACKLOG;

	snprintf(x->m.kernel, sizeof(x->m.kernel), "6.18.0-test");
	snprintf(x->m.kernel_build, sizeof(x->m.kernel_build), "#1 SMP PREEMPT_DYNAMIC");
	snprintf(x->m.arch, sizeof(x->m.arch), "x86_64");
	snprintf(x->m.hostname, sizeof(x->m.hostname), "testhost");
	snprintf(x->m.os, sizeof(x->m.os), "Debian GNU/Linux 12 (bookworm)");
	snprintf(x->m.cpu, sizeof(x->m.cpu), "Synthetic CPU @ 2.0GHz");
	x->m.cores = 2;
	x->m.mem_bytes = 24ULL << 30;
	x->m.cgroup_version = 1;
	x->m.cgroup = x->m.root = x->m.netns = true;
	snprintf(x->m.version, sizeof(x->m.version), "0.1.0");
	snprintf(x->m.start, sizeof(x->m.start), "2025-11-25T11:35:38Z");

	st = calloc(1, sizeof(*st));
	st->cycles = (uint64_t)(SY_RATE * SY_CHURN);
	st->seconds = SY_CHURN;
	st->user_seconds = 1.9;
	st->system_seconds = 7.6;
	st->threads = 1;
	st->thread_min = st->thread_max = st->cycles;
	st->leaked = leak ? st->cycles / SY_N : 0;
	st->failed_cycles = 3;
	st->errors[2][111] = 3; /* connect: ECONNREFUSED */
	{
		static const char *const ops[] = { "socket", "setsockopt", "connect", "send",
						   "close" };

		x->engine = report_engine_json(st, ops, 5);
	}
	free(st);
}

static inline struct report_in synth_in(const struct synth *x)
{
	return (struct report_in){ &x->s, &x->r, &x->cfg, &x->m, x->engine };
}

static inline void synth_free(struct synth *x)
{
	series_free(&x->s);
	free(x->r.m);
	free(x->r.pools);
	json_decref(x->engine);
}

#endif
