/* The guest's initramfs, built at run time: a static busybox, the boot modules and the init. */
#ifndef SOCKLEAK_VM_INITRAMFS_H
#define SOCKLEAK_VM_INITRAMFS_H

#include <stddef.h>

#include "vm/guest.h"

/*
 * Finds a statically linked busybox (/bin/busybox, /usr/bin/busybox: Debian's busybox-static) and
 * its version ("1.35.0"; "" when it does not say). 0; -ENOENT none; -ENOEXEC only a dynamically
 * linked one (why says which). */
int initramfs_busybox(char *path, size_t size, char *version, size_t vsize, char *why,
		      size_t whylen);
/* Writes the initramfs for plan to path (created exclusively, 0600). 0 or -errno (why says). */
int initramfs_build(const char *path, const char *busybox, const struct guest_plan *plan, char *why,
		    size_t whylen);

#endif
