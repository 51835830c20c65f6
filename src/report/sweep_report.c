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
#define SWEEP_SCHEMA 1

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

void sweep_table_head(FILE *f)
{
	fprintf(f, "%4s  %-*s %10s %12s %15s  %-13s %s\n", "#", NAME_W, "variant", "cycles/s",
		"peak growth", "residual/cycle", "verdict", "metric (or why not run)");
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

void sweep_table_row(FILE *f, size_t index, const struct sweep_variant *v)
{
	char name[NAME_W + 1], detail[512];
	struct cells c;

	cells_of(v, &c);
	detail_of(v, detail, sizeof(detail));
	fprintf(f, "%4zu  %-*s %10s %12s %15s  %-13s %s\n", index, NAME_W,
		fit(name, sizeof(name), v->name, NAME_W), c.rate, c.peak, c.residual, state_of(v),
		detail);
	where_rows(f, v);
	fflush(f);
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
				fprintf(f, "%s#%zu", k++ ? ", " : ": ", i + 1);
		fputc('\n', f);
	} else {
		fprintf(f, "\nOverall: nothing measured\n");
	}
	fprintf(f, "Skipped %zu, failed %zu, not run %zu; %s elapsed of a %s budget\n",
		sweep_count(s, VS_SKIPPED), sweep_count(s, VS_FAILED), sweep_count(s, VS_NOT_RUN),
		sweep_fmt_duration(a, sizeof(a), sum->elapsed),
		sweep_fmt_duration(b, sizeof(b), sum->budget));
	if (sum->stopped[0])
		fprintf(f, "Stopped early: %s\n", sum->stopped);
}

/* ---- JSON ---- */

/* "attribution" of a variant (--attribute): null when not asked or not measured. */
static void json_where(struct jw *w, const struct sweep_variant *v)
{
	size_t i, k;

	if (!measured(v) || !v->attr_asked) {
		jw_null(w, "attribution");
		return;
	}
	jw_object(w, "attribution", false);
	jw_bool(w, "on", v->attr_on);
	jw_str(w, "why", v->attr_on ? NULL : v->attr_why);
	jw_int(w, "leak_stacks", (int64_t)v->attr_leak);
	jw_int(w, "backlog_stacks", (int64_t)v->attr_backlog);
	jw_bool(w, "lost_any", v->attr_lost);
	jw_array(w, "stacks", false);
	for (i = 0; i < v->nwhere; i++) {
		const struct sweep_where *s = &v->where[i];

		jw_object(w, NULL, true);
		jw_str(w, "cache", s->cache);
		jw_str(w, "verdict", verdict_name(s->verdict));
		jw_num(w, "objects_per_cycle", s->objs_per_cycle);
		jw_num(w, "bytes_per_cycle", s->bytes_per_cycle);
		jw_array(w, "frames", true);
		for (k = 0; k < s->nframes; k++)
			jw_str(w, NULL, s->frames[k]);
		jw_end(w);
		jw_int(w, "more_frames", (int64_t)s->more);
		jw_end(w);
	}
	jw_end(w);
	jw_end(w);
}

static void json_plan(struct jw *w, const struct sweep_summary *sum)
{
	const struct sweep_plan *p = sum->plan;

	jw_object(w, "plan", false);
	jw_num(w, "budget_seconds", sum->budget);
	jw_int(w, "variants", p ? p->variants : 0);
	jw_num(w, "baseline_seconds", p ? p->baseline : NAN);
	jw_num(w, "churn_seconds", p ? p->churn : NAN);
	jw_num(w, "quiesce_max_seconds", p ? p->quiesce_max : NAN);
	jw_num(w, "teardown_seconds", p ? p->teardown : NAN);
	jw_num(w, "overhead_seconds", p ? p->overhead : NAN);
	jw_num(w, "per_variant_seconds", p ? p->per_variant : NAN);
	jw_num(w, "expected_seconds", p ? p->total : NAN);
	jw_end(w);
}

