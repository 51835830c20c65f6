/* What the attribution eBPF program (attribute.bpf.c) and sockleak share: keys, values, counters. */
#ifndef SOCKLEAK_BPF_ATTRIBUTE_H
#define SOCKLEAK_BPF_ATTRIBUTE_H

/* Kernel frames kept per stack: deep enough to reach the syscall or softirq entry. */
#define ATTR_STACK_DEPTH 24
/* TCP states counted per family (TCP_ESTABLISHED 1 .. TCP_NEW_SYN_RECV 12 fit). */
#define ATTR_TCP_STATES 16
#define ATTR_CACHE_NAME 32

/*
 * Which allocator an object came from. A free matches an object of its own space only, by
 * pointer, whatever the free's kind: slab objects from kmem_cache_alloc are freed through kfree
 * as often as through kmem_cache_free.
 */
enum attr_space {
	ATTR_SLAB = 0, /* kmem_cache_alloc and kmalloc; freed by kmem_cache_free or kfree */
	ATTR_PAGE = 1, /* mm_page_alloc; freed by mm_page_free or mm_page_free_batched */
	ATTR_PERCPU = 2, /* percpu_alloc_percpu; freed by percpu_free_percpu */
	ATTR_SKMEM = 3, /* socket memory charged (__sk_mem_raise_allocated), in bytes */
	ATTR_NSPACES,
};

/*
 * The cache of an allocation: a struct kmem_cache address for kmem_cache_alloc, else a pseudo key
 * that is never a kernel address: kmalloc's size class with flags (accounted to a memcg,
 * reclaimable), a page order, per-CPU memory or socket charges.
 */
#define ATTR_KEY_KMALLOC (1ULL << 48)
#define ATTR_KEY_PAGE (2ULL << 48)
#define ATTR_KEY_PERCPU (3ULL << 48)
#define ATTR_KEY_SKMEM (4ULL << 48)
#define ATTR_KEY_KIND(k) ((k) & (0xffffULL << 48))
#define ATTR_KMALLOC_CG (1ULL << 32) /* __GFP_ACCOUNT: kmalloc-cg-N */
#define ATTR_KMALLOC_RCL (1ULL << 33) /* __GFP_RECLAIMABLE: kmalloc-rcl-N */

/* stack_id of allocations whose stack could not be kept (see attr_lost). */
#define ATTR_STACK_NONE (-1)
/* stack_id of allocations whose stack was not walked: sampling (sample_every > 1) skipped it. */
#define ATTR_STACK_UNWALKED (-2)

/*
 * A group is (space, cache, site): the allocations of one cache from one call site. With
 * sampling, a group's unwalked objects are shared among its walked stacks in user space.
 */
struct attr_stack_key {
	__s32 stack_id; /* in the stack trace map, ATTR_STACK_NONE or ATTR_STACK_UNWALKED */
	__u32 space; /* enum attr_space */
	__u64 cache; /* see ATTR_KEY_* */
	__u64 site; /* the allocator's call site (its caller's address); 0 for pages */
};

/* Per stack, updated by the program at each allocation and free: what is outstanding now. */
struct attr_stack_val {
	__s64 objs; /* objects allocated here and not freed yet */
	__s64 bytes;
	__u64 allocs; /* allocations seen */
	__u64 frees; /* frees matched to its objects */
	__u64 missed; /* objects whose address came back without a free: the free was missed */
	__u64 sum_cycle; /* sum of the engine cycle at allocation over outstanding objects */
	__u64 sum_sq; /* sum of (cycle >> ATTR_SQ_SHIFT)^2 over them: how spread their ages are */
};

/* Cycles are scaled down before squaring, so that sums of squares of 1e8 cycles fit. */
#define ATTR_SQ_SHIFT 6

struct attr_obj_key {
	__u64 ptr; /* object, page (struct page *) or per-CPU pointer */
	__u32 space; /* enum attr_space */
	__u32 pad;
};

struct attr_obj {
	struct attr_stack_key stack;
	__u64 size; /* bytes */
	__u64 cycle; /* engine cycles completed when it was allocated */
};

/* One allocator cache seen in the run's threads. */
struct attr_cache_val {
	char name[ATTR_CACHE_NAME]; /* kmem_cache name; "" for pseudo keys */
	__u64 outside; /* allocations outside the scope (other tasks, ksoftirqd, RCU, workqueues) */
};

/* TCP sockets per state in one network namespace (by net cookie), both families. */
struct attr_states {
	__s64 n[2][ATTR_TCP_STATES]; /* [0: AF_INET, 1: AF_INET6][state] */
};

/* Every event the program could not account, in the .bss for sockleak to read. */
struct attr_counters {
	__u64 objs_full; /* object map full: an allocation not tracked */
	__u64 stacks_full; /* per-stack map full */
	__u64 caches_full; /* cache map full */
	__u64 stack_eexist; /* stack trace map bucket taken by another stack (-EEXIST) */
	__u64 stack_err; /* stack not captured for another reason */
	__u64 missed_free; /* an allocation at an address already tracked */
	__u64 outside; /* allocations of the tracked caches outside the run's threads */
	__u64 states_full; /* state count map full */
	__u64 scope_full; /* a forked process of the scope could not be added */
};

#endif
