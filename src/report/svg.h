/* A small SVG chart writer: line charts with nice ticks, unit-aware labels, shaded bands, legend. */
#ifndef SOCKLEAK_SVG_H
#define SOCKLEAK_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model/series.h"

#define SVG_BREAK ((size_t)-1) /* in a list of kept points: the line is broken here (NaN) */
#define SVG_MAX_TICKS 16

/* What an axis shows; the unit decides the scale and suffix of its labels. */
enum svg_scale {
	SVG_COUNT, /* SI prefixes: 1.5 k, 2 M */
	SVG_BYTES, /* IEC: 512 B, 1.5 MiB */
	SVG_USEC, /* µs, ms, s */
	SVG_SECONDS, /* s, min, h */
};

struct svg_axis {
	const char *label;
	enum svg_scale scale;
};

struct svg_line {
	const char *name; /* legend text and data-series attribute */
	const double *x, *y; /* n points; a NaN y breaks the line */
	size_t n;
	unsigned color; /* palette index: CSS class c0..c9 */
	bool dashed; /* a reference line (baseline, fit, injected) */
	bool dot; /* one marked point (e.g. the level after quiesce) */
	bool skip_nan; /* a NaN point is left out and the line joins the points around it */
};

struct svg_band {
	double x0, x1; /* in x data units */
	const char *label;
	const char *cls; /* CSS class, e.g. "ph-churn" */
};

struct svg_chart {
	const char *id; /* data-chart attribute */
	unsigned seq; /* unique in the page: names the chart's clip path */
	const char *title; /* shown in the chart's <title> for screen readers */
	int width, height; /* viewBox; 0: 560 x 260 */
	struct svg_axis x, y;
	const struct svg_line *lines;
	size_t nlines;
	const struct svg_band *bands;
	size_t nbands;
	size_t max_points; /* per line after thinning; 0: 320 */
	bool y_zero; /* include 0 in the y range */
	int legend_rows; /* at least this many legend rows: aligns charts side by side */
};

/* Ticks for [lo, hi]: at most target+2 round values covering the range, labelled in scale units. */
struct svg_ticks {
	double lo, hi; /* the axis range: first and last tick */
	double step;
	int n;
	double div; /* labels show value / div ... */
	const char *suffix; /* ... followed by this */
	int decimals;
};

int svg_ticks(double lo, double hi, int target, enum svg_scale scale, struct svg_ticks *t);
/* The label of tick value v. */
const char *svg_tick_label(const struct svg_ticks *t, double v, char *buf, size_t size);

/*
 * Thins a line for drawing: splits [x0, x1] into max/4 buckets and keeps, per bucket, the first,
 * lowest, highest and last point (in order), so that peaks survive. idx receives the kept indices
 * (SVG_BREAK where NaN breaks the line) and must hold n entries. Returns the count written.
 * Lines of at most max points are kept whole.
 */
size_t svg_thin(const double *x, const double *y, size_t n, double x0, double x1, size_t max,
		size_t *idx);

/* Writes one <svg> element. 0 or -ENOMEM. */
int svg_chart(FILE *f, const struct svg_chart *c);

#endif
