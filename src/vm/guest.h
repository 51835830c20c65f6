/* The guest's init: two busybox sh scripts that mount the host's root and run sockleak in it. */
#ifndef SOCKLEAK_VM_GUEST_H
#define SOCKLEAK_VM_GUEST_H

#include <stdio.h>

#include "vm/kmod.h"

/* The 9p mount tags and virtio-serial port names the host and the guest agree on. */
#define GUEST_TAG_ROOT "hostroot"
#define GUEST_TAG_OUT "sockleak.out"
#define GUEST_PORT_CTL "sockleak.ctl"
#define GUEST_PORT_OUT "sockleak.stdout"
#define GUEST_PORT_ERR "sockleak.stderr"
/* Where the guest mounts the shared output directory. */
#define GUEST_OUT_DIR "/run/sockleak/out"
/* Lines the guest's init writes on the console; the host quotes them when a boot fails. */
#define GUEST_SAY "sockleak-vm: "

struct guest_plan {
	const struct kmod_list *mods; /* loaded by stage 1 from /lib/modules/NAME.ko */
	const char *modules_dir; /* the module tree on the host, for autoloading; NULL: none */
	const char *exe; /* sockleak on the host */
	const char *cwd; /* the host's working directory */
	const char *hostname; /* the guest's: the host's own name */
	int argc;
	char *const *argv; /* the guest's command: "run", "--ops", "2000", ... */
	const char *const *env; /* NAME=VALUE for the guest's sockleak, NULL-terminated */
};

/* Stage 1 (/init): modules, the host's root over 9p with an overlay in RAM, switch_root. */
int guest_stage1(FILE *f, const struct guest_plan *p);
/* Stage 2: proc, sys, cgroup2, the ports; runs the command and reports its exit over the port. */
int guest_stage2(FILE *f, const struct guest_plan *p);
/* Writes s to f as one sh word: 'it'\''s'. */
void guest_quote(FILE *f, const char *s);

#endif
