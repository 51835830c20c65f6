/* What a measured run leaves: the text report, its files, and --confirm's longer second run. */
#ifndef SOCKLEAK_OUTPUTS_H
#define SOCKLEAK_OUTPUTS_H

#include <stdbool.h>
#include <stdio.h>

#include "analysis/analysis.h"
#include "report/machine.h"
#include "run/run.h"

/* Where the text report goes: stdout, or stderr when stdout carries the JSON (--json -). */
FILE *run_text_out(const struct run_config *cfg);

/*
 * The text report of an analysed run, and how it went (the memory guard's stop leads it, as the
 * reason the run could not go on; a signal, quiesce's maximum, no cgroup follow the evidence).
 */
void run_print(FILE *f, const struct run_config *cfg, const struct run_output *o);

/*
 * Writes cfg's --json, --csv, --html and --junit files of an analysed run (with --confirm's result, or
 * NULL); each is written even when another failed. The JSON's "run" object says how the run
 * went: what stopped the churn ("stopped_by"), the guard's reason. 0 or -EIO.
 */
int run_write_reports(const struct run_config *cfg, const struct run_output *o,
		      const struct machine *m, const struct confirm_result *conf);

/*
 * --confirm: the same run with three times the cycles (or seconds); a leak's residual scales
 * with them. Prints the comparison to f, fills c and sets *have when both runs were analysed and
 * compared; a signal in the second run is a's signal too. 0, or SL_EXIT_RUNTIME when the second
 * run could not be carried out or the memory guard stopped it.
 */
int run_confirm(const struct run_config *cfg, struct run_output *a, FILE *f,
		struct confirm_result *c, bool *have);

#endif
