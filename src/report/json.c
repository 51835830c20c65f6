/* The JSON report (schema 1): writer, loader, and the engine summary stored in it. */
#include "report/report.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "common.h"
#include "report/jw.h"
#include "config.h"
#include "report/out.h"

#define MAX_ROWS_LOADED (1u << 22) /* far above any series a run keeps (SERIES_DEFAULT_ROWS) */

/* ---- writer ---- */

void report_json_machine(struct jw *w, const struct machine *m)
{
	jw_object(w, "machine", false);
	jw_str(w, "kernel", m->kernel);
	jw_str(w, "kernel_build", m->kernel_build);
	jw_str(w, "arch", m->arch);
	jw_str(w, "hostname", m->hostname);
	jw_str(w, "os", m->os);
	jw_str(w, "cpu", m->cpu);
	jw_int(w, "cores", m->cores);
	jw_int(w, "memory_bytes", (int64_t)m->mem_bytes);
	jw_int(w, "cgroup_version", m->cgroup_version);
	jw_bool(w, "cgroup", m->cgroup);
	jw_bool(w, "root", m->root);
	jw_bool(w, "netns", m->netns);
	jw_str(w, "sockleak_version", m->version);
	jw_str(w, "start", m->start);
	jw_end(w);
}

void report_json_verdict_set(struct jw *w, const char *key, unsigned mask)
{
	int v;

	jw_array(w, key, true);
	for (v = 0; v < VERDICT_COUNT; v++)
		if (mask & (1u << v))
			jw_str(w, NULL, verdict_name((enum verdict)v));
	jw_end(w);
}

static void write_config(struct jw *w, const struct run_config *c)
{
	jw_object(w, "config", false);
	jw_str(w, "sequence", c->sequence);
	jw_str(w, "preset", c->preset);
	jw_str(w, "transport", transport_name(c->transport));
	jw_str(w, "target", c->target);
	jw_int(w, "threads", c->threads);
	jw_num(w, "seconds", c->seconds);
	jw_int(w, "ops", (int64_t)c->ops);
	jw_num(w, "rate", c->rate);
	jw_bool(w, "yield", c->yield);
	jw_int(w, "inject_leak", (int64_t)c->inject_leak);
	jw_bool(w, "allow_open", c->allow_open);
	jw_int(w, "server_threads", c->server_threads);
	jw_str(w, "server_close", server_close_name(c->server_close));
	jw_int(w, "backlog", c->backlog);
	jw_bool(w, "netns", c->netns);
	jw_bool(w, "cgroup", c->cgroup);
	jw_num(w, "interval", c->interval);
	jw_num(w, "baseline", c->baseline);
	jw_num(w, "warmup", c->warmup);
	jw_num(w, "quiesce_max", c->quiesce_max);
	jw_bool(w, "teardown", c->teardown);
	jw_bool(w, "confirm", c->confirm);
	report_json_verdict_set(w, "fail_on", c->fail_on);
	jw_end(w);
}

/* Where the series ends: the last stored row, else the last sample. */
static double series_end_t(const struct series *s)
{
	return s->nrows ? s->t[s->nrows - 1] : s->last_t;
}

static void write_phases(struct jw *w, const struct series *s)
{
	size_t i;

	jw_array(w, "phases", false);
	for (i = 0; i < s->nmarks; i++) {
		const struct phase_mark *pm = &s->marks[i];
		double end = i + 1 < s->nmarks ? s->marks[i + 1].t : series_end_t(s);

		jw_object(w, NULL, true);
		jw_str(w, "name", phase_name(pm->phase));
		jw_num(w, "t", pm->t);
		jw_int(w, "cycles", (int64_t)pm->cycles);
		jw_int(w, "row", (int64_t)pm->row);
		jw_num(w, "seconds", end > pm->t ? end - pm->t : 0);
		jw_end(w);
	}
	jw_end(w);
}

static const char *col_name(const struct series *s, int col)
{
	return col >= 0 && (size_t)col < s->ncols ? s->cols[col].name : NULL;
}

static void write_metric(struct jw *w, const struct series *s, const struct metric_result *m)
{
	jw_object(w, NULL, true);
	jw_str(w, "metric", col_name(s, m->col));
	jw_int(w, "col", m->col);
	jw_str(w, "verdict", verdict_name(m->verdict));
	jw_str(w, "why", m->why);
	jw_num(w, "baseline", m->baseline);
	jw_num(w, "noise", m->noise);
	jw_num(w, "peak", m->peak);
	jw_num(w, "slope", m->slope);
	jw_num(w, "slope_lo", m->slope_lo);
	jw_num(w, "slope_hi", m->slope_hi);
	jw_num(w, "slope_early", m->slope_early);
	jw_num(w, "slope_late", m->slope_late);
	jw_num(w, "residual", m->residual);
	jw_num(w, "residual_per_cycle", m->residual_per_cycle);
	jw_num(w, "after_teardown", m->after_teardown);
	jw_num(w, "confidence", m->confidence);
	jw_num(w, "cycles_to_decide", m->cycles_to_decide);
	jw_bool(w, "tw_explained", m->tw_explained);
	jw_str(w, "role", role_name(m->role));
	jw_bool(w, "decisive", m->decisive);
	jw_end(w);
}

