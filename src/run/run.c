/* One run: the phases around the engine, the sampler throughout, then the analysis. */
#include "run/run.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "engine/guard.h"
#include "engine/seq.h"
#include "engine/transport.h"
#include "report/attribution.h"
#include "report/live.h"
#include "report/machine.h"
#include "run/listen.h"
#include "run/nsbatch.h"
#include "run/stop.h"

#define NAP 0.05 /* the orchestrator's tick while waiting: signals answered this fast */
#define PROGRESS_EVERY 0.5
#define NSBATCH_WAIT 2.0 /* longest wait for the kernel to free what earlier loops left */
#define NSBATCH_SETTLE 0.5 /* ... and for what the loop left, once quiesce looks settled */
#define NSBATCH_TRIES 4

struct state {
	const struct run_config *cfg;
	struct run_output *out;
	struct engine *e;
	struct sampler *sp;
	struct sl_cgroup cg;
	struct cycles_src cyc;
	struct guard g;
	bool guard_on;
	bool show; /* the progress line */
	bool show_now; /* its next frame now, however soon after the last (the loop's end) */
	double t0, tlast;
	uint64_t clast;
	unsigned signals; /* stop_count() when the run began */
	struct run_ctx ctx;
	struct engine_thread_hook thread_hook;
	struct attr *at; /* --attribute: told the cycles at each nap, and each phase as it begins */
	bool row_due; /* the phase begun last has no row of its end yet */
};

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

static int hooks(struct state *st, enum run_point p)
{
	const struct run_hook *const *h;
	int err = 0, r;

	for (h = st->cfg->hooks; h && *h; h++) {
		r = (*h)->at(*h, p, &st->ctx);
		if (r && !err)
			err = r;
	}
	return err;
}

/*
 * Sleeps up to seconds in ticks of NAP, telling --attribute's side the cycles at each; false when
 * a signal came since `since`.
 */
static bool nap(struct state *st, double seconds, unsigned since)
{
	double end = sl_now() + seconds, left;

	for (;;) {
		if (st->at && st->sp)
			attr_tick(st->at, sampler_elapsed(st->sp), cycles_of(&st->cyc),
				  st->ctx.phase);
		left = end - sl_now();
		if (left <= 0)
			return true;
		if (!stop_nap(left < NAP ? left : NAP, since))
			return false;
	}
}

/*
 * The progress line; while the loop runs (errors), it counts the failed cycles too. Its count is
 * the engine's, and once the engine is gone the last one it had: the final count.
 */
static void progress(struct state *st, const char *phase, const char *extra, bool errors)
{
	double now = sl_now();
	uint64_t c = cycles_of(&st->cyc);
	struct engine_stats es;
	char buf[48];

	if (!st->show || (now - st->tlast < PROGRESS_EVERY && !st->show_now))
		return;
	st->show_now = false;
	if (errors) {
		engine_stats(st->e, &es);
		snprintf(buf, sizeof(buf), "%llu errors", (unsigned long long)es.failed_cycles);
		extra = buf;
	}
	fprintf(stderr, "\r\033[K  %-9s %6.1f s  %12llu cycles  %9.0f cycles/s  %s", phase,
		now - st->t0, (unsigned long long)c,
		now > st->tlast && c >= st->clast ? (c - st->clast) / (now - st->tlast) : 0.0,
		extra ? extra : "");
	st->tlast = now;
	st->clast = c;
}

/* A phase begins: its mark (time and cycles now), then the hooks. */
static void begin_phase(struct state *st, enum phase ph)
{
	if (st->sp)
		sampler_mark(st->sp, ph);
	st->row_due = true;
	st->ctx.phase = ph;
	if (st->at && st->sp)
		attr_mark(st->at, sampler_elapsed(st->sp), cycles_of(&st->cyc), ph);
	hooks(st, RUN_AT_PHASE);
}

/*
 * A phase ends with a sample of its own: every phase holds a row at its end, and the last row
 * comes after the last mark, so lengths and cycle counts derived from the series never run
 * backwards, however early a signal cut the phase.
 */
static void end_phase(struct state *st)
{
	if (st->sp)
		sampler_sample_now(st->sp);
	st->row_due = false;
}

