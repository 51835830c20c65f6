/*
 * The JSON report's loader: schemas 2 and 3 through the tables the writer uses (3 gives a column
 * that never moved as that one "value" and the pattern of its rows), and schema 1, whose columns
 * carry no descriptor: the catalog's shim (metric_desc_v1) describes them by name.
 */
#include "report/json_attr.h"
#include "report/report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "report/json_tables.h"

#define MAX_ROWS_LOADED (1u << 22) /* far above any series a run keeps (SERIES_DEFAULT_ROWS) */
#define OLDEST_SCHEMA 1

/* A column's name and descriptor as the file has them; the shim fills an old file's. */
static int add_column(struct jt_reader *rd, struct series_col *c, const char *where,
		      struct series *s)
{
	struct metric_desc v1;
	char buf[256];
	int idx;

	if (!c->name || !*c->name || series_find(s, c->name) >= 0) {
		jt_bad(rd, where, "name", "'%s' is empty or not unique", c->name ? c->name : "");
		return rd->err;
	}
	if (rd->schema < 2) {
		metric_desc_v1(c->name, c->d.unit, c->d.kind, c->d.note, &v1, buf, sizeof(buf));
		idx = series_add(s, c->name, &v1);
	} else {
		idx = series_add(s, c->name, &c->d);
	}
	return idx < 0 ? (rd->err = idx) : 0;
}

static void free_column(struct series_col *c)
{
	free(c->name);
	free((char *)c->d.note);
	free((char *)c->d.source);
	free((char *)c->d.object);
	free((char *)c->d.holds);
	memset(c, 0, sizeof(*c));
}

static void load_columns(struct jt_reader *rd, json_t *cols, struct series *s)
{
	struct series_col c;
	char where[64];
	json_t *item;
	size_t j;

	json_array_foreach(cols, j, item) {
		snprintf(where, sizeof(where), "series.columns[%zu]", j);
		if (!json_is_object(item))
			return jt_bad(rd, where, NULL, "expected an object");
		memset(&c, 0, sizeof(c));
		jt_read(rd, item, where, &jt_column, &c);
		if (!rd->err)
			add_column(rd, &c, where, s);
		free_column(&c);
		if (rd->err)
			return;
	}
}

/* Schema 3's series.sampled: one string a pattern, a '1' for each row with a sample, else '0'. */
static void load_patterns(struct jt_reader *rd, json_t *o, size_t n, json_t **out)
{
	json_t *arr = jt_array(rd, o, "series", "sampled", (size_t)-1), *e;
	char where[48];
	size_t i;

	json_array_foreach(arr, i, e) {
		const char *p = json_string_value(e);

		snprintf(where, sizeof(where), "series.sampled[%zu]", i);
		if (!p || strlen(p) != n || strspn(p, "01") != n)
			return jt_bad(rd, where, NULL,
				      "expected a string of %zu '0' or '1' (a row each)", n);
	}
	*out = arr;
}

