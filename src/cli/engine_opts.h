/* The engine's command-line options, one table row each, shared by churn, run and sweep. */
#ifndef SOCKLEAK_ENGINE_OPTS_H
#define SOCKLEAK_ENGINE_OPTS_H

#include <stdio.h>

#include "cli/opt.h"
#include "config.h"

/* "eof immediate never-read rst": enum server_close's names, in its order. */
#define SERVER_CLOSE_CHOICES "eof immediate never-read rst"

/* Churn's length when neither --seconds nor --ops is given. */
#define ENGINE_DEFAULT_SECONDS 10.0

/* The engine's options, on a struct run_config: include them with OPT_INCLUDE_AT. */
extern const struct opt engine_opts[];

/* Engine defaults: kb171996 over tcp, 1 client thread, 10 s, one server thread per core. */
void run_config_defaults(struct run_config *cfg);
/*
 * After the last option: expands a preset, compiles the sequence for the transport (caret
 * messages), resolves defaults and checks the combination. 0 or SL_EXIT_USAGE.
 */
int engine_opts_finish(struct run_config *cfg);
/* Frees what engine_opts_finish allocated (the compiled sequence). */
void engine_opts_free(struct run_config *cfg);

#endif
