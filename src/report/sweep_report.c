/* The reports of a sweep: the table of variants, its JSON summary and the HTML index page. */
#include "report/sweep_report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "report/fmt.h"
#include "report/junit.h"
#include "report/jw.h"
#include "config.h"
#include "report/out.h"
#include "report/report.h"

#define NAME_W 40
#define WHERE_TEXT_FRAMES 2 /* frames of a stack under its variant's row, from each end */
#define KERNEL_W_MAX 24
#define MISSING_SAID 20 /* missing variants named in the table's closing lines */

static const char css[] =
#include "report/html_css.inc"
	;

void sweep_summarise(struct sweep_summary *sum)
{
	const struct sweep *s = sum->s;
	size_t i;

	sum->measured = false;
	sum->verdict = VERDICT_CLEAN;
	sum->failing = 0;
	for (i = 0; i < s->n; i++) {
		const struct sweep_variant *v = &s->v[i];

		if (v->status != VS_DONE && v->status != VS_INTERRUPTED)
			continue;
		if (!sum->measured || v->verdict > sum->verdict)
			sum->verdict = v->verdict;
		sum->measured = true;
		sum->failing += v->fails;
	}
}

static bool measured(const struct sweep_variant *v)
{
	return v->status == VS_DONE || v->status == VS_INTERRUPTED;
}

/* The figures of a row, as text: "-" where there is none. */
struct cells {
	char rate[32], peak[48], residual[48];
};

static void cells_of(const struct sweep_variant *v, struct cells *c)
{
	snprintf(c->rate, sizeof(c->rate), "-");
	snprintf(c->peak, sizeof(c->peak), "-");
	snprintf(c->residual, sizeof(c->residual), "-");
	if (!measured(v))
		return;
	if (!isnan(v->cycles_per_second))
		fmt_count(c->rate, sizeof(c->rate), round(v->cycles_per_second));
	if (!isnan(v->peak)) {
		amount(c->peak + 1, sizeof(c->peak) - 1, v->peak, v->unit, AMT_HUMAN);
		c->peak[0] = v->peak >= 0 ? '+' : ' ';
		if (c->peak[0] == ' ')
			memmove(c->peak, c->peak + 1, strlen(c->peak));
	}
	if (!isnan(v->residual_per_cycle))
		amount(c->residual, sizeof(c->residual), v->residual_per_cycle, v->unit, AMT_HUMAN);
}

/* The verdict column: the verdict when measured, else what happened. */
static const char *state_of(const struct sweep_variant *v)
{
	if (measured(v))
		return verdict_name(v->verdict);
	if (v->status == VS_NOT_RUN)
		return "not run";
	return sweep_status_name(v->status);
}

/* The last column: the headline metric, or why there is none. */
static void detail_of(const struct sweep_variant *v, char *buf, size_t size)
{
	int n = 0;

	if (!measured(v)) {
		snprintf(buf, size, "%s", v->reason);
		return;
	}
	n = snprintf(buf, size, "%s", v->metric[0] ? v->metric : "-");
	if (v->status == VS_INTERRUPTED && n < (int)size)
		n += snprintf(buf + n, size - n, " (interrupted: what was measured)");
	if (v->failed_cycles && n < (int)size)
		snprintf(buf + n, size - n, "; %llu failed cycles",
			 (unsigned long long)v->failed_cycles);
}

/* Names longer than the column keep their head and tail. */
static const char *fit(char *buf, size_t size, const char *name, size_t w)
{
	size_t n = strlen(name), head;

	if (n <= w || size <= w) {
		n = n < size ? n : size - 1;
		memcpy(buf, name, n);
		buf[n] = '\0';
		return buf;
	}
	head = w / 2;
	memcpy(buf, name, head - 1);
	buf[head - 1] = '~';
	memcpy(buf + head, name + n - (w - head), w - head);
	buf[w] = '\0';
	return buf;
}

bool sweep_by_kernel(const struct sweep *s)
{
	size_t i;

	if (s->matrix.nkernels)
		return true;
	for (i = 1; i < s->n; i++)
		if (strcmp(s->v[i].kernel, s->v[0].kernel))
			return true;
	return false;
}

