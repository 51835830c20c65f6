/* A small streaming JSON writer with exact shortest numbers. */
#include "report/jw.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/fmt.h"

void jw_init(struct jw *w, FILE *f)
{
	w->f = f;
	w->depth = 0;
	w->first[0] = true;
	w->compact[0] = false;
	w->failed = false;
}

static void put_string(struct jw *w, const char *s)
{
	json_t *j = json_string(s);
	char *txt, *copy = NULL, *p;

	/* Not valid UTF-8 (a name read from the kernel, say): keep the ASCII, mark the rest. */
	if (!j && (copy = strdup(s))) {
		for (p = copy; *p; p++)
			if ((unsigned char)*p >= 0x80)
				*p = '?';
		j = json_string(copy);
	}
	txt = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
	if (txt) {
		fputs(txt, w->f);
	} else {
		fputs("null", w->f);
		w->failed = true;
	}
	free(txt);
	free(copy);
	json_decref(j);
}

/* The separator, line break and key before a value. */
static void member(struct jw *w, const char *key)
{
	if (!w->first[w->depth])
		fputc(',', w->f);
	if (w->depth > 0) {
		if (!w->compact[w->depth])
			fprintf(w->f, "\n%*s", 2 * w->depth, "");
		else if (!w->first[w->depth])
			fputc(' ', w->f);
	}
	w->first[w->depth] = false;
	if (key) {
		put_string(w, key);
		fputs(": ", w->f);
	}
}

static void open_(struct jw *w, const char *key, bool compact, char open, char close)
{
	member(w, key);
	fputc(open, w->f);
	if (w->depth + 1 >= JW_MAX_DEPTH) {
		w->failed = true;
		return;
	}
	w->depth++;
	w->first[w->depth] = true;
	w->compact[w->depth] = compact || w->compact[w->depth - 1];
	w->closer[w->depth] = close;
}

void jw_object(struct jw *w, const char *key, bool compact)
{
	open_(w, key, compact, '{', '}');
}

void jw_array(struct jw *w, const char *key, bool compact)
{
	open_(w, key, compact, '[', ']');
}

void jw_end(struct jw *w)
{
	if (w->depth == 0) {
		w->failed = true;
		return;
	}
	if (!w->compact[w->depth] && !w->first[w->depth])
		fprintf(w->f, "\n%*s", 2 * (w->depth - 1), "");
	fputc(w->closer[w->depth], w->f);
	w->depth--;
	if (w->depth == 0)
		fputc('\n', w->f);
}

void jw_num(struct jw *w, const char *key, double v)
{
	char buf[FMT_NUM_MAX];

	member(w, key);
	if (!isfinite(v))
		fputs("null", w->f);
	else if (v == trunc(v) && fabs(v) < 9007199254740992.0)
		fprintf(w->f, "%.0f", v == 0 ? 0.0 : v); /* no "-0" */
	else
		fputs(fmt_exact(buf, v), w->f);
}

void jw_int(struct jw *w, const char *key, int64_t v)
{
	member(w, key);
	fprintf(w->f, "%lld", (long long)v);
}

void jw_str(struct jw *w, const char *key, const char *s)
{
	member(w, key);
	if (s)
		put_string(w, s);
	else
		fputs("null", w->f);
}

void jw_bool(struct jw *w, const char *key, bool b)
{
	member(w, key);
	fputs(b ? "true" : "false", w->f);
}

void jw_null(struct jw *w, const char *key)
{
	member(w, key);
	fputs("null", w->f);
}

void jw_json(struct jw *w, const char *key, const json_t *v)
{
	const char *k;
	json_t *item;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		jw_object(w, key, false);
		json_object_foreach((json_t *)v, k, item)
			jw_json(w, k, item);
		jw_end(w);
		break;
	case JSON_ARRAY:
		jw_array(w, key, false);
		json_array_foreach(v, i, item)
			jw_json(w, NULL, item);
		jw_end(w);
		break;
	case JSON_STRING:
		jw_str(w, key, json_string_value(v));
		break;
	case JSON_INTEGER:
		jw_int(w, key, json_integer_value(v));
		break;
	case JSON_REAL: {
		/* Stays a real when read back: 10.0, not 10. */
		double d = json_real_value(v);
		char buf[FMT_NUM_MAX];

		member(w, key);
		if (!isfinite(d))
			fputs("null", w->f);
		else if (fputs(fmt_exact(buf, d), w->f) >= 0 && !strpbrk(buf, ".eEn"))
			fputs(".0", w->f);
		break;
	}
	case JSON_TRUE:
	case JSON_FALSE:
		jw_bool(w, key, json_is_true(v));
		break;
	default:
		jw_null(w, key);
	}
}
