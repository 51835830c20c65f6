/* Loads a series recorded with `sockleak run --csv` (cut to some columns) for the analysis tests. */
#ifndef SOCKLEAK_TEST_CSV_FIXTURE_H
#define SOCKLEAK_TEST_CSV_FIXTURE_H

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "describe.h"
#include "model/series.h"

/* The CSV has no units or kinds: the probes' naming tells them. */
static inline enum unit fixture_unit(const char *name)
{
	size_t n = strlen(name);

	if ((n > 6 && !strcmp(name + n - 6, ".bytes")) || !strncmp(name, "meminfo.", 8) ||
	    !strncmp(name, "memcg.", 6) || !strcmp(name, "proc.rss") ||
	    (!strncmp(name, "sockstat.", 9) && ((n > 4 && !strcmp(name + n - 4, ".mem")) ||
						(n > 7 && !strcmp(name + n - 7, ".memory")))))
		return UNIT_BYTES;
	if (!strncmp(name, "probe.", 6))
		return UNIT_USEC;
	return UNIT_COUNT;
}

static inline enum metric_kind fixture_kind(const char *name)
{
	if (!strncmp(name, "netstat.", 8))
		return MK_COUNTER;
	if (!strncmp(name, "probe.", 6))
		return MK_COST;
	return MK_LEVEL;
}

static inline enum phase fixture_phase(const char *name)
{
	static const char *const names[] = { "baseline", "warmup", "churn", "quiesce", "teardown" };
	static const enum phase ph[] = { PHASE_BASELINE, PHASE_WARMUP, PHASE_CHURN, PHASE_QUIESCE,
					 PHASE_TEARDOWN };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return ph[i];
	return PHASE_COUNT;
}

/* Next comma-separated field of *p (cut in place); empty fields are NaN values. */
static inline char *fixture_field(char **p)
{
	char *f = *p, *e;

	if (!f)
		return NULL;
	e = f + strcspn(f, ",\n");
	*p = *e == ',' ? e + 1 : NULL;
	*e = '\0';
	return f;
}

/* The first max_rows rows only (0: all): a run cut short. 0, or -1 when it cannot be read. */
static inline int fixture_load_rows(const char *path, struct series *s, size_t max_rows)
{
	char *line = NULL, *p, *tok;
	size_t cap = 0;
	int *cols = NULL, n = 0, i, err = -1;
	enum phase cur = PHASE_COUNT;
	FILE *f = fopen(path, "r");

	if (!f || series_init(s, 0))
		goto out;
	if (getline(&line, &cap, f) < 0)
		goto out;
	cols = calloc(strlen(line) + 1, sizeof(*cols));
	for (p = line; cols && (tok = fixture_field(&p)); n++)
		cols[n] = n < 3 ? -1 :
				  series_add_named(s, tok, fixture_unit(tok), fixture_kind(tok),
						   NULL);
	if (!cols || n < 4)
		goto out;
	while ((!max_rows || s->nrows < max_rows) && getline(&line, &cap, f) > 0) {
		double t, cycles;
		enum phase ph;

		p = line;
		t = atof(fixture_field(&p));
		cycles = atof((tok = fixture_field(&p)) ? tok : "0");
		ph = fixture_phase((tok = fixture_field(&p)) ? tok : "");
		for (i = 3; i < n && (tok = fixture_field(&p)); i++)
			series_set(s, cols[i], *tok ? atof(tok) : NAN);
		/*
		 * The run marked each phase between two rows: the loop starts after the mark (its
		 * count then is the row before's) and has stopped at it (its final count).
		 */
		if (ph != cur && ph != PHASE_COUNT) {
			bool starts = ph == PHASE_WARMUP || ph == PHASE_CHURN;

			series_mark(s, ph, s->nrows ? (t + s->last_t) / 2 : t,
				    starts && s->nrows ? s->last_cycles : (uint64_t)cycles);
			cur = ph;
		}
		if (series_commit(s, t, (uint64_t)cycles))
			goto out;
	}
	err = series_flush(s);
out:
	free(cols);
	free(line);
	if (f)
		fclose(f);
	return err;
}

static inline int fixture_load(const char *path, struct series *s)
{
	return fixture_load_rows(path, s, 0);
}

#endif
