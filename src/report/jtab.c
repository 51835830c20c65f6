/* JSON by field tables: the writer and the loader of a struct, both from its table. */
#include "report/jtab.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common.h"

static void *at(void *base, size_t off)
{
	return (char *)base + off;
}

static const void *cat(const void *base, size_t off)
{
	return (const char *)base + off;
}

static int64_t get_int(const void *p, size_t size)
{
	switch (size) {
	case 1:
		return *(const int8_t *)p;
	case 2:
		return *(const int16_t *)p;
	case 4:
		return *(const int32_t *)p;
	default:
		return *(const int64_t *)p;
	}
}

static uint64_t get_uint(const void *p, size_t size)
{
	switch (size) {
	case 1:
		return *(const uint8_t *)p;
	case 2:
		return *(const uint16_t *)p;
	case 4:
		return *(const uint32_t *)p;
	default:
		return *(const uint64_t *)p;
	}
}

static void set_int(void *p, size_t size, uint64_t v)
{
	switch (size) {
	case 1:
		*(uint8_t *)p = (uint8_t)v;
		break;
	case 2:
		*(uint16_t *)p = (uint16_t)v;
		break;
	case 4:
		*(uint32_t *)p = (uint32_t)v;
		break;
	default:
		*(uint64_t *)p = v;
		break;
	}
}

/* The elements of an array field and their count. */
static void *elems(const struct jfield *f, const void *base)
{
	return f->flags & JF_INLINE ? (void *)cat(base, f->off) : *(void *const *)cat(base, f->off);
}

static size_t *count_of(const struct jfield *f, void *base)
{
	return at(base, f->count_off);
}

/* ---- writing ---- */

static void write_field(struct jw *w, const struct jfield *f, const void *base,
			const struct series *s)
{
	const void *p = cat(base, f->off);
	const struct jt_names *nm = f->ref;
	const struct jtable *t = f->ref;
	size_t i, n;
	int col;

	switch (f->type) {
	case JT_NUM:
		jw_num(w, f->key, *(const double *)p);
		break;
	case JT_INT:
		jw_int(w, f->key, get_int(p, f->size));
		break;
	case JT_UINT:
		jw_int(w, f->key, (int64_t)get_uint(p, f->size));
		break;
	case JT_BOOL:
		jw_bool(w, f->key, *(const bool *)p);
		break;
	case JT_CHARS:
		jw_str(w, f->key, (f->flags & JF_EMPTY_NULL) && !*(const char *)p ? NULL : p);
		break;
	case JT_STR:
		jw_str(w, f->key, *(const char *const *)p);
		break;
	case JT_ENUM:
		jw_str(w, f->key, nm->name((unsigned)get_int(p, f->size)));
		break;
	case JT_BITS:
		jw_array(w, f->key, true);
		for (i = 0; i < nm->n; i++)
			if (get_uint(p, f->size) & (1ull << i))
				jw_str(w, NULL, nm->name((unsigned)i));
		jw_end(w);
		break;
	case JT_COL:
		col = *(const int *)p;
		jw_str(w, f->key,
		       s && col >= 0 && (size_t)col < s->ncols ? s->cols[col].name : NULL);
		break;
	case JT_OBJECT:
		jt_write(w, f->key, t, base, s);
		break;
	case JT_ARRAY:
		n = *(const size_t *)cat(base, f->count_off);
		jw_array(w, f->key, false);
		for (i = 0; i < n; i++)
			jt_write(w, NULL, t, (const char *)elems(f, base) + i * t->size, s);
		jw_end(w);
		break;
	case JT_NUMS:
		jw_array(w, f->key, true);
		for (i = 0; i < f->size / sizeof(double); i++)
			jw_num(w, NULL, ((const double *)p)[i]);
		jw_end(w);
		break;
	case JT_CUSTOM:
		if (f->write)
			f->write(w, f->key, base, s);
		break;
	}
}

void jt_write_fields(struct jw *w, const struct jtable *t, const void *base, const struct series *s)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		write_field(w, &t->f[i], base, s);
}

void jt_write(struct jw *w, const char *key, const struct jtable *t, const void *base,
	      const struct series *s)
{
	jw_object(w, key, t->compact);
	jt_write_fields(w, t, base, s);
	jw_end(w);
}

/* ---- reading ---- */

void jt_bad(struct jt_reader *rd, const char *where, const char *key, const char *fmt, ...)
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

json_t *jt_get(struct jt_reader *rd, json_t *obj, const char *where, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		jt_bad(rd, where, key, "missing");
	return v;
}

json_t *jt_object(struct jt_reader *rd, json_t *obj, const char *where, const char *key)
{
	json_t *v = jt_get(rd, obj, where, key);

	if (v && !json_is_object(v)) {
		jt_bad(rd, where, key, "expected an object");
		return NULL;
	}
	return v;
}

