/* sockleak compare: B against A, metric by metric, with a verdict a CI pipeline can gate on. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "analysis/compare.h"
#include "cli/cli.h"
#include "common.h"
#include "escape.h"
#include "report/fmt.h"
#include "report/jw.h"
#include "config.h"
#include "report/out.h"
#include "report/report.h"

/* The comparison's own document: its schema moves on its own, not with the run report's. */
#define COMPARE_SCHEMA 1

struct args {
	const char *json;
	bool all, force;
	double alpha;
};

#define A struct args

static const struct opt compare_opts[] = {
	{ "json", .arg = "OUT", OPT_STR(A, json, OPT_FILE_OUT),
	  .help = "the comparison as JSON (\"-\" for standard output)" },
	{ "all", OPT_ON(A, all),
	  .help = "list every metric compared, not only those that changed" },
	{ "alpha", .arg = "P", OPT_REAL(A, alpha), .max = 1, .flags = OPT_ABOVE,
	  .help = "family-wise significance level (default 0.05)" },
	{ "force", OPT_ON(A, force),
	  .help = "compare runs of different sequences or transports anyway" },
	OPT_HELP_ROW,
	{ 0 },
};

const struct command command_compare = {
	.name = "compare",
	.fn = cmd_compare,
	.summary = "compare two runs: REGRESSION, IMPROVEMENT or SAME",
	.synopsis = "A.json B.json [--json OUT] [--all] [--alpha P] [--force]",
	.operand = OPT_FILE_IN,
	.about =
		"Compares run B against run A (say the old kernel and the new one, or before and\n"
		"after a fix), both JSON reports of 'sockleak run --json FILE'. For every metric\n"
		"judged in both: the change in residual per cycle and in growth per cycle, each\n"
		"tested for significance (z-test with the standard errors both runs carry,\n"
		"Bonferroni-corrected over all tests), and an outcome:\n"
		"  REGRESSION   a metric became BACKLOG or LEAK (or a worse one) with a significant\n"
		"               rise, or stayed a LEAK with a significantly larger residual/cycle\n"
		"  IMPROVEMENT  the reverse\n"
		"  SAME         neither\n",
	.opts = compare_opts,
	.epilogue =
		"Exit codes: 0 SAME or IMPROVEMENT, 1 REGRESSION, 2 usage error, a file that is\n"
		"            not a sockleak JSON report, or runs of different sequences,\n"
		"            3 an output could not be written (before 1: a REGRESSION whose\n"
		"            table or JSON did not arrive is 3).\n",
};

static void run_line(FILE *f, const char *tag, const struct report_run *r)
{
	char a[48];

	fprintf(f, "  %s: %s\n     %s", tag, r->path, verdict_name(r->r.verdict));
	if (r->has_cfg)
		fprintf(f, " · %s over %s", r->cfg.preset ? r->cfg.preset : "custom sequence",
			transport_name(r->cfg.transport));
	fprintf(f, " · %s cycles", fmt_count(a, sizeof(a), (double)r->r.cycles));
	if (r->has_machine)
		fprintf(f, " · Linux %s%s%s%s on %s · %s", r->m.kernel, r->m.vm[0] ? " (VM " : "",
			r->m.vm, r->m.vm[0] ? ")" : "", r->m.hostname, r->m.start);
	fputc('\n', f);
}

/* The headline's "from KERNEL to KERNEL" when the runs were made on different kernels: what a
 * comparison across kernels is for. */
static void kernels(FILE *f, const struct report_run *a, const struct report_run *b)
{
	if (!a->has_machine || !b->has_machine || !strcmp(a->m.kernel, b->m.kernel))
		return;
	fprintf(f, " from Linux %s%s%s%s to Linux %s%s%s%s", a->m.kernel, a->m.vm[0] ? " (VM " : "",
		a->m.vm, a->m.vm[0] ? ")" : "", b->m.kernel, b->m.vm[0] ? " (VM " : "", b->m.vm,
		b->m.vm[0] ? ")" : "");
}

