/* The Windows probes' registry; Windows has no network namespace for a probe to enter. */
#include <errno.h>

#include "probe/probe.h"
#include "probe/win/probes.h"

const struct probe_ops *const probe_registry[PROBE_COUNT] = {
	[PROBE_PERF] = &perf_probe,
	[PROBE_POOLTAG] = &pooltag_probe,
	[PROBE_TCPTABLE] = &tcptable_probe,
	[PROBE_WINPROC] = &winproc_probe,
};

/* No slab caches on Windows: pool tags are the pool-tag table there. */
const char *const slab_socket_caches[] = { NULL };
const size_t slab_socket_ncaches = 0;

int probe_netns_enter(int fd, int *home)
{
	*home = -1;
	return fd < 0 ? 0 : -EOPNOTSUPP;
}

void probe_netns_leave(int home)
{
	(void)home;
}
