/*
 * From the loader's figures to the model: stacks symbolized once from /proc/kallsyms, caches named
 * as the pool-tag table names them (SLUB merges through /sys/kernel/slab), sources and losses.
 */
#ifdef SOCKLEAK_BPF

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attr/internal.h"
#include "attr/ksym.h"
#include "common.h"
#include "probe/parse.h"
#include "probe/probe.h"

/*
 * Innermost frames that belong to the allocator or to the tracing that reports it: folded in
 * reports, so a stack starts where the kernel asked for memory.
 */
static const char *const alloc_prefixes[] = {
	"bpf_",
	"__bpf_",
	"__traceiter_",
	"trace_",
	"perf_",
	"kmem_cache_alloc",
	"__kmem_cache_",
	"kmalloc",
	"__kmalloc",
	"kmalloc_",
	"slab_alloc",
	"__slab_alloc",
	"___slab_alloc",
	"__do_kmalloc",
	"kvmalloc",
	"__kvmalloc",
	"alloc_pages",
	"__alloc_pages",
	"alloc_frozen_pages",
	"__alloc_frozen_pages",
	"get_page_from_freelist",
	"allocate_slab",
	"new_slab",
	"alloc_slab_page",
	"pcpu_alloc",
	"__alloc_percpu",
	"alloc_percpu",
	"folio_alloc",
	"__folio_alloc",
	"alloc_pages_mpol",
	"__alloc_pages_noprof",
	"kmem_cache_alloc_noprof",
	"post_alloc_hook",
	"prep_new_page",
	"rmqueue",
	"__rmqueue",
	"kmalloc_reserve",
	"__sk_mem_raise_allocated",
	"kfree",
	"kmem_cache_free",
	"kvfree",
};

/* Frames that show slab growing one of its caches: its pages, its per-slab vectors. */
static const char *const slab_page_frames[] = { "allocate_slab", "new_slab", "alloc_slab_page" };

static bool has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

static bool alloc_frame(const char *fn)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(alloc_prefixes); i++)
		if (has_prefix(fn, alloc_prefixes[i]))
			return true;
	return false;
}

static bool slab_page_frame(const char *fn)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(slab_page_frames); i++)
		if (!strcmp(fn, slab_page_frames[i]))
			return true;
	return false;
}

/* Merged slab caches: each merged name and the cache slabinfo shows for it. */
struct alias_pair {
	char holder[64], merged[64];
};

struct aliases {
	struct alias_pair *v;
	size_t n;
	char *shown; /* /proc/slabinfo, to tell a cache slabinfo shows */
};

static int on_alias(void *arg, const char *holder, const char *merged)
{
	struct aliases *al = arg;
	struct alias_pair *q = realloc(al->v, (al->n + 1) * sizeof(*q));

	if (!q)
		return -ENOMEM;
	al->v = q;
	snprintf(q[al->n].holder, sizeof(q->holder), "%s", holder);
	snprintf(q[al->n].merged, sizeof(q->merged), "%s", merged);
	al->n++;
	return 0;
}

static void aliases_load(struct aliases *al)
{
	struct probe_ctx ctx = { .root = "" };
	struct probe_buf b;

	memset(al, 0, sizeof(*al));
	if (probe_buf_init(&b, 1 << 16))
		return;
	if (probe_read_path(&ctx, "/proc/slabinfo", &b) > 0) {
		slab_aliases("", b.p, on_alias, al);
		al->shown = b.p;
		return;
	}
	probe_buf_free(&b);
}

/* The name slabinfo shows for a cache (itself, or the cache it was merged into). */
static const char *holder_of(const struct aliases *al, const char *name)
{
	size_t i;

	for (i = 0; i < al->n; i++)
		if (!strcmp(al->v[i].merged, name))
			return al->v[i].holder;
	return name;
}

/* "merged: a, b", as the pool-tag table's note says it; NULL when nothing merged. */
static char *merged_note(const struct aliases *al, const char *holder)
{
	size_t i, len = 0;
	char *s = NULL;

	for (i = 0; i < al->n; i++) {
		size_t add;
		char *q;

		if (strcmp(al->v[i].holder, holder))
			continue;
		add = strlen(al->v[i].merged) + 10;
		if (!(q = realloc(s, len + add)))
			break;
		s = q;
		len += (size_t)snprintf(s + len, add, "%s%s",
					len ? ", " : "merged: ", al->v[i].merged);
	}
	return s;
}

/* kmalloc caches as slabinfo names them: "kmalloc-192", "kmalloc-cg-1k". */
static void size_name(char *buf, size_t size, const char *prefix, uint64_t bytes)
{
	if (bytes >= 1024 && bytes % 1024 == 0)
		snprintf(buf, size, "%s%lluk", prefix, (unsigned long long)(bytes / 1024));
	else
		snprintf(buf, size, "%s%llu", prefix, (unsigned long long)bytes);
}

