/* The guest kernel: its release (read from the image) and the modules a boot needs (modules.dep). */
#ifndef SOCKLEAK_VM_KMOD_H
#define SOCKLEAK_VM_KMOD_H

#include <stdbool.h>
#include <stddef.h>

#define KMOD_MAX 48

/* A module the guest needs: required ones stop the boot when the kernel has neither it built in
 * nor as a module; optional ones are left out with a note. */
struct kmod_want {
	const char *name; /* as the kernel names it: "9pnet_virtio" */
	bool required;
	const char *config; /* the kernel option that provides it, for messages */
};

/* The modules to load, in an order that satisfies their dependencies. */
struct kmod_list {
	unsigned n;
	char *path[KMOD_MAX]; /* absolute */
	char name[KMOD_MAX][64];
	unsigned builtin; /* wanted modules the kernel has built in */
	char missing[256]; /* optional modules it has not at all, blank-separated */
};

/*
 * The release the image was built as ("6.1.0-57-amd64"), from a bzImage's setup header, and the
 * whole version string when full is not NULL. 0, -ENOEXEC (not a bzImage) or -errno.
 */
int kmod_image_release(const char *image, char *release, size_t size, char *full, size_t fsize);
/*
 * Resolves want[] against the module tree dir (its modules.dep and modules.builtin) into out.
 * 0; -ENOENT when dir has no modules.dep; -ESRCH when a required module is missing (why names
 * it and its kernel option); -ENOMEM or -errno from reading.
 */
int kmod_resolve(const char *dir, const struct kmod_want *want, size_t n, struct kmod_list *out,
		 char *why, size_t whylen);
void kmod_list_free(struct kmod_list *l);
/* "kernel/fs/9p/9p.ko" -> "9p"; "nf-foo.ko.xz" -> "nf_foo": the name modules go by. */
void kmod_name(const char *path, char *name, size_t size);
/* The file name's ending from ".ko" on: ".ko", ".ko.xz" (insmod tells them apart by it). */
const char *kmod_suffix(const char *path);

#endif
