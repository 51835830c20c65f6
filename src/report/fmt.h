/* Number and text formatting shared by the reports: exact numbers, counts, escaping (amounts: model/amount.h). */
#ifndef SOCKLEAK_REPORT_FMT_H
#define SOCKLEAK_REPORT_FMT_H

#include <stddef.h>
#include <stdio.h>

#include "model/amount.h"
#include "model/series.h"

#define FMT_NUM_MAX 32

/* The shortest "%.Ng" text that reads back as exactly v ("nan"/"inf" for those). */
const char *fmt_exact(char buf[FMT_NUM_MAX], double v);

/* A count as prose writes it (AMT_PLAIN): "250,000", "0.5"; NaN as "n/a". */
const char *fmt_count(char *buf, size_t size, double v);

/* Writes s with &, <, >, " and ' escaped: safe in HTML/SVG text and in quoted attributes. */
void fmt_html(FILE *f, const char *s);
/* Writes s as one CSV field (RFC 4180): quoted, with quotes doubled, when it holds , " CR or LF. */
void fmt_csv(FILE *f, const char *s);

/* A duration for people: "45s", "9m50s", "1h2m" (sweep budgets, how long a run takes). */
const char *sweep_fmt_duration(char *buf, size_t size, double seconds);

#endif