static void json_variant(struct jw *w, size_t index, const struct sweep_variant *v)
{
	bool m = measured(v);

	jw_object(w, NULL, false);
	jw_int(w, "index", (int64_t)index);
	jw_str(w, "name", v->name);
	jw_str(w, "status", sweep_status_name(v->status));
	jw_str(w, "reason", v->reason[0] ? v->reason : NULL);
	jw_str(w, "transport", transport_name(v->transport));
	jw_str(w, "preset", v->preset ? v->base : NULL);
	jw_str(w, "option", v->option[0] ? v->option : NULL);
	jw_str(w, "server_close", server_close_name(v->server_close));
	jw_str(w, "sequence", v->sequence);
	if (m) {
		jw_str(w, "verdict", verdict_name(v->verdict));
		jw_bool(w, "fails", v->fails);
		jw_str(w, "why", v->why);
	} else {
		jw_null(w, "verdict");
		jw_bool(w, "fails", false);
		jw_null(w, "why");
	}
	jw_int(w, "cycles", (int64_t)v->cycles);
	jw_int(w, "failed_cycles", (int64_t)v->failed_cycles);
	jw_num(w, "cycles_per_second", m ? v->cycles_per_second : NAN);
	jw_str(w, "metric", m && v->metric[0] ? v->metric : NULL);
	jw_str(w, "unit", m && v->metric[0] ? unit_name(v->unit) : NULL);
	jw_num(w, "peak", m ? v->peak : NAN);
	jw_num(w, "residual_per_cycle", m ? v->residual_per_cycle : NAN);
	jw_num(w, "leaked_sockets_per_cycle", m ? v->leaked_sockets_per_cycle : NAN);
	jw_num(w, "leaked_bytes_per_cycle", m ? v->leaked_bytes_per_cycle : NAN);
	jw_num(w, "churn_seconds", m ? v->churn_seconds : NAN);
	jw_num(w, "quiesce_seconds", m ? v->quiesce_seconds : NAN);
	if (m)
		jw_bool(w, "settled", v->settled);
	else
		jw_null(w, "settled");
	jw_num(w, "elapsed_seconds",
	       v->status == VS_SKIPPED || v->status == VS_NOT_RUN ? NAN : v->elapsed);
	jw_str(w, "html", v->html[0] ? v->html : NULL);
	json_where(w, v);
	jw_end(w);
}

int sweep_json_write(FILE *f, const struct sweep_summary *sum)
{
	const struct sweep *s = sum->s;
	struct jw w;
	size_t i;

	jw_init(&w, f);
	jw_object(&w, NULL, false);
	jw_int(&w, "schema", SWEEP_SCHEMA);
	jw_str(&w, "tool", "sockleak");
	jw_str(&w, "kind", "sweep");
	jw_str(&w, "version", SOCKLEAK_VERSION);
	if (sum->m)
		report_json_machine(&w, sum->m);
	json_plan(&w, sum);
	jw_object(&w, "overall", false);
	if (sum->measured)
		jw_str(&w, "verdict", verdict_name(sum->verdict));
	else
		jw_null(&w, "verdict");
	report_json_verdict_set(&w, "fail_on", sum->fail_on);
	jw_int(&w, "variants", (int64_t)s->n);
	jw_int(&w, "measured", (int64_t)(sweep_count(s, VS_DONE) + sweep_count(s, VS_INTERRUPTED)));
	jw_int(&w, "skipped", (int64_t)sweep_count(s, VS_SKIPPED));
	jw_int(&w, "failed", (int64_t)sweep_count(s, VS_FAILED));
	jw_int(&w, "not_run", (int64_t)sweep_count(s, VS_NOT_RUN));
	jw_int(&w, "failing", (int64_t)sum->failing);
	jw_num(&w, "budget_seconds", sum->budget);
	jw_num(&w, "elapsed_seconds", sum->elapsed);
	if (sum->signal)
		jw_int(&w, "signal", sum->signal);
	else
		jw_null(&w, "signal");
	jw_str(&w, "stopped", sum->stopped[0] ? sum->stopped : NULL);
	jw_int(&w, "exit_code", sum->exit_code);
	jw_end(&w);
	jw_array(&w, "variants", false);
	for (i = 0; i < s->n; i++)
		json_variant(&w, i + 1, &s->v[i]);
	jw_end(&w);
	jw_end(&w);
	fputc('\n', f);
	return w.failed ? -ENOMEM : 0;
}

