/* The text report: verdict line first, then evidence tables, phases and figures. */
#ifndef SOCKLEAK_REPORT_TEXT_H
#define SOCKLEAK_REPORT_TEXT_H

#include <stdio.h>

#include "model/result.h"
#include "model/series.h"
#include "config.h"
#include "report/report.h"

/*
 * Writes the report of one analysed run; cfg may be NULL (the sequence line is then left out).
 * Prose wraps at width (0: 100); tables narrow their name column on narrow terminals (their rows
 * need 86 columns) and widen it on wide ones: the same width gives the same text. Returns 0 or -EIO when the stream
 * failed.
 */
int report_text(FILE *f, const struct series *s, const struct result *r,
		const struct run_config *cfg, int width);

/* The memory guard's stop, when it came: it leads the report (exit 3 is why). */
int report_text_stop(FILE *f, const struct run_facts *x);

/* What the orchestrator saw: stopped by the guard or a signal, quiesce unsettled, no cgroup. */
int report_text_facts(FILE *f, const struct run_facts *x);

/*
 * Everything a run printed, from what a report holds: the report, the facts, the confirmation,
 * at the given width.
 */
int report_text_all(FILE *f, const struct report_in *in, int width);

/* The --confirm section: the two runs' residuals side by side and what their ratio says; metric
 * names from sa, the first run's series. */
int report_text_confirm(FILE *f, const struct series *sa, const struct confirm_result *c,
			int width);

#endif
