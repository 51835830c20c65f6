/* The HTML report: one self-contained page (inline CSS, SVG and a little script), no network. */
#include "report/report.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "report/fmt.h"
#include "report/failures.h"
#include "report/html_attr.h"
#include "report/server.h"
#include "config.h"
#include "report/out.h"
#include "report/svg.h"

#define MAX_JUDGED_CHARTS 12 /* metrics that spoke: neither CLEAN nor with no growth seen */
#define MAX_EVIDENCE_ROWS 12 /* in the Evidence table: the decided ones, then those that moved */
#define MAX_MOVER_CHARTS 4 /* CLEAN metrics that moved most against their noise */
#define MOVER_MIN_SNR 5 /* ... at least this many noise sigmas */
#define MAX_POOL_ROWS 20
#define MAX_STATE_LINES 10
#define MAX_TABLE_ROWS 200 /* in the table of judged metrics */
#define QUIET_SNR 3 /* a CLEAN metric below this many noise sigmas is not listed */

enum color {
	C_BLUE,
	C_RED,
	C_GREEN,
	C_ORANGE,
	C_PURPLE,
	C_BROWN,
	C_PINK,
	C_GREY,
	C_OLIVE,
	C_CYAN,
};

static const char css[] =
#include "report/html_css.inc"
	;

static const char script[] =
#include "report/html_js.inc"
	;

struct page {
	FILE *f;
	const struct report_in *in;
	const struct series *s;
	const struct result *r;
	int charts; /* <svg> charts written, checked by the browser test */
	int err;
};

/* ---- small writers ---- */

static void esc(struct page *p, const char *s)
{
	fmt_html(p->f, s);
}

static const char *verdict_cls(enum verdict v)
{
	static const char *const cls[VERDICT_COUNT] = {
		[VERDICT_CLEAN] = "v-clean",
		[VERDICT_BOUNDED] = "v-bounded",
		[VERDICT_INCONCLUSIVE] = "v-inconclusive",
		[VERDICT_BACKLOG] = "v-backlog",
		[VERDICT_LEAK] = "v-leak",
	};

	return (unsigned)v < VERDICT_COUNT ? cls[v] : "v-inconclusive";
}

static void badge(struct page *p, enum verdict v)
{
	fprintf(p->f, "<span class=\"badge %s\">%s</span>", verdict_cls(v), verdict_name(v));
}

/* "1.91 KiB/cycle", "0.00100/cycle" */
static const char *per_cycle(char *buf, size_t size, double v, enum unit u)
{
	size_t n;

	amount(buf, size, v, u, AMT_HUMAN);
	n = strlen(buf);
	if (!isnan(v))
		snprintf(buf + n, size - n, "/cycle");
	return buf;
}

static const char *count(char *buf, size_t size, double v)
{
	return fmt_count(buf, size, v);
}

static const char *col_name(const struct series *s, int col)
{
	return col >= 0 && (size_t)col < s->ncols ? s->cols[col].name : "?";
}

static enum unit col_unit(const struct series *s, int col)
{
	return col >= 0 && (size_t)col < s->ncols ? s->cols[col].d.unit : UNIT_COUNT;
}

static enum svg_scale scale_of(enum unit u)
{
	return u == UNIT_BYTES ? SVG_BYTES : u == UNIT_USEC ? SVG_USEC : SVG_COUNT;
}

/* ---- phases ---- */

static double series_end(const struct series *s)
{
	return s->nrows ? s->t[s->nrows - 1] : 0;
}

static const char *phase_cls(enum phase ph)
{
	static const char *const cls[PHASE_COUNT] = {
		[PHASE_BASELINE] = "ph-baseline", [PHASE_WARMUP] = "ph-warmup",
		[PHASE_CHURN] = "ph-churn",	  [PHASE_QUIESCE] = "ph-quiesce",
		[PHASE_TEARDOWN] = "ph-teardown",
	};

	return (unsigned)ph < PHASE_COUNT ? cls[ph] : "";
}

/* One band per phase mark, in time. */
static size_t time_bands(const struct series *s, struct svg_band *b)
{
	size_t i;

	for (i = 0; i < s->nmarks; i++) {
		enum phase ph = s->marks[i].phase;

		b[i].x0 = s->marks[i].t;
		b[i].x1 = i + 1 < s->nmarks ? s->marks[i + 1].t : series_end(s);
		b[i].label = phase_name(ph);
		b[i].cls = phase_cls(ph);
	}
	return s->nmarks;
}

static bool loop_phase(unsigned char ph)
{
	return ph == PHASE_WARMUP || ph == PHASE_CHURN;
}

/* Bands for the phases with the loop running, in cycles. */
static size_t cycle_bands(const struct series *s, struct svg_band *b)
{
	size_t i, n = 0;

	for (i = 0; i < s->nmarks; i++) {
		enum phase ph = s->marks[i].phase;

		if (!loop_phase(ph))
			continue;
		b[n].x0 = (double)s->marks[i].cycles;
		b[n].x1 = i + 1 < s->nmarks ? (double)s->marks[i + 1].cycles :
					      (s->nrows ? s->cycles[s->nrows - 1] : b[n].x0);
		b[n].label = phase_name(ph);
		b[n].cls = phase_cls(ph);
		n++;
	}
	return n;
}

/* ---- charts ---- */

