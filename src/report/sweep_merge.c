/* sockleak merge: the reports of shards (or whole sweeps) of one matrix joined into one sweep. */
#include "report/sweep_merge.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static int say(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int say(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool measured(const struct sweep_variant *v)
{
	return v->status == VS_DONE || v->status == VS_INTERRUPTED;
}

/* ---- how two reports differ ---- */

/* The first word of two blank-separated lists that differs: "threads=1 in A, threads=2 in B". */
static void settings_diff(const struct sweep_doc *a, const struct sweep_doc *b, char *buf,
			  size_t size)
{
	const char *p = a->s.matrix.settings ? a->s.matrix.settings : "";
	const char *q = b->s.matrix.settings ? b->s.matrix.settings : "";
	size_t n, m;

	for (;;) {
		n = strcspn(p, " ");
		m = strcspn(q, " ");
		if (n != m || strncmp(p, q, n))
			break;
		if (!p[n] || !q[m]) {
			/* one ends here: the other's next setting, against none */
			p += p[n] ? n + 1 : n;
			q += q[m] ? m + 1 : m;
			n = strcspn(p, " ");
			m = strcspn(q, " ");
			break;
		}
		p += n + 1;
		q += m + 1;
	}
	snprintf(buf, size, "%.*s in %s, %.*s in %s", (int)(n ? n : 6), n ? p : "(none)", a->path,
		 (int)(m ? m : 6), m ? q : "(none)", b->path);
}

static void kernels_text(const struct sweep_matrix *m, char *buf, size_t size)
{
	size_t i, k = 0;

	buf[0] = '\0';
	for (i = 0; i < m->nkernels && k < size; i++)
		k += (size_t)snprintf(buf + k, size - k, "%s%s", i ? "," : "", m->kernels[i].label);
	if (!m->nkernels)
		snprintf(buf, size, "none");
}

/* Why two matrices' ids differ, in words. */
static void matrix_diff(const struct sweep_doc *a, const struct sweep_doc *b, char *buf,
			size_t size)
{
	const struct sweep_matrix *x = &a->s.matrix, *y = &b->s.matrix;
	char d[512], ka[256], kb[256];
	size_t i;

	kernels_text(x, ka, sizeof(ka));
	kernels_text(y, kb, sizeof(kb));
	if (strcmp(x->settings ? x->settings : "", y->settings ? y->settings : "")) {
		settings_diff(a, b, d, sizeof(d));
		snprintf(buf, size, "their shared settings differ: %s", d);
	} else if (strcmp(ka, kb)) {
		snprintf(buf, size, "their kernel axes differ: %s in %s, %s in %s", ka, a->path, kb,
			 b->path);
	} else if (x->nnames != y->nnames) {
		snprintf(buf, size, "%s has %zu variants, %s %zu", a->path, x->nnames, b->path,
			 y->nnames);
	} else {
		for (i = 0; i < x->nnames && !strcmp(x->names[i], y->names[i]); i++)
			;
		if (i < x->nnames)
			snprintf(buf, size, "variant %zu is '%s' in %s, '%s' in %s", i + 1,
				 x->names[i], a->path, y->names[i], b->path);
		else
			snprintf(
				buf, size,
				"their variants differ in a sequence, option or server close mode");
	}
}

/* ---- copies ---- */

static int copy_matrix(struct sweep_matrix *dst, const struct sweep_matrix *src)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	memcpy(dst->id, src->id, sizeof(dst->id));
	memcpy(dst->kernels, src->kernels, sizeof(dst->kernels));
	dst->nkernels = src->nkernels;
	dst->size = src->size;
	dst->settings = strdup(src->settings ? src->settings : "");
	dst->names = calloc(src->nnames + 1, sizeof(*dst->names));
	if (!dst->settings || !dst->names)
		return -ENOMEM;
	for (i = 0; i < src->nnames; i++) {
		if (!(dst->names[i] = strdup(src->names[i])))
			return -ENOMEM;
		dst->nnames = i + 1;
	}
	return 0;
}

