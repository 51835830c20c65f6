/* The names of verdicts and metric roles (part of the JSON schema). */
#include "model/result.h"

static const char *const verdict_names[VERDICT_COUNT] = {
	[VERDICT_CLEAN] = "CLEAN",
	[VERDICT_BOUNDED] = "BOUNDED",
	[VERDICT_INCONCLUSIVE] = "INCONCLUSIVE",
	[VERDICT_BACKLOG] = "BACKLOG",
	[VERDICT_LEAK] = "LEAK",
};

const char *verdict_name(enum verdict v)
{
	return (unsigned)v < VERDICT_COUNT ? verdict_names[v] : "?";
}

static const char *const role_names[ROLE_COUNT] = {
	[ROLE_SOCKETS] = "sockets", [ROLE_SLAB] = "slab", [ROLE_MEMCG] = "memcg",
	[ROLE_TW] = "time-wait",    [ROLE_HOST] = "host", [ROLE_COUNTER] = "counter",
};

const char *role_name(enum metric_role r)
{
	return (unsigned)r < ROLE_COUNT ? role_names[r] : "?";
}
