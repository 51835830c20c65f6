/* The memory guard: stop a run before it exhausts the host's memory. */
#include "engine/guard.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

int guard_meminfo_value(const char *text, const char *key, uint64_t *bytes)
{
	size_t n = strlen(key);
	const char *l = text;
	unsigned long long kb;

	while (l && *l) {
		if (!strncmp(l, key, n) && l[n] == ':' && sscanf(l + n + 1, "%llu", &kb) == 1) {
			*bytes = (uint64_t)kb * 1024;
			return 0;
		}
		l = strchr(l, '\n');
		l = l ? l + 1 : NULL;
	}
	return -ENOENT;
}

#ifdef _WIN32
/* Windows: physical memory total and available, the figures MemTotal and MemAvailable stand for. */
static int read_meminfo(const struct guard *g, uint64_t *total, uint64_t *avail)
{
	MEMORYSTATUSEX ms = { .dwLength = sizeof(ms) };

	(void)g;
	if (!GlobalMemoryStatusEx(&ms))
		return -EIO;
	if (total)
		*total = ms.ullTotalPhys;
	*avail = ms.ullAvailPhys;
	return 0;
}
#else
static int read_meminfo(const struct guard *g, uint64_t *total, uint64_t *avail)
{
	char buf[8192];
	long n = sl_read_file(g->path ? g->path : "/proc/meminfo", buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	if (total && guard_meminfo_value(buf, "MemTotal", total))
		return -ENOENT;
	return guard_meminfo_value(buf, "MemAvailable", avail);
}
#endif

int guard_init(struct guard *g)
{
	uint64_t share;
	int err = read_meminfo(g, &g->total, &g->start);

	if (err)
		return err;
	if (!g->floor_min)
		g->floor_min = sl_vm() ? GUARD_FLOOR_VM_MIN : GUARD_FLOOR_MIN;
	share = (uint64_t)(g->total * GUARD_FLOOR_SHARE);
	g->floor = share > g->floor_min ? share : g->floor_min;
	if (!g->drop_share)
		g->drop_share = GUARD_DROP_SHARE;
	return 0;
}

bool guard_tripped(struct guard *g, char *why, size_t whylen)
{
	uint64_t avail;

	if (read_meminfo(g, NULL, &avail))
		return false; /* guard_init succeeded on the same file; a transient miss */
	if (avail < g->floor) {
		snprintf(why, whylen,
			 "memory guard: MemAvailable is %llu MiB, below the floor of %llu MiB "
			 "(max of %llu MiB and 10%% of MemTotal); stopped to protect the host",
			 (unsigned long long)(avail >> 20), (unsigned long long)(g->floor >> 20),
			 (unsigned long long)(g->floor_min >> 20));
		return true;
	}
	if (avail < g->start && g->start - avail > g->start * g->drop_share) {
		snprintf(why, whylen,
			 "memory guard: MemAvailable fell from %llu to %llu MiB during the run "
			 "(more than %.0f%%); stopped to protect the host",
			 (unsigned long long)(g->start >> 20), (unsigned long long)(avail >> 20),
			 g->drop_share * 100);
		return true;
	}
	return false;
}
