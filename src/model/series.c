/* The metric time series: bounded column storage that folds old rows in pairs. */
#include "model/series.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/names.h"

static const char *const phase_names[PHASE_COUNT] = {
	[PHASE_BASELINE] = "baseline", [PHASE_WARMUP] = "warmup",     [PHASE_CHURN] = "churn",
	[PHASE_QUIESCE] = "quiesce",   [PHASE_TEARDOWN] = "teardown",
};

const char *phase_name(enum phase ph)
{
	return name_at(phase_names, PHASE_COUNT, (unsigned)ph);
}

int phase_parse(const char *s, enum phase *out)
{
	int i = name_index(phase_names, PHASE_COUNT, s, false);

	if (i >= 0)
		*out = (enum phase)i;
	return i < 0 ? i : 0;
}

/* The descriptor's strings, owned by a column. */
static void desc_free(struct metric_desc *d)
{
	free((char *)d->source);
	free((char *)d->object);
	free((char *)d->holds);
	free((char *)d->note);
}

static char *dup_opt(const char *s, bool *failed)
{
	char *p = s ? strdup(s) : NULL;

	if (s && !p)
		*failed = true;
	return p;
}

/* A copy of d whose strings dst owns; -ENOMEM leaves dst untouched. */
static int desc_copy(struct metric_desc *dst, const struct metric_desc *d)
{
	struct metric_desc c = *d;
	bool failed = false;

	c.source = dup_opt(d->source, &failed);
	c.object = dup_opt(d->object, &failed);
	c.holds = dup_opt(d->holds, &failed);
	c.note = dup_opt(d->note, &failed);
	if (failed) {
		desc_free(&c);
		return -ENOMEM;
	}
	*dst = c;
	return 0;
}

int series_init(struct series *s, size_t max_rows)
{
	memset(s, 0, sizeof(*s));
	if (max_rows == 0)
		max_rows = SERIES_DEFAULT_ROWS;
	if (max_rows < 4 || max_rows % 2)
		return -EINVAL;
	s->max_rows = max_rows;
	pthread_mutex_init(&s->lock, NULL);
	return 0;
}

void series_free(struct series *s)
{
	size_t i;

	for (i = 0; i < s->ncols; i++) {
		free(s->cols[i].name);
		desc_free(&s->cols[i].d);
		free(s->cols[i].v);
	}
	free(s->cols);
	free(s->t);
	free(s->cycles);
	free(s->phase);
	free(s->row);
	free(s->last);
	free(s->acc);
	free(s->acc_cnt);
	pthread_mutex_destroy(&s->lock);
	memset(s, 0, sizeof(*s));
}

void series_lock(struct series *s)
{
	pthread_mutex_lock(&s->lock);
}

void series_unlock(struct series *s)
{
	pthread_mutex_unlock(&s->lock);
}

int series_find(const struct series *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->ncols; i++)
		if (!strcmp(s->cols[i].name, name))
			return (int)i;
	return -1;
}

static double *grow_doubles(double *p, size_t old, size_t n)
{
	double *q = realloc(p, n * sizeof(*q));
	size_t i;

	if (q)
		for (i = old; i < n; i++)
			q[i] = NAN;
	return q;
}

