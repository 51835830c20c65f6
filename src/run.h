/* One measured run: baseline, churn, quiesce, teardown, then the analysis of what was sampled. */
#ifndef SOCKLEAK_RUN_H
#define SOCKLEAK_RUN_H

#include <stdbool.h>

#include "analysis/analysis.h"
#include "analysis/result.h"
#include "analysis/series.h"
#include "config.h"
#include "engine/engine.h"

/* Measuring after the netns is gone (cfg->teardown): long enough for its clean-up. */
#define RUN_TEARDOWN_SECONDS 3.0

struct run_output {
	struct series series;
	struct result result;
	struct analysis_params params;
	struct engine_stats stats;
	char peer[128];
	int cgroup_version;		/* 0: no cgroup of its own */
	char cgroup_why[512];		/* why not, when not */
	bool netns;			/* the run had its own network namespace */
	bool analysed;
	int signal;			/* the signal that cut the run short, or 0 */
	char guard[256];		/* why the memory guard stopped the churn, or "" */
	char settle[256];		/* what was still moving when quiesce hit its maximum */
	bool settled;			/* quiesce ended because everything settled */
	double started;			/* wall clock (time(2)) at the start */
};

/*
 * Runs the phases for cfg, sampling throughout, and analyses the series. Prints a progress line
 * on stderr when it is a terminal (unless cfg->quiet). A signal (SIGINT, SIGTERM) ends the phase
 * under way and skips to teardown: what was measured is kept and analysed. Returns 0 or
 * SL_EXIT_RUNTIME (the message said why); out is to be freed with run_output_free either way.
 */
int run_measure(const struct run_config *cfg, struct run_output *out);
void run_output_free(struct run_output *out);

/* The signal that interrupted the last run_measure, for a caller running several (sweep). */
int run_interrupted(void);

#endif
