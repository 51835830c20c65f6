/*
 * The metric catalog: what a column of a series is. A probe declares it when it adds the column;
 * analysis and reports read these fields, never the column's name.
 */
#ifndef SOCKLEAK_METRIC_H
#define SOCKLEAK_METRIC_H

#include <stdbool.h>
#include <stddef.h>

enum unit {
	UNIT_COUNT,
	UNIT_BYTES,
	UNIT_USEC,
	UNIT_NAMES,
};

/* How a column moves. */
enum metric_kind {
	MK_LEVEL, /* a gauge: objects, bytes, sockets in use now */
	MK_COUNTER, /* a monotonic event count (netstat): growth is events, not memory */
	MK_COST, /* sockleak's own overhead (probe cost): shown, never judged */
	MK_NAMES,
};

/* What a column is a figure of. */
enum metric_class {
	MC_OTHER, /* memory of the host or of the process (meminfo, RSS, threads) */
	MC_SOCKETS, /* sockets in use: a count of the netns, a protocol, a family or a side */
	MC_STATE, /* sockets in one state (sock_diag), TIME_WAIT aside */
	MC_TIME_WAIT, /* sockets in TIME_WAIT: deferred clean-up */
	MC_FDS, /* the process's file descriptors */
	MC_SOCKMEM, /* socket buffer memory the kernel accounts per protocol */
	MC_SLAB_OBJS, /* a slab cache's active objects (object: the cache) */
	MC_SLAB_BYTES, /* ... their bytes */
	MC_SLAB_PAGES, /* ... the pages of its slabs: moves by whole slabs */
	MC_MEMCG, /* the workload's memory cgroup */
	MC_EVENTS, /* events counted by the kernel (netstat) */
	MC_TW_RECYCLED, /* events: connect() reused a TIME_WAIT port (tcp_tw_reuse) */
	MC_TW_OVERFLOW, /* events: a close without TIME_WAIT (tcp_max_tw_buckets reached) */
	MC_COST, /* what a probe's sample cost (object: the probe) */
	MC_NAMES,
};

/* Socket families a column counts or follows; 0: any or none. */
enum {
	FAM_TCP = 1,
	FAM_UDP = 2,
	FAM_UNIX = 4,
	FAM_MPTCP = 8,
	FAM_NAMES = 4,
};

/* Traits: what else the probe knows about a column. */
enum {
	/* Counted in the run's own network namespace or process: exact when the run has one. */
	MT_NETNS = 1u << 0,
	/* Kept for the whole host: other tasks and namespaces move it too. */
	MT_HOST = 1u << 1,
	/* Shown with its own verdict, never decides (host-wide, or not the kernel's socket memory). */
	MT_ADVISORY = 1u << 2,
	/* Follows TIME_WAIT: its growth is deferred clean-up (TIME_WAIT counts, tw_sock caches). */
	MT_TIME_WAIT = 1u << 3,
	/* One address family's part of another column (tcp4 and tcp6 of tcp): tables show the sum. */
	MT_SPLIT = 1u << 4,
	/* A part of another column of its class (sock_diag's TIME_WAIT of sockstat's tw). */
	MT_PART = 1u << 5,
	/* The whole of its class in its scope: every socket of the netns, all of the cgroup's
	   kernel memory. */
	MT_TOTAL = 1u << 6,
	/* The client side of the run's own connections: one per leaked client socket. */
	MT_CLIENT = 1u << 7,
	/* The server side (sockleak's own server's accepted sockets). */
	MT_SERVER = 1u << 8,
	/* Always listed in the text report's tables, moved or not. */
	MT_KEY = 1u << 9,
	/* Falls when memory is used (MemAvailable): analysis turns its sign. */
	MT_FALLS = 1u << 10,
	/* A slab cache of a socket's own objects (its sock, inode, file, dentry) for `families`
	   (0: any family): what a socket left open pins. */
	MT_HOLDS_SOCKETS = 1u << 11,
	/* A slab cache a socket sequence allocates from, or one holding such caches merged. */
	MT_SOCKET_CACHE = 1u << 12,
	/* SLUB merged other caches into this one (the note names them). */
	MT_MERGED = 1u << 13,
	/* Every socket of one protocol, as the kernel counts it (sockstat's inuse). */
	MT_PROTOCOL = 1u << 14,
	/* Every object of the cache is a socket's (its sock or socket inode), none another's: a
	   count of the sockets it holds accounts for all of it (unlike filp and dentry). */
	MT_SOCKETS_ONLY = 1u << 15,
	/*
	 * A charge counter: what the kernel accounts for the socket memory of `families` (0: any
	 * family), not memory of its own (sockstat's mem, memcg's kmem.tcp and sock). The memory
	 * it stands for is the sockets of those families and the slab caches a socket sequence
	 * allocates from (desc_charge_stands_for); per-CPU reserves keep up to
	 * net.core.mem_pcpu_rsv pages of it per CPU.
	 */
	MT_CHARGE = 1u << 16,
	MT_NAMES = 17,
};

