/* sockleak merge: the reports of shards (or whole sweeps) of one matrix joined into one sweep. */
#ifndef SOCKLEAK_SWEEP_MERGE_H
#define SOCKLEAK_SWEEP_MERGE_H

#include <stdbool.h>
#include <stddef.h>

#include "report/sweep_report.h"

struct merge_opts {
	bool force; /* join reports of other matrices, versions or kernels all the same */
	unsigned fail_on; /* judge the variants against this; 0: the reports' own (alike) */
};

/* The merged sweep: what the renderers read through sum. */
struct sweep_merged {
	struct sweep s;
	struct sweep_plan plan; /* none: each report had its own */
	struct machine m; /* the first report's */
	bool has_machine;
	struct sweep_source *sources;
	size_t nsources;
	struct sweep_summary sum;
	/* for each variant of s, the report it came from (an index into the docs) */
	size_t *from;
	bool same_matrix; /* every report of one matrix (else joined by variant name: --force) */
};

/*
 * Joins docs[0..n) into out. Reports of one matrix keep its numbering: each variant by its index
 * (and kernel), in matrix order; the variants no report holds are out->s's missing ones.
 * Refused (-EINVAL, why says which reports and how they differ, and what to do): reports of
 * different matrices, of different sockleak versions, of different kernels when the kernel is
 * not an axis of the matrix, unless o->force; reports that judge by different --fail-on, unless
 * o->fail_on; a variant measured in two reports, unless o->force (the later one is kept). A
 * variant measured in one report and not in another is taken where it was measured. Notes on
 * what --force let through go to stderr. -ENOMEM when out of memory.
 */
int sweep_merge(struct sweep_doc *docs, size_t n, const struct merge_opts *o,
		struct sweep_merged *out, char *why, size_t whylen);
void sweep_merged_free(struct sweep_merged *m);

/*
 * The merged sweep's exit code: 3 when it is incomplete (variants missing, or a report whose
 * sweep ended in a runtime error or a signal), else 1 when a variant is at or above --fail-on,
 * else 0.
 */
int sweep_merged_exit(const struct sweep_merged *m);

#endif
