/* A small SVG chart writer: axes with nice ticks, unit-aware labels, phase bands, thinned lines. */
#include "report/svg.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/fmt.h"

#define DEFAULT_W 560
#define DEFAULT_H 260
#define DEFAULT_POINTS 320
#define CHAR_W 7.6 /* a generous glyph width of the 11px label font (DejaVu Sans is wide) */

/* 1, 2 or 5 times a power of ten near x: rounded, or the smallest not below x. */
static double nice(double x, bool round)
{
	double e = floor(log10(x)), f = x / pow(10, e), nf;

	if (round)
		nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
	else
		nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
	return nf * pow(10, e);
}

static void pick_scale(double maxabs, enum svg_scale scale, double *div, const char **suffix)
{
	switch (scale) {
	case SVG_BYTES:
		amount_scale(maxabs, UNIT_BYTES, div, suffix);
		break;
	case SVG_USEC:
		amount_scale(maxabs, UNIT_USEC, div, suffix);
		break;
	case SVG_SECONDS:
		*div = maxabs >= 7200 ? 3600 : maxabs >= 600 ? 60 : 1;
		*suffix = maxabs >= 7200 ? " h" : maxabs >= 600 ? " min" : " s";
		break;
	default:
		amount_scale(maxabs, UNIT_COUNT, div, suffix);
	}
}

int svg_ticks(double lo, double hi, int target, enum svg_scale scale, struct svg_ticks *t)
{
	double a, b, range, step, first, last, d;

	if (!isfinite(lo) || !isfinite(hi)) {
		lo = 0;
		hi = 1;
	}
	if (hi < lo) {
		d = lo;
		lo = hi;
		hi = d;
	}
	if (hi == lo) {
		/* A flat line still gets an axis: centred, with room around it. */
		d = lo ? fabs(lo) * 0.05 : 1;
		lo -= d;
		hi += d;
	}
	if (target < 2)
		target = 2;
	if (target > SVG_MAX_TICKS - 2)
		target = SVG_MAX_TICKS - 2;
	pick_scale(fmax(fabs(lo), fabs(hi)), scale, &t->div, &t->suffix);
	a = lo / t->div;
	b = hi / t->div;
	range = nice(b - a, false);
	step = nice(range / (target - 1), true);
	/* A value a hair outside a round tick (a fitted line's end) does not cost a whole step. */
	first = floor(a / step + 0.01) * step;
	last = ceil(b / step - 0.01) * step;
	t->n = (int)lround((last - first) / step) + 1;
	t->decimals = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
	t->lo = first * t->div;
	t->hi = last * t->div;
	t->step = step * t->div;
	return 0;
}

const char *svg_tick_label(const struct svg_ticks *t, double v, char *buf, size_t size)
{
	double x = v / t->div;

	/* Zero needs no unit, and never "-0" from rounding. */
	if (fabs(x) < t->step / t->div * 1e-6)
		snprintf(buf, size, "0");
	else
		snprintf(buf, size, "%.*f%s", t->decimals, x, t->suffix);
	return buf;
}

size_t svg_thin(const double *x, const double *y, size_t n, double x0, double x1, size_t max,
		size_t *idx)
{
	size_t i, out = 0, nb, cur = SVG_BREAK, keep[4], k, j;
	double span = x1 - x0;

	if (max < 8)
		max = 8;
	nb = max / 4;
	if (!(span > 0))
		span = 1;
	for (i = 0; i <= n; i++) {
		bool gap = i < n && (isnan(x[i]) || isnan(y[i]));
		size_t b = 0;

		if (i < n && !gap) {
			double f = (x[i] - x0) / span * (double)nb;

			b = n <= max ? i : f <= 0 ? 0 : f >= (double)nb ? nb - 1 : (size_t)f;
			if (b == cur) {
				if (y[i] < y[keep[1]])
					keep[1] = i;
				if (y[i] > y[keep[2]])
					keep[2] = i;
				keep[3] = i;
				continue;
			}
		}
		/* A new bucket, a gap or the end: emit the bucket's points in their own order. */
		if (cur != SVG_BREAK) {
			size_t s[4];

			memcpy(s, keep, sizeof(s));
			for (k = 0; k < 4; k++)
				for (j = k + 1; j < 4; j++)
					if (s[j] < s[k]) {
						size_t tmp = s[j];

						s[j] = s[k];
						s[k] = tmp;
					}
			for (k = 0; k < 4; k++)
				if (!k || s[k] != s[k - 1])
					idx[out++] = s[k];
			cur = SVG_BREAK;
		}
		if (i == n)
			break;
		if (gap) {
			if (out && idx[out - 1] != SVG_BREAK)
				idx[out++] = SVG_BREAK;
			continue;
		}
		cur = b;
		keep[0] = keep[1] = keep[2] = keep[3] = i;
	}
	if (out && idx[out - 1] == SVG_BREAK)
		out--;
	return out;
}

