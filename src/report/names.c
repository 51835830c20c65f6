/* Stable enum names for reports and their parsers. */
#include "report/names.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "common.h"

static const char *const verdicts[VERDICT_COUNT] = {
	[VERDICT_CLEAN] = "CLEAN",
	[VERDICT_BOUNDED] = "BOUNDED",
	[VERDICT_INCONCLUSIVE] = "INCONCLUSIVE",
	[VERDICT_BACKLOG] = "BACKLOG",
	[VERDICT_LEAK] = "LEAK",
};

static const char *const kinds[] = {
	[MK_LEVEL] = "level",
	[MK_COUNTER] = "counter",
	[MK_COST] = "cost",
};

static const char *const transports[TR_COUNT] = {
	[TR_TCP] = "tcp",
	[TR_TCP6] = "tcp6",
	[TR_UDP] = "udp",
	[TR_UDP6] = "udp6",
	[TR_UNIX] = "unix",
	[TR_MPTCP] = "mptcp",
	[TR_UNIX_DGRAM] = "unix-dgram",
};

static const char *const server_closes[] = {
	[SC_EOF] = "eof",
	[SC_IMMEDIATE] = "immediate",
	[SC_NEVER_READ] = "never-read",
	[SC_RST] = "rst",
};

static const char *pick(const char *const *tab, size_t n, unsigned i)
{
	return i < n && tab[i] ? tab[i] : "?";
}

static int find(const char *const *tab, size_t n, const char *s, bool nocase, int *out)
{
	size_t i;

	if (!s)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (tab[i] && (nocase ? !strcasecmp(tab[i], s) : !strcmp(tab[i], s))) {
			*out = (int)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *names_verdict(enum verdict v)
{
	return pick(verdicts, ARRAY_SIZE(verdicts), v);
}

const char *names_kind(enum metric_kind k)
{
	return pick(kinds, ARRAY_SIZE(kinds), k);
}

const char *names_transport(enum transport_kind t)
{
	return pick(transports, ARRAY_SIZE(transports), t);
}

const char *names_server_close(enum server_close c)
{
	return pick(server_closes, ARRAY_SIZE(server_closes), c);
}

/* Each parser goes through an int so that no enum is written through a pointer of another type. */
#define PARSER(fn, type, tab, nocase)                                   \
	int fn(const char *s, type *out)                                \
	{                                                               \
		int i, err = find(tab, ARRAY_SIZE(tab), s, nocase, &i); \
		if (!err)                                               \
			*out = (type)i;                                 \
		return err;                                             \
	}

PARSER(names_parse_verdict, enum verdict, verdicts, true)
PARSER(names_parse_kind, enum metric_kind, kinds, false)
PARSER(names_parse_transport, enum transport_kind, transports, false)
PARSER(names_parse_server_close, enum server_close, server_closes, false)

int names_parse_unit(const char *s, enum unit *out)
{
	static const enum unit all[] = { UNIT_COUNT, UNIT_BYTES, UNIT_USEC };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all); i++) {
		if (s && !strcmp(s, unit_name(all[i]))) {
			*out = all[i];
			return 0;
		}
	}
	return -EINVAL;
}

int names_parse_phase(const char *s, enum phase *out)
{
	int i;

	for (i = 0; i < PHASE_COUNT; i++) {
		if (s && !strcmp(s, phase_name((enum phase)i))) {
			*out = (enum phase)i;
			return 0;
		}
	}
	return -EINVAL;
}