/* The note (merged caches) a pool row's columns carry. */
static const char *pool_note(const struct series *s, const struct pool_row *p)
{
	if (p->objs_col >= 0 && (size_t)p->objs_col < s->ncols && s->cols[p->objs_col].d.note)
		return s->cols[p->objs_col].d.note;
	if (p->bytes_col >= 0 && (size_t)p->bytes_col < s->ncols)
		return s->cols[p->bytes_col].d.note;
	return NULL;
}

static void write_pool_tags(struct jw *w, const struct series *s, const struct result *r)
{
	size_t i;

	jw_array(w, "pool_tags", false);
	for (i = 0; i < r->npools; i++) {
		const struct pool_row *p = &r->pools[i];

		jw_object(w, NULL, true);
		jw_str(w, "cache", p->cache);
		jw_str(w, "verdict", verdict_name(p->verdict));
		jw_num(w, "objects_per_cycle", p->objs_per_cycle);
		jw_num(w, "bytes_per_cycle", p->bytes_per_cycle);
		jw_num(w, "peak_objects", p->peak_objs);
		jw_num(w, "peak_bytes", p->peak_bytes);
		jw_num(w, "confidence", p->confidence);
		jw_str(w, "note", pool_note(s, p));
		jw_end(w);
	}
	jw_end(w);
}

static void write_result(struct jw *w, const struct series *s, const struct result *r)
{
	size_t i;

	jw_object(w, "result", false);
	jw_str(w, "verdict", verdict_name(r->verdict));
	jw_int(w, "cycles", (int64_t)r->cycles);
	jw_num(w, "churn_seconds", r->churn_seconds);
	jw_num(w, "quiesce_seconds", r->quiesce_seconds);
	jw_bool(w, "quiesce_stable", r->quiesce_stable);
	jw_num(w, "leaked_sockets_per_cycle", r->leaked_sockets_per_cycle);
	jw_num(w, "injected_per_cycle", r->injected_per_cycle);
	jw_num(w, "memcg_bytes_per_cycle", r->memcg_bytes_per_cycle);
	jw_str(w, "why", r->why);
	jw_str(w, "verdict_metric", col_name(s, r->verdict_col));
	jw_num(w, "leaked_bytes_per_cycle", r->leaked_bytes_per_cycle);
	jw_int(w, "leak_caches", (int64_t)r->leak_caches);
	jw_num(w, "cycles_to_decide", r->cycles_to_decide);
	jw_object(w, "time_wait", false);
	jw_num(w, "peak", r->tw_peak);
	jw_num(w, "pending", r->tw_pending);
	jw_bool(w, "short_quiesce", r->tw_short_quiesce);
	jw_bool(w, "capped", r->tw_capped);
	jw_num(w, "cap", r->tw_cap);
	jw_num(w, "recycled", r->tw_recycled);
	jw_num(w, "overflow", r->tw_overflow);
	jw_end(w);
	jw_array(w, "metrics", false);
	for (i = 0; i < r->nm; i++)
		write_metric(w, s, &r->m[i]);
	jw_end(w);
	write_pool_tags(w, s, r);
	jw_end(w);
}

static void write_confirm(struct jw *w, const struct series *s, const struct confirm_result *c)
{
	size_t i;

	jw_object(w, "confirm", false);
	jw_str(w, "verdict", verdict_name(c->verdict));
	jw_str(w, "final", verdict_name(c->final));
	jw_num(w, "confidence", c->confidence);
	jw_num(w, "cycles_a", c->cycles_a);
	jw_num(w, "cycles_b", c->cycles_b);
	jw_str(w, "why", c->why);
	jw_array(w, "metrics", false);
	for (i = 0; i < c->nm; i++) {
		const struct confirm_metric *m = &c->m[i];

		jw_object(w, NULL, true);
		jw_str(w, "metric", col_name(s, m->col_a));
		jw_str(w, "verdict", verdict_name(m->verdict));
		jw_num(w, "confidence", m->confidence);
		jw_num(w, "residual_a", m->residual_a);
		jw_num(w, "residual_b", m->residual_b);
		jw_num(w, "ratio", m->ratio);
		jw_num(w, "expected", m->expected);
		jw_num(w, "per_cycle", m->per_cycle);
		jw_end(w);
	}
	jw_end(w);
	jw_end(w);
}

