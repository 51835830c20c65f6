/* A sweep's JSON report: its tables, the writer and the loader, which walk the same tables. */
#include "report/sweep_report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "config.h"
#include "report/json_tables.h"
#include "report/jtab.h"
#include "report/jw.h"
#include "report/out.h"
#include "report/report.h"

/* The sweep's document: its schema moves on its own, not with the run report's. */
#define SWEEP_SCHEMA 1
#define MISSING_LISTED 1024

static bool measured(const struct sweep_variant *v)
{
	return v->status == VS_DONE || v->status == VS_INTERRUPTED;
}

/* ---- the plan ---- */

#define P struct sweep_plan
static const struct jfield plan_f[] = {
	JF_NUM(P, "budget_seconds", budget, .flags = JF_NONNEG),
	JF_UINT(P, "variants", variants),
	JF_NUM(P, "baseline_seconds", baseline, .flags = JF_NONNEG),
	JF_NUM(P, "churn_seconds", churn, .flags = JF_NONNEG),
	JF_NUM(P, "quiesce_max_seconds", quiesce_max, .flags = JF_NONNEG),
	JF_NUM(P, "teardown_seconds", teardown, .flags = JF_NONNEG),
	JF_NUM(P, "overhead_seconds", overhead, .flags = JF_NONNEG),
	JF_NUM(P, "per_variant_seconds", per_variant, .flags = JF_NONNEG),
	JF_NUM(P, "expected_seconds", total, .flags = JF_NONNEG),
};
#undef P
static const struct jtable jt_plan = JT_TABLE(plan_f, struct sweep_plan, false, NULL);

/* ---- the overall ---- */

static void w_overall_verdict(struct jw *w, const char *key, const void *base,
			      const struct series *s)
{
	const struct sweep_summary *sum = base;

	(void)s;
	jw_str(w, key, sum->measured ? verdict_name(sum->verdict) : NULL);
}

static void r_overall_verdict(struct jt_reader *rd, json_t *v, const char *where, const char *key,
			      void *base)
{
	struct sweep_summary *sum = base;
	enum verdict vd;

	sum->measured = !json_is_null(v);
	if (sum->measured && (!json_is_string(v) || verdict_parse(json_string_value(v), &vd)))
		jt_bad(rd, where, key,
		       "expected CLEAN, BOUNDED, INCONCLUSIVE, BACKLOG, LEAK or null");
	else if (sum->measured)
		sum->verdict = vd;
}

/* The counts are the variants' own: written from them, checked against them when read. */
static size_t count_of(const struct sweep_summary *sum, const char *key)
{
	const struct sweep *s = sum->s;

	if (!strcmp(key, "variants"))
		return s->n;
	if (!strcmp(key, "measured"))
		return sweep_count(s, VS_DONE) + sweep_count(s, VS_INTERRUPTED);
	if (!strcmp(key, "skipped"))
		return sweep_count(s, VS_SKIPPED);
	if (!strcmp(key, "failed"))
		return sweep_count(s, VS_FAILED);
	if (!strcmp(key, "not_run"))
		return sweep_count(s, VS_NOT_RUN);
	return sweep_missing(s, NULL, 0); /* "missing" */
}

static void w_count(struct jw *w, const char *key, const void *base, const struct series *s)
{
	(void)s;
	jw_int(w, key, (int64_t)count_of(base, key));
}

static void r_count(struct jt_reader *rd, json_t *v, const char *where, const char *key, void *base)
{
	size_t want = count_of(base, key);

	if (!json_is_integer(v) || json_integer_value(v) != (json_int_t)want)
		jt_bad(rd, where, key, "expected %zu, what variants[] holds", want);
}

static void w_signal(struct jw *w, const char *key, const void *base, const struct series *s)
{
	const struct sweep_summary *sum = base;

	(void)s;
	if (sum->signal)
		jw_int(w, key, sum->signal);
	else
		jw_null(w, key);
}

