/* Helpers for the probe unit tests: fixture paths, one probe opened and sampled on a series. */
#ifndef SOCKLEAK_PROBE_FIXTURE_H
#define SOCKLEAK_PROBE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"

/* tests/data, or $SOCKLEAK_TESTDATA when the tests run from elsewhere. */
static inline const char *fixture(const char *sub)
{
	static char path[4][512];
	static int i;
	const char *base = getenv("SOCKLEAK_TESTDATA");

	i = (i + 1) % 4;
	snprintf(path[i], sizeof(path[i]), "%s/%s", base ? base : "tests/data", sub);
	return path[i];
}

/* Reads a fixture file whole (malloc'd, NUL-terminated), or NULL. */
static inline char *slurp(const char *sub)
{
	FILE *f = fopen(fixture(sub), "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Opens one probe; on success samples it once and commits the row. Returns open's result. */
static inline int probe_once(const struct probe_ops *ops, struct probe *p,
			     const struct probe_ctx *ctx, struct series *s)
{
	int err;

	memset(p, 0, sizeof(*p));
	p->ops = ops;
	err = ops->open(p, ctx, s);
	if (err)
		return err;
	p->on = true;
	err = ops->sample(p, s);
	if (err)
		return err;
	return series_commit(s, 0, 0);
}

/* The latest value of a column by name; NAN when there is no such column. */
static inline double last(const struct series *s, const char *name)
{
	int c = series_find(s, name);

	return c < 0 ? 0.0 / 0.0 : s->last[c];
}

#endif