static void load_series(struct jt_reader *rd, json_t *o, struct series *s)
{
	const char *w = "series";
	json_t *t, *cyc, *ph, *cols, *pats = NULL, **vals = NULL;
	double *row = NULL, *cst = NULL;
	const char **pat = NULL; /* per column: its rows with a sample ('1'), NULL: all */
	size_t i, j, n, nconst = 0;
	char where[64];

	n = (size_t)jt_int(rd, o, w, "rows", 0, MAX_ROWS_LOADED);
	t = jt_array(rd, o, w, "t", n);
	cyc = jt_array(rd, o, w, "cycles", n);
	ph = jt_array(rd, o, w, "phase", n);
	cols = jt_array(rd, o, w, "columns", (size_t)-1);
	if (rd->err)
		return;
	/* Room for every row as saved, even from a series kept with a larger max_rows. */
	s->max_rows = (size_t)jt_int(rd, o, w, "max_rows", 4, MAX_ROWS_LOADED);
	if (s->max_rows < n)
		s->max_rows = n;
	s->max_rows += s->max_rows % 2;
	load_columns(rd, cols, s);
	if (rd->err)
		return;
	vals = calloc(s->ncols + 1, sizeof(*vals));
	row = calloc(s->ncols + 1, sizeof(*row));
	cst = calloc(s->ncols + 1, sizeof(*cst));
	pat = calloc(s->ncols + 1, sizeof(*pat));
	if (!vals || !row || !cst || !pat) {
		rd->err = -ENOMEM;
		goto out;
	}
	if (rd->schema >= 3)
		load_patterns(rd, o, n, &pats);
	for (j = 0; j < s->ncols && !rd->err; j++) {
		json_t *item = json_array_get(cols, j), *one = json_object_get(item, "value");

		snprintf(where, sizeof(where), "series.columns[%zu]", j);
		/* Schema 3: a column whose samples all hold the same number has that one value. */
		if (rd->schema >= 3 && one && !json_object_get(item, "values")) {
			vals[j] = NULL;
			if (!jt_number(one, &cst[j]))
				jt_bad(rd, where, "value", "expected a number or null");
			else if (json_object_get(item, "sampled"))
				pat[j] = json_string_value(json_array_get(
					pats, (size_t)jt_int(rd, item, where, "sampled", 0,
							     (int64_t)json_array_size(pats) - 1)));
			nconst++;
		} else {
			vals[j] = jt_array(rd, item, where, "values", n);
		}
	}
	if (!rd->err && rd->schema >= 3) {
		int64_t k = jt_int(rd, o, w, "constant_columns", 0, INT64_MAX);

		if (!rd->err && (uint64_t)k != nconst)
			jt_bad(rd, w, "constant_columns",
			       "%lld, but %zu columns have one \"value\"", (long long)k, nconst);
	}
	for (i = 0; i < n && !rd->err; i++) {
		enum phase p = PHASE_BASELINE;
		const char *pn = json_string_value(json_array_get(ph, i));
		double ti = 0, ci = 0;

		/* Places are spelled out only on error: a series may hold millions of values. */
		if (!jt_number(json_array_get(t, i), &ti))
			jt_bad(rd, "series", NULL, "t[%zu]: expected a number", i);
		if (!jt_number(json_array_get(cyc, i), &ci))
			jt_bad(rd, "series", NULL, "cycles[%zu]: expected a number", i);
		if (!pn || phase_parse(pn, &p))
			jt_bad(rd, "series", NULL,
			       "phase[%zu]: expected baseline, warmup, churn, quiesce or teardown",
			       i);
		for (j = 0; j < s->ncols; j++)
			if (!vals[j])
				row[j] = !pat[j] || pat[j][i] == '1' ? cst[j] : NAN;
			else if (!jt_number(json_array_get(vals[j], i), &row[j]))
				jt_bad(rd, "series", NULL,
				       "columns[%zu].values[%zu]: expected a number or null", j, i);
		if (!rd->err && series_put_row(s, ti, ci, p, row))
			rd->err = -ENOMEM;
	}
	/* Each row averages up to 2^fold samples; renderers shift by it. */
	s->fold = (unsigned)jt_int(rd, o, w, "fold", 0, 31);
	s->samples = (uint64_t)jt_int(rd, o, w, "samples", 0, INT64_MAX);
out:
	free(vals);
	free(row);
	free(cst);
	free(pat);
}

/*
 * What the writer makes of a series, beyond each value's type: times and cycle counts that are
 * numbers and never go back, phases in their order, as many samples as the rows and folds hold.
 */
static void check_series(struct jt_reader *rd, const struct series *s)
{
	size_t i;

	for (i = 0; i < s->nrows && !rd->err; i++) {
		if (!isfinite(s->t[i]) || s->t[i] < 0)
			jt_bad(rd, "series", NULL, "t[%zu]: expected seconds of 0 or more", i);
		else if (i && s->t[i] < s->t[i - 1])
			jt_bad(rd, "series", NULL, "t[%zu]: %g comes before the row above (%g)", i,
			       s->t[i], s->t[i - 1]);
		else if (!isfinite(s->cycles[i]) || s->cycles[i] < 0)
			jt_bad(rd, "series", NULL, "cycles[%zu]: expected a count of 0 or more", i);
		else if (i && s->cycles[i] < s->cycles[i - 1])
			jt_bad(rd, "series", NULL,
			       "cycles[%zu]: %.17g is below the row above (%.17g)", i, s->cycles[i],
			       s->cycles[i - 1]);
		else if (i && s->phase[i] < s->phase[i - 1])
			jt_bad(rd, "series", NULL,
			       "phase[%zu]: %s after %s (phases run baseline, warmup, churn, "
			       "quiesce, teardown)",
			       i, phase_name(s->phase[i]), phase_name(s->phase[i - 1]));
	}
	if (rd->err)
		return;
	if (s->samples < s->nrows)
		jt_bad(rd, "series", "samples", "%llu is fewer than the %zu rows",
		       (unsigned long long)s->samples, s->nrows);
	else if (s->fold && s->samples < 1ull << s->fold)
		jt_bad(rd, "series", "samples",
		       "%llu is fewer than one row of fold %u holds (%llu)",
		       (unsigned long long)s->samples, s->fold, 1ull << s->fold);
}