/* The cache's name before merging is resolved. */
static void cache_name(struct attr *a, const struct attr_stack_key *k, char *buf, size_t size)
{
	int fd = bpf_map__fd(a->skel->maps.caches);
	struct attr_cache_val cv;

	switch (ATTR_KEY_KIND(k->cache)) {
	case ATTR_KEY_KMALLOC:
		size_name(buf, size,
			  k->cache & ATTR_KMALLOC_CG  ? "kmalloc-cg-" :
			  k->cache & ATTR_KMALLOC_RCL ? "kmalloc-rcl-" :
							"kmalloc-",
			  k->cache & 0xffffffffULL);
		return;
	case ATTR_KEY_PAGE:
		snprintf(buf, size, "pages");
		return;
	case ATTR_KEY_PERCPU:
		snprintf(buf, size, "percpu");
		return;
	case ATTR_KEY_SKMEM:
		snprintf(buf, size, "socket charges");
		return;
	default:
		if (!bpf_map_lookup_elem(fd, &k->cache, &cv) && cv.name[0])
			snprintf(buf, size, "%.*s", (int)sizeof(cv.name), cv.name);
		else
			snprintf(buf, size, "?");
	}
}

static int add_frames(struct attr *a, const struct ksyms *ks, struct attr_stack *st)
{
	__u64 ips[ATTR_STACK_DEPTH];
	char buf[256];
	bool folding = true;
	size_t i;
	int err;

	if (st->id < 0 || bpf_map_lookup_elem(bpf_map__fd(a->skel->maps.stacks), &st->id, ips))
		return 0;
	for (i = 0; i < ATTR_STACK_DEPTH && ips[i]; i++) {
		uint64_t off;
		const char *mod, *fn = ks ? ksyms_find(ks, ips[i], &off, &mod) : NULL;

		if (fn && slab_page_frame(fn))
			st->slab_own = true;
		if (folding && fn && alloc_frame(fn))
			st->nalloc_frames++;
		else
			folding = false;
		if ((err = attr_stack_add_frame(st, ksyms_format(ks, ips[i], buf, sizeof(buf)))))
			return err;
	}
	/* All of it inside the allocator: show it whole. */
	if (st->nalloc_frames == st->nframes)
		st->nalloc_frames = 0;
	return 0;
}

static bool moved(const struct raw *r, size_t n)
{
	size_t i;

	if (r->last.objs || r->last.bytes)
		return true;
	for (i = 0; i < n; i++)
		if (r->objs[i] || r->bytes[i])
			return true;
	return false;
}

static double *dup_row(const double *v, size_t n)
{
	double *q = malloc((n ? n : 1) * sizeof(double));

	if (q)
		memcpy(q, v, n * sizeof(double));
	return q;
}

static int add_stack(struct attr *a, struct attribution *out, const struct raw *r,
		     const struct ksyms *ks, const struct aliases *al)
{
	struct attr_stack *st;
	char name[64];
	const char *holder;
	int err;

	if ((err = attribution_add_stack(out, &st)))
		return err;
	st->id = r->key.stack_id;
	st->site = r->key.site;
	st->alloc = r->key.space < ALLOC_COUNT ? (enum attr_alloc)r->key.space : ALLOC_SLAB;
	cache_name(a, &r->key, name, sizeof(name));
	holder = st->alloc == ALLOC_SLAB ? holder_of(al, name) : name;
	snprintf(st->cache, sizeof(st->cache), "%s", holder);
	if (st->alloc == ALLOC_SLAB)
		st->cache_note = merged_note(al, holder);
	st->allocs = (double)r->last.allocs;
	st->frees = (double)r->last.frees;
	st->missed = (double)r->last.missed;
	st->mean_age = st->age_sd = NAN;
	st->objs_teardown = st->bytes_teardown = NAN;
	if (!(st->objs = dup_row(r->objs, a->nsnaps)) ||
	    !(st->bytes = dup_row(r->bytes, a->nsnaps)) ||
	    !(st->age_sum = dup_row(r->age_sum, a->nsnaps)) ||
	    !(st->age_sq = dup_row(r->age_sq, a->nsnaps)))
		return -ENOMEM;
	return add_frames(a, ks, st);
}

static const char *const group_names[G_COUNT] = {
	[G_SLAB] = "slab",	   [G_PAGE] = "pages",
	[G_PERCPU] = "per-CPU",	   [G_SKMEM] = "socket charges",
	[G_STATES] = "TCP states", [G_FORK] = "forks",
};