static int json_write(FILE *f, const void *sum)
{
	return sweep_json_write(f, sum);
}

int sweep_json(const char *path, const struct sweep_summary *sum)
{
	return out_write(path, json_write, sum);
}

/* ---- JUnit ---- */

/* A variant as a test case: its verdict against --fail-on, or why it was not measured. */
static void junit_case_of(const struct sweep_variant *v, struct junit_case *c, char *msg,
			  size_t msize, char *detail, size_t dsize, char *classname, size_t csize)
{
	bool measured = v->status == VS_DONE || v->status == VS_INTERRUPTED;

	snprintf(classname, csize, "sockleak.sweep.%s", transport_name(v->transport));
	detail_of(v, detail, dsize);
	*c = (struct junit_case){ .name = v->name, .classname = classname, .message = msg };
	c->time = measured || v->status == VS_FAILED ? v->elapsed : NAN;
	if (measured) {
		c->status = v->fails ? JUNIT_FAIL : JUNIT_PASS;
		c->type = verdict_name(v->verdict);
		snprintf(msg, msize, "%s: %s%s", verdict_name(v->verdict), v->why,
			 v->status == VS_INTERRUPTED ? " (interrupted)" : "");
		c->detail = detail;
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
	char(*msg)[512] = calloc(s->n + 1, sizeof(*msg));
	char(*detail)[512] = calloc(s->n + 1, sizeof(*detail));
	char(*cls)[64] = calloc(s->n + 1, sizeof(*cls));
	char *table = NULL, fail_on[64] = "";
	size_t len = 0, i, k = 0;
	struct junit_property props[4];
	struct junit_suite suite = { .name = "sockleak sweep", .time = sum->elapsed };
	FILE *f = NULL;
	int v, np = 0, err = -ENOMEM;

	if (!cases || !msg || !detail || !cls || !(f = open_memstream(&table, &len)))
		goto out;
	sweep_table_head(f);
	for (i = 0; i < s->n; i++)
		sweep_table_row(f, i + 1, &s->v[i]);
	sweep_table_end(f, sum);
	fclose(f);
	for (i = 0; i < s->n; i++)
		junit_case_of(&s->v[i], &cases[i], msg[i], sizeof(msg[i]), detail[i],
			      sizeof(detail[i]), cls[i], sizeof(cls[i]));
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
	free(msg);
	free(detail);
	free(cls);
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

static void index_row(FILE *f, size_t index, const struct sweep_variant *v)
{
	char detail[512];
	struct cells c;

	cells_of(v, &c);
	detail_of(v, detail, sizeof(detail));
	fprintf(f, "<tr data-status=\"%s\"><td class=\"num\">%zu</td><td class=\"name\">",
		sweep_status_name(v->status), index);
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
	fputs("<section id=\"variants\"><h2>Variants</h2><table><thead><tr><th class=\"num\">#"
	      "</th><th>variant</th><th class=\"num\">cycles/s</th><th class=\"num\">peak growth"
	      "</th><th class=\"num\">residual/cycle</th><th>verdict</th><th>metric (or why not "
	      "run)</th></tr></thead>\n<tbody>\n",
	      f);
	for (i = 0; i < s->n; i++) {
		index_row(f, i + 1, &s->v[i]);
		reports += s->v[i].html[0] != '\0';
	}
	fputs("</tbody></table>\n<p class=\"note\">Each variant is a run of its own in a network "
	      "namespace of its own. Peak growth and residual per cycle are those of the "
	      "variant's headline metric (the last column): the decisive metric that gave its "
	      "verdict.</p></section>\n",
	      f);
	index_plan(f, sum);
	fprintf(f,
		"</main>\n<footer data-reports=\"%zu\">sockleak %s · sweep schema %d</footer>\n"
		"</body></html>\n",
		reports, SOCKLEAK_VERSION, SWEEP_SCHEMA);
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