static void chart(struct page *p, struct svg_chart *c)
{
	int err;

	c->seq = (unsigned)p->charts;
	err = svg_chart(p->f, c);
	if (err && !p->err)
		p->err = err;
	p->charts++;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Where the analysis' slope line sits: the median of y - slope * x over the loop's rows (the
 * Theil-Sen intercept). Only drawn, never judged.
 */
static double intercept(const double *x, const double *y, size_t n, double slope)
{
	double *d = malloc((n ? n : 1) * sizeof(*d)), med = NAN;
	size_t i, k = 0;

	if (!d)
		return NAN;
	for (i = 0; i < n; i++)
		if (!isnan(y[i]))
			d[k++] = y[i] - slope * x[i];
	if (k) {
		qsort(d, k, sizeof(*d), cmp_double);
		med = k % 2 ? d[k / 2] : (d[k / 2 - 1] + d[k / 2]) / 2;
	}
	free(d);
	return med;
}

/* A client-side socket count: each injected leak is exactly one of these. */
static bool is_client_count(const struct metric_desc *d)
{
	return d->cls == MC_SOCKETS && desc_has(d, MT_CLIENT) && !desc_has(d, MT_SPLIT);
}

/* The metric against cycles while the loop ran, with the analysis' figures drawn over it. */
static void chart_vs_cycles(struct page *p, const struct metric_result *m)
{
	const struct series *s = p->s;
	const char *name = col_name(s, m->col);
	enum unit u = col_unit(s, m->col);
	size_t i, n = 0, nl = 0, nb;
	double *x = malloc((s->nrows + 1) * sizeof(*x)), *y = malloc((s->nrows + 1) * sizeof(*y));
	double bx[2], by[2], fx[2], fy[2], qx[1], qy[1], ix[2], iy[2], c0, c1, b;
	struct svg_band bands[SERIES_MAX_MARKS];
	struct svg_line lines[5];
	char label[64], buf[48], id[160];

	if (!x || !y) {
		p->err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < s->nrows; i++) {
		if (!loop_phase(s->phase[i]))
			continue;
		x[n] = s->cycles[i];
		y[n] = s->cols[m->col].v[i];
		n++;
	}
	if (!n)
		goto out;
	c0 = x[0];
	c1 = x[n - 1];
	lines[nl++] = (struct svg_line){ name, x, y, n, C_BLUE, false, false, true };
	b = m->baseline;
	if (isfinite(b)) {
		bx[0] = c0, bx[1] = c1, by[0] = by[1] = b;
		lines[nl++] = (struct svg_line){ "baseline", bx, by, 2, C_GREY, true, false };
	}
	if (isfinite(m->slope) && m->slope != 0) {
		double a = intercept(x, y, n, m->slope);

		fx[0] = c0, fx[1] = c1;
		fy[0] = a + m->slope * c0, fy[1] = a + m->slope * c1;
		snprintf(label, sizeof(label), "growth %s",
			 per_cycle(buf, sizeof(buf), m->slope, u));
		lines[nl++] = (struct svg_line){ label, fx, fy, 2, C_ORANGE, true, false };
	}
	if (is_client_count(&s->cols[m->col].d) && p->r->injected_per_cycle > 0 && isfinite(b)) {
		ix[0] = c0, ix[1] = c1;
		iy[0] = b, iy[1] = b + p->r->injected_per_cycle * (c1 - c0);
		lines[nl++] = (struct svg_line){ "injected", ix, iy, 2, C_GREEN, true, false };
	}
	if (isfinite(b) && isfinite(m->residual)) {
		qx[0] = c1, qy[0] = b + m->residual + m->tw_part;
		lines[nl++] =
			(struct svg_line){ "after quiesce", qx, qy, 1, C_PURPLE, false, true };
	}
	nb = cycle_bands(s, bands);
	snprintf(id, sizeof(id), "%s@cycles", name);
	chart(p, &(struct svg_chart){ .id = id,
				      .legend_rows = 2,
				      .title = name,
				      .x = { "cycles", SVG_COUNT },
				      .y = { NULL, scale_of(u) },
				      .lines = lines,
				      .nlines = nl,
				      .bands = bands,
				      .nbands = nb });
out:
	free(x);
	free(y);
}

/* The metric over the whole run in time, phases shaded. */
static void chart_vs_time(struct page *p, const struct metric_result *m)
{
	const struct series *s = p->s;
	const char *name = col_name(s, m->col);
	enum unit u = col_unit(s, m->col);
	struct svg_band bands[SERIES_MAX_MARKS];
	struct svg_line lines[2];
	double bx[2], by[2];
	size_t nl = 0, nb = time_bands(s, bands);
	char id[160];

	lines[nl++] = (struct svg_line){ name,	   s->t,   s->cols[m->col].v,
					 s->nrows, C_BLUE, .skip_nan = true };
	if (isfinite(m->baseline) && s->nrows) {
		bx[0] = s->t[0], bx[1] = s->t[s->nrows - 1];
		by[0] = by[1] = m->baseline;
		lines[nl++] = (struct svg_line){ "baseline", bx, by, 2, C_GREY, true, false };
	}
	snprintf(id, sizeof(id), "%s@time", name);
	chart(p, &(struct svg_chart){ .id = id,
				      .legend_rows = 2,
				      .title = name,
				      .x = { "time", SVG_SECONDS },
				      .y = { NULL, scale_of(u) },
				      .lines = lines,
				      .nlines = nl,
				      .bands = bands,
				      .nbands = nb });
}

/* Several columns in time on one chart (socket counts, TCP states). Returns lines drawn. */
static int chart_columns(struct page *p, const char *id, const int *cols, size_t n, bool zero)
{
	const struct series *s = p->s;
	struct svg_line lines[MAX_STATE_LINES];
	struct svg_band bands[SERIES_MAX_MARKS];
	size_t i, nb = time_bands(s, bands);

	if (!n)
		return 0;
	if (n > MAX_STATE_LINES)
		n = MAX_STATE_LINES;
	for (i = 0; i < n; i++)
		lines[i] = (struct svg_line){ s->cols[cols[i]].name, s->t,
					      s->cols[cols[i]].v,    s->nrows,
					      (unsigned)i,	     .skip_nan = true };
	chart(p, &(struct svg_chart){ .id = id,
				      .legend_rows = 2,
				      .title = id,
				      .x = { "time", SVG_SECONDS },
				      .y = { NULL, SVG_COUNT },
				      .lines = lines,
				      .nlines = n,
				      .bands = bands,
				      .nbands = nb,
				      .y_zero = zero });
	return (int)n;
}

/* ---- sections ---- */

static size_t deciding(const struct result *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->nm; i++)
		n += r->m[i].verdict == r->verdict && r->m[i].decisive;
	return n;
}

/* The run's memcg kernel memory was part of the LEAK: only then does the banner give its rate. */
static bool memcg_leaked(const struct page *p)
{
	size_t i;

	for (i = 0; i < p->r->nm; i++)
		if (p->r->m[i].decided && p->r->m[i].verdict == VERDICT_LEAK &&
		    p->s->cols[p->r->m[i].col].d.cls == MC_MEMCG)
			return true;
	return false;
}

