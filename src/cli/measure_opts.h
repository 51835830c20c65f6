/* The options of a measured run that run and sweep share: phases, the verdict gate, outputs. */
#ifndef SOCKLEAK_MEASURE_OPTS_H
#define SOCKLEAK_MEASURE_OPTS_H

#include "cli/opt.h"
#include "config.h"

#define G_PHASES "Phases"
#define G_VERDICT "Verdict and output"
#define G_WHERE "Where in the kernel (eBPF, root)"

/* The rows, on a struct run_config: include them with OPT_INCLUDE_AT. */
extern const struct opt measure_opts[];

/* --fail-on VERDICT: the mask of verdicts that exit 1 (run_config.fail_on). */
opt_parse_fn measure_parse_fail_on;

#endif