/* Under a variant's row, its top stacks (--attribute): what each keeps per cycle and where. */
static void where_rows(FILE *f, const struct sweep_variant *v)
{
	size_t i, k;

	if (!measured(v) || !v->attr_asked)
		return;
	if (!v->attr_on) {
		fprintf(f, "%6s where: not attributed: %s\n", "", v->attr_why);
		return;
	}
	for (i = 0; i < v->nwhere; i++) {
		const struct sweep_where *w = &v->where[i];
		char b[32];

		amount(b, sizeof(b), w->bytes_per_cycle, UNIT_BYTES, AMT_HUMAN);
		fprintf(f, "%6s where: %-8s %s %.3g objects, %s per cycle: ", "",
			verdict_name(w->verdict), w->cache, w->objs_per_cycle, b);
		/* The first frames (what allocated) and the last (where it came from). */
		for (k = 0; k < w->nframes; k++) {
			if (w->nframes > 2 * WHERE_TEXT_FRAMES + 1 && k == WHERE_TEXT_FRAMES) {
				fprintf(f, " < ... %zu more", w->nframes - 2 * WHERE_TEXT_FRAMES);
				k = w->nframes - WHERE_TEXT_FRAMES;
			}
			fprintf(f, "%s%s", k ? " < " : "", w->frames[k]);
		}
		if (w->more)
			fprintf(f, " < ... %zu more", w->more);
		fputc('\n', f);
	}
	if (!v->nwhere && v->verdict >= VERDICT_BACKLOG)
		fprintf(f, "%6s where: no stack is a leak's or a backlog's\n", "");
	if (v->attr_lost)
		fprintf(f, "%6s where: events were lost (the variant's report says which)\n", "");
}

/* The kernel a variant ran on, or the axis' entry it will run on. */
static const char *kernel_of(const struct sweep *s, const struct sweep_variant *v)
{
	if (v->kernel[0] || !s->matrix.nkernels)
		return v->kernel;
	return s->matrix.kernels[v->kernel_at].label;
}

static int kernel_w(const struct sweep *s)
{
	size_t i, w = strlen("kernel");

	for (i = 0; i < s->n; i++)
		if (strlen(kernel_of(s, &s->v[i])) > w)
			w = strlen(kernel_of(s, &s->v[i]));
	return (int)(w < KERNEL_W_MAX ? w : KERNEL_W_MAX);
}

void sweep_table_head(FILE *f, const struct sweep *s)
{
	fprintf(f, "%4s  %-*s ", "#", NAME_W, "variant");
	if (sweep_by_kernel(s))
		fprintf(f, "%-*s ", kernel_w(s), "kernel");
	fprintf(f, "%10s %12s %15s  %-13s %s\n", "cycles/s", "peak growth", "residual/cycle",
		"verdict", "metric (or why not run)");
}

void sweep_table_row(FILE *f, const struct sweep *s, const struct sweep_variant *v)
{
	char name[NAME_W + 1], kernel[KERNEL_W_MAX + 1], detail[512];
	struct cells c;
	int kw;

	cells_of(v, &c);
	detail_of(v, detail, sizeof(detail));
	fprintf(f, "%4zu  %-*s ", v->index, NAME_W, fit(name, sizeof(name), v->name, NAME_W));
	if (sweep_by_kernel(s)) {
		kw = kernel_w(s);
		fprintf(f, "%-*s ", kw, fit(kernel, sizeof(kernel), kernel_of(s, v), (size_t)kw));
	}
	fprintf(f, "%10s %12s %15s  %-13s %s\n", c.rate, c.peak, c.residual, state_of(v), detail);
	where_rows(f, v);
	fflush(f);
}

size_t sweep_missing(const struct sweep *s, size_t *out, size_t cap)
{
	const struct sweep_matrix *m = &s->matrix;
	bool *seen;
	size_t i, k, n = 0;

	if (!m->size || !(seen = calloc(m->size + 1, sizeof(*seen))))
		return 0;
	for (i = 0; i < s->n; i++)
		if (s->v[i].index >= 1 && s->v[i].index <= m->size)
			seen[s->v[i].index] = true;
	for (k = 1; k <= m->size; k++) {
		if (seen[k] || (m->shards && sweep_shard_of(k, m->shards) != m->shard))
			continue;
		if (n < cap)
			out[n] = k;
		n++;
	}
	free(seen);
	return n;
}

