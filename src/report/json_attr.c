/*
 * The JSON report's "attribution" object (--attribute): its tables, read by the writer and the
 * loader alike (report/jtab.h). An object schema 2 added: files without it have no attribution.
 */
#include "report/json_attr.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "common.h"
#include "report/json_tables.h"

static const char *alloc_at(unsigned i)
{
	return attr_alloc_name((enum attr_alloc)i);
}

static const char *reason_at(unsigned i)
{
	return attr_reason_name((enum attr_reason)i);
}

static const struct jt_names jn_alloc = { alloc_at, ALLOC_COUNT, "allocator",
					  "slab, page, percpu or skmem" };
/* A reason a newer sockleak adds reads as none: the verdict beside it is kept. */
static const struct jt_names jn_attr_reason = {
	reason_at, AR_COUNT, NULL, "a reason", false, true
};

/* ---- a stack's frames: an array of strings ---- */

static void write_frames(struct jw *w, const char *key, const void *base, const struct series *s)
{
	const struct attr_stack *st = base;
	size_t i;

	(void)s;
	jw_array(w, key, true);
	for (i = 0; i < st->nframes; i++)
		jw_str(w, NULL, st->frames[i]);
	jw_end(w);
}

static void read_frames(struct jt_reader *rd, json_t *v, const char *where, const char *key,
			void *base)
{
	struct attr_stack *st = base;
	json_t *fr;
	size_t i;

	if (!json_is_array(v)) {
		jt_bad(rd, where, key, "expected an array of strings");
		return;
	}
	json_array_foreach(v, i, fr) {
		if (!json_is_string(fr)) {
			jt_bad(rd, where, key, "expected an array of strings");
			return;
		}
		if (attr_stack_add_frame(st, json_string_value(fr))) {
			rd->err = -ENOMEM;
			return;
		}
	}
}

static void stack_init(void *base)
{
	struct attr_stack *st = base;

	st->mean_age = st->age_sd = st->objs_teardown = st->bytes_teardown = NAN;
}

#define R struct attr_stack
static const struct jfield stack_f[] = {
	JF_INT(R, "id", id, .min = ATTR_ID_UNWALKED, .max = INT32_MAX),
	JF_ENUM(R, "allocator", alloc, jn_alloc),
	JF_CHARS(R, "cache", cache),
	JF_STR(R, "note", cache_note, .flags = JF_NULLABLE),
	JF_ENUM(R, "verdict", verdict, jn_verdict),
	JF_ENUM(R, "reason", reason, jn_attr_reason),
	JF_NUM(R, "objects_per_cycle", objs_per_cycle),
	JF_NUM(R, "bytes_per_cycle", bytes_per_cycle),
	JF_NUM(R, "objects_kept", objs_end),
	JF_NUM(R, "bytes_kept", bytes_end),
	JF_NUM(R, "kept_pm", kept_pm, .flags = JF_OPTIONAL | JF_NONNEG),
	JF_NUM(R, "objects_after_teardown", objs_teardown),
	JF_NUM(R, "bytes_after_teardown", bytes_teardown),
	JF_NUM(R, "objects_peak", objs_peak),
	JF_NUM(R, "bytes_peak", bytes_peak),
	JF_NUM(R, "objects_at_start", objs_base),
	JF_NUM(R, "bytes_at_start", bytes_base),
	JF_NUM(R, "allocations", allocs, .flags = JF_NONNEG),
	JF_NUM(R, "frees", frees, .flags = JF_NONNEG),
	JF_NUM(R, "missed_frees", missed, .flags = JF_NONNEG),
	JF_NUM(R, "mean_age", mean_age, .flags = JF_UNIT),
	JF_NUM(R, "age_sd", age_sd, .flags = JF_UNIT),
	JF_NUM(R, "slope", slope),
	JF_NUM(R, "slope_lo", slope_lo),
	JF_NUM(R, "slope_hi", slope_hi),
	JF_NUM(R, "confidence", confidence, .flags = JF_UNIT),
	JF_BOOL(R, "slab_own", slab_own),
	JF_UINT(R, "allocator_frames", nalloc_frames),
	JF_CUSTOM("frames", write_frames, read_frames),
};
#undef R
static const struct jtable jt_stack = JT_TABLE(stack_f, struct attr_stack, false, stack_init);

/* ---- a figure's stacks: [{stack, share}] in parallel arrays ---- */

static void write_shares(struct jw *w, const char *key, const void *base, const struct series *s)
{
	const struct attr_figure *f = base;
	size_t k;

	(void)s;
	jw_array(w, key, true);
	for (k = 0; k < f->nstacks; k++) {
		jw_object(w, NULL, true);
		jw_int(w, "stack", (int64_t)f->stacks[k]);
		jw_num(w, "share", f->share[k]);
		jw_end(w);
	}
	jw_end(w);
}

static void read_shares(struct jt_reader *rd, json_t *v, const char *where, const char *key,
			void *base)
{
	struct attr_figure *f = base;
	json_t *item;
	size_t i;

	if (!json_is_array(v)) {
		jt_bad(rd, where, key, "expected an array");
		return;
	}
	f->stacks = calloc(json_array_size(v) + 1, sizeof(*f->stacks));
	f->share = calloc(json_array_size(v) + 1, sizeof(*f->share));
	if (!f->stacks || !f->share) {
		rd->err = -ENOMEM;
		return;
	}
	json_array_foreach(v, i, item) {
		json_t *k = json_object_get(item, "stack"), *sh = json_object_get(item, "share");

		if (!json_is_integer(k) || json_integer_value(k) < 0 || !json_is_number(sh)) {
			jt_bad(rd, where, key,
			       "expected {\"stack\": an index into attribution.stacks, \"share\"}");
			return;
		}
		f->stacks[i] = (size_t)json_integer_value(k);
		f->share[i] = json_number_value(sh);
		f->nstacks++;
	}
}