struct diffs {
	char buf[512];
	size_t n;
};

static void SL_PRINTF(3, 4) diff(struct diffs *d, bool differ, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (!differ || d->n + 3 >= sizeof(d->buf))
		return;
	if (d->n) {
		memcpy(d->buf + d->n, "; ", 3);
		d->n += 2;
	}
	va_start(ap, fmt);
	k = vsnprintf(d->buf + d->n, sizeof(d->buf) - d->n, fmt, ap);
	va_end(ap);
	if (k > 0)
		d->n = d->n + (size_t)k < sizeof(d->buf) ? d->n + (size_t)k : sizeof(d->buf) - 1;
}

/* Settings that differ without making the runs incomparable: said, not refused. */
static void differences(FILE *f, const struct report_run *a, const struct report_run *b)
{
	const struct run_config *x = &a->cfg, *y = &b->cfg;
	struct diffs d = { "", 0 };

	if (a->has_cfg && b->has_cfg) {
		diff(&d, x->threads != y->threads, "threads %u vs %u", x->threads, y->threads);
		diff(&d, x->seconds != y->seconds || x->ops != y->ops,
		     "length %gs/%llu ops vs %gs/%llu ops", x->seconds, (unsigned long long)x->ops,
		     y->seconds, (unsigned long long)y->ops);
		diff(&d, x->rate != y->rate, "rate %g vs %g", x->rate, y->rate);
		diff(&d, x->inject_leak != y->inject_leak, "inject-leak %llu vs %llu",
		     (unsigned long long)x->inject_leak, (unsigned long long)y->inject_leak);
		diff(&d, x->server_close != y->server_close, "server-close %s vs %s",
		     server_close_name(x->server_close), server_close_name(y->server_close));
		diff(&d, x->netns != y->netns, "netns %s vs %s", x->netns ? "on" : "off",
		     y->netns ? "on" : "off");
	}
	if (a->has_machine && b->has_machine) {
		diff(&d, strcmp(a->m.kernel, b->m.kernel), "kernel %s vs %s", a->m.kernel,
		     b->m.kernel);
		/* A VM's loop runs slower: rates differ, figures per cycle still compare. */
		diff(&d, strcmp(a->m.vm, b->m.vm), "VM %s vs %s", a->m.vm[0] ? a->m.vm : "none",
		     b->m.vm[0] ? b->m.vm : "none");
	}
	if (d.n)
		fprintf(f, "  differences: %s\n", d.buf);
}

static const char *zstr(char *buf, size_t size, double z)
{
	if (isnan(z))
		snprintf(buf, size, "n/a");
	else if (isinf(z))
		snprintf(buf, size, "%sinf (exact)", z > 0 ? "+" : "-");
	else
		snprintf(buf, size,
			 fabs(z) >= 1e6 ? "%+.1e" :
			 fabs(z) >= 100 ? "%+.0f" :
					  "%+.1f",
			 z);
	return buf;
}

static const char *pair(char *buf, size_t size, double a, double b, enum unit u)
{
	char x[32], y[32];

	snprintf(buf, size, "%s -> %s", amount(x, sizeof(x), a, u, AMT_HUMAN),
		 amount(y, sizeof(y), b, u, AMT_HUMAN));
	return buf;
}

