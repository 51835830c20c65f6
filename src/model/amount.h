/* One formatter of amounts in a metric's unit, in the few styles the reports need. */
#ifndef SOCKLEAK_AMOUNT_H
#define SOCKLEAK_AMOUNT_H

#include <stddef.h>

#include "model/metric.h"

enum amount_style {
	/* Three significant digits, never an exponent: counts with SI prefixes ("1.23 k"), bytes
	   in IEC units ("1.91 KiB"), microseconds as time ("1.20 ms"); NaN "n/a". */
	AMT_HUMAN,
	/* Prose: never an exponent; counts from 1000 with thousands separated ("32,400"), from
	   10 as integers, fractions with two significant digits ("0.5", "0.00001"); bytes
	   "512 B", "12.3 KiB"; NaN "nan". The reasons' sentences, headlines, messages. */
	AMT_PLAIN,
	/* As plain, fractions and counts from 1e7 with three digits ("1.23e+07"); NaN "-". The
	   text report's tables. */
	AMT_TABLE,
	/* Narrow columns, in binary steps: "312", "1.5K", "2.0M"; NaN "-". The live view. */
	AMT_SHORT,
};

/* Or'ed into the style: "+" before a figure that is not negative (AMT_SHORT: that is positive). */
#define AMT_SIGN 0x100u
/* Or'ed into the style: an estimate, rounded to three significant digits first. */
#define AMT_ROUND 0x200u

/* Writes v in unit u as style says into buf (always NUL-terminated) and returns buf. */
const char *amount(char *buf, size_t size, double v, enum unit u, unsigned style);

/*
 * The scale of AMT_HUMAN for values up to maxabs, for an axis or a column: the divisor and its
 * suffix (" KiB", " k", " ms", ...), so that maxabs / div lies in [1, 1000) or [1, 1024).
 */
void amount_scale(double maxabs, enum unit u, double *div, const char **suffix);

#endif
