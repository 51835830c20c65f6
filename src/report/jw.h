/* A small streaming JSON writer: readable layout, exact numbers, no tree in memory for big arrays. */
#ifndef SOCKLEAK_REPORT_JW_H
#define SOCKLEAK_REPORT_JW_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JW_MAX_DEPTH 32

/*
 * Objects and arrays opened "compact" are written on one line, with everything inside them;
 * others put each member on a line of its own. Numbers are the shortest text that reads back
 * exactly; NaN and infinities are written as null. Strings are escaped by jansson.
 */
struct jw {
	FILE *f;
	int depth;
	bool first[JW_MAX_DEPTH];
	bool compact[JW_MAX_DEPTH];
	char closer[JW_MAX_DEPTH]; /* "}" or "]" */
	bool failed; /* nesting too deep or out of memory */
};

void jw_init(struct jw *w, FILE *f);
/* key is NULL inside arrays and for the top level. */
void jw_object(struct jw *w, const char *key, bool compact);
void jw_array(struct jw *w, const char *key, bool compact);
void jw_end(struct jw *w); /* closes the innermost object or array */
void jw_num(struct jw *w, const char *key, double v);
void jw_int(struct jw *w, const char *key, int64_t v);
void jw_str(struct jw *w, const char *key, const char *s); /* NULL -> null */
void jw_bool(struct jw *w, const char *key, bool b);
void jw_null(struct jw *w, const char *key);
/* Writes a jansson value (e.g. the engine summary) in the same layout. */
void jw_json(struct jw *w, const char *key, const json_t *v);

#endif