static void headline(struct page *p)
{
	const struct result *r = p->r;
	const struct series *s = p->s;
	char a[48], b[48], line[240];
	size_t i, n, k;

	switch (r->verdict) {
	case VERDICT_LEAK:
		if (!strcmp(r->leak_kind, "charge not returned") && r->verdict_col >= 0) {
			/* A leak of accounting: the charge stayed, the memory came back. */
			for (i = 0; i < r->nm && r->m[i].col != r->verdict_col; i++)
				;
			fputs("charge not returned: ", p->f);
			if (i < r->nm)
				fprintf(p->f, "%s in ",
					per_cycle(a, sizeof(a), r->m[i].residual_per_cycle,
						  s->cols[r->verdict_col].d.unit));
			esc(p, s->cols[r->verdict_col].name);
			fputs(", while the memory it stands for came back", p->f);
			break;
		}
		if (isfinite(r->leaked_sockets_per_cycle)) {
			fprintf(p->f, "%s sockets/cycle leaked",
				amount(a, sizeof(a), r->leaked_sockets_per_cycle, UNIT_COUNT,
				       AMT_HUMAN));
			if (r->injected_per_cycle > 0)
				fprintf(p->f, " (injected %s)",
					amount(b, sizeof(b), r->injected_per_cycle, UNIT_COUNT,
					       AMT_HUMAN));
		} else {
			fputs("memory kept after the loop stopped", p->f);
		}
		if (r->leak_caches)
			fprintf(p->f, ", %s in %zu slab cache%s",
				per_cycle(a, sizeof(a), r->leaked_bytes_per_cycle, UNIT_BYTES),
				r->leak_caches, r->leak_caches == 1 ? "" : "s");
		if (isfinite(r->memcg_bytes_per_cycle) && memcg_leaked(p))
			fprintf(p->f, ", memcg %s",
				per_cycle(a, sizeof(a), r->memcg_bytes_per_cycle, UNIT_BYTES));
		break;
	case VERDICT_BACKLOG:
		esc(p, reason_backlog(line, sizeof(line), &r->reason,
				      r->verdict_col >= 0 ? s->cols[r->verdict_col].d.unit :
							    UNIT_COUNT));
		break;
	case VERDICT_BOUNDED:
		fputs("grew to a plateau or by deferred clean-up (TIME_WAIT), and came back", p->f);
		break;
	case VERDICT_INCONCLUSIVE:
		if (r->no_length) {
			fputs("no run length would decide: ", p->f);
			for (i = 0; i < r->nm; i++)
				if (r->m[i].col == r->verdict_col) {
					esc(p, col_name(s, r->m[i].col));
					fputc(' ', p->f);
					esc(p, r->m[i].why);
				}
			break;
		}
		fputs("noise too large for this run's length", p->f);
		if (r->cycles_to_decide > 0)
			fprintf(p->f, ": about %s cycles would decide",
				amount(a, sizeof(a), r->cycles_to_decide, UNIT_COUNT,
				       AMT_PLAIN | AMT_ROUND));
		break;
	default:
		fprintf(p->f, "no significant growth in %zu judged metrics over %s cycles", r->nm,
			count(a, sizeof(a), (double)r->cycles));
	}
	/* What host drift explained is said with the verdict, as in the text report. */
	for (i = 0; r->drift_col >= 0 && i < r->nm; i++)
		if (r->m[i].col == r->drift_col) {
			fputs("; ", p->f);
			esc(p, reason_drift(line, sizeof(line), col_name(s, r->m[i].col),
					    r->m[i].drift, s->cols[r->m[i].col].d.unit,
					    r->ndrift - 1));
		}
	n = deciding(r);
	if (r->verdict != VERDICT_CLEAN && n) {
		fputs("<div class=\"by\">decided by ", p->f);
		for (i = k = 0; i < r->nm && k < 4; i++) {
			if (r->m[i].verdict != r->verdict || !r->m[i].decisive)
				continue;
			fprintf(p->f, "%s<code>", k ? ", " : "");
			esc(p, col_name(s, r->m[i].col));
			fputs("</code>", p->f);
			k++;
		}
		if (n > k)
			fprintf(p->f, " and %zu more", n - k);
		fputs("</div>", p->f);
	}
}

static void banner(struct page *p)
{
	const struct run_config *c = p->in->cfg;
	const struct machine *m = p->in->m;
	const struct result *r = p->r;
	char a[48], b[48], line[512];

	fprintf(p->f, "<header class=\"banner %s\"><div class=\"verdict\">%s</div><div>",
		verdict_cls(r->verdict), verdict_name(r->verdict));
	if (p->in->confirm)
		fprintf(p->f,
			"<div class=\"sub\">after <a href=\"#confirm\">confirmation</a>: %s</div>",
			verdict_name(p->in->confirm->final));
	fputs("<div class=\"headline\">", p->f);
	headline(p);
	fputs("</div>", p->f);
	capped_line(p->in->engine, line, sizeof(line));
	if (line[0]) {
		fputs("<div class=\"headline\">Leak capped: ", p->f);
		esc(p, line);
		fputs("</div>", p->f);
	}
	failures_line(p->in->engine, line, sizeof(line));
	if (line[0]) {
		fputs("<div class=\"headline\"><a href=\"#engine\">Failed cycles</a>: ", p->f);
		esc(p, line);
		fputs("</div>", p->f);
	}
	fputs("<div class=\"sub\">", p->f);
	if (c) {
		fputs("<code>", p->f);
		esc(p, c->preset ? c->preset : c->sequence);
		fprintf(p->f, "</code> over %s · ", transport_name(c->transport));
	}
	fprintf(p->f, "%s cycles in %.1f s", count(a, sizeof(a), (double)r->cycles),
		r->churn_seconds);
	if (r->churn_seconds > 0)
		fprintf(p->f, " (%s/s)",
			amount(b, sizeof(b), (double)r->cycles / r->churn_seconds, UNIT_COUNT,
			       AMT_HUMAN));
	if (m) {
		fputs(" · Linux ", p->f);
		esc(p, m->kernel);
		if (m->vm[0]) {
			fputs(" (VM: ", p->f);
			esc(p, m->vm);
			fputs(")", p->f);
		}
		fputs(" · ", p->f);
		esc(p, m->hostname);
		fputs(" · ", p->f);
		esc(p, m->start);
	}
	fputs("</div></div></header>\n", p->f);
}

/* --confirm: the residuals of the N and 3N runs side by side, and what they say. */
static void confirmation(struct page *p)
{
	const struct confirm_result *c = p->in->confirm;
	char a[48], b[48];
	size_t i;

	if (!c)
		return;
	fputs("<section id=\"confirm\"><h2>Confirmation ", p->f);
	badge(p, c->verdict);
	fprintf(p->f,
		"</h2><p>The run was repeated with %s cycles beside these %s (<code>--confirm</code>): "
		"a leak's residual grows with the cycles, a bounded one does not. ",
		count(b, sizeof(b), c->cycles_b), count(a, sizeof(a), c->cycles_a));
	esc(p, c->why);
	fprintf(p->f, ". The verdict after confirmation: <b>%s</b>.</p>", verdict_name(c->final));
	if (c->nm) {
		fputs("<table><thead><tr><th>metric</th><th>verdict</th><th class=\"num\">residual N</th>"
		      "<th class=\"num\">residual 3N</th><th class=\"num\">ratio</th>"
		      "<th class=\"num\">expected for a leak</th><th class=\"num\">per cycle</th>"
		      "</tr></thead><tbody>",
		      p->f);
		for (i = 0; i < c->nm; i++) {
			const struct confirm_metric *m = &c->m[i];

			fputs("<tr><td><code>", p->f);
			esc(p, col_name(p->s, m->col_a));
			fputs("</code></td><td>", p->f);
			badge(p, m->verdict);
			fprintf(p->f,
				"</td><td class=\"num\">%.4g</td><td class=\"num\">%.4g</td>"
				"<td class=\"num\">%.2f</td><td class=\"num\">%.2f</td>"
				"<td class=\"num\">%.4g</td></tr>",
				m->residual_a, m->residual_b, m->ratio, m->expected, m->per_cycle);
		}
		fputs("</tbody></table>", p->f);
	}
	fputs("</section>\n", p->f);
}