json_t *jt_array(struct jt_reader *rd, json_t *obj, const char *where, const char *key, size_t want)
{
	json_t *v = jt_get(rd, obj, where, key);

	if (v && !json_is_array(v)) {
		jt_bad(rd, where, key, "expected an array");
		return NULL;
	}
	if (v && want != (size_t)-1 && json_array_size(v) != want) {
		jt_bad(rd, where, key, "expected %zu items (series.rows), found %zu", want,
		       json_array_size(v));
		return NULL;
	}
	return v;
}

bool jt_number(const json_t *v, double *out)
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

static bool int_in(struct jt_reader *rd, json_t *v, const char *where, const char *key, int64_t min,
		   int64_t max, int64_t *out)
{
	int64_t i;

	if (!json_is_integer(v)) {
		jt_bad(rd, where, key, "expected an integer");
		return false;
	}
	i = json_integer_value(v);
	if (i < min || i > max) {
		jt_bad(rd, where, key, "%lld is out of range [%lld, %lld]", (long long)i,
		       (long long)min, (long long)max);
		return false;
	}
	*out = i;
	return true;
}

int64_t jt_int(struct jt_reader *rd, json_t *obj, const char *where, const char *key, int64_t min,
	       int64_t max)
{
	json_t *v = jt_get(rd, obj, where, key);
	int64_t i = min;

	if (v)
		int_in(rd, v, where, key, min, max, &i);
	return i;
}

static const char *str_of(struct jt_reader *rd, json_t *v, const char *where, const char *key,
			  bool nullable)
{
	if (json_is_null(v) && nullable)
		return NULL;
	if (!json_is_string(v)) {
		jt_bad(rd, where, key,
		       nullable ? "expected a string or null" : "expected a string");
		return NULL;
	}
	return json_string_value(v);
}

static int name_index(const struct jt_names *nm, const char *s)
{
	unsigned i;

	for (i = 0; s && i < nm->n; i++)
		if (nm->nocase ? !strcasecmp(nm->name(i), s) : !strcmp(nm->name(i), s))
			return (int)i;
	return -1;
}

static void read_enum(struct jt_reader *rd, json_t *v, const char *where, const struct jfield *f,
		      void *p)
{
	const struct jt_names *nm = f->ref;
	const char *s = str_of(rd, v, where, f->key, false);
	int i = name_index(nm, s);

	if (s && i < 0 && !nm->lenient)
		jt_bad(rd, where, f->key, "unknown %s '%s' (expected %s)",
		       nm->what ? nm->what : "value", s, nm->expect);
	else if (s && i >= 0)
		set_int(p, f->size, (uint64_t)i);
}

static void read_bits(struct jt_reader *rd, json_t *v, const char *where, const struct jfield *f,
		      void *p)
{
	const struct jt_names *nm = f->ref;
	uint64_t bits = 0;
	json_t *item;
	size_t i;
	int b;

	if (!json_is_array(v)) {
		jt_bad(rd, where, f->key, "expected an array of names");
		return;
	}
	json_array_foreach(v, i, item) {
		b = name_index(nm, json_string_value(item));
		if (b >= 0)
			bits |= 1ull << b;
		else if (!nm->lenient || !json_is_string(item))
			return jt_bad(rd, where, f->key, "item %zu is not %s (expected %s)", i,
				      nm->what ? nm->what : "a known name", nm->expect);
	}
	set_int(p, f->size, bits);
}

static void read_col(struct jt_reader *rd, json_t *v, const char *where, const struct jfield *f,
		     int *col)
{
	const char *name = str_of(rd, v, where, f->key, f->flags & JF_NULLABLE);

	*col = -1;
	if (name && (!rd->s || (*col = series_find(rd->s, name)) < 0))
		jt_bad(rd, where, f->key, "no column '%s' in series.columns", name);
}

static void read_array(struct jt_reader *rd, json_t *v, const char *where, const struct jfield *f,
		       void *base)
{
	const struct jtable *t = f->ref;
	size_t i, n, *count = count_of(f, base);
	char w[96];
	void *e;
	json_t *item;

	if (!json_is_array(v)) {
		jt_bad(rd, where, f->key, "expected an array");
		return;
	}
	n = json_array_size(v);
	if (f->flags & JF_INLINE) {
		if (n > f->size / t->size) {
			jt_bad(rd, where, f->key, "more than %zu items", f->size / t->size);
			return;
		}
	} else {
		void *arr = calloc(n + 1, t->size);

		if (!arr) {
			rd->err = -ENOMEM;
			return;
		}
		*(void **)at(base, f->off) = arr;
	}
	*count = 0;
	json_array_foreach(v, i, item) {
		snprintf(w, sizeof(w), "%s%s%s[%zu]", where, *where ? "." : "", f->key, i);
		if (!json_is_object(item)) {
			jt_bad(rd, w, NULL, "expected an object");
			return;
		}
		e = (char *)elems(f, base) + i * t->size;
		if (t->init)
			t->init(e);
		jt_read(rd, item, w, t, e);
		if (rd->err)
			return;
		*count = i + 1;
	}
}