/* A variant of the merged sweep, taken from a report. */
struct entry {
	struct sweep_variant v; /* its strings still the report's */
	size_t from; /* the report */
	size_t kernel_order; /* its kernel's place among those seen, reports in order */
	size_t seq; /* its place in the reports, for a stable order */
};

struct joined {
	struct entry *e;
	size_t n, cap;
	char (*kernels)[72]; /* kernels seen, in order */
	size_t nk;
};

static int kernel_order(struct joined *j, const char *kernel, size_t *out)
{
	size_t i;

	for (i = 0; i < j->nk; i++)
		if (!strcmp(j->kernels[i], kernel))
			break;
	if (i == j->nk) {
		char(*nk)[72] = realloc(j->kernels, (j->nk + 1) * sizeof(*nk));

		if (!nk)
			return -ENOMEM;
		j->kernels = nk;
		snprintf(j->kernels[j->nk++], sizeof(j->kernels[0]), "%s", kernel);
	}
	*out = i;
	return 0;
}

static struct entry *find(struct joined *j, size_t index, const char *kernel)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		if (j->e[i].v.index == index && !strcmp(j->e[i].v.kernel, kernel))
			return &j->e[i];
	return NULL;
}

/* The position of name in the union of the matrices' variants, added when new. */
static int name_at(struct sweep_matrix *m, const char *name, size_t *out)
{
	size_t i;
	char **nn;

	for (i = 0; i < m->nnames; i++)
		if (!strcmp(m->names[i], name))
			break;
	if (i == m->nnames) {
		nn = realloc(m->names, (m->nnames + 2) * sizeof(*nn));
		if (!nn)
			return -ENOMEM;
		m->names = nn;
		if (!(m->names[m->nnames] = strdup(name)))
			return -ENOMEM;
		m->nnames++;
		m->size = m->nnames;
	}
	*out = i;
	return 0;
}

/* Takes a report's variant, or says why two reports hold the same one. */
static int take(struct joined *j, struct sweep_merged *out, struct sweep_doc *docs, size_t d,
		const struct sweep_variant *src, const struct merge_opts *o, char *why,
		size_t whylen)
{
	struct entry e = { .v = *src, .from = d, .seq = j->n };
	struct entry *old;
	size_t pos;
	int err;

	if (!e.v.kernel[0] && docs[d].has_machine)
		snprintf(e.v.kernel, sizeof(e.v.kernel), "%s", docs[d].m.kernel);
	if (!out->same_matrix) {
		/* Joined by name: the kernel column tells the kernels apart. */
		err = name_at(&out->s.matrix, e.v.name, &pos);
		if (err)
			return err;
		e.v.index = pos + 1;
		e.v.kernel_at = 0;
	}
	err = kernel_order(j, e.v.kernel, &e.kernel_order);
	if (err)
		return err;
	old = find(j, e.v.index, e.v.kernel);
	if (old) {
		const char *a = docs[old->from].path, *b = docs[d].path;

		if (measured(&old->v) && !measured(&e.v)) {
			sl_err("note: #%zu %s: measured in %s, %s in %s: the measurement is kept",
			       e.v.index, e.v.name, a, sweep_status_name(e.v.status), b);
			return 0;
		}
		if (measured(&old->v) && !o->force)
			return say(why, whylen,
				   "#%zu %s%s%s is in %s and in %s: give each variant once (or "
				   "--force: the later report's is kept)",
				   e.v.index, e.v.name, e.v.kernel[0] ? " on " : "", e.v.kernel, a,
				   b);
		if (measured(&old->v))
			sl_err("note: --force: #%zu %s is in %s and in %s: %s's is kept", e.v.index,
			       e.v.name, a, b, b);
		else if (measured(&e.v) || old->v.status != e.v.status)
			sl_err("note: #%zu %s: %s in %s, %s in %s: %s's is kept", e.v.index,
			       e.v.name, sweep_status_name(old->v.status), a,
			       sweep_status_name(e.v.status), b, b);
		e.seq = old->seq;
		*old = e;
		return 0;
	}
	if (j->n == j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 64;
		struct entry *ne = realloc(j->e, cap * sizeof(*ne));

		if (!ne)
			return -ENOMEM;
		j->e = ne;
		j->cap = cap;
	}
	j->e[j->n++] = e;
	return 0;
}

