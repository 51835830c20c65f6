/* The user's server (--server-cmd, --pid): what its figures ask of the verdict. */
#ifndef SOCKLEAK_ANALYSIS_SERVER_H
#define SOCKLEAK_ANALYSIS_SERVER_H

#include <stdbool.h>

#include "analysis/measure.h"
#include "model/result.h"

/*
 * Whether a figure of the server decides the overall verdict beyond its role's rule: its
 * resident memory does (the server's own memory is what a run of it is about), judged against
 * what allocators hold. Its fds and sockets decide as socket counts do.
 */
bool server_decides(const struct metric_desc *d);

/* Its resident memory: a residual within what allocators keep is not a leak's evidence. */
void server_limits(const struct work *w, const struct series_col *c, struct limits *l);

/*
 * After the metric was judged: a server-side CLOSE_WAIT count kept as a LEAK is named as the
 * "server never closes" bug; the server's fds that reached its fd limit and stayed there are a
 * LEAK capped by that limit (the plateau is the limit, not the leak ending), with the rate until
 * the cap; its RSS kept within the allocators' hold says so.
 */
void server_judge(const struct work *w, const struct series_col *c, const struct limits *l,
		  const struct figures *f, struct metric_result *m);

/* The server's figures for the reports: r->server, from the judged metrics. */
void server_evidence(struct result *r, const struct series *s, const struct analysis_params *p);

#endif
