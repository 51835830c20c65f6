/* sockleak vm: runs a sockleak command on another kernel, in a throw-away VM sharing this host. */
#ifndef SOCKLEAK_VM_VM_H
#define SOCKLEAK_VM_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/opt.h"
#include "vm/qemu.h"

#define VM_DEFAULT_MEMORY (2ULL << 30) /* the guard's floor (256 MiB in a VM) leaves room */
#define VM_DEFAULT_BOOT_TIMEOUT 60.0
#define VM_KVM_PROBE_TIMEOUT 20.0 /* --accel auto: KVM gets this long before TCG takes over */
#define VM_QEMU "qemu-system-x86_64"

struct vm_config {
	const char *kernel; /* the kernel image (bzImage) */
	const char *modules; /* its module tree; NULL: beside the image, or /lib/modules/RELEASE */
	unsigned cpus; /* 0: 1 under TCG, the host's online CPUs under KVM */
	uint64_t memory; /* bytes */
	const char *append; /* more kernel arguments */
	enum vm_accel accel;
	double boot_timeout; /* seconds to the guest's start */
	bool quiet; /* no console, no progress notes */
	const char *qemu; /* the binary: a path, or a name looked up in PATH (VM_QEMU) */
	const struct opt *guest_opts; /* the guest command's options: which ones name outputs */
	const char *timeout_opt; /* the option of boot_timeout, for messages: "--boot-timeout" */
	char *said; /* when not NULL: why the VM could not run the command, in words ("" if it did) */
	size_t said_size;
};

/* vm_config's defaults. */
void vm_defaults(struct vm_config *c);
/*
 * Boots c->kernel and runs `sockleak argv...` in it (argv[0] is the command). Returns the guest
 * command's exit code, 3 when the VM could not run it (said with sl_err), 2 for a bad command, or
 * 128+N when stopped by signal N.
 */
int vm_run(const struct vm_config *c, int argc, char **argv);

/* ---- the guest's command line (public for tests) ---- */

#define VM_MAX_OUT 16

/* An output the guest writes into the shared directory, for the host to put where it was named. */
struct vm_out {
	char opt[72]; /* the option that named it: "--json" */
	char *user; /* the path as given on the host */
	char *rel; /* in the shared directory: "N/NAME" */
	bool dir; /* a directory of files (sweep --html DIR) */
};

struct vm_args {
	int argc;
	char **argv; /* the guest's command, NULL-terminated */
	struct vm_out out[VM_MAX_OUT];
	unsigned nout;
};

/* What a long option (name, or a unique abbreviation of it) of a command's table writes. */
enum vm_arg_kind { VM_ARG_OTHER, VM_ARG_FILE_OUT, VM_ARG_DIR_OUT };
enum vm_arg_kind vm_arg_kind(const struct opt *opts, const char *name);

/*
 * Rewrites the guest's command, whose options opts describes, so that each output file or
 * directory it names lands in the shared directory (mounted at guest_dir in the guest); "-" stays
 * standard output. 0, -EINVAL (why says: a command sockleak vm cannot run) or -ENOMEM.
 */
int vm_map_args(const struct opt *opts, int argc, char **argv, const char *guest_dir,
		struct vm_args *a, char *why, size_t whylen);
void vm_args_free(struct vm_args *a);
/* Checks each output's path on the host before the boot, as the command itself would: 0, or
 * -EINVAL said with sl_err. */
int vm_check_outputs(const struct vm_args *a);
/*
 * Copies the regular file name in dirfd (never through a link) to path, whole or not at all
 * (out_write). 0 also when name is missing or not a file; else -errno (said).
 */
int vm_copy_file(int dirfd, const char *name, const char *path);
/* Removes name under dirfd (AT_FDCWD: a path) and all it holds, never following a link. */
void vm_rm_tree(int dirfd, const char *name);
/* Puts what the guest wrote under share where the user named it. 0, or -errno (said). */
int vm_land(const struct vm_args *a, const char *share);

#endif
