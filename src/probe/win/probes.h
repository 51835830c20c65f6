/* The Windows probes and the parsers their unit tests call on buffers built to the documented layout. */
#ifndef SOCKLEAK_PROBE_WIN_H
#define SOCKLEAK_PROBE_WIN_H

#include <stddef.h>
#include <stdint.h>

#include "probe/probe.h"

extern const struct probe_ops perf_probe, pooltag_probe, tcptable_probe, winproc_probe;

/*
 * NtQuerySystemInformation(SystemPoolTagInformation = 22) returns SYSTEM_POOLTAG_INFORMATION:
 * a ULONG Count, then Count SYSTEM_POOLTAG entries at their natural alignment (8 on x64):
 * Tag[4], PagedAllocs, PagedFrees (ULONG), PagedUsed (SIZE_T), NonPagedAllocs, NonPagedFrees
 * (ULONG), NonPagedUsed (SIZE_T): 40 bytes each on x64. This is the table poolmon shows.
 */
struct pool_tag {
	char tag[5]; /* NUL-terminated, trailing blanks kept ("Irp ") */
	uint64_t paged_allocs, paged_frees, paged_used;
	uint64_t nonpaged_allocs, nonpaged_frees, nonpaged_used;
};
typedef int (*pooltag_fn)(void *arg, const struct pool_tag *t);
/* Walks the buffer (len bytes as the call returned it): 0, -EBADMSG when the count overruns it,
 * or the callback's negative errno. */
int pooltag_parse(const void *buf, size_t len, pooltag_fn fn, void *arg);
/* Whether a tag is one the socket path allocates under (AFD, TCP/IP, IRPs, NDIS buffers). */
int pooltag_is_socket(const char *tag);
/* Column key of a tag: "pool.tag.Irp.bytes" (blanks dropped; other odd bytes as '_'). */
void pooltag_key(const char *tag, const char *what, char *out, size_t n);

/* MIB_TCP_STATE (1..12) -> the Linux name analysis and reports use ("TIME_WAIT"), NULL if none. */
const char *win_tcp_state_name(unsigned state);

#endif
