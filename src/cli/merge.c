/* sockleak merge: sweep reports of one matrix (shards, or sweeps on other kernels) made one. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/measure_opts.h"
#include "common.h"
#include "report/out.h"
#include "report/report.h"
#include "report/sweep_merge.h"
#include "report/sweep_report.h"

struct args {
	const char *json, *html, *junit, *json_dir;
	unsigned fail_on;
	bool force;
};

#define A struct args

static const struct opt merge_opts[] = {
	{ "json", .arg = "OUT", OPT_STR(A, json, OPT_FILE_OUT), .group = G_VERDICT,
	  .help = "the merged sweep's JSON report, as 'sweep --json' writes it (\"-\": stdout, the "
		  "table then goes to stderr)" },
	{ "html", .arg = "DIR", OPT_STR(A, html, OPT_DIR_OUT), .group = G_VERDICT,
	  .help = "DIR/index.html, the merged table, and each variant's HTML report rendered from "
		  "its run report (see --json-dir) and linked from it" },
	{ "junit", .arg = "OUT", OPT_STR(A, junit, OPT_FILE_OUT), .group = G_VERDICT,
	  .help = "a JUnit XML report for CI: one test case per variant, failing at or above "
		  "--fail-on" },
	{ "json-dir", .arg = "DIR", OPT_STR(A, json_dir, OPT_PATH), .group = G_VERDICT,
	  .help = "where the variants' run reports are (what each sweep wrote with --json-dir, "
		  "gathered in one directory; their names carry the variant's number); default: "
		  "the directory each report names" },
	{ "fail-on", .arg = "VERDICT", .kind = OPT_CHOICE, .parse = measure_parse_fail_on,
	  .off = OPT_AT(A, fail_on, unsigned), .choices = "leak backlog inconclusive bounded",
	  .group = G_VERDICT,
	  .help = "exit 1 when any variant is VERDICT or worse: leak, backlog, inconclusive or "
		  "bounded (default: the reports' own --fail-on, which must then agree)" },
	{ "force", OPT_ON(A, force), .group = G_VERDICT,
	  .help = "merge reports of different matrices (joined by variant name), sockleak "
		  "versions or kernels all the same, each said on stderr; a variant measured "
		  "twice is then taken from the later report" },
	OPT_HELP_ROW,
	{ 0 },
};

const struct command command_merge = {
	.name = "merge",
	.fn = cmd_merge,
	.summary = "join the reports of a sweep's shards (or of sweeps on other kernels) into one",
	.synopsis = "A.json B.json ... [--json OUT] [--html DIR] [--junit OUT] [--force]",
	.operand = OPT_FILE_IN,
	.about =
		"Joins the JSON reports of sweeps of one matrix into one sweep report: the shards of\n"
		"a sweep run on many CI runners ('sockleak sweep --shard I/N --json FILE' on each),\n"
		"or a sweep run again for some of its variants. The variants keep their numbers in\n"
		"the matrix; the table, the overall verdict and the reports are those of one sweep\n"
		"that ran them all. Variants no report holds are listed as missing.\n"
		"Refused, with the reason: reports of different matrices (variants or the settings\n"
		"they share), of different sockleak versions, and of different kernels unless the\n"
		"kernel is an axis of the matrix (sweep --kernels); --force merges them all the same.\n"
		"A variant measured in two reports is refused too; one measured in one report and\n"
		"not run in another is taken where it was measured.\n",
	.opts = merge_opts,
	.epilogue =
		"Exit codes: 0 every variant below --fail-on, 1 any at or above it, 2 usage error or\n"
		"a report that cannot be merged (the message says why), 3 the merged sweep is\n"
		"incomplete (variants missing, or a report of a sweep that ended in an error or a\n"
		"signal), or an output could not be written; when both apply, 3, then 1.\n",
};

/* Where a variant's run report is: the directory given, else the one its report named. */
static bool run_report_of(const struct args *a, const struct sweep_doc *d,
			  const struct sweep_variant *v, char *path, size_t size)
{
	const char *dir = a->json_dir ? a->json_dir : d->json_dir;

	if (!v->json[0] || !dir)
		return false;
	snprintf(path, size, "%s/%s", dir, v->json);
	return !access(path, R_OK);
}

/* "NN-name.json" -> "NN-name.html" */
static void html_name(const char *json, char *buf, size_t size)
{
	size_t n = strlen(json);

	if (n > 5 && !strcmp(json + n - 5, ".json"))
		n -= 5;
	snprintf(buf, size, "%.*s.html", (int)n, json);
}