static int by_place(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;

	if (a->v.index != b->v.index)
		return a->v.index < b->v.index ? -1 : 1;
	if (a->kernel_order != b->kernel_order)
		return a->kernel_order < b->kernel_order ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* ---- the checks ---- */

static int check_alike(struct sweep_doc *docs, size_t n, const struct merge_opts *o,
		       bool *same_matrix, char *why, size_t whylen)
{
	char d[768];
	size_t i;

	*same_matrix = true;
	for (i = 0; i < n; i++) {
		if (!docs[i].s.matrix.id[0] && !o->force)
			return say(why, whylen,
				   "%s has no matrix identity (its sockleak predates merge): "
				   "sweep it again, or --force to join reports by variant name",
				   docs[i].path);
		if (i && strcmp(docs[i].version, docs[0].version)) {
			if (!o->force)
				return say(
					why, whylen,
					"%s was written by sockleak %s and %s by sockleak %s: merge "
					"reports of one version (or --force)",
					docs[0].path, docs[0].version, docs[i].path,
					docs[i].version);
			sl_err("note: --force: sockleak %s in %s, %s in %s", docs[0].version,
			       docs[0].path, docs[i].version, docs[i].path);
		}
		if (i &&
		    (!docs[i].s.matrix.id[0] || strcmp(docs[i].s.matrix.id, docs[0].s.matrix.id))) {
			matrix_diff(&docs[0], &docs[i], d, sizeof(d));
			if (!o->force)
				return say(why, whylen,
					   "%s and %s are sweeps of different matrices: %s; merge "
					   "the reports of one matrix (or --force: joined by "
					   "variant name)",
					   docs[0].path, docs[i].path, d);
			sl_err("note: --force: %s and %s are sweeps of different matrices (%s): "
			       "joined by variant name",
			       docs[0].path, docs[i].path, d);
			*same_matrix = false;
		}
		if (!o->fail_on && docs[i].sum.fail_on != docs[0].sum.fail_on)
			return say(why, whylen,
				   "%s and %s fail on different verdicts (--fail-on): give "
				   "--fail-on to judge them alike",
				   docs[0].path, docs[i].path);
	}
	if (!docs[0].s.matrix.id[0])
		*same_matrix = false;
	return 0;
}

/* The kernel a report's variant ran on: its own, else its report's machine's. */
static const char *kernel_of(const struct sweep_doc *d, const struct sweep_variant *v)
{
	return v->kernel[0] ? v->kernel : d->has_machine ? d->m.kernel : "";
}

/* Without a kernel axis, a matrix is judged on one kernel: reports of others are not merged. */
static int check_kernels(struct sweep_doc *docs, size_t n, const struct merge_opts *o,
			 bool same_matrix, char *why, size_t whylen)
{
	const struct sweep_doc *first = NULL;
	const char *k0 = NULL;
	size_t i, j;

	if (same_matrix && docs[0].s.matrix.nkernels)
		return 0; /* the kernel is an axis: each variant says its own */
	for (i = 0; i < n; i++) {
		for (j = 0; j < docs[i].s.n; j++) {
			const char *k = kernel_of(&docs[i], &docs[i].s.v[j]);

			if (!*k)
				continue;
			if (!k0) {
				k0 = k;
				first = &docs[i];
				continue;
			}
			if (!strcmp(k, k0))
				continue;
			if (!o->force)
				return say(why, whylen,
					   "%s ran on Linux %s, %s on Linux %s, and the kernel is "
					   "not an axis of the matrix: merge the reports of one "
					   "kernel, sweep with --kernels, or --force (a kernel "
					   "column tells them apart)",
					   first->path, k0, docs[i].path, k);
			sl_err("note: --force: %s ran on Linux %s, %s on Linux %s: the table has a "
			       "kernel column",
			       first->path, k0, docs[i].path, k);
			return 0;
		}
	}
	return 0;
}

/* ---- the sources ---- */

static int add_source(struct sweep_merged *out, const struct sweep_source *r)
{
	struct sweep_source *ns = realloc(out->sources, (out->nsources + 1) * sizeof(*ns));

	if (!ns)
		return -ENOMEM;
	out->sources = ns;
	out->sources[out->nsources++] = *r;
	return 0;
}

/* Each report, or the reports a merged one was made of. */
static int sources_of(struct sweep_merged *out, const struct sweep_doc *d)
{
	struct sweep_source r = { 0 };
	size_t i;
	int err;

	for (i = 0; i < d->nsources; i++)
		if ((err = add_source(out, &d->sources[i])))
			return err;
	if (d->nsources)
		return 0;
	snprintf(r.path, sizeof(r.path), "%s", d->path);
	snprintf(r.matrix, sizeof(r.matrix), "%s", d->s.matrix.id);
	r.shard = d->s.matrix.shard;
	r.shards = d->s.matrix.shards;
	if (d->has_machine) {
		snprintf(r.kernel, sizeof(r.kernel), "%s", d->m.kernel);
		snprintf(r.hostname, sizeof(r.hostname), "%s", d->m.hostname);
		snprintf(r.start, sizeof(r.start), "%s", d->m.start);
	}
	snprintf(r.version, sizeof(r.version), "%s", d->version);
	r.budget = d->sum.budget;
	r.elapsed = d->sum.elapsed;
	r.exit_code = d->sum.exit_code;
	r.variants = d->s.n;
	return add_source(out, &r);
}

/* ---- the merge ---- */

/* A variant's stacks made its own (its frames still the report's); those not copied are dropped. */
static int where_copy(struct sweep_variant *v)
{
	size_t i, k;

	for (i = 0; i < v->nwhere; i++)
		for (k = 0; k < v->where[i].nframes; k++)
			if (!(v->where[i].frames[k] = strdup(v->where[i].frames[k]))) {
				v->where[i].nframes = k;
				v->nwhere = i + 1;
				return -ENOMEM;
			}
	return 0;
}

static int build(struct joined *j, struct sweep_merged *out)
{
	struct sweep *s = &out->s;
	size_t i;

	qsort(j->e, j->n, sizeof(*j->e), by_place);
	s->v = calloc(j->n + 1, sizeof(*s->v));
	out->from = calloc(j->n + 1, sizeof(*out->from));
	if (!s->v || !out->from)
		return -ENOMEM;
	s->cap = j->n + 1;
	for (i = 0; i < j->n; i++) {
		struct sweep_variant *v = &s->v[i];

		*v = j->e[i].v;
		v->base = strdup(v->base ? v->base : "");
		v->sequence = v->sequence ? strdup(v->sequence) : NULL;
		s->n = i + 1;
		if (!v->base || (j->e[i].v.sequence && !v->sequence) || where_copy(v))
			return -ENOMEM;
		out->from[i] = j->e[i].from;
	}
	return 0;
}

/* The id of a matrix joined by name from others: of their ids and the names, in order. */
static int joined_id(struct sweep_merged *out, struct sweep_doc *docs, size_t n)
{
	char *text = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return -ENOMEM;
	fputs("sockleak merged matrix\n", f);
	for (i = 0; i < n; i++)
		fprintf(f, "of %s\n", docs[i].s.matrix.id);
	for (i = 0; i < out->s.matrix.nnames; i++)
		fprintf(f, "variant %s\n", out->s.matrix.names[i]);
	if (fclose(f)) {
		free(text);
		return -ENOMEM;
	}
	sweep_hash(text, out->s.matrix.id);
	free(text);
	return 0;
}

static void summarise(struct sweep_merged *out, struct sweep_doc *docs, size_t n, unsigned fail_on)
{
	struct sweep_summary *sum = &out->sum;
	size_t i;

	out->plan = SWEEP_PLAN_UNKNOWN;
	sum->s = &out->s;
	sum->plan = &out->plan;
	sum->m = out->has_machine ? &out->m : NULL;
	sum->fail_on = fail_on;
	sum->sources = out->sources;
	sum->nsources = out->nsources;
	sum->finished = true;
	for (i = 0; i < out->s.n; i++)
		if (measured(&out->s.v[i]))
			out->s.v[i].fails = fail_on & (1u << out->s.v[i].verdict);
	for (i = 0; i < n; i++) {
		sum->budget += docs[i].sum.budget;
		sum->elapsed += docs[i].sum.elapsed;
		if (!sum->stopped[0] && docs[i].sum.stopped[0])
			snprintf(sum->stopped, sizeof(sum->stopped), "%s: %s", docs[i].path,
				 docs[i].sum.stopped);
		/* One place for the run reports, when every report kept them in the same one. */
		if (!i ||
		    (sum->json_dir && docs[i].json_dir && !strcmp(sum->json_dir, docs[i].json_dir)))
			sum->json_dir = docs[i].json_dir;
		else
			sum->json_dir = NULL;
	}
	sweep_summarise(sum);
	sum->exit_code = sweep_merged_exit(out);
}

int sweep_merge(struct sweep_doc *docs, size_t n, const struct merge_opts *o,
		struct sweep_merged *out, char *why, size_t whylen)
{
	struct joined j = { 0 };
	unsigned fail_on = o->fail_on ? o->fail_on : n ? docs[0].sum.fail_on : 0;
	size_t i, k;
	int err;

	memset(out, 0, sizeof(*out));
	if (!n)
		return say(why, whylen, "no reports to merge");
	err = check_alike(docs, n, o, &out->same_matrix, why, whylen);
	if (!err)
		err = check_kernels(docs, n, o, out->same_matrix, why, whylen);
	if (err)
		return err;
	err = copy_matrix(&out->s.matrix, &docs[0].s.matrix);
	if (!err && !out->same_matrix) {
		/* Joined by name: no numbering, no kernel axis of one matrix holds. */
		out->s.matrix.nkernels = 0;
		out->s.matrix.size = out->s.matrix.nnames;
	}
	for (i = 0; !err && i < n; i++)
		for (k = 0; !err && k < docs[i].s.n; k++)
			err = take(&j, out, docs, i, &docs[i].s.v[k], o, why, whylen);
	if (!err && !out->same_matrix)
		err = joined_id(out, docs, n);
	if (!err)
		err = build(&j, out);
	for (i = 0; !err && i < n; i++)
		err = sources_of(out, &docs[i]);
	if (!err) {
		out->has_machine = docs[0].has_machine;
		out->m = docs[0].m;
		summarise(out, docs, n, fail_on);
	}
	free(j.e);
	free(j.kernels);
	if (err == -ENOMEM)
		say(why, whylen, "out of memory");
	return err;
}

int sweep_merged_exit(const struct sweep_merged *m)
{
	size_t i;

	if (sweep_missing(&m->s, NULL, 0))
		return SL_EXIT_RUNTIME;
	for (i = 0; i < m->nsources; i++)
		if (m->sources[i].exit_code == SL_EXIT_RUNTIME || m->sources[i].exit_code >= 128)
			return SL_EXIT_RUNTIME;
	return m->sum.failing ? SL_EXIT_FAIL : SL_EXIT_OK;
}

void sweep_merged_free(struct sweep_merged *m)
{
	sweep_free(&m->s);
	free(m->sources);
	free(m->from);
	memset(m, 0, sizeof(*m));
}
