/* Unit tests for src/report/sweep_json.c and sweep_merge.c: sweep reports read back, and merged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "report/machine.h"
#include "report/sweep_merge.h"
#include "report/sweep_report.h"
#include "run/sweep.h"

/* A sweep as a CLI makes it: tcp,udp x kb171996,abort (udp abort skipped), results filled. */
struct fixture {
	struct sweep s;
	struct sweep_plan plan;
	struct machine m;
	struct sweep_summary sum;
};

static void make(struct fixture *fx, const char *settings, unsigned shard, unsigned shards,
		 const char *kernel)
{
	static const enum verdict verdicts[] = { VERDICT_BOUNDED, VERDICT_LEAK, VERDICT_CLEAN,
						 VERDICT_CLEAN };
	struct sweep_axes a = { 0 };
	struct sweep_plan_in in = { 120, 4, -1, -1, -1, 3 };
	char why[256];
	size_t i;

	memset(fx, 0, sizeof(*fx));
	assert_int_equal(sweep_parse_presets(&a, "kb171996,abort", why, sizeof(why)), 0);
	assert_int_equal(sweep_parse_transports(&a, "tcp,udp", why, sizeof(why)), 0);
	assert_int_equal(sweep_expand(&a, &fx->s), 0);
	sweep_axes_free(&a);
	assert_int_equal(sweep_matrix_set(&fx->s, settings), 0);
	assert_int_equal(fx->s.v[3].status, VS_SKIPPED);
	if (shards)
		sweep_shard(&fx->s, shard, shards);
	for (i = 0; i < fx->s.n; i++) {
		struct sweep_variant *v = &fx->s.v[i];

		snprintf(v->kernel, sizeof(v->kernel), "%s", kernel);
		if (v->status == VS_SKIPPED)
			continue;
		v->status = VS_DONE;
		v->verdict = verdicts[v->index - 1];
		v->fails = v->verdict >= VERDICT_BACKLOG;
		v->cycles = 1000 * v->index;
		v->cycles_per_second = 500.5 * (double)v->index;
		snprintf(v->metric, sizeof(v->metric), "sockstat.sockets.used");
		v->unit = UNIT_COUNT;
		v->peak = 10.0 * (double)v->index;
		v->residual_per_cycle = 0.001 * (double)v->index;
		v->leaked_sockets_per_cycle = 0.001;
		v->leaked_bytes_per_cycle = 12.5;
		v->churn_seconds = 5;
		v->quiesce_seconds = 2.25;
		v->settled = v->index % 2;
		v->elapsed = 9.5;
		snprintf(v->why, sizeof(v->why), "why %zu", v->index);
		snprintf(v->json, sizeof(v->json), "%02zu-run.json", v->index);
	}
	assert_int_equal(sweep_plan(&in, &fx->plan, why, sizeof(why)), 0);
	machine_init(&fx->m, "");
	snprintf(fx->m.kernel, sizeof(fx->m.kernel), "%s", kernel);
	fx->sum.s = &fx->s;
	fx->sum.plan = &fx->plan;
	fx->sum.m = &fx->m;
	fx->sum.budget = 120;
	fx->sum.elapsed = 40;
	fx->sum.fail_on = 1u << VERDICT_BACKLOG | 1u << VERDICT_LEAK;
	fx->sum.finished = true;
	fx->sum.json_dir = "runs";
	sweep_summarise(&fx->sum);
	fx->sum.exit_code = fx->sum.failing ? 1 : 0;
}

static char *text_of(void (*fn)(FILE *, const struct sweep_summary *),
		     const struct sweep_summary *s)
{
	char *buf = NULL, *out;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, s);
	fclose(f);
	out = strdup(buf);
	free(buf);
	return out;
}

static void json_to(FILE *f, const struct sweep_summary *s)
{
	assert_int_equal(sweep_json_write(f, s), 0);
}

/* Every file the tests wrote, removed at the end. */
static char saved_paths[64][256];
static size_t nsaved;