/* Phases in their order, one after the other: none starts before the one before it. */
static void check_phases(struct jt_reader *rd, const struct series *s)
{
	char where[32];
	size_t i;

	for (i = 0; i < s->nmarks && !rd->err; i++) {
		const struct phase_mark *pm = &s->marks[i], *prev = i ? pm - 1 : NULL;

		snprintf(where, sizeof(where), "phases[%zu]", i);
		if (!isfinite(pm->t))
			jt_bad(rd, where, "t", "expected seconds of 0 or more");
		else if (!prev)
			continue;
		else if (pm->phase < prev->phase)
			jt_bad(rd, where, "name",
			       "%s after %s (phases run baseline, warmup, churn, quiesce, teardown)",
			       phase_name(pm->phase), phase_name(prev->phase));
		else if (pm->t < prev->t)
			jt_bad(rd, where, "t", "%g is before the start of %s (%g): phases overlap",
			       pm->t, phase_name(prev->phase), prev->t);
		else if (pm->row < prev->row)
			jt_bad(rd, where, "row", "%zu is before the first row of %s (%zu)", pm->row,
			       phase_name(prev->phase), prev->row);
		else if (pm->cycles < prev->cycles)
			jt_bad(rd, where, "cycles", "%llu is below %s's (%llu)",
			       (unsigned long long)pm->cycles, phase_name(prev->phase),
			       (unsigned long long)prev->cycles);
	}
}

static void load_phases(struct jt_reader *rd, json_t *arr, struct series *s)
{
	char where[32];
	json_t *item;
	size_t i;

	if (json_array_size(arr) > SERIES_MAX_MARKS)
		return jt_bad(rd, "phases", NULL, "more than %d phases", SERIES_MAX_MARKS);
	json_array_foreach(arr, i, item) {
		struct phase_mark *pm = &s->marks[i];

		snprintf(where, sizeof(where), "phases[%zu]", i);
		if (!json_is_object(item))
			return jt_bad(rd, where, NULL, "expected an object");
		jt_read(rd, item, where, &jt_phase, pm);
		if (!rd->err && pm->row > s->nrows)
			jt_bad(rd, where, "row", "%zu is out of range [0, %zu]", pm->row, s->nrows);
		if (rd->err)
			return;
		s->nmarks = i + 1;
		s->cur_phase = pm->phase;
	}
}

static void load_result(struct jt_reader *rd, json_t *o, const struct series *s, struct result *r)
{
	size_t i;

	r->verdict_col = r->socket_col = r->drift_col = -1;
	r->socket_divisor = 1;
	r->tw_recycled = r->tw_overflow = NAN;
	r->unseen_cycles = 0;
	/* A file without a server object watched none. */
	r->server.fds_col = r->server.close_wait_col = r->server.rss_col = -1;
	r->server.fds_per_cycle = r->server.close_wait_per_cycle = r->server.rss_per_cycle = NAN;
	jt_read(rd, o, "result", &jt_result, r);
	/* A report without the verdict's reason: the one of the metric that made it. */
	for (i = 0; !json_object_get(o, "reason") && r->verdict_col >= 0 && i < r->nm; i++)
		if (r->m[i].col == r->verdict_col)
			r->reason = r->m[i].reason;
	/* Schema 1 named a pool row's cache only: its columns are that cache's. */
	for (i = 0; rd->schema < 2 && i < r->npools; i++) {
		r->pools[i].objs_col = series_find_object(s, MC_SLAB_OBJS, r->pools[i].cache);
		r->pools[i].bytes_col = series_find_object(s, MC_SLAB_BYTES, r->pools[i].cache);
	}
}

static json_t *load_file(struct jt_reader *rd, FILE *in)
{
	json_error_t e;
	json_t *root;
	FILE *f = in;

	if (!f)
		f = strcmp(rd->path, "-") ? fopen(rd->path, "r") : stdin;
	if (!f) {
		rd->err = -errno;
		sl_err("cannot read %s: %s", rd->path, strerror(errno));
		return NULL;
	}
	root = json_loadf(f, JSON_REJECT_DUPLICATES, &e);
	if (f != stdin && f != in)
		fclose(f);
	if (!root) {
		sl_err("%s:%d:%d: not valid JSON: %s (is it a sockleak JSON report?)", rd->path,
		       e.line, e.column, e.text);
		rd->err = -EINVAL;
	}
	return root;
}

