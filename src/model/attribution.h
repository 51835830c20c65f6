/* struct attribution: the kernel stacks that allocated what a run kept, and what was decided of them. */
#ifndef SOCKLEAK_ATTRIBUTION_H
#define SOCKLEAK_ATTRIBUTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/result.h"
#include "model/series.h"

/* Allocators, as the eBPF program tells them apart (bpf/attribute.h: enum attr_space). */
enum attr_alloc {
	ALLOC_SLAB, /* slab objects: kmem_cache_alloc and kmalloc */
	ALLOC_PAGE, /* pages: mm_page_alloc */
	ALLOC_PERCPU, /* per-CPU memory */
	ALLOC_SKMEM, /* socket memory charged to the protocol and the memory cgroup */
	ALLOC_COUNT,
};

const char *attr_alloc_name(enum attr_alloc a); /* "slab" "page" "percpu" "skmem" */

/* Why a stack got its verdict: one code per rule, rendered into words in one place. */
enum attr_reason {
	AR_NONE, /* nothing outstanding, nothing grew */
	AR_LEAK, /* grew steadily with cycles and stayed through quiesce */
	AR_BACKLOG, /* grew steadily while the loop ran and came back after */
	AR_IN_FLIGHT, /* rose while the loop ran without a steady rise, and came back */
	AR_UNEVEN, /* kept objects allocated in one part of churn, not evenly over its cycles */
	AR_TIME_WAIT, /* TIME_WAIT sockets, or what they hold: deferred clean-up, never a leak */
	AR_SLAB_OWN, /* memory slab took for its caches (pages, per-slab vectors): objects count */
	AR_SMALL, /* kept fewer objects than a leak must leave */
	AR_MISSED_FREES, /* most of its frees were never seen: what it keeps cannot be told */
	AR_NO_STACK, /* allocations whose stack was not captured (lost): never a leak's stack */
	AR_UNWALKED, /* sampled out: objects of a call site none of whose walked stacks kept any */
	AR_COUNT,
};

const char *attr_reason_name(enum attr_reason r); /* stable key for JSON: "leak", "in-flight" */

/* One kernel stack with what it allocated (cache and allocator) and what is outstanding. */
struct attr_stack {
	int id; /* stack id in the run's stack map; ATTR_ID_LOST, ATTR_ID_UNWALKED */
	uint64_t site; /* the allocator's call site: with the cache, the group sampling shares in */
	enum attr_alloc alloc;
	char cache[64]; /* the cache as the pool-tag table names it, or "kmalloc-256", "pages" */
	char *cache_note; /* caches merged into it (slab aliases), or NULL */
	char **frames; /* symbolized, innermost first: "sk_prot_alloc+0x2c" or "f+0x1 [mod]" */
	size_t nframes;
	size_t nalloc_frames; /* innermost frames inside the allocator: folded in reports */
	/* Counts over the run (events), and outstanding figures against the churn's start. */
	double allocs, frees, missed;
	double objs_base, bytes_base; /* outstanding when churn began */
	double objs_peak, bytes_peak; /* largest rise above that during churn */
	double objs_end, bytes_end; /* rise at the end of quiesce (median of its last seconds) */
	double objs_teardown, bytes_teardown; /* rise after teardown; NAN without one */
	/* When what it kept after quiesce was allocated, as places in churn (0 its start, 1 its
	   end): their mean and standard deviation. A leak's spread all along (0.5, 0.29). */
	double mean_age, age_sd;
	bool slab_own; /* slab grew one of its caches: the objects are what is counted */
	/* The decision. */
	enum verdict verdict;
	enum attr_reason reason;
	double objs_per_cycle, bytes_per_cycle; /* what it keeps per churn cycle (LEAK), or its
						   rise per cycle while the loop ran (BACKLOG) */
	double slope, slope_lo, slope_hi; /* objects per cycle during churn, 95% interval */
	double confidence;
	/* Per attribution snapshot: outstanding objects and bytes, and the sum of their allocation
	   cycles and of those squared (their ages). */
	double *objs, *bytes, *age_sum, *age_sq;
	/* Sampling (--attribute-sample N > 1): per snapshot, how far the 95% interval of objs
	   reaches from it, as a part of it (NULL, or 0: exact); and that of objs_end, which
	   reports show as +-. A call site with one walked stack still has one: another stack
	   may have been sampled out. */
	double *pm;
	double kept_pm;
};

#define ATTR_ID_LOST (-1) /* the stack was not captured (lost events) */
#define ATTR_ID_UNWALKED (-2) /* sampling did not walk it: shared among the group's stacks */

/* A figure judged LEAK or BACKLOG and the stacks that explain it. */
struct attr_figure {
	int col; /* the metric's column in the series */
	enum verdict verdict; /* the metric's */
	double per_cycle; /* the figure's growth per cycle (residual, or slope for BACKLOG) */
	bool bytes; /* the figure is bytes (else objects or sockets) */
	size_t *stacks; /* indices into attribution.stacks, largest share first */
	double *share; /* each one's part of the figure's growth per cycle */
	size_t nstacks;
	double explained; /* their summed share */
};

/* One event source: a tracepoint (or function) the program attaches to. */
struct attr_source {
	char group[24]; /* what it counts: "slab", "pages", "per-CPU", "socket charges", ... */
	char name[40]; /* "kmem_cache_alloc", "__sk_mem_raise_allocated", "inet_sock_set_state" */
	bool on;
	char why[120]; /* when off: "not in this kernel", "fentry refused" */
};

/* Events the program could not account: every one is counted, none is dropped silently. */
struct attr_lost {
	double objs_full; /* allocations not tracked: object map full */
	double stacks_full; /* allocations not tracked: per-stack map full */
	double stack_collisions; /* stack map bucket taken by another stack (-EEXIST) */
	double stack_errors; /* stacks not captured for other reasons */
	double recursion_misses; /* program runs the kernel skipped (nested in another) */
	double missed_frees; /* objects whose address came back without a free seen */
	double outside; /* allocations of the run's caches outside its threads */
	double caches_full, states_full, scope_full;
};

/* Snapshot rows: when the outstanding figures were read. */
struct attr_snap {
	double t; /* seconds since the series started */
	double cycles;
	enum phase phase;
};

struct attr_cache_count {
	char cache[64];
	double inside, outside; /* allocations in the run's threads, and outside them */
};

struct attribution {
	bool on; /* attribution ran (else why says why not) */
	char why[200];
	struct attr_source *sources;
	size_t nsources;
	struct attr_lost lost;
	bool lost_any; /* some event was lost: reports say so next to the stacks */
	struct attr_snap *snaps;
	size_t nsnaps;
	struct attr_stack *stacks; /* by verdict, then bytes kept per cycle */
	size_t nstacks;
	struct attr_figure *figures;
	size_t nfigures;
	struct attr_cache_count *caches;
	size_t ncaches;
	double cycles; /* churn cycles */
	double tracked_allocs; /* allocations attributed to a stack */
	double sample_every; /* stacks walked for 1 in this many allocations (1: all, exact) */
	size_t nleak, nbacklog; /* stacks judged so */
	bool states; /* TCP state counts came from inet_sock_set_state */
	double states_cost_us; /* their mean cost per sample */
};

/* Frees everything attribution owns and zeroes it. */
void attribution_free(struct attribution *a);
/* Allocation helpers for the loader and the JSON reader: 0 or -ENOMEM. */
int attribution_add_stack(struct attribution *a, struct attr_stack **out);
int attr_stack_add_frame(struct attr_stack *st, const char *frame);

#endif
