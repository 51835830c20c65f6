/* One measured run: the phases around the engine, the sampler throughout, then the analysis. */
#include "run/run.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "engine/seq.h"
#include "run/cgroup.h"
#include "engine/guard.h"
#include "engine/transport.h"
#include "report/attribution.h"
#include "run/sampler.h"

#define NAP 0.05 /* the orchestrator's tick while waiting: signals answered this fast */

static struct engine *volatile g_engine;
static struct sl_cgroup g_cg;
static volatile sig_atomic_t g_signal;

/* --attribute: told the cycles at each nap, and each phase as it begins. */
static struct {
	struct attr *a;
	struct sampler *sp;
	struct cycles_src *cyc;
	enum phase ph;
} g_at;

static uint64_t cycles_of(void *arg);

static void at_tick(void)
{
	if (g_at.a && g_at.sp)
		attr_tick(g_at.a, sampler_elapsed(g_at.sp), cycles_of(g_at.cyc), g_at.ph);
}

/* A phase begins: in the series, and in the attribution's snapshots. */
static void mark(struct sampler *sp, enum phase ph)
{
	sampler_mark(sp, ph);
	g_at.ph = ph;
	if (g_at.a)
		attr_mark(g_at.a, sampler_elapsed(sp), cycles_of(g_at.cyc), ph);
}

/*
 * The first signal ends the phase under way (the engine stops, quiesce is cut short) and the run
 * still writes what it measured; a second one leaves the cgroup and dies of the signal.
 */
static void on_signal(int sig)
{
	if (g_signal) {
		cgroup_leave(&g_cg);
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	g_signal = sig;
	if (g_engine)
		engine_request_stop(g_engine);
}

int run_interrupted(void)
{
	return g_signal;
}

/* Sleeps for seconds, waking early on a signal; false when a signal came. */
static bool nap(double seconds)
{
	double end = sl_now() + seconds;

	while (!g_signal) {
		double left = end - sl_now();
		struct timespec ts;

		at_tick();
		if (left <= 0)
			return true;
		if (left > NAP)
			left = NAP;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)(left * 1e9);
		nanosleep(&ts, NULL);
	}
	return false;
}

static uint64_t cycles_of(void *arg)
{
	struct cycles_src *c = arg;
	uint64_t n;

	pthread_mutex_lock(&c->lock);
	if (c->e)
		c->last = engine_cycles(c->e);
	n = c->last;
	pthread_mutex_unlock(&c->lock);
	return n;
}

void run_engine_gone(struct cycles_src *c)
{
	pthread_mutex_lock(&c->lock);
	if (c->e)
		c->last = engine_cycles(c->e);
	c->e = NULL;
	pthread_mutex_unlock(&c->lock);
}

struct progress {
	bool on;
	double t0, tlast;
	uint64_t clast;
};

static void progress(struct progress *p, const char *phase, struct engine *e, const char *extra)
{
	double now = sl_now();
	uint64_t c = e ? engine_cycles(e) : p->clast;

	if (!p->on || now - p->tlast < 0.5)
		return;
	fprintf(stderr, "\r\033[K  %-9s %6.1f s  %12llu cycles  %9.0f cycles/s  %s", phase,
		now - p->t0, (unsigned long long)c,
		now > p->tlast && c >= p->clast ? (c - p->clast) / (now - p->tlast) : 0.0,
		extra ? extra : "");
	p->tlast = now;
	p->clast = c;
}

static void progress_end(struct progress *p)
{
	if (p->on)
		fprintf(stderr, "\r\033[K");
}

/* Churn: the engine's workers run until their stop condition, a signal or the memory guard. */
static void churn(const struct run_config *cfg, struct engine *e, struct sampler *sp,
		  struct run_output *out, struct progress *pg)
{
	struct guard g = { 0 };
	bool guard_on = guard_init(&g) == 0;
	double t0 = sl_now();
	bool warm = cfg->warmup > 0;

	if (!guard_on)
		sl_err("no memory guard: /proc/meminfo has no MemAvailable; watch memory yourself");
	mark(sp, warm ? PHASE_WARMUP : PHASE_CHURN);
	if (engine_start(e)) {
		sl_err("the client workers did not start; nothing was churned");
		return;
	}
	while (!engine_done(e)) {
		nap(NAP);
		if (warm && sl_now() - t0 >= cfg->warmup) {
			mark(sp, PHASE_CHURN);
			warm = false;
		}
		if (guard_on && !out->guard[0] &&
		    guard_tripped(&g, out->guard, sizeof(out->guard))) {
			sl_err("%s", out->guard);
			engine_request_stop(e);
		}
		progress(pg, warm ? "warm-up" : "churn", e, NULL);
	}
	/* A run shorter than its warm-up still gets a churn phase to fit. */
	if (warm)
		mark(sp, PHASE_CHURN);
	engine_join(e);
	engine_stats(e, &out->stats);
}

