/* sockleak report: re-renders a saved run (a JSON report) as text, HTML, CSV or JSON. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common.h"
#include "report/junit.h"
#include "report/report.h"
#include "report/attribution.h"
#include "report/text.h"
#include "report/wrap.h"

struct args {
	bool text, full_series;
	const char *html, *csv, *json, *junit;
	int width;
};

#define A struct args

static const struct opt report_opts[] = {
	{ "text", OPT_ON(A, text), .help = "the text report on standard output" },
	{ "width", .arg = "N", OPT_SINT(A, width), .min = WRAP_MIN, .max = WRAP_MAX,
	  .help = "wrap the text report at N columns (default: COLUMNS, else the terminal's "
		  "width, else the width the run printed at); the same width gives the same "
		  "text" },
	{ "html", .arg = "OUT", OPT_STR(A, html, OPT_FILE_OUT),
	  .help = "the self-contained HTML report: verdict, charts, evidence" },
	{ "csv", .arg = "OUT", OPT_STR(A, csv, OPT_FILE_OUT),
	  .help = "the time series as CSV: t,cycles,phase,<metric>... (every column: a "
		  "constant one's value in each row, as the run wrote it)" },
	{ "json", .arg = "OUT", OPT_STR(A, json, OPT_FILE_OUT),
	  .help = "the JSON report again (schema 3; a column that never moved, every sample the "
		  "same number, is written as that one \"value\", as the run wrote it)" },
	{ "full-series", OPT_ON(A, full_series),
	  .help = "with --json: every column's \"values\", the constant ones' too" },
	{ "junit", .arg = "OUT", OPT_STR(A, junit, OPT_FILE_OUT),
	  .help = "the JUnit XML report 'run --junit' writes, failing at or above the run's "
		  "--fail-on" },
	OPT_HELP_ROW,
	{ 0 },
};

const struct command command_report = {
	.name = "report",
	.fn = cmd_report,
	.summary = "re-render a saved run (JSON) as HTML, CSV or JSON",
	.synopsis = "FILE.json [--text] [--html OUT] [--csv OUT] [--json OUT]",
	.operand = OPT_FILE_IN,
	.about =
		"Re-renders a saved run: FILE.json is a JSON report written by\n"
		"'sockleak run --json FILE' (\"-\" reads standard input). With no option it\n"
		"prints the text report, as 'sockleak run' did. Each OUT may be \"-\" for standard\n"
		"output.\n",
	.opts = report_opts,
	.epilogue = "Exit codes: 0 written, 2 usage error or FILE is not a sockleak JSON report\n"
		    "            (the message says where), 3 an output could not be written.\n",
};

int cmd_report(int argc, char **argv)
{
	struct args a = { 0 };
	const char *html, *csv, *json;
	bool text;
	struct report_run run;
	struct report_in in;
	int first, err = 0, n_stdout;

	err = opt_parse(&command_report, argc, argv, &a, &first);
	if (err)
		return err == OPT_EXIT ? SL_EXIT_OK : SL_EXIT_USAGE;
	html = a.html;
	csv = a.csv;
	json = a.json;
	text = a.text;
	if (first != argc - 1) {
		sl_err(first == argc ?
			       "name the JSON report to render: sockleak report FILE.json" :
			       "one JSON report at a time (to merge several: sockleak merge)");
		return SL_EXIT_USAGE;
	}
	if (a.full_series && !json) {
		sl_err("--full-series shapes the JSON report: give --json FILE too");
		return SL_EXIT_USAGE;
	}
	if (!html && !csv && !json && !a.junit)
		text = true;
	n_stdout = text + (html && !strcmp(html, "-")) + (csv && !strcmp(csv, "-")) +
		   (json && !strcmp(json, "-")) + (a.junit && !strcmp(a.junit, "-"));
	if (n_stdout > 1) {
		sl_err("only one output can go to standard output (\"-\")");
		return SL_EXIT_USAGE;
	}
	if (report_json_load(argv[first], &run)) {
		report_run_free(&run);
		return SL_EXIT_USAGE;
	}
	in = report_run_in(&run);
	in.full_series = a.full_series;
	/* Not told, and no terminal: the width the run printed at, so the text is the same. */
	if (!a.width)
		a.width = wrap_width_or(stdout, run.has_facts ? run.facts.text_width : 0);
	if (text && report_text_all(stdout, &in, a.width))
		err = -EIO;
	if (!err && html)
		err = report_html(html, &in);
	if (!err && csv)
		err = report_csv(csv, &run.s);
	if (!err && json)
		err = report_json(json, &in);
	if (!err && a.junit)
		err = report_junit_run(a.junit, &in,
				       run.has_cfg ? run.cfg.fail_on : FAIL_ON_DEFAULT, a.width);
	report_run_free(&run);
	return err ? SL_EXIT_RUNTIME : SL_EXIT_OK;
}
