/* A run's report rendered into memory, for tests that compare reports (include after cmocka.h). */
#ifndef SOCKLEAK_TEST_RENDER_H
#define SOCKLEAK_TEST_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "report/report.h"
#include "report/text.h"

/*
 * The text report at width 100 (html false) or the HTML page; the caller frees it. Not inlined:
 * gcc would take the buffer open_memstream fills for one of the caller's locals.
 */
__attribute__((noinline, unused)) static char *render(const struct report_in *in, bool html)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(html ? report_html_write(f, in) : report_text_all(f, in, 100), 0);
	fclose(f);
	return buf;
}

#endif
