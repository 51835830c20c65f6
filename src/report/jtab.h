/*
 * JSON by field tables: one table per struct names each key, where its value lives and its type.
 * The writer and the loader both walk the same table, so what is written is what is read.
 */
#ifndef SOCKLEAK_REPORT_JTAB_H
#define SOCKLEAK_REPORT_JTAB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "model/series.h"
#include "report/jw.h"

enum jt_type {
	JT_NUM, /* double; NaN is null */
	JT_INT, /* a signed integer of `size` bytes, within [min, max] when read */
	JT_UINT, /* an unsigned integer of `size` bytes (unsigned, uint64_t, size_t) */
	JT_BOOL,
	JT_CHARS, /* a char array of `size` bytes */
	JT_STR, /* a char pointer: the loader allocates it; NULL is null */
	JT_ENUM, /* an enum (int) by name: ref is a struct jt_names */
	JT_BITS, /* an unsigned bit set as an array of the names of its bits: ref, a jt_names */
	JT_COL, /* an int column index, by the column's name (series.columns[].name); -1 is null */
	JT_OBJECT, /* a nested object whose fields are in the same struct: ref is its jtable */
	JT_ARRAY, /* an array of structs: a pointer (or inline, JF_INLINE) at off and a size_t
		     count at count_off; ref is the element's jtable */
	JT_NUMS, /* a fixed array of doubles (size bytes of them); a shorter array leaves the rest */
	JT_CUSTOM, /* written and read by the field's functions */
};

/* The names of an enum's values (or of a bit set's bits): name(i) for i in [0, n). */
struct jt_names {
	const char *(*name)(unsigned i);
	unsigned n;
	const char *what; /* in messages: "unknown transport 'x'"; NULL: "value" */
	const char *expect; /* in messages: "CLEAN, BOUNDED, ..." */
	bool nocase; /* read in any case */
	bool lenient; /* names a newer writer added are skipped (the field keeps its value) */
};

/* Flags of a field. */
enum {
	JF_NULLABLE = 1, /* JT_STR, JT_CHARS, JT_COL: null reads as NULL, "" or -1 */
	JF_OPTIONAL = 2, /* may be missing (written only when there is something to say) */
	JF_EMPTY_NULL = 4, /* JT_CHARS: "" is written as null */
	JF_INLINE = 8, /* JT_ARRAY: the elements are in the struct (size bytes of them) */
	JF_WRITE_ONLY = 16, /* derived when written (a JT_CUSTOM without read), not read back */
	JF_NONNEG = 32, /* JT_NUM: 0 or more (or null), as the writer makes it: a count, seconds */
	JF_UNIT = 64, /* JT_NUM: in [0, 1] (or null): a confidence, a share */
};

struct jt_reader;
struct jtable;

struct jfield {
	const char *key;
	size_t off;
	enum jt_type type;
	size_t size; /* of the field; JT_ARRAY: of the whole inline array (JF_INLINE) */
	const void *ref; /* JT_ENUM, JT_BITS: struct jt_names; JT_OBJECT, JT_ARRAY: jtable */
	size_t count_off; /* JT_ARRAY: where its size_t count is */
	unsigned flags;
	int since; /* the schema that added the key: older files may lack it */
	int64_t min, max; /* JT_INT: accepted range (both 0: the type's) */
	/* JT_CUSTOM: write the value of key (base is the struct), read it (v is never NULL). */
	void (*write)(struct jw *w, const char *key, const void *base, const struct series *s);
	void (*read)(struct jt_reader *rd, json_t *v, const char *where, const char *key,
		     void *base);
};

struct jtable {
	const struct jfield *f;
	size_t n;
	size_t size; /* of the struct, for arrays of it */
	bool compact; /* written on one line (array elements) */
	void (*init)(void *base); /* sets what the file does not hold, before an element is read */
};

#define JT_TABLE(fields, type, compact_, init_)                                             \
	{                                                                                   \
		fields, sizeof(fields) / sizeof((fields)[0]), sizeof(type), compact_, init_ \
	}