int attr_sources(const struct attr *a, struct attr_source **out, size_t *n)
{
	struct attr_source *v = calloc(ATTR_NSRC, sizeof(*v));
	size_t i;

	*out = v;
	*n = v ? ATTR_NSRC : 0;
	if (!v)
		return -ENOMEM;
	for (i = 0; i < ATTR_NSRC; i++) {
		snprintf(v[i].group, sizeof(v[i].group), "%s", group_names[attr_srcs[i].group]);
		snprintf(v[i].name, sizeof(v[i].name), "%s", attr_srcs[i].name);
		v[i].on = a->attached[i];
		snprintf(v[i].why, sizeof(v[i].why), "%s", v[i].on ? "" : a->why[i]);
	}
	return 0;
}

static double recursion_misses(struct attr *a)
{
	double n = 0;
	size_t i;

	for (i = 0; i < ATTR_NSRC; i++) {
		struct attribute_bpf *s = attr_srcs[i].fentry ? a->charges : a->skel;
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		if (!s || !a->loaded[i])
			continue;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(bpf_program__fd(attr_prog(s, i)), &info, &len))
			n += (double)info.recursion_misses;
	}
	return n;
}

static int add_caches(struct attr *a, struct attribution *out, const struct aliases *al)
{
	int fd = bpf_map__fd(a->skel->maps.caches);
	__u64 key, *prev = NULL;
	struct attr_cache_val cv;

	while (!bpf_map_get_next_key(fd, prev, &key)) {
		struct attr_stack_key k = { .cache = key };
		struct attr_cache_count *q;
		char name[64];

		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &cv))
			continue;
		q = realloc(out->caches, (out->ncaches + 1) * sizeof(*q));
		if (!q)
			return -ENOMEM;
		out->caches = q;
		q = &q[out->ncaches++];
		memset(q, 0, sizeof(*q));
		cache_name(a, &k, name, sizeof(name));
		snprintf(q->cache, sizeof(q->cache), "%s", holder_of(al, name));
		q->outside = (double)cv.outside;
		for (size_t i = 0; i < a->nraw; i++)
			if (a->raw[i].key.cache == key)
				q->inside += (double)a->raw[i].last.allocs;
	}
	return 0;
}

int attr_collect(struct attr *a, struct attribution *out)
{
	const struct attr_counters *l = &a->skel->bss->lost;
	struct ksyms *ks = NULL;
	struct aliases al;
	size_t i;
	int err;

	memset(out, 0, sizeof(*out));
	attr_stop(a);
	out->on = true;
	out->sample_every = a->sample_every;
	err = ksyms_load("/proc/kallsyms", &ks);
	if (err)
		snprintf(
			out->why, sizeof(out->why),
			"kernel symbols unreadable (/proc/kallsyms: %s): stacks shown as addresses",
			strerror(-err));
	aliases_load(&al);
	out->lost.objs_full = (double)l->objs_full;
	out->lost.stacks_full = (double)l->stacks_full;
	out->lost.stack_collisions = (double)l->stack_eexist;
	out->lost.stack_errors = (double)l->stack_err;
	out->lost.missed_frees = (double)l->missed_free;
	out->lost.outside = (double)l->outside;
	out->lost.caches_full = (double)l->caches_full;
	out->lost.states_full = (double)l->states_full;
	out->lost.scope_full = (double)l->scope_full;
	out->lost.recursion_misses = recursion_misses(a);
	out->lost_any = out->lost.objs_full || out->lost.stacks_full ||
			out->lost.stack_collisions || out->lost.stack_errors ||
			out->lost.recursion_misses || out->lost.caches_full;
	out->states_cost_us = a->states_n ? a->states_us / (double)a->states_n : NAN;

	out->snaps = malloc((a->nsnaps ? a->nsnaps : 1) * sizeof(*out->snaps));
	if (!out->snaps) {
		err = -ENOMEM;
		goto out;
	}
	memcpy(out->snaps, a->snaps, a->nsnaps * sizeof(*out->snaps));
	out->nsnaps = a->nsnaps;
	if ((err = attr_sources(a, &out->sources, &out->nsources)) ||
	    (err = add_caches(a, out, &al)))
		goto out;
	for (i = 0; i < a->nraw && !err; i++) {
		out->tracked_allocs += (double)a->raw[i].last.allocs;
		if (moved(&a->raw[i], a->nsnaps))
			err = add_stack(a, out, &a->raw[i], ks, &al);
	}
out:
	ksyms_free(ks);
	free(al.v);
	free(al.shown);
	return err;
}

#endif /* SOCKLEAK_BPF */
