/* The user's server (--server-cmd, --pid) in words: the same sentences in text and HTML. */
#ifndef SOCKLEAK_REPORT_SERVER_H
#define SOCKLEAK_REPORT_SERVER_H

#include <stdbool.h>

#include "model/result.h"
#include "model/metric.h"
#include "model/series.h"

/* One of the server's figures: its process tree's (probe server) or its port's sockets (port). */
bool report_server_col(const struct metric_desc *d);

/* A row of its table: its process tree's figures, all; its port's states when they spoke. */
bool report_server_row(const struct series *s, const struct metric_result *m);

/*
 * Calls say(arg, line) for each thing the reports say of the server's figures as the verdict
 * judged them (whether counts are exact, its fds and their limit, CLOSE_WAIT kept per cycle: "the
 * server never closes", its RSS against what allocators hold). Nothing when it was not watched.
 */
void report_server_says(const struct result *r, void (*say)(void *arg, const char *line),
			void *arg);

/*
 * How the user's server ended, from the run's facts, into buf: "" when there is nothing to say.
 * *tail: its last lines (server_output) follow (--server-cmd); a --pid server's output is its own.
 */
const char *report_server_end(const struct run_facts *x, char *buf, size_t len, bool *tail);

/* The heading of its section: "Your server (its process tree and port; counted ...: exact)". */
const char *report_server_title(const struct result *r);

#endif