static void write_series(struct jw *w, const struct series *s)
{
	size_t i, j;

	jw_object(w, "series", false);
	jw_int(w, "rows", (int64_t)s->nrows);
	jw_int(w, "max_rows", (int64_t)s->max_rows);
	jw_int(w, "fold", s->fold);
	jw_int(w, "samples", (int64_t)s->samples);
	jw_array(w, "t", true);
	for (i = 0; i < s->nrows; i++)
		jw_num(w, NULL, s->t[i]);
	jw_end(w);
	jw_array(w, "cycles", true);
	for (i = 0; i < s->nrows; i++)
		jw_num(w, NULL, s->cycles[i]);
	jw_end(w);
	jw_array(w, "phase", true);
	for (i = 0; i < s->nrows; i++)
		jw_str(w, NULL, phase_name((enum phase)s->phase[i]));
	jw_end(w);
	jw_array(w, "columns", false);
	for (j = 0; j < s->ncols; j++) {
		const struct series_col *c = &s->cols[j];

		jw_object(w, NULL, true);
		jw_str(w, "name", c->name);
		jw_str(w, "unit", unit_name(c->d.unit));
		jw_str(w, "kind", kind_name(c->d.kind));
		jw_str(w, "note", c->d.note);
		jw_array(w, "values", true);
		for (i = 0; i < s->nrows; i++)
			jw_num(w, NULL, c->v[i]);
		jw_end(w);
		jw_end(w);
	}
	jw_end(w);
	jw_end(w);
}

int report_json_write(FILE *f, const struct report_in *in)
{
	struct jw w;

	jw_init(&w, f);
	jw_object(&w, NULL, false);
	jw_int(&w, "schema", REPORT_SCHEMA);
	jw_str(&w, "tool", "sockleak");
	jw_str(&w, "version", SOCKLEAK_VERSION);
	if (in->m)
		report_json_machine(&w, in->m);
	if (in->cfg)
		write_config(&w, in->cfg);
	write_phases(&w, in->s);
	write_result(&w, in->s, in->r);
	if (in->confirm)
		write_confirm(&w, in->s, in->confirm);
	if (in->engine)
		jw_json(&w, "engine", in->engine);
	/* Last, so that the readable part comes first in the file. */
	write_series(&w, in->s);
	jw_end(&w);
	return w.failed ? -ENOMEM : 0;
}

static int json_write(FILE *f, const void *in)
{
	return report_json_write(f, in);
}

int report_json(const char *path, const struct report_in *in)
{
	return out_write(path, json_write, in);
}

/* ---- engine summary ---- */

json_t *report_engine_json(const struct engine_stats *st, const char *const *op_names, size_t nops)
{
	json_t *o, *errs;
	size_t op;
	int e;

	errs = json_array();
	o = json_pack("{s:I, s:I, s:f, s:f, s:f, s:f, s:i, s:I, s:I, s:I}", "cycles",
		      (json_int_t)st->cycles, "failed_cycles", (json_int_t)st->failed_cycles,
		      "seconds", st->seconds, "cycles_per_second",
		      st->seconds > 0 ? st->cycles / st->seconds : 0.0, "user_seconds",
		      st->user_seconds, "system_seconds", st->system_seconds, "threads",
		      (int)st->threads, "thread_min", (json_int_t)st->thread_min, "thread_max",
		      (json_int_t)st->thread_max, "leaked", (json_int_t)st->leaked);
	if (!o || !errs)
		goto fail;
	for (op = 0; op < ENGINE_MAX_OPS; op++) {
		for (e = 0; e < ENGINE_MAX_ERRNO; e++) {
			char nbuf[32], obuf[32];
			const char *opn =
				op < nops && op_names && op_names[op] ? op_names[op] : NULL;
			json_t *item;

			if (!st->errors[op][e])
				continue;
			if (!opn) {
				snprintf(obuf, sizeof(obuf), "op%zu", op);
				opn = obuf;
			}
			item = json_pack("{s:s, s:i, s:i, s:s, s:I}", "op", opn, "op_index",
					 (int)op, "errno", e, "name",
					 engine_errno_name((unsigned)e, nbuf, sizeof(nbuf)),
					 "count", (json_int_t)st->errors[op][e]);
			if (json_array_append_new(errs, item))
				goto fail;
		}
	}
	if (json_object_set_new(o, "errors", errs))
		goto fail_o;
	return o;
fail:
	json_decref(errs);
fail_o:
	json_decref(o);
	return NULL;
}

/* ---- loader ---- */

struct rd {
	const char *path;
	int err; /* 0, or -EINVAL once a problem was said */
};

static void __attribute__((format(printf, 4, 5)))
rd_bad(struct rd *rd, const char *where, const char *key, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (rd->err)
		return; /* the first problem is the one worth reading */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sl_err("%s: %s%s%s: %s", rd->path, where, *where && key ? "." : "", key ? key : "", msg);
	rd->err = -EINVAL;
}

static json_t *rd_get(struct rd *rd, json_t *obj, const char *where, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		rd_bad(rd, where, key, "missing");
	return v;
}

static json_t *rd_obj(struct rd *rd, json_t *obj, const char *where, const char *key)
{
	json_t *v = rd_get(rd, obj, where, key);

	if (v && !json_is_object(v)) {
		rd_bad(rd, where, key, "expected an object");
		return NULL;
	}
	return v;
}

static json_t *rd_arr(struct rd *rd, json_t *obj, const char *where, const char *key, size_t want)
{
	json_t *v = rd_get(rd, obj, where, key);

	if (v && !json_is_array(v)) {
		rd_bad(rd, where, key, "expected an array");
		return NULL;
	}
	if (v && want != (size_t)-1 && json_array_size(v) != want) {
		rd_bad(rd, where, key, "expected %zu items (series.rows), found %zu", want,
		       json_array_size(v));
		return NULL;
	}
	return v;
}

