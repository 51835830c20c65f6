/* One boot of the guest under qemu-system-x86_64: its command line, and the session to its end. */
#ifndef SOCKLEAK_VM_QEMU_H
#define SOCKLEAK_VM_QEMU_H

#include <stdbool.h>
#include <stdint.h>

enum vm_accel { VM_ACCEL_AUTO, VM_ACCEL_KVM, VM_ACCEL_TCG };

/* The channels between sockleak and the guest, as the child's file descriptors 3 to 6. */
enum qemu_chan { QEMU_CON, QEMU_CTL, QEMU_OUT, QEMU_ERR, QEMU_NCHAN };
#define QEMU_CHAN_FD0 3

struct qemu_plan {
	const char *qemu; /* the binary */
	enum vm_accel accel; /* KVM or TCG */
	unsigned cpus;
	uint64_t memory; /* bytes */
	const char *kernel, *initrd;
	const char *append; /* the user's kernel arguments, after sockleak's; NULL: none */
	const char *share; /* the shared output directory */
};

/* The command line, NULL-terminated (free with qemu_argv_free); NULL when out of memory. */
char **qemu_argv(const struct qemu_plan *p);
void qemu_argv_free(char **v);

enum qemu_end {
	QEMU_EXITED, /* the guest's sockleak ended: code holds its exit code */
	QEMU_NO_START, /* qemu or the kernel stopped before the guest's sockleak started */
	QEMU_STALLED, /* no sign of the guest's sockleak within the boot time-out */
	QEMU_LOST, /* the VM stopped after the start without saying how the command ended */
	QEMU_SIGNALLED, /* sockleak was told to stop: before the start, or twice */
	QEMU_FAILED, /* qemu could not be started */
};

struct qemu_session {
	double boot_timeout; /* seconds from launch to the guest's "start" */
	double t0; /* sl_now() when sockleak vm started: boot_seconds counts from it */
	bool quiet; /* the console is not copied to stderr */
	int sigfd; /* a signalfd for SIGINT, SIGTERM and SIGHUP (blocked) */
};

struct qemu_result {
	enum qemu_end end;
	int code; /* QEMU_EXITED: the guest command's exit code */
	bool oom; /* the guest's kernel ran out of memory */
	int signal; /* the signal sockleak got during the session; 0 none */
	double boot_seconds; /* from t0 to the guest's "start"; 0 when it never came */
	int status; /* qemu's wait status */
	char said[512]; /* what the guest's init or kernel said went wrong, or "" */
	char qemu_said[512]; /* qemu's own last error line, or "" */
	char tail[4096]; /* the console's last lines */
};

/* Boots p and relays the guest's console, stdout and stderr until the VM is gone (never later:
 * qemu dies with sockleak, by PR_SET_PDEATHSIG). 0, or -errno when nothing could be started. */
int qemu_boot(const struct qemu_plan *p, const struct qemu_session *s, struct qemu_result *r);

/* True when /dev/kvm answers the KVM API. */
bool qemu_kvm_usable(void);
const char *qemu_accel_name(enum vm_accel a);

#endif
