/* The kernel's last batch of dismantled namespaces, freed before a run measures and when it stops. */
#include "run/nsbatch.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "engine/netns.h"
#include "probe/parse.h"
#include "run/stop.h"

#define SLABINFO_MAX (1u << 20)

struct pick {
	long objs;
};

static int pick_netns(void *arg, const struct slab_line *l)
{
	struct pick *p = arg;

	if (!strcmp(l->name, "net_namespace"))
		p->objs = (long)l->active_objs;
	return 0;
}

/* Active net_namespace objects, or -1 when /proc/slabinfo cannot tell (unreadable, merged). */
static long netns_objs(char *buf)
{
	struct pick p = { -1 };

	if (sl_read_file("/proc/slabinfo", buf, SLABINFO_MAX) <= 0 ||
	    slabinfo_parse(buf, pick_netns, &p))
		return -1;
	return p.objs;
}

long nsbatch_flush(double wait)
{
	const double tick = 0.02;
	unsigned since = stop_count();
	char *buf = wait > 0 ? malloc(SLABINFO_MAX) : NULL;
	long before = buf ? netns_objs(buf) : -1, now = before, last = before;
	double t0 = sl_now(), still = t0;
	int err = netns_flush();

	if (err || before < 0) {
		free(buf);
		return err;
	}
	/*
	 * The flush's own namespace stays counted (it is freed with the batch after it): with
	 * nothing pending the count shows one more, and the wait runs out.
	 */
	while (sl_now() - t0 < wait) {
		/* A signal ends the wait at once: the run's own clean-up must not wait on it. */
		if (!stop_nap(tick, since)) {
			free(buf);
			return -EINTR;
		}
		now = netns_objs(buf);
		if (now < 0)
			break;
		if (now != last)
			still = sl_now();
		last = now;
		if (now < before && sl_now() - still >= 0.1)
			break;
	}
	free(buf);
	return now >= 0 && now < before ? before - now : 0;
}