static void r_signal(struct jt_reader *rd, json_t *v, const char *where, const char *key,
		     void *base)
{
	struct sweep_summary *sum = base;

	if (json_is_null(v))
		sum->signal = 0;
	else if (json_is_integer(v) && json_integer_value(v) > 0 && json_integer_value(v) < 65)
		sum->signal = (int)json_integer_value(v);
	else
		jt_bad(rd, where, key, "expected a signal number or null");
}

#define S struct sweep_summary
static const struct jfield overall_f[] = {
	JF_CUSTOM("verdict", w_overall_verdict, r_overall_verdict),
	JF_BITS(S, "fail_on", fail_on, jn_verdict),
	JF_CUSTOM("variants", w_count, r_count),
	JF_CUSTOM("measured", w_count, r_count),
	JF_CUSTOM("skipped", w_count, r_count),
	JF_CUSTOM("failed", w_count, r_count),
	JF_CUSTOM("not_run", w_count, r_count),
	JF_UINT(S, "failing", failing),
	JF_NUM(S, "budget_seconds", budget, .flags = JF_NONNEG),
	JF_NUM(S, "elapsed_seconds", elapsed, .flags = JF_NONNEG),
	JF_CUSTOM("signal", w_signal, r_signal),
	JF_CHARS(S, "stopped", stopped, .flags = JF_EMPTY_NULL),
	JF_INT(S, "exit_code", exit_code, .min = 0, .max = 255),
	JF_CUSTOM("missing", w_count, r_count, .flags = JF_OPTIONAL),
};
#undef S
static const struct jtable jt_overall = JT_TABLE(overall_f, struct sweep_summary, false, NULL);

/* ---- the matrix ---- */

static void w_names(struct jw *w, const char *key, const void *base, const struct series *s)
{
	const struct sweep_matrix *m = base;
	size_t i;

	(void)s;
	jw_array(w, key, false);
	for (i = 0; i < m->nnames; i++)
		jw_str(w, NULL, m->names[i]);
	jw_end(w);
}

static void r_names(struct jt_reader *rd, json_t *v, const char *where, const char *key, void *base)
{
	struct sweep_matrix *m = base;
	json_t *item;
	size_t i;

	if (!json_is_array(v) || json_array_size(v) > SWEEP_MAX_VARIANTS)
		return jt_bad(rd, where, key, "expected an array of at most %d names",
			      SWEEP_MAX_VARIANTS);
	m->names = calloc(json_array_size(v) + 1, sizeof(*m->names));
	if (!m->names) {
		rd->err = -ENOMEM;
		return;
	}
	json_array_foreach(v, i, item) {
		if (!json_is_string(item))
			return jt_bad(rd, where, key, "item %zu is not a string", i);
		m->names[i] = strdup(json_string_value(item));
		if (!m->names[i]) {
			rd->err = -ENOMEM;
			return;
		}
		m->nnames = i + 1;
	}
}

#define K struct sweep_kernel
static const struct jfield kernel_f[] = {
	JF_CHARS(K, "label", label),
	JF_CHARS(K, "image", image, .flags = JF_EMPTY_NULL),
};
#undef K
static const struct jtable jt_kernel = JT_TABLE(kernel_f, struct sweep_kernel, true, NULL);

#define M struct sweep_matrix
static const struct jfield matrix_f[] = {
	JF_CHARS(M, "id", id),
	JF_UINT(M, "size", size),
	JF_STR(M, "settings", settings, .flags = JF_NULLABLE),
	JF_ARRAY(M, "kernels", kernels, nkernels, jt_kernel, .flags = JF_INLINE),
	JF_CUSTOM("variants", w_names, r_names),
};
static const struct jfield shard_f[] = {
	JF_UINT(M, "index", shard),
	JF_UINT(M, "count", shards),
};
#undef M
static const struct jtable jt_matrix = JT_TABLE(matrix_f, struct sweep_matrix, false, NULL);
static const struct jtable jt_shard = JT_TABLE(shard_f, struct sweep_matrix, true, NULL);

/* ---- the reports merged ---- */

