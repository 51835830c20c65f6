// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Attribution: the kernel allocations made by a run's own threads, outstanding per kernel stack.
 *
 * Every allocation event of the scope (the run's thread ids, and whole processes such as a server
 * sockleak started) keeps its object, keyed by pointer and allocator space, with its size, stack
 * and the engine cycle at allocation; a free of any kind finds its object by pointer and takes it
 * off its stack's totals. Per-stack totals live here, so sockleak reads a few thousand entries,
 * never the objects. Nothing is ever dropped silently: every loss counts in `lost`.
 *
 * Licensed GPL-compatible: the stack and kernel-read helpers are GPL-only.
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "attribute.h"

#define E2BIG 7
#define EEXIST 17
#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define PAGE_SHIFT 12
#define GFP_MOVABLE 0x08u
#define GFP_RECLAIMABLE 0x10u
#define GFP_ACCOUNT 0x400000u
/* SLUB serves kmalloc from pages above this (KMALLOC_MAX_CACHE_SIZE): the page event has it. */
#define KMALLOC_MAX_SLAB 8192

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Written by sockleak through the mmapped .bss. */
__u64 cycle; /* engine cycles completed, updated at each sample */
__u32 armed; /* allocations are tracked */
__u32 follow_forks; /* children of the scope's processes join the scope */
__u32 have_tgids; /* whole processes are in the scope (else only the thread ids) */
/*
 * The stack is walked for 1 in sample_every allocations, each drawn at random on its own (never
 * a fixed stride, which a loop of fixed shape would alias into always the same call); 0 or 1:
 * every allocation. The object is tracked either way, so the outstanding counts stay exact.
 */
__u32 sample_every;

struct attr_counters lost;

/* Sizes are set by sockleak before load (bpf_map__set_max_entries). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} tids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} tgids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 262144);
	__type(key, struct attr_obj_key);
	__type(value, struct attr_obj);
} objs SEC(".maps");

/*
 * Per CPU, so that threads on different CPUs never fight over a stack's cache line; a free on
 * another CPU than its allocation makes a slot negative, and sockleak sums the slots. Allocated
 * as stacks appear: its memory grows with the stacks seen, not with the CPUs times the maximum.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, struct attr_stack_key);
	__type(value, struct attr_stack_val);
} totals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16384);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, ATTR_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct attr_cache_val);
} caches SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct attr_states);
} states SEC(".maps");

static __always_inline bool in_scope(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, tgid = (__u32)(id >> 32);

	if (bpf_map_lookup_elem(&tids, &tid))
		return true;
	return have_tgids && bpf_map_lookup_elem(&tgids, &tgid);
}

static __always_inline struct attr_stack_val *totals_of(const struct attr_stack_key *k)
{
	struct attr_stack_val zero = {}, *v = bpf_map_lookup_elem(&totals, k);
	long err;

	if (v)
		return v;
	err = bpf_map_update_elem(&totals, k, &zero, BPF_NOEXIST);
	if (err && err != -EEXIST) {
		__sync_fetch_and_add(&lost.stacks_full, 1);
		return NULL;
	}
	return bpf_map_lookup_elem(&totals, k);
}

static __always_inline __u64 sq(__u64 cycle)
{
	__u64 c = cycle >> ATTR_SQ_SHIFT;

	return c * c;
}

/* Takes an object off its stack's totals (this CPU's slot): freed, or its free was missed. */
static __always_inline void release(const struct attr_obj *o, bool missed)
{
	struct attr_stack_val *v = totals_of(&o->stack);

	if (!v)
		return;
	__sync_fetch_and_sub(&v->objs, 1);
	__sync_fetch_and_sub(&v->bytes, (__s64)o->size);
	__sync_fetch_and_sub(&v->sum_cycle, o->cycle);
	__sync_fetch_and_sub(&v->sum_sq, sq(o->cycle));
	if (missed)
		__sync_fetch_and_add(&v->missed, 1);
	else
		__sync_fetch_and_add(&v->frees, 1);
}

/* The cache's entry, added on its first allocation in the scope; name read from kmem_cache. */
static __always_inline struct attr_cache_val *cache_of(__u64 key, const struct kmem_cache *s)
{
	struct attr_cache_val *c = bpf_map_lookup_elem(&caches, &key), fresh = {};
	long err;

	if (c)
		return c;
	if (s)
		bpf_probe_read_kernel_str(fresh.name, sizeof(fresh.name), s->name);
	err = bpf_map_update_elem(&caches, &key, &fresh, BPF_NOEXIST);
	if (err && err != -EEXIST) {
		__sync_fetch_and_add(&lost.caches_full, 1);
		return NULL;
	}
	return bpf_map_lookup_elem(&caches, &key);
}

