/* The JSON report's writer (schema 3): every object through its table, the series streamed. */
#include "report/report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "report/json_tables.h"
#include "report/json_attr.h"
#include "report/jw.h"
#include "report/out.h"

void report_json_machine(struct jw *w, const struct machine *m)
{
	jt_write(w, "machine", &jt_machine, m, NULL);
}

json_t *report_machine_value(const struct machine *m)
{
	char *text = NULL;
	size_t len = 0;
	json_t *doc = NULL, *v = NULL;
	FILE *f = open_memstream(&text, &len);
	struct jw w;

	if (!f)
		return NULL;
	jw_init(&w, f);
	jw_object(&w, NULL, false);
	report_json_machine(&w, m);
	jw_end(&w);
	if (!fclose(f) && !w.failed)
		doc = json_loadb(text, len, 0, NULL);
	free(text);
	if (doc)
		v = json_incref(json_object_get(doc, "machine"));
	json_decref(doc);
	return v;
}

void report_json_verdict_set(struct jw *w, const char *key, unsigned mask)
{
	unsigned v;

	jw_array(w, key, true);
	for (v = 0; v < VERDICT_COUNT; v++)
		if (mask & (1u << v))
			jw_str(w, NULL, verdict_name((enum verdict)v));
	jw_end(w);
}

static void write_phases(struct jw *w, const struct series *s)
{
	size_t i;

	jw_array(w, "phases", false);
	for (i = 0; i < s->nmarks; i++)
		jt_write(w, NULL, &jt_phase, &s->marks[i], s);
	jw_end(w);
}

/*
 * A column that never moved, every sample it has the same number, is written as that one "value"
 * instead of its "values" (unless full is set). When it lacks a sample in some rows but not all,
 * "sampled" names the pattern of rows that have one: an index into series.sampled, one string of
 * '1' (a sample) and '0' (none: null) a row, shared by the columns a probe sampled alike. The
 * loader fills the rows back, so nothing is lost. A value jw_num writes as null is no sample.
 */
struct compact {
	int *pat; /* per column: -1 its "values"; -2 one "value" in every row (or none); else k */
	size_t *rep; /* per pattern: a column that has it */
	size_t npat, nconst;
};

static bool same_rows(const struct series *s, const double *a, const double *b)
{
	size_t i;

	for (i = 0; i < s->nrows; i++)
		if (isfinite(a[i]) != isfinite(b[i]))
			return false;
	return true;
}

static int compact_column(const struct series *s, struct compact *k, size_t j)
{
	const double *v = s->cols[j].v;
	size_t i, n = 0, first = 0;

	for (i = 0; i < s->nrows; i++) {
		if (!isfinite(v[i]))
			continue;
		if (!n++)
			first = i;
		else if (v[i] != v[first])
			return -1;
	}
	k->nconst++;
	if (n == 0 || n == s->nrows)
		return -2;
	for (i = 0; i < k->npat; i++)
		if (same_rows(s, v, s->cols[k->rep[i]].v))
			return (int)i;
	k->rep[k->npat] = j;
	return (int)k->npat++;
}

static double column_value(const struct series *s, const double *v)
{
	size_t i;

	for (i = 0; i < s->nrows; i++)
		if (isfinite(v[i]))
			return v[i];
	return NAN;
}