/* obj.key, an array, and a zeroed table of one element per item: NULL (said) on error. */
static void *rd_table(struct rd *rd, json_t *obj, const char *where, const char *key, size_t size,
		      json_t **arr)
{
	void *t;

	*arr = rd_arr(rd, obj, where, key, (size_t)-1);
	if (rd->err)
		return NULL;
	t = calloc(json_array_size(*arr) + 1, size);
	if (!t)
		rd->err = -ENOMEM;
	return t;
}

/* Item i of the array named name must be an object; where becomes "name[i]". */
static bool rd_item(struct rd *rd, json_t *item, const char *name, size_t i, char *where,
		    size_t wsize)
{
	snprintf(where, wsize, "%s[%zu]", name, i);
	if (json_is_object(item))
		return true;
	rd_bad(rd, where, NULL, "expected an object");
	return false;
}

/* A number, or null for NaN; false for anything else. */
static bool number(const json_t *v, double *out)
{
	if (json_is_integer(v))
		*out = (double)json_integer_value(v);
	else if (json_is_real(v))
		*out = json_real_value(v);
	else if (json_is_null(v))
		*out = NAN;
	else
		return false;
	return true;
}

static double rd_value(struct rd *rd, json_t *v, const char *where, const char *key)
{
	double d = NAN;

	if (!number(v, &d))
		rd_bad(rd, where, key, "expected a number or null");
	return d;
}

static double rd_num(struct rd *rd, json_t *obj, const char *where, const char *key)
{
	json_t *v = rd_get(rd, obj, where, key);

	return v ? rd_value(rd, v, where, key) : NAN;
}

static int64_t rd_int(struct rd *rd, json_t *obj, const char *where, const char *key, int64_t min,
		      int64_t max)
{
	json_t *v = rd_get(rd, obj, where, key);
	int64_t i;

	if (!v)
		return min;
	if (!json_is_integer(v)) {
		rd_bad(rd, where, key, "expected an integer");
		return min;
	}
	i = json_integer_value(v);
	if (i < min || i > max) {
		rd_bad(rd, where, key, "%lld is out of range [%lld, %lld]", (long long)i,
		       (long long)min, (long long)max);
		return min;
	}
	return i;
}

static bool rd_bool(struct rd *rd, json_t *obj, const char *where, const char *key)
{
	json_t *v = rd_get(rd, obj, where, key);

	if (v && !json_is_boolean(v))
		rd_bad(rd, where, key, "expected true or false");
	return v && json_is_true(v);
}

/* A string; NULL for null when nullable. */
static const char *rd_str(struct rd *rd, json_t *obj, const char *where, const char *key,
			  bool nullable)
{
	json_t *v = rd_get(rd, obj, where, key);

	if (!v)
		return NULL;
	if (json_is_null(v) && nullable)
		return NULL;
	if (!json_is_string(v)) {
		rd_bad(rd, where, key,
		       nullable ? "expected a string or null" : "expected a string");
		return NULL;
	}
	return json_string_value(v);
}

static void rd_copy(struct rd *rd, json_t *obj, const char *where, const char *key, char *dst,
		    size_t size)
{
	const char *s = rd_str(rd, obj, where, key, false);

	snprintf(dst, size, "%s", s ? s : "");
}

/* Parses an enum name with one of the names_parse_* functions, naming the field on failure. */
#define RD_ENUM(rd, obj, where, key, parse, out, choices)                                        \
	do {                                                                                     \
		const char *s_ = rd_str(rd, obj, where, key, false);                             \
		if (s_ && parse(s_, out))                                                        \
			rd_bad(rd, where, key, "unknown value '%s' (expected %s)", s_, choices); \
	} while (0)

#define VERDICTS "CLEAN, BOUNDED, INCONCLUSIVE, BACKLOG or LEAK"
#define PHASES "baseline, warmup, churn, quiesce or teardown"

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void load_machine(struct rd *rd, json_t *o, struct machine *m)
{
	const char *w = "machine";

	rd_copy(rd, o, w, "kernel", m->kernel, sizeof(m->kernel));
	rd_copy(rd, o, w, "kernel_build", m->kernel_build, sizeof(m->kernel_build));
	rd_copy(rd, o, w, "arch", m->arch, sizeof(m->arch));
	rd_copy(rd, o, w, "hostname", m->hostname, sizeof(m->hostname));
	rd_copy(rd, o, w, "os", m->os, sizeof(m->os));
	rd_copy(rd, o, w, "cpu", m->cpu, sizeof(m->cpu));
	m->cores = (unsigned)rd_int(rd, o, w, "cores", 0, UINT32_MAX);
	m->mem_bytes = (uint64_t)rd_int(rd, o, w, "memory_bytes", 0, INT64_MAX);
	m->cgroup_version = (int)rd_int(rd, o, w, "cgroup_version", 0, 2);
	m->cgroup = rd_bool(rd, o, w, "cgroup");
	m->root = rd_bool(rd, o, w, "root");
	m->netns = rd_bool(rd, o, w, "netns");
	rd_copy(rd, o, w, "sockleak_version", m->version, sizeof(m->version));
	rd_copy(rd, o, w, "start", m->start, sizeof(m->start));
}

