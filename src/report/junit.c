/* JUnit XML writer: one <testsuites> with one <testsuite>, its cases, and what they printed. */
#include "report/junit.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "report/out.h"
#include "report/report.h"
#include "report/text.h"
#include "report/wrap.h"

/* Text as XML character data or an attribute value: markup escaped, control characters that
 * XML 1.0 cannot carry dropped (a tab and a newline kept, except in attributes). */
static void xml(FILE *f, const char *s, bool attr)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '&')
			fputs("&amp;", f);
		else if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (c == '"' && attr)
			fputs("&quot;", f);
		else if ((c == '\n' || c == '\t') && attr)
			fprintf(f, "&#%d;", c);
		else if (c >= 0x20 || c == '\n' || c == '\t')
			fputc(c, f);
	}
}

static void attr(FILE *f, const char *name, const char *value)
{
	fprintf(f, " %s=\"", name);
	xml(f, value, true);
	fputc('"', f);
}

static void text_element(FILE *f, const char *indent, const char *tag, const char *text)
{
	if (!text)
		return;
	fprintf(f, "%s<%s>", indent, tag);
	xml(f, text, false);
	fprintf(f, "</%s>\n", tag);
}

static const char *const outcome_tag[] = {
	[JUNIT_FAIL] = "failure",
	[JUNIT_ERROR] = "error",
	[JUNIT_SKIP] = "skipped",
};

static void write_case(FILE *f, const struct junit_case *c)
{
	fputs("    <testcase", f);
	attr(f, "name", c->name);
	attr(f, "classname", c->classname);
	if (!isnan(c->time))
		fprintf(f, " time=\"%.3f\"", c->time < 0 ? 0 : c->time);
	if (c->status == JUNIT_PASS && !c->out) {
		fputs("/>\n", f);
		return;
	}
	fputs(">\n", f);
	if (c->status != JUNIT_PASS) {
		fprintf(f, "      <%s", outcome_tag[c->status]);
		attr(f, "message", c->message ? c->message : "");
		if (c->type && c->status != JUNIT_SKIP)
			attr(f, "type", c->type);
		if (c->detail && c->status != JUNIT_SKIP) {
			fputc('>', f);
			xml(f, c->detail, false);
			fprintf(f, "</%s>\n", outcome_tag[c->status]);
		} else {
			fputs("/>\n", f);
		}
	}
	text_element(f, "      ", "system-out", c->out);
	fputs("    </testcase>\n", f);
}

int junit_write(FILE *f, const struct junit_suite *s)
{
	size_t i, count[4] = { 0 };

	for (i = 0; i < s->n; i++)
		count[s->cases[i].status]++;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", f);
	attr(f, "name", s->name);
	fprintf(f,
		" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
		s->n, count[JUNIT_FAIL], count[JUNIT_ERROR], count[JUNIT_SKIP],
		isnan(s->time) ? 0 : s->time);
	fputs("  <testsuite", f);
	attr(f, "name", s->name);
	fprintf(f, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\"",
		s->n, count[JUNIT_FAIL], count[JUNIT_ERROR], count[JUNIT_SKIP],
		isnan(s->time) ? 0 : s->time);
	if (s->timestamp)
		attr(f, "timestamp", s->timestamp);
	if (s->hostname)
		attr(f, "hostname", s->hostname);
	fputs(">\n", f);
	if (s->n_props) {
		fputs("    <properties>\n", f);
		for (i = 0; i < s->n_props; i++) {
			fputs("      <property", f);
			attr(f, "name", s->props[i].name);
			attr(f, "value", s->props[i].value ? s->props[i].value : "");
			fputs("/>\n", f);
		}
		fputs("    </properties>\n", f);
	}
	for (i = 0; i < s->n; i++)
		write_case(f, &s->cases[i]);
	text_element(f, "    ", "system-out", s->out);
	fputs("  </testsuite>\n</testsuites>\n", f);
	return ferror(f) ? -EIO : 0;
}

static int write_fn(FILE *f, const void *arg)
{
	return junit_write(f, arg);
}

int report_junit(const char *path, const struct junit_suite *s)
{
	return out_write(path, write_fn, s);
}

/* The first line of text, as a string of its own (into buf). */
static const char *first_line(const char *text, char *buf, size_t size)
{
	size_t n = text ? strcspn(text, "\n") : 0;

	snprintf(buf, size, "%.*s", (int)(n < size ? n : size - 1), text ? text : "");
	return buf;
}

int report_junit_run(const char *path, const struct report_in *in, unsigned fail_on, int width)
{
	const struct result *r = in->r;
	const struct series *s = in->s;
	enum verdict overall = in->confirm ? in->confirm->final : r->verdict;
	struct junit_property props[4];
	struct junit_case *cases = calloc(r->nm + 1, sizeof(*cases));
	char *text = NULL, (*msg)[320] = calloc(r->nm + 1, sizeof(*msg)), classname[96];
	size_t len = 0, i, n = 0, np = 0;
	FILE *f = open_memstream(&text, &len);
	struct junit_suite suite = { .name = "sockleak run" };
	int err = -ENOMEM;

	if (!cases || !msg || !f)
		goto out;
	/* The verdict line whole: the report's first line at the widest width. */
	report_text(f, s, r, in->cfg, WRAP_MAX);
	fclose(f);
	f = NULL;
	first_line(text, msg[0], sizeof(msg[0]));
	free(text);
	text = NULL;
	f = open_memstream(&text, &len);
	if (!f)
		goto out;
	report_text_all(f, in, width);
	fclose(f);
	f = NULL;
	snprintf(classname, sizeof(classname), "sockleak.run.%s",
		 in->cfg ? transport_name(in->cfg->transport) : "run");
	cases[n] =
		(struct junit_case){ .name = "verdict",
				     .classname = classname,
				     .time = s->nrows ? s->t[s->nrows - 1] : NAN,
				     .status = fail_on & (1u << overall) ? JUNIT_FAIL : JUNIT_PASS,
				     .type = verdict_name(overall),
				     .message = msg[n],
				     .detail = r->why };
	n++;
	for (i = 0; i < r->nm; i++) {
		const struct metric_result *m = &r->m[i];

		if (!m->decisive)
			continue;
		snprintf(msg[n], sizeof(msg[n]), "%s: %s", verdict_name(m->verdict), m->why);
		cases[n] = (struct junit_case){
			.name = s->cols[m->col].name,
			.classname = classname,
			.time = NAN,
			.status = fail_on & (1u << m->verdict) ? JUNIT_FAIL : JUNIT_PASS,
			.type = verdict_name(m->verdict),
			.message = msg[n],
		};
		n++;
	}
	if (in->cfg) {
		props[np++] = (struct junit_property){ "sequence", in->cfg->sequence };
		props[np++] =
			(struct junit_property){ "transport", transport_name(in->cfg->transport) };
	}
	if (in->m) {
		props[np++] = (struct junit_property){ "kernel", in->m->kernel };
		suite.hostname = in->m->hostname;
		suite.timestamp = in->m->start[0] ? in->m->start : NULL;
	}
	suite.time = cases[0].time;
	suite.props = props;
	suite.n_props = np;
	suite.cases = cases;
	suite.n = n;
	suite.out = text;
	err = report_junit(path, &suite);
out:
	if (f)
		fclose(f);
	free(text);
	free(cases);
	free(msg);
	return err;
}