/* Rows, one per key: JF_NUM(struct result, "churn_seconds", churn_seconds, .since = 2). */
#define JF_(T, st, k, fld, ...)                                                                \
	{                                                                                      \
		.key = k, .off = offsetof(st, fld), .type = T, .size = sizeof(((st *)0)->fld), \
		__VA_ARGS__                                                                    \
	}
#define JF_NUM(st, k, fld, ...) JF_(JT_NUM, st, k, fld, __VA_ARGS__)
#define JF_INT(st, k, fld, ...) JF_(JT_INT, st, k, fld, __VA_ARGS__)
#define JF_UINT(st, k, fld, ...) JF_(JT_UINT, st, k, fld, __VA_ARGS__)
#define JF_BOOL(st, k, fld, ...) JF_(JT_BOOL, st, k, fld, __VA_ARGS__)
#define JF_CHARS(st, k, fld, ...) JF_(JT_CHARS, st, k, fld, __VA_ARGS__)
#define JF_STR(st, k, fld, ...) JF_(JT_STR, st, k, fld, __VA_ARGS__)
#define JF_ENUM(st, k, fld, names, ...) JF_(JT_ENUM, st, k, fld, .ref = &(names), __VA_ARGS__)
#define JF_BITS(st, k, fld, names, ...) JF_(JT_BITS, st, k, fld, .ref = &(names), __VA_ARGS__)
#define JF_COL(st, k, fld, ...) JF_(JT_COL, st, k, fld, __VA_ARGS__)
#define JF_NUMS(st, k, fld, ...) JF_(JT_NUMS, st, k, fld, __VA_ARGS__)
#define JF_OBJECT(k, table, ...)                                          \
	{                                                                 \
		.key = k, .type = JT_OBJECT, .ref = &(table), __VA_ARGS__ \
	}
#define JF_ARRAY(st, k, fld, count, table, ...) \
	JF_(JT_ARRAY, st, k, fld, .ref = &(table), .count_off = offsetof(st, count), __VA_ARGS__)
#define JF_CUSTOM(k, w, r, ...)                                                 \
	{                                                                       \
		.key = k, .type = JT_CUSTOM, .write = w, .read = r, __VA_ARGS__ \
	}

/* ---- writing ---- */

/* Writes the struct at base as the object key (NULL: an array element or the top level). */
void jt_write(struct jw *w, const char *key, const struct jtable *t, const void *base,
	      const struct series *s);
/* Writes its fields only, into the object the caller opened. */
void jt_write_fields(struct jw *w, const struct jtable *t, const void *base,
		     const struct series *s);

/* ---- reading ---- */

struct jt_reader {
	const char *path; /* for messages */
	int schema; /* of the file */
	const struct series *s; /* where JT_COL names are found */
	int err; /* 0, or -EINVAL once a problem was said (-ENOMEM) */
};

/*
 * Says the first problem only: "PATH: WHERE.KEY: message" (sl_err), and sets rd->err.
 */
void jt_bad(struct jt_reader *rd, const char *where, const char *key, const char *fmt, ...)
	SL_PRINTF(4, 5);
/* obj.key, which must be there: NULL (said) when missing. */
json_t *jt_get(struct jt_reader *rd, json_t *obj, const char *where, const char *key);
/* obj.key as an array of want items ((size_t)-1: any), or an object: NULL (said) otherwise. */
json_t *jt_array(struct jt_reader *rd, json_t *obj, const char *where, const char *key,
		 size_t want);
json_t *jt_object(struct jt_reader *rd, json_t *obj, const char *where, const char *key);
/* A number, or null for NaN: false for anything else. */
bool jt_number(const json_t *v, double *out);
int64_t jt_int(struct jt_reader *rd, json_t *obj, const char *where, const char *key, int64_t min,
	       int64_t max);

/*
 * Reads the fields of table t from the object o into the struct at base. A key the file lacks is
 * refused unless the field is optional or newer than the file's schema (then base keeps what it
 * had). Strings and arrays it allocates are the caller's to free (jt_free).
 */
void jt_read(struct jt_reader *rd, json_t *o, const char *where, const struct jtable *t,
	     void *base);
/* Frees what jt_read allocated in the struct at base (strings and arrays, recursively). */
void jt_free(const struct jtable *t, void *base);

#endif
