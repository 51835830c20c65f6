/* The listen queue's counters of a run's namespace: the engine's netns read by the probes' parser. */
#include "run/listen.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "engine/netns.h"
#include "probe/parse.h"

struct netstat_pick {
	const char *section, *field;
	double v;
	bool found;
};

static int netstat_pick(void *arg, const char *section, const char *field, double v)
{
	struct netstat_pick *p = arg;

	if (!p->found && !strcmp(section, p->section) && !strcmp(field, p->field)) {
		p->v = v;
		p->found = true;
	}
	return 0;
}

/* The probes' parser does the reading: one way to read /proc/net/netstat. */
int netstat_value(const char *text, const char *prefix, const char *name, uint64_t *out)
{
	struct netstat_pick p = { prefix, name, 0, false };
	int err = netstat_parse(text, netstat_pick, &p);

	if (err)
		return err;
	if (!p.found)
		return -ENOENT;
	*out = (uint64_t)p.v;
	return 0;
}

int netns_listen_counters(int fd, uint64_t *overflows, uint64_t *drops)
{
	size_t size = 16384;
	char *buf = malloc(size);
	long n;
	int err;

	if (!buf)
		return -ENOMEM;
	n = netns_read_file(fd, "netstat", buf, size);
	if (n < 0) {
		err = (int)n;
		goto out;
	}
	err = netstat_value(buf, "TcpExt", "ListenOverflows", overflows);
	if (!err)
		err = netstat_value(buf, "TcpExt", "ListenDrops", drops);
out:
	free(buf);
	return err;
}
