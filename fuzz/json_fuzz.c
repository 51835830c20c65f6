/*
 * libFuzzer target for the JSON report loader: any bytes, never a crash or undefined behaviour, in
 * the loader or in the renderers that draw what it accepted (text, HTML, CSV, JSON again).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "report/report.h"
#include "report/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct report_run run;
	struct report_in in;
	FILE *f;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	f = fmemopen((void *)data, size ? size : 1, "r");
	if (!f)
		return 0;
	if (!size)
		fgetc(f); /* an empty input: at its end at once */
	if (report_json_load_from(f, "fuzz.json", &run) == 0) {
		in = report_run_in(&run);
		report_text_all(devnull, &in, 100);
		report_html_write(devnull, &in);
		report_csv_write(devnull, &run.s);
		report_json_write(devnull, &in);
	}
	report_run_free(&run);
	fclose(f);
	return 0;
}