#define R struct sweep_source
static const struct jfield source_f[] = {
	JF_CHARS(R, "path", path),
	JF_CHARS(R, "matrix", matrix),
	JF_UINT(R, "shard", shard),
	JF_UINT(R, "shards", shards),
	JF_CHARS(R, "kernel", kernel),
	JF_CHARS(R, "hostname", hostname),
	JF_CHARS(R, "sockleak_version", version),
	JF_CHARS(R, "start", start),
	JF_NUM(R, "budget_seconds", budget, .flags = JF_NONNEG),
	JF_NUM(R, "elapsed_seconds", elapsed, .flags = JF_NONNEG),
	JF_INT(R, "exit_code", exit_code, .min = 0, .max = 255),
	JF_UINT(R, "variants", variants),
};
#undef R
static const struct jtable jt_source = JT_TABLE(source_f, struct sweep_source, true, NULL);

/* ---- the variants ---- */

static const char *status_at(unsigned i)
{
	return sweep_status_name((enum sweep_status)i);
}

static const struct jt_names jn_status = {
	status_at, VS_NOT_RUN + 1, "status",
	"planned, skipped, done, interrupted, failed or not-run"
};

static void w_preset(struct jw *w, const char *key, const void *base, const struct series *s)
{
	const struct sweep_variant *v = base;

	(void)s;
	jw_str(w, key, v->preset ? v->base : NULL);
}

static void r_preset(struct jt_reader *rd, json_t *v, const char *where, const char *key,
		     void *base)
{
	struct sweep_variant *sv = base;

	if (json_is_null(v))
		return;
	if (!json_is_string(v))
		return jt_bad(rd, where, key, "expected a preset's name or null");
	sv->preset = true;
	sv->base = strdup(json_string_value(v));
	if (!sv->base)
		rd->err = -ENOMEM;
}

static void w_verdict(struct jw *w, const char *key, const void *base, const struct series *s)
{
	const struct sweep_variant *v = base;

	(void)s;
	jw_str(w, key, measured(v) ? verdict_name(v->verdict) : NULL);
}

static void r_verdict(struct jt_reader *rd, json_t *v, const char *where, const char *key,
		      void *base)
{
	struct sweep_variant *sv = base;

	if (json_is_null(v) && !measured(sv))
		return;
	if (!json_is_string(v) || verdict_parse(json_string_value(v), &sv->verdict) ||
	    !measured(sv))
		jt_bad(rd, where, key,
		       "expected a verdict when status is done or interrupted, "
		       "else null");
}

static void w_unit(struct jw *w, const char *key, const void *base, const struct series *s)
{
	const struct sweep_variant *v = base;

	(void)s;
	jw_str(w, key, v->metric[0] ? unit_name(v->unit) : NULL);
}

static void r_unit(struct jt_reader *rd, json_t *v, const char *where, const char *key, void *base)
{
	struct sweep_variant *sv = base;

	if (json_is_null(v))
		return;
	if (!json_is_string(v) || unit_parse(json_string_value(v), &sv->unit))
		jt_bad(rd, where, key, "expected count, bytes, us or null");
}

static void w_settled(struct jw *w, const char *key, const void *base, const struct series *s)
{
	const struct sweep_variant *v = base;

	(void)s;
	if (measured(v))
		jw_bool(w, key, v->settled);
	else
		jw_null(w, key);
}

static void r_settled(struct jt_reader *rd, json_t *v, const char *where, const char *key,
		      void *base)
{
	struct sweep_variant *sv = base;

	if (json_is_boolean(v))
		sv->settled = json_is_true(v);
	else if (!json_is_null(v))
		jt_bad(rd, where, key, "expected true, false or null");
}

