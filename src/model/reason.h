/*
 * Why a metric got its verdict: a reason code and its figures, decided by analysis; the sentence
 * is rendered from them here, in one place, for every report.
 *
 * To add a reason: one row in enum reason below (its figures in the comment) and one row in
 * reason.c's table (its JSON name and its sentence, with %a0-style places for the figures;
 * for a reason that can make an overall BACKLOG, the headline that says so).
 */
#ifndef SOCKLEAK_REASON_H
#define SOCKLEAK_REASON_H

#include <stddef.h>

#include "model/metric.h"

/* Figures are fig[0..3], in the metric's unit unless said otherwise. */
enum reason {
	RS_NONE, /* none recorded: a report of schema 1, whose sentence is kept as written */
	RS_NO_BASELINE, /* no baseline sample */
	RS_COUNTED, /* counter: 0 events, 1 per cycle */
	RS_DID_NOT_MOVE, /* counter */
	RS_TW_NO_GROWTH, /* TIME_WAIT */
	RS_TW_DEFERRED, /* 0 peak; no quiesce */
	RS_TW_PENDING_SHORT, /* 0 peak, 1 still pending, 2 quiesce s, 3 TIME_WAIT's life s */
	RS_TW_LEFT, /* 0 peak, 1 left, 2 quiesce s */
	RS_TW_EXPIRED, /* 0 peak */
	RS_BACKLOG, /* 0 steady rise, 1 residual (signed) */
	RS_PLATEAU_BACK, /* 0 peak, 1 residual (signed) */
	RS_ROSE_BACK, /* 0 peak, 1 jitter, 2 residual (signed) */
	RS_KEPT_PERCPU, /* 0 peak, 1 residual, 2 what per-CPU caches hold */
	RS_KEPT_UNDER_MIN, /* 0 peak, 1 residual, 2 the smallest leak counted */
	RS_RESIDUAL_UNCERTAIN, /* 0 peak, 1 residual, 2 cycles that would decide */
	RS_NO_GROWTH, /* 0 noise */
	RS_UNSEEN_PERCPU, /* 0 smallest rate, 1 per-CPU hold, 2 cycles, 3 cycles that would decide */
	RS_UNSEEN_NOISE, /* 0 noise, 1 smallest rate, 2 cycles, 3 cycles that would decide */
	RS_NO_QUIESCE, /* 0 peak */
	RS_TW_STILL_EXPIRING, /* 0 units per TIME_WAIT socket */
	RS_STILL_FALLING, /* 0 residual, 1 trend over the quiesce tail */
	RS_STILL_RISING, /* 0 residual, 1 trend over the quiesce tail */
	RS_LOST_AT_TEARDOWN, /* 0 lost when the netns went, 1 per cycle */
	RS_ROSE_AFTER_LOOP, /* 0 residual, 1 rise during quiesce */
	RS_LEAK_STEADY, /* 0 residual, 1 per cycle, 2 rise at the end of churn */
	RS_LEAK_OPEN, /* 0 residual, 1 per cycle, 2 peak */
	RS_LEAK_WITH_SOCKETS, /* 0 residual, 1 per cycle */
	RS_CAME_AFTER, /* 0 residual */
	RS_PLATEAU_KEPT, /* 0 peak, 1 residual */
	RS_KEPT_NO_GROWTH, /* 0 residual, 1 cycles that would decide */
	RS_NOT_TIED, /* 0 residual */
	RS_NOT_STEADY, /* 0 residual, 1 cycles that would decide */
	RS_FOLLOWS_TW, /* 0 units per TIME_WAIT socket */
	RS_NETNS_LAG, /* 0 pending while the loop ran, 1 seconds it took to catch up */
	RS_SERVER_NEVER_CLOSES, /* server's CLOSE_WAIT: 0 residual, 1 per cycle */
	RS_FD_CAPPED, /* 0 residual, 1 the server's fd limit (count), 2 per cycle until the cap */
	RS_ALLOC_HOLD, /* a server's RSS: 0 peak, 1 residual, 2 what allocators hold */
	RS_UNSEEN_ALLOC, /* 0 smallest rate, 1 allocators' hold, 2 cycles, 3 cycles to decide */
	RS_TW_PURGED, /* 0 peak, 1 still in TIME_WAIT at the end of quiesce */
	RS_HOST_DRIFT, /* 0 host drift per second (signed), 1 what it added by the quiesce tail */
	RS_COVERED, /* 0 residual (signed); the run's exact socket count (covered_by) came back */
	RS_KEPT_OPEN, /* exact count: 0 residual, 1 per cycle, 2 least kept in the tail, 3 its rows */
	RS_CHARGE_KEPT, /* charge counter: 0 residual, 1 per cycle, 2 what per-CPU reserves hold */
	RS_CHARGE_KEPT_NO_RSV, /* the same on a kernel without net.core.mem_pcpu_rsv: 0, 1 */
	RS_CHARGE_RESERVE, /* 0 peak, 1 residual, 2 mem_pcpu_rsv pages, 3 CPUs */
	RS_BACK_EXACT, /* exact count at its baseline through the quiesce tail: 0 its rows, 1 peak */
	RS_COUNT,
};

#define REASON_FIGS 4

/* A metric's reason: the code, its figures and what is said beside any reason. */
struct reason_of {
	enum reason code;
	double fig[REASON_FIGS];
	double other_tasks; /* other tasks moved it by +- this during quiesce (0: not said) */
	double later; /* this much more came during quiesce only (0: not said) */
	double tw_removed; /* units per TIME_WAIT socket taken off before judging (0: not said) */
	double drift; /* host drift per second taken off before judging (0: not said) */
};

/* "leak-steady", ...: part of the JSON schema; "?" out of range. */
const char *reason_name(enum reason r);
/* The reverse: 0, or -EINVAL for a name this build does not know. */
int reason_parse(const char *s, enum reason *out);

/* Writes the sentence of r for a metric in unit u into buf (NUL-terminated); returns buf. */
const char *reason_text(char *buf, size_t size, const struct reason_of *r, enum unit u);

/*
 * The headline of an overall BACKLOG that r (the reason of the metric that made it) decided:
 * "stood +3.0 MiB above its baseline while the loop ran: namespace clean-up work lagged the
 * loop, caught up 0.4 s after"; "deferred clean-up starved by the loop" for a reason without a
 * headline of its own (RS_NONE: a report of schema 1). Returns buf.
 */
const char *reason_backlog(char *buf, size_t size, const struct reason_of *r, enum unit u);

/*
 * The overall verdict in words: "CLEAN: no decisive metric grew (N analysed)", else "LEAK in a,
 * b, c, d (+N more)" from the names of the metrics that made it, worst first.
 */
const char *reason_overall(char *buf, size_t size, const char *verdict, bool clean,
			   size_t ndecisive, const char *const *names, size_t n);

/*
 * Which figure decided a LEAK and why, in a few words for the headline: "decided by tcp.client:
 * an exact count of the run's own netns, open at every sample of the quiesce tail". Returns buf.
 */
const char *reason_decided(char *buf, size_t size, const char *name, const struct reason_of *r);

/*
 * The quiet majority in words, the same in every report: "N metrics CLEAN, M with no growth seen
 * (too few cycles to rule out the smallest leak in them)".
 */
const char *reason_quiet(char *buf, size_t size, size_t nclean, size_t nunseen);
/*
 * What host drift explained, for a headline: "host drift in slab.TCP.objs (+12/s) and 3 more
 * figures, not tied to cycles, taken off before judging". Returns buf.
 */
const char *reason_drift(char *buf, size_t size, const char *name, double rate, enum unit u,
			 size_t more);

#endif