/* Writes the fixture's JSON to a file of its own; the path is static until the next call. */
static const char *save(const struct sweep_summary *sum, const char *name)
{
	static char path[4][256];
	static int k;
	char *text = text_of(json_to, sum);
	FILE *f;

	k = (k + 1) % 4;
	snprintf(path[k], sizeof(path[k]), "/tmp/sockleak-test-merge.%d.%s.json", (int)getpid(),
		 name);
	if (nsaved < 64)
		snprintf(saved_paths[nsaved++], sizeof(saved_paths[0]), "%s", path[k]);
	f = fopen(path[k], "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(text);
	return path[k];
}

static void save_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* What is written is what is read: the same JSON again, and the same table. */
static void test_round_trip(void **state)
{
	struct fixture fx;
	struct sweep_doc d;
	const char *path;
	char *a, *b, *ta, *tb;

	(void)state;
	make(&fx, "threads=1", 2, 3, "6.18.44");
	fx.sum.signal = 15;
	snprintf(fx.sum.stopped, sizeof(fx.sum.stopped), "interrupted by signal 15");
	path = save(&fx.sum, "rt");
	assert_int_equal(sweep_report_load(path, &d), 0);
	assert_string_equal(d.version, SOCKLEAK_VERSION);
	assert_string_equal(d.s.matrix.id, fx.s.matrix.id);
	assert_int_equal(d.s.matrix.shard, 2);
	assert_int_equal(d.s.matrix.shards, 3);
	assert_int_equal(d.s.matrix.size, 4);
	assert_int_equal(d.s.n, 1);
	assert_int_equal(d.s.v[0].index, 2);
	assert_string_equal(d.s.v[0].name, "tcp abort");
	assert_string_equal(d.s.v[0].kernel, "6.18.44");
	assert_string_equal(d.json_dir, "runs");
	assert_int_equal(d.sum.signal, 15);
	assert_true(d.has_machine);
	a = text_of(json_to, &fx.sum);
	b = text_of(json_to, &d.sum);
	assert_string_equal(a, b);
	ta = text_of(sweep_table, &fx.sum);
	tb = text_of(sweep_table, &d.sum);
	assert_string_equal(ta, tb);
	/* The shard's slice and what it lacks of it: nothing. */
	assert_non_null(strstr(ta, "Shard 2 of 3: 1 of the matrix's 4 variants"));
	assert_null(strstr(ta, "Missing"));
	free(a);
	free(b);
	free(ta);
	free(tb);
	sweep_doc_free(&d);
	unlink(path);
	sweep_free(&fx.s);
}

/* What the writer cannot make is refused, with the file and the place. */
static void test_load_refused(void **state)
{
	static const struct {
		const char *from, *to, *said;
	} bad[] = {
		{ "\"kind\": \"sweep\"", "\"kind\": \"run\"", "a run report, not a sweep's" },
		{ "\"status\": \"skipped\"", "\"status\": \"gone\"", "unknown status 'gone'" },
		{ "\"index\": 4", "\"index\": 9", "9 is not in the matrix" },
		{ "\"measured\": 3,", "\"measured\": 4,", "expected 3, what variants[] holds" },
		{ "\"schema\": 1", "\"schema\": 7", "sweep schema 7 is not supported" },
	};
	struct fixture fx;
	struct sweep_doc d;
	char *text, *at, *err = NULL, *edited;
	const char *path;
	size_t i, len = 0;
	FILE *saved, *mem;
	int r;

	(void)state;
	make(&fx, "", 0, 0, "6.18.44");
	text = text_of(json_to, &fx.sum);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		at = strstr(text, bad[i].from);
		assert_non_null(at);
		edited = malloc(strlen(text) + 64);
		sprintf(edited, "%.*s%s%s", (int)(at - text), text, bad[i].to,
			at + strlen(bad[i].from));
		path = save(&fx.sum, "bad");
		save_text(path, edited);
		mem = open_memstream(&err, &len);
		saved = stderr;
		stderr = mem;
		r = sweep_report_load(path, &d);
		stderr = saved;
		fclose(mem);
		if (r != -EINVAL || !strstr(err, bad[i].said) || !strstr(err, path))
			fail_msg("%s -> %s: %d, said '%s'", bad[i].from, bad[i].to, r, err);
		sweep_doc_free(&d);
		free(err);
		free(edited);
		unlink(path);
	}
	free(text);
	sweep_free(&fx.s);
}