struct frame {
	double l, t, w, h; /* plot area in pixels */
	double xlo, xhi, ylo, yhi; /* the data values at its edges */
	struct svg_ticks xt, yt; /* the ticks drawn: n of them from lo, step apart */
};

static double px(const struct frame *fr, double x)
{
	return fr->l + (x - fr->xlo) / (fr->xhi - fr->xlo) * fr->w;
}

static double py(const struct frame *fr, double y)
{
	return fr->t + fr->h - (y - fr->ylo) / (fr->yhi - fr->ylo) * fr->h;
}

static const char *scale_name(enum svg_scale s)
{
	static const char *const names[] = { "count", "bytes", "usec", "seconds" };

	return (unsigned)s < 4 ? names[s] : "count";
}

static double legend_width(const struct svg_line *l)
{
	return 26 + CHAR_W * (double)strlen(l->name ? l->name : "") + 22;
}

/* Rows the legend needs at this width. */
static int legend_rows(const struct svg_chart *c, double width)
{
	double x = 0;
	int rows = c->nlines ? 1 : 0;
	size_t i;

	for (i = 0; i < c->nlines; i++) {
		double w = legend_width(&c->lines[i]);

		if (x > 0 && x + w > width) {
			rows++;
			x = 0;
		}
		x += w;
	}
	return rows;
}

static void write_legend(FILE *f, const struct svg_chart *c, const struct frame *fr)
{
	double x = 0, y = 14;
	size_t i;

	fputs("<g class=\"legend\">", f);
	for (i = 0; i < c->nlines; i++) {
		const struct svg_line *l = &c->lines[i];
		double w = legend_width(l);

		if (x > 0 && x + w > fr->w) {
			x = 0;
			y += 16;
		}
		fprintf(f, "<g class=\"item\" data-series=\"");
		fmt_html(f, l->name);
		if (l->dot)
			fprintf(f,
				"\"><circle class=\"dot c%u\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\"/>",
				l->color % 10, fr->l + x + 9, y - 4);
		else
			fprintf(f,
				"\"><line class=\"c%u%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
				"y2=\"%.1f\"/>",
				l->color % 10, l->dashed ? " dash" : "", fr->l + x, y - 4,
				fr->l + x + 18, y - 4);
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", fr->l + x + 24, y);
		fmt_html(f, l->name);
		fputs("</text></g>", f);
		x += w;
	}
	fputs("</g>\n", f);
}

