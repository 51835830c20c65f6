/* Clean-up that lagged the loop: objects it no longer held, pending while it ran. */
#ifndef SOCKLEAK_LAG_H
#define SOCKLEAK_LAG_H

#include "analysis/measure.h"
#include "model/result.h"

/*
 * With a network namespace per cycle, the loop holds none of the namespaces it made once its
 * cycle ends: the net_namespace cache standing above what per-CPU slabs keep while it ran, and
 * back after, is the kernel's clean-up work lagging the loop. Makes such a metric BACKLOG with
 * the time it took to catch up; leaves every other metric as judged.
 */
void lag_judge(const struct work *w, const struct series_col *c, const struct limits *l,
	       const struct figures *f, struct metric_result *m);

#endif
