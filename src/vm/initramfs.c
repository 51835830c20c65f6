/* The guest's initramfs: a static busybox, the modules the boot needs, and the two init stages. */
#include "vm/initramfs.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm/cpio.h"

/* 1 when the ELF file at fd has no program interpreter (statically linked), 0 when it has one. */
static int elf_static(int fd)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	unsigned i;

	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(ph))
		return -ENOEXEC;
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (uint64_t)i * sizeof(ph))) !=
		    (ssize_t)sizeof(ph))
			return -ENOEXEC;
		if (ph.p_type == PT_INTERP)
			return 0;
	}
	return 1;
}

/* "BusyBox v1.35.0 (Debian ...)" in the binary's own banner -> "1.35.0". */
static void busybox_version(int fd, char *version, size_t size)
{
	static const char tag[] = "BusyBox v";
	struct stat st;
	const char *p, *end;
	void *map;
	size_t n;

	version[0] = '\0';
	if (fstat(fd, &st) || !st.st_size)
		return;
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return;
	p = memmem(map, (size_t)st.st_size, tag, sizeof(tag) - 1);
	if (p) {
		p += sizeof(tag) - 1;
		end = p;
		while (end < (const char *)map + st.st_size && end - p < 32 &&
		       (*end == '.' || (*end >= '0' && *end <= '9')))
			end++;
		n = (size_t)(end - p) < size - 1 ? (size_t)(end - p) : size - 1;
		memcpy(version, p, n);
		version[n] = '\0';
	}
	munmap(map, (size_t)st.st_size);
}

int initramfs_busybox(char *path, size_t size, char *version, size_t vsize, char *why,
		      size_t whylen)
{
	static const char *const where[] = { "/bin/busybox", "/usr/bin/busybox" };
	const char *dynamic = NULL;
	unsigned i;
	int fd, st;

	for (i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		fd = open(where[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		st = elf_static(fd);
		if (st == 1) {
			busybox_version(fd, version, vsize);
			close(fd);
			snprintf(path, size, "%s", where[i]);
			return 0;
		}
		close(fd);
		if (!dynamic)
			dynamic = where[i];
	}
	if (dynamic) {
		snprintf(why, whylen,
			 "%s is linked dynamically and cannot run in an initramfs: install "
			 "Debian's busybox-static (apt-get install busybox-static)",
			 dynamic);
		return -ENOEXEC;
	}
	snprintf(why, whylen,
		 "no busybox found: install Debian's busybox-static "
		 "(apt-get install busybox-static)");
	return -ENOENT;
}

/* Writes one init stage into memory, for the archive. */
static int stage(int (*write)(FILE *, const struct guest_plan *), const struct guest_plan *plan,
		 char **text, size_t *len)
{
	FILE *f = open_memstream(text, len);
	int err;

	if (!f)
		return -errno;
	err = write(f, plan);
	if (fclose(f) && !err)
		err = -EIO;
	return err;
}

int initramfs_build(const char *path, const char *busybox, const struct guest_plan *plan, char *why,
		    size_t whylen)
{
	char *s1 = NULL, *s2 = NULL, name[128];
	size_t l1 = 0, l2 = 0;
	struct cpio c;
	unsigned i;
	FILE *f;
	int fd, err;

	err = stage(guest_stage1, plan, &s1, &l1);
	if (!err)
		err = stage(guest_stage2, plan, &s2, &l2);
	if (err) {
		snprintf(why, whylen, "cannot write the guest's init: %s", strerror(-err));
		goto out;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		err = -errno;
		if (fd >= 0)
			close(fd);
		snprintf(why, whylen, "cannot create %s: %s", path, strerror(-err));
		goto out;
	}
	cpio_begin(&c, f);
	cpio_dir(&c, "bin", 0755);
	cpio_copy(&c, "bin/busybox", 0755, busybox);
	cpio_symlink(&c, "bin/sh", "busybox");
	cpio_dir(&c, "lib", 0755);
	cpio_dir(&c, "lib/modules", 0755);
	for (i = 0; plan->mods && i < plan->mods->n && !c.err; i++) {
		snprintf(name, sizeof(name), "lib/modules/%s%s", plan->mods->name[i],
			 kmod_suffix(plan->mods->path[i]));
		cpio_copy(&c, name, 0644, plan->mods->path[i]);
		if (c.err)
			snprintf(why, whylen, "cannot read module %s: %s", plan->mods->path[i],
				 strerror(-c.err));
	}
	cpio_data(&c, "init", 0755, s1, l1);
	cpio_data(&c, "stage2", 0644, s2, l2);
	err = cpio_end(&c);
	if (fclose(f) && !err)
		err = -errno;
	if (err && !why[0])
		snprintf(why, whylen, "cannot write %s: %s", path, strerror(-err));
out:
	free(s1);
	free(s2);
	return err;
}
