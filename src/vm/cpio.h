/* A newc cpio archive writer: what the kernel unpacks as an initramfs. */
#ifndef SOCKLEAK_VM_CPIO_H
#define SOCKLEAK_VM_CPIO_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

struct cpio {
	FILE *f;
	unsigned ino; /* the next inode number */
	int err; /* the first write error (-errno); every later call is a no-op */
};

/* Starts an archive on f (already open for writing). */
void cpio_begin(struct cpio *c, FILE *f);
/* A directory; parents must come first, as in any cpio archive. */
void cpio_dir(struct cpio *c, const char *path, mode_t mode);
/* A regular file with the given contents. */
void cpio_data(struct cpio *c, const char *path, mode_t mode, const void *data, size_t len);
/* A regular file copied from src on this machine; -errno from opening or reading it is kept. */
void cpio_copy(struct cpio *c, const char *path, mode_t mode, const char *src);
void cpio_symlink(struct cpio *c, const char *path, const char *target);
/* The trailer; returns 0 or the first error (-errno). Does not close f. */
int cpio_end(struct cpio *c);

#endif
