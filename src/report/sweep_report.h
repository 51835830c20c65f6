/* The reports of a sweep: the table of variants, its JSON summary and the HTML index page. */
#ifndef SOCKLEAK_SWEEP_REPORT_H
#define SOCKLEAK_SWEEP_REPORT_H

#include <stdio.h>

#include "report/machine.h"
#include "run/sweep.h"

/* A report that went into a merged one (sockleak merge). */
struct sweep_source {
	char path[256]; /* as given to merge */
	char matrix[SWEEP_ID_LEN + 1]; /* its matrix's id */
	unsigned shard, shards; /* 0 of 0: a whole sweep */
	char kernel[72]; /* its machine's */
	char hostname[65];
	char version[32]; /* the sockleak that wrote it */
	char start[32];
	double budget, elapsed; /* seconds */
	int exit_code;
	size_t variants; /* the variants it holds */
};

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
	const struct sweep_source *sources; /* a merged report: the reports it joins */
	size_t nsources;
	const char *json_dir; /* --json-dir: where the variants' run reports are (as given) */
};

/* Fills measured, verdict and failing from the variants. */
void sweep_summarise(struct sweep_summary *sum);

/*
 * The table: a header, then one row per variant (printed as each finishes), numbered as in the
 * matrix. A kernel column comes in when the matrix has a kernel axis or its variants ran on
 * different kernels (sweep_by_kernel).
 */
void sweep_table_head(FILE *f, const struct sweep *s);
void sweep_table_row(FILE *f, const struct sweep *s, const struct sweep_variant *v);
/*
 * The closing lines: the overall verdict, variants failing, elapsed time against the budget; per
 * variant across kernels, which kernels leak ("LEAK on 6.1.0-47-amd64, CLEAN on 6.18.44"); the
 * variants missing from a merged report; the reports merged.
 */
void sweep_table_end(FILE *f, const struct sweep_summary *sum);
/* The whole table: head, every row, end. */
void sweep_table(FILE *f, const struct sweep_summary *sum);

/* Whether the variants ran on more than one kernel (or the matrix has a kernel axis). */
bool sweep_by_kernel(const struct sweep *s);

/*
 * The variants of the matrix a report should hold but does not (by matrix index, from 1): all of
 * the matrix, or the shard's slice of it. Fills up to cap of them; returns how many there are.
 */
size_t sweep_missing(const struct sweep *s, size_t *out, size_t cap);
/* A missing variant's name: "tcp abort", "tcp abort on 6.1.0-47-amd64" with a kernel axis. */
void sweep_index_name(const struct sweep *s, size_t index, char *buf, size_t size);

/*
 * The JSON summary ("kind": "sweep", schema 1): the machine, the plan, "overall", the matrix's
 * identity, the shard, the reports merged, the variants missing and "variants" (one object per
 * variant). path "-" is stdout. 0 or -errno (said with sl_err).
 */
int sweep_json(const char *path, const struct sweep_summary *sum);
int sweep_json_write(FILE *f, const struct sweep_summary *sum);

/* A sweep's JSON report read back: what it says, owned. */
struct sweep_doc {
	char *path;
	int schema;
	char version[32]; /* the sockleak that wrote it */
	bool has_machine;
	struct machine m;
	struct sweep_plan plan;
	struct sweep s;
	struct sweep_summary sum; /* s, plan and m point into the doc */
	struct sweep_source *sources; /* a merged report's */
	size_t nsources;
	char *json_dir;
};

/*
 * Reads a sweep's JSON report (sweep --json, merge --json) through the tables the writer uses.
 * Anything else is refused with a message naming the file and the place, or what it is instead
 * (a run's report). 0, or -EINVAL / -ENOMEM / -errno (said with sl_err); free with
 * sweep_doc_free either way.
 */
int sweep_report_load(const char *path, struct sweep_doc *d);
void sweep_doc_free(struct sweep_doc *d);

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
