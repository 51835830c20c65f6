/*
 * The JSON report's "attribution" object (--attribute), written and read through one field table
 * per struct, so that what is written is what is read back.
 */
#include "report/json_attr.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

enum af_type {
	AF_NUM, /* double; NaN is null */
	AF_INT, /* int */
	AF_SIZE, /* size_t */
	AF_BOOL,
	AF_CHARS, /* char[size] */
	AF_STR, /* char *, NULL is null */
	AF_ENUM, /* an enum by name: names/nnames */
};

struct afield {
	const char *key;
	size_t off;
	enum af_type type;
	size_t size;
	const char *(*name)(unsigned i); /* AF_ENUM */
	unsigned nnames;
};

#define AF(st, k, fld, t)                                                \
	{                                                                \
		k, offsetof(st, fld), t, sizeof(((st *)0)->fld), NULL, 0 \
	}
#define AF_E(st, k, fld, fn, n)                                   \
	{                                                         \
		k, offsetof(st, fld), AF_ENUM, sizeof(int), fn, n \
	}

static const char *verdict_of(unsigned i)
{
	return verdict_name((enum verdict)i);
}

static const char *alloc_of(unsigned i)
{
	return attr_alloc_name((enum attr_alloc)i);
}

static const char *reason_of(unsigned i)
{
	return attr_reason_name((enum attr_reason)i);
}

#define STK struct attr_stack
static const struct afield stack_fields[] = {
	AF(STK, "id", id, AF_INT),
	AF_E(STK, "allocator", alloc, alloc_of, ALLOC_COUNT),
	AF(STK, "cache", cache, AF_CHARS),
	AF(STK, "note", cache_note, AF_STR),
	AF_E(STK, "verdict", verdict, verdict_of, VERDICT_COUNT),
	AF_E(STK, "reason", reason, reason_of, AR_COUNT),
	AF(STK, "objects_per_cycle", objs_per_cycle, AF_NUM),
	AF(STK, "bytes_per_cycle", bytes_per_cycle, AF_NUM),
	AF(STK, "objects_kept", objs_end, AF_NUM),
	AF(STK, "bytes_kept", bytes_end, AF_NUM),
	AF(STK, "objects_after_teardown", objs_teardown, AF_NUM),
	AF(STK, "bytes_after_teardown", bytes_teardown, AF_NUM),
	AF(STK, "objects_peak", objs_peak, AF_NUM),
	AF(STK, "bytes_peak", bytes_peak, AF_NUM),
	AF(STK, "objects_at_start", objs_base, AF_NUM),
	AF(STK, "bytes_at_start", bytes_base, AF_NUM),
	AF(STK, "allocations", allocs, AF_NUM),
	AF(STK, "frees", frees, AF_NUM),
	AF(STK, "missed_frees", missed, AF_NUM),
	AF(STK, "mean_age", mean_age, AF_NUM),
	AF(STK, "age_sd", age_sd, AF_NUM),
	AF(STK, "slope", slope, AF_NUM),
	AF(STK, "slope_lo", slope_lo, AF_NUM),
	AF(STK, "slope_hi", slope_hi, AF_NUM),
	AF(STK, "confidence", confidence, AF_NUM),
	AF(STK, "slab_own", slab_own, AF_BOOL),
	AF(STK, "allocator_frames", nalloc_frames, AF_SIZE),
};
#undef STK

#define LST struct attr_lost
static const struct afield lost_fields[] = {
	AF(LST, "objects_full", objs_full, AF_NUM),
	AF(LST, "stacks_full", stacks_full, AF_NUM),
	AF(LST, "stack_collisions", stack_collisions, AF_NUM),
	AF(LST, "stack_errors", stack_errors, AF_NUM),
	AF(LST, "recursion_misses", recursion_misses, AF_NUM),
	AF(LST, "missed_frees", missed_frees, AF_NUM),
	AF(LST, "outside", outside, AF_NUM),
	AF(LST, "caches_full", caches_full, AF_NUM),
	AF(LST, "states_full", states_full, AF_NUM),
	AF(LST, "scope_full", scope_full, AF_NUM),
};
#undef LST

