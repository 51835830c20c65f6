/* The reports of a sweep: the table of variants, its JSON summary and the HTML index page. */
#ifndef SOCKLEAK_SWEEP_REPORT_H
#define SOCKLEAK_SWEEP_REPORT_H

#include <stdio.h>

#include "report/machine.h"
#include "run/sweep.h"

/* The sweep as a whole, for the summary line, the JSON and the index. */
struct sweep_summary {
	const struct sweep *s;
	const struct sweep_plan *plan;
	const struct machine *m;
	double budget; /* seconds */
	double elapsed; /* seconds from start to the reports */
	unsigned fail_on; /* 1u << verdict that exit 1 */
	bool measured; /* at least one variant was measured: verdict holds */
	enum verdict verdict; /* the worst of the measured variants */
	size_t failing; /* variants at or above fail_on */
	bool finished; /* false while variants still run (the index is rewritten after each) */
	int exit_code; /* once finished */
	int signal; /* the signal that stopped the sweep, or 0 */
	char stopped[256]; /* why the sweep ended before its last variant; "" */
};

/* Fills measured, verdict and failing from the variants. */
void sweep_summarise(struct sweep_summary *sum);

/* The table: a header, then one row per variant (printed as each finishes). */
void sweep_table_head(FILE *f);
void sweep_table_row(FILE *f, size_t index, const struct sweep_variant *v);
/* The closing lines: the overall verdict, variants failing, elapsed time against the budget. */
void sweep_table_end(FILE *f, const struct sweep_summary *sum);

/*
 * The JSON summary ("kind": "sweep", schema 1): the machine, the plan, "variants" (one object
 * per variant) and "overall". path "-" is stdout. 0 or -errno (said with sl_err).
 */
int sweep_json(const char *path, const struct sweep_summary *sum);
int sweep_json_write(FILE *f, const struct sweep_summary *sum);

/*
 * The JUnit report: one test case per variant, failing at or above fail_on (the variant's verdict
 * and why as the message, its figures as the text), skipped or an error with the reason when it
 * was not measured; the table is the suite's output. 0 or -errno (said with sl_err).
 */
int sweep_junit(const char *path, const struct sweep_summary *sum);

/*
 * The index page of --html DIR: the overall verdict, the table with a link to each variant's
 * report (sweep_variant.html), the plan and the machine. Self-contained, like the reports.
 */
int sweep_index_html(const char *path, const struct sweep_summary *sum);
int sweep_index_html_write(FILE *f, const struct sweep_summary *sum);

#endif