/* "attribution" (--attribute): null when not asked or not measured; else what it found. */
static void w_attr(struct jw *w, const char *key, const void *base, const struct series *series)
{
	const struct sweep_variant *v = base;
	size_t i, k;

	(void)series;
	if (!measured(v) || !v->attr_asked) {
		jw_null(w, key);
		return;
	}
	jw_object(w, key, false);
	jw_bool(w, "on", v->attr_on);
	jw_str(w, "why", v->attr_on ? NULL : v->attr_why);
	jw_int(w, "leak_stacks", (int64_t)v->attr_leak);
	jw_int(w, "backlog_stacks", (int64_t)v->attr_backlog);
	jw_bool(w, "lost_any", v->attr_lost);
	jw_array(w, "stacks", false);
	for (i = 0; i < v->nwhere; i++) {
		const struct sweep_where *s = &v->where[i];

		jw_object(w, NULL, true);
		jw_str(w, "cache", s->cache);
		jw_str(w, "verdict", verdict_name(s->verdict));
		jw_num(w, "objects_per_cycle", s->objs_per_cycle);
		jw_num(w, "bytes_per_cycle", s->bytes_per_cycle);
		jw_array(w, "frames", true);
		for (k = 0; k < s->nframes; k++)
			jw_str(w, NULL, s->frames[k]);
		jw_end(w);
		jw_int(w, "more_frames", (int64_t)s->more);
		jw_end(w);
	}
	jw_end(w);
	jw_end(w);
}

/* A stack of "attribution"."stacks"[]: false (and said) when it is not one. */
static bool r_where(struct jt_reader *rd, json_t *o, const char *where, struct sweep_where *s)
{
	json_t *frames = json_object_get(o, "frames"), *f;
	const char *cache = json_string_value(json_object_get(o, "cache"));
	const char *verdict = json_string_value(json_object_get(o, "verdict"));
	json_t *objs = json_object_get(o, "objects_per_cycle");
	json_t *bytes = json_object_get(o, "bytes_per_cycle");
	json_t *more = json_object_get(o, "more_frames");
	size_t k;

	if (!cache || !verdict || verdict_parse(verdict, &s->verdict) || !json_is_number(objs) ||
	    !json_is_number(bytes) || !json_is_array(frames) || !json_is_integer(more) ||
	    json_integer_value(more) < 0 || json_array_size(frames) > SWEEP_WHERE_FRAMES) {
		jt_bad(rd, where, NULL,
		       "expected cache, verdict, objects_per_cycle, bytes_per_cycle, frames (at "
		       "most %d) and more_frames",
		       SWEEP_WHERE_FRAMES);
		return false;
	}
	snprintf(s->cache, sizeof(s->cache), "%s", cache);
	s->objs_per_cycle = json_number_value(objs);
	s->bytes_per_cycle = json_number_value(bytes);
	s->more = (size_t)json_integer_value(more);
	json_array_foreach(frames, k, f) {
		if (!json_is_string(f)) {
			jt_bad(rd, where, "frames", "item %zu is not a string", k);
			return false;
		}
		if (!(s->frames[s->nframes] = strdup(json_string_value(f)))) {
			jt_bad(rd, where, "frames", "out of memory");
			return false;
		}
		s->nframes++;
	}
	return true;
}

static void r_attr(struct jt_reader *rd, json_t *v, const char *where, const char *key, void *base)
{
	struct sweep_variant *sv = base;
	json_t *on = json_object_get(v, "on"), *why = json_object_get(v, "why");
	json_t *leak = json_object_get(v, "leak_stacks"),
	       *backlog = json_object_get(v, "backlog_stacks");
	json_t *lost = json_object_get(v, "lost_any"), *stacks = json_object_get(v, "stacks"), *o;
	char at[96];
	size_t i;

	if (json_is_null(v))
		return;
	if (!json_is_object(v) || !json_is_boolean(on) || !json_is_boolean(lost) ||
	    !json_is_integer(leak) || !json_is_integer(backlog) || json_integer_value(leak) < 0 ||
	    json_integer_value(backlog) < 0 || !json_is_array(stacks) ||
	    json_array_size(stacks) > SWEEP_WHERE || (!json_is_string(why) && !json_is_null(why)))
		return jt_bad(
			rd, where, key,
			"expected null or an object with on, why, leak_stacks, backlog_stacks, "
			"lost_any and stacks (at most %d)",
			SWEEP_WHERE);
	sv->attr_asked = true;
	sv->attr_on = json_is_true(on);
	sv->attr_lost = json_is_true(lost);
	snprintf(sv->attr_why, sizeof(sv->attr_why), "%s",
		 json_is_string(why) ? json_string_value(why) : "");
	sv->attr_leak = (size_t)json_integer_value(leak);
	sv->attr_backlog = (size_t)json_integer_value(backlog);
	json_array_foreach(stacks, i, o) {
		snprintf(at, sizeof(at), "%s.%s.stacks[%zu]", where, key, i);
		if (!json_is_object(o))
			return jt_bad(rd, at, NULL, "expected an object");
		/* counted first: what it read is freed with the variant even when it fails */
		if (!r_where(rd, o, at, &sv->where[sv->nwhere++]))
			return;
	}
}