/* The file must say it is ours, in a schema this build reads, before anything else is read. */
static bool check_schema(struct jt_reader *rd, json_t *root)
{
	json_t *schema = json_object_get(root, "schema");
	const char *tool = json_string_value(json_object_get(root, "tool"));
	/* Files written before "kind" existed are runs. */
	const char *kind = json_string_value(json_object_get(root, "kind"));

	if (!json_is_object(root) || !schema || !tool || strcmp(tool, "sockleak")) {
		sl_err("%s: not a sockleak JSON report (expected an object with \"tool\": "
		       "\"sockleak\" and \"schema\"; write one with 'sockleak run --json FILE')",
		       rd->path);
		rd->err = -EINVAL;
		return false;
	}
	if (kind && strcmp(kind, "run")) {
		/* Another kind of report (a sweep's, a comparison): say what to use instead. */
		if (!strcmp(kind, "sweep"))
			sl_err("%s is a sweep report, not a run: each variant's run is in the "
			       "directory of sweep --json-dir (report or compare those); "
			       "'sockleak merge' joins sweep reports, and sweep --html draws them",
			       rd->path);
		else if (!strcmp(kind, "compare"))
			sl_err("%s is a comparison (sockleak compare --json), not a run: give the "
			       "runs it compared",
			       rd->path);
		else
			sl_err("%s is a '%s' report, not a run ('sockleak run --json FILE' writes "
			       "one)",
			       rd->path, kind);
		rd->err = -EINVAL;
		return false;
	}
	if (!json_is_integer(schema) || json_integer_value(schema) < OLDEST_SCHEMA ||
	    json_integer_value(schema) > REPORT_SCHEMA) {
		char *txt = json_dumps(schema, JSON_ENCODE_ANY);

		sl_err("%s: schema %s is not supported: this sockleak (%s) reads schemas %d to %d",
		       rd->path, txt ? txt : "?", SOCKLEAK_VERSION, OLDEST_SCHEMA, REPORT_SCHEMA);
		free(txt);
		rd->err = -EINVAL;
		return false;
	}
	rd->schema = (int)json_integer_value(schema);
	return true;
}

/* An optional object of the report, read through its table: whether it was there and good. */
static bool load_part(struct jt_reader *rd, json_t *root, const char *key, const struct jtable *t,
		      void *base)
{
	json_t *o = json_object_get(root, key);

	if (rd->err || !o)
		return false;
	if (!json_is_object(o)) {
		jt_bad(rd, "", key, "expected an object");
		return false;
	}
	jt_read(rd, o, key, t, base);
	return !rd->err;
}

int report_json_load(const char *path, struct report_run *run)
{
	return report_json_load_from(NULL, path, run);
}

int report_json_load_from(FILE *f, const char *path, struct report_run *run)
{
	struct jt_reader rd = { .path = path };
	json_t *root, *o;

	memset(run, 0, sizeof(*run));
	series_init(&run->s, 0);
	run->path = strdup(path);
	if (!run->path)
		return -ENOMEM;
	root = load_file(&rd, f);
	if (!root || !check_schema(&rd, root))
		goto out;
	run->schema = rd.schema;
	rd.s = &run->s;
	o = jt_object(&rd, root, "", "series");
	if (o)
		load_series(&rd, o, &run->s);
	if (!rd.err)
		check_series(&rd, &run->s);
	if (!rd.err && (o = jt_array(&rd, root, "", "phases", (size_t)-1)))
		load_phases(&rd, o, &run->s);
	if (!rd.err)
		check_phases(&rd, &run->s);
	if (!rd.err && (o = jt_object(&rd, root, "", "result")))
		load_result(&rd, o, &run->s, &run->r);
	run->has_cfg = load_part(&rd, root, "config", &jt_config, &run->cfg);
	run->has_machine = load_part(&rd, root, "machine", &jt_machine, &run->m);
	run->has_confirm = load_part(&rd, root, "confirm", &jt_confirm, &run->confirm);
	run->has_facts = load_part(&rd, root, "run", &jt_facts, &run->facts);
	if (!rd.err && (o = json_object_get(root, "attribution")))
		run->has_attr = !report_json_load_attribution(&rd, o, &run->attr);
	o = json_object_get(root, "engine");
	if (!rd.err && o && !json_is_object(o))
		jt_bad(&rd, "", "engine", "expected an object");
	else if (!rd.err && o)
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
	config_sysctls_free(&run->cfg);
	jt_free(&jt_config, &run->cfg);
	json_decref(run->engine);
	confirm_free(&run->confirm);
	attribution_free(&run->attr);
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
		.facts = run->has_facts ? &run->facts : NULL,
		.attr = run->has_attr ? &run->attr : NULL,
	};
}