struct merged {
	struct sweep_doc docs[4];
	size_t n;
	struct sweep_merged m;
	char why[1024];
	char *err; /* what went to stderr */
};

static int merge_paths(struct merged *mg, const char **paths, size_t n, bool force)
{
	struct merge_opts o = { .force = force };
	size_t i, len = 0;
	FILE *mem, *saved = stderr;
	int r;

	memset(mg, 0, sizeof(*mg));
	for (i = 0; i < n; i++)
		assert_int_equal(sweep_report_load(paths[i], &mg->docs[i]), 0);
	mg->n = n;
	mem = open_memstream(&mg->err, &len);
	stderr = mem;
	r = sweep_merge(mg->docs, n, &o, &mg->m, mg->why, sizeof(mg->why));
	stderr = saved;
	fclose(mem);
	return r;
}

static void merged_free(struct merged *mg)
{
	size_t i;

	sweep_merged_free(&mg->m);
	for (i = 0; i < mg->n; i++)
		sweep_doc_free(&mg->docs[i]);
	free(mg->err);
}

/* Table rows alone (the lines that start with a variant's number). */
static char *rows_of(const char *table)
{
	char *out = calloc(1, strlen(table) + 1), *o = out;
	const char *p = table;

	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p + 1) : strlen(p);

		if (n > 5 && p[3] >= '0' && p[3] <= '9' && p[4] == ' ') {
			memcpy(o, p, n);
			o += n;
		}
		p += n;
	}
	return out;
}

/* The shards of a sweep merged: the whole sweep's table, numbers and all. */
static void test_merge_shards(void **state)
{
	struct fixture whole, s1, s2, s3;
	const char *paths[3];
	struct merged mg;
	char *tw, *tm, *rw, *rm;

	(void)state;
	make(&whole, "t", 0, 0, "6.18.44");
	make(&s1, "t", 1, 3, "6.18.44");
	make(&s2, "t", 2, 3, "6.18.44");
	make(&s3, "t", 3, 3, "6.18.44");
	paths[0] = save(&s3.sum, "s3");
	paths[1] = save(&s1.sum, "s1");
	paths[2] = save(&s2.sum, "s2");
	assert_int_equal(merge_paths(&mg, paths, 3, false), 0);
	assert_true(mg.m.same_matrix);
	assert_int_equal(mg.m.s.n, 4);
	assert_string_equal(mg.m.s.matrix.id, whole.s.matrix.id);
	assert_int_equal(mg.m.s.matrix.shards, 0);
	assert_int_equal(sweep_missing(&mg.m.s, NULL, 0), 0);
	assert_int_equal(mg.m.nsources, 3);
	assert_int_equal(mg.m.sources[0].shard, 3);
	assert_int_equal(mg.m.sum.failing, 1);
	assert_int_equal(mg.m.sum.verdict, VERDICT_LEAK);
	assert_int_equal(sweep_merged_exit(&mg.m), SL_EXIT_FAIL);
	assert_int_equal(mg.m.from[0], 1); /* #1 came from s1, given second */
	tw = text_of(sweep_table, &whole.sum);
	tm = text_of(sweep_table, &mg.m.sum);
	rw = rows_of(tw);
	rm = rows_of(tm);
	assert_true(strlen(rw) > 100);
	assert_string_equal(rw, rm);
	assert_non_null(strstr(tm, "Merged from 3 reports:"));
	assert_non_null(strstr(tm, "Overall: LEAK (the worst of 3 variants measured); 1 at or "
				   "above --fail-on: #2"));
	assert_null(strstr(tm, "kernel"));
	free(tw);
	free(tm);
	free(rw);
	free(rm);
	merged_free(&mg);

	/* Two of three: the third's variant is missing, named, and the merge is incomplete. */
	assert_int_equal(merge_paths(&mg, paths + 1, 2, false), 0);
	assert_int_equal(sweep_missing(&mg.m.s, NULL, 0), 1);
	tm = text_of(sweep_table, &mg.m.sum);
	assert_non_null(strstr(tm, "Missing 1 of the matrix's 4 variants (no report holds them): "
				   "#3 udp kb171996"));
	assert_int_equal(sweep_merged_exit(&mg.m), SL_EXIT_RUNTIME);
	free(tm);
	merged_free(&mg);

	/* The same shard twice: refused, said with both files. */
	paths[1] = paths[2];
	assert_int_equal(merge_paths(&mg, paths + 1, 2, false), -EINVAL);
	assert_non_null(strstr(mg.why, "#2 tcp abort on 6.18.44 is in"));
	merged_free(&mg);
	assert_int_equal(merge_paths(&mg, paths + 1, 2, true), 0);
	assert_non_null(strstr(mg.err, "--force"));
	merged_free(&mg);

	sweep_free(&whole.s);
	sweep_free(&s1.s);
	sweep_free(&s2.s);
	sweep_free(&s3.s);
}

