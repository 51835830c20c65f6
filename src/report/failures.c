/* Cycles that failed, said the same way in the text report's headline, its errors section and the
 * HTML page, from the engine summary a report holds. */
#include "report/failures.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "common.h"
#include "escape.h"
#include "report/fmt.h"

int failures_exit(double cycles, double failed, bool allowed, const char *see)
{
	if (allowed || !failures_most(cycles, failed))
		return 0;
	sl_err("%.0f%% of the cycles failed (%s): the run measured the failures, not the sequence; "
	       "--allow-failures if that is intended",
	       100.0 * failed / (cycles + failed), see);
	return SL_EXIT_RUNTIME;
}

static double num(const json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "?";
}

/* The index of the largest error not yet told (told: a bitmap over the first 64), or -1. */
static int largest(const json_t *errs, uint64_t told)
{
	double best = 0;
	int at = -1;
	size_t i;

	for (i = 0; i < json_array_size(errs) && i < 64; i++) {
		double c = num(json_array_get(errs, i), "count");

		if (!(told & (1ull << i)) && c > best) {
			best = c;
			at = (int)i;
		}
	}
	return at;
}

void failures_line(const json_t *engine, char *buf, size_t size)
{
	const json_t *errs = json_object_get(engine, "errors");
	double cycles = num(engine, "cycles"), failed = num(engine, "failed_cycles");
	char a[48], b[48];
	uint64_t told = 0;
	size_t n, shown;
	int i;

	buf[0] = '\0';
	if (!engine || failed <= 0)
		return;
	n = (size_t)snprintf(
		buf, size, "%s of %s cycles failed (%.0f%%)", fmt_count(a, sizeof(a), failed),
		fmt_count(b, sizeof(b), cycles + failed), 100 * failed / (cycles + failed));
	for (shown = 0; shown < 3 && n < size && (i = largest(errs, told)) >= 0; shown++) {
		const json_t *e = json_array_get(errs, (size_t)i);

		told |= 1ull << i;
		n += (size_t)snprintf(buf + n, size - n, "%s%s %s %s", shown ? ", " : ": ",
				      str(e, "op"), str(e, "name"),
				      fmt_count(a, sizeof(a), num(e, "count")));
	}
	if (n < size && json_array_size(errs) > shown)
		snprintf(buf + n, size - n, " (+%zu more below)", json_array_size(errs) - shown);
}

void capped_line(const json_t *engine, char *buf, size_t size)
{
	double open = num(engine, "left_open"), at = num(engine, "capped_at_cycle");
	char a[48], b[48], c[48], d[48], e[48];

	buf[0] = '\0';
	if (!engine || !json_is_true(json_object_get(engine, "leak_capped")) || open <= 0)
		return;
	snprintf(
		buf, size,
		"%s sockets left open in the first %s cycles (%.3g per cycle) filled the fd store "
		"(%s sockets: what the fd limit leaves free); sockleak closed the %s after that itself, "
		"so every figure per cycle of what was kept is over those first %s cycles, not all %s",
		fmt_count(a, sizeof(a), open), fmt_count(b, sizeof(b), at),
		at > 0 ? open / at : 0.0, fmt_count(c, sizeof(c), num(engine, "park_cap")),
		fmt_count(d, sizeof(d), num(engine, "closed_over_cap")), b,
		fmt_count(e, sizeof(e), num(engine, "cycles")));
}

static int text_failures(FILE *f, const json_t *engine)
{
	char line[512], c[48];

	capped_line(engine, line, sizeof(line));
	if (line[0])
		fprintf(f, "LEAK CAPPED: %s.\n", line);

	failures_line(engine, line, sizeof(line));
	if (line[0])
		fprintf(f, "FAILED CYCLES: %s; the verdict covers the %s that completed.\n", line,
			fmt_count(c, sizeof(c), num(engine, "cycles")));
	return ferror(f) ? -EIO : 0;
}

static int text_errors(FILE *f, const json_t *engine)
{
	const json_t *errs = json_object_get(engine, "errors"), *e;
	char a[48], b[48];
	size_t i;

	if (!json_array_size(errs))
		return 0;
	fprintf(f, "\nFailed ops (the engine's errors by op and errno)\n");
	fprintf(f, "  %-4s %-16s %-16s %12s\n", "op", "call", "error", "count");
	json_array_foreach(errs, i, e) {
		fprintf(f, "  %-4.0f %-16s %-16s %12s\n", num(e, "op_index") + 1, str(e, "op"),
			str(e, "name"), fmt_count(a, sizeof(a), num(e, "count")));
	}
	fprintf(f, "  failed cycles: %s of %s\n",
		fmt_count(a, sizeof(a), num(engine, "failed_cycles")),
		fmt_count(b, sizeof(b), num(engine, "cycles") + num(engine, "failed_cycles")));
	return ferror(f) ? -EIO : 0;
}

/* Op and errno names come from saved files: they reach the stream through esc_stream. */
static int escaped(FILE *f, const json_t *engine, int (*fn)(FILE *, const json_t *))
{
	FILE *e = esc_stream(f);
	int err;

	if (!e)
		return -ENOMEM;
	err = fn(e, engine);
	if (fclose(e) && !err)
		err = -EIO;
	return err || ferror(f) ? -EIO : 0;
}

int report_text_failures(FILE *f, const json_t *engine)
{
	return escaped(f, engine, text_failures);
}

int report_text_errors(FILE *f, const json_t *engine)
{
	return escaped(f, engine, text_errors);
}