static void write_axes(FILE *f, const struct svg_chart *c, const struct frame *fr)
{
	char buf[64];
	int i;

	fputs("<g class=\"axes\">", f);
	for (i = 0; i < fr->yt.n; i++) {
		double v = fr->yt.lo + i * fr->yt.step, y = py(fr, v);

		fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
			fr->l, y, fr->l + fr->w, y);
		fprintf(f, "<text class=\"ytick\" x=\"%.1f\" y=\"%.1f\">%s</text>", fr->l - 6,
			y + 4, svg_tick_label(&fr->yt, v, buf, sizeof(buf)));
	}
	for (i = 0; i < fr->xt.n; i++) {
		double v = fr->xt.lo + i * fr->xt.step, x = px(fr, v);

		fprintf(f, "<line class=\"tick\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
			x, fr->t + fr->h, x, fr->t + fr->h + 4);
		fprintf(f, "<text class=\"xtick\" x=\"%.1f\" y=\"%.1f\">%s</text>", x,
			fr->t + fr->h + 16, svg_tick_label(&fr->xt, v, buf, sizeof(buf)));
	}
	fprintf(f, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
		fr->l, fr->t, fr->w, fr->h);
	if (c->x.label) {
		fprintf(f, "<text class=\"xlabel\" x=\"%.1f\" y=\"%.1f\">", fr->l + fr->w,
			fr->t + fr->h + 31);
		fmt_html(f, c->x.label);
		fputs("</text>", f);
	}
	if (c->y.label) {
		fprintf(f, "<text class=\"ylabel\" x=\"%.1f\" y=\"%.1f\">", fr->l - 6, fr->t - 6);
		fmt_html(f, c->y.label);
		fputs("</text>", f);
	}
	fputs("</g>\n", f);
}

static void write_bands(FILE *f, const struct svg_chart *c, const struct frame *fr)
{
	size_t i;

	for (i = 0; i < c->nbands; i++) {
		const struct svg_band *b = &c->bands[i];
		double x0 = px(fr, fmax(b->x0, fr->xlo)), x1 = px(fr, fmin(b->x1, fr->xhi));

		if (!(x1 > x0))
			continue;
		fprintf(f, "<g class=\"band %s\" data-phase=\"", b->cls ? b->cls : "");
		fmt_html(f, b->label);
		fprintf(f, "\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>",
			x0, fr->t, x1 - x0, fr->h);
		fmt_html(f, b->label);
		fputs("</title></rect>", f);
		/* A label only where it fits: narrow phases are named by their tooltip. */
		if (b->label && x1 - x0 >= CHAR_W * (double)strlen(b->label) + 8) {
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", x0 + 4, fr->t + 12);
			fmt_html(f, b->label);
			fputs("</text>", f);
		}
		fputs("</g>\n", f);
	}
}