/* A variant not run in one report (an interrupted shard) and measured in another: measured. */
static void test_merge_rerun(void **state)
{
	struct fixture a, b;
	const char *paths[2];
	struct merged mg;

	(void)state;
	make(&a, "t", 0, 0, "6.18.44");
	make(&b, "t", 2, 2, "6.18.44");
	a.s.v[1].status = VS_NOT_RUN;
	snprintf(a.s.v[1].reason, sizeof(a.s.v[1].reason), "interrupted by signal 2");
	a.s.v[3].status = VS_NOT_RUN;
	sweep_summarise(&a.sum);
	paths[0] = save(&a.sum, "a");
	paths[1] = save(&b.sum, "b");
	assert_int_equal(merge_paths(&mg, paths, 2, false), 0);
	assert_int_equal(mg.m.s.n, 4);
	assert_int_equal(mg.m.s.v[1].status, VS_DONE);
	assert_int_equal(mg.m.from[1], 1);
	assert_int_equal(mg.m.s.v[3].status, VS_SKIPPED);
	assert_non_null(strstr(mg.err, "#2 tcp abort: not-run in"));
	merged_free(&mg);
	/* Given the other way round, the measurement is kept all the same. */
	paths[0] = paths[1];
	paths[1] = save(&a.sum, "a2");
	assert_int_equal(merge_paths(&mg, paths, 2, false), 0);
	assert_int_equal(mg.m.s.v[1].status, VS_DONE);
	assert_non_null(strstr(mg.err, "the measurement is kept"));
	merged_free(&mg);
	sweep_free(&a.s);
	sweep_free(&b.s);
}