/* Two lines per metric (residual, growth), a third when the outcome needs its reason. */
static void print_table(FILE *f, const struct comparison *c, bool all)
{
	char v[40], r[64], z[32];
	size_t i, shown = 0;

	for (i = 0; i < c->nm; i++) {
		const struct cmp_metric *m = &c->m[i];
		bool both_leak = m->a->verdict == VERDICT_LEAK && m->b->verdict == VERDICT_LEAK;

		if (!all && !m->changed && m->outcome == CMP_SAME)
			continue;
		if (!shown++)
			fprintf(f, "\n%-11s %-28s %-20s %s\n", "outcome", "metric",
				"verdict A -> B", "per cycle, A -> B, z");
		snprintf(v, sizeof(v), "%s -> %s", verdict_name(m->a->verdict),
			 verdict_name(m->b->verdict));
		fprintf(f, "%-11s %-28s %-20s residual %s  z %s\n", cmp_outcome_name(m->outcome),
			m->name, v,
			pair(r, sizeof(r), m->a->residual_per_cycle, m->b->residual_per_cycle,
			     m->unit),
			zstr(z, sizeof(z), m->z_residual));
		fprintf(f, "%-61s growth   %s  z %s\n", "",
			pair(r, sizeof(r), m->a->slope, m->b->slope, m->unit),
			zstr(z, sizeof(z), m->z_slope));
		if ((m->outcome == CMP_SAME && m->changed) || (both_leak && m->outcome != CMP_SAME))
			fprintf(f, "%-12s%s\n", "", m->why);
	}
	fprintf(f, "\n%zu of %zu metrics compared changed", shown, c->nm);
	if (all)
		fprintf(f, " or are listed (--all)");
	fprintf(f, "; %zu judged in A only, %zu in B only.\n", c->n_only_a, c->n_only_b);
}

static void json_run(struct jw *w, const char *key, const struct report_run *r)
{
	jw_object(w, key, false);
	jw_str(w, "path", r->path);
	jw_str(w, "verdict", verdict_name(r->r.verdict));
	jw_str(w, "sequence", r->has_cfg ? r->cfg.sequence : NULL);
	jw_str(w, "preset", r->has_cfg ? r->cfg.preset : NULL);
	jw_str(w, "transport", r->has_cfg ? transport_name(r->cfg.transport) : NULL);
	jw_int(w, "cycles", (int64_t)r->r.cycles);
	jw_num(w, "leaked_sockets_per_cycle", r->r.leaked_sockets_per_cycle);
	jw_str(w, "kernel", r->has_machine ? r->m.kernel : NULL);
	jw_str(w, "vm", r->has_machine && r->m.vm[0] ? r->m.vm : NULL);
	jw_str(w, "start", r->has_machine ? r->m.start : NULL);
	jw_end(w);
}

static int write_json(const char *path, const struct comparison *c, const struct report_run *a,
		      const struct report_run *b, bool forced)
{
	struct out o;
	struct jw w;
	size_t i;
	int err = out_open(&o, path);

	if (err)
		return err;
	jw_init(&w, o.f);
	jw_object(&w, NULL, false);
	jw_int(&w, "schema", COMPARE_SCHEMA);
	jw_str(&w, "tool", "sockleak");
	jw_str(&w, "kind", "compare");
	jw_str(&w, "version", SOCKLEAK_VERSION);
	jw_str(&w, "outcome", cmp_outcome_name(c->outcome));
	json_run(&w, "a", a);
	json_run(&w, "b", b);
	jw_bool(&w, "forced", forced);
	jw_num(&w, "alpha", c->alpha);
	jw_int(&w, "tests", (int64_t)c->tests);
	jw_num(&w, "z_critical", c->z_crit);
	jw_num(&w, "min_change", c->min_change);
	jw_array(&w, "only_a", true);
	for (i = 0; i < c->n_only_a; i++)
		jw_str(&w, NULL, c->only_a[i]);
	jw_end(&w);
	jw_array(&w, "only_b", true);
	for (i = 0; i < c->n_only_b; i++)
		jw_str(&w, NULL, c->only_b[i]);
	jw_end(&w);
	jw_array(&w, "metrics", false);
	for (i = 0; i < c->nm; i++) {
		const struct cmp_metric *m = &c->m[i];

		jw_object(&w, NULL, true);
		jw_str(&w, "metric", m->name);
		jw_str(&w, "unit", unit_name(m->unit));
		jw_str(&w, "outcome", cmp_outcome_name(m->outcome));
		jw_bool(&w, "changed", m->changed);
		jw_str(&w, "verdict_a", verdict_name(m->a->verdict));
		jw_str(&w, "verdict_b", verdict_name(m->b->verdict));
		jw_num(&w, "residual_per_cycle_a", m->a->residual_per_cycle);
		jw_num(&w, "residual_per_cycle_b", m->b->residual_per_cycle);
		jw_num(&w, "residual_change", m->d_residual);
		jw_num(&w, "residual_se", m->se_residual);
		/* An infinite z (exact counts, no noise) is written as null with significant true. */
		jw_num(&w, "residual_z", m->z_residual);
		jw_bool(&w, "residual_significant", m->sig_residual);
		jw_num(&w, "slope_a", m->a->slope);
		jw_num(&w, "slope_b", m->b->slope);
		jw_num(&w, "slope_change", m->d_slope);
		jw_num(&w, "slope_se", m->se_slope);
		jw_num(&w, "slope_z", m->z_slope);
		jw_bool(&w, "slope_significant", m->sig_slope);
		jw_str(&w, "why", m->why);
		jw_end(&w);
	}
	jw_end(&w);
	jw_end(&w);
	return out_close(&o, w.failed ? -ENOMEM : 0);
}

