/*
 * The Linux probes' parsers, one per source, on a buffer read whole: the probes call them on what
 * they read, the unit tests on captured files.
 */
#ifndef SOCKLEAK_PROBE_PARSE_H
#define SOCKLEAK_PROBE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Callbacks return 0 to go on or a negative errno to stop the parse with it. */
/* /proc/meminfo: every "Key: value [kB]" line, value in bytes. */
typedef int (*kv_fn)(void *arg, const char *key, double v);
int meminfo_parse(const char *buf, kv_fn fn, void *arg);

/* /proc/slabinfo 2.x: columns found by the header's names, so unknown extra columns are skipped. */
struct slab_line {
	char name[64];
	uint64_t active_objs, num_objs, objsize, pagesperslab, num_slabs;
};
typedef int (*slab_fn)(void *arg, const struct slab_line *l);
int slabinfo_parse(const char *buf, slab_fn fn, void *arg);

/* /proc/net/sockstat{,6}: "PROTO: key value ..." -> fn(proto, key, value). */
typedef int (*sockstat_fn)(void *arg, const char *proto, const char *key, double v);
int sockstat_parse(const char *buf, sockstat_fn fn, void *arg);

/* /proc/net/netstat and /proc/net/snmp: pairs of "Section: names" / "Section: values" lines. */
typedef int (*netstat_fn)(void *arg, const char *section, const char *field, double v);
int netstat_parse(const char *buf, netstat_fn fn, void *arg);

/* memcg v2 memory.stat (and v1's): "key value" lines. */
int memcg_stat_parse(const char *buf, kv_fn fn, void *arg);

/* /proc/PID/status: "Threads:" and friends (kB values in bytes); /proc/PID/statm: resident pages. */
int proc_status_parse(const char *buf, kv_fn fn, void *arg);
int proc_statm_resident(const char *buf, uint64_t *pages);

/*
 * Slab merging (SLUB): the caches merged into each cache slabinfo shows, from the symlinks and
 * aliases files in ROOT/sys/kernel/slab. fn(shown, merged) is called for each merged name.
 */
typedef int (*slab_alias_fn)(void *arg, const char *shown, const char *merged);
int slab_aliases(const char *root, const char *slabinfo_buf, slab_alias_fn fn, void *arg);

/* /proc/PID/stat: the parent's pid. */
int proc_stat_ppid(const char *buf, pid_t *ppid);
/* /proc/PID/limits: "Max open files" soft and hard (UINT64_MAX: unlimited). 0, -ENOENT, -EPROTO. */
int proc_limits_nofile(const char *buf, uint64_t *soft, uint64_t *hard);

/* What an fd is, from its /proc/PID/fd link: "socket:[N]", "pipe:[N]", "anon_inode:[eventfd]". */
enum fd_kind { FDK_SOCKET, FDK_PIPE, FDK_ANON, FDK_FILE, FDK_COUNT };
enum fd_kind fd_link_kind(const char *link);
const char *fd_kind_name(enum fd_kind k);

/*
 * A process tree: l (sorted here by pid) holds every process and its parent; in[i] says whether
 * l[i] is root or descends from it, or (adopter > 0) is a child of adopter or descends from one.
 * Returns how many are.
 */
struct proc_link {
	pid_t pid, ppid;
};
size_t proc_tree(struct proc_link *l, size_t n, pid_t root, pid_t adopter, bool *in);

/* sock_diag names: TCP states as the kernel calls them (index = state), unix states likewise. */
const char *tcp_state_name(unsigned state);

#endif
