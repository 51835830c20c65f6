/*
 * The metric catalog's own tables: the names of its enums (part of the JSON schema), the slab
 * caches socket work touches, and the schema-1 shim that describes a column by its name.
 */
#include "model/metric.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model/names.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *const unit_names[UNIT_NAMES] = {
	[UNIT_COUNT] = "count",
	[UNIT_BYTES] = "bytes",
	[UNIT_USEC] = "us",
};

static const char *const kind_names[MK_NAMES] = {
	[MK_LEVEL] = "level",
	[MK_COUNTER] = "counter",
	[MK_COST] = "cost",
};

static const char *const class_names[MC_NAMES] = {
	[MC_OTHER] = "other",
	[MC_SOCKETS] = "sockets",
	[MC_STATE] = "state",
	[MC_TIME_WAIT] = "time-wait",
	[MC_FDS] = "fds",
	[MC_SOCKMEM] = "socket-memory",
	[MC_SLAB_OBJS] = "slab-objects",
	[MC_SLAB_BYTES] = "slab-bytes",
	[MC_SLAB_PAGES] = "slab-pages",
	[MC_MEMCG] = "memcg",
	[MC_EVENTS] = "events",
	[MC_TW_RECYCLED] = "time-wait-recycled",
	[MC_TW_OVERFLOW] = "time-wait-overflow",
	[MC_COST] = "cost",
};

static const char *const family_names[FAM_NAMES] = { "tcp", "udp", "unix", "mptcp" };

static const char *const trait_names[MT_NAMES] = {
	"netns",	"host",	  "advisory", "time-wait",    "split",	"part",
	"total",	"client", "server",   "key",	      "falls",	"holds-sockets",
	"socket-cache", "merged", "protocol", "sockets-only", "charge",
};

const char *unit_name(enum unit u)
{
	return name_at(unit_names, NELEM(unit_names), (unsigned)u);
}

const char *kind_name(enum metric_kind k)
{
	return name_at(kind_names, NELEM(kind_names), (unsigned)k);
}

const char *metric_class_name(enum metric_class c)
{
	return name_at(class_names, NELEM(class_names), (unsigned)c);
}

const char *family_name(unsigned bit_index)
{
	return name_at(family_names, NELEM(family_names), bit_index);
}

const char *trait_name(unsigned bit_index)
{
	return name_at(trait_names, NELEM(trait_names), bit_index);
}

static int find(const char *const *names, size_t n, const char *s, unsigned *out)
{
	int i = name_index(names, n, s, false);

	if (i >= 0)
		*out = (unsigned)i;
	return i < 0 ? i : 0;
}

int unit_parse(const char *s, enum unit *out)
{
	unsigned i;
	int err = find(unit_names, NELEM(unit_names), s, &i);

	if (!err)
		*out = (enum unit)i;
	return err;
}

int kind_parse(const char *s, enum metric_kind *out)
{
	unsigned i;
	int err = find(kind_names, NELEM(kind_names), s, &i);

	if (!err)
		*out = (enum metric_kind)i;
	return err;
}

int metric_class_parse(const char *s, enum metric_class *out)
{
	unsigned i;
	int err = find(class_names, NELEM(class_names), s, &i);

	if (!err)
		*out = (enum metric_class)i;
	return err;
}

int family_parse(const char *s, unsigned *bit)
{
	return find(family_names, NELEM(family_names), s, bit);
}

int trait_parse(const char *s, unsigned *bit)
{
	return find(trait_names, NELEM(trait_names), s, bit);
}

/* ---- the kernel's slab caches that socket work touches ---- */

/* The caches a socket call sequence allocates from, and whose sockets each one holds. */
static const struct {
	const char *name;
	bool holds_sockets; /* a socket's own object: its sock, inode, file or dentry */
	unsigned families; /* holds_sockets: of these families (0: any) */
	bool only; /* holds nothing but sockets' objects (not filp, dentry: any file's) */
} slab_socket_caches[] = {
#define SOCK(name, fam)               \
	{                             \
		name, true, fam, true \
	}
#define SHARED(name)                 \
	{                            \
		name, true, 0, false \
	}
#define TOUCHED(name)                 \
	{                             \
		name, false, 0, false \
	}
	SOCK("TCP", FAM_TCP),
	SOCK("TCPv6", FAM_TCP),
	TOUCHED("request_sock_TCP"),
	TOUCHED("request_sock_TCPv6"),
	TOUCHED("tw_sock_TCP"),
	TOUCHED("tw_sock_TCPv6"),
	TOUCHED("tcp_bind_bucket"),
	TOUCHED("tcp_bind2_bucket"),
	TOUCHED("inet_peer_cache"),
	TOUCHED("inet_peer"),
	SOCK("UDP", FAM_UDP),
	SOCK("UDPv6", FAM_UDP),
	SOCK("UNIX", FAM_UNIX),
	SOCK("UNIX-STREAM", FAM_UNIX),
	SOCK("MPTCP", FAM_MPTCP),
	SOCK("MPTCPv6", FAM_MPTCP),
	TOUCHED("request_sock_subflow_v4"),
	TOUCHED("request_sock_subflow_v6"),
	SOCK("sock_inode_cache", 0),
	TOUCHED("skbuff_head_cache"),
	TOUCHED("skbuff_fclone_cache"),
	TOUCHED("skbuff_small_head"),
	TOUCHED("skbuff_ext_cache"),
	TOUCHED("ip_dst_cache"),
	TOUCHED("ip6_dst_cache"),
	SHARED("filp"),
	SHARED("dentry"),
#undef SOCK
#undef SHARED
#undef TOUCHED
};