/* What a variant read back holds before the file speaks: nothing measured. */
static void variant_init(void *base)
{
	struct sweep_variant *v = base;

	memset(v, 0, sizeof(*v));
	v->verdict = VERDICT_CLEAN;
	v->peak = v->residual_per_cycle = NAN;
	v->leaked_sockets_per_cycle = v->leaked_bytes_per_cycle = NAN;
	v->cycles_per_second = v->churn_seconds = v->quiesce_seconds = v->elapsed = NAN;
}

#define V struct sweep_variant
static const struct jfield variant_f[] = {
	JF_UINT(V, "index", index),
	JF_CHARS(V, "name", name),
	JF_ENUM(V, "status", status, jn_status),
	JF_CHARS(V, "reason", reason, .flags = JF_EMPTY_NULL),
	JF_ENUM(V, "transport", transport, jn_transport),
	JF_CUSTOM("preset", w_preset, r_preset),
	JF_CHARS(V, "option", option, .flags = JF_EMPTY_NULL),
	JF_ENUM(V, "server_close", server_close, jn_close),
	JF_STR(V, "sequence", sequence),
	JF_CUSTOM("verdict", w_verdict, r_verdict),
	JF_BOOL(V, "fails", fails),
	JF_CHARS(V, "why", why, .flags = JF_EMPTY_NULL),
	JF_UINT(V, "cycles", cycles),
	JF_UINT(V, "failed_cycles", failed_cycles),
	JF_NUM(V, "cycles_per_second", cycles_per_second, .flags = JF_NONNEG),
	JF_CHARS(V, "metric", metric, .flags = JF_EMPTY_NULL),
	JF_CUSTOM("unit", w_unit, r_unit),
	JF_NUM(V, "peak", peak),
	JF_NUM(V, "residual_per_cycle", residual_per_cycle),
	JF_NUM(V, "leaked_sockets_per_cycle", leaked_sockets_per_cycle),
	JF_NUM(V, "leaked_bytes_per_cycle", leaked_bytes_per_cycle),
	JF_NUM(V, "churn_seconds", churn_seconds, .flags = JF_NONNEG),
	JF_NUM(V, "quiesce_seconds", quiesce_seconds, .flags = JF_NONNEG),
	JF_CUSTOM("settled", w_settled, r_settled),
	JF_NUM(V, "elapsed_seconds", elapsed, .flags = JF_NONNEG),
	JF_CHARS(V, "html", html, .flags = JF_EMPTY_NULL),
	JF_CUSTOM("attribution", w_attr, r_attr, .flags = JF_OPTIONAL),
	JF_CHARS(V, "kernel", kernel, .flags = JF_EMPTY_NULL | JF_OPTIONAL),
	JF_CHARS(V, "json", json, .flags = JF_EMPTY_NULL | JF_OPTIONAL),
};
#undef V
static const struct jtable jt_variant =
	JT_TABLE(variant_f, struct sweep_variant, false, variant_init);

/*
 * A variant as the file has it: figures only when it was measured (the elapsed time once it was
 * tried), never what a plan held for it.
 */
static void as_written(const struct sweep_variant *v, struct sweep_variant *c)
{
	*c = *v;
	if (measured(v))
		return;
	c->fails = false;
	c->why[0] = c->metric[0] = '\0';
	c->cycles_per_second = c->peak = c->residual_per_cycle = NAN;
	c->leaked_sockets_per_cycle = c->leaked_bytes_per_cycle = NAN;
	c->churn_seconds = c->quiesce_seconds = NAN;
	if (v->status == VS_SKIPPED || v->status == VS_NOT_RUN)
		c->elapsed = NAN;
}