#define R struct attr_figure
static const struct jfield figure_f[] = {
	JF_COL(R, "metric", col),
	JF_ENUM(R, "verdict", verdict, jn_verdict),
	JF_NUM(R, "per_cycle", per_cycle),
	JF_BOOL(R, "bytes", bytes),
	JF_NUM(R, "explained", explained, .flags = JF_NONNEG),
	JF_CUSTOM("stacks", write_shares, read_shares),
};
#undef R
static const struct jtable jt_figure = JT_TABLE(figure_f, struct attr_figure, true, NULL);

#define R struct attr_source
static const struct jfield source_f[] = {
	JF_CHARS(R, "group", group),
	JF_CHARS(R, "name", name),
	JF_BOOL(R, "on", on),
	JF_CHARS(R, "why", why, .flags = JF_EMPTY_NULL | JF_NULLABLE),
};
#undef R
static const struct jtable jt_source = JT_TABLE(source_f, struct attr_source, true, NULL);

#define R struct attr_cache_count
static const struct jfield cache_f[] = {
	JF_CHARS(R, "cache", cache),
	JF_NUM(R, "inside", inside, .flags = JF_NONNEG),
	JF_NUM(R, "outside", outside, .flags = JF_NONNEG),
};
#undef R
static const struct jtable jt_cache = JT_TABLE(cache_f, struct attr_cache_count, true, NULL);

#define R struct attribution
static const struct jfield lost_f[] = {
	JF_NUM(R, "objects_full", lost.objs_full, .flags = JF_NONNEG),
	JF_NUM(R, "stacks_full", lost.stacks_full, .flags = JF_NONNEG),
	JF_NUM(R, "stack_collisions", lost.stack_collisions, .flags = JF_NONNEG),
	JF_NUM(R, "stack_errors", lost.stack_errors, .flags = JF_NONNEG),
	JF_NUM(R, "recursion_misses", lost.recursion_misses, .flags = JF_NONNEG),
	JF_NUM(R, "missed_frees", lost.missed_frees, .flags = JF_NONNEG),
	JF_NUM(R, "outside", lost.outside, .flags = JF_NONNEG),
	JF_NUM(R, "caches_full", lost.caches_full, .flags = JF_NONNEG),
	JF_NUM(R, "states_full", lost.states_full, .flags = JF_NONNEG),
	JF_NUM(R, "scope_full", lost.scope_full, .flags = JF_NONNEG),
};
static const struct jtable jt_lost = JT_TABLE(lost_f, struct attribution, true, NULL);

static const struct jfield attribution_f[] = {
	JF_BOOL(R, "on", on),
	JF_CHARS(R, "why", why, .flags = JF_EMPTY_NULL | JF_NULLABLE),
	JF_NUM(R, "cycles", cycles, .flags = JF_NONNEG),
	JF_NUM(R, "tracked_allocations", tracked_allocs, .flags = JF_NONNEG),
	JF_NUM(R, "sample_every", sample_every, .flags = JF_OPTIONAL | JF_NONNEG),
	JF_BOOL(R, "lost_any", lost_any),
	JF_UINT(R, "leak_stacks", nleak),
	JF_UINT(R, "backlog_stacks", nbacklog),
	JF_BOOL(R, "states", states),
	JF_NUM(R, "states_cost_us", states_cost_us, .flags = JF_NONNEG),
	JF_OBJECT("lost", jt_lost),
	JF_ARRAY(R, "sources", sources, nsources, jt_source),
	JF_ARRAY(R, "caches", caches, ncaches, jt_cache),
	/* Before the figures, which point into them. */
	JF_ARRAY(R, "stacks", stacks, nstacks, jt_stack),
	JF_ARRAY(R, "figures", figures, nfigures, jt_figure),
};
#undef R
static const struct jtable jt_attribution =
	JT_TABLE(attribution_f, struct attribution, false, NULL);

void report_json_attribution(struct jw *w, const struct series *s, const struct attribution *a)
{
	if (a && (a->on || a->why[0]))
		jt_write(w, "attribution", &jt_attribution, a, s);
}

int report_json_load_attribution(struct jt_reader *rd, json_t *o, struct attribution *a)
{
	size_t i, k;

	memset(a, 0, sizeof(*a));
	if (!json_is_object(o)) {
		jt_bad(rd, "", "attribution", "expected an object");
		return rd->err;
	}
	jt_read(rd, o, "attribution", &jt_attribution, a);
	for (i = 0; !rd->err && i < a->nstacks; i++)
		if (a->stacks[i].nalloc_frames > a->stacks[i].nframes)
			jt_bad(rd, "attribution.stacks", "allocator_frames",
			       "%zu, more than the stack's %zu frames", a->stacks[i].nalloc_frames,
			       a->stacks[i].nframes);
	for (i = 0; !rd->err && i < a->nfigures; i++)
		for (k = 0; k < a->figures[i].nstacks; k++)
			if (a->figures[i].stacks[k] >= a->nstacks) {
				jt_bad(rd, "attribution.figures", "stacks",
				       "stack %zu is past the %zu stacks", a->figures[i].stacks[k],
				       a->nstacks);
				break;
			}
	return rd->err;
}