/* Baseline: idle, each metric's level and noise. False when a signal ended it. */
static bool baseline(struct state *st)
{
	unsigned since = stop_count();
	double t0 = sl_now(), left;

	begin_phase(st, PHASE_BASELINE);
	while ((left = st->cfg->baseline - (sl_now() - t0)) > 0) {
		if (!nap(st, left < NAP ? left : NAP, since))
			break;
		progress(st, "baseline", NULL, false);
	}
	end_phase(st);
	return stop_count() == since;
}

static void check_guard(struct state *st)
{
	struct run_output *out = st->out;

	if (st->guard_on && !out->guard[0] &&
	    guard_tripped(&st->g, out->guard, sizeof(out->guard))) {
		sl_err("%s", out->guard);
		engine_request_stop(st->e);
	}
}

struct watch_arg {
	struct state *st;
	unsigned since;
};

/* What the live view checks between redraws: the engine's end, a signal, the memory guard. */
static bool watch_done(void *arg)
{
	struct watch_arg *w = arg;

	check_guard(w->st);
	return engine_done(w->st->e) || stop_count() > w->since;
}

/* Churn: the loop runs until its stop condition, a signal, the memory guard or q in the view. */
static int churn(struct state *st)
{
	const struct run_config *cfg = st->cfg;
	unsigned since = stop_count();
	bool warm = !cfg->churn_only && cfg->warmup > 0;
	double t0;
	int rc = 0;

	st->g.path = cfg->guard_meminfo;
	st->guard_on = guard_init(&st->g) == 0;
	if (!st->guard_on)
		sl_err("no memory guard: %s has no MemAvailable; watch memory yourself",
		       cfg->guard_meminfo ? cfg->guard_meminfo : "/proc/meminfo");
	begin_phase(st, warm ? PHASE_WARMUP : PHASE_CHURN);
	if (engine_start(st->e)) {
		sl_err("the client workers did not start; nothing was churned");
		return SL_EXIT_RUNTIME;
	}
	t0 = sl_now();
	if (cfg->watch && st->sp) {
		struct watch_arg w = { st, since };
		struct live_opts lo = {
			.refresh = 1, .title = "churn", .done = watch_done, .arg = &w
		};

		if (live_view_run(&st->out->series, sampler_probes(st->sp), &lo))
			rc = SL_EXIT_RUNTIME;
		/* q in the view: the user is done watching, so the churn stops too. */
		engine_request_stop(st->e);
	}
	while (!engine_done(st->e)) {
		if (!nap(st, NAP, since))
			engine_request_stop(st->e);
		if (warm && sl_now() - t0 >= cfg->warmup) {
			end_phase(st);
			begin_phase(st, PHASE_CHURN);
			warm = false;
		}
		check_guard(st);
		progress(st, warm ? "warm-up" : "churn", NULL, true);
	}
	/* A run shorter than its warm-up still gets a churn phase to fit. */
	if (warm) {
		end_phase(st);
		begin_phase(st, PHASE_CHURN);
	}
	if (engine_join(st->e))
		rc = SL_EXIT_RUNTIME;
	/* The loop's final count, shown at once: a short quiesce may show none of its own. */
	st->show_now = true;
	progress(st, warm ? "warm-up" : "churn", NULL, true);
	engine_stats(st->e, &st->out->stats);
	st->out->io_pending_max = engine_io_pending_max(st->e);
	end_phase(st);
	hooks(st, RUN_AT_CHURN_END);
	return rc;
}