/* ---- writing ---- */

static void write_missing(struct jw *w, const struct sweep *s)
{
	size_t idx[MISSING_LISTED], n = sweep_missing(s, idx, MISSING_LISTED), i;
	char name[256];

	jw_array(w, "missing", false);
	for (i = 0; i < n && i < MISSING_LISTED; i++) {
		jw_object(w, NULL, true);
		jw_int(w, "index", (int64_t)idx[i]);
		sweep_index_name(s, idx[i], name, sizeof(name));
		jw_str(w, "name", name);
		jw_end(w);
	}
	jw_end(w);
}

int sweep_json_write(FILE *f, const struct sweep_summary *sum)
{
	const struct sweep *s = sum->s;
	struct sweep_plan plan = SWEEP_PLAN_UNKNOWN;
	struct sweep_variant c;
	struct jw w;
	size_t i;

	if (sum->plan)
		plan = *sum->plan;
	plan.budget = sum->budget;
	jw_init(&w, f);
	jw_object(&w, NULL, false);
	jw_int(&w, "schema", SWEEP_SCHEMA);
	jw_str(&w, "tool", "sockleak");
	jw_str(&w, "kind", "sweep");
	jw_str(&w, "version", SOCKLEAK_VERSION);
	if (sum->m)
		report_json_machine(&w, sum->m);
	jt_write(&w, "plan", &jt_plan, &plan, NULL);
	jt_write(&w, "overall", &jt_overall, sum, NULL);
	if (s->matrix.id[0])
		jt_write(&w, "matrix", &jt_matrix, &s->matrix, NULL);
	else
		jw_null(&w, "matrix");
	if (s->matrix.shards)
		jt_write(&w, "shard", &jt_shard, &s->matrix, NULL);
	else
		jw_null(&w, "shard");
	if (sum->nsources) {
		jw_array(&w, "merged", false);
		for (i = 0; i < sum->nsources; i++)
			jt_write(&w, NULL, &jt_source, &sum->sources[i], NULL);
		jw_end(&w);
	} else {
		jw_null(&w, "merged");
	}
	write_missing(&w, s);
	jw_str(&w, "json_dir", sum->json_dir);
	jw_array(&w, "variants", false);
	for (i = 0; i < s->n; i++) {
		as_written(&s->v[i], &c);
		jt_write(&w, NULL, &jt_variant, &c, NULL);
	}
	jw_end(&w);
	jw_end(&w);
	fputc('\n', f);
	return w.failed ? -ENOMEM : 0;
}

static int json_write(FILE *f, const void *sum)
{
	return sweep_json_write(f, sum);
}

int sweep_json(const char *path, const struct sweep_summary *sum)
{
	return out_write(path, json_write, sum);
}

/* ---- reading ---- */

static json_t *load_file(struct jt_reader *rd)
{
	json_error_t e;
	json_t *root;
	FILE *f = strcmp(rd->path, "-") ? fopen(rd->path, "r") : stdin;

	if (!f) {
		rd->err = -errno;
		sl_err("cannot read %s: %s", rd->path, strerror(errno));
		return NULL;
	}
	root = json_loadf(f, JSON_REJECT_DUPLICATES, &e);
	if (f != stdin)
		fclose(f);
	if (!root) {
		sl_err("%s:%d:%d: not valid JSON: %s (is it a sockleak sweep's JSON report?)",
		       rd->path, e.line, e.column, e.text);
		rd->err = -EINVAL;
	}
	return root;
}

