/* The listen queue's counters of a run's namespace, read once before and once after churn. */
#ifndef SOCKLEAK_LISTEN_H
#define SOCKLEAK_LISTEN_H

#include <stdint.h>

/* TcpExt ListenOverflows and ListenDrops of the namespace (/proc/net/netstat); 0 or -errno. */
int netns_listen_counters(int fd, uint64_t *overflows, uint64_t *drops);
/* Finds "Prefix: ... NAME ..." / "Prefix: ... VALUE ..." in /proc/net/netstat text; 0 or -ENOENT. */
int netstat_value(const char *text, const char *prefix, const char *name, uint64_t *out);

#endif
