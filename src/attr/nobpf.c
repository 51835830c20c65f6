/* --attribute in a build without eBPF (no BTF, clang, bpftool or libbpf where it was built). */
#include "attr/attr.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifndef SOCKLEAK_BPF

#ifndef SOCKLEAK_BPF_WHY
#ifdef _WIN32
#define SOCKLEAK_BPF_WHY "kernel stacks come from eBPF: Linux only"
#else
#define SOCKLEAK_BPF_WHY "this build has no eBPF support"
#endif
#endif

bool attr_built(char *why, size_t size)
{
	snprintf(why, size, "%s", SOCKLEAK_BPF_WHY);
	return false;
}

int attr_open(const struct attr_opts *o, struct attr **out, char *why, size_t size)
{
	(void)o;
	*out = NULL;
	attr_built(why, size);
	return -ENOTSUP;
}

int attr_start(struct attr *a, char *why, size_t size)
{
	(void)a;
	attr_built(why, size);
	return -ENOTSUP;
}

int attr_scope_tid(struct attr *a, pid_t tid)
{
	(void)a;
	(void)tid;
	return -ENOTSUP;
}

int attr_scope_process(struct attr *a, pid_t pid, bool children)
{
	(void)a;
	(void)pid;
	(void)children;
	return -ENOTSUP;
}

void attr_tick(struct attr *a, double t, uint64_t cycles, enum phase ph)
{
	(void)a;
	(void)t;
	(void)cycles;
	(void)ph;
}

void attr_mark(struct attr *a, double t, uint64_t cycles, enum phase ph)
{
	(void)a;
	(void)t;
	(void)cycles;
	(void)ph;
}

int attr_tcp_states(struct attr *a, uint64_t cookie, int64_t out[2][16])
{
	(void)a;
	(void)cookie;
	(void)out;
	return -ENOTSUP;
}

int attr_sources(const struct attr *a, struct attr_source **out, size_t *n)
{
	(void)a;
	*out = NULL;
	*n = 0;
	return 0;
}

void attr_stop(struct attr *a)
{
	(void)a;
}

int attr_collect(struct attr *a, struct attribution *out)
{
	(void)a;
	memset(out, 0, sizeof(*out));
	attr_built(out->why, sizeof(out->why));
	return -ENOTSUP;
}

void attr_close(struct attr *a)
{
	(void)a;
}

#endif /* !SOCKLEAK_BPF */