void sweep_index_name(const struct sweep *s, size_t index, char *buf, size_t size)
{
	const struct sweep_matrix *m = &s->matrix;
	size_t at;

	if (!m->nnames || index < 1) {
		snprintf(buf, size, "#%zu", index);
		return;
	}
	at = (index - 1) % m->nnames;
	if (m->nkernels && (index - 1) / m->nnames < m->nkernels)
		snprintf(buf, size, "%s on %s", m->names[at],
			 m->kernels[(index - 1) / m->nnames].label);
	else
		snprintf(buf, size, "%s", m->names[at]);
}

/* A variant's outcome on one kernel: "LEAK on 6.1.0-47-amd64", "skipped on host". */
static void on_kernel(FILE *f, const struct sweep *s, const struct sweep_variant *v, bool first)
{
	fprintf(f, "%s%s on %s", first ? "" : ", ", state_of(v), kernel_of(s, v));
}

/* Per variant, its outcome on each kernel, in matrix order: the question a kernel axis asks. */
static void across_kernels(FILE *f, const struct sweep *s)
{
	size_t i, j;

	fprintf(f, "\nAcross kernels:\n");
	for (i = 0; i < s->n; i++) {
		bool first = true;

		for (j = 0; j < i && strcmp(s->v[j].name, s->v[i].name); j++)
			;
		if (j < i)
			continue; /* said with the first of its name */
		fprintf(f, "  %s: ", s->v[i].name);
		for (j = i; j < s->n; j++) {
			if (strcmp(s->v[j].name, s->v[i].name))
				continue;
			on_kernel(f, s, &s->v[j], first);
			first = false;
		}
		fputc('\n', f);
	}
}

static void missing_lines(FILE *f, const struct sweep *s)
{
	size_t idx[MISSING_SAID], n = sweep_missing(s, idx, MISSING_SAID), i;
	char name[256];

	if (!n)
		return;
	fprintf(f, "Missing %zu of the matrix's %zu variants%s:", n, s->matrix.size,
		s->matrix.shards ? " in this shard" : " (no report holds them)");
	for (i = 0; i < n && i < MISSING_SAID; i++) {
		sweep_index_name(s, idx[i], name, sizeof(name));
		fprintf(f, "%s#%zu %s", i ? ", " : " ", idx[i], name);
	}
	if (n > MISSING_SAID)
		fprintf(f, " and %zu more", n - MISSING_SAID);
	fputc('\n', f);
}

static void sources_lines(FILE *f, const struct sweep_summary *sum)
{
	char a[32];
	size_t i;

	fprintf(f, "Merged from %zu report%s:\n", sum->nsources, sum->nsources == 1 ? "" : "s");
	for (i = 0; i < sum->nsources; i++) {
		const struct sweep_source *r = &sum->sources[i];
		char shard[32] = "whole";

		if (r->shards)
			snprintf(shard, sizeof(shard), "shard %u/%u", r->shard, r->shards);
		fprintf(f, "  %s: %s, %zu variant%s, Linux %s on %s, %s, exit %d\n", r->path, shard,
			r->variants, r->variants == 1 ? "" : "s", r->kernel[0] ? r->kernel : "?",
			r->hostname[0] ? r->hostname : "?",
			sweep_fmt_duration(a, sizeof(a), r->elapsed), r->exit_code);
	}
}

void sweep_table_end(FILE *f, const struct sweep_summary *sum)
{
	const struct sweep *s = sum->s;
	char a[32], b[32];
	size_t i, k;

	if (sum->measured) {
		fprintf(f, "\nOverall: %s (the worst of %zu variant%s measured)",
			verdict_name(sum->verdict),
			sweep_count(s, VS_DONE) + sweep_count(s, VS_INTERRUPTED),
			sweep_count(s, VS_DONE) + sweep_count(s, VS_INTERRUPTED) == 1 ? "" : "s");
		fprintf(f, "; %zu at or above --fail-on", sum->failing);
		for (i = 0, k = 0; i < s->n; i++)
			if (measured(&s->v[i]) && s->v[i].fails)
				fprintf(f, "%s#%zu", k++ ? ", " : ": ", s->v[i].index);
		fputc('\n', f);
	} else {
		fprintf(f, "\nOverall: nothing measured\n");
	}
	fprintf(f, "Skipped %zu, failed %zu, not run %zu; %s elapsed of a %s budget%s\n",
		sweep_count(s, VS_SKIPPED), sweep_count(s, VS_FAILED), sweep_count(s, VS_NOT_RUN),
		sweep_fmt_duration(a, sizeof(a), sum->elapsed),
		sweep_fmt_duration(b, sizeof(b), sum->budget),
		sum->nsources > 1 ? " (the reports' together)" : "");
	if (s->matrix.shards)
		fprintf(f, "Shard %u of %u: %zu of the matrix's %zu variants\n", s->matrix.shard,
			s->matrix.shards, s->n, s->matrix.size);
	missing_lines(f, s);
	if (sum->stopped[0])
		fprintf(f, "Stopped early: %s\n", sum->stopped);
	if (sum->nsources)
		sources_lines(f, sum);
	if (sweep_by_kernel(s))
		across_kernels(f, s);
}