static void load_config(struct rd *rd, json_t *o, struct run_config *c)
{
	const char *w = "config", *s;
	json_t *arr, *item;
	enum verdict v;
	size_t i;

	c->sequence = dup_or_null(rd_str(rd, o, w, "sequence", false));
	c->preset = dup_or_null(rd_str(rd, o, w, "preset", true));
	c->target = dup_or_null(rd_str(rd, o, w, "target", true));
	s = rd_str(rd, o, w, "transport", false);
	if (s && transport_parse(s, &c->transport))
		rd_bad(rd, w, "transport", "unknown transport '%s'", s);
	c->threads = (unsigned)rd_int(rd, o, w, "threads", 0, UINT32_MAX);
	c->seconds = rd_num(rd, o, w, "seconds");
	c->ops = (uint64_t)rd_int(rd, o, w, "ops", 0, INT64_MAX);
	c->rate = rd_num(rd, o, w, "rate");
	c->yield = rd_bool(rd, o, w, "yield");
	c->inject_leak = (uint64_t)rd_int(rd, o, w, "inject_leak", 0, INT64_MAX);
	c->allow_open = rd_bool(rd, o, w, "allow_open");
	c->server_threads = (unsigned)rd_int(rd, o, w, "server_threads", 0, UINT32_MAX);
	s = rd_str(rd, o, w, "server_close", false);
	if (s && server_close_parse(s, &c->server_close))
		rd_bad(rd, w, "server_close", "unknown server-close mode '%s'", s);
	c->backlog = (int)rd_int(rd, o, w, "backlog", INT32_MIN, INT32_MAX);
	c->netns = rd_bool(rd, o, w, "netns");
	c->cgroup = rd_bool(rd, o, w, "cgroup");
	c->interval = rd_num(rd, o, w, "interval");
	c->baseline = rd_num(rd, o, w, "baseline");
	c->warmup = rd_num(rd, o, w, "warmup");
	c->quiesce_max = rd_num(rd, o, w, "quiesce_max");
	c->teardown = rd_bool(rd, o, w, "teardown");
	c->confirm = rd_bool(rd, o, w, "confirm");
	arr = rd_arr(rd, o, w, "fail_on", (size_t)-1);
	json_array_foreach(arr, i, item) {
		if (!json_is_string(item) || verdict_parse(json_string_value(item), &v)) {
			rd_bad(rd, w, "fail_on", "item %zu is not a verdict name", i);
			break;
		}
		c->fail_on |= 1u << v;
	}
}

static void load_columns(struct rd *rd, json_t *cols, struct series *s)
{
	char where[64];
	json_t *c;
	size_t j;

	json_array_foreach(cols, j, c) {
		const char *name, *note;
		enum metric_kind kind = MK_LEVEL;
		enum unit unit = UNIT_COUNT;
		struct metric_desc d;
		char buf[256];
		int idx;

		if (!rd_item(rd, c, "series.columns", j, where, sizeof(where)))
			return;
		name = rd_str(rd, c, where, "name", false);
		note = rd_str(rd, c, where, "note", true);
		RD_ENUM(rd, c, where, "unit", unit_parse, &unit, "count, bytes or us");
		RD_ENUM(rd, c, where, "kind", kind_parse, &kind, "level, counter or cost");
		if (rd->err)
			return;
		if (!*name || series_find(s, name) >= 0) {
			rd_bad(rd, where, "name", "'%s' is empty or not unique", name);
			return;
		}
		/* Schema 1 saved no descriptor: the catalog's shim reads it from the name. */
		metric_desc_v1(name, unit, kind, note, &d, buf, sizeof(buf));
		idx = series_add(s, name, &d);
		if (idx < 0) {
			rd->err = -ENOMEM;
			return;
		}
	}
}