static void write_series(struct jw *w, const struct series *s, bool full)
{
	struct compact k = { calloc(s->ncols + 1, sizeof(int)),
			     calloc(s->ncols + 1, sizeof(size_t)) };
	size_t i, j;
	char *row = malloc(s->nrows + 1);

	if (!k.pat || !k.rep || !row) {
		w->failed = true;
		goto out;
	}
	for (j = 0; j < s->ncols; j++)
		k.pat[j] = full ? -1 : compact_column(s, &k, j);
	jw_object(w, "series", false);
	jw_int(w, "rows", (int64_t)s->nrows);
	jw_int(w, "max_rows", (int64_t)s->max_rows);
	jw_int(w, "fold", s->fold);
	jw_int(w, "samples", (int64_t)s->samples);
	jw_int(w, "constant_columns", (int64_t)k.nconst);
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
	jw_array(w, "sampled", false);
	for (j = 0; j < k.npat; j++) {
		for (i = 0; i < s->nrows; i++)
			row[i] = isfinite(s->cols[k.rep[j]].v[i]) ? '1' : '0';
		row[s->nrows] = '\0';
		jw_str(w, NULL, row);
	}
	jw_end(w);
	jw_array(w, "columns", false);
	for (j = 0; j < s->ncols; j++) {
		const struct series_col *c = &s->cols[j];

		jw_object(w, NULL, true);
		jt_write_fields(w, &jt_column, c, s);
		if (k.pat[j] == -1) {
			jw_array(w, "values", true);
			for (i = 0; i < s->nrows; i++)
				jw_num(w, NULL, c->v[i]);
			jw_end(w);
		} else {
			jw_num(w, "value", column_value(s, c->v));
			if (k.pat[j] >= 0)
				jw_int(w, "sampled", k.pat[j]);
		}
		jw_end(w);
	}
	jw_end(w);
	jw_end(w);
out:
	free(k.pat);
	free(k.rep);
	free(row);
}

int report_json_write(FILE *f, const struct report_in *in)
{
	struct jw w;

	jw_init(&w, f);
	jw_object(&w, NULL, false);
	jw_int(&w, "schema", REPORT_SCHEMA);
	jw_str(&w, "tool", "sockleak");
	jw_str(&w, "kind", "run");
	jw_str(&w, "version", SOCKLEAK_VERSION);
	if (in->m)
		report_json_machine(&w, in->m);
	if (in->cfg)
		jt_write(&w, "config", &jt_config, in->cfg, NULL);
	write_phases(&w, in->s);
	jt_write(&w, "result", &jt_result, in->r, in->s);
	if (in->confirm)
		jt_write(&w, "confirm", &jt_confirm, in->confirm, in->s);
	if (in->facts)
		jt_write(&w, "run", &jt_facts, in->facts, in->s);
	if (in->engine)
		jw_json(&w, "engine", in->engine);
	report_json_attribution(&w, in->s, in->attr);
	/* Last, so that the readable part comes first in the file. */
	write_series(&w, in->s, in->full_series);
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
					 (int)op, "errno", engine_errno_code((unsigned)e), "name",
					 engine_errno_name((unsigned)e, nbuf, sizeof(nbuf)),
					 "count", (json_int_t)st->errors[op][e]);
			if (json_array_append_new(errs, item))
				goto fail;
		}
	}
	if (json_object_set_new(o, "errors", errs))
		goto fail_o;
	/* Sockets a sequence left open (--allow-open) and the fd store's cap on them. */
	if (json_object_set_new(o, "left_open", json_integer((json_int_t)st->left_open)) ||
	    json_object_set_new(o, "leak_capped", json_boolean(st->leak_capped)) ||
	    json_object_set_new(o, "park_cap", json_integer((json_int_t)st->park_cap)) ||
	    json_object_set_new(o, "capped_at_cycle",
				st->leak_capped ? json_integer((json_int_t)st->capped_at) :
						  json_null()) ||
	    json_object_set_new(o, "closed_over_cap",
				json_integer((json_int_t)st->closed_over_cap)))
		goto fail_o;
	/* dontwait ops that would have blocked: counted, not failures. */
	errs = json_array();
	for (op = 0; errs && op < ENGINE_MAX_OPS && op < nops; op++) {
		if (!st->wouldblock[op])
			continue;
		if (json_array_append_new(errs,
					  json_pack("{s:s, s:i, s:I}", "op",
						    op_names && op_names[op] ? op_names[op] : "?",
						    "op_index", (int)op, "count",
						    (json_int_t)st->wouldblock[op])))
			goto fail;
	}
	if (!errs || json_object_set_new(o, "would_block", errs))
		goto fail_o;
	return o;
fail:
	json_decref(errs);
fail_o:
	json_decref(o);
	return NULL;
}