/* Quiesce: the loop has stopped; wait until every metric that moved is stable, or the maximum. */
static void quiesce(struct state *st)
{
	const struct run_config *cfg = st->cfg;
	struct run_output *out = st->out;
	unsigned since = stop_count();
	double t0, left;
	char why[256] = "";
	bool settled = false, ns = out->params.netns_per_cycle;
	unsigned flushes = 0, early = 0;

	/* The mark first: quiesce lasts at least quiesce_max from it, as the phases table says. */
	begin_phase(st, PHASE_QUIESCE);
	t0 = sl_now();
	while ((left = out->quiesce_max - (sl_now() - t0)) > 0) {
		/*
		 * What the loop's last namespaces left is freed only when another one goes: let one
		 * go now, and again 0.4 s and 1.6 s in for the batches still on their way (their
		 * last sockets going, or the kernel's clean-up not yet at its list).
		 */
		if (ns && early < 3 && sl_now() - t0 >= 0.4 * early * early) {
			nsbatch_flush(0);
			early++;
		}
		if (!nap(st, left < cfg->interval ? left : cfg->interval, since))
			break;
		series_lock(&out->series);
		settled = analysis_settled(&out->series, &out->params, why, sizeof(why));
		series_unlock(&out->series);
		/* Settled means nothing fell when one more namespace went. */
		if (settled && ns && flushes < NSBATCH_TRIES && nsbatch_flush(NSBATCH_SETTLE) > 0) {
			flushes++;
			settled = false;
			continue;
		}
		if (settled)
			break;
		progress(st, "quiesce", why, false);
	}
	end_phase(st);
	/*
	 * At the maximum, the last look is at the phase's own last row: what the analysis judges,
	 * so that the report's "settled" and the reason it gives agree with its phases table.
	 */
	if (!settled && stop_count() == since) {
		series_lock(&out->series);
		settled = analysis_settled(&out->series, &out->params, why, sizeof(why));
		series_unlock(&out->series);
	}
	out->settled = settled;
	if (!settled)
		snprintf(out->settle, sizeof(out->settle), "%s",
			 stop_count() > since ? "interrupted" :
			 why[0]		      ? why :
						"not settled");
}

/* Teardown: the netns is gone; the host-wide pools are measured once more. */
static void teardown(struct state *st)
{
	unsigned since = stop_count();
	double t0 = sl_now(), left;

	begin_phase(st, PHASE_TEARDOWN);
	/* Stopped while the netns went (wind_down): every row from here on is teardown's. */
	if (sampler_start(st->sp))
		sl_err("sampler: cannot restart for teardown; one sample at its end");
	while ((left = RUN_TEARDOWN_SECONDS - (sl_now() - t0)) > 0) {
		if (!nap(st, left < NAP ? left : NAP, since))
			break;
		progress(st, "teardown", NULL, false);
	}
}

static void params_for(const struct run_config *cfg, struct run_output *out)
{
	const struct transport *tr = transport_get(cfg->transport);

	analysis_defaults(&out->params);
	out->params.injected_per_cycle = cfg->inject_leak ? 1.0 / cfg->inject_leak : 0;
	out->params.private_netns = out->netns;
	out->params.private_cgroup = out->cgroup_version > 0;
	/* Read once here, and by machine_init for the report, from the same file. */
	out->params.mem_pcpu_rsv = machine_mem_pcpu_rsv("");
	out->params.page_size = (double)sysconf(_SC_PAGESIZE);
	out->params.tw_purged = out->netns && !cfg->quiesce_tw;
	out->quiesce_max = out->params.tw_purged ? fmin(cfg->quiesce_max, RUN_QUIESCE_PURGED_MAX) :
						   cfg->quiesce_max;
	out->params.netns_per_cycle = cfg->seq && cfg->seq->netns_cycle;
	/* A leaked stream socket pins its accepted end in sockleak's own server too. */
	out->params.sockets_per_leak = tr->stream && !cfg->target ? 2 : 1;
#ifdef _WIN32
	out->params.tw_seconds = 120; /* TcpTimedWaitDelay's default on Windows (up to 240 s) */
#endif
}

/* The port of --target, for the probes of the user's server; 0 for a path. */
static uint16_t target_port(const struct run_config *cfg)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char why[256];

	if (!cfg->target || transport_target_resolve(transport_get(cfg->transport), cfg->target,
						     &ss, &len, why, sizeof(why)))
		return 0;
	if (ss.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&ss)->sin6_port);
	return 0;
}

static int tcp_states(void *arg, uint64_t cookie, int64_t out[2][16])
{
	return attr_tcp_states(arg, cookie, out);
}

int run_sampler_start(const struct run_config *cfg, struct engine *e, const struct sl_cgroup *cg,
		      struct attr *at, const struct server_cmd *srv, struct series *s,
		      struct cycles_src *cyc, struct sampler **out)
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
	if (srv && srv->pid > 0) {
		scfg.ctx.server_pid = srv->pid;
		scfg.ctx.server_adopted = !cfg->server_pid; /* ours only when sockleak started it */
		scfg.ctx.server_port_states = true;
		scfg.ctx.server_port = target_port(cfg);
	}
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
/* A sweep measures its variants in one process: a line about --attribute is said once. */
static void attr_say(const char *line)
{
	static char said[512];

	if (!strcmp(said, line))
		return;
	snprintf(said, sizeof(said), "%s", line);
	sl_err("--attribute: %s", line);
}