static void card(struct page *p, const char *label, const char *value, const char *note)
{
	fputs("<div class=\"card\"><div class=\"label\">", p->f);
	esc(p, label);
	fputs("</div><div class=\"value\">", p->f);
	esc(p, value);
	fputs("</div>", p->f);
	if (note) {
		fputs("<div class=\"note\">", p->f);
		esc(p, note);
		fputs("</div>", p->f);
	}
	fputs("</div>", p->f);
}

static double engine_num(const json_t *e, const char *key)
{
	json_t *v = e ? json_object_get(e, key) : NULL;

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static void figures(struct page *p)
{
	const struct result *r = p->r;
	char a[64], b[96];
	double rate = engine_num(p->in->engine, "cycles_per_second");

	if (isnan(rate) && r->churn_seconds > 0)
		rate = (double)r->cycles / r->churn_seconds;
	fputs("<section id=\"figures\"><div class=\"cards\">", p->f);
	card(p, "cycles", count(a, sizeof(a), (double)r->cycles), NULL);
	snprintf(b, sizeof(b), "%.1f s of churn", r->churn_seconds);
	card(p, "cycles/s", amount(a, sizeof(a), rate, UNIT_COUNT, AMT_HUMAN), b);
	snprintf(a, sizeof(a), "%.1f s", r->quiesce_seconds);
	card(p, "quiesce", a,
	     r->quiesce_stable ? "every metric that moved settled" : "stopped at its maximum");
	if (!isnan(r->leaked_sockets_per_cycle) || r->injected_per_cycle > 0) {
		b[0] = '\0';
		if (r->injected_per_cycle > 0) {
			char c[48];

			snprintf(
				b, sizeof(b), "injected %s",
				amount(c, sizeof(c), r->injected_per_cycle, UNIT_COUNT, AMT_HUMAN));
			if (isfinite(r->leaked_sockets_per_cycle)) {
				size_t n = strlen(b);

				snprintf(
					b + n, sizeof(b) - n, " (%+.1f%%)",
					100 * (r->leaked_sockets_per_cycle / r->injected_per_cycle -
					       1));
			}
		}
		card(p, "leaked sockets/cycle",
		     amount(a, sizeof(a), r->leaked_sockets_per_cycle, UNIT_COUNT, AMT_HUMAN),
		     b[0] ? b : NULL);
	}
	if (!isnan(r->memcg_bytes_per_cycle))
		card(p, "memcg kernel memory",
		     per_cycle(a, sizeof(a), r->memcg_bytes_per_cycle, UNIT_BYTES), NULL);
	fputs("</div></section>\n", p->f);
}

static void metric_cells(struct page *p, const struct metric_result *m, bool full)
{
	enum unit u = col_unit(p->s, m->col);
	char a[48], b[48], c[48];

	/* The reason sits under the name: a column of its own leaves no room on paper. */
	fputs("<td class=\"name\"><code>", p->f);
	esc(p, col_name(p->s, m->col));
	fputs("</code><div class=\"why\">", p->f);
	esc(p, m->why);
	fputs("</div></td><td class=\"v\">", p->f);
	badge(p, m->verdict);
	if (m->tw_explained)
		fputs(" <span class=\"tag\" title=\"growth explained by TIME_WAIT sockets\">TW</span>",
		      p->f);
	fputs("</td>", p->f);
	if (full)
		fprintf(p->f, "<td class=\"num\">%s</td><td class=\"num\">%s</td>",
			amount(a, sizeof(a), m->baseline, u, AMT_HUMAN),
			amount(b, sizeof(b), m->noise, u, AMT_HUMAN));
	fprintf(p->f, "<td class=\"num\">%s</td>", amount(a, sizeof(a), m->peak, u, AMT_HUMAN));
	fprintf(p->f, "<td class=\"num\">%s <span class=\"ci\">[%s, %s]</span></td>",
		per_cycle(a, sizeof(a), m->slope, u),
		amount(b, sizeof(b), m->slope_lo, u, AMT_HUMAN),
		amount(c, sizeof(c), m->slope_hi, u, AMT_HUMAN));
	if (full)
		fprintf(p->f, "<td class=\"num\">%s</td>",
			amount(a, sizeof(a), m->residual, u, AMT_HUMAN));
	fprintf(p->f, "<td class=\"num\">%s</td>",
		per_cycle(a, sizeof(a), m->residual_per_cycle, u));
	fprintf(p->f, "<td class=\"num\">%.0f%%</td>", 100 * m->confidence);
}

/* The head of a table of metrics: the peak is a rise above the baseline beside it. */
static void metric_head(struct page *p)
{
	fputs("<table><thead><tr><th>metric and why</th><th>verdict</th>"
	      "<th class=\"num\">baseline</th><th class=\"num\">noise σ</th>"
	      "<th class=\"num\" title=\"largest rise above the baseline while the loop ran\">"
	      "peak rise in churn</th><th class=\"num\">growth <span class=\"ci\">[95% CI]"
	      "</span></th><th class=\"num\">residual</th><th class=\"num\">residual/cycle</th>"
	      "<th class=\"num\">confidence</th></tr></thead><tbody>",
	      p->f);
}

/*
 * The metrics that decided first, then those that moved or were judged on what they did; the
 * CLEAN ones and those with no growth seen are counted in the words the text report uses.
 */
static void evidence(struct page *p)
{
	const struct result *r = p->r;
	size_t i, shown = 0, more = 0;
	char quiet[240];

	fputs("<section id=\"evidence\"><h2>Evidence</h2>", p->f);
	if (!r->nm) {
		fputs("<p class=\"muted\">No metric was judged.</p></section>\n", p->f);
		return;
	}
	metric_head(p);
	for (i = 0; i < r->nm; i++) {
		const struct metric_result *m = &r->m[i];

		if (m->role == ROLE_COUNTER || (!m->decided && !metric_spoke(m)))
			continue;
		if (m->verdict == VERDICT_CLEAN && !m->decided)
			continue;
		if (shown == MAX_EVIDENCE_ROWS) {
			more++;
			continue;
		}
		fprintf(p->f, "<tr%s>", m->decided ? " class=\"decided\"" : "");
		metric_cells(p, m, true);
		fputs("</tr>", p->f);
		shown++;
	}
	if (!shown)
		fputs("<tr><td colspan=\"9\" class=\"muted\">No metric moved.</td></tr>", p->f);
	fputs("</tbody></table><p class=\"muted\">", p->f);
	if (more)
		fprintf(p->f, "%zu more moved: see <a href=\"#metrics\">Judged metrics</a>. ",
			more);
	fputs("Not shown: ", p->f);
	esc(p, reason_quiet(quiet, sizeof(quiet), r->nclean, r->nunseen));
	fputs(".</p></section>\n", p->f);
}

static void say_p(void *arg, const char *line)
{
	struct page *p = arg;

	fputs("<p>", p->f);
	esc(p, line);
	fputs(".</p>", p->f);
}

/* --server-cmd, --pid: the user's server's figures, what they say, how it ended. */
static void server(struct page *p)
{
	const struct run_facts *x = p->in->facts;
	char end[400];
	bool tail;
	size_t i;

	if (!p->r->server.watched && !(x && (x->server_stopped[0] || x->server_pid)))
		return;
	fputs("<section id=\"server\"><h2>", p->f);
	esc(p, report_server_title(p->r));
	fputs("</h2>", p->f);
	if (p->r->server.watched) {
		metric_head(p);
		for (i = 0; i < p->r->nm; i++) {
			if (!report_server_row(p->s, &p->r->m[i]))
				continue;
			fputs("<tr>", p->f);
			metric_cells(p, &p->r->m[i], true);
			fputs("</tr>", p->f);
		}
		fputs("</tbody></table>", p->f);
		report_server_says(p->r, say_p, p);
	}
	if (x && report_server_end(x, end, sizeof(end), &tail)[0]) {
		fputs("<p>", p->f);
		esc(p, end);
		if (!tail) {
			fputs(".</p>", p->f);
		} else if (!x->server_output[0]) {
			fputs("; it wrote nothing.</p>", p->f);
		} else {
			fputs("; its last lines:</p><pre class=\"tail\">", p->f);
			esc(p, x->server_output);
			fputs("</pre>", p->f);
		}
	}
	fputs("</section>\n", p->f);
}

static const char *col_note(const struct series *s, int col)
{
	return col >= 0 && (size_t)col < s->ncols ? s->cols[col].d.note : NULL;
}

static void pool_table(struct page *p)
{
	const struct result *r = p->r;
	size_t i, n = r->npools;
	char a[48], b[48];

	fputs("<section id=\"pool\"><h2>Pool tags: slab caches by residual bytes per cycle</h2>",
	      p->f);
	if (!n) {
		fputs("<p class=\"muted\">No slab cache to list: each was CLEAN or had no growth seen "
		      "(the words of the text report).</p></section>\n",
		      p->f);
		return;
	}
	fputs("<table><thead><tr><th>cache</th><th>verdict</th><th class=\"num\">objects/cycle</th>"
	      "<th class=\"num\">bytes/cycle</th><th class=\"num\">confidence</th><th>note</th></tr></thead><tbody>",
	      p->f);
	for (i = 0; i < n && i < MAX_POOL_ROWS; i++) {
		const struct pool_row *t = &r->pools[i];
		const char *note = col_note(p->s, t->objs_col);

		if (!note)
			note = col_note(p->s, t->bytes_col);
		fputs("<tr><td class=\"name\"><code>", p->f);
		esc(p, t->cache);
		fputs("</code></td><td>", p->f);
		badge(p, t->verdict);
		fprintf(p->f, "</td><td class=\"num\">%s</td><td class=\"num\">%s</td>",
			amount(a, sizeof(a), t->objs_per_cycle, UNIT_COUNT, AMT_HUMAN),
			amount(b, sizeof(b), t->bytes_per_cycle, UNIT_BYTES, AMT_HUMAN));
		fprintf(p->f, "<td class=\"num\">%.0f%%</td><td class=\"note\">",
			100 * t->confidence);
		esc(p, note ? note : "");
		fputs("</td></tr>", p->f);
	}
	fputs("</tbody></table>", p->f);
	if (n > MAX_POOL_ROWS)
		fprintf(p->f, "<p class=\"muted\">%zu more caches in the JSON report.</p>",
			n - MAX_POOL_ROWS);
	fputs("</section>\n", p->f);
}

static void injected(struct page *p)
{
	const struct result *r = p->r;
	char a[48], b[48], c[48];

	if (!(r->injected_per_cycle > 0))
		return;
	fputs("<section id=\"injected\"><h2>Injected against estimated leak</h2><p>", p->f);
	fprintf(p->f,
		"The run kept one client socket open every %s cycles (<code>--inject-leak</code>): "
		"<b>%s</b> sockets/cycle injected, <b>%s</b> estimated",
		count(a, sizeof(a), round(1 / r->injected_per_cycle)),
		amount(b, sizeof(b), r->injected_per_cycle, UNIT_COUNT, AMT_HUMAN),
		amount(c, sizeof(c), r->leaked_sockets_per_cycle, UNIT_COUNT, AMT_HUMAN));
	if (isfinite(r->leaked_sockets_per_cycle))
		fprintf(p->f, " (%+.1f%%)",
			100 * (r->leaked_sockets_per_cycle / r->injected_per_cycle - 1));
	fputs(". The client-socket chart below draws the injected rate as a reference line.</p>"
	      "</section>\n",
	      p->f);
}

/* A slab cache's objects and pages say what its bytes say: chart one of them. */
static bool same_cache_charted(const struct series *s, const struct metric_result **sel, size_t n,
			       const struct metric_desc *d)
{
	size_t i;

	if (!desc_is_slab(d) || !d->object)
		return false;
	for (i = 0; i < n; i++) {
		const struct metric_desc *o = &s->cols[sel[i]->col].d;

		if (desc_is_slab(o) && o->object && !strcmp(o->object, d->object))
			return true;
	}
	return false;
}

static double snr(const struct metric_result *m)
{
	double noise = m->noise > 0 ? m->noise : 1e-12;

	return isfinite(m->peak) ? fabs(m->peak) / noise : 0;
}

static int cmp_snr(const void *a, const void *b)
{
	double x = snr(*(const struct metric_result *const *)a);
	double y = snr(*(const struct metric_result *const *)b);

	return x < y ? 1 : x > y ? -1 : 0;
}

/* A probe sampled every k-th tick: its charts join the rows it has, and say how often. */
static void sampled_every(struct page *p, const double *v)
{
	double every = series_spacing(p->s, v);

	if (every > 1.5 * series_spacing(p->s, NULL))
		fprintf(p->f, " <span class=\"muted\">(sampled every %.0f ms)</span>", 1e3 * every);
}

static void moved(struct page *p)
{
	const struct result *r = p->r;
	const struct series *s = p->s;
	const struct metric_result **sel, **movers;
	size_t i, n = 0, nm = 0, judged = 0, hidden = 0;
	char a[48];

	sel = calloc(r->nm + 1, sizeof(*sel));
	movers = calloc(r->nm + 1, sizeof(*movers));
	if (!sel || !movers) {
		p->err = -ENOMEM;
		goto out;
	}
	/* Slab bytes first, so that a cache's objects and total bytes fold into its bytes chart. */
	for (i = 0; i < r->nm; i++) {
		const struct metric_result *m = &r->m[i];

		if (m->col < 0 || (size_t)m->col >= s->ncols)
			continue;
		if (m->verdict == VERDICT_CLEAN) {
			if (snr(m) >= MOVER_MIN_SNR)
				movers[nm++] = m;
			continue;
		}
		/* No growth seen: nothing to show; counted where the tables are. */
		if (!m->decided && !metric_spoke(m))
			continue;
		judged++;
		if (same_cache_charted(s, sel, n, &s->cols[m->col].d))
			continue;
		if (n < MAX_JUDGED_CHARTS)
			sel[n++] = m;
		else
			hidden++;
	}
	qsort(movers, nm, sizeof(*movers), cmp_snr);
	for (i = 0; i < nm && i < MAX_MOVER_CHARTS; i++)
		if (!same_cache_charted(s, sel, n, &s->cols[movers[i]->col].d))
			sel[n++] = movers[i];
	fputs("<section id=\"charts\"><h2>Metrics that moved</h2>", p->f);
	fputs("<p class=\"muted\">Left: against cycles while the loop ran, with the baseline, the "
	      "growth the analysis fitted and the level after quiesce. Right: the whole run in "
	      "time, phases shaded.</p>",
	      p->f);
	if (!n)
		fputs("<p class=\"muted\">Nothing moved beyond its noise.</p>", p->f);
	for (i = 0; i < n; i++) {
		const struct metric_result *m = sel[i];
		const char *note = s->cols[m->col].d.note;

		fputs("<figure><figcaption><code>", p->f);
		esc(p, s->cols[m->col].name);
		fputs("</code> ", p->f);
		badge(p, m->verdict);
		if (m->verdict == VERDICT_CLEAN)
			fprintf(p->f, " <span class=\"muted\">moved %s (%.0f× its noise)</span>",
				amount(a, sizeof(a), m->peak, s->cols[m->col].d.unit, AMT_HUMAN),
				snr(m));
		fputs(" <span class=\"why\">", p->f);
		esc(p, m->why);
		fputs("</span>", p->f);
		sampled_every(p, s->cols[m->col].v);
		if (note) {
			fputs("<div class=\"note\">", p->f);
			esc(p, note);
			fputs("</div>", p->f);
		}
		fputs("</figcaption><div class=\"pair\">", p->f);
		chart_vs_cycles(p, m);
		chart_vs_time(p, m);
		fputs("</div></figure>\n", p->f);
	}
	if (hidden)
		fprintf(p->f,
			"<p class=\"muted\">%zu more of the %zu metrics that moved are in the "
			"tables below.</p>",
			hidden, judged);
	fputs("</section>\n", p->f);
out:
	free(sel);
	free(movers);
}

static bool col_moves(const struct series *s, size_t j)
{
	size_t i;
	double first = NAN;

	for (i = 0; i < s->nrows; i++) {
		double v = s->cols[j].v[i];

		if (isnan(v))
			continue;
		if (isnan(first))
			first = v;
		else if (v != first)
			return true;
	}
	return !isnan(first) && first != 0;
}

/*
 * Sockets in use as the kernel counts them (in the netns, per protocol, host-wide per protocol)
 * and the two sides of the run's connections; by state; in TIME_WAIT.
 */
static bool socket_count(const struct metric_desc *d)
{
	return d->cls == MC_SOCKETS &&
	       (d->traits & (MT_TOTAL | MT_PROTOCOL | MT_HOST | MT_CLIENT | MT_SERVER));
}

static bool state_count(const struct metric_desc *d)
{
	return d->cls == MC_STATE;
}

/* TIME_WAIT's counts; the tw_sock caches that follow it are slab caches, charted as such. */
static bool tw_count(const struct metric_desc *d)
{
	return d->cls == MC_TIME_WAIT;
}

static size_t pick_cols(const struct series *s, bool (*want)(const struct metric_desc *), int *cols)
{
	size_t j, n = 0;

	for (j = 0; j < s->ncols && n < MAX_STATE_LINES; j++) {
		const struct metric_desc *d = &s->cols[j].d;

		if (d->kind == MK_LEVEL && !desc_has(d, MT_SPLIT) && want(d) && col_moves(s, j))
			cols[n++] = (int)j;
	}
	return n;
}

/* TIME_WAIT gets a chart of its own: its tens of thousands would flatten every other count. */
static void sockets(struct page *p)
{
	static const struct {
		const char *id;
		bool (*want)(const struct metric_desc *);
		const char *caption;
	} groups[] = {
		{ "sockets", socket_count, "Sockets in use" },
		{ "states", state_count, "Socket states (sock_diag), TIME_WAIT apart" },
		{ "time-wait", tw_count,
		  "TIME_WAIT: deferred clean-up, gone 60 s after the close" },
	};
	int cols[MAX_STATE_LINES];
	size_t i, n, drawn = 0;

	fputs("<section id=\"sockets\"><h2>Sockets and TCP states</h2><div class=\"pair\">", p->f);
	for (i = 0; i < ARRAY_SIZE(groups); i++) {
		n = pick_cols(p->s, groups[i].want, cols);
		if (!n)
			continue;
		fputs("<figure><figcaption>", p->f);
		esc(p, groups[i].caption);
		sampled_every(p, p->s->cols[cols[0]].v);
		fputs("</figcaption>", p->f);
		chart_columns(p, groups[i].id, cols, n, true);
		fputs("</figure>", p->f);
		drawn++;
	}
	if (!drawn)
		fputs("<p class=\"muted\">No socket counts were sampled.</p>", p->f);
	fputs("</div></section>\n", p->f);
}

/*
 * Every metric that decided, moved, or was judged on what it did, and the CLEAN ones that moved
 * beyond their noise; the CLEAN ones that sat still (hundreds of slab caches, typically) and
 * those with no growth seen are counted, not listed: the JSON report has them.
 */
static void all_metrics(struct page *p)
{
	const struct result *r = p->r;
	size_t i, shown = 0, cut = 0, quiet_clean = 0, unseen = 0;
	char quiet[240];

	fprintf(p->f,
		"<section id=\"metrics\"><details><summary><h2>Judged metrics (%zu)</h2>"
		"</summary>",
		r->nm);
	metric_head(p);
	for (i = 0; i < r->nm; i++) {
		const struct metric_result *m = &r->m[i];

		if (m->verdict == VERDICT_CLEAN && !m->decided && snr(m) < QUIET_SNR) {
			quiet_clean++;
			continue;
		}
		if (!m->decided && !metric_spoke(m) && m->verdict != VERDICT_CLEAN) {
			unseen++;
			continue;
		}
		if (shown == MAX_TABLE_ROWS) {
			cut++;
			continue;
		}
		fputs("<tr>", p->f);
		metric_cells(p, m, true);
		fputs("</tr>\n", p->f);
		shown++;
	}
	fputs("</tbody></table><p class=\"muted\">", p->f);
	if (cut)
		fprintf(p->f, "%zu more past the first %d rows. ", cut, MAX_TABLE_ROWS);
	fprintf(p->f, "Not listed (CLEAN within %d noise sigmas, or no growth seen): ", QUIET_SNR);
	esc(p, reason_quiet(quiet, sizeof(quiet), quiet_clean, unseen));
	fputs("; the JSON report lists them.</p></details></section>\n", p->f);
}

static void phases(struct page *p)
{
	const struct series *s = p->s;
	char a[48];
	size_t i;

	fputs("<section id=\"phases\"><h2>Phases</h2><table><thead><tr><th>phase</th>"
	      "<th class=\"num\">start</th><th class=\"num\">length</th><th class=\"num\">cycles at start</th><th class=\"num\">rows</th></tr></thead>"
	      "<tbody>",
	      p->f);
	for (i = 0; i < s->nmarks; i++) {
		const struct phase_mark *m = &s->marks[i];
		double end = i + 1 < s->nmarks ? s->marks[i + 1].t : series_end(s);
		size_t rend = i + 1 < s->nmarks ? s->marks[i + 1].row : s->nrows;

		fprintf(p->f, "<tr><td><span class=\"swatch %s\"></span>%s</td>",
			phase_cls(m->phase), phase_name(m->phase));
		fprintf(p->f, "<td class=\"num\">%.1f s</td><td class=\"num\">%.1f s</td>", m->t,
			end > m->t ? end - m->t : 0);
		fprintf(p->f, "<td class=\"num\">%s</td><td class=\"num\">%zu</td></tr>",
			count(a, sizeof(a), (double)m->cycles), rend > m->row ? rend - m->row : 0);
	}
	fprintf(p->f, "</tbody></table><p class=\"muted\">%zu rows of %s samples", s->nrows,
		count(a, sizeof(a), (double)s->samples));
	if (s->fold)
		fprintf(p->f, "; each later row averages %u samples", 1u << s->fold);
	fputs(".</p></section>\n", p->f);
}

static void row(struct page *p, const char *key, const char *value)
{
	fputs("<tr><th>", p->f);
	esc(p, key);
	fputs("</th><td>", p->f);
	esc(p, value);
	fputs("</td></tr>", p->f);
}

static void rowf(struct page *p, const char *key, const char *fmt, ...) SL_PRINTF(3, 4);

static void rowf(struct page *p, const char *key, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	row(p, key, buf);
}

static void engine(struct page *p)
{
	const json_t *e = p->in->engine, *errs, *item;
	char a[48], b[48];
	size_t i;

	if (!e)
		return;
	fputs("<section id=\"engine\"><h2>Engine</h2><table class=\"kv\">", p->f);
	rowf(p, "cycles", "%s completed, %s failed", count(a, sizeof(a), engine_num(e, "cycles")),
	     count(b, sizeof(b), engine_num(e, "failed_cycles")));
	rowf(p, "rate", "%s cycles/s over %.2f s",
	     amount(a, sizeof(a), engine_num(e, "cycles_per_second"), UNIT_COUNT, AMT_HUMAN),
	     engine_num(e, "seconds"));
	rowf(p, "CPU", "%.2f s user, %.2f s system", engine_num(e, "user_seconds"),
	     engine_num(e, "system_seconds"));
	rowf(p, "threads", "%.0f (cycles per thread %s to %s)", engine_num(e, "threads"),
	     count(a, sizeof(a), engine_num(e, "thread_min")),
	     count(b, sizeof(b), engine_num(e, "thread_max")));
	if (engine_num(e, "leaked") > 0)
		rowf(p, "sockets kept open", "%s (--inject-leak)",
		     count(a, sizeof(a), engine_num(e, "leaked")));
	fputs("</table>", p->f);
	errs = json_object_get(e, "errors");
	if (json_array_size(errs)) {
		fputs("<table><thead><tr><th>op</th><th>error</th><th class=\"num\">count</th></tr></thead><tbody>",
		      p->f);
		json_array_foreach(errs, i, item) {
			fputs("<tr><td><code>", p->f);
			esc(p, json_string_value(json_object_get(item, "op")));
			fputs("</code></td><td>", p->f);
			esc(p, json_string_value(json_object_get(item, "name")));
			fprintf(p->f, "</td><td class=\"num\">%s</td></tr>",
				count(a, sizeof(a), engine_num(item, "count")));
		}
		fputs("</tbody></table>", p->f);
	}
	fputs("</section>\n", p->f);
}

static const char *yes(bool b)
{
	return b ? "yes" : "no";
}

static void config_table(struct page *p)
{
	const struct run_config *c = p->in->cfg;
	char a[48];
	int v;

	fputs("<div><h3>Configuration</h3><table class=\"kv\">", p->f);
	if (!c) {
		fputs("<tr><td class=\"muted\">not recorded</td></tr></table></div>", p->f);
		return;
	}
	row(p, "sequence", c->sequence ? c->sequence : "");
	row(p, "preset", c->preset ? c->preset : "none");
	row(p, "transport", transport_name(c->transport));
	row(p, "target", c->target ? c->target : "sockleak's own server");
	rowf(p, "client threads", "%u", c->threads);
	if (c->ops)
		rowf(p, "length", "%s cycles", count(a, sizeof(a), (double)c->ops));
	else
		rowf(p, "length", "%g s", c->seconds);
	if (c->rate > 0)
		rowf(p, "rate", "%g cycles/s", c->rate);
	else
		row(p, "rate", "as fast as possible");
	row(p, "yield between cycles", yes(c->yield));
	if (c->inject_leak)
		rowf(p, "inject leak", "one socket every %s cycles",
		     count(a, sizeof(a), (double)c->inject_leak));
	else
		row(p, "inject leak", "off");
	if (c->server_sequence)
		rowf(p, "server", "%u thread%s, per connection: %s, backlog %d", c->server_threads,
		     c->server_threads == 1 ? "" : "s", c->server_sequence, c->backlog);
	else
		rowf(p, "server", "%u thread%s, close: %s, backlog %d", c->server_threads,
		     c->server_threads == 1 ? "" : "s", server_close_name(c->server_close),
		     c->backlog);
	row(p, "network namespace", yes(c->netns));
	if (c->nsysctl) {
		char buf[512];
		size_t n = 0;
		unsigned i;

		for (i = 0; i < c->nsysctl && n < sizeof(buf); i++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? " " : "",
					      c->netns_sysctl[i]);
		row(p, "netns sysctl", buf);
	}
	row(p, "memory cgroup", yes(c->cgroup));
	rowf(p, "sampling", "every %g s", c->interval);
	rowf(p, "phases", "baseline %g s, warm-up %g s, quiesce up to %g s%s", c->baseline,
	     c->warmup, c->quiesce_max, c->teardown ? ", teardown" : "");
	a[0] = '\0';
	for (v = 0; v < VERDICT_COUNT; v++)
		if (c->fail_on & (1u << v))
			snprintf(a + strlen(a), sizeof(a) - strlen(a), "%s%s", a[0] ? ", " : "",
				 verdict_name((enum verdict)v));
	row(p, "fails on", a[0] ? a : "nothing");
	if (c->confirm)
		row(p, "confirm", "runs again at 3× the length");
	fputs("</table></div>", p->f);
}

static void machine_table(struct page *p)
{
	const struct machine *m = p->in->m;
	char a[48];

	fputs("<div><h3>Machine</h3><table class=\"kv\">", p->f);
	if (!m) {
		fputs("<tr><td class=\"muted\">not recorded</td></tr></table></div>", p->f);
		return;
	}
	rowf(p, "kernel", "Linux %s %s", m->kernel, m->arch);
	row(p, "build", m->kernel_build);
	if (m->vm[0]) {
		rowf(p, "VM", "%s, booted by sockleak vm", m->vm);
		row(p, "kernel image", m->vm_kernel);
		row(p, "modules", m->vm_modules[0] ? m->vm_modules : "none (built in only)");
		row(p, "initramfs", m->vm_initramfs);
	}
	if (m->os[0])
		row(p, "system", m->os);
	row(p, "host", m->hostname);
	if (m->cpu[0])
		rowf(p, "CPU", "%u × %s", m->cores, m->cpu);
	else
		rowf(p, "CPU", "%u cores", m->cores);
	row(p, "memory", amount(a, sizeof(a), (double)m->mem_bytes, UNIT_BYTES, AMT_HUMAN));
	if (m->cgroup_version)
		rowf(p, "cgroup", "v%d memory controller%s", m->cgroup_version,
		     m->cgroup ? ", the run in a cgroup of its own" : ", not used by the run");
	else
		row(p, "cgroup", "no memory controller");
	/* What charge counters may keep in per-CPU reserves (recorded since page_size was). */
	if (m->page_size && m->mem_pcpu_rsv >= 0)
		rowf(p, "socket charge reserve", "%d pages × %u CPUs (net.core.mem_pcpu_rsv)",
		     m->mem_pcpu_rsv, m->cores);
	else if (m->page_size)
		row(p, "socket charge reserve", "none: no net.core.mem_pcpu_rsv on this kernel");
	row(p, "privileges", m->root ? "root" : "unprivileged");
	row(p, "network namespace", m->netns ? "the run's own" : "the host's");
	rowf(p, "sockleak", "%s", m->version);
	row(p, "started", m->start);
	fputs("</table></div>", p->f);
}

static void head(struct page *p)
{
	const struct run_config *c = p->in->cfg;
	const struct machine *m = p->in->m;

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"sockleak ",
	      p->f);
	fprintf(p->f, "%s\">\n<title>sockleak: %s", SOCKLEAK_VERSION, verdict_name(p->r->verdict));
	if (c) {
		fputs(" · ", p->f);
		esc(p, c->preset ? c->preset : c->sequence);
		fprintf(p->f, " over %s", transport_name(c->transport));
	}
	if (m) {
		fputs(" · ", p->f);
		esc(p, m->start);
	}
	fprintf(p->f, "</title>\n<style>%s</style>\n</head>\n", css);
}