unsigned slab_cache_traits(const char *name, size_t len, unsigned *families)
{
	static const char tw[] = "tw_sock_";
	unsigned traits = 0;
	size_t i;

	*families = 0;
	/* The kernel names the caches of TIME_WAIT sockets tw_sock_PROTO (twsk_slab_name). */
	if (len >= sizeof(tw) - 1 && !strncmp(name, tw, sizeof(tw) - 1))
		traits |= MT_TIME_WAIT;
	for (i = 0; i < NELEM(slab_socket_caches); i++) {
		if (strlen(slab_socket_caches[i].name) != len ||
		    strncmp(slab_socket_caches[i].name, name, len))
			continue;
		traits |= MT_SOCKET_CACHE;
		if (slab_socket_caches[i].holds_sockets) {
			traits |= MT_HOLDS_SOCKETS |
				  (slab_socket_caches[i].only ? MT_SOCKETS_ONLY : 0);
			*families = slab_socket_caches[i].families;
		}
	}
	return traits;
}

/* ---- what the probes' lines are, where a probe and the shim both need it ---- */

void sockstat_desc(const char *proto, const char *key, struct metric_desc *d)
{
	bool bytes = !strcmp(key, "mem") || !strcmp(key, "memory");

	*d = (struct metric_desc){
		.kind = MK_LEVEL,
		.unit = bytes ? UNIT_BYTES : UNIT_COUNT,
		.cls = bytes ? MC_SOCKMEM : MC_SOCKETS,
		.families = !strncmp(proto, "TCP", 3) ? FAM_TCP :
			    !strncmp(proto, "UDP", 3) ? FAM_UDP :
							0,
		/* inuse, tw and FRAG are the netns' own */
		.traits = MT_NETNS,
		.source = "sockstat",
		.object = proto,
	};
	if (!strcmp(proto, "sockets")) {
		d->traits |= MT_TOTAL | MT_KEY;
	} else if (!strcmp(key, "inuse")) {
		d->traits |= MT_PROTOCOL;
	} else if (!strcmp(key, "tw")) {
		d->cls = MC_TIME_WAIT;
		d->traits |= MT_TIME_WAIT;
	} else if (!strcmp(key, "orphan") || !strcmp(key, "alloc") || !strcmp(key, "mem")) {
		/* the kernel keeps these per protocol, for all namespaces */
		d->traits = MT_HOST | MT_ADVISORY;
		d->note = "host-wide: the kernel counts it per protocol, not per netns";
		/* mem: the pages charged for the protocol's socket buffers */
		if (!strcmp(key, "mem"))
			d->traits |= MT_CHARGE;
	}
}

/* ---- schema 1: a column described by its name ---- */

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static bool ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

/* The text between the first dot after prefix and the last dot, into buf; "" when none. */
static const char *middle(const char *name, size_t skip, char *buf, size_t len)
{
	const char *dot = strrchr(name, '.');
	size_t n = dot && dot > name + skip ? (size_t)(dot - (name + skip)) : 0;

	if (n >= len)
		n = len - 1;
	memcpy(buf, name + skip, n);
	buf[n] = '\0';
	return buf;
}

static const char *last(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot ? dot + 1 : name;
}

static void slab_v1(const char *name, const char *note, struct metric_desc *d, char *buf,
		    size_t len)
{
	static const char held[] = "socket caches counted here: ";
	const char *kind = last(name), *h;

	d->source = "slabinfo";
	d->object = middle(name, 5, buf, len);
	d->cls = !strcmp(kind, "objs")	      ? MC_SLAB_OBJS :
		 !strcmp(kind, "total_bytes") ? MC_SLAB_PAGES :
		 d->unit == UNIT_COUNT	      ? MC_SLAB_OBJS :
						MC_SLAB_BYTES;
	d->traits = MT_HOST | slab_cache_traits(d->object, strlen(d->object), &d->families);
	if (note && starts(note, "merged: "))
		d->traits |= MT_MERGED;
	if (note && (h = strstr(note, held))) {
		d->holds = h + strlen(held);
		d->traits |= MT_SOCKET_CACHE;
	}
}

