/* What analysis decided: the names of verdicts and roles (part of the JSON schema), and freeing. */
#include "model/result.h"

#include <stdlib.h>

#include "model/names.h"

static const char *const verdict_names[VERDICT_COUNT] = {
	[VERDICT_CLEAN] = "CLEAN",
	[VERDICT_BOUNDED] = "BOUNDED",
	[VERDICT_INCONCLUSIVE] = "INCONCLUSIVE",
	[VERDICT_BACKLOG] = "BACKLOG",
	[VERDICT_LEAK] = "LEAK",
};

const char *verdict_name(enum verdict v)
{
	return name_at(verdict_names, VERDICT_COUNT, (unsigned)v);
}

int verdict_parse(const char *s, enum verdict *out)
{
	int i = name_index(verdict_names, VERDICT_COUNT, s, true);

	if (i >= 0)
		*out = (enum verdict)i;
	return i < 0 ? i : 0;
}

static const char *const role_names[ROLE_COUNT] = {
	[ROLE_SOCKETS] = "sockets", [ROLE_SLAB] = "slab", [ROLE_MEMCG] = "memcg",
	[ROLE_TW] = "time-wait",    [ROLE_HOST] = "host", [ROLE_COUNTER] = "counter",
};

const char *role_name(enum metric_role r)
{
	return name_at(role_names, ROLE_COUNT, (unsigned)r);
}

const struct metric_result *result_metric(const struct result *r, int col)
{
	size_t i;

	for (i = 0; col >= 0 && i < r->nm; i++)
		if (r->m[i].col == col)
			return &r->m[i];
	return NULL;
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
