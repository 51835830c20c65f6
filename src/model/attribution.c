/* struct attribution: names of its enums (part of the JSON schema), allocation and release. */
#include "model/attribution.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const alloc_names[ALLOC_COUNT] = {
	[ALLOC_SLAB] = "slab",
	[ALLOC_PAGE] = "page",
	[ALLOC_PERCPU] = "percpu",
	[ALLOC_SKMEM] = "skmem",
};

const char *attr_alloc_name(enum attr_alloc a)
{
	return (unsigned)a < ALLOC_COUNT ? alloc_names[a] : "?";
}

static const char *const reason_names[AR_COUNT] = {
	[AR_NONE] = "none",
	[AR_LEAK] = "leak",
	[AR_BACKLOG] = "backlog",
	[AR_IN_FLIGHT] = "in-flight",
	[AR_UNEVEN] = "uneven",
	[AR_TIME_WAIT] = "time-wait",
	[AR_SLAB_OWN] = "slab-own",
	[AR_SMALL] = "small",
	[AR_MISSED_FREES] = "missed-frees",
	[AR_NO_STACK] = "no-stack",
	[AR_UNWALKED] = "unwalked",
};

const char *attr_reason_name(enum attr_reason r)
{
	return (unsigned)r < AR_COUNT ? reason_names[r] : "?";
}

static void stack_free(struct attr_stack *st)
{
	size_t i;

	for (i = 0; i < st->nframes; i++)
		free(st->frames[i]);
	free(st->frames);
	free(st->cache_note);
	free(st->objs);
	free(st->bytes);
	free(st->age_sum);
	free(st->age_sq);
	free(st->pm);
}

void attribution_free(struct attribution *a)
{
	size_t i;

	for (i = 0; i < a->nstacks; i++)
		stack_free(&a->stacks[i]);
	for (i = 0; i < a->nfigures; i++) {
		free(a->figures[i].stacks);
		free(a->figures[i].share);
	}
	free(a->stacks);
	free(a->figures);
	free(a->sources);
	free(a->snaps);
	free(a->caches);
	memset(a, 0, sizeof(*a));
}

int attribution_add_stack(struct attribution *a, struct attr_stack **out)
{
	struct attr_stack *q = realloc(a->stacks, (a->nstacks + 1) * sizeof(*q));

	if (!q)
		return -ENOMEM;
	a->stacks = q;
	*out = &q[a->nstacks++];
	memset(*out, 0, sizeof(**out));
	return 0;
}

int attr_stack_add_frame(struct attr_stack *st, const char *frame)
{
	char **q = realloc(st->frames, (st->nframes + 1) * sizeof(*q));

	if (!q)
		return -ENOMEM;
	st->frames = q;
	q[st->nframes] = strdup(frame);
	if (!q[st->nframes])
		return -ENOMEM;
	st->nframes++;
	return 0;
}
