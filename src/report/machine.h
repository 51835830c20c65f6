/* The machine a run ran on: filled once at run start, rendered by every report. */
#ifndef SOCKLEAK_MACHINE_H
#define SOCKLEAK_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

struct machine {
	char kernel[65]; /* uname release: "6.1.0-26-amd64" */
	char kernel_build[65]; /* uname version: "#1 SMP PREEMPT_DYNAMIC Debian 6.1.112-1 ..." */
	char arch[65];
	char hostname[65];
	char os[128]; /* PRETTY_NAME of os-release; "" when unknown */
	char cpu[128]; /* the first "model name" of cpuinfo; "" when unknown */
	unsigned cores; /* online CPUs */
	/* net.core.mem_pcpu_rsv: pages of socket memory charge each CPU may keep in reserve;
	   -1 when the kernel has none (before 6.9: no reserve) */
	int mem_pcpu_rsv;
	unsigned page_size; /* bytes */
	uint64_t mem_bytes; /* MemTotal */
	int cgroup_version; /* hierarchy of the memory controller: 1, 2, 0 none */
	bool cgroup; /* the run had a memory cgroup of its own */
	bool root; /* ran with root privileges */
	bool netns; /* ran in a network namespace of its own */
	char version[32]; /* sockleak's */
	/* In a VM of sockleak vm (what it told the guest; all "" on a host of its own): */
	char vm[16]; /* "qemu/kvm" or "qemu/tcg" */
	char vm_kernel[256]; /* the kernel image booted, as a path on the host */
	char vm_modules[256]; /* its module tree on the host; "" none */
	char vm_initramfs[512]; /* "busybox 1.35.0 (static); modules: virtio_ring ..." */
	char start[32]; /* run start, UTC ISO 8601: "2025-11-25T11:35:38Z" */
};

/*
 * Fills what the machine says about itself and stamps the start time now. root is a prefix for
 * /proc, /sys and /etc paths ("" live; a fixture tree in tests). Never fails: unknown fields stay
 * empty or 0.
 */
void machine_init(struct machine *m, const char *root);
/* Takes what the run decided (netns, cgroup) from its configuration. */
void machine_set_run(struct machine *m, const struct run_config *cfg);

/* net.core.mem_pcpu_rsv under ROOT (pages per CPU), or -1 when the kernel has none. */
int machine_mem_pcpu_rsv(const char *root);

/* Reads the memory controller's hierarchy from ROOT/proc/self/cgroup: 1, 2 or 0. */
int machine_cgroup_version(const char *root);

#endif