static void sockstat_v1(const char *name, struct metric_desc *d, char *buf, size_t len)
{
	const char *note = d->note;

	sockstat_desc(middle(name, 9, buf, len), last(name), d);
	d->note = note;
}

/* sock_diag's counts: tcp., tcp4., tcp6., udp., unix., mptcp. (and raw., sctp.). */
static bool sockdiag_v1(const char *name, struct metric_desc *d)
{
	static const struct {
		const char *prefix;
		unsigned family;
		unsigned traits;
	} fams[] = {
		{ "tcp.", FAM_TCP, 0 },
		{ "tcp4.", FAM_TCP, MT_SPLIT },
		{ "tcp6.", FAM_TCP, MT_SPLIT },
		{ "udp.", FAM_UDP, 0 },
		{ "unix.", FAM_UNIX, 0 },
		{ "mptcp.", FAM_MPTCP, 0 },
		{ "raw.", 0, 0 },
		{ "sctp.", 0, 0 },
	};
	const char *st;
	size_t i;

	for (i = 0; i < NELEM(fams) && !starts(name, fams[i].prefix); i++)
		;
	if (i == NELEM(fams))
		return false;
	d->source = "sockdiag";
	d->families = fams[i].family;
	d->traits = MT_NETNS | fams[i].traits;
	d->cls = MC_SOCKETS;
	d->object = last(name);
	if ((st = strstr(name, ".state."))) {
		d->object = st + 7;
		d->cls = MC_STATE;
		if (!strcmp(d->object, "TIME_WAIT")) {
			/* sockstat's tw without the FIN_WAIT2 timewait sockets */
			d->cls = MC_TIME_WAIT;
			d->traits |= MT_TIME_WAIT | MT_PART;
		}
	} else if (ends(name, ".client")) {
		d->traits |= MT_CLIENT;
	} else if (ends(name, ".server")) {
		d->traits |= MT_SERVER;
	}
	/* The sides of TCP and UNIX connections are listed in the text report, moved or not. */
	if ((d->traits & (MT_CLIENT | MT_SERVER)) && (d->families & (FAM_TCP | FAM_UNIX)))
		d->traits |= MT_KEY;
	return true;
}

void metric_desc_v1(const char *name, enum unit unit, enum metric_kind kind, const char *note,
		    struct metric_desc *d, char *buf, size_t len)
{
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->unit = unit;
	d->note = note;
	d->object = last(name);
	if (kind == MK_COST) {
		d->cls = MC_COST;
		d->source = "probe";
		d->object = middle(name, 6, buf, len);
		return;
	}
	if (kind == MK_COUNTER) {
		d->source = "netstat";
		d->traits = MT_NETNS;
		d->cls = !strcmp(name, "netstat.TWRecycled")	      ? MC_TW_RECYCLED :
			 !strcmp(name, "netstat.TCPTimeWaitOverflow") ? MC_TW_OVERFLOW :
									MC_EVENTS;
		return;
	}
	if (starts(name, "slab.")) {
		slab_v1(name, note, d, buf, len);
	} else if (starts(name, "sockstat.")) {
		sockstat_v1(name, d, buf, len);
	} else if (sockdiag_v1(name, d)) {
		;
	} else if (!strcmp(name, "proc.fds")) {
		d->source = "proc";
		d->cls = MC_FDS;
		d->traits = MT_NETNS | MT_KEY;
	} else if (starts(name, "memcg.")) {
		d->source = "memcg";
		d->cls = MC_MEMCG;
		/* usage holds page cache and anonymous memory: not the kernel's socket memory */
		if (!strcmp(name, "memcg.usage"))
			d->traits = MT_ADVISORY;
		else if (!strcmp(name, "memcg.kmem") || !strcmp(name, "memcg.kernel"))
			d->traits = MT_TOTAL;
		else if (!strcmp(name, "memcg.kmem_tcp") || !strcmp(name, "memcg.sock"))
			d->traits = MT_CHARGE;
		if (!strcmp(name, "memcg.kmem_tcp"))
			d->families = FAM_TCP;
	} else {
		d->source = starts(name, "meminfo.") ? "meminfo" :
			    starts(name, "proc.")    ? "proc" :
						       "";
		d->traits = MT_ADVISORY | (starts(name, "proc.") ? 0 : MT_HOST);
		if (ends(name, ".MemAvailable") || ends(name, ".MemFree"))
			d->traits |= MT_FALLS;
	}
}