void sweep_table(FILE *f, const struct sweep_summary *sum)
{
	size_t i;

	sweep_table_head(f, sum->s);
	for (i = 0; i < sum->s->n; i++)
		sweep_table_row(f, sum->s, &sum->s->v[i]);
	sweep_table_end(f, sum);
}

/* ---- JUnit ---- */

/* Its strings, one set per case. */
struct case_text {
	char msg[512], detail[512], cls[64], name[280];
};

/* A variant as a test case: its verdict against --fail-on, or why it was not measured; on more
 * than one kernel, the case's name says which. */
static void junit_case_of(const struct sweep *s, const struct sweep_variant *v,
			  struct junit_case *c, struct case_text *t)
{
	bool measured = v->status == VS_DONE || v->status == VS_INTERRUPTED;
	char *msg = t->msg;
	size_t msize = sizeof(t->msg);

	snprintf(t->cls, sizeof(t->cls), "sockleak.sweep.%s", transport_name(v->transport));
	if (sweep_by_kernel(s))
		snprintf(t->name, sizeof(t->name), "%s on %s", v->name, kernel_of(s, v));
	else
		snprintf(t->name, sizeof(t->name), "%s", v->name);
	detail_of(v, t->detail, sizeof(t->detail));
	*c = (struct junit_case){ .name = t->name, .classname = t->cls, .message = msg };
	c->time = measured || v->status == VS_FAILED ? v->elapsed : NAN;
	if (measured) {
		c->status = v->fails ? JUNIT_FAIL : JUNIT_PASS;
		c->type = verdict_name(v->verdict);
		snprintf(msg, msize, "%s: %s%s", verdict_name(v->verdict), v->why,
			 v->status == VS_INTERRUPTED ? " (interrupted)" : "");
		c->detail = t->detail;
	} else {
		c->status = v->status == VS_FAILED ? JUNIT_ERROR : JUNIT_SKIP;
		c->type = v->status == VS_FAILED ? "failed" : NULL;
		snprintf(msg, msize, "%s: %s", sweep_status_name(v->status),
			 v->reason[0] ? v->reason : "not run");
	}
}

int sweep_junit(const char *path, const struct sweep_summary *sum)
{
	const struct sweep *s = sum->s;
	struct junit_case *cases = calloc(s->n + 1, sizeof(*cases));
	struct case_text *text = calloc(s->n + 1, sizeof(*text));
	char *table = NULL, fail_on[64] = "";
	size_t len = 0, i, k = 0;
	struct junit_property props[4];
	struct junit_suite suite = { .name = "sockleak sweep", .time = sum->elapsed };
	FILE *f = NULL;
	int v, np = 0, err = -ENOMEM;

	if (!cases || !text || !(f = open_memstream(&table, &len)))
		goto out;
	sweep_table(f, sum);
	fclose(f);
	for (i = 0; i < s->n; i++)
		junit_case_of(s, &s->v[i], &cases[i], &text[i]);
	for (v = 0; v < VERDICT_COUNT; v++)
		if (sum->fail_on & (1u << v))
			k += (size_t)snprintf(fail_on + k, sizeof(fail_on) - k, "%s%s",
					      k ? " " : "", verdict_name((enum verdict)v));
	props[np++] =
		(struct junit_property){ "verdict", sum->measured ? verdict_name(sum->verdict) :
								    "none measured" };
	props[np++] = (struct junit_property){ "fail_on", fail_on };
	if (sum->m) {
		props[np++] = (struct junit_property){ "kernel", sum->m->kernel };
		suite.hostname = sum->m->hostname;
		suite.timestamp = sum->m->start[0] ? sum->m->start : NULL;
	}
	suite.props = props;
	suite.n_props = (size_t)np;
	suite.cases = cases;
	suite.n = s->n;
	suite.out = table;
	err = report_junit(path, &suite);
out:
	free(table);
	free(cases);
	free(text);
	return err;
}