#define SRC struct attr_source
static const struct afield source_fields[] = {
	AF(SRC, "group", group, AF_CHARS),
	AF(SRC, "name", name, AF_CHARS),
	AF(SRC, "on", on, AF_BOOL),
	AF(SRC, "why", why, AF_CHARS),
};
#undef SRC

#define CC struct attr_cache_count
static const struct afield cache_fields[] = {
	AF(CC, "cache", cache, AF_CHARS),
	AF(CC, "inside", inside, AF_NUM),
	AF(CC, "outside", outside, AF_NUM),
};
#undef CC

#define FIG struct attr_figure
static const struct afield figure_fields[] = {
	AF_E(FIG, "verdict", verdict, verdict_of, VERDICT_COUNT),
	AF(FIG, "per_cycle", per_cycle, AF_NUM),
	AF(FIG, "bytes", bytes, AF_BOOL),
	AF(FIG, "explained", explained, AF_NUM),
};
#undef FIG

#define ATT struct attribution
static const struct afield top_fields[] = {
	AF(ATT, "on", on, AF_BOOL),
	AF(ATT, "why", why, AF_CHARS),
	AF(ATT, "cycles", cycles, AF_NUM),
	AF(ATT, "tracked_allocations", tracked_allocs, AF_NUM),
	AF(ATT, "lost_any", lost_any, AF_BOOL),
	AF(ATT, "leak_stacks", nleak, AF_SIZE),
	AF(ATT, "backlog_stacks", nbacklog, AF_SIZE),
	AF(ATT, "states", states, AF_BOOL),
	AF(ATT, "states_cost_us", states_cost_us, AF_NUM),
};
#undef ATT

#define NF(t) (sizeof(t) / sizeof((t)[0]))

static void write_fields(struct jw *w, const struct afield *f, size_t n, const void *base)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *p = (const char *)base + f[i].off;

		switch (f[i].type) {
		case AF_NUM:
			jw_num(w, f[i].key, *(const double *)p);
			break;
		case AF_INT:
			jw_int(w, f[i].key, *(const int *)p);
			break;
		case AF_SIZE:
			jw_int(w, f[i].key, (int64_t) * (const size_t *)p);
			break;
		case AF_BOOL:
			jw_bool(w, f[i].key, *(const bool *)p);
			break;
		case AF_CHARS:
			jw_str(w, f[i].key, *p ? p : NULL);
			break;
		case AF_STR:
			jw_str(w, f[i].key, *(char *const *)p);
			break;
		case AF_ENUM:
			jw_str(w, f[i].key, f[i].name((unsigned)*(const int *)p));
			break;
		}
	}
}

void report_json_attribution(struct jw *w, const struct series *s, const struct attribution *a)
{
	size_t i, k;

	if (!a || (!a->on && !a->why[0]))
		return;
	jw_object(w, "attribution", false);
	write_fields(w, top_fields, NF(top_fields), a);
	jw_object(w, "lost", true);
	write_fields(w, lost_fields, NF(lost_fields), &a->lost);
	jw_end(w);
	jw_array(w, "sources", false);
	for (i = 0; i < a->nsources; i++) {
		jw_object(w, NULL, true);
		write_fields(w, source_fields, NF(source_fields), &a->sources[i]);
		jw_end(w);
	}
	jw_end(w);
	jw_array(w, "caches", false);
	for (i = 0; i < a->ncaches; i++) {
		jw_object(w, NULL, true);
		write_fields(w, cache_fields, NF(cache_fields), &a->caches[i]);
		jw_end(w);
	}
	jw_end(w);
	jw_array(w, "figures", false);
	for (i = 0; i < a->nfigures; i++) {
		const struct attr_figure *f = &a->figures[i];

		jw_object(w, NULL, true);
		jw_str(w, "metric",
		       f->col >= 0 && (size_t)f->col < s->ncols ? s->cols[f->col].name : NULL);
		write_fields(w, figure_fields, NF(figure_fields), f);
		jw_array(w, "stacks", true);
		for (k = 0; k < f->nstacks; k++) {
			jw_object(w, NULL, true);
			jw_int(w, "stack", (int64_t)f->stacks[k]);
			jw_num(w, "share", f->share[k]);
			jw_end(w);
		}
		jw_end(w);
		jw_end(w);
	}
	jw_end(w);
	jw_array(w, "stacks", false);
	for (i = 0; i < a->nstacks; i++) {
		const struct attr_stack *st = &a->stacks[i];

		jw_object(w, NULL, false);
		write_fields(w, stack_fields, NF(stack_fields), st);
		jw_array(w, "frames", true);
		for (k = 0; k < st->nframes; k++)
			jw_str(w, NULL, st->frames[k]);
		jw_end(w);
		jw_end(w);
	}
	jw_end(w);
	jw_end(w);
}

