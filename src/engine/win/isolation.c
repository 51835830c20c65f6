/* Windows has no network namespaces and no memory cgroups: the isolation calls say so. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "run/cgroup.h"
#include "engine/netns.h"
#include "run/listen.h"
#include "run/nsbatch.h"

int cgroup_enter(struct sl_cgroup *cg)
{
	memset(cg, 0, sizeof(*cg));
	snprintf(cg->why, sizeof(cg->why), "memory cgroups are Linux-only");
	return -EOPNOTSUPP;
}

int cgroup_of(pid_t pid, char *dir, size_t n, int *version)
{
	(void)pid;
	if (n)
		dir[0] = '\0';
	*version = 0;
	return -ENOENT;
}

int cgroup_leave(struct sl_cgroup *cg)
{
	(void)cg;
	return 0;
}

int netns_listen_counters(int fd, uint64_t *overflows, uint64_t *drops)
{
	(void)fd;
	*overflows = *drops = 0;
	return -EOPNOTSUPP; /* no ListenOverflows counter on Windows: the churn report leaves it out */
}

long nsbatch_flush(double wait)
{
	(void)wait;
	return -EOPNOTSUPP; /* no namespaces: nothing of theirs to free */
}
