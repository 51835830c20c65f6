/* Cycles that failed: how many, and how (op, errno, count), from a report's engine summary. */
#ifndef SOCKLEAK_REPORT_FAILURES_H
#define SOCKLEAK_REPORT_FAILURES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* The share of attempted cycles that, failing, makes a run a runtime error without
 * --allow-failures: the run then measured the failures, not the sequence. */
#define FAILED_MOST 0.9

/* Whether failed of cycles + failed attempted cycles reach FAILED_MOST. */
static inline bool failures_most(double cycles, double failed)
{
	return failed > 0 && failed >= FAILED_MOST * (cycles + failed);
}

/*
 * Exit 3 (SL_EXIT_RUNTIME) when failures_most and not allowed (--allow-failures), after a line on
 * stderr that says so ("see" names where the report lists the errors); else 0. For run and churn.
 */
int failures_exit(double cycles, double failed, bool allowed, const char *see);

/*
 * "N of M cycles failed (P%): connect ECONNREFUSED N" from an engine summary
 * (report_engine_json), the largest three errors first; "" when no cycle failed or engine is NULL.
 */
void failures_line(const json_t *engine, char *buf, size_t size);

/*
 * "N sockets left open in the first C cycles (R per cycle) before ..." when the fd store capped
 * what an --allow-open sequence left open; "" otherwise.
 */
void capped_line(const json_t *engine, char *buf, size_t size);

/* The lines above, leading the text report ("FAILED CYCLES: ..."), when a cycle failed. */
int report_text_failures(FILE *f, const json_t *engine);
/* The engine's errors by op and errno, a section of the text report, when there were any. */
int report_text_errors(FILE *f, const json_t *engine);

#endif
