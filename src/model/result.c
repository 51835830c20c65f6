/* What analysis decided: the names of verdicts and roles (part of the JSON schema), and freeing. */
#include "model/result.h"

#include <errno.h>
#include <stdlib.h>
#include <strings.h>

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

int verdict_parse(const char *s, enum verdict *out)
{
	int i;

	for (i = 0; s && i < VERDICT_COUNT; i++)
		if (!strcasecmp(verdict_names[i], s)) {
			*out = (enum verdict)i;
			return 0;
		}
	return -EINVAL;
}

static const char *const role_names[ROLE_COUNT] = {
	[ROLE_SOCKETS] = "sockets", [ROLE_SLAB] = "slab", [ROLE_MEMCG] = "memcg",
	[ROLE_TW] = "time-wait",    [ROLE_HOST] = "host", [ROLE_COUNTER] = "counter",
};

const char *role_name(enum metric_role r)
{
	return (unsigned)r < ROLE_COUNT ? role_names[r] : "?";
}

void result_free(struct result *r)
{
	free(r->m);
	free(r->pools);
	r->m = NULL;
	r->pools = NULL;
	r->nm = r->npools = 0;
}

void confirm_free(struct confirm_result *c)
{
	free(c->m);
	c->m = NULL;
	c->nm = 0;
}