static struct attr *attribution_start(const struct run_config *cfg, struct run_output *out)
{
	struct attr_opts o = { .max_objects = cfg->attribute_objects,
			       .sample_every = (uint32_t)cfg->attribute_sample,
			       .quiet = cfg->quiet };
	struct attr_source *src = NULL;
	struct attr *a = NULL;
	char why[200] = "", line[512];
	size_t n = 0;

	if (attr_open(&o, &a, why, sizeof(why)) || attr_start(a, why, sizeof(why))) {
		snprintf(line, sizeof(line), "%s; the run goes on without it", why);
		attr_say(line);
		snprintf(out->attribution.why, sizeof(out->attribution.why), "%s", why);
		attr_close(a);
		return NULL;
	}
	if (!cfg->quiet && !attr_sources(a, &src, &n)) {
		report_attr_sources(line, sizeof(line), src, n);
		attr_say(line);
	}
	free(src);
	return a;
}

/* Reads what the eBPF side kept, once, after the last phase; the decision comes with analysis. */
static void attribution_end(struct state *st)
{
	struct run_output *out = st->out;
	int err;

	attr_mark(st->at, sampler_elapsed(st->sp), cycles_of(&st->cyc), st->ctx.phase);
	err = attr_collect(st->at, &out->attribution);
	if (!err)
		err = attribution_share_unwalked(&out->attribution);
	if (err) {
		attribution_free(&out->attribution);
		snprintf(out->attribution.why, sizeof(out->attribution.why),
			 "reading the eBPF figures failed: %s", strerror(-err));
		sl_err("--attribute: %s", out->attribution.why);
	}
}

/* The listen queue's counters in the run's namespace, for TCP-like transports. */
static bool listen_counters(const struct state *st, uint64_t *overflows, uint64_t *drops)
{
	const struct transport *tr = transport_get(st->cfg->transport);

	return tr->stream && tr->family != AF_UNIX &&
	       !netns_listen_counters(engine_netns_fd(st->e), overflows, drops);
}

/*
 * --server-cmd: the user's server starts in the run's cgroup (sockleak is in it already) and
 * netns, before anything is sampled; the run goes on once its address accepts.
 */
static int server_up(struct state *st)
{
	const struct run_config *cfg = st->cfg;
	struct run_output *out = st->out;
	char why[1536];

#ifdef _WIN32
	(void)cfg;
	(void)out;
	(void)why;
	return SL_EXIT_RUNTIME;
#else
	if (server_cmd_start(&out->server, cfg->server_cmd, cfg->transport, cfg->target,
			     st->ctx.netns_fd, why, sizeof(why))) {
		sl_err("--server-cmd: %s", why);
		return SL_EXIT_RUNTIME;
	}
	out->params.server_fd_limit = (double)out->server.fd_limit;
	return 0;
#endif
}

/* The user's server stops before its namespace goes; how it ended goes to the report. */
static void server_down(struct state *st)
{
#ifndef _WIN32
	struct server_cmd *s = &st->out->server;

	if (!st->cfg->server_cmd || s->pid <= 0 || s->stopped)
		return;
	server_cmd_stop(s);
	if (!st->cfg->quiet)
		sl_err("--server-cmd: the server %s", s->how);
#else
	(void)st;
#endif
}

#ifndef _WIN32
/*
 * --pid with the server in a netns other than sockleak's: its counts are exact when no process
 * but the server's and sockleak has a thread there; when another has, say which (when: "" or
 * " by the end of the run").
 */
static bool pid_netns_alone(const struct run_config *cfg, const char *when)
{
	char who[64] = "";
	int alone = server_netns_alone((pid_t)cfg->server_pid, who, sizeof(who));

	if (alone == 0 && !cfg->quiet)
		sl_err("--pid %u: %s shares its network namespace%s: the socket counts there are not "
		       "exact",
		       cfg->server_pid, who, when);
	return alone == 1;
}
#endif

