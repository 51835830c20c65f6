/* Unit tests for src/vm/guest.c and src/vm/qemu.c: the guest's init and qemu's command line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vm/guest.h"
#include "vm/qemu.h"

static char *text(int (*stage)(FILE *, const struct guest_plan *), const struct guest_plan *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(stage(f, p), 0);
	fclose(f);
	return buf;
}

/* The scripts are valid sh, as busybox's sh parses them ("sh -n"). */
static void syntax_ok(const char *script)
{
	char path[] = "/tmp/sockleak-stage-XXXXXX", cmd[128];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, script, strlen(script)), (ssize_t)strlen(script));
	close(fd);
	snprintf(cmd, sizeof(cmd), "busybox sh -n %s", path);
	assert_int_equal(system(cmd), 0);
	unlink(path);
}

static const char *const env[] = { "SOCKLEAK_VM=qemu/tcg", "SOCKLEAK_VM_KERNEL=/k 'x'", NULL };

static void test_quote(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	guest_quote(f, "it's $HOME `x` \"y\"");
	fclose(f);
	assert_string_equal(buf, "'it'\\''s $HOME `x` \"y\"'");
	free(buf);
}

static void test_stages(void **state)
{
	char *argv[] = { "run", "--sequence", "socket,connect,send:1k,close", "--json",
			 "/run/sockleak/out/0/it's.json" };
	struct kmod_list mods = { .n = 2 };
	struct guest_plan p = {
		.mods = &mods,
		.modules_dir = "/root/.cache/k/lib/modules/6.1.0-57-amd64",
		.exe = "/work/build/sockleak",
		.cwd = "/home/me/my dir",
		.hostname = "box",
		.argc = 5,
		.argv = argv,
		.env = env,
	};
	char *s1, *s2;

	(void)state;
	mods.path[0] = "/x/kernel/drivers/virtio/virtio_ring.ko";
	mods.path[1] = "/x/kernel/net/9p/9pnet_virtio.ko.xz";
	strcpy(mods.name[0], "virtio_ring");
	strcpy(mods.name[1], "9pnet_virtio");
	s1 = text(guest_stage1, &p);
	s2 = text(guest_stage2, &p);
	syntax_ok(s1);
	syntax_ok(s2);
	/* Modules in order, each by the name the initramfs holds it under. */
	assert_true(strstr(s1, "insmod /lib/modules/virtio_ring.ko ") <
		    strstr(s1, "insmod /lib/modules/9pnet_virtio.ko.xz "));
	assert_non_null(strstr(s1, "mount --bind /new'/root/.cache/k/lib/modules/6.1.0-57-amd64'"));
	assert_non_null(strstr(s1, "lowerdir=/host"));
	assert_non_null(strstr(s1, "switch_root /new"));
	/* The command, each word quoted; its output on the ports; the end said on the control. */
	assert_non_null(strstr(s2, "'/work/build/sockleak' 'run' '--sequence' "
				   "'socket,connect,send:1k,close' '--json' "
				   "'/run/sockleak/out/0/it'\\''s.json' </dev/null >\"$OUT\" "
				   "2>\"$ERR\""));
	assert_non_null(strstr(s2, "cd '/home/me/my dir'"));
	assert_non_null(strstr(s2, "export 'SOCKLEAK_VM=qemu/tcg'"));
	assert_non_null(strstr(s2, "hostname 'box'"));
	assert_non_null(strstr(s2, "echo start >&3"));
	assert_non_null(strstr(s2, "echo \"exit $rc\" >&3"));
	free(s1);
	free(s2);
	/* Without a module tree, nothing is bound and modprobe is left alone. */
	p.modules_dir = NULL;
	s1 = text(guest_stage1, &p);
	syntax_ok(s1);
	assert_null(strstr(s1, "modprobe"));
	free(s1);
}

static bool has(char **v, const char *a, const char *b)
{
	size_t i;

	for (i = 0; v[i] && v[i + 1]; i++)
		if (!strcmp(v[i], a) && (!b || !strcmp(v[i + 1], b)))
			return true;
	return false;
}

static void test_qemu_argv(void **state)
{
	struct qemu_plan p = {
		.qemu = "/usr/bin/qemu-system-x86_64",
		.accel = VM_ACCEL_TCG,
		.cpus = 1,
		.memory = 2ULL << 30,
		.kernel = "/k/vmlinuz",
		.initrd = "/tmp/x/initramfs.0.cpio",
		.append = "loglevel=7",
		.share = "/tmp/a,b/out",
	};
	char **v = qemu_argv(&p);

	(void)state;
	assert_non_null(v);
	assert_string_equal(v[0], p.qemu);
	assert_true(has(v, "-machine", "q35,accel=tcg"));
	assert_true(has(v, "-cpu", "max"));
	assert_true(has(v, "-smp", "1"));
	assert_true(has(v, "-m", "2048M"));
	assert_true(has(v, "-kernel", "/k/vmlinuz"));
	assert_true(has(v, "-append", "console=ttyS0 quiet panic=-1 rdinit=/init loglevel=7"));
	assert_true(has(v, "-no-reboot", NULL));
	/* The host's root read-only; a comma in the share's path is doubled for QEMU. */
	assert_true(has(v, "-fsdev",
			"local,id=root,path=/,security_model=none,readonly=on,multidevs=remap"));
	assert_true(has(v, "-fsdev", "local,id=out,path=/tmp/a,,b/out,security_model=none"));
	assert_true(has(v, "-chardev", "socket,id=c0,fd=3"));
	assert_true(has(v, "-chardev", "socket,id=c3,fd=6"));
	assert_true(has(v, "-device", "virtserialport,bus=vs.0,chardev=c1,name=" GUEST_PORT_CTL));
	qemu_argv_free(v);
	p.accel = VM_ACCEL_KVM;
	p.append = NULL;
	v = qemu_argv(&p);
	assert_true(has(v, "-machine", "q35,accel=kvm"));
	assert_true(has(v, "-cpu", "host"));
	assert_true(has(v, "-append", "console=ttyS0 quiet panic=-1 rdinit=/init"));
	qemu_argv_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_stages),
		cmocka_unit_test(test_qemu_argv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