static void load_series(struct rd *rd, json_t *o, struct series *s)
{
	const char *w = "series";
	json_t *t, *cyc, *ph, *cols, **vals = NULL;
	double *row = NULL;
	size_t i, j, n;
	char where[64];

	n = (size_t)rd_int(rd, o, w, "rows", 0, MAX_ROWS_LOADED);
	t = rd_arr(rd, o, w, "t", n);
	cyc = rd_arr(rd, o, w, "cycles", n);
	ph = rd_arr(rd, o, w, "phase", n);
	cols = rd_arr(rd, o, w, "columns", (size_t)-1);
	if (rd->err)
		return;
	/* Room for every row as saved, even from a series kept with a larger max_rows. */
	s->max_rows = (size_t)rd_int(rd, o, w, "max_rows", 4, MAX_ROWS_LOADED);
	if (s->max_rows < n)
		s->max_rows = n;
	s->max_rows += s->max_rows % 2;
	load_columns(rd, cols, s);
	if (rd->err)
		return;
	vals = calloc(s->ncols + 1, sizeof(*vals));
	row = calloc(s->ncols + 1, sizeof(*row));
	if (!vals || !row) {
		rd->err = -ENOMEM;
		goto out;
	}
	for (j = 0; j < s->ncols; j++) {
		snprintf(where, sizeof(where), "series.columns[%zu]", j);
		vals[j] = rd_arr(rd, json_array_get(cols, j), where, "values", n);
	}
	for (i = 0; i < n && !rd->err; i++) {
		enum phase p = PHASE_BASELINE;
		const char *pn = json_string_value(json_array_get(ph, i));
		double ti = 0, ci = 0;

		/* Places are spelled out only on error: a series may hold millions of values. */
		if (!number(json_array_get(t, i), &ti))
			rd_bad(rd, "series", NULL, "t[%zu]: expected a number", i);
		if (!number(json_array_get(cyc, i), &ci))
			rd_bad(rd, "series", NULL, "cycles[%zu]: expected a number", i);
		if (!pn || phase_parse(pn, &p))
			rd_bad(rd, "series", NULL, "phase[%zu]: expected %s", i, PHASES);
		for (j = 0; j < s->ncols; j++)
			if (!number(json_array_get(vals[j], i), &row[j]))
				rd_bad(rd, "series", NULL,
				       "columns[%zu].values[%zu]: expected a number or null", j, i);
		if (!rd->err && series_put_row(s, ti, ci, p, row))
			rd->err = -ENOMEM;
	}
	s->fold = (unsigned)rd_int(rd, o, w, "fold", 0, 63);
	s->samples = (uint64_t)rd_int(rd, o, w, "samples", 0, INT64_MAX);
out:
	free(vals);
	free(row);
}

static void load_phases(struct rd *rd, json_t *arr, struct series *s)
{
	char where[32];
	json_t *p;
	size_t i;

	if (json_array_size(arr) > SERIES_MAX_MARKS) {
		rd_bad(rd, "phases", NULL, "more than %d phases", SERIES_MAX_MARKS);
		return;
	}
	json_array_foreach(arr, i, p) {
		struct phase_mark *pm = &s->marks[i];

		if (!rd_item(rd, p, "phases", i, where, sizeof(where)))
			return;
		RD_ENUM(rd, p, where, "name", phase_parse, &pm->phase, PHASES);
		pm->t = rd_num(rd, p, where, "t");
		pm->cycles = (uint64_t)rd_int(rd, p, where, "cycles", 0, INT64_MAX);
		pm->row = (size_t)rd_int(rd, p, where, "row", 0, (int64_t)s->nrows);
		s->nmarks = i + 1;
		s->cur_phase = pm->phase;
	}
}

static void load_metric(struct rd *rd, json_t *o, const char *w, const struct series *s,
			struct metric_result *m)
{
	const char *name = rd_str(rd, o, w, "metric", false), *why;

	if (name && (m->col = series_find(s, name)) < 0)
		rd_bad(rd, w, "metric", "no column '%s' in series.columns", name);
	RD_ENUM(rd, o, w, "verdict", verdict_parse, &m->verdict, VERDICTS);
	why = rd_str(rd, o, w, "why", false);
	snprintf(m->why, sizeof(m->why), "%s", why ? why : "");
	m->baseline = rd_num(rd, o, w, "baseline");
	m->noise = rd_num(rd, o, w, "noise");
	m->peak = rd_num(rd, o, w, "peak");
	m->slope = rd_num(rd, o, w, "slope");
	m->slope_lo = rd_num(rd, o, w, "slope_lo");
	m->slope_hi = rd_num(rd, o, w, "slope_hi");
	m->slope_early = rd_num(rd, o, w, "slope_early");
	m->slope_late = rd_num(rd, o, w, "slope_late");
	m->residual = rd_num(rd, o, w, "residual");
	m->residual_per_cycle = rd_num(rd, o, w, "residual_per_cycle");
	m->after_teardown = rd_num(rd, o, w, "after_teardown");
	m->confidence = rd_num(rd, o, w, "confidence");
	m->cycles_to_decide = rd_num(rd, o, w, "cycles_to_decide");
	m->tw_explained = rd_bool(rd, o, w, "tw_explained");
	if (json_object_get(o, "role")) {
		const char *role = rd_str(rd, o, w, "role", false);
		int i;

		for (i = 0; role && i < ROLE_COUNT; i++)
			if (!strcmp(role, role_name((enum metric_role)i)))
				m->role = (enum metric_role)i;
	}
	if (json_object_get(o, "decisive"))
		m->decisive = rd_bool(rd, o, w, "decisive");
}