/* ---- the HTML index ---- */

static const char *verdict_cls(const struct sweep_variant *v)
{
	static const char *const cls[VERDICT_COUNT] = {
		[VERDICT_CLEAN] = "v-clean",
		[VERDICT_BOUNDED] = "v-bounded",
		[VERDICT_INCONCLUSIVE] = "v-inconclusive",
		[VERDICT_BACKLOG] = "v-backlog",
		[VERDICT_LEAK] = "v-leak",
	};

	return (unsigned)v->verdict < VERDICT_COUNT ? cls[v->verdict] : "v-inconclusive";
}

static void kv(FILE *f, const char *k, const char *v)
{
	fputs("<tr><th>", f);
	fmt_html(f, k);
	fputs("</th><td>", f);
	fmt_html(f, v);
	fputs("</td></tr>", f);
}

static void index_row(FILE *f, const struct sweep *s, const struct sweep_variant *v)
{
	char detail[512];
	struct cells c;

	cells_of(v, &c);
	detail_of(v, detail, sizeof(detail));
	fprintf(f, "<tr data-status=\"%s\"><td class=\"num\">%zu</td><td class=\"name\">",
		sweep_status_name(v->status), v->index);
	if (v->html[0]) {
		fputs("<a href=\"", f);
		fmt_html(f, v->html);
		fputs("\">", f);
		fmt_html(f, v->name);
		fputs("</a>", f);
	} else {
		fmt_html(f, v->name);
	}
	fputs("<div class=\"why\"><code>", f);
	fmt_html(f, v->sequence);
	fputs("</code></div></td>", f);
	if (sweep_by_kernel(s)) {
		fputs("<td class=\"kernel\">", f);
		fmt_html(f, kernel_of(s, v));
		fputs("</td>", f);
	}
	fprintf(f, "<td class=\"num\">%s</td><td class=\"num\">", c.rate);
	fmt_html(f, c.peak);
	fputs("</td><td class=\"num\">", f);
	fmt_html(f, c.residual);
	fputs("</td><td class=\"v\">", f);
	if (measured(v))
		fprintf(f, "<span class=\"badge %s\">%s</span>", verdict_cls(v),
			verdict_name(v->verdict));
	else
		fprintf(f, "<span class=\"muted\">%s</span>", state_of(v));
	fputs("</td><td>", f);
	fmt_html(f, detail);
	if (measured(v) && v->why[0]) {
		fputs("<div class=\"why\">", f);
		fmt_html(f, v->why);
		fputs("</div>", f);
	}
	fputs("</td></tr>\n", f);
}

/* The closing lines' sections, as HTML: the variants missing, across kernels, the reports. */
static void index_missing(FILE *f, const struct sweep *s)
{
	size_t idx[MISSING_SAID], n = sweep_missing(s, idx, MISSING_SAID), i;
	char name[256];

	if (!n)
		return;
	fprintf(f,
		"<p class=\"missing\" data-missing=\"%zu\">Missing %zu of the matrix's %zu "
		"variants%s:",
		n, n, s->matrix.size,
		s->matrix.shards ? " in this shard" : " (no report holds them)");
	for (i = 0; i < n && i < MISSING_SAID; i++) {
		sweep_index_name(s, idx[i], name, sizeof(name));
		fprintf(f, "%s#%zu ", i ? ", " : " ", idx[i]);
		fmt_html(f, name);
	}
	if (n > MISSING_SAID)
		fprintf(f, " and %zu more", n - MISSING_SAID);
	fputs("</p>\n", f);
}

static void index_kernels(FILE *f, const struct sweep *s)
{
	size_t i, j;

	fputs("<section id=\"kernels\"><h2>Across kernels</h2><table class=\"kv\">", f);
	for (i = 0; i < s->n; i++) {
		for (j = 0; j < i && strcmp(s->v[j].name, s->v[i].name); j++)
			;
		if (j < i)
			continue;
		fputs("<tr><th>", f);
		fmt_html(f, s->v[i].name);
		fputs("</th><td>", f);
		for (j = i; j < s->n; j++) {
			const struct sweep_variant *v = &s->v[j];

			if (strcmp(v->name, s->v[i].name))
				continue;
			if (j > i)
				fputs(", ", f);
			if (measured(v))
				fprintf(f, "<span class=\"badge %s\">%s</span>", verdict_cls(v),
					verdict_name(v->verdict));
			else
				fputs(state_of(v), f);
			fputs(" on ", f);
			fmt_html(f, kernel_of(s, v));
		}
		fputs("</td></tr>", f);
	}
	fputs("</table></section>\n", f);
}

