/* Unit tests for src/vm/kmod.c: the release in a bzImage, the boot modules in load order. */
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

#include "vm/kmod.h"

static char dir[64];

static void put(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/sockleak-kmod-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void test_names(void **state)
{
	char n[64];

	(void)state;
	kmod_name("kernel/net/9p/9pnet_virtio.ko", n, sizeof(n));
	assert_string_equal(n, "9pnet_virtio");
	kmod_name("/x/nf-conntrack.ko.xz", n, sizeof(n));
	assert_string_equal(n, "nf_conntrack");
	assert_string_equal(kmod_suffix("/a/b/virtio.ko.zst"), ".ko.zst");
	assert_string_equal(kmod_suffix("kernel/fs/9p/9p.ko"), ".ko");
}

/* A bzImage's setup header points at its version string: "6.1.0-57-amd64 (...) #1 SMP ...". */
static void test_release(void **state)
{
	static const char ver[] = "6.1.0-57-amd64 (debian-kernel@lists.debian.org) #1 SMP";
	unsigned char img[0x600] = { 0 };
	char path[128], rel[65], full[256];
	FILE *f;

	(void)state;
	memcpy(img + 0x202, "HdrS", 4);
	img[0x20e] = 0x00; /* the string at 0x300 + 0x200 */
	img[0x20f] = 0x03;
	memcpy(img + 0x500, ver, sizeof(ver));
	snprintf(path, sizeof(path), "%s/vmlinuz", dir);
	f = fopen(path, "w");
	fwrite(img, 1, sizeof(img), f);
	fclose(f);
	assert_int_equal(kmod_image_release(path, rel, sizeof(rel), full, sizeof(full)), 0);
	assert_string_equal(rel, "6.1.0-57-amd64");
	assert_string_equal(full, ver);
	/* Anything else is not a kernel image sockleak can read. */
	put("notakernel", "#!/bin/sh\n");
	snprintf(path, sizeof(path), "%s/notakernel", dir);
	assert_int_equal(kmod_image_release(path, rel, sizeof(rel), NULL, 0), -ENOEXEC);
	assert_int_equal(kmod_image_release("/nonexistent", rel, sizeof(rel), NULL, 0), -ENOENT);
}

/* modules.dep as depmod writes it: after the colon, what a module needs, loaded last first. */
static const char dep[] =
	"kernel/drivers/virtio/virtio_ring.ko:\n"
	"kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko\n"
	"kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio_pci_modern_dev.ko "
	"kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko\n"
	"kernel/drivers/virtio/virtio_pci_modern_dev.ko:\n"
	"kernel/net/9p/9pnet.ko:\n"
	"kernel/net/9p/9pnet_virtio.ko: kernel/drivers/virtio/virtio.ko kernel/net/9p/9pnet.ko "
	"kernel/drivers/virtio/virtio_ring.ko\n"
	"kernel/fs/overlayfs/overlay.ko:\n";

static const struct kmod_want want[] = {
	{ "virtio_pci", true, "CONFIG_VIRTIO_PCI" },
	{ "9pnet_virtio", true, "CONFIG_NET_9P_VIRTIO" },
	{ "9p", true, "CONFIG_9P_FS" },
	{ "fuse", false, "CONFIG_FUSE_FS" },
};

static int at(const struct kmod_list *l, const char *name)
{
	unsigned i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->name[i], name))
			return (int)i;
	return -1;
}

static void test_resolve(void **state)
{
	struct kmod_list l;
	char why[256] = "", path[128];

	(void)state;
	assert_int_equal(kmod_resolve(dir, want, 4, &l, why, sizeof(why)), -ENOENT);
	put("modules.dep", dep);
	/* 9p is neither built in nor a module: the boot cannot mount the host's root. */
	assert_int_equal(kmod_resolve(dir, want, 4, &l, why, sizeof(why)), -ESRCH);
	assert_non_null(strstr(why, "no module 9p"));
	assert_non_null(strstr(why, "CONFIG_9P_FS"));
	put("modules.builtin", "kernel/fs/9p/9p.ko\n");
	assert_int_equal(kmod_resolve(dir, want, 4, &l, why, sizeof(why)), 0);
	assert_int_equal(l.builtin, 1);
	assert_string_equal(l.missing, "fuse");
	/* Each module once, after everything it needs. */
	assert_int_equal(l.n, 6);
	assert_true(at(&l, "virtio_ring") < at(&l, "virtio"));
	assert_true(at(&l, "virtio") < at(&l, "virtio_pci"));
	assert_true(at(&l, "virtio_pci_modern_dev") < at(&l, "virtio_pci"));
	assert_true(at(&l, "9pnet") < at(&l, "9pnet_virtio"));
	assert_true(at(&l, "virtio") < at(&l, "9pnet_virtio"));
	snprintf(path, sizeof(path), "%s/kernel/net/9p/9pnet.ko", dir);
	assert_string_equal(l.path[at(&l, "9pnet")], path);
	kmod_list_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_release),
		cmocka_unit_test(test_resolve),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