/* ---- loader ---- */

struct ard {
	const char *path;
	int err;
};

static void __attribute__((format(printf, 4, 5)))
bad(struct ard *rd, const char *where, const char *key, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (rd->err)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sl_err("%s: %s%s%s: %s", rd->path, where, key ? "." : "", key ? key : "", msg);
	rd->err = -EINVAL;
}

static void read_fields(struct ard *rd, json_t *o, const char *where, const struct afield *f,
			size_t n, void *base)
{
	size_t i;

	for (i = 0; i < n && !rd->err; i++) {
		json_t *v = json_object_get(o, f[i].key);
		char *p = (char *)base + f[i].off;
		const char *str;
		unsigned k;

		if (!v) {
			bad(rd, where, f[i].key, "missing");
			return;
		}
		switch (f[i].type) {
		case AF_NUM:
			if (json_is_number(v))
				*(double *)p = json_number_value(v);
			else if (json_is_null(v))
				*(double *)p = NAN;
			else
				bad(rd, where, f[i].key, "expected a number or null");
			break;
		case AF_INT:
		case AF_SIZE:
			if (!json_is_integer(v) ||
			    json_integer_value(v) < (f[i].type == AF_SIZE ? 0 : -1) ||
			    json_integer_value(v) > INT32_MAX)
				bad(rd, where, f[i].key, "expected a small whole number");
			else if (f[i].type == AF_INT)
				*(int *)p = (int)json_integer_value(v);
			else
				*(size_t *)p = (size_t)json_integer_value(v);
			break;
		case AF_BOOL:
			if (!json_is_boolean(v))
				bad(rd, where, f[i].key, "expected true or false");
			*(bool *)p = json_is_true(v);
			break;
		case AF_CHARS:
		case AF_STR:
			if (!json_is_string(v) && !json_is_null(v)) {
				bad(rd, where, f[i].key, "expected a string or null");
				break;
			}
			str = json_is_string(v) ? json_string_value(v) : NULL;
			if (f[i].type == AF_CHARS)
				snprintf(p, f[i].size, "%s", str ? str : "");
			else if (str && !(*(char **)p = strdup(str)))
				rd->err = -ENOMEM;
			break;
		case AF_ENUM:
			str = json_string_value(v);
			for (k = 0; str && k < f[i].nnames; k++)
				if (!strcmp(str, f[i].name(k)))
					break;
			if (!str || k == f[i].nnames)
				bad(rd, where, f[i].key, "unknown value");
			else
				*(int *)p = (int)k;
			break;
		}
	}
}

/* o.key as an array (allocated: n elements of size), each element an object. */
static void *read_array(struct ard *rd, json_t *o, const char *key, size_t size, size_t *n,
			json_t **arr)
{
	void *t;

	*n = 0;
	*arr = json_object_get(o, key);
	if (!json_is_array(*arr)) {
		bad(rd, "attribution", key, "expected an array");
		return NULL;
	}
	t = calloc(json_array_size(*arr) + 1, size);
	if (!t) {
		rd->err = -ENOMEM;
		return NULL;
	}
	*n = json_array_size(*arr);
	return t;
}

static void read_stack(struct ard *rd, json_t *o, const char *where, struct attr_stack *st)
{
	json_t *fr = json_object_get(o, "frames"), *v;
	size_t i;

	st->mean_age = st->age_sd = NAN;
	read_fields(rd, o, where, stack_fields, NF(stack_fields), st);
	if (!rd->err && !json_is_array(fr))
		bad(rd, where, "frames", "expected an array of strings");
	json_array_foreach(fr, i, v) {
		if (rd->err)
			break;
		if (!json_is_string(v))
			bad(rd, where, "frames", "expected an array of strings");
		else if (attr_stack_add_frame(st, json_string_value(v)))
			rd->err = -ENOMEM;
	}
	if (!rd->err && st->nalloc_frames > st->nframes)
		bad(rd, where, "allocator_frames", "more than its frames");
}

