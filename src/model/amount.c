/* The one formatter of amounts: scaled by the unit's steps, in the style a report asks for. */
#include "model/amount.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

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

void amount_scale(double maxabs, enum unit u, double *div, const char **suffix)
{
	const struct step *t = si;
	size_t i, n = NELEM(si);
	double base = 1000;

	if (u == UNIT_BYTES) {
		t = iec;
		n = NELEM(iec);
		base = 1024;
	} else if (u == UNIT_USEC) {
		t = usec;
		n = NELEM(usec);
	}
	maxabs = fabs(maxabs);
	for (i = 0; i + 1 < n && isfinite(maxabs) && maxabs >= t[i].div * base * 0.9995; i++)
		;
	*div = t[i].div;
	*suffix = t[i].suffix;
}

static const char *human(char *buf, size_t size, double v, enum unit u, const char *plus)
{
	const char *suffix;
	double div, x;

	amount_scale(v, u, &div, &suffix);
	x = v / div;
	/* Three significant digits, but never an exponent: 0.00123 rather than 1.23e-03. */
	if (x == 0) {
		snprintf(buf, size, "%s0%s", plus, suffix);
	} else if (div == 1 && x == trunc(x) && fabs(x) < 1e15) {
		snprintf(buf, size, "%s%.0f%s", plus, x, suffix);
	} else {
		char num[64];
		int d = fabs(x) >= 100 ? 0 : 2 - (int)floor(log10(fabs(x)));

		snprintf(num, sizeof(num), "%.*f", d, x);
		/* Rounding may carry into the next decade: 0.9999 -> "1.000" -> "1.00". */
		if (d > 0 && fabs(strtod(num, NULL)) >= pow(10, 3 - d))
			snprintf(num, sizeof(num), "%.*f", d - 1, x);
		snprintf(buf, size, "%s%s%s", plus, num, suffix);
	}
	return buf;
}

/* KiB, MiB, ... by 1024s, one decimal past bytes: "512 B", "12.3 KiB". */
static const char *bytes(char *buf, size_t size, double v, const char *plus)
{
	static const char *const sfx[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double a = fabs(v);
	int i = 0;

	while (a >= 1024 && i < 4) {
		a /= 1024;
		v /= 1024;
		i++;
	}
	snprintf(buf, size, i ? "%s%.1f %s" : "%s%.0f %s", plus, v, sfx[i]);
	return buf;
}

/* Digits of an integral |v| with thousands separated: "32,400". */
static void grouped(char *buf, size_t size, double a, const char *sign)
{
	char digits[32];
	size_t n, i, o, lead;

	n = (size_t)snprintf(digits, sizeof(digits), "%.0f", a);
	lead = n % 3 ? n % 3 : 3;
	o = (size_t)snprintf(buf, size, "%s", sign);
	for (i = 0; i < n && o + 2 < size; i++) {
		if (i >= lead && (i - lead) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	if (o < size)
		buf[o] = '\0';
}

/*
 * A number as prose writes it: never an exponent. Counts from 1000 with thousands separated,
 * at least 10 as integers, smaller fractions with two significant digits ("0.5", "0.00001").
 */
static void prose(char *buf, size_t size, double v, const char *plus)
{
	const char *sign = v < 0 ? "-" : plus;
	double a = fabs(v);
	char num[64];
	int d;
	size_t n;

	if (!isfinite(v)) {
		snprintf(buf, size, "%s%s", plus, isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
		return;
	}
	if (a >= 9.5 || a == round(a)) {
		if (round(a) >= 1000 && round(a) < 1e18)
			grouped(buf, size, round(a), sign);
		else
			snprintf(buf, size, "%s%.0f", sign, a);
		return;
	}
	d = 1 - (int)floor(log10(a));
	snprintf(num, sizeof(num), "%.*f", d, a);
	/* Trailing zeros say nothing: "0.0020" is "0.002". */
	n = strlen(num);
	while (n > 1 && num[n - 1] == '0')
		num[--n] = '\0';
	if (n && num[n - 1] == '.')
		num[--n] = '\0';
	snprintf(buf, size, "%s%s", sign, num);
}

static const char *plain(char *buf, size_t size, double v, enum unit u, const char *plus,
			 bool table)
{
	double a = fabs(v);

	if (u == UNIT_BYTES)
		return bytes(buf, size, v, plus);
	if (!table) {
		prose(buf, size, v, plus);
		return buf;
	}
	if (a >= 1e7)
		snprintf(buf, size, "%s%.3g", plus, v);
	else if (a >= 100 || a == round(a))
		snprintf(buf, size, "%s%.0f", plus, v);
	else
		snprintf(buf, size, "%s%.3g", plus, v);
	return buf;
}

/* "312", "1.5K": binary steps, one letter. */
static const char *shortest(char *buf, size_t size, double v, bool sign)
{
	static const char units[] = " KMGTP";
	const char *s = sign && v > 0 ? "+" : (v < 0 ? "-" : "");
	double a = fabs(v);
	int k = 0;

	while (a >= 1024 && k < 5) {
		a /= 1024;
		k++;
	}
	if (k == 0)
		snprintf(buf, size, "%s%.0f", s, a);
	else
		snprintf(buf, size, "%s%.1f%c", s, a, units[k]);
	return buf;
}

const char *amount(char *buf, size_t size, double v, enum unit u, unsigned style)
{
	bool sign = style & AMT_SIGN;
	const char *plus = sign && v >= 0 ? "+" : "";

	if ((style & AMT_ROUND) && isfinite(v) && v != 0) {
		/* An estimate: three significant digits are all it has ("~32,400 cycles"). */
		double p = pow(10, floor(log10(fabs(v))) - 2);

		v = round(v / p) * p;
	}
	switch (style & ~(AMT_SIGN | AMT_ROUND)) {
	case AMT_HUMAN:
		if (isnan(v))
			break;
		return human(buf, size, v, u, plus);
	case AMT_PLAIN:
		return plain(buf, size, v, u, plus, false);
	case AMT_TABLE:
		if (isnan(v))
			break;
		return plain(buf, size, v, u, plus, true);
	case AMT_SHORT:
		if (isnan(v))
			break;
		return shortest(buf, size, v, sign);
	}
	snprintf(buf, size, (style & ~(AMT_SIGN | AMT_ROUND)) == AMT_HUMAN ? "n/a" : "-");
	return buf;
}
