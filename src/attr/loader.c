/*
 * --attribute's user space: loads bpf/attribute.bpf.c through its libbpf skeleton, attaches the
 * sources this kernel has, keeps the scope, reads the per-stack totals at snapshots and hands the
 * model its stacks. Builds without eBPF (no BTF, clang or libbpf) say why at run time instead.
 */
#include "attr/attr.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#ifdef SOCKLEAK_BPF

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

#include "attr/ksym.h"
#include "attr/internal.h"

bool attr_built(char *why, size_t size)
{
	if (size)
		why[0] = '\0';
	return true;
}

const struct src attr_srcs[ATTR_NSRC] = {
	{ "kmem_cache_alloc", G_SLAB, false, false },
	{ "kmalloc", G_SLAB, false, false },
	{ "kmem_cache_free", G_SLAB, true, false },
	{ "kfree", G_SLAB, true, false },
	{ "mm_page_alloc", G_PAGE, false, false },
	{ "mm_page_free", G_PAGE, true, false },
	{ "mm_page_free_batched", G_PAGE, false, false },
	{ "percpu_alloc_percpu", G_PERCPU, false, false },
	{ "percpu_free_percpu", G_PERCPU, true, false },
	{ "__sk_mem_raise_allocated", G_SKMEM, false, true },
	{ "__sk_mem_reduce_allocated", G_SKMEM, true, true },
	{ "inet_sock_set_state", G_STATES, false, false },
	{ "sched_process_fork", G_FORK, false, false },
};

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap) SL_PRINTF(2, 0);

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf's own log is for debugging the loader: SOCKLEAK_BPF_DEBUG=1 shows it. */
	if (level == LIBBPF_DEBUG || !getenv("SOCKLEAK_BPF_DEBUG"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

struct bpf_program *attr_prog(struct attribute_bpf *s, size_t i)
{
	struct bpf_program *const p[ATTR_NSRC] = {
		s->progs.kmem_cache_alloc,     s->progs.kmalloc,
		s->progs.kmem_cache_free,      s->progs.kfree,
		s->progs.mm_page_alloc,	       s->progs.mm_page_free,
		s->progs.mm_page_free_batched, s->progs.percpu_alloc_percpu,
		s->progs.percpu_free_percpu,   s->progs.sk_mem_raise,
		s->progs.sk_mem_reduce,	       s->progs.inet_sock_set_state,
		s->progs.sched_process_fork,
	};

	return p[i];
}

/* Whether this kernel has the source: a tracepoint's BTF type, or a traceable function. */
static bool kernel_has(const struct btf *vm, const struct src *s)
{
	char name[96];

	if (s->fentry)
		return btf__find_by_name_kind(vm, s->name, BTF_KIND_FUNC) > 0;
	snprintf(name, sizeof(name), "btf_trace_%s", s->name);
	return btf__find_by_name_kind(vm, name, BTF_KIND_TYPEDEF) > 0;
}

static const char *errtext(int err)
{
	return err == -EPERM || err == -EACCES ? "refused" : strerror(-err);
}

/* A group whose free events are missing would call every object leaked: it stays off. */
static void drop_half_groups(struct attr *a)
{
	size_t i, k;

	for (i = 0; i < ATTR_NSRC; i++) {
		if (!attr_srcs[i].free || a->loaded[i])
			continue;
		for (k = 0; k < ATTR_NSRC; k++)
			if (attr_srcs[k].group == attr_srcs[i].group && a->loaded[k]) {
				a->loaded[k] = false;
				snprintf(a->why[k], sizeof(a->why[k]), "off: %s is missing",
					 attr_srcs[i].name);
			}
	}
}

static int open_skel(struct attr *a, const struct attr_opts *o, const struct btf *vm)
{
	struct attribute_bpf *s = attribute_bpf__open();
	size_t i;
	int err;

	if (!s)
		return -errno ? -errno : -ENOMEM;
	a->skel = s;
	bpf_map__set_max_entries(
		s->maps.objs, (uint32_t)(o->max_objects ? o->max_objects : ATTR_DEFAULT_OBJECTS));
	bpf_map__set_max_entries(s->maps.totals, a->max_stacks);
	bpf_map__set_max_entries(s->maps.stacks, a->max_stacks);
	for (i = 0; i < ATTR_NSRC; i++) {
		a->loaded[i] = !attr_srcs[i].fentry && kernel_has(vm, &attr_srcs[i]);
		if (!attr_srcs[i].fentry && !a->loaded[i])
			snprintf(a->why[i], sizeof(a->why[i]), "not in this kernel");
	}
	drop_half_groups(a);
	for (i = 0; i < ATTR_NSRC; i++)
		bpf_program__set_autoload(attr_prog(s, i), a->loaded[i]);
	err = attribute_bpf__load(s);
	return err ? (errno ? -errno : err) : 0;
}

/*
 * Socket charges have no tracepoint: fentry/fexit programs, which some kernels refuse at load.
 * They go in an object of their own that shares every map with the main one.
 */
static void open_charges(struct attr *a, const struct btf *vm)
{
	struct attribute_bpf *c;
	struct bpf_map *m, *m2;
	size_t i;
	int err = 0;

	for (i = 0; i < ATTR_NSRC; i++)
		if (attr_srcs[i].fentry && !kernel_has(vm, &attr_srcs[i])) {
			snprintf(a->why[i], sizeof(a->why[i]), "not traceable on this kernel");
			return;
		}
	c = attribute_bpf__open();
	if (!c) {
		err = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < ATTR_NSRC; i++)
		bpf_program__set_autoload(attr_prog(c, i), attr_srcs[i].fentry);
	m2 = NULL;
	bpf_object__for_each_map(m, c->obj)
	{
		m2 = bpf_object__find_map_by_name(a->skel->obj, bpf_map__name(m));
		if (m2 && (err = bpf_map__reuse_fd(m, bpf_map__fd(m2))))
			goto fail;
	}
	err = attribute_bpf__load(c);
	if (err) {
		err = errno ? -errno : err;
		goto fail;
	}
	a->charges = c;
	for (i = 0; i < ATTR_NSRC; i++)
		if (attr_srcs[i].fentry)
			a->loaded[i] = true;
	return;
fail:
	attribute_bpf__destroy(c);
	for (i = 0; i < ATTR_NSRC; i++)
		if (attr_srcs[i].fentry)
			snprintf(a->why[i], sizeof(a->why[i]),
				 "not traceable on this kernel (fentry %s)", errtext(err));
}

int attr_open(const struct attr_opts *o, struct attr **out, char *why, size_t size)
{
	struct attr *a;
	struct btf *vm;
	int err;

	*out = NULL;
	libbpf_set_print(quiet_print);
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		snprintf(why, size, "this kernel has no BTF (/sys/kernel/btf/vmlinux)");
		return -ENOENT;
	}
	if (!sl_is_root()) {
		snprintf(why, size, "needs root (eBPF tracing: CAP_BPF and CAP_PERFMON)");
		return -EPERM;
	}
	vm = btf__load_vmlinux_btf();
	if (!vm) {
		err = -errno;
		snprintf(why, size, "cannot read the kernel's BTF: %s", strerror(-err));
		return err;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		btf__free(vm);
		return -ENOMEM;
	}
	a->quiet = o->quiet;
	a->max_stacks = (uint32_t)(o->max_stacks ? o->max_stacks : ATTR_DEFAULT_STACKS);
	a->snap_every = ATTR_SNAP_SECONDS;
	a->sample_every = o->sample_every ? o->sample_every : 1;
	err = open_skel(a, o, vm);
	if (err) {
		if (err == -EACCES)
			snprintf(why, size,
				 "the kernel's BPF verifier refused the programs "
				 "(SOCKLEAK_BPF_DEBUG=1 shows its log)");
		else
			snprintf(why, size, "cannot load the eBPF programs: %s%s", strerror(-err),
				 err == -EPERM ? " (BPF restricted here: lockdown, a seccomp "
						 "profile, or missing CAP_BPF/CAP_PERFMON)" :
						 "");
		goto fail;
	}
	if (!a->skel->bss) {
		err = -ENOTSUP;
		snprintf(why, size, "the kernel cannot map BPF globals (BPF_F_MMAPABLE)");
		goto fail;
	}
	open_charges(a, vm);
	for (a->nslot = 1; a->nslot < 2 * (size_t)a->max_stacks; a->nslot *= 2)
		;
	a->slot = calloc(a->nslot, sizeof(*a->slot));
	a->raw = calloc(a->max_stacks, sizeof(*a->raw));
	a->kbuf = calloc(a->max_stacks, sizeof(*a->kbuf));
	a->ncpus = libbpf_num_possible_cpus();
	if (a->ncpus < 1) {
		err = a->ncpus < 0 ? a->ncpus : -EINVAL;
		snprintf(why, size, "cannot count the possible CPUs: %s", strerror(-err));
		goto fail;
	}
	a->vbuf = calloc((size_t)a->max_stacks * (size_t)a->ncpus, sizeof(*a->vbuf));
	a->snaps = calloc(SNAP_CAP, sizeof(*a->snaps));
	if (!a->slot || !a->raw || !a->kbuf || !a->vbuf || !a->snaps) {
		err = -ENOMEM;
		snprintf(why, size, "out of memory");
		goto fail;
	}
	btf__free(vm);
	*out = a;
	return 0;
fail:
	btf__free(vm);
	attr_close(a);
	return err;
}

int attr_start(struct attr *a, char *why, size_t size)
{
	size_t i, allocs = 0;

	for (i = 0; i < ATTR_NSRC; i++) {
		struct attribute_bpf *s = attr_srcs[i].fentry ? a->charges : a->skel;
		long err;

		if (!a->loaded[i] || !s)
			continue;
		a->links[i] = bpf_program__attach(attr_prog(s, i));
		err = libbpf_get_error(a->links[i]);
		if (err) {
			a->links[i] = NULL;
			snprintf(a->why[i], sizeof(a->why[i]), "cannot attach: %s",
				 errtext((int)err));
			continue;
		}
		a->attached[i] = true;
		allocs += !attr_srcs[i].free && attr_srcs[i].group <= G_SKMEM;
	}
	if (!allocs) {
		snprintf(why, size, "no allocation event of this kernel could be traced");
		return -ENOENT;
	}
	a->skel->bss->sample_every = a->sample_every;
	a->skel->bss->armed = 1;
	return 0;
}

int attr_scope_tid(struct attr *a, pid_t tid)
{
	uint32_t k = (uint32_t)tid;
	uint8_t one = 1;

	if (!a)
		return -EINVAL;
	return bpf_map_update_elem(bpf_map__fd(a->skel->maps.tids), &k, &one, BPF_ANY) ? -errno : 0;
}

int attr_scope_process(struct attr *a, pid_t pid, bool children)
{
	uint32_t k = (uint32_t)pid;
	uint8_t one = 1;

	if (!a)
		return -EINVAL;
	if (children)
		a->skel->bss->follow_forks = 1;
	if (bpf_map_update_elem(bpf_map__fd(a->skel->maps.tgids), &k, &one, BPF_ANY))
		return -errno;
	a->skel->bss->have_tgids = 1;
	return 0;
}

static uint64_t key_hash(const struct attr_stack_key *k)
{
	uint64_t h = (uint64_t)(uint32_t)k->stack_id * 0x9e3779b97f4a7c15ULL;

	h ^= (k->cache + k->space + k->site * 31) * 0xc2b2ae3d27d4eb4fULL;
	return h ^ (h >> 29);
}

/* The raw entry of a key, added (samples back-filled with 0) on first sight. */
static struct raw *raw_of(struct attr *a, const struct attr_stack_key *k)
{
	size_t i = key_hash(k) & (a->nslot - 1);
	struct raw *r;

	for (;; i = (i + 1) & (a->nslot - 1)) {
		if (!a->slot[i])
			break;
		r = &a->raw[a->slot[i] - 1];
		if (r->key.stack_id == k->stack_id && r->key.space == k->space &&
		    r->key.cache == k->cache && r->key.site == k->site)
			return r;
	}
	if (a->nraw >= a->max_stacks)
		return NULL;
	r = &a->raw[a->nraw];
	r->key = *k;
	r->objs = calloc(SNAP_CAP, sizeof(double));
	r->bytes = calloc(SNAP_CAP, sizeof(double));
	r->age_sum = calloc(SNAP_CAP, sizeof(double));
	r->age_sq = calloc(SNAP_CAP, sizeof(double));
	if (!r->objs || !r->bytes || !r->age_sum || !r->age_sq) {
		free(r->objs);
		free(r->bytes);
		free(r->age_sum);
		free(r->age_sq);
		return NULL;
	}
	a->slot[i] = (uint32_t)++a->nraw;
	return r;
}

/* Every other row goes, but for each phase's first: the decision needs those. */
static void thin(struct attr *a)
{
	size_t i, k = 0, j;

	for (i = 0; i < a->nsnaps; i++) {
		bool first = !i || a->snaps[i].phase != a->snaps[i - 1].phase;

		if (!first && i % 2 && i + 1 != a->nsnaps)
			continue;
		a->snaps[k] = a->snaps[i];
		for (j = 0; j < a->nraw; j++) {
			a->raw[j].objs[k] = a->raw[j].objs[i];
			a->raw[j].bytes[k] = a->raw[j].bytes[i];
			a->raw[j].age_sum[k] = a->raw[j].age_sum[i];
			a->raw[j].age_sq[k] = a->raw[j].age_sq[i];
		}
		k++;
	}
	a->nsnaps = k;
	a->snap_every *= 2;
}

/* A stack's totals over the CPUs' slots (a slot alone may be negative: freed elsewhere). */
static void sum_cpus(struct attr_stack_val *sum, const struct attr_stack_val *v, int n)
{
	int c;

	memset(sum, 0, sizeof(*sum));
	for (c = 0; c < n; c++) {
		sum->objs += v[c].objs;
		sum->bytes += v[c].bytes;
		sum->allocs += v[c].allocs;
		sum->frees += v[c].frees;
		sum->missed += v[c].missed;
		sum->sum_cycle += v[c].sum_cycle;
		sum->sum_sq += v[c].sum_sq;
	}
}

static void snapshot(struct attr *a, double t, uint64_t cycles, enum phase ph)
{
	int fd = bpf_map__fd(a->skel->maps.totals);
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	uint32_t out = 0, count, n = 0;
	void *in = NULL;
	size_t i, row;
	int err;

	if (a->nsnaps == SNAP_CAP)
		thin(a);
	row = a->nsnaps;
	/* One batch for the whole map: a few thousand entries, one syscall. */
	do {
		count = a->max_stacks - n;
		err = bpf_map_lookup_batch(fd, in, &out, a->kbuf + n,
					   a->vbuf + (size_t)n * (size_t)a->ncpus, &count, &opts);
		n += count;
		in = &out;
	} while (!err && n < a->max_stacks);
	for (i = 0; i < a->nraw; i++)
		a->raw[i].objs[row] = a->raw[i].bytes[row] = a->raw[i].age_sum[row] =
			a->raw[i].age_sq[row] = 0;
	for (i = 0; i < n; i++) {
		struct raw *r = raw_of(a, &a->kbuf[i]);

		if (!r)
			continue;
		sum_cpus(&r->last, a->vbuf + i * (size_t)a->ncpus, a->ncpus);
		r->objs[row] = (double)r->last.objs;
		r->bytes[row] = (double)r->last.bytes;
		r->age_sum[row] = (double)r->last.sum_cycle;
		r->age_sq[row] = (double)r->last.sum_sq * (double)(1 << (2 * ATTR_SQ_SHIFT));
	}
	a->snaps[row].t = t;
	a->snaps[row].cycles = (double)cycles;
	a->snaps[row].phase = ph;
	a->nsnaps++;
	a->next_snap = t + a->snap_every;
}

void attr_tick(struct attr *a, double t, uint64_t cycles, enum phase ph)
{
	if (!a)
		return;
	a->skel->bss->cycle = cycles;
	if (t >= a->next_snap)
		snapshot(a, t, cycles, ph);
}

void attr_mark(struct attr *a, double t, uint64_t cycles, enum phase ph)
{
	if (!a)
		return;
	a->skel->bss->cycle = cycles;
	snapshot(a, t, cycles, ph);
}

int attr_tcp_states(struct attr *a, uint64_t cookie, int64_t out[2][16])
{
	struct attr_states st;
	double t0 = sl_now();
	int err = 0;

	if (!a)
		return -EINVAL;
	if (bpf_map_lookup_elem(bpf_map__fd(a->skel->maps.states), &cookie, &st))
		err = errno == ENOENT ? -ENOENT : -errno;
	else
		memcpy(out, st.n, sizeof(st.n));
	a->states_us += (sl_now() - t0) * 1e6;
	a->states_n++;
	return err;
}

void attr_stop(struct attr *a)
{
	size_t i;

	if (!a)
		return;
	a->skel->bss->armed = 0;
	for (i = 0; i < ATTR_NSRC; i++) {
		bpf_link__destroy(a->links[i]);
		a->links[i] = NULL;
	}
}

void attr_close(struct attr *a)
{
	size_t i;

	if (!a)
		return;
	attr_stop(a);
	attribute_bpf__destroy(a->charges);
	attribute_bpf__destroy(a->skel);
	for (i = 0; i < a->nraw; i++) {
		free(a->raw[i].objs);
		free(a->raw[i].bytes);
		free(a->raw[i].age_sum);
		free(a->raw[i].age_sq);
	}
	free(a->raw);
	free(a->slot);
	free(a->kbuf);
	free(a->vbuf);
	free(a->snaps);
	free(a);
}

#endif /* SOCKLEAK_BPF */