static __always_inline int on_alloc(void *ctx, __u64 ptr, __u32 space, __u64 cache,
				    const struct kmem_cache *s, __u64 size, __u64 site)
{
	struct attr_obj_key k = { .ptr = ptr, .space = space };
	struct attr_obj o = {}, *old;
	struct attr_stack_val *v;
	struct attr_cache_val *c;
	long id, err;

	if (!armed || !ptr)
		return 0;
	if (!in_scope()) {
		/* Only caches the run uses: the rest of the host is not the run's business. */
		c = bpf_map_lookup_elem(&caches, &cache);
		if (c) {
			__sync_fetch_and_add(&c->outside, 1);
			__sync_fetch_and_add(&lost.outside, 1);
		}
		return 0;
	}
	/* Its entry names the cache; what the run allocated from it the stacks' totals count. */
	cache_of(cache, s);

	/* Never BPF_F_REUSE_STACKID: a collision would be charged to another stack silently. */
	if (sample_every > 1 && bpf_get_prandom_u32() % sample_every)
		id = ATTR_STACK_UNWALKED;
	else
		id = bpf_get_stackid(ctx, &stacks, 0);
	if (id < 0 && id != ATTR_STACK_UNWALKED) {
		if (id == -EEXIST)
			__sync_fetch_and_add(&lost.stack_eexist, 1);
		else
			__sync_fetch_and_add(&lost.stack_err, 1);
		id = ATTR_STACK_NONE;
	}
	o.stack.stack_id = (__s32)id;
	o.stack.space = space;
	o.stack.cache = cache;
	o.stack.site = site;
	o.size = size;
	o.cycle = cycle;
	v = totals_of(&o.stack);
	if (!v)
		return 0;

	err = bpf_map_update_elem(&objs, &k, &o, BPF_NOEXIST);
	if (err == -EEXIST) {
		/* The address came back without a free we saw (bulk frees, kfree_rcu batches). */
		old = bpf_map_lookup_elem(&objs, &k);
		if (old) {
			struct attr_obj prev = *old;

			*old = o;
			release(&prev, true);
			__sync_fetch_and_add(&lost.missed_free, 1);
		}
	} else if (err) {
		__sync_fetch_and_add(&lost.objs_full, 1);
		return 0;
	}
	__sync_fetch_and_add(&v->objs, 1);
	__sync_fetch_and_add(&v->bytes, (__s64)size);
	__sync_fetch_and_add(&v->allocs, 1);
	__sync_fetch_and_add(&v->sum_cycle, o.cycle);
	__sync_fetch_and_add(&v->sum_sq, sq(o.cycle));
	return 0;
}

static __always_inline int on_free(__u64 ptr, __u32 space)
{
	struct attr_obj_key k = { .ptr = ptr, .space = space };
	struct attr_obj *o, copy;

	if (!ptr)
		return 0;
	o = bpf_map_lookup_elem(&objs, &k);
	if (!o)
		return 0;
	copy = *o;
	/* Whoever deletes it releases it: never twice. */
	if (bpf_map_delete_elem(&objs, &k))
		return 0;
	release(&copy, false);
	return 0;
}

SEC("tp_btf/kmem_cache_alloc")
int BPF_PROG(kmem_cache_alloc, unsigned long call_site, const void *ptr, struct kmem_cache *s,
	     gfp_t gfp, int node)
{
	return on_alloc(ctx, (__u64)ptr, ATTR_SLAB, (__u64)s, s, s->size, call_site);
}

SEC("tp_btf/kmalloc")
int BPF_PROG(kmalloc, unsigned long call_site, const void *ptr, size_t bytes_req,
	     size_t bytes_alloc, gfp_t gfp, int node)
{
	__u64 key = ATTR_KEY_KMALLOC | bytes_alloc;

	if (bytes_alloc > KMALLOC_MAX_SLAB)
		return 0; /* pages: mm_page_alloc counts them, with this stack */
	if (gfp & GFP_ACCOUNT)
		key |= ATTR_KMALLOC_CG;
	else if (gfp & GFP_RECLAIMABLE)
		key |= ATTR_KMALLOC_RCL;
	return on_alloc(ctx, (__u64)ptr, ATTR_SLAB, key, NULL, bytes_alloc, call_site);
}

SEC("tp_btf/kmem_cache_free")
int BPF_PROG(kmem_cache_free, unsigned long call_site, const void *ptr, const struct kmem_cache *s)
{
	return on_free((__u64)ptr, ATTR_SLAB);
}

SEC("tp_btf/kfree")
int BPF_PROG(kfree, unsigned long call_site, const void *ptr)
{
	return on_free((__u64)ptr, ATTR_SLAB);
}

SEC("tp_btf/mm_page_alloc")
int BPF_PROG(mm_page_alloc, struct page *page, unsigned int order, gfp_t gfp, int migratetype)
{
	/* Movable pages are user memory (anonymous, page cache), the process's RSS: not the kernel's. */
	if (gfp & GFP_MOVABLE)
		return 0;
	return on_alloc(ctx, (__u64)page, ATTR_PAGE, ATTR_KEY_PAGE | order, NULL,
			(__u64)1 << (PAGE_SHIFT + order), 0);
}