/* Quiesce: the loop has stopped; wait until every metric that moved is stable, or the maximum. */
static void quiesce(const struct run_config *cfg, struct sampler *sp, struct run_output *out,
		    struct progress *pg)
{
	double t0 = sl_now(), left;
	char why[256] = "";
	bool settled = false;

	mark(sp, PHASE_QUIESCE);
	while (!g_signal && (left = cfg->quiesce_max - (sl_now() - t0)) > 0) {
		nap(left < cfg->interval ? left : cfg->interval);
		series_lock(&out->series);
		settled = analysis_settled(&out->series, &out->params, why, sizeof(why));
		series_unlock(&out->series);
		if (settled)
			break;
		progress(pg, "quiesce", NULL, why);
	}
	out->settled = settled;
	if (!settled)
		snprintf(out->settle, sizeof(out->settle), "%s",
			 g_signal ? "interrupted" :
			 why[0]	  ? why :
				    "not settled");
}

static void params_for(const struct run_config *cfg, struct run_output *out)
{
	const struct transport *tr = transport_get(cfg->transport);

	analysis_defaults(&out->params);
	out->params.injected_per_cycle = cfg->inject_leak ? 1.0 / cfg->inject_leak : 0;
	out->params.private_netns = out->netns;
	out->params.private_cgroup = out->cgroup_version > 0;
	out->params.netns_per_cycle = cfg->seq && cfg->seq->netns_cycle;
	/* A leaked stream socket pins its accepted end in sockleak's own server too. */
	out->params.sockets_per_leak = tr->stream && !cfg->target ? 2 : 1;
#ifdef _WIN32
	out->params.tw_seconds = 120; /* TcpTimedWaitDelay's default on Windows (up to 240 s) */
#endif
}

static int tcp_states(void *arg, uint64_t cookie, int64_t out[2][16])
{
	return attr_tcp_states(arg, cookie, out);
}

int run_sampler_start(const struct run_config *cfg, struct engine *e, const struct sl_cgroup *cg,
		      struct attr *at, struct series *s, struct cycles_src *cyc,
		      struct sampler **out)
{
	struct sampler_cfg scfg = { 0 };
	char path[108] = "";
	uint16_t port = 0;
	int err;

	engine_server_addr(e, &port, path, sizeof(path));
	scfg.interval = cfg->interval;
	scfg.ctx.root = "";
	scfg.ctx.netns_fd = engine_netns_fd(e);
	scfg.ctx.pid = getpid();
	scfg.ctx.cgroup = cg ? cg->dir : NULL;
	scfg.ctx.cgroup_version = cg ? cg->version : 0;
	scfg.ctx.server_port = port;
	scfg.ctx.server_path = path[0] ? path : NULL;
	if (at) {
		scfg.ctx.tcp_states = tcp_states;
		scfg.ctx.tcp_states_arg = at;
	}
	cyc->e = e;
	scfg.cycles = cycles_of;
	scfg.arg = cyc;
	scfg.quiet = cfg->quiet;
	*out = NULL;
	err = sampler_create(&scfg, s, out);
	if (!err)
		err = sampler_start(*out);
	if (err) {
		sl_err("cannot sample the kernel's pools (%s); nothing to measure with",
		       strerror(-err));
		sampler_destroy(*out);
		*out = NULL;
	}
	return err;
}

static void on_engine_thread(void *arg, pid_t tid, bool client)
{
	(void)client;
	attr_scope_tid(arg, tid);
}

/*
 * --attribute: loads and attaches the eBPF side, or says in one line why not and lets the run go
 * on without it. Before the memory cgroup (the maps' memory is not the run's) and before the
 * engine (its netns's first sockets and threads are seen).
 */
static struct attr *attribution_start(const struct run_config *cfg, struct run_output *out)
{
	struct attr_opts o = { .max_objects = cfg->attribute_objects, .quiet = cfg->quiet };
	struct attr_source *src = NULL;
	struct attr *a = NULL;
	char why[200] = "", line[512];
	size_t n = 0;

	if (attr_open(&o, &a, why, sizeof(why)) || attr_start(a, why, sizeof(why))) {
		sl_err("--attribute: %s; the run goes on without it", why);
		snprintf(out->attribution.why, sizeof(out->attribution.why), "%s", why);
		attr_close(a);
		return NULL;
	}
	if (!cfg->quiet && !attr_sources(a, &src, &n)) {
		report_attr_sources(line, sizeof(line), src, n);
		sl_err("--attribute: %s", line);
	}
	free(src);
	return a;
}

