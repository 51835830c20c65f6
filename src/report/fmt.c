/* Number and text formatting shared by the reports. */
#include "report/fmt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

const char *fmt_exact(char buf[FMT_NUM_MAX], double v)
{
	int p;

	if (isnan(v))
		return strcpy(buf, "nan");
	if (isinf(v))
		return strcpy(buf, v > 0 ? "inf" : "-inf");
	/* 17 significant digits always read back; fewer usually do and are kinder to read. */
	for (p = 15; p < 17; p++) {
		snprintf(buf, FMT_NUM_MAX, "%.*g", p, v);
		if (strtod(buf, NULL) == v)
			return buf;
	}
	snprintf(buf, FMT_NUM_MAX, "%.17g", v);
	return buf;
}

const char *fmt_count(char *buf, size_t size, double v)
{
	if (isnan(v))
		snprintf(buf, size, "n/a");
	else
		amount(buf, size, v, UNIT_COUNT, AMT_PLAIN);
	return buf;
}

void fmt_html(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

void fmt_csv(FILE *f, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

const char *sweep_fmt_duration(char *buf, size_t size, double seconds)
{
	double s = seconds < 0 ? 0 : seconds;

	if (s < 9.95 && fabs(s - round(s)) > 0.05)
		snprintf(buf, size, "%.1fs", s);
	else if (lround(s) < 60)
		snprintf(buf, size, "%lds", lround(s));
	else if (lround(s) < 3600) {
		long r = lround(s);

		if (r % 60)
			snprintf(buf, size, "%ldm%lds", r / 60, r % 60);
		else
			snprintf(buf, size, "%ldm", r / 60);
	} else {
		long r = lround(s / 60);

		if (r % 60)
			snprintf(buf, size, "%ldh%ldm", r / 60, r % 60);
		else
			snprintf(buf, size, "%ldh", r / 60);
	}
	return buf;
}