int report_html_write(FILE *f, const struct report_in *in)
{
	struct page p = { f, in, in->s, in->r, 0, 0 };

	head(&p);
	fprintf(f, "<body data-verdict=\"%s\">\n", verdict_name(in->r->verdict));
	banner(&p);
	fputs("<nav><a href=\"#evidence\">Evidence</a>", f);
	if (in->r->server.watched)
		fputs("<a href=\"#server\">Server</a>", f);
	fputs("<a href=\"#pool\">Pool tags</a>", f);
	if (in->attr && (in->attr->on || in->attr->why[0]))
		fputs("<a href=\"#attribution\">Stacks</a>", f);
	fputs("<a href=\"#charts\">Charts</a><a href=\"#sockets\">Sockets</a>"
	      "<a href=\"#metrics\">Metrics</a><a href=\"#phases\">Phases</a>"
	      "<a href=\"#run\">Run</a></nav>\n<main>\n",
	      f);
	figures(&p);
	evidence(&p);
	server(&p);
	confirmation(&p);
	pool_table(&p);
	injected(&p);
	report_html_attribution(f, in->s, in->attr);
	moved(&p);
	sockets(&p);
	all_metrics(&p);
	phases(&p);
	engine(&p);
	fputs("<section id=\"run\"><h2>Run</h2><div class=\"two\">", f);
	config_table(&p);
	machine_table(&p);
	fputs("</div></section>\n</main>\n", f);
	/* The browser test compares this count with the charts it finds in the page. */
	fprintf(f, "<footer data-charts=\"%d\">sockleak %s · JSON schema %d</footer>\n", p.charts,
		SOCKLEAK_VERSION, REPORT_SCHEMA);
	fprintf(f, "<div id=\"tip\" hidden></div>\n<script>%s</script>\n</body></html>\n", script);
	return p.err;
}

static int html_write(FILE *f, const void *in)
{
	return report_html_write(f, in);
}

int report_html(const char *path, const struct report_in *in)
{
	return out_write(path, html_write, in);
}
