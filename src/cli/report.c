/* sockleak report: re-renders a saved run (a JSON report) as text, HTML, CSV or JSON. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common.h"
#include "report/report.h"
#include "report/text.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: sockleak report FILE.json [--text] [--html OUT] [--csv OUT] [--json OUT]\n"
		"\n"
		"Re-renders a saved run: FILE.json is a JSON report written by\n"
		"'sockleak run --json FILE' (\"-\" reads standard input). With no option it\n"
		"prints the text report, as 'sockleak run' did.\n"
		"\n"
		"Options (each OUT may be \"-\" for standard output):\n"
		"  --text       the text report on standard output\n"
		"  --html OUT   the self-contained HTML report: verdict, charts, evidence\n"
		"  --csv OUT    the time series as CSV: t,cycles,phase,<metric>...\n"
		"  --json OUT   the JSON report again (schema 1)\n"
		"  -h, --help   this text\n"
		"\n"
		"Exit codes: 0 written, 2 usage error or FILE is not a sockleak JSON report\n"
		"            (the message says where), 3 an output could not be written.\n");
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "text", no_argument, NULL, 'T' },	 { "html", required_argument, NULL, 'H' },
		{ "csv", required_argument, NULL, 'C' }, { "json", required_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },	 { NULL, 0, NULL, 0 },
	};
	const char *html = NULL, *csv = NULL, *json = NULL;
	bool text = false;
	struct report_run run;
	struct report_in in;
	int c, err = 0, n_stdout;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'T':
			text = true;
			break;
		case 'H':
			html = optarg;
			break;
		case 'C':
			csv = optarg;
			break;
		case 'J':
			json = optarg;
			break;
		case 'h':
			usage(stdout);
			return SL_EXIT_OK;
		default:
			sl_err("run 'sockleak report --help' for the options");
			return SL_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		sl_err(optind == argc ? "report: name the JSON report to render" :
					"report: one JSON report at a time");
		usage(stderr);
		return SL_EXIT_USAGE;
	}
	if (!html && !csv && !json)
		text = true;
	n_stdout = text + (html && !strcmp(html, "-")) + (csv && !strcmp(csv, "-")) +
		   (json && !strcmp(json, "-"));
	if (n_stdout > 1) {
		sl_err("report: only one output can go to standard output (\"-\")");
		return SL_EXIT_USAGE;
	}
	if (report_json_load(argv[optind], &run)) {
		report_run_free(&run);
		return SL_EXIT_USAGE;
	}
	in = report_run_in(&run);
	if (text && report_text(stdout, &run.s, &run.r, run.has_cfg ? &run.cfg : NULL))
		err = -EIO;
	if (text && !err && run.has_confirm &&
	    (fputc('\n', stdout) == EOF || report_text_confirm(stdout, &run.s, &run.confirm)))
		err = -EIO;
	if (!err && html)
		err = report_html(html, &in);
	if (!err && csv)
		err = report_csv(csv, &run.s);
	if (!err && json)
		err = report_json(json, &in);
	report_run_free(&run);
	return err ? SL_EXIT_RUNTIME : SL_EXIT_OK;
}