/* Ours, a sweep's, in a schema this build reads: said before anything else is read. */
static bool check_kind(struct jt_reader *rd, json_t *root)
{
	json_t *schema = json_object_get(root, "schema");
	const char *tool = json_string_value(json_object_get(root, "tool"));
	const char *kind = json_string_value(json_object_get(root, "kind"));

	rd->err = -EINVAL;
	if (!json_is_object(root) || !schema || !tool || strcmp(tool, "sockleak")) {
		sl_err("%s: not a sockleak JSON report (expected an object with \"tool\": "
		       "\"sockleak\"; write one with 'sockleak sweep --json FILE')",
		       rd->path);
		return false;
	}
	if (!kind || strcmp(kind, "sweep")) {
		sl_err("%s is a %s report, not a sweep's: this takes the reports of 'sockleak sweep "
		       "--json FILE' (and of merge --json)",
		       rd->path, kind ? kind : "run");
		return false;
	}
	if (!json_is_integer(schema) || json_integer_value(schema) != SWEEP_SCHEMA) {
		sl_err("%s: sweep schema %lld is not supported: this sockleak (%s) reads schema %d",
		       rd->path,
		       json_is_integer(schema) ? (long long)json_integer_value(schema) : -1,
		       SOCKLEAK_VERSION, SWEEP_SCHEMA);
		return false;
	}
	rd->err = 0;
	rd->schema = SWEEP_SCHEMA;
	return true;
}

static void load_variants(struct jt_reader *rd, json_t *arr, struct sweep *s)
{
	char where[32];
	json_t *item;
	size_t i;

	if (json_array_size(arr) > SWEEP_MAX_VARIANTS)
		return jt_bad(rd, "", "variants", "more than %d variants", SWEEP_MAX_VARIANTS);
	s->v = calloc(json_array_size(arr) + 1, sizeof(*s->v));
	if (!s->v) {
		rd->err = -ENOMEM;
		return;
	}
	s->cap = json_array_size(arr) + 1;
	json_array_foreach(arr, i, item) {
		struct sweep_variant *v = &s->v[i];

		snprintf(where, sizeof(where), "variants[%zu]", i);
		if (!json_is_object(item))
			return jt_bad(rd, where, NULL, "expected an object");
		variant_init(v);
		s->n = i + 1;
		/* The status first: what the verdict may be depends on it. */
		jt_read(rd, item, where, &jt_variant, v);
		if (rd->err)
			return;
		if (!v->base && !(v->base = strdup(v->sequence ? v->sequence : ""))) {
			rd->err = -ENOMEM;
			return;
		}
	}
}

/* What the writer makes of the matrix: indices in it, each once, kernels on its axis. */
static void check_variants(struct jt_reader *rd, const struct sweep *s)
{
	const struct sweep_matrix *m = &s->matrix;
	char where[32];
	size_t i, j;

	for (i = 0; i < s->n && !rd->err; i++) {
		const struct sweep_variant *v = &s->v[i];

		snprintf(where, sizeof(where), "variants[%zu]", i);
		if (v->index < 1 || (m->size && v->index > m->size))
			jt_bad(rd, where, "index", "%zu is not in the matrix (1 to %zu)", v->index,
			       m->size);
		else if (m->shards && sweep_shard_of(v->index, m->shards) != m->shard)
			jt_bad(rd, where, "index", "%zu is not in shard %u of %u", v->index,
			       m->shard, m->shards);
		for (j = 0; j < i && !rd->err; j++)
			if (s->v[j].index == v->index && !strcmp(s->v[j].kernel, v->kernel))
				jt_bad(rd, where, "index", "%zu is there twice", v->index);
	}
}

/* Where a variant of a kernel axis stands on it: from its index. */
static void place_kernels(struct sweep *s)
{
	size_t i;

	for (i = 0; i < s->n && s->matrix.nkernels && s->matrix.nnames; i++)
		s->v[i].kernel_at = (unsigned)((s->v[i].index - 1) / s->matrix.nnames);
}

static void load_matrix(struct jt_reader *rd, json_t *root, struct sweep_matrix *m)
{
	json_t *o = json_object_get(root, "matrix");

	if (!o || json_is_null(o))
		return; /* written before matrices had an identity: merge says so */
	if (!json_is_object(o))
		return jt_bad(rd, "", "matrix", "expected an object");
	jt_read(rd, o, "matrix", &jt_matrix, m);
	if (rd->err)
		return;
	if (m->size != m->nnames * (m->nkernels ? m->nkernels : 1))
		return jt_bad(rd, "matrix", "size", "%zu is not its %zu variants on %zu kernel%s",
			      m->size, m->nnames, m->nkernels ? m->nkernels : 1,
			      m->nkernels > 1 ? "s" : "");
	o = json_object_get(root, "shard");
	if (o && !json_is_null(o)) {
		if (!json_is_object(o))
			return jt_bad(rd, "", "shard", "expected an object or null");
		jt_read(rd, o, "shard", &jt_shard, m);
		if (!rd->err && (m->shard < 1 || m->shard > m->shards))
			jt_bad(rd, "shard", "index", "%u is not a shard of %u", m->shard,
			       m->shards);
	}
}

