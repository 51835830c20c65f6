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

struct step {
	double div;
	const char *suffix;
};

static const struct step iec[] = {
	{ 1, " B" },
	{ 1024.0, " KiB" },
	{ 1048576.0, " MiB" },
	{ 1073741824.0, " GiB" },
	{ 1099511627776.0, " TiB" },
};

static const struct step si[] = {
	{ 1, "" }, { 1e3, " k" }, { 1e6, " M" }, { 1e9, " G" }, { 1e12, " T" },
};

static const struct step usec[] = {
	{ 1, " µs" },
	{ 1e3, " ms" },
	{ 1e6, " s" },
};

void fmt_scale(double maxabs, enum unit u, double *div, const char **suffix)
{
	const struct step *t = si;
	size_t i, n = ARRAY_SIZE(si);
	double base = 1000;

	if (u == UNIT_BYTES) {
		t = iec;
		n = ARRAY_SIZE(iec);
		base = 1024;
	} else if (u == UNIT_USEC) {
		t = usec;
		n = ARRAY_SIZE(usec);
	}
	maxabs = fabs(maxabs);
	for (i = 0; i + 1 < n && isfinite(maxabs) && maxabs >= t[i].div * base * 0.9995; i++)
		;
	*div = t[i].div;
	*suffix = t[i].suffix;
}

const char *fmt_human(char *buf, size_t size, double v, enum unit u)
{
	const char *suffix;
	double div, x;

	if (isnan(v)) {
		snprintf(buf, size, "n/a");
		return buf;
	}
	fmt_scale(v, u, &div, &suffix);
	x = v / div;
	/* Three significant digits, but never an exponent: 0.00123 rather than 1.23e-03. */
	if (x == 0) {
		snprintf(buf, size, "0%s", suffix);
	} else if (div == 1 && x == trunc(x) && fabs(x) < 1e15) {
		snprintf(buf, size, "%.0f%s", x, suffix);
	} else {
		char num[64];
		int d = fabs(x) >= 100 ? 0 : 2 - (int)floor(log10(fabs(x)));

		snprintf(num, sizeof(num), "%.*f", d, x);
		/* Rounding may carry into the next decade: 0.9999 -> "1.000" -> "1.00". */
		if (d > 0 && fabs(strtod(num, NULL)) >= pow(10, 3 - d))
			snprintf(num, sizeof(num), "%.*f", d - 1, x);
		snprintf(buf, size, "%s%s", num, suffix);
	}
	return buf;
}

const char *fmt_count(char *buf, size_t size, double v)
{
	char digits[32];
	size_t n, i, o = 0, lead;

	if (isnan(v) || !(fabs(v) < 1e18) || v != trunc(v)) {
		snprintf(buf, size, isnan(v) ? "n/a" : "%.3g", v);
		return buf;
	}
	n = (size_t)snprintf(digits, sizeof(digits), "%.0f", fabs(v));
	lead = n % 3 ? n % 3 : 3;
	if (v < 0 && o + 1 < size)
		buf[o++] = '-';
	for (i = 0; i < n && o + 2 < size; i++) {
		if (i >= lead && (i - lead) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
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
