/* One measured run: baseline, churn, quiesce, teardown, then the analysis of what was sampled. */
#ifndef SOCKLEAK_RUN_H
#define SOCKLEAK_RUN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "analysis/analysis.h"
#include "attr/attr.h"
#include "model/attribution.h"
#include "model/result.h"
#include "model/series.h"
#include "config.h"
#include "run/cgroup.h"
#include "engine/engine.h"
#include "run/sampler.h"

/* Measuring after the netns is gone (cfg->teardown): long enough for its clean-up. */
#define RUN_TEARDOWN_SECONDS 3.0

struct run_output {
	struct series series;
	struct result result;
	struct analysis_params params;
	struct engine_stats stats;
	char peer[128];
	int cgroup_version; /* 0: no cgroup of its own */
	char cgroup_why[512]; /* why not, when not */
	bool netns; /* the run had its own network namespace */
	bool analysed;
	int signal; /* the signal that cut the run short, or 0 */
	char guard[256]; /* why the memory guard stopped the churn, or "" */
	char settle[256]; /* what was still moving when quiesce hit its maximum */
	bool settled; /* quiesce ended because everything settled */
	double started; /* wall clock (time(2)) at the start */
	struct attribution attribution; /* --attribute: on, or why not */
};

/*
 * Runs the phases for cfg, sampling throughout, and analyses the series. Prints a progress line
 * on stderr when it is a terminal (unless cfg->quiet). A signal (SIGINT, SIGTERM) ends the phase
 * under way and skips to teardown: what was measured is kept and analysed. Returns 0 or
 * SL_EXIT_RUNTIME (the message said why); out is to be freed with run_output_free either way.
 */
int run_measure(const struct run_config *cfg, struct run_output *out);
void run_output_free(struct run_output *out);

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
 * (--attribute), TCP states counted in the kernel. Says why and returns -errno when no probe
 * could open.
 */
int run_sampler_start(const struct run_config *cfg, struct engine *e, const struct sl_cgroup *cg,
		      struct attr *at, struct series *s, struct cycles_src *cyc,
		      struct sampler **out);
/* Freezes the cycle count before the engine is destroyed. */
void run_engine_gone(struct cycles_src *c);

/* The signal that interrupted the last run_measure, for a caller running several (sweep). */
int run_interrupted(void);

#endif