/* Makes room for one more column in every per-column array. */
static int reserve_col(struct series *s)
{
	size_t cap = s->cols_cap ? s->cols_cap * 2 : 64;
	struct series_col *cols;
	unsigned *n;
	double *p;

	if (s->ncols < s->cols_cap)
		return 0;
	cols = realloc(s->cols, cap * sizeof(*cols));
	if (!cols)
		return -ENOMEM;
	s->cols = cols;
	if (!(p = grow_doubles(s->row, s->cols_cap, cap)))
		return -ENOMEM;
	s->row = p;
	if (!(p = grow_doubles(s->last, s->cols_cap, cap)))
		return -ENOMEM;
	s->last = p;
	if (!(p = realloc(s->acc, cap * sizeof(*p))))
		return -ENOMEM;
	memset(p + s->cols_cap, 0, (cap - s->cols_cap) * sizeof(*p));
	s->acc = p;
	n = realloc(s->acc_cnt, cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	memset(n + s->cols_cap, 0, (cap - s->cols_cap) * sizeof(*n));
	s->acc_cnt = n;
	s->cols_cap = cap;
	return 0;
}

int series_find_object(const struct series *s, enum metric_class cls, const char *object)
{
	size_t i;

	for (i = 0; object && i < s->ncols; i++)
		if (s->cols[i].d.cls == cls && s->cols[i].d.object &&
		    !strcmp(s->cols[i].d.object, object))
			return (int)i;
	return -1;
}

int series_add(struct series *s, const char *name, const struct metric_desc *d)
{
	struct series_col *c;
	int idx = series_find(s, name);
	int err;

	if (idx >= 0)
		return idx;
	series_lock(s);
	err = reserve_col(s);
	if (err)
		goto out;
	c = &s->cols[s->ncols];
	memset(c, 0, sizeof(*c));
	c->name = strdup(name);
	c->v = grow_doubles(NULL, 0, s->rows_cap ? s->rows_cap : 1);
	if (!c->name || !c->v || desc_copy(&c->d, d)) {
		free(c->name);
		free(c->v);
		err = -ENOMEM;
		goto out;
	}
	/* A column born late has no past: its pending sum starts with the next sample. */
	s->acc[s->ncols] = 0;
	s->acc_cnt[s->ncols] = 0;
	s->row[s->ncols] = NAN;
	s->last[s->ncols] = NAN;
	idx = (int)s->ncols++;
out:
	series_unlock(s);
	return err ? err : idx;
}

int series_describe(struct series *s, int col, const struct metric_desc *d)
{
	struct metric_desc c;
	int err;

	if (col < 0 || (size_t)col >= s->ncols)
		return -EINVAL;
	if ((err = desc_copy(&c, d)))
		return err;
	series_lock(s);
	desc_free(&s->cols[col].d);
	s->cols[col].d = c;
	series_unlock(s);
	return 0;
}

int series_set_note(struct series *s, int col, const char *note)
{
	struct metric_desc d;

	if (col < 0 || (size_t)col >= s->ncols)
		return -EINVAL;
	d = s->cols[col].d;
	d.note = note;
	return series_describe(s, col, &d);
}

void series_set(struct series *s, int col, double v)
{
	if (col >= 0 && (size_t)col < s->ncols)
		s->row[col] = v;
}

static int grow_rows(struct series *s)
{
	size_t cap = s->rows_cap ? s->rows_cap * 2 : 256;
	size_t i;
	void *p;

	if (cap > s->max_rows)
		cap = s->max_rows;
	for (i = 0; i < s->ncols; i++) {
		if (!(p = grow_doubles(s->cols[i].v, s->rows_cap, cap)))
			return -ENOMEM;
		s->cols[i].v = p;
	}
	if (!(p = realloc(s->t, cap * sizeof(*s->t))))
		return -ENOMEM;
	s->t = p;
	if (!(p = realloc(s->cycles, cap * sizeof(*s->cycles))))
		return -ENOMEM;
	s->cycles = p;
	if (!(p = realloc(s->phase, cap)))
		return -ENOMEM;
	s->phase = p;
	s->rows_cap = cap;
	return 0;
}

static double mean2(double a, double b)
{
	if (isnan(a))
		return b;
	if (isnan(b))
		return a;
	return (a + b) / 2;
}

/* Halves the stored rows by averaging neighbours; phase marks keep pointing at the right rows. */
static void fold_rows(struct series *s)
{
	size_t i, j, half = s->nrows / 2;

	for (j = 0; j < s->ncols; j++) {
		double *v = s->cols[j].v;

		for (i = 0; i < half; i++)
			v[i] = mean2(v[2 * i], v[2 * i + 1]);
		for (; i < s->rows_cap; i++)
			v[i] = NAN;
	}
	for (i = 0; i < half; i++) {
		s->t[i] = (s->t[2 * i] + s->t[2 * i + 1]) / 2;
		s->cycles[i] = (s->cycles[2 * i] + s->cycles[2 * i + 1]) / 2;
		s->phase[i] = s->phase[2 * i + 1];
	}
	for (i = 0; i < s->nmarks; i++)
		s->marks[i].row = (s->marks[i].row + 1) / 2;
	s->nrows = half;
	s->fold++;
}

static int store_row(struct series *s)
{
	size_t j, r;
	int err;

	if (s->nrows == s->max_rows)
		fold_rows(s);
	if (s->nrows == s->rows_cap && (err = grow_rows(s)))
		return err;
	r = s->nrows++;
	for (j = 0; j < s->ncols; j++) {
		s->cols[j].v[r] = s->acc_cnt[j] ? s->acc[j] / s->acc_cnt[j] : NAN;
		s->acc[j] = 0;
		s->acc_cnt[j] = 0;
	}
	s->t[r] = s->acc_t / s->acc_n;
	s->cycles[r] = s->acc_cycles / s->acc_n;
	s->phase[r] = s->acc_phase;
	s->acc_t = s->acc_cycles = 0;
	s->acc_n = 0;
	return 0;
}

/* NAN values (a probe that failed this once) stay out of the sums: a stored row averages what it has. */
int series_commit(struct series *s, double t, uint64_t cycles)
{
	size_t j;
	int err = 0;

	series_lock(s);
	/* A pending group never spans two phases. */
	if (s->acc_n && s->acc_phase != s->cur_phase && (err = store_row(s)))
		goto out;
	for (j = 0; j < s->ncols; j++) {
		double v = s->row[j];

		s->row[j] = NAN;
		if (!isnan(v)) {
			s->last[j] = v;
			s->acc[j] += v;
			s->acc_cnt[j]++;
		}
	}
	s->acc_t += t;
	s->acc_cycles += (double)cycles;
	s->acc_phase = s->cur_phase;
	s->acc_n++;
	s->last_t = t;
	s->last_cycles = cycles;
	s->samples++;
	if (s->acc_n >= (1u << s->fold))
		err = store_row(s);
out:
	series_unlock(s);
	return err;
}

int series_flush(struct series *s)
{
	int err = 0;

	series_lock(s);
	if (s->acc_n)
		err = store_row(s);
	series_unlock(s);
	return err;
}

int series_mark(struct series *s, enum phase ph, double t, uint64_t cycles)
{
	int err = 0;

	series_lock(s);
	if (s->nmarks == SERIES_MAX_MARKS) {
		err = -ENOSPC;
		goto out;
	}
	if (s->acc_n && (err = store_row(s)))
		goto out;
	s->marks[s->nmarks++] = (struct phase_mark){ ph, t, cycles, s->nrows };
	s->cur_phase = ph;
out:
	series_unlock(s);
	return err;
}

const struct phase_mark *series_phase(const struct series *s, enum phase ph)
{
	size_t i;

	for (i = 0; i < s->nmarks; i++)
		if (s->marks[i].phase == ph)
			return &s->marks[i];
	return NULL;
}

size_t series_phase_rows(const struct series *s, enum phase ph, size_t *begin, size_t *end)
{
	size_t i, b = s->nrows, e = 0;

	for (i = 0; i < s->nrows; i++) {
		if (s->phase[i] != ph)
			continue;
		if (b == s->nrows)
			b = i;
		e = i + 1;
	}
	if (b == s->nrows)
		b = e = 0;
	if (begin)
		*begin = b;
	if (end)
		*end = e;
	return e - b;
}

int series_put_row(struct series *s, double t, double cycles, enum phase ph, const double *v)
{
	size_t j, r;
	int err = 0;

	series_lock(s);
	if (s->nrows == s->max_rows) {
		err = -ENOSPC;
		goto out;
	}
	if (s->nrows == s->rows_cap && (err = grow_rows(s)))
		goto out;
	r = s->nrows++;
	for (j = 0; j < s->ncols; j++)
		s->cols[j].v[r] = s->last[j] = v[j];
	s->t[r] = s->last_t = t;
	s->cycles[r] = cycles;
	s->last_cycles = cycles > 0 ? (uint64_t)cycles : 0;
	s->phase[r] = (unsigned char)ph;
	s->cur_phase = ph;
	s->samples++;
out:
	series_unlock(s);
	return err;
}

static int cmp_gap(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double series_spacing(const struct series *s, const double *v)
{
	double *gap = malloc((s->nrows ? s->nrows : 1) * sizeof(*gap)), last = NAN, m = 0;
	size_t r, n = 0;

	if (!gap)
		return 0;
	for (r = 0; r < s->nrows; r++) {
		if (v && isnan(v[r]))
			continue;
		if (!isnan(last))
			gap[n++] = s->t[r] - last;
		last = s->t[r];
	}
	if (n) {
		qsort(gap, n, sizeof(*gap), cmp_gap);
		m = gap[n / 2];
	}
	free(gap);
	return m;
}