/* Reads what the eBPF side kept, once, after the last phase; the decision comes with analysis. */
static void attribution_end(struct attr *a, struct sampler *sp, struct cycles_src *cyc,
			    struct run_output *out)
{
	int err;

	attr_mark(a, sampler_elapsed(sp), cycles_of(cyc), g_at.ph);
	err = attr_collect(a, &out->attribution);
	if (err) {
		attribution_free(&out->attribution);
		snprintf(out->attribution.why, sizeof(out->attribution.why),
			 "reading the eBPF figures failed: %s", strerror(-err));
		sl_err("--attribute: %s", out->attribution.why);
	}
}

int run_measure(const struct run_config *cfg, struct run_output *out)
{
	struct sigaction sa = { 0 }, old_int, old_term;
	struct sampler *sp = NULL;
	struct engine *e = NULL;
	struct progress pg = { 0 };
	struct cycles_src cyc = CYCLES_SRC_INIT;
	struct engine_thread_hook hook = { on_engine_thread, NULL };
	struct attr *at = NULL;
	int err, rc = 0;

	memset(out, 0, sizeof(*out));
	memset(&g_at, 0, sizeof(g_at));
	out->started = (double)time(NULL);
	g_signal = 0;
	if (series_init(&out->series, 0))
		return SL_EXIT_RUNTIME;

	/* Our handler first: cgroup_enter then leaves SIGINT/SIGTERM to us (and we leave it). */
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	if (cfg->attribute)
		at = attribution_start(cfg, out);

	/* Before any thread: the cgroup move takes the whole process. */
	memset(&g_cg, 0, sizeof(g_cg));
	if (cfg->cgroup) {
		if (cgroup_enter(&g_cg) == 0)
			out->cgroup_version = g_cg.version;
		else
			snprintf(out->cgroup_why, sizeof(out->cgroup_why), "%s", g_cg.why);
	} else {
		snprintf(out->cgroup_why, sizeof(out->cgroup_why), "off (--no-cgroup)");
	}

	err = engine_create(cfg, &e);
	if (err) {
		rc = SL_EXIT_RUNTIME;
		goto out;
	}
	engine_peer(e, out->peer, sizeof(out->peer));
	if (at) {
		hook.arg = at;
		engine_set_thread_hook(e, &hook);
	}
	out->netns = engine_netns_fd(e) >= 0;
	params_for(cfg, out);
	if (run_sampler_start(cfg, e, out->cgroup_version ? &g_cg : NULL, at, &out->series, &cyc,
			      &sp)) {
		rc = SL_EXIT_RUNTIME;
		goto out;
	}
	g_engine = e;
	g_at.a = at;
	g_at.sp = sp;
	g_at.cyc = &cyc;
	pg.on = !cfg->quiet && isatty(STDERR_FILENO);
	pg.t0 = pg.tlast = sl_now();

	mark(sp, PHASE_BASELINE);
	for (double t0 = sl_now(); !g_signal && sl_now() - t0 < cfg->baseline;) {
		nap(NAP);
		progress(&pg, "baseline", NULL, NULL);
	}
	if (!g_signal)
		churn(cfg, e, sp, out, &pg);
	else
		engine_stats(e, &out->stats);
	quiesce(cfg, sp, out, &pg);

	/* The per-netns probes hold the namespace: close them before it goes. */
	sampler_drop_netns(sp);
	g_engine = NULL;
	run_engine_gone(&cyc);
	engine_destroy(e);
	e = NULL;
	if (cfg->teardown && out->netns && !g_signal) {
		mark(sp, PHASE_TEARDOWN);
		for (double t0 = sl_now(); !g_signal && sl_now() - t0 < RUN_TEARDOWN_SECONDS;) {
			nap(NAP);
			progress(&pg, "teardown", NULL, NULL);
		}
	}
	progress_end(&pg);
	if (at)
		attribution_end(at, sp, &cyc, out);
	sampler_stop(sp);
	series_flush(&out->series);
	out->signal = g_signal;

	err = analyse(&out->series, &out->params, &out->result);
	if (err) {
		sl_err("cannot analyse the run: %s", strerror(-err));
		rc = SL_EXIT_RUNTIME;
	} else {
		out->analysed = true;
		if (attribution_decide(&out->attribution, &out->series, &out->result, &out->params))
			sl_err("--attribute: out of memory deciding on the stacks");
	}
out:
	g_engine = NULL;
	memset(&g_at, 0, sizeof(g_at));
	run_engine_gone(&cyc);
	sampler_destroy(sp);
	attr_close(at);
	engine_destroy(e);
	cgroup_leave(&g_cg);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return rc;
}

void run_output_free(struct run_output *out)
{
	if (out->analysed)
		result_free(&out->result);
	series_free(&out->series);
	attribution_free(&out->attribution);
	out->analysed = false;
}