/* The pool-tag table as analysis made it; its columns found again by the cache's name. */
static void load_pools(struct rd *rd, json_t *o, const struct series *s, struct result *r)
{
	json_t *arr, *item;
	char where[48];
	size_t i;

	r->pools = rd_table(rd, o, "result", "pool_tags", sizeof(*r->pools), &arr);
	if (!r->pools)
		return;
	json_array_foreach(arr, i, item) {
		struct pool_row *p = &r->pools[i];

		if (!rd_item(rd, item, "result.pool_tags", i, where, sizeof(where)))
			return;
		rd_copy(rd, item, where, "cache", p->cache, sizeof(p->cache));
		RD_ENUM(rd, item, where, "verdict", verdict_parse, &p->verdict, VERDICTS);
		p->objs_per_cycle = rd_num(rd, item, where, "objects_per_cycle");
		p->bytes_per_cycle = rd_num(rd, item, where, "bytes_per_cycle");
		p->peak_objs = rd_num(rd, item, where, "peak_objects");
		p->peak_bytes = rd_num(rd, item, where, "peak_bytes");
		p->confidence = rd_num(rd, item, where, "confidence");
		p->objs_col = series_find_object(s, MC_SLAB_OBJS, p->cache);
		p->bytes_col = series_find_object(s, MC_SLAB_BYTES, p->cache);
		if (rd->err)
			return;
		r->npools = i + 1;
	}
}

static void load_result(struct rd *rd, json_t *o, const struct series *s, struct result *r)
{
	const char *w = "result";
	json_t *arr, *item;
	char where[48];
	size_t i;

	RD_ENUM(rd, o, w, "verdict", verdict_parse, &r->verdict, VERDICTS);
	r->cycles = (uint64_t)rd_int(rd, o, w, "cycles", 0, INT64_MAX);
	r->churn_seconds = rd_num(rd, o, w, "churn_seconds");
	r->quiesce_seconds = rd_num(rd, o, w, "quiesce_seconds");
	r->quiesce_stable = rd_bool(rd, o, w, "quiesce_stable");
	r->leaked_sockets_per_cycle = rd_num(rd, o, w, "leaked_sockets_per_cycle");
	r->injected_per_cycle = rd_num(rd, o, w, "injected_per_cycle");
	r->memcg_bytes_per_cycle = rd_num(rd, o, w, "memcg_bytes_per_cycle");
	r->verdict_col = -1;
	r->tw_recycled = r->tw_overflow = NAN;
	/* Written since the verdict was calibrated on real runs: older reports lack them. */
	if (json_object_get(o, "why"))
		rd_copy(rd, o, w, "why", r->why, sizeof(r->why));
	r->leaked_bytes_per_cycle = rd_num(rd, o, w, "leaked_bytes_per_cycle");
	r->leak_caches = (size_t)rd_int(rd, o, w, "leak_caches", 0, INT64_MAX);
	r->cycles_to_decide = rd_num(rd, o, w, "cycles_to_decide");
	if (json_object_get(o, "time_wait")) {
		json_t *tw = rd_obj(rd, o, w, "time_wait");
		const char *tww = "result.time_wait";

		if (tw) {
			r->tw_peak = rd_num(rd, tw, tww, "peak");
			r->tw_pending = rd_num(rd, tw, tww, "pending");
			r->tw_short_quiesce = rd_bool(rd, tw, tww, "short_quiesce");
			r->tw_capped = rd_bool(rd, tw, tww, "capped");
			r->tw_cap = rd_num(rd, tw, tww, "cap");
			r->tw_recycled = rd_num(rd, tw, tww, "recycled");
			r->tw_overflow = rd_num(rd, tw, tww, "overflow");
		}
	}
	if (json_object_get(o, "verdict_metric")) {
		const char *vm = rd_str(rd, o, w, "verdict_metric", true);

		r->verdict_col = vm ? series_find(s, vm) : -1;
	}
	load_pools(rd, o, s, r);
	if (rd->err || !(r->m = rd_table(rd, o, w, "metrics", sizeof(*r->m), &arr)))
		return;
	json_array_foreach(arr, i, item) {
		if (!rd_item(rd, item, "result.metrics", i, where, sizeof(where)))
			return;
		load_metric(rd, item, where, s, &r->m[i]);
		r->nm = i + 1;
	}
}

static void load_confirm(struct rd *rd, json_t *o, const struct series *s, struct confirm_result *c)
{
	const char *w = "confirm";
	json_t *arr, *item;
	char where[48];
	size_t i;

	RD_ENUM(rd, o, w, "verdict", verdict_parse, &c->verdict, VERDICTS);
	RD_ENUM(rd, o, w, "final", verdict_parse, &c->final, VERDICTS);
	c->confidence = rd_num(rd, o, w, "confidence");
	c->cycles_a = rd_num(rd, o, w, "cycles_a");
	c->cycles_b = rd_num(rd, o, w, "cycles_b");
	rd_copy(rd, o, w, "why", c->why, sizeof(c->why));
	if (rd->err || !(c->m = rd_table(rd, o, w, "metrics", sizeof(*c->m), &arr)))
		return;
	json_array_foreach(arr, i, item) {
		struct confirm_metric *m = &c->m[i];
		const char *name;

		if (!rd_item(rd, item, "confirm.metrics", i, where, sizeof(where)))
			return;
		name = rd_str(rd, item, where, "metric", false);
		if (name && (m->col_a = series_find(s, name)) < 0)
			rd_bad(rd, where, "metric", "'%s' is not a column of the series", name);
		m->col_b = -1;
		RD_ENUM(rd, item, where, "verdict", verdict_parse, &m->verdict, VERDICTS);
		m->confidence = rd_num(rd, item, where, "confidence");
		m->residual_a = rd_num(rd, item, where, "residual_a");
		m->residual_b = rd_num(rd, item, where, "residual_b");
		m->ratio = rd_num(rd, item, where, "ratio");
		m->expected = rd_num(rd, item, where, "expected");
		m->per_cycle = rd_num(rd, item, where, "per_cycle");
		if (rd->err)
			return;
		c->nm = i + 1;
	}
}

