/* The memory guard: stop a run before it exhausts the host's memory. */
#ifndef SOCKLEAK_GUARD_H
#define SOCKLEAK_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUARD_FLOOR_MIN (1ULL << 30) /* never let MemAvailable go below 1 GiB ... */
/* ... or 256 MiB in a VM of sockleak vm: its memory is fixed, the host's guard protects the host */
#define GUARD_FLOOR_VM_MIN (256ULL << 20)
#define GUARD_FLOOR_SHARE 0.10 /* ... nor below 10% of MemTotal */
#define GUARD_DROP_SHARE 0.50 /* nor let it fall by half of what was available */

struct guard {
	uint64_t total; /* MemTotal, bytes */
	uint64_t start; /* MemAvailable at guard_init */
	uint64_t floor; /* trip below this */
	uint64_t floor_min; /* the floor's least value; 0: by where it runs */
	double drop_share; /* trip when it fell by more than this share of start */
	const char *path; /* meminfo file; "/proc/meminfo" unless a test sets it */
};

/*
 * Reads MemTotal and MemAvailable now; 0 or -errno. Set g->path first to read another file, and
 * g->floor_min to use another least floor than GUARD_FLOOR_MIN (GUARD_FLOOR_VM_MIN in a VM).
 */
int guard_init(struct guard *g);
/* True when memory is short; why says how short and what to do. Cheap: one small read. */
bool guard_tripped(struct guard *g, char *why, size_t whylen);
/* "MemTotal:  123 kB" lines -> bytes; 0 or -ENOENT. */
int guard_meminfo_value(const char *text, const char *key, uint64_t *bytes);

#endif
