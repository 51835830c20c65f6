/* A general metric generator for synthetic series: leak, plateau, backlog, TIME_WAIT, step, noise. */
#ifndef SOCKLEAK_TEST_GEN_H
#define SOCKLEAK_TEST_GEN_H

#include <stdbool.h>

#include "synth.h"

struct gen {
	double base; /* level before churn */
	double noise; /* Gaussian sigma per sample */
	double walk; /* random-walk step sigma per sample (system drift) */
	double drift; /* units per second from the start, in every phase (another task's, steady) */
	double leak; /* units per cycle, kept forever */
	double plateau; /* rises to this with time constant tau during churn ... */
	double tau;
	double backlog; /* units per cycle while churning ... */
	double back_tau; /* ... both drain with this time constant once churn stops */
	double tw_k; /* units per TIME_WAIT socket (60 s life, one per cycle) */
	double rate; /* cycles per second, for the TIME_WAIT model */
	double step, step_at; /* a step of `step` at time step_at (another task's allocation) */
	double spike, spike_at, spike_len; /* a transient */
	double scale; /* multiply everything (e.g. object size); 0 means 1 */
	double cap; /* the level never goes above base + cap (a limit reached); 0: none */
	bool integer; /* exact counts: rounded */
	double state; /* the walk so far */
};

static inline double gen_value(const struct synth_row *r, const void *arg)
{
	struct gen *g = (struct gen *)arg;
	double v = g->base, cyc = r->cycles, t_in, drain = 1;

	v += g->leak * cyc + g->drift * r->t;
	if (r->ph >= PHASE_QUIESCE)
		drain = g->back_tau > 0 ? exp(-r->tq / g->back_tau) : 0;
	if (r->ph >= PHASE_WARMUP) {
		t_in = (r->ph >= PHASE_QUIESCE ? r->churn_t1 : r->t) - r->churn_t0;
		v += g->plateau * (g->tau > 0 ? 1 - exp(-t_in / g->tau) : 1) * drain;
		v += g->backlog * cyc * drain;
	}
	if (g->cap && v > g->base + g->cap)
		v = g->base + g->cap;
	if (g->tw_k)
		v += g->tw_k * synth_tw(r, g->rate, 60);
	if (g->step && r->t >= g->step_at)
		v += g->step;
	if (g->spike && r->t >= g->spike_at && r->t < g->spike_at + g->spike_len)
		v += g->spike;
	if (g->walk) {
		g->state += g->walk * synth_gauss(r->rng);
		v += g->state;
	}
	if (g->noise)
		v += g->noise * synth_gauss(r->rng);
	if (g->integer)
		v = round(v);
	return v * (g->scale ? g->scale : 1);
}

#endif