/*
 * A column's descriptor. The strings are the declaring probe's (series_add copies them); in a
 * series' column they belong to the series.
 */
struct metric_desc {
	enum metric_kind kind;
	enum unit unit;
	enum metric_class cls;
	unsigned families; /* FAM_* */
	unsigned traits; /* MT_* */
	const char *source; /* the probe that declared it: "slabinfo", "sockstat", ... */
	const char *object; /* what it is a figure of: the slab cache, protocol, state, counter or
			       probe, as that source names it */
	const char *holds; /* slab caches: the socket caches SLUB merged into it, ", "-separated */
	const char *note; /* for people: merged caches, where a figure is counted */
};

/* Names, part of the JSON schema: "?" out of range. */
const char *unit_name(enum unit u);
const char *kind_name(enum metric_kind k);
const char *metric_class_name(enum metric_class c);
const char *family_name(unsigned bit_index); /* "tcp", "udp", "unix", "mptcp" */
const char *trait_name(unsigned bit_index); /* "netns", "host", ... */

/* The reverse: 0, or -EINVAL for a name that is none of them. */
int unit_parse(const char *s, enum unit *out);
int kind_parse(const char *s, enum metric_kind *out);
int metric_class_parse(const char *s, enum metric_class *out);
int family_parse(const char *s, unsigned *bit);
int trait_parse(const char *s, unsigned *bit);

static inline bool desc_has(const struct metric_desc *d, unsigned traits)
{
	return (d->traits & traits) == traits;
}

static inline bool desc_is_slab(const struct metric_desc *d)
{
	return d->cls == MC_SLAB_OBJS || d->cls == MC_SLAB_BYTES || d->cls == MC_SLAB_PAGES;
}

/* A socket count: the class of sockets, states and TIME_WAIT. */
static inline bool desc_is_socket_count(const struct metric_desc *d)
{
	return d->cls == MC_SOCKETS || d->cls == MC_STATE || d->cls == MC_TIME_WAIT;
}

/* A slab cache that holds the sockets of a family in mask (see MT_HOLDS_SOCKETS). */
static inline bool desc_holds_sockets(const struct metric_desc *d, unsigned mask)
{
	return desc_has(d, MT_HOLDS_SOCKETS) && desc_is_slab(d) &&
	       (d->families == 0 || (d->families & mask));
}

/*
 * A slab cache that a count of the sockets of families `mask` accounts for whole: it holds only
 * sockets, of those families (a cache of any family's: only with every family counted), and SLUB
 * merged no other cache into it.
 */
static inline bool desc_covered_by_sockets(const struct metric_desc *d, unsigned mask)
{
	unsigned all = (1u << FAM_NAMES) - 1;

	return desc_holds_sockets(d, mask) && desc_has(d, MT_SOCKETS_ONLY) &&
	       !desc_has(d, MT_MERGED) && (d->families ? !(d->families & ~mask) : mask == all);
}

/* Whether d is one of the memory figures the charge counter charge stands for. */
static inline bool desc_charge_stands_for(const struct metric_desc *charge,
					  const struct metric_desc *d)
{
	bool fam = !charge->families || !d->families || (charge->families & d->families);

	if (desc_has(d, MT_CHARGE) || desc_has(d, MT_ADVISORY) || desc_has(d, MT_SPLIT) || !fam)
		return false;
	return d->cls == MC_SOCKETS ||
	       (desc_is_slab(d) && (desc_has(d, MT_SOCKET_CACHE) || desc_has(d, MT_HOLDS_SOCKETS)));
}

/* -1 for figures that fall when memory is used, else +1. */
static inline double desc_sign(const struct metric_desc *d)
{
	return desc_has(d, MT_FALLS) ? -1 : 1;
}

/*
 * What the catalog knows of the slab cache the kernel names name (len bytes): MT_SOCKET_CACHE when
 * a socket call sequence allocates from it, MT_HOLDS_SOCKETS with the families when it holds a
 * socket's own objects (*families), MT_TIME_WAIT for the caches of TIME_WAIT sockets.
 */
unsigned slab_cache_traits(const char *name, size_t len, unsigned *families);

/*
 * What /proc/net/sockstat's figure KEY on the line of PROTO is ("sockets" "used", "TCP" "inuse",
 * "TCP" "tw", "TCP" "mem", "FRAG" "memory", ...); d->object is proto.
 */
void sockstat_desc(const char *proto, const char *key, struct metric_desc *d);

/*
 * The schema-1 shim: the descriptor of a column saved before descriptors were, from its name,
 * unit, kind and note (a slab cache's merged caches). The only place that reads meaning from a
 * metric's name. The strings of d point into note, into buf (len bytes, 256 are plenty), or are
 * static.
 */
void metric_desc_v1(const char *name, enum unit unit, enum metric_kind kind, const char *note,
		    struct metric_desc *d, char *buf, size_t len);

#endif
