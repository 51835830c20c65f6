/* Stable enum names for reports and their parsers. */
#include "report/names.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "common.h"

#include "cli/engine_opts.h"
#include "engine/transport.h"

/*
 * The names are the ones the rest of sockleak uses (verdict_name, transport_get, server_close_name,
 * phase_name, unit_name); this file adds the metric kinds and the parsers that read them back.
 */

static const char *const kinds[] = {
	[MK_LEVEL] = "level",
	[MK_COUNTER] = "counter",
	[MK_COST] = "cost",
};

const char *names_verdict(enum verdict v)
{
	return verdict_name(v);
}

const char *names_kind(enum metric_kind k)
{
	return (unsigned)k < ARRAY_SIZE(kinds) ? kinds[k] : "?";
}

const char *names_transport(enum transport_kind t)
{
	const struct transport *tr = (unsigned)t < TR_COUNT ? transport_get(t) : NULL;

	return tr ? tr->name : "?";
}

const char *names_server_close(enum server_close c)
{
	return server_close_name(c);
}

/* Finds s among the names of values 0..n-1; through an int, so no enum is written as another. */
static int find(const char *s, int n, const char *(*name)(int), bool nocase, int *out)
{
	int i;

	for (i = 0; s && i < n; i++) {
		if (nocase ? !strcasecmp(name(i), s) : !strcmp(name(i), s)) {
			*out = i;
			return 0;
		}
	}
	return -EINVAL;
}

#define PARSER(fn, type, count, namefn, nocase)                     \
	static const char *fn##_name(int i)                         \
	{                                                           \
		return namefn((type)i);                             \
	}                                                           \
	int fn(const char *s, type *out)                            \
	{                                                           \
		int i, err = find(s, count, fn##_name, nocase, &i); \
		if (!err)                                           \
			*out = (type)i;                             \
		return err;                                         \
	}

PARSER(names_parse_verdict, enum verdict, VERDICT_COUNT, verdict_name, true)
PARSER(names_parse_kind, enum metric_kind, (int)ARRAY_SIZE(kinds), names_kind, false)
PARSER(names_parse_transport, enum transport_kind, TR_COUNT, names_transport, false)
PARSER(names_parse_server_close, enum server_close, SC_RST + 1, server_close_name, false)
PARSER(names_parse_unit, enum unit, UNIT_USEC + 1, unit_name, false)
PARSER(names_parse_phase, enum phase, PHASE_COUNT, phase_name, false)