/* Different matrices, versions, kernels or --fail-on: refused with the reason; --force joins. */
static void test_merge_refused(void **state)
{
	struct fixture a, b;
	const char *paths[2];
	struct merged mg;
	char *t, *text, *at;

	(void)state;
	make(&a, "threads=1 rate=0", 1, 2, "6.18.44");
	make(&b, "threads=2 rate=0", 2, 2, "6.18.44");
	paths[0] = save(&a.sum, "a");
	paths[1] = save(&b.sum, "b");
	assert_int_equal(merge_paths(&mg, paths, 2, false), -EINVAL);
	assert_non_null(strstr(mg.why, "different matrices: their shared settings differ: "
				       "threads=1 in"));
	assert_non_null(strstr(mg.why, "threads=2 in"));
	merged_free(&mg);
	/* Forced: joined by name, numbered as the first's. */
	assert_int_equal(merge_paths(&mg, paths, 2, true), 0);
	assert_false(mg.m.same_matrix);
	assert_int_equal(mg.m.s.n, 4);
	assert_int_equal(mg.m.s.v[1].index, 2);
	assert_string_equal(mg.m.s.v[1].name, "tcp abort");
	assert_string_not_equal(mg.m.s.matrix.id, a.s.matrix.id);
	merged_free(&mg);
	sweep_free(&b.s);

	/* Another kernel, no kernel axis: refused; forced, a kernel column and a line per variant. */
	make(&b, "threads=1 rate=0", 2, 2, "6.1.0-47-amd64");
	b.s.v[0].verdict = VERDICT_CLEAN;
	paths[1] = save(&b.sum, "b");
	assert_int_equal(merge_paths(&mg, paths, 2, false), -EINVAL);
	assert_non_null(strstr(mg.why, "on Linux 6.18.44"));
	assert_non_null(strstr(mg.why, "on Linux 6.1.0-47-amd64, and the kernel is not an axis"));
	merged_free(&mg);
	assert_int_equal(merge_paths(&mg, paths, 2, true), 0);
	t = text_of(sweep_table, &mg.m.sum);
	assert_non_null(strstr(t, "kernel"));
	assert_non_null(strstr(t, "6.1.0-47-amd64"));
	assert_non_null(strstr(t, "Across kernels:"));
	assert_non_null(strstr(t, "  tcp kb171996: BOUNDED on 6.18.44\n"));
	free(t);
	merged_free(&mg);
	sweep_free(&b.s);

	/* Forced: the same index on two kernels is two variants, said per variant. */
	make(&b, "threads=1 rate=0", 1, 2, "6.18.44");
	b.s.v[0].kernel[0] = '\0';
	snprintf(b.m.kernel, sizeof(b.m.kernel), "6.1.0-47-amd64");
	b.s.v[0].verdict = VERDICT_LEAK;
	paths[0] = save(&a.sum, "a");
	paths[1] = save(&b.sum, "b");
	assert_int_equal(merge_paths(&mg, paths, 2, true), 0);
	assert_int_equal(mg.m.s.n, 3);
	assert_string_equal(mg.m.s.v[1].kernel, "6.1.0-47-amd64");
	assert_int_equal(mg.m.s.v[1].index, 1);
	t = text_of(sweep_table, &mg.m.sum);
	assert_non_null(strstr(t, "  tcp kb171996: BOUNDED on 6.18.44, LEAK on 6.1.0-47-amd64\n"));
	free(t);
	merged_free(&mg);

	/* Another version. */
	text = text_of(json_to, &b.sum);
	at = strstr(text, "\"version\": \"");
	assert_non_null(at);
	memcpy(at + 12, "9.9.9", 5);
	save_text(paths[1], text);
	free(text);
	assert_int_equal(merge_paths(&mg, paths, 2, false), -EINVAL);
	assert_non_null(strstr(mg.why, "by sockleak 9.9.9"));
	merged_free(&mg);
	sweep_free(&b.s);

	/* Another --fail-on. */
	make(&b, "threads=1 rate=0", 2, 2, "6.18.44");
	b.sum.fail_on = 1u << VERDICT_LEAK;
	paths[1] = save(&b.sum, "b");
	assert_int_equal(merge_paths(&mg, paths, 2, false), -EINVAL);
	assert_non_null(strstr(mg.why, "give --fail-on"));
	merged_free(&mg);
	unlink(paths[0]);
	unlink(paths[1]);
	sweep_free(&a.s);
	sweep_free(&b.s);
}

/* A merged report is a sweep report: read back, and merged again, it says the same. */
static void test_merged_again(void **state)
{
	struct fixture s1, s2;
	const char *paths[2], *mpath;
	struct merged mg, mg2;
	char *a, *b;

	(void)state;
	make(&s1, "t", 1, 2, "6.18.44");
	make(&s2, "t", 2, 2, "6.18.44");
	paths[0] = save(&s1.sum, "m1");
	paths[1] = save(&s2.sum, "m2");
	assert_int_equal(merge_paths(&mg, paths, 2, false), 0);
	mpath = save(&mg.m.sum, "mm");
	assert_int_equal(merge_paths(&mg2, &mpath, 1, false), 0);
	a = text_of(sweep_table, &mg.m.sum);
	b = text_of(sweep_table, &mg2.m.sum);
	assert_string_equal(a, b);
	assert_int_equal(mg2.m.nsources, 2);
	free(a);
	free(b);
	merged_free(&mg);
	merged_free(&mg2);
	unlink(paths[0]);
	unlink(paths[1]);
	unlink(mpath);
	sweep_free(&s1.s);
	sweep_free(&s2.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),    cmocka_unit_test(test_load_refused),
		cmocka_unit_test(test_merge_shards),  cmocka_unit_test(test_merge_rerun),
		cmocka_unit_test(test_merge_refused), cmocka_unit_test(test_merged_again),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	size_t i;

	for (i = 0; i < nsaved; i++)
		unlink(saved_paths[i]);
	return r;
}
