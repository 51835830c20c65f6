/* The loader's state, shared by loader.c and collect.c (eBPF builds only). */
#ifndef SOCKLEAK_ATTR_INTERNAL_H
#define SOCKLEAK_ATTR_INTERNAL_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attr/attr.h"
#include "attribute.h"
#include "attribute.skel.h"

#define SNAP_CAP 256 /* snapshot rows kept; past it every other one goes, and the pace halves */
#define ATTR_NSRC 13

/* The program's sources: a tracepoint each, grouped by what they count. */
enum src_group { G_SLAB, G_PAGE, G_PERCPU, G_SKMEM, G_STATES, G_FORK, G_COUNT };

struct src {
	const char *name; /* tracepoint or function */
	enum src_group group;
	bool free; /* a free event: its allocations mean nothing without it */
	bool fentry; /* fentry/fexit: loaded apart, the kernel may refuse it */
};

/* One (stack, space, cache) key seen in the per-stack map, with its samples. */
struct raw {
	struct attr_stack_key key;
	struct attr_stack_val last;
	double *objs, *bytes; /* one per snapshot row */
	double *age_sum, *age_sq; /* sum of allocation cycles (and of their scaled squares) */
};

struct attr {
	struct attribute_bpf *skel;
	struct attribute_bpf *charges; /* the fentry programs, loaded apart; NULL when refused */
	struct bpf_link *links[ATTR_NSRC];
	bool loaded[ATTR_NSRC]; /* the program was loaded (its source exists) */
	bool attached[ATTR_NSRC]; /* and attached: the source was on */
	char why[ATTR_NSRC][120]; /* why a source is off */
	bool quiet;
	uint32_t max_stacks;
	uint32_t sample_every; /* stacks walked for 1 in this many allocations */

	struct raw *raw;
	size_t nraw;
	uint32_t *slot; /* open addressing: index + 1 into raw, 0 empty */
	size_t nslot;

	struct attr_snap *snaps;
	size_t nsnaps;
	double snap_every, next_snap;

	struct attr_stack_key *kbuf; /* batch reads */
	struct attr_stack_val *vbuf; /* ncpus values per key: the map is per CPU */
	int ncpus;
	double states_us; /* tcp state reads: total cost and count */
	uint64_t states_n;
};

extern const struct src attr_srcs[ATTR_NSRC];

struct bpf_program *attr_prog(struct attribute_bpf *s, size_t i);

#endif