/* What the writer can produce: a count or a length is never negative, a confidence is in [0, 1]. */
static void check_range(struct jt_reader *rd, const char *where, const struct jfield *f, double *v)
{
	if (isnan(*v))
		return;
	if (f->flags & JF_UNIT && (*v < 0 || *v > 1))
		jt_bad(rd, where, f->key, "%g is out of range [0, 1]", *v);
	else if (*v < 0 && rd->schema < 2)
		*v = 0; /* the schema-1 writer gave a phase cut short by a signal a length below 0 */
	else if (*v < 0)
		jt_bad(rd, where, f->key, "%g is negative: expected 0 or more", *v);
}

static void read_nums(struct jt_reader *rd, json_t *v, const char *where, const struct jfield *f,
		      double *p)
{
	size_t i, n = f->size / sizeof(double);
	json_t *item;

	if (!json_is_array(v))
		return jt_bad(rd, where, f->key, "expected an array of numbers");
	json_array_foreach(v, i, item) {
		if (i < n && !jt_number(item, &p[i]))
			return jt_bad(rd, where, f->key, "item %zu is not a number or null", i);
	}
}

static void read_field(struct jt_reader *rd, json_t *v, const char *where, const struct jfield *f,
		       void *base)
{
	void *p = at(base, f->off);
	const char *s;
	char w[96];
	int64_t i;

	switch (f->type) {
	case JT_NUM:
		if (!jt_number(v, p))
			jt_bad(rd, where, f->key, "expected a number or null");
		else if (f->flags & (JF_NONNEG | JF_UNIT))
			check_range(rd, where, f, p);
		break;
	case JT_INT:
		if (f->min || f->max ?
			    int_in(rd, v, where, f->key, f->min, f->max, &i) :
			    int_in(rd, v, where, f->key,
				   f->size >= 8 ? INT64_MIN : -(1ll << (f->size * 8 - 1)),
				   f->size >= 8 ? INT64_MAX : (1ll << (f->size * 8 - 1)) - 1, &i))
			set_int(p, f->size, (uint64_t)i);
		break;
	case JT_UINT:
		if (int_in(rd, v, where, f->key, 0,
			   f->size >= 8 ? INT64_MAX : (int64_t)((1ull << (f->size * 8)) - 1), &i))
			set_int(p, f->size, (uint64_t)i);
		break;
	case JT_BOOL:
		if (!json_is_boolean(v))
			jt_bad(rd, where, f->key, "expected true or false");
		*(bool *)p = json_is_true(v);
		break;
	case JT_CHARS:
		s = str_of(rd, v, where, f->key, f->flags & (JF_NULLABLE | JF_EMPTY_NULL));
		snprintf(p, f->size, "%s", s ? s : "");
		break;
	case JT_STR:
		s = str_of(rd, v, where, f->key, f->flags & JF_NULLABLE);
		if (s && !(*(char **)p = strdup(s)))
			rd->err = -ENOMEM;
		break;
	case JT_ENUM:
		read_enum(rd, v, where, f, p);
		break;
	case JT_BITS:
		read_bits(rd, v, where, f, p);
		break;
	case JT_COL:
		read_col(rd, v, where, f, p);
		break;
	case JT_OBJECT:
		snprintf(w, sizeof(w), "%s%s%s", where, *where ? "." : "", f->key);
		if (!json_is_object(v))
			jt_bad(rd, where, f->key, "expected an object");
		else
			jt_read(rd, v, w, f->ref, base);
		break;
	case JT_ARRAY:
		read_array(rd, v, where, f, base);
		break;
	case JT_NUMS:
		read_nums(rd, v, where, f, p);
		break;
	case JT_CUSTOM:
		if (f->read)
			f->read(rd, v, where, f->key, base);
		break;
	}
}

void jt_read(struct jt_reader *rd, json_t *o, const char *where, const struct jtable *t, void *base)
{
	size_t i;

	for (i = 0; i < t->n && !rd->err; i++) {
		const struct jfield *f = &t->f[i];
		json_t *v = json_object_get(o, f->key);

		if (f->flags & JF_WRITE_ONLY)
			continue;
		if (!v) {
			if (!(f->flags & JF_OPTIONAL) && rd->schema >= (f->since ? f->since : 1))
				jt_bad(rd, where, f->key, "missing");
			continue;
		}
		read_field(rd, v, where, f, base);
	}
}

void jt_free(const struct jtable *t, void *base)
{
	size_t i, k;

	for (i = 0; i < t->n; i++) {
		const struct jfield *f = &t->f[i];
		const struct jtable *sub = f->ref;
		void *p = at(base, f->off);

		if (f->type == JT_STR) {
			free(*(char **)p);
			*(char **)p = NULL;
		} else if (f->type == JT_OBJECT) {
			jt_free(sub, base);
		} else if (f->type == JT_ARRAY) {
			for (k = 0; elems(f, base) && k < *count_of(f, base); k++)
				jt_free(sub, (char *)elems(f, base) + k * sub->size);
			if (!(f->flags & JF_INLINE)) {
				free(*(void **)p);
				*(void **)p = NULL;
			}
			*count_of(f, base) = 0;
		}
	}
}
