/* Number and text formatting shared by the reports: exact numbers, human units, escaping. */
#ifndef SOCKLEAK_REPORT_FMT_H
#define SOCKLEAK_REPORT_FMT_H

#include <stddef.h>
#include <stdio.h>

#include "model/series.h"

#define FMT_NUM_MAX 32

/* The shortest "%.Ng" text that reads back as exactly v ("nan"/"inf" for those). */
const char *fmt_exact(char buf[FMT_NUM_MAX], double v);

/*
 * A value for people, three significant digits: bytes in IEC units ("1.91 KiB"), counts with SI
 * prefixes ("1.23 M"), microseconds as time ("1.20 ms"). NaN gives "n/a".
 */
const char *fmt_human(char *buf, size_t size, double v, enum unit u);

/* A count with thousands separated: "250,000"; non-integers as "%.3g"; NaN as "n/a". */
const char *fmt_count(char *buf, size_t size, double v);

/*
 * The scale for an axis or a column of values up to maxabs: the divisor and its suffix
 * (" KiB", " k", " ms", ...), so that maxabs / div lies in [1, 1000) or [1, 1024).
 */
void fmt_scale(double maxabs, enum unit u, double *div, const char **suffix);

/* Writes s with &, <, >, " and ' escaped: safe in HTML/SVG text and in quoted attributes. */
void fmt_html(FILE *f, const char *s);
/* Writes s as one CSV field (RFC 4180): quoted, with quotes doubled, when it holds , " CR or LF. */
void fmt_csv(FILE *f, const char *s);

#endif
