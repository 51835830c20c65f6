/* The machine-readable and browser reports of a run, and the loader that reads a saved run back. */
#ifndef SOCKLEAK_REPORT_H
#define SOCKLEAK_REPORT_H

#include <jansson.h>

#include "model/attribution.h"
#include "model/result.h"
#include "model/series.h"
#include "config.h"
#include "engine/engine.h"
#include "report/machine.h"

/* The schema written; the loader reads it and every older one (schema 1: see json_load.c). */
#define REPORT_SCHEMA 3

/* What a report renders; renderers only read it. cfg, m and engine may be NULL. */
struct report_in {
	const struct series *s;
	const struct result *r;
	const struct run_config *cfg;
	const struct machine *m;
	const json_t *engine; /* engine summary (report_engine_json), stored as "engine" */
	const struct confirm_result *confirm; /* --confirm's comparison with a 3x run, or NULL */
	const struct run_facts *facts; /* how the run went (signal, guard, settled), or NULL */
	const struct attribution *attr; /* --attribute's stacks (or why not), or NULL */
	bool full_series; /* JSON: "values" for every column, the constant ones too */
};

/* A run read back from a JSON report; owns everything it points to. */
struct report_run {
	struct series s;
	struct result r;
	struct run_config cfg; /* cfg.seq is NULL: the sequence is kept as text only */
	struct machine m;
	json_t *engine; /* NULL when the run had none */
	struct confirm_result confirm; /* col_b is -1: the longer run's series is not kept */
	struct run_facts facts;
	struct attribution attr; /* --attribute's, when the file has it */
	char *path;
	int schema; /* of the file */
	bool has_cfg, has_machine, has_confirm, has_facts, has_attr;
};

struct jw;
/* The "machine" object of a JSON report, for other JSON outputs (sweep) to carry the same. */
void report_json_machine(struct jw *w, const struct machine *m);
/* The same object as a jansson value, for outputs built with jansson (churn); NULL: no memory. */
json_t *report_machine_value(const struct machine *m);
/* A set of verdicts (bit 1 << VERDICT_x) as an array of their names, such as "fail_on". */
void report_json_verdict_set(struct jw *w, const char *key, unsigned mask);

/* Writes the JSON report (schema 3) to path ("-": stdout). 0 or -errno, said with sl_err. */
int report_json(const char *path, const struct report_in *in);
int report_json_write(FILE *f, const struct report_in *in);

/*
 * Reads a JSON report back. Anything that is not a sockleak JSON report of schema 1 or 2 is refused with
 * a message naming the file and the place (sl_err) and -EINVAL; an unreadable file gives -errno.
 * Call report_run_free afterwards in every case.
 */
int report_json_load(const char *path, struct report_run *run);
/* The same from an open stream (f); path names it in messages. */
int report_json_load_from(FILE *f, const char *path, struct report_run *run);
void report_run_free(struct report_run *run);
/* The loaded run as renderer input. */
struct report_in report_run_in(const struct report_run *run);

/*
 * The engine summary to store in a report: cycles, cycles/s, CPU, per-thread spread and the errors
 * by op and errno name. op_names[i] names op i of the compiled sequence (may be NULL: "op<i>").
 */
json_t *report_engine_json(const struct engine_stats *st, const char *const *op_names, size_t nops);

/* The time series as CSV: t,cycles,phase,<metric>...; an empty cell for NaN. 0 or -errno. */
int report_csv(const char *path, const struct series *s);
int report_csv_write(FILE *f, const struct series *s);

/* One self-contained HTML page: verdict, charts, evidence tables, configuration and machine. */
int report_html(const char *path, const struct report_in *in);
int report_html_write(FILE *f, const struct report_in *in);

#endif