SEC("tp_btf/mm_page_free")
int BPF_PROG(mm_page_free, struct page *page, unsigned int order)
{
	return on_free((__u64)page, ATTR_PAGE);
}

SEC("tp_btf/mm_page_free_batched")
int BPF_PROG(mm_page_free_batched, struct page *page)
{
	return on_free((__u64)page, ATTR_PAGE);
}

SEC("tp_btf/percpu_alloc_percpu")
int BPF_PROG(percpu_alloc_percpu, unsigned long call_site, bool reserved, bool is_atomic,
	     size_t size, size_t align, void *base_addr, int off, void *ptr, size_t bytes_alloc,
	     gfp_t gfp)
{
	return on_alloc(ctx, (__u64)ptr, ATTR_PERCPU, ATTR_KEY_PERCPU, NULL, bytes_alloc,
			call_site);
}

SEC("tp_btf/percpu_free_percpu")
int BPF_PROG(percpu_free_percpu, void *base_addr, int off, void *ptr)
{
	return on_free((__u64)ptr, ATTR_PERCPU);
}

/*
 * Socket memory charges (the protocol's pool and, inside it, the memory cgroup's): no tracepoint,
 * only fentry/fexit reach them, which some kernels refuse. sockleak loads these on their own and
 * says so when the kernel refuses. All of a socket's charges count against the stack of its first.
 */
SEC("fexit/__sk_mem_raise_allocated")
int BPF_PROG(sk_mem_raise, struct sock *sk, int size, int amt, int kind, int ret)
{
	struct attr_obj_key k = { .ptr = (__u64)sk, .space = ATTR_SKMEM };
	__u64 bytes = (__u64)amt << PAGE_SHIFT;
	struct attr_stack_val *v;
	struct attr_obj *o;

	if (!ret || amt <= 0)
		return 0;
	o = bpf_map_lookup_elem(&objs, &k);
	if (!o)
		return on_alloc(ctx, (__u64)sk, ATTR_SKMEM, ATTR_KEY_SKMEM, NULL, bytes, 0);
	__sync_fetch_and_add(&o->size, bytes);
	v = bpf_map_lookup_elem(&totals, &o->stack);
	if (v)
		__sync_fetch_and_add(&v->bytes, (__s64)bytes);
	return 0;
}

SEC("fentry/__sk_mem_reduce_allocated")
int BPF_PROG(sk_mem_reduce, struct sock *sk, int amount)
{
	struct attr_obj_key k = { .ptr = (__u64)sk, .space = ATTR_SKMEM };
	__u64 bytes = (__u64)amount << PAGE_SHIFT;
	struct attr_stack_val *v;
	struct attr_obj *o;

	o = bpf_map_lookup_elem(&objs, &k);
	if (!o || amount <= 0)
		return 0;
	if (o->size <= bytes)
		return on_free((__u64)sk, ATTR_SKMEM);
	__sync_fetch_and_sub(&o->size, bytes);
	v = bpf_map_lookup_elem(&totals, &o->stack);
	if (v)
		__sync_fetch_and_sub(&v->bytes, (__s64)bytes);
	return 0;
}

static __always_inline void count_state(struct attr_states *st, int v6, int state, int by)
{
	__u64 i = (__u64)state & (ATTR_TCP_STATES - 1);

	/* A 64-bit mask the verifier sees, rather than a 32-bit compare it loses track of. */
	if ((__u64)state != i)
		return;
	asm volatile("" : "+r"(i));
	i &= ATTR_TCP_STATES - 1;
	__sync_fetch_and_add(&st->n[v6 ? 1 : 0][i], by);
}

/* TCP sockets per state in every network namespace, so that the run's own costs no dump. */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(inet_sock_set_state, const struct sock *sk, const int oldstate, const int newstate)
{
	struct attr_states zero = {}, *st;
	__u64 cookie;
	int v6;

	/* Typed arguments: read directly, relocated by CO-RE. */
	if (sk->sk_protocol != IPPROTO_TCP)
		return 0;
	v6 = sk->__sk_common.skc_family == AF_INET6;
	cookie = sk->__sk_common.skc_net.net->net_cookie;
	st = bpf_map_lookup_elem(&states, &cookie);
	if (!st) {
		long err = bpf_map_update_elem(&states, &cookie, &zero, BPF_NOEXIST);

		if (err && err != -EEXIST) {
			__sync_fetch_and_add(&lost.states_full, 1);
			return 0;
		}
		st = bpf_map_lookup_elem(&states, &cookie);
		if (!st)
			return 0;
	}
	count_state(st, v6, oldstate, -1);
	count_state(st, v6, newstate, 1);
	return 0;
}

/* A process of the scope (a server sockleak started) brings its children along. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	__u8 one = 1;

	if (!follow_forks || ptgid == ctgid || !bpf_map_lookup_elem(&tgids, &ptgid))
		return 0;
	if (bpf_map_update_elem(&tgids, &ctgid, &one, BPF_ANY))
		__sync_fetch_and_add(&lost.scope_full, 1);
	return 0;
}
