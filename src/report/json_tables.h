/*
 * The tables of the JSON report (schemas 2 and 3): one row per key of each object, read by the writer
 * (json_write.c) and the loader (json_load.c) alike.
 *
 * To add a key: add a row to its object's table with .since = the schema that first carries it
 * (REPORT_SCHEMA, 3 today); the writer writes it, the loader reads it and lets older files lack
 * it. Keys are only ever added within a schema, never renamed or given another meaning.
 */
#ifndef SOCKLEAK_REPORT_JSON_TABLES_H
#define SOCKLEAK_REPORT_JSON_TABLES_H

#include "report/jtab.h"

extern const struct jt_names jn_verdict; /* CLEAN ... LEAK */
extern const struct jt_names jn_transport; /* tcp ... mptcp */
extern const struct jt_names jn_close; /* eof, immediate, never-read, rst */

extern const struct jtable jt_machine; /* struct machine: "machine" */
extern const struct jtable jt_config; /* struct run_config: "config" */
extern const struct jtable jt_phase; /* struct phase_mark: "phases"[] (needs the series) */
extern const struct jtable jt_result; /* struct result: "result", metrics and pool_tags in it */
extern const struct jtable jt_confirm; /* struct confirm_result: "confirm" */
extern const struct jtable jt_facts; /* struct run_facts: "run" */
extern const struct jtable jt_column; /* struct series_col: "series"."columns"[], values aside */

struct run_config;
/* Frees the --netns-sysctl strings jt_config read (a loaded run's; not argv's). */
void config_sysctls_free(struct run_config *c);

#endif