/* Each variant's HTML report from its run report, into DIR; those without one are not linked. */
static int render_variants(const struct args *a, struct sweep_doc *docs, struct sweep_merged *m)
{
	char in[4096], out[4096];
	size_t i, none = 0;
	int err = 0;

	for (i = 0; i < m->s.n; i++) {
		struct sweep_variant *v = &m->s.v[i];
		struct report_run run;
		struct report_in rin;

		v->html[0] = '\0';
		if (v->status != VS_DONE && v->status != VS_INTERRUPTED)
			continue;
		if (!run_report_of(a, &docs[m->from[i]], v, in, sizeof(in))) {
			none++;
			continue;
		}
		if (report_json_load(in, &run)) {
			report_run_free(&run);
			err = -EINVAL;
			continue;
		}
		html_name(v->json, v->html, sizeof(v->html));
		snprintf(out, sizeof(out), "%s/%s", a->html, v->html);
		rin = report_run_in(&run);
		if (report_html(out, &rin)) {
			v->html[0] = '\0';
			err = -EIO;
		}
		report_run_free(&run);
	}
	if (none)
		sl_err("note: %zu measured variant%s without a run report (sweep --json-dir, "
		       "merge --json-dir): not linked from %s/index.html",
		       none, none == 1 ? "" : "s", a->html);
	return err;
}

static int write_outputs(const struct args *a, struct sweep_doc *docs, struct sweep_merged *m)
{
	char path[4096];
	int err = 0;

	if (a->html) {
		if (out_make_dir("--html", a->html))
			return -EIO;
		if (render_variants(a, docs, m))
			err = -EIO;
		snprintf(path, sizeof(path), "%s/index.html", a->html);
		if (sweep_index_html(path, &m->sum))
			err = -EIO;
	}
	if (a->json && sweep_json(a->json, &m->sum))
		err = -EIO;
	if (a->junit && sweep_junit(a->junit, &m->sum))
		err = -EIO;
	return err;
}

int cmd_merge(int argc, char **argv)
{
	struct merge_opts mo = { 0 };
	struct sweep_merged m = { 0 };
	struct sweep_doc *docs = NULL;
	struct args a = { 0 };
	size_t n = 0, i, missing;
	char why[2048];
	int first, rc = SL_EXIT_USAGE, r;
	FILE *out;

	r = opt_parse(&command_merge, argc, argv, &a, &first);
	if (r)
		return r == OPT_EXIT ? SL_EXIT_OK : SL_EXIT_USAGE;
	if (first >= argc) {
		sl_err("give the JSON reports of the sweeps to merge (sweep --json FILE)");
		return SL_EXIT_USAGE;
	}
	docs = calloc((size_t)(argc - first), sizeof(*docs));
	if (!docs)
		return SL_EXIT_RUNTIME;
	for (i = (size_t)first; i < (size_t)argc; i++) {
		r = sweep_report_load(argv[i], &docs[n++]);
		if (r) {
			rc = r == -ENOMEM ? SL_EXIT_RUNTIME : SL_EXIT_USAGE;
			goto out;
		}
	}
	mo.force = a.force;
	mo.fail_on = a.fail_on;
	r = sweep_merge(docs, n, &mo, &m, why, sizeof(why));
	if (r) {
		sl_err("%s", why);
		rc = r == -ENOMEM ? SL_EXIT_RUNTIME : SL_EXIT_USAGE;
		goto out;
	}
	out = a.json && !strcmp(a.json, "-") ? stderr : stdout;
	rc = m.sum.exit_code;
	sweep_table(out, &m.sum);
	if (write_outputs(&a, docs, &m))
		rc = SL_EXIT_RUNTIME;
	missing = sweep_missing(&m.s, NULL, 0);
	if (missing)
		sl_err("the merged sweep is incomplete: %zu of the matrix's %zu variants missing "
		       "(listed above); merge every shard's report",
		       missing, m.s.matrix.size);
	else if (m.sum.exit_code == SL_EXIT_RUNTIME)
		sl_err("the merged sweep is incomplete: a report's sweep ended early (above)");
	if (rc == SL_EXIT_RUNTIME && m.sum.exit_code != SL_EXIT_RUNTIME)
		sl_err("an output could not be written (above): exit %d", rc);
out:
	sweep_merged_free(&m);
	for (i = 0; i < n; i++)
		sweep_doc_free(&docs[i]);
	free(docs);
	return rc;
}