/* Isolation, the engine and the sampler; 0 or SL_EXIT_RUNTIME. */
static int set_up(struct state *st)
{
	const struct run_config *cfg = st->cfg;
	struct run_output *out = st->out;
	bool sampling = !cfg->churn_only || cfg->watch || cfg->csv_path;

	if (hooks(st, RUN_AT_START))
		return SL_EXIT_RUNTIME;
	if (cfg->attribute && !cfg->churn_only)
		st->at = attribution_start(cfg, out);
	/*
	 * Before any thread: the cgroup move takes the whole process. Off by default without root:
	 * cgroup_enter then says why (not root, or not on Linux), not --no-cgroup.
	 */
	if (cfg->cgroup || !sl_is_root()) {
		if (cgroup_enter(&st->cg) == 0) {
			out->cgroup_version = st->cg.version;
			st->ctx.cgroup = &st->cg;
		} else {
			snprintf(out->cgroup_why, sizeof(out->cgroup_why), "%s", st->cg.why);
		}
	} else {
		snprintf(out->cgroup_why, sizeof(out->cgroup_why), "off (--no-cgroup)");
	}
	if (engine_create(cfg, &st->e))
		return SL_EXIT_RUNTIME;
	st->ctx.engine = st->e;
	st->cyc.e = st->e; /* the progress line's count, sampled or not */
	st->ctx.netns_fd = engine_netns_fd(st->e);
	if (st->at) {
		st->thread_hook = (struct engine_thread_hook){ on_engine_thread, st->at };
		engine_set_thread_hook(st->e, &st->thread_hook);
	}
	engine_peer(st->e, out->peer, sizeof(out->peer));
	/* --pid: the namespace joined is the server's, shared: its counts are not the run's own. */
	out->netns = st->ctx.netns_fd >= 0 && !cfg->server_pid;
	params_for(cfg, out);
	if (cfg->server_cmd && server_up(st))
		return SL_EXIT_RUNTIME;
#ifndef _WIN32
	if (cfg->server_pid) {
		server_cmd_watch(&out->server, (pid_t)cfg->server_pid);
		out->params.server_fd_limit = (double)out->server.fd_limit;
		out->params.server_netns = st->ctx.netns_fd >= 0;
		out->params.private_netns = out->params.server_netns && pid_netns_alone(cfg, "");
	}
#endif
	/* Namespaces an earlier loop dropped, still counted: gone before the baseline, not in churn. */
	if (out->params.netns_per_cycle && sampling)
		nsbatch_flush(NSBATCH_WAIT);
	if (sampling) {
		if (series_init(&out->series, 0))
			return SL_EXIT_RUNTIME;
		out->sampled = true;
		if (run_sampler_start(cfg, st->e, st->ctx.cgroup, st->at,
				      cfg->server_cmd || cfg->server_pid ? &out->server : NULL,
				      &out->series, &st->cyc, &st->sp))
			return SL_EXIT_RUNTIME;
		st->ctx.series = &out->series;
		st->ctx.sampler = st->sp;
	}
	if (hooks(st, RUN_AT_READY))
		return SL_EXIT_RUNTIME;
	st->show = !cfg->quiet && !cfg->watch && isatty(STDERR_FILENO);
	st->t0 = st->tlast = sl_now();
	return 0;
}

/* The phases; 0 or SL_EXIT_RUNTIME. */
static int phases(struct state *st)
{
	const struct run_config *cfg = st->cfg;
	struct run_output *out = st->out;
	uint64_t ov0 = 0, dr0 = 0;
	bool go = true;
	int rc;

	if (!cfg->churn_only)
		go = baseline(st);
	if (!go) {
		engine_stats(st->e, &out->stats);
		return 0;
	}
	out->have_listen = listen_counters(st, &ov0, &dr0);
	rc = churn(st);
	if (out->have_listen && listen_counters(st, &out->overflows, &out->drops)) {
		out->overflows -= ov0;
		out->drops -= dr0;
	} else {
		out->have_listen = false;
	}
	/* A lone Ctrl-C leaves room for quiesce: the verdict then covers what ran. */
	if (!rc && !cfg->churn_only && !stop_hurry()) {
		if (stop_count() > st->signals) {
			if (st->show)
				fprintf(stderr, "\r\033[K");
			sl_err("%s: the loop stopped; quiescing for the verdict (up to %gs; "
			       "Ctrl-C again ends it now)",
			       stop_signal_name(stop_signal()), out->quiesce_max);
		}
		quiesce(st);
	}
	return rc;
}