static void index_sources(FILE *f, const struct sweep_summary *sum)
{
	char a[32];
	size_t i;

	fputs("<section id=\"merged\"><h2>Reports merged</h2><table><thead><tr><th>report</th>"
	      "<th>slice</th><th class=\"num\">variants</th><th>kernel</th><th>host</th>"
	      "<th>started</th><th class=\"num\">elapsed</th><th class=\"num\">exit</th>"
	      "</tr></thead><tbody>\n",
	      f);
	for (i = 0; i < sum->nsources; i++) {
		const struct sweep_source *r = &sum->sources[i];

		fputs("<tr><td>", f);
		fmt_html(f, r->path);
		if (r->shards)
			fprintf(f, "</td><td>shard %u/%u", r->shard, r->shards);
		else
			fputs("</td><td>whole", f);
		fprintf(f, "</td><td class=\"num\">%zu</td><td>", r->variants);
		fmt_html(f, r->kernel);
		fputs("</td><td>", f);
		fmt_html(f, r->hostname);
		fputs("</td><td>", f);
		fmt_html(f, r->start);
		fprintf(f, "</td><td class=\"num\">%s</td><td class=\"num\">%d</td></tr>\n",
			sweep_fmt_duration(a, sizeof(a), r->elapsed), r->exit_code);
	}
	fputs("</tbody></table></section>\n", f);
}

static void index_plan(FILE *f, const struct sweep_summary *sum)
{
	const struct sweep_plan *p = sum->plan;
	char a[32], b[32], buf[256];
	const struct machine *m = sum->m;
	int v, n = 0;

	fputs("<section id=\"plan\"><h2>Plan and machine</h2><div class=\"two\"><div>"
	      "<h3>Plan</h3><table class=\"kv\">",
	      f);
	snprintf(buf, sizeof(buf), "%s, %s elapsed", sweep_fmt_duration(a, sizeof(a), sum->budget),
		 sweep_fmt_duration(b, sizeof(b), sum->elapsed));
	kv(f, "budget", buf);
	snprintf(buf, sizeof(buf), "%zu: %zu measured, %zu skipped, %zu failed, %zu not run",
		 sum->s->n, sweep_count(sum->s, VS_DONE) + sweep_count(sum->s, VS_INTERRUPTED),
		 sweep_count(sum->s, VS_SKIPPED), sweep_count(sum->s, VS_FAILED),
		 sweep_count(sum->s, VS_NOT_RUN));
	kv(f, "variants", buf);
	if (p && p->variants) {
		snprintf(buf, sizeof(buf),
			 "%.1f s baseline, %.1f s churn, quiesce up to %.1f s, %.0f s teardown, "
			 "%.1f s set-up",
			 p->baseline, p->churn, p->quiesce_max, p->teardown, p->overhead);
		kv(f, "each variant", buf);
		kv(f, "expected at most", sweep_fmt_duration(a, sizeof(a), p->total));
	}
	for (v = 0; v < VERDICT_COUNT; v++)
		if (sum->fail_on & (1u << v) && n < (int)sizeof(buf))
			n += snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? ", " : "",
				      verdict_name((enum verdict)v));
	kv(f, "fail on", n ? buf : "nothing");
	if (sum->finished) {
		snprintf(buf, sizeof(buf), "%d", sum->exit_code);
		kv(f, "exit code", buf);
	} else {
		kv(f, "exit code",
		   "the sweep is still running: this page is rewritten as each "
		   "variant finishes");
	}
	if (sum->stopped[0])
		kv(f, "stopped early", sum->stopped);
	if (sum->s->matrix.shards) {
		snprintf(buf, sizeof(buf), "%u of %u: %zu of the matrix's %zu variants",
			 sum->s->matrix.shard, sum->s->matrix.shards, sum->s->n,
			 sum->s->matrix.size);
		kv(f, "shard", buf);
	}
	if (sum->s->matrix.id[0])
		kv(f, "matrix", sum->s->matrix.id);
	fputs("</table></div><div><h3>Machine</h3><table class=\"kv\">", f);
	if (m) {
		snprintf(buf, sizeof(buf), "Linux %s %s", m->kernel, m->arch);
		kv(f, "kernel", buf);
		kv(f, "host", m->hostname);
		if (m->cpu[0])
			snprintf(buf, sizeof(buf), "%u × %s", m->cores, m->cpu);
		else
			snprintf(buf, sizeof(buf), "%u cores", m->cores);
		kv(f, "CPU", buf);
		kv(f, "memory", amount(a, sizeof(a), (double)m->mem_bytes, UNIT_BYTES, AMT_HUMAN));
		kv(f, "privileges", m->root ? "root" : "unprivileged");
		kv(f, "sockleak", m->version);
		kv(f, "started", m->start);
	}
	fputs("</table></div></div></section>\n", f);
}

