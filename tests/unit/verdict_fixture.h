/* Helpers of the analysis tests: fixed parameters, synthetic runs, recorded runs, lookups. */
#ifndef SOCKLEAK_TEST_VERDICT_FIXTURE_H
#define SOCKLEAK_TEST_VERDICT_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "common.h"
#include "csv_fixture.h"
#include "describe.h"
#include "gen.h"

#define RATE 30000.0

/* Fixed effect sizes, as on a 2-CPU machine, so results do not depend on the test host. */
static inline void params(struct analysis_params *p)
{
	analysis_defaults(p);
	p->slab_hold_bytes = 256 * 1024;
	p->sockmem_hold_bytes = 2 * 1048576;
	p->memcg_hold_bytes = 4 * 1048576;
	p->cpus = 2;
}

static inline struct synth_plan plan(double churn, double quiesce)
{
	struct synth_plan p = {
		.hz = 10, .rate = RATE, .baseline = 3, .churn = churn, .quiesce = quiesce
	};

	return p;
}

static inline const struct metric_result *get(const struct result *r, const struct series *s,
					      const char *name)
{
	int col = series_find(s, name);
	size_t i;

	for (i = 0; i < r->nm; i++)
		if (r->m[i].col == col)
			return &r->m[i];
	fail_msg("no result for %s", name);
	return NULL;
}

static inline void dump(const struct result *r, const struct series *s)
{
	size_t i;

	if (!getenv("SOCKLEAK_TEST_VERBOSE"))
		return;
	fprintf(stderr, "overall %s (%s) cycles %llu\n", verdict_name(r->verdict), r->why,
		(unsigned long long)r->cycles);
	for (i = 0; i < r->nm; i++)
		fprintf(stderr, "  %-32s %-12s conf %.3f  %s\n", s->cols[r->m[i].col].name,
			verdict_name(r->m[i].verdict), r->m[i].confidence, r->m[i].why);
}

/* Builds, analyses, and leaves both for the test to inspect. */
static inline void run(const struct synth_plan *pl, const struct synth_col *cols, size_t n,
		       const struct analysis_params *p, struct series *s, struct result *r)
{
	assert_int_equal(synth_build(s, pl, cols, n), 0);
	assert_int_equal(analyse(s, p, r), 0);
	dump(r, s);
}

#define COL(n, u, k, g)               \
	{                             \
		n, u, k, gen_value, g \
	}

/*
 * Recorded on this project's 2-CPU test VM: a connect/send/close loop on loopback in a private
 * netns, 10 Hz, /proc/slabinfo, /proc/net/sockstat and /proc/meminfo; the leak run kept one client
 * socket open every 1000 cycles (38 over 38496). Real kernel noise, known answers.
 */
static inline void load_csv(const char *path, struct series *s)
{
	if (fixture_load(path, s))
		fail_msg("cannot load %s (run from the repository root)", path);
}

/* What the stop rule says and what the verdict says about the end of quiesce agree. */
static inline void check_agreement(const struct result *r, const struct series *s,
				   const struct analysis_params *p)
{
	size_t i;

	assert_int_equal(r->quiesce_stable, analysis_settled(s, p, NULL, 0));
	if (!r->quiesce_stable)
		return;
	for (i = 0; i < r->nm; i++)
		if (r->m[i].decisive && (r->m[i].reason.code == RS_STILL_FALLING ||
					 r->m[i].reason.code == RS_STILL_RISING))
			fail_msg("settled, yet %s: %s", s->cols[r->m[i].col].name, r->m[i].why);
}

static inline void load_real(const char *name, const struct analysis_params *p, struct series *s,
			     struct result *r)
{
	char path[128];

	snprintf(path, sizeof(path), "tests/unit/data/%s", name);
	load_csv(path, s);
	assert_int_equal(analyse(s, p, r), 0);
	dump(r, s);
	check_agreement(r, s, p);
}

static inline void real_params(struct analysis_params *p)
{
	params(p); /* recorded on 2 CPUs */
	p->private_cgroup = true;
}

#endif