static json_t *load_file(struct rd *rd)
{
	json_error_t e;
	json_t *root;
	FILE *f;

	f = strcmp(rd->path, "-") ? fopen(rd->path, "r") : stdin;
	if (!f) {
		rd->err = -errno;
		sl_err("cannot read %s: %s", rd->path, strerror(errno));
		return NULL;
	}
	root = json_loadf(f, JSON_REJECT_DUPLICATES, &e);
	if (f != stdin)
		fclose(f);
	if (!root) {
		sl_err("%s:%d:%d: not valid JSON: %s (is it a sockleak JSON report?)", rd->path,
		       e.line, e.column, e.text);
		rd->err = -EINVAL;
	}
	return root;
}

/* The file must say it is ours, in the schema this build reads, before anything else is read. */
static bool check_schema(struct rd *rd, json_t *root)
{
	json_t *schema = json_object_get(root, "schema");
	const char *tool = json_string_value(json_object_get(root, "tool"));

	if (!json_is_object(root) || !schema || !tool || strcmp(tool, "sockleak")) {
		sl_err("%s: not a sockleak JSON report (expected an object with \"tool\": "
		       "\"sockleak\" and \"schema\"; write one with 'sockleak run --json FILE')",
		       rd->path);
		rd->err = -EINVAL;
		return false;
	}
	if (!json_is_integer(schema) || json_integer_value(schema) != REPORT_SCHEMA) {
		char *txt = json_dumps(schema, JSON_ENCODE_ANY);

		sl_err("%s: schema %s is not supported: this sockleak (%s) reads schema %d",
		       rd->path, txt ? txt : "?", SOCKLEAK_VERSION, REPORT_SCHEMA);
		free(txt);
		rd->err = -EINVAL;
		return false;
	}
	return true;
}

int report_json_load(const char *path, struct report_run *run)
{
	struct rd rd = { path, 0 };
	json_t *root, *o;

	memset(run, 0, sizeof(*run));
	series_init(&run->s, 0);
	run->path = strdup(path);
	if (!run->path)
		return -ENOMEM;
	root = load_file(&rd);
	if (!root || !check_schema(&rd, root))
		goto out;
	o = rd_obj(&rd, root, "", "series");
	if (o)
		load_series(&rd, o, &run->s);
	if (!rd.err && (o = rd_arr(&rd, root, "", "phases", (size_t)-1)))
		load_phases(&rd, o, &run->s);
	if (!rd.err && (o = rd_obj(&rd, root, "", "result")))
		load_result(&rd, o, &run->s, &run->r);
	if (!rd.err && (o = json_object_get(root, "config"))) {
		if (!json_is_object(o))
			rd_bad(&rd, "", "config", "expected an object");
		else
			load_config(&rd, o, &run->cfg);
		run->has_cfg = !rd.err;
	}
	if (!rd.err && (o = json_object_get(root, "machine"))) {
		if (!json_is_object(o))
			rd_bad(&rd, "", "machine", "expected an object");
		else
			load_machine(&rd, o, &run->m);
		run->has_machine = !rd.err;
	}
	if (!rd.err && (o = json_object_get(root, "confirm"))) {
		if (!json_is_object(o))
			rd_bad(&rd, "", "confirm", "expected an object");
		else
			load_confirm(&rd, o, &run->s, &run->confirm);
		run->has_confirm = !rd.err;
	}
	o = json_object_get(root, "engine");
	if (!rd.err && o && !json_is_object(o))
		rd_bad(&rd, "", "engine", "expected an object");
	else if (o)
		run->engine = json_incref(o);
	if (rd.err == -ENOMEM)
		sl_err("%s: out of memory while reading it", path);
out:
	json_decref(root);
	return rd.err;
}

void report_run_free(struct report_run *run)
{
	series_free(&run->s);
	result_free(&run->r);
	free((char *)run->cfg.sequence);
	free((char *)run->cfg.preset);
	free((char *)run->cfg.target);
	json_decref(run->engine);
	confirm_free(&run->confirm);
	free(run->path);
	memset(run, 0, sizeof(*run));
}

struct report_in report_run_in(const struct report_run *run)
{
	return (struct report_in){
		.s = &run->s,
		.r = &run->r,
		.cfg = run->has_cfg ? &run->cfg : NULL,
		.m = run->has_machine ? &run->m : NULL,
		.engine = run->engine,
		.confirm = run->has_confirm ? &run->confirm : NULL,
	};
}