/* The netns goes (and with it the engine), then teardown is measured without them. */
static void wind_down(struct state *st)
{
	const struct run_config *cfg = st->cfg;
	bool measured_teardown = st->sp && !cfg->churn_only && cfg->teardown && st->out->netns &&
				 stop_count() == st->signals;

	/* Without a teardown measured, what the run kept is read while its sockets are still open. */
	if (st->at && st->sp && !measured_teardown)
		attribution_end(st);
	/*
	 * The last phase's rows are of the run as it stood: none of them once its server stops and
	 * its netns goes (a server's fds at 0 read as a quiesce row). Teardown samples on its own.
	 */
	if (st->sp)
		sampler_stop(st->sp);
	hooks(st, RUN_AT_NETNS_GOING);
	server_down(st);
	/* The per-netns probes hold the namespace: close them before it goes. */
	if (st->sp)
		sampler_drop_netns(st->sp);
	run_engine_gone(&st->cyc);
	engine_destroy(st->e);
	st->e = NULL;
	st->ctx.engine = NULL;
	st->ctx.netns_fd = -1;
	if (measured_teardown)
		teardown(st);
	if (st->show)
		fprintf(stderr, "\r\033[K");
	if (st->at && st->sp && measured_teardown)
		attribution_end(st);
	if (st->sp) {
		sampler_stop(st->sp);
		if (st->row_due)
			end_phase(st);
		series_flush(&st->out->series);
	}
}

int run_measure(const struct run_config *cfg, struct run_output *out)
{
	struct state st = { .cfg = cfg, .out = out, .cyc = CYCLES_SRC_INIT };
	int rc, err;

	memset(out, 0, sizeof(*out));
	out->started = (double)time(NULL);
	stop_begin();
	st.signals = stop_count();
	st.ctx = (struct run_ctx){ .cfg = cfg, .netns_fd = -1, .out = out };

	rc = set_up(&st);
	if (!rc)
		rc = phases(&st);
	if (st.e)
		wind_down(&st);
	if (stop_count() > st.signals)
		out->signal = stop_signal();
	server_down(&st);
#ifndef _WIN32
	if (cfg->server_pid && !rc && !server_cmd_alive(&out->server)) {
		sl_err("--pid: process %u %s; the report covers what was measured", cfg->server_pid,
		       out->server.how);
		out->server_lost = true;
	}
	/* Exact only if nothing else came into the server's netns while the run went on. */
	if (cfg->server_pid && out->params.private_netns &&
	    !pid_netns_alone(cfg, " by the end of the run"))
		out->params.private_netns = false;
#endif
	hooks(&st, RUN_AT_END);
	if (!rc && out->sampled && !cfg->churn_only) {
		/* Rates of what was kept are over the cycles before the fd store filled. */
		out->params.capped_at_cycle =
			out->stats.leak_capped ? (double)out->stats.capped_at : 0;
		err = analyse(&out->series, &out->params, &out->result);
		if (err) {
			sl_err("cannot analyse the run: %s", strerror(-err));
			rc = SL_EXIT_RUNTIME;
		} else {
			out->analysed = true;
			if (attribution_decide(&out->attribution, &out->series, &out->result,
					       &out->params))
				sl_err("--attribute: out of memory deciding on the stacks");
		}
	}
	run_engine_gone(&st.cyc);
	sampler_destroy(st.sp);
	attr_close(st.at);
	engine_destroy(st.e);
	cgroup_leave(&st.cg);
	stop_end();
	return rc;
}

void run_output_free(struct run_output *out)
{
	if (out->analysed)
		result_free(&out->result);
	if (out->sampled)
		series_free(&out->series);
	attribution_free(&out->attribution);
	out->analysed = out->sampled = false;
}

const char *run_stopped_by(const struct run_output *out)
{
	if (out->guard[0])
		return "guard";
	if (out->signal)
		return stop_signal_name(out->signal);
	return engine_stop_name(out->stats.stop);
}
