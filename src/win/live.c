/* The live view on Windows, as plain text (no ncurses in the Windows build): every column's figure
 * and its change since the view started, redrawn each refresh. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "report/fmt.h"
#include "report/live.h"

int live_parse_sort(const char *s, enum live_sort *out)
{
	if (!strcmp(s, "growth"))
		*out = LIVE_SORT_GROWTH;
	else if (!strcmp(s, "rate"))
		*out = LIVE_SORT_RATE;
	else if (!strcmp(s, "size"))
		*out = LIVE_SORT_SIZE;
	else
		return -EINVAL;
	return 0;
}

static void print_with(FILE *f, struct series *s, const double *first, const struct live_opts *o)
{
	size_t i;

	series_lock(s);
	fprintf(f, "sockleak watch: %s, %llu samples\n", o->title ? o->title : "host",
		(unsigned long long)s->samples);
	fprintf(f, "  %-40s %16s %16s\n", "metric", "now", "since start");
	for (i = 0; i < s->ncols; i++) {
		double v = s->last[i];

		if (s->cols[i].d.kind == MK_COST || isnan(v))
			continue;
		fprintf(f, "  %-40s %16.0f %+16.0f\n", s->cols[i].name, v,
			first && i < s->ncols && !isnan(first[i]) ? v - first[i] : 0.0);
	}
	series_unlock(s);
}

int live_print(FILE *f, struct series *s, const struct probe_set *ps, const struct live_opts *o)
{
	(void)ps;
	print_with(f, s, NULL, o);
	return ferror(f) ? -EIO : 0;
}

/* Ctrl-C ends the view through o->done: the caller's stop module counts the signals. */
int live_view_run(struct series *s, const struct probe_set *ps, const struct live_opts *o)
{
	double refresh = o->refresh > 0 ? o->refresh : 1.0;
	double *first = NULL;
	size_t n = 0;

	(void)ps;
	while (!(o->done && o->done(o->arg))) {
		Sleep((DWORD)(refresh * 1000));
		series_lock(s);
		if (!first && s->samples) {
			n = s->ncols;
			first = malloc(n * sizeof(*first));
			if (first)
				memcpy(first, s->last, n * sizeof(*first));
		}
		series_unlock(s);
		print_with(stdout, s, first, o);
		fflush(stdout);
	}
	(void)n;
	free(first);
	return 0;
}
