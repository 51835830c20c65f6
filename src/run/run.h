/* One run: baseline, churn, quiesce, teardown around the engine, sampled, then analysed. */
#ifndef SOCKLEAK_RUN_H
#define SOCKLEAK_RUN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "analysis/analysis.h"
#include "attr/attr.h"
#include "model/attribution.h"
#include "config.h"
#include "engine/engine.h"
#include "model/result.h"
#include "model/series.h"
#include "run/cgroup.h"
#include "run/sampler.h"
#include "run/server_cmd.h"

/* Measuring after the netns is gone (cfg->teardown): long enough for its clean-up. */
#define RUN_TEARDOWN_SECONDS 3.0
/*
 * The default longest quiesce when the run's TIME_WAIT sockets go with its netns: what the kernel
 * defers besides them (RCU, work queues, per-CPU caches) settles within seconds, and the default
 * run stays within 30 s. --quiesce-max given, or no netns of its own: that maximum (90 s).
 */
#define RUN_QUIESCE_PURGED_MAX 12.0

struct run_output {
	struct series series;
	struct result result;
	struct analysis_params params;
	struct engine_stats stats;
	char peer[128];
	int cgroup_version; /* 0: no cgroup of its own */
	char cgroup_why[512]; /* why not, when not */
	bool netns; /* the run had its own network namespace */
	bool sampled; /* the series holds what the sampler saw */
	bool analysed;
	int signal; /* the first signal that cut the run short, or 0 */
	char guard[256]; /* why the memory guard stopped the churn, or "" */
	char settle[256]; /* why quiesce ended unsettled: "interrupted", or what was still moving */
	bool settled; /* quiesce ended because everything settled */
	double quiesce_max; /* the longest quiesce of this run (run_quiesce_max) */
	bool have_listen; /* overflows and drops were read (TCP in its own namespace or the host's) */
	uint64_t overflows, drops; /* TcpExt ListenOverflows, ListenDrops during churn */
	uint64_t io_pending_max; /* Windows --io: most sends in flight in one worker */
	double started; /* wall clock (time(2)) at the start */
	struct attribution attribution; /* --attribute: on, or why not */
	struct server_cmd
		server; /* --server-cmd: the user's server, how it ended, its last lines */
	bool server_lost; /* --pid: the watched server exited during the run (exit 3) */
};

/*
 * Runs cfg's phases. A run (cfg->churn_only false) samples throughout and is analysed: baseline,
 * churn (an optional warm-up first), quiesce, teardown. churn_only is churn alone, sampled only
 * for --csv or --watch (a live view then stands in for the progress line), and not analysed.
 * Every run is in its own network namespace and memory cgroup when cfg says so.
 *
 * Signals (run/stop.h): each ends the phase under way. After a lone SIGINT (Ctrl-C) in churn the
 * run moves on to quiesce, so the verdict covers what ran; after a second signal, a SIGTERM or a
 * SIGHUP it ends at once (no quiesce, no teardown) with what was measured. Every phase ends with
 * a sample, so the series stays consistent however early it was cut. A third signal leaves at
 * once. The memory guard ends churn as a SIGINT would, and says why in out->guard.
 *
 * Prints a progress line on stderr when it is a terminal (unless cfg->quiet). Returns 0 or
 * SL_EXIT_RUNTIME (the message said why); out is to be freed with run_output_free either way.
 */
int run_measure(const struct run_config *cfg, struct run_output *out);
void run_output_free(struct run_output *out);

/* What ended the churn: "guard", "SIGINT", "SIGTERM", "SIGHUP", "ops", "time" or "request". */
const char *run_stopped_by(const struct run_output *out);

/* ---- plugging in at phase boundaries ---- */

/* Where a run calls its hooks, in this order. */
enum run_point {
	RUN_AT_START, /* before anything: not yet in the run's memory cgroup */
	RUN_AT_READY, /* in the cgroup, the netns and sockleak's server up; nothing sampled yet */
	RUN_AT_PHASE, /* a phase begins (ctx->phase; its mark is set, its first sample not taken) */
	RUN_AT_CHURN_END, /* the loop has stopped and its workers are joined (ctx->phase: churn) */
	RUN_AT_NETNS_GOING, /* the run's netns is about to go (quiesce is over): stop what lives in it */
	RUN_AT_END, /* every phase is over, the sampler stopped; still in the cgroup; not analysed */
};

/* What a hook sees. */
struct run_ctx {
	const struct run_config *cfg;
	enum phase phase; /* RUN_AT_PHASE, RUN_AT_CHURN_END */
	int netns_fd; /* the run's network namespace, or -1: the host's (or already gone) */
	const struct sl_cgroup *cgroup; /* the run's memory cgroup, or NULL */
	struct engine *engine; /* NULL once destroyed (from RUN_AT_NETNS_GOING on) */
	struct series *series; /* NULL when the run is not sampled */
	struct sampler *sampler; /* NULL when the run is not sampled */
	struct run_output *out;
};

/*
 * A hook: cfg->hooks is a NULL-ended array of them, called at every point in array order. A
 * nonzero return at RUN_AT_START or RUN_AT_READY ends the run as a runtime error (the hook says
 * why); elsewhere it is ignored. RUN_AT_END comes on every path that passed RUN_AT_START, failed
 * runs included, so a hook can always release what it took.
 */
struct run_hook {
	const char *name;
	int (*at)(const struct run_hook *h, enum run_point p, const struct run_ctx *ctx);
	void *arg;
};

/* ---- the sampler of a run ---- */

/*
 * The sampler reads the engine's cycle count from its own thread; the engine goes before the
 * sampler does (teardown is measured without it), so the count is read under a lock and frozen at
 * its last value once run_engine_gone said the engine is going.
 */
struct cycles_src {
	pthread_mutex_t lock;
	struct engine *e;
	uint64_t last;
};

#define CYCLES_SRC_INIT                            \
	{                                          \
		PTHREAD_MUTEX_INITIALIZER, NULL, 0 \
	}

/*
 * Starts a sampler on the pools an engine's run touches: its netns, its server's port or path (so
 * sockets are counted by side), this process, and cg's memory cgroup when given; with at
 * (--attribute), TCP states counted in the kernel; with srv (--server-cmd), the user's server's
 * process tree and its port's sockets by state. Says why and returns -errno when no probe
 * could open.
 */
int run_sampler_start(const struct run_config *cfg, struct engine *e, const struct sl_cgroup *cg,
		      struct attr *at, const struct server_cmd *srv, struct series *s,
		      struct cycles_src *cyc, struct sampler **out);
/* Freezes the cycle count before the engine is destroyed. */
void run_engine_gone(struct cycles_src *c);

#endif
