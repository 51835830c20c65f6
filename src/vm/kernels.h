/*
 * --kernels host,IMAGE,...: a command (run, sweep) on several kernels, this machine's natively and
 * each image in a VM as `sockleak vm` boots it. What run and sweep share: the options, the guest's
 * command line, the boot, and the names of each kernel's outputs.
 */
#ifndef SOCKLEAK_VM_KERNELS_H
#define SOCKLEAK_VM_KERNELS_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/opt.h"
#include "common.h"
#include "vm/qemu.h"

struct vm_kernels {
	const char *list; /* --kernels LIST; NULL: not given */
	enum vm_accel accel; /* --vm-accel */
	double boot_timeout; /* --vm-boot-timeout, seconds */
};

/* --kernels, --vm-accel, --vm-boot-timeout: include with OPT_INCLUDE_AT. */
extern const struct opt vm_kernels_opts[];
/* Their defaults: auto, VM_DEFAULT_BOOT_TIMEOUT. */
void vm_kernels_defaults(struct vm_kernels *k);

/*
 * The command line of one kernel's command: cmd, then argv[1..argc) but the options of
 * vm_kernels_opts and those named in drop (NULL-terminated), each with its value; opts is the
 * command's table (abbreviations and short options are read as it reads them). Leaves room for
 * `room` more words (vm_argv_push). NULL when out of memory.
 */
char **vm_argv_keep(const char *cmd, const struct opt *opts, const char *const *drop, int argc,
		    char **argv, size_t room, int *out_argc);
/* Appends a word to a NULL-terminated argv of *argc words. 0 or -ENOMEM. */
int vm_argv_push(char **argv, int *argc, const char *fmt, ...) SL_PRINTF(3, 4);
void vm_argv_free(char **argv);

/*
 * Boots image (k's --vm-accel and --vm-boot-timeout, console hidden) and runs `sockleak argv...`
 * in it, its outputs landing where argv names them (opts: its command's table). aside: the
 * guest's standard output goes to our standard error meanwhile (progress, not the caller's
 * output). Returns vm_run's exit code; said (when the VM could not run the command) says why.
 */
int vm_kernel_run(const struct vm_kernels *k, const char *image, const struct opt *opts, bool aside,
		  char *said, size_t said_size, int argc, char **argv);

/*
 * The name of one kernel's output file: path with ".LABEL" before its extension
 * ("out/run.json", "6.1.0-47-amd64" -> "out/run.6.1.0-47-amd64.json"), or after it when its
 * file name has none ("report" -> "report.6.1.0-47-amd64"). 0, or -ENAMETOOLONG.
 */
int vm_kernel_file(const char *path, const char *label, char *buf, size_t size);

#endif