static int write_line(FILE *f, const struct svg_chart *c, const struct frame *fr,
		      const struct svg_line *l)
{
	size_t i, k, n, raw = 0, max = c->max_points ? c->max_points : DEFAULT_POINTS;
	size_t *idx;
	bool move = true;

	for (i = 0; i < l->n; i++)
		raw += !isnan(l->x[i]) && !isnan(l->y[i]);
	if (l->dot) {
		for (i = 0; i < l->n; i++) {
			if (isnan(l->x[i]) || isnan(l->y[i]))
				continue;
			fprintf(f, "<circle class=\"dot c%u\" data-series=\"", l->color % 10);
			fmt_html(f, l->name);
			fprintf(f, "\" data-points=\"1\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\"><title>",
				px(fr, l->x[i]), py(fr, l->y[i]));
			fmt_html(f, l->name);
			fputs("</title></circle>\n", f);
		}
		return 0;
	}
	idx = malloc((l->n ? l->n : 1) * sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	n = svg_thin(l->x, l->y, l->n, fr->xlo, fr->xhi, max, idx);
	for (i = k = 0; i < n; i++)
		k += idx[i] != SVG_BREAK;
	fprintf(f, "<path class=\"line c%u%s\" data-series=\"", l->color % 10,
		l->dashed ? " dash" : "");
	fmt_html(f, l->name);
	fprintf(f, "\" data-points=\"%zu\" data-rows=\"%zu\" d=\"", k, raw);
	for (i = 0; i < n; i++) {
		if (idx[i] == SVG_BREAK) {
			move = !l->skip_nan;
			continue;
		}
		fprintf(f, "%s%.1f,%.1f", move ? (i ? " M" : "M") : " ", px(fr, l->x[idx[i]]),
			py(fr, l->y[idx[i]]));
		move = false;
	}
	fputs("\"/>\n", f);
	free(idx);
	return 0;
}

/* The data range of all lines (and 0 when asked), for the axes. */
static void ranges(const struct svg_chart *c, double *x0, double *x1, double *y0, double *y1)
{
	size_t i, j;

	*x0 = *y0 = INFINITY;
	*x1 = *y1 = -INFINITY;
	for (i = 0; i < c->nlines; i++) {
		const struct svg_line *l = &c->lines[i];

		for (j = 0; j < l->n; j++) {
			if (isnan(l->x[j]) || isnan(l->y[j]))
				continue;
			*x0 = fmin(*x0, l->x[j]);
			*x1 = fmax(*x1, l->x[j]);
			*y0 = fmin(*y0, l->y[j]);
			*y1 = fmax(*y1, l->y[j]);
		}
	}
	for (i = 0; i < c->nbands; i++) {
		*x0 = fmin(*x0, c->bands[i].x0);
		*x1 = fmax(*x1, c->bands[i].x1);
	}
	if (c->y_zero) {
		*y0 = fmin(*y0, 0);
		*y1 = fmax(*y1, 0);
	}
}

/* Lays out the plot: the y axis spans round ticks, the x axis the data exactly (a run has a clear
 * start and end) with the round ticks that fall inside it. */
static void layout(const struct svg_chart *c, int w, int *h, struct frame *fr)
{
	double x0, x1, y0, y1, first;
	int rows;

	ranges(c, &x0, &x1, &y0, &y1);
	if (!isfinite(x0) || !(x1 > x0)) {
		x0 = isfinite(x0) ? x0 - 1 : 0;
		x1 = isfinite(x1) ? x1 + 1 : 1;
	}
	svg_ticks(x0, x1, 6, c->x.scale, &fr->xt);
	first = ceil(x0 / fr->xt.step - 1e-9) * fr->xt.step;
	fr->xt.n = (int)floor((x1 - first) / fr->xt.step + 1e-9) + 1;
	fr->xt.lo = first;
	fr->xlo = x0;
	fr->xhi = x1;
	svg_ticks(y0, y1, 5, c->y.scale, &fr->yt);
	fr->ylo = fr->yt.lo;
	fr->yhi = fr->yt.hi;
	fr->l = 74;
	fr->w = w - fr->l - 14;
	rows = legend_rows(c, fr->w);
	if (rows < c->legend_rows)
		rows = c->legend_rows;
	fr->t = 16 + 16 * rows + 8;
	fr->h = *h - fr->t - 38;
	if (fr->h < 60)
		fr->h = 60;
	*h = (int)(fr->t + fr->h + 38);
}

int svg_chart(FILE *f, const struct svg_chart *c)
{
	int w = c->width ? c->width : DEFAULT_W, h = c->height ? c->height : DEFAULT_H;
	struct frame fr;
	size_t i;
	int err = 0;

	layout(c, w, &h, &fr);
	fprintf(f,
		"<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
		"role=\"img\" data-chart=\"",
		w, h);
	fmt_html(f, c->id);
	/* What the page's script needs to turn a pointer position back into values. */
	fprintf(f, "\" data-lines=\"%zu\" data-x0=\"%.17g\" data-x1=\"%.17g\" ", c->nlines, fr.xlo,
		fr.xhi);
	fprintf(f, "data-y0=\"%.17g\" data-y1=\"%.17g\" data-plot=\"%.1f %.1f %.1f %.1f\" ", fr.ylo,
		fr.yhi, fr.l, fr.t, fr.w, fr.h);
	fprintf(f, "data-xscale=\"%s\" data-yscale=\"%s\"><title>", scale_name(c->x.scale),
		scale_name(c->y.scale));
	fmt_html(f, c->title ? c->title : c->id);
	fputs("</title>\n", f);
	write_bands(f, c, &fr);
	write_axes(f, c, &fr);
	write_legend(f, c, &fr);
	/* Lines stay inside the plot; a reference line may run past the data's range. */
	fprintf(f,
		"<clipPath id=\"clip%u\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>"
		"</clipPath><g class=\"lines\" clip-path=\"url(#clip%u)\">\n",
		c->seq, fr.l - 5, fr.t - 5, fr.w + 10, fr.h + 10, c->seq);
	for (i = 0; i < c->nlines && !err; i++)
		err = write_line(f, c, &fr, &c->lines[i]);
	fputs("</g></svg>\n", f);
	return err;
}
