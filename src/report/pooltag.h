/* The pool-tag table: slab caches among the judged metrics, ranked by residual bytes per cycle. */
#ifndef SOCKLEAK_POOLTAG_H
#define SOCKLEAK_POOLTAG_H

#include <stddef.h>

#include "analysis/result.h"
#include "analysis/series.h"

struct pool_tag {
	char cache[96];
	const struct metric_result *bytes; /* slab.CACHE.bytes, or NULL */
	const struct metric_result *objs; /* slab.CACHE.objs, or NULL */
	const char *note; /* column note: the caches merged into this one */
	enum verdict verdict; /* the worse of the two */
	double bytes_per_cycle, objs_per_cycle; /* residual per cycle; NAN when not judged */
	double confidence;
};

/*
 * Fills out with the slab caches whose bytes or objects were judged other than CLEAN, largest
 * residual bytes per cycle first (then largest peak). Returns how many there are in all, which
 * may exceed max; out may be NULL to count.
 */
size_t pool_tags(const struct series *s, const struct result *r, struct pool_tag *out, size_t max);

#endif