int sweep_index_html_write(FILE *f, const struct sweep_summary *sum)
{
	const struct sweep *s = sum->s;
	const char *verdict = sum->measured ? verdict_name(sum->verdict) : "NONE";
	char a[32], b[32];
	size_t i, reports = 0;

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
	      f);
	fprintf(f, "<meta name=\"generator\" content=\"sockleak %s\">\n", SOCKLEAK_VERSION);
	fprintf(f, "<title>sockleak sweep: %s", verdict);
	if (sum->m) {
		fputs(" · ", f);
		fmt_html(f, sum->m->start);
	}
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n", css);
	fprintf(f, "<body data-verdict=\"%s\" data-variants=\"%zu\" data-finished=\"%s\">\n",
		verdict, s->n, sum->finished ? "true" : "false");
	fprintf(f, "<header class=\"banner %s\"><div class=\"verdict\">%s</div><div>",
		sum->measured ? verdict_cls(&(struct sweep_variant){ .verdict = sum->verdict }) :
				"v-inconclusive",
		verdict);
	fprintf(f,
		"<div class=\"headline\">sockleak sweep%s: %zu of %zu variants measured, %zu at "
		"or above --fail-on</div><div class=\"sub\">",
		sum->finished ? "" : " (running)",
		sweep_count(s, VS_DONE) + sweep_count(s, VS_INTERRUPTED), s->n, sum->failing);
	if (sum->m) {
		fputs("Linux ", f);
		fmt_html(f, sum->m->kernel);
		fputs(" · ", f);
		fmt_html(f, sum->m->hostname);
		fputs(" · ", f);
		fmt_html(f, sum->m->start);
		fputs(" · ", f);
	}
	fprintf(f, "%s of a %s budget</div></div></header>\n<main>\n",
		sweep_fmt_duration(a, sizeof(a), sum->elapsed),
		sweep_fmt_duration(b, sizeof(b), sum->budget));
	fprintf(f,
		"<section id=\"variants\"><h2>Variants</h2><table><thead><tr><th class=\"num\">#"
		"</th><th>variant</th>%s<th class=\"num\">cycles/s</th><th class=\"num\">peak "
		"growth</th><th class=\"num\">residual/cycle</th><th>verdict</th><th>metric (or "
		"why not run)</th></tr></thead>\n<tbody>\n",
		sweep_by_kernel(s) ? "<th>kernel</th>" : "");
	for (i = 0; i < s->n; i++) {
		index_row(f, s, &s->v[i]);
		reports += s->v[i].html[0] != '\0';
	}
	fputs("</tbody></table>\n<p class=\"note\">Each variant is a run of its own in a network "
	      "namespace of its own. Peak growth and residual per cycle are those of the "
	      "variant's headline metric (the last column): the decisive metric that gave its "
	      "verdict.</p>\n",
	      f);
	index_missing(f, s);
	fputs("</section>\n", f);
	if (sweep_by_kernel(s))
		index_kernels(f, s);
	if (sum->nsources)
		index_sources(f, sum);
	index_plan(f, sum);
	fprintf(f,
		"</main>\n<footer data-reports=\"%zu\">sockleak %s · sweep schema 1</footer>\n"
		"</body></html>\n",
		reports, SOCKLEAK_VERSION);
	return 0;
}

static int index_write(FILE *f, const void *sum)
{
	return sweep_index_html_write(f, sum);
}

int sweep_index_html(const char *path, const struct sweep_summary *sum)
{
	return out_write(path, index_write, sum);
}
