/* Unit tests for src/vm/cpio.c and src/vm/initramfs.c: an archive the kernel can unpack. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm/cpio.h"
#include "vm/initramfs.h"

/* One entry read back: the newc format as the kernel's initramfs unpacker reads it. */
struct entry {
	char name[128];
	unsigned mode;
	size_t size;
	const char *data;
};

static unsigned hex8(const char *p)
{
	char b[9];

	memcpy(b, p, 8);
	b[8] = '\0';
	return (unsigned)strtoul(b, NULL, 16);
}

/* Reads up to max entries of buf; returns how many, the trailer excluded; -1 on a bad header. */
static int parse(const char *buf, size_t len, struct entry *e, int max)
{
	size_t at = 0, namesize;
	int n = 0;

	while (at + 110 <= len && n < max) {
		if (memcmp(buf + at, "070701", 6))
			return -1;
		e[n].mode = hex8(buf + at + 14);
		e[n].size = hex8(buf + at + 54);
		namesize = hex8(buf + at + 94);
		snprintf(e[n].name, sizeof(e[n].name), "%s", buf + at + 110);
		if (strlen(e[n].name) + 1 != namesize)
			return -1;
		at = (at + 110 + namesize + 3) & ~(size_t)3;
		e[n].data = buf + at;
		at = (at + e[n].size + 3) & ~(size_t)3;
		if (at > len + 3)
			return -1;
		if (!strcmp(e[n].name, "TRAILER!!!"))
			return n;
		n++;
	}
	return -1;
}

static void test_archive(void **state)
{
	struct entry e[8];
	struct cpio c;
	char *buf = NULL, src[] = "/tmp/sockleak-cpio-XXXXXX";
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int fd = mkstemp(src);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello", 5), 5);
	close(fd);
	cpio_begin(&c, f);
	cpio_dir(&c, "bin", 0755);
	cpio_data(&c, "init", 0755, "#!/bin/sh\n", 10);
	cpio_symlink(&c, "bin/sh", "busybox");
	cpio_copy(&c, "bin/x", 0644, src);
	assert_int_equal(cpio_end(&c), 0);
	fclose(f);
	unlink(src);
	/* Every header and every file body starts at a multiple of 4 bytes. */
	assert_int_equal(len % 4, 0);
	assert_int_equal(parse(buf, len, e, 8), 4);
	assert_string_equal(e[0].name, "bin");
	assert_int_equal(e[0].mode, S_IFDIR | 0755);
	assert_string_equal(e[1].name, "init");
	assert_int_equal(e[1].mode, S_IFREG | 0755);
	assert_int_equal(e[1].size, 10);
	assert_memory_equal(e[1].data, "#!/bin/sh\n", 10);
	assert_int_equal(e[2].mode & S_IFMT, S_IFLNK);
	assert_memory_equal(e[2].data, "busybox", 7);
	assert_int_equal(e[3].size, 5);
	assert_memory_equal(e[3].data, "hello", 5);
	free(buf);
}

static void test_copy_errors(void **state)
{
	struct cpio c;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	cpio_begin(&c, f);
	cpio_copy(&c, "x", 0644, "/nonexistent/file");
	/* The first error is kept, and everything after it is a no-op. */
	cpio_copy(&c, "y", 0644, "/tmp");
	assert_int_equal(cpio_end(&c), -ENOENT);
	cpio_begin(&c, f);
	cpio_copy(&c, "y", 0644, "/tmp"); /* a directory is not a file to copy */
	assert_int_equal(cpio_end(&c), -EINVAL);
	fclose(f);
	free(buf);
}

/* The initramfs holds busybox, its sh, the modules by name and both init stages. */
static void test_initramfs(void **state)
{
	char bb[256], ver[32], why[256] = "", path[] = "/tmp/sockleak-initrd-XXXXXX";
	char mod[] = "/tmp/sockleak-mod-XXXXXX";
	struct kmod_list mods = { 0 };
	struct guest_plan plan = { 0 };
	char *argv[] = { "churn", "--ops", "5" };
	struct entry e[16];
	struct stat st;
	char *buf;
	FILE *f;
	int fd, n, i;
	bool init = false, stage2 = false, ko = false, busybox = false;

	(void)state;
	if (initramfs_busybox(bb, sizeof(bb), ver, sizeof(ver), why, sizeof(why))) {
		/* Debian's busybox-static is a dependency (scripts/deps.txt). */
		fail_msg("no static busybox: %s", why);
	}
	assert_non_null(strchr(ver, '.'));
	fd = mkstemp(mod);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "\177ELF", 4), 4);
	close(fd);
	mods.n = 1;
	mods.path[0] = mod;
	snprintf(mods.name[0], sizeof(mods.name[0]), "9pnet_virtio");
	plan.mods = &mods;
	plan.exe = "/usr/bin/sockleak";
	plan.cwd = "/";
	plan.argc = 3;
	plan.argv = argv;
	fd = mkstemp(path);
	close(fd);
	unlink(path); /* initramfs_build creates it exclusively */
	assert_int_equal(initramfs_build(path, bb, &plan, why, sizeof(why)), 0);
	/* Exclusively: a second build onto the same name is refused. */
	assert_int_equal(initramfs_build(path, bb, &plan, why, sizeof(why)), -EEXIST);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	buf = malloc((size_t)st.st_size);
	f = fopen(path, "r");
	assert_int_equal(fread(buf, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	fclose(f);
	n = parse(buf, (size_t)st.st_size, e, 16);
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		init |= !strcmp(e[i].name, "init") && e[i].mode == (S_IFREG | 0755);
		stage2 |= !strcmp(e[i].name, "stage2");
		ko |= !strcmp(e[i].name, "lib/modules/9pnet_virtio.ko") && e[i].size == 4;
		busybox |= !strcmp(e[i].name, "bin/busybox") && e[i].size > 100000;
	}
	assert_true(init && stage2 && ko && busybox);
	free(buf);
	unlink(path);
	unlink(mod);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_archive),
		cmocka_unit_test(test_copy_errors),
		cmocka_unit_test(test_initramfs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
