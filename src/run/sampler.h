/* The sampler: a thread that samples every probe on a fixed schedule into a series. */
#ifndef SOCKLEAK_SAMPLER_H
#define SOCKLEAK_SAMPLER_H

#include <stdint.h>

#include "model/series.h"
#include "probe/probe.h"

#define SAMPLER_DEFAULT_INTERVAL 0.1
#define SAMPLER_PROBE_SHARE 0.01 /* of each interval, per probe: see probe_set.budget_us */

struct sampler_cfg {
	double interval; /* seconds between samples; 0: 100 ms */
	struct probe_ctx ctx; /* what the probes watch */
	uint64_t (*cycles)(void *arg); /* engine cycles completed now; NULL: 0 */
	void *arg;
	bool quiet; /* do not print why probes are off */
};

struct sampler;

/* Opens the probes (adding their columns to s); t = 0 of the series is now. */
int sampler_create(const struct sampler_cfg *cfg, struct series *s, struct sampler **out);
/* Starts the thread: a sample now, then one every interval on an absolute schedule. */
int sampler_start(struct sampler *sp);
/* One synchronous sample (watch --once; or a sample at a phase boundary). */
int sampler_sample_now(struct sampler *sp);
/* Starts a phase in the series, stamped with the sampler's clock and the cycles now. */
int sampler_mark(struct sampler *sp, enum phase ph);
/* Seconds since sampler_create, on the clock the rows carry. */
double sampler_elapsed(const struct sampler *sp);
/* Closes the per-netns probes, so the engine can destroy its netns; host-wide probes go on. */
void sampler_drop_netns(struct sampler *sp);
/* Stops the thread (at once, not at the next tick) and stores pending folded samples. */
void sampler_stop(struct sampler *sp);
void sampler_destroy(struct sampler *sp);

const struct probe_set *sampler_probes(const struct sampler *sp);
/* Ticks the thread missed because a sample took longer than the interval. */
uint64_t sampler_overruns(const struct sampler *sp);

#endif