static void read_figure(struct ard *rd, json_t *o, const char *where, const struct series *s,
			struct attribution *a, struct attr_figure *f)
{
	json_t *m = json_object_get(o, "metric"), *sts = json_object_get(o, "stacks"), *v;
	size_t i;

	read_fields(rd, o, where, figure_fields, NF(figure_fields), f);
	if (rd->err)
		return;
	f->col = json_is_string(m) ? series_find(s, json_string_value(m)) : -1;
	if (f->col < 0) {
		bad(rd, where, "metric", "not a column of the series");
		return;
	}
	if (!json_is_array(sts)) {
		bad(rd, where, "stacks", "expected an array");
		return;
	}
	f->stacks = calloc(json_array_size(sts) + 1, sizeof(*f->stacks));
	f->share = calloc(json_array_size(sts) + 1, sizeof(*f->share));
	if (!f->stacks || !f->share) {
		rd->err = -ENOMEM;
		return;
	}
	json_array_foreach(sts, i, v) {
		json_t *k = json_object_get(v, "stack"), *sh = json_object_get(v, "share");

		if (!json_is_integer(k) || json_integer_value(k) < 0 ||
		    (size_t)json_integer_value(k) >= a->nstacks || !json_is_number(sh)) {
			bad(rd, where, "stacks",
			    "expected {\"stack\": an index into attribution.stacks, \"share\"}");
			return;
		}
		f->stacks[i] = (size_t)json_integer_value(k);
		f->share[i] = json_number_value(sh);
		f->nstacks++;
	}
}

int report_json_load_attribution(json_t *o, const char *path, const struct series *s,
				 struct attribution *a)
{
	struct ard rd = { path, 0 };
	json_t *arr, *v, *lost = json_object_get(o, "lost");
	char where[64];
	size_t i, n;

	memset(a, 0, sizeof(*a));
	if (!json_is_object(o)) {
		bad(&rd, "attribution", NULL, "expected an object");
		return rd.err;
	}
	read_fields(&rd, o, "attribution", top_fields, NF(top_fields), a);
	if (!rd.err && !json_is_object(lost))
		bad(&rd, "attribution", "lost", "expected an object");
	if (!rd.err)
		read_fields(&rd, lost, "attribution.lost", lost_fields, NF(lost_fields), &a->lost);
	if (!rd.err && (a->sources = read_array(&rd, o, "sources", sizeof(*a->sources), &n, &arr)))
		json_array_foreach(arr, i, v) {
			snprintf(where, sizeof(where), "attribution.sources[%zu]", i);
			read_fields(&rd, v, where, source_fields, NF(source_fields),
				    &a->sources[i]);
			a->nsources += !rd.err;
		}
	if (!rd.err && (a->caches = read_array(&rd, o, "caches", sizeof(*a->caches), &n, &arr)))
		json_array_foreach(arr, i, v) {
			snprintf(where, sizeof(where), "attribution.caches[%zu]", i);
			read_fields(&rd, v, where, cache_fields, NF(cache_fields), &a->caches[i]);
			a->ncaches += !rd.err;
		}
	if (!rd.err && (a->stacks = read_array(&rd, o, "stacks", sizeof(*a->stacks), &n, &arr)))
		json_array_foreach(arr, i, v) {
			snprintf(where, sizeof(where), "attribution.stacks[%zu]", i);
			a->nstacks++;
			read_stack(&rd, v, where, &a->stacks[i]);
		}
	if (!rd.err && (a->figures = read_array(&rd, o, "figures", sizeof(*a->figures), &n, &arr)))
		json_array_foreach(arr, i, v) {
			snprintf(where, sizeof(where), "attribution.figures[%zu]", i);
			a->nfigures++;
			read_figure(&rd, v, where, s, a, &a->figures[i]);
		}
	if (rd.err == -ENOMEM)
		sl_err("%s: out of memory while reading it", path);
	return rd.err;
}