int cmd_compare(int argc, char **argv)
{
	struct args args = { 0 };
	struct compare_params params = { 0 };
	struct report_run a, b;
	struct comparison cmp;
	const char *json;
	FILE *tbl;
	bool all, force;
	char why[512];
	int first, rc = SL_EXIT_USAGE;

	rc = opt_parse(&command_compare, argc, argv, &args, &first);
	if (rc)
		return rc == OPT_EXIT ? SL_EXIT_OK : SL_EXIT_USAGE;
	rc = SL_EXIT_USAGE;
	json = args.json;
	all = args.all;
	force = args.force;
	params.alpha = args.alpha;
	if (argc - first != 2) {
		sl_err("give two JSON reports, A (before) and B (after)");
		opt_print_help(stderr, &command_compare);
		return SL_EXIT_USAGE;
	}
	memset(&b, 0, sizeof(b));
	if (report_json_load(argv[first], &a) || report_json_load(argv[first + 1], &b))
		goto out;
	if (compare_same_sequence(a.has_cfg ? &a.cfg : NULL, b.has_cfg ? &b.cfg : NULL, why,
				  sizeof(why))) {
		if (!force) {
			sl_err("%s; a comparison would not mean much (--force compares "
			       "them anyway)",
			       why);
			goto out;
		}
		sl_err("%s; compared anyway (--force)", why);
	}
	if (compare_runs(&a.s, &a.r, &b.s, &b.r, &params, &cmp)) {
		sl_err("out of memory");
		rc = SL_EXIT_RUNTIME;
		goto out;
	}
	/* With the JSON on stdout, the table goes to stderr so that stdout stays parseable. */
	tbl = esc_stream(json && !strcmp(json, "-") ? stderr : stdout);
	if (!tbl) {
		rc = SL_EXIT_RUNTIME;
		comparison_free(&cmp);
		goto out;
	}
	fprintf(tbl, "sockleak compare: %s", cmp_outcome_name(cmp.outcome));
	kernels(tbl, &a, &b);
	fputc('\n', tbl);
	run_line(tbl, "A", &a);
	run_line(tbl, "B", &b);
	differences(tbl, &a, &b);
	fprintf(tbl,
		"  significance: z-test per difference, Bonferroni over %zu tests: |z| > %.2f "
		"(alpha %g)\n",
		cmp.tests, cmp.z_crit, cmp.alpha);
	print_table(tbl, &cmp, all);
	fclose(tbl); /* the names in it come from the files: escaped on their way out */
	rc = sl_exit_code(0, json && write_json(json, &cmp, &a, &b, force),
			  cmp.outcome == CMP_REGRESSION);
	comparison_free(&cmp);
out:
	report_run_free(&a);
	report_run_free(&b);
	return rc;
}