static void load_sources(struct jt_reader *rd, json_t *root, struct sweep_doc *d)
{
	json_t *o = json_object_get(root, "merged"), *item;
	char where[32];
	size_t i;

	if (!o || json_is_null(o))
		return;
	if (!json_is_array(o))
		return jt_bad(rd, "", "merged", "expected an array or null");
	d->sources = calloc(json_array_size(o) + 1, sizeof(*d->sources));
	if (!d->sources) {
		rd->err = -ENOMEM;
		return;
	}
	json_array_foreach(o, i, item) {
		snprintf(where, sizeof(where), "merged[%zu]", i);
		if (!json_is_object(item))
			return jt_bad(rd, where, NULL, "expected an object");
		jt_read(rd, item, where, &jt_source, &d->sources[i]);
		if (rd->err)
			return;
		d->nsources = i + 1;
	}
}

int sweep_report_load(const char *path, struct sweep_doc *d)
{
	struct jt_reader rd = { .path = path };
	json_t *root, *o;
	const char *ver;

	memset(d, 0, sizeof(*d));
	d->sum.s = &d->s;
	d->sum.plan = &d->plan;
	d->path = strdup(path);
	if (!d->path)
		return -ENOMEM;
	root = load_file(&rd);
	if (!root || !check_kind(&rd, root))
		goto out;
	d->schema = rd.schema;
	ver = json_string_value(json_object_get(root, "version"));
	if (!ver)
		jt_bad(&rd, "", "version", "missing: the sockleak that wrote it");
	else
		snprintf(d->version, sizeof(d->version), "%s", ver);
	load_matrix(&rd, root, &d->s.matrix);
	if (!rd.err && (o = jt_array(&rd, root, "", "variants", (size_t)-1)))
		load_variants(&rd, o, &d->s);
	if (!rd.err)
		check_variants(&rd, &d->s);
	place_kernels(&d->s);
	if (!rd.err && (o = jt_object(&rd, root, "", "plan")))
		jt_read(&rd, o, "plan", &jt_plan, &d->plan);
	if (!rd.err && (o = jt_object(&rd, root, "", "overall")))
		jt_read(&rd, o, "overall", &jt_overall, &d->sum);
	if (!rd.err)
		load_sources(&rd, root, d);
	o = json_object_get(root, "json_dir");
	if (!rd.err && o && !json_is_null(o) && !json_is_string(o))
		jt_bad(&rd, "", "json_dir", "expected a directory's path or null");
	else if (!rd.err && json_is_string(o) && !(d->json_dir = strdup(json_string_value(o))))
		rd.err = -ENOMEM;
	d->sum.json_dir = d->json_dir;
	o = json_object_get(root, "machine");
	if (!rd.err && o && !json_is_null(o)) {
		if (!json_is_object(o))
			jt_bad(&rd, "", "machine", "expected an object");
		else
			jt_read(&rd, o, "machine", &jt_machine, &d->m);
		d->has_machine = !rd.err;
	}
	d->sum.m = d->has_machine ? &d->m : NULL;
	d->sum.sources = d->sources;
	d->sum.nsources = d->nsources;
	d->sum.finished = true;
	if (rd.err == -ENOMEM)
		sl_err("%s: out of memory while reading it", path);
out:
	json_decref(root);
	return rd.err;
}

void sweep_doc_free(struct sweep_doc *d)
{
	sweep_free(&d->s);
	free(d->sources);
	free(d->json_dir);
	free(d->path);
	memset(d, 0, sizeof(*d));
}
