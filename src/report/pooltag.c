/* The pool-tag table: which slab caches kept memory, and how much per cycle. */
#include "report/pooltag.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "slab.NAME.bytes" -> NAME and which figure; false for any other column. */
static bool slab_key(const char *col, char *cache, size_t size, bool *is_bytes)
{
	const char *dot;
	size_t n;

	if (strncmp(col, "slab.", 5))
		return false;
	col += 5;
	dot = strrchr(col, '.');
	if (!dot || dot == col)
		return false;
	if (!strcmp(dot, ".bytes"))
		*is_bytes = true;
	else if (!strcmp(dot, ".objs"))
		*is_bytes = false;
	else
		return false;
	n = (size_t)(dot - col);
	if (n >= size)
		n = size - 1;
	memcpy(cache, col, n);
	cache[n] = '\0';
	return true;
}

static double rank_bytes(const struct pool_tag *t)
{
	return isnan(t->bytes_per_cycle) ? -INFINITY : t->bytes_per_cycle;
}

static double rank_peak(const struct pool_tag *t)
{
	const struct metric_result *m = t->bytes ? t->bytes : t->objs;

	return m && !isnan(m->peak) ? m->peak : -INFINITY;
}

static int cmp_tags(const void *a, const void *b)
{
	const struct pool_tag *x = a, *y = b;
	double bx = rank_bytes(x), by = rank_bytes(y);

	if (bx != by)
		return bx < by ? 1 : -1;
	if (rank_peak(x) != rank_peak(y))
		return rank_peak(x) < rank_peak(y) ? 1 : -1;
	return strcmp(x->cache, y->cache);
}

size_t pool_tags(const struct series *s, const struct result *r, struct pool_tag *out, size_t max)
{
	struct pool_tag *all;
	size_t i, j, n = 0;

	all = calloc(r->nm ? r->nm : 1, sizeof(*all));
	if (!all)
		return 0;
	for (i = 0; i < r->nm; i++) {
		const struct metric_result *m = &r->m[i];
		char cache[sizeof(all->cache)];
		bool is_bytes;

		if (m->col < 0 || (size_t)m->col >= s->ncols ||
		    !slab_key(s->cols[m->col].name, cache, sizeof(cache), &is_bytes))
			continue;
		for (j = 0; j < n && strcmp(all[j].cache, cache); j++)
			;
		if (j == n) {
			n++;
			snprintf(all[j].cache, sizeof(all[j].cache), "%s", cache);
			all[j].bytes_per_cycle = all[j].objs_per_cycle = NAN;
			all[j].confidence = 0;
			all[j].verdict = VERDICT_CLEAN;
		}
		if (is_bytes) {
			all[j].bytes = m;
			all[j].bytes_per_cycle = m->residual_per_cycle;
		} else {
			all[j].objs = m;
			all[j].objs_per_cycle = m->residual_per_cycle;
		}
		if (!all[j].note)
			all[j].note = s->cols[m->col].note;
		/* Nothing seen for want of cycles is not something to say about a cache. */
		if (m->nothing_seen)
			continue;
		if (m->verdict > all[j].verdict ||
		    (m->verdict == all[j].verdict && m->confidence > all[j].confidence)) {
			all[j].verdict = m->verdict;
			all[j].confidence = m->confidence;
		}
	}
	for (i = j = 0; i < n; i++)
		if (all[i].verdict != VERDICT_CLEAN)
			all[j++] = all[i];
	n = j;
	qsort(all, n, sizeof(*all), cmp_tags);
	if (out)
		memcpy(out, all, (n < max ? n : max) * sizeof(*out));
	free(all);
	return n;
}
