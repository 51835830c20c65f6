/* Unit tests for src/report/machine.c: the live machine, and a fixture tree for the parsers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "report/machine.h"

static void test_live(void **state)
{
	struct machine m;
	struct utsname u;
	regex_t re;

	(void)state;
	machine_init(&m, "");
	uname(&u);
	assert_string_equal(m.kernel, u.release);
	assert_string_equal(m.arch, u.machine);
	assert_int_equal(m.cores, sysconf(_SC_NPROCESSORS_ONLN));
	assert_true(m.mem_bytes > (64ULL << 20));
	assert_int_equal(m.root, geteuid() == 0);
	assert_string_equal(m.version, SOCKLEAK_VERSION);
	assert_int_equal(regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
				 REG_EXTENDED),
			 0);
	assert_int_equal(regexec(&re, m.start, 0, NULL, 0), 0);
	regfree(&re);
	assert_true(m.cgroup_version >= 0 && m.cgroup_version <= 2);
	assert_false(m.netns);
}

static void put(const char *root, const char *path, const char *text)
{
	char full[512], dir[512], *slash;
	FILE *f;

	snprintf(full, sizeof(full), "%s%s", root, path);
	snprintf(dir, sizeof(dir), "%s", full);
	for (slash = strchr(dir + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(dir, 0755);
		*slash = '/';
	}
	f = fopen(full, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* In a VM of sockleak vm, the guest's init says what was booted; elsewhere those stay empty. */
static void test_vm(void **state)
{
	struct machine m;

	(void)state;
	setenv("SOCKLEAK_VM", "qemu/tcg", 1);
	setenv("SOCKLEAK_VM_KERNEL", "/c/boot/vmlinuz-6.1.0-57-amd64", 1);
	setenv("SOCKLEAK_VM_MODULES", "/c/lib/modules/6.1.0-57-amd64", 1);
	setenv("SOCKLEAK_VM_INITRAMFS", "busybox 1.35.0 (static); modules: 9p", 1);
	machine_init(&m, "");
	assert_string_equal(m.vm, "qemu/tcg");
	assert_string_equal(m.vm_kernel, "/c/boot/vmlinuz-6.1.0-57-amd64");
	assert_string_equal(m.vm_modules, "/c/lib/modules/6.1.0-57-amd64");
	assert_string_equal(m.vm_initramfs, "busybox 1.35.0 (static); modules: 9p");
	unsetenv("SOCKLEAK_VM");
	machine_init(&m, "");
	assert_string_equal(m.vm, "");
	assert_string_equal(m.vm_kernel, "");
	unsetenv("SOCKLEAK_VM_KERNEL");
	unsetenv("SOCKLEAK_VM_MODULES");
	unsetenv("SOCKLEAK_VM_INITRAMFS");
}

static void test_fixture(void **state)
{
	char root[] = "/tmp/sockleak-test-machine.XXXXXX", cmd[600];
	struct run_config cfg = { 0 };
	struct machine m;

	(void)state;
	assert_non_null(mkdtemp(root));
	put(root, "/etc/os-release",
	    "NAME=\"Debian\"\nPRETTY_NAME=\"Debian GNU/Linux 13 (trixie)\"\n");
	put(root, "/proc/cpuinfo", "processor\t: 0\nmodel name\t: Test CPU 9000\nflags\t: x\n");
	put(root, "/proc/meminfo", "MemTotal:        1024 kB\nMemFree: 12 kB\n");
	/* Hybrid: v1 memory controller and a v2 hierarchy: the memory one is what matters. */
	put(root, "/proc/self/cgroup", "12:cpu,cpuacct:/\n7:memory:/process_api/1\n0::/x\n");
	machine_init(&m, root);
	assert_string_equal(m.os, "Debian GNU/Linux 13 (trixie)");
	assert_string_equal(m.cpu, "Test CPU 9000");
	assert_int_equal(m.mem_bytes, 1048576);
	assert_int_equal(m.cgroup_version, 1);
	put(root, "/proc/self/cgroup", "0::/user.slice\n");
	assert_int_equal(machine_cgroup_version(root), 2);
	put(root, "/proc/self/cgroup", "3:cpu:/\n");
	assert_int_equal(machine_cgroup_version(root), 0);
	cfg.netns = true;
	cfg.cgroup = true;
	machine_set_run(&m, &cfg);
	assert_true(m.netns && m.cgroup);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);

	/* Nothing there: empty fields, no failure. */
	machine_init(&m, "/nonexistent");
	assert_string_equal(m.os, "");
	assert_int_equal(m.mem_bytes, 0);
	assert_int_equal(m.cgroup_version, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live),
		cmocka_unit_test(test_vm),
		cmocka_unit_test(test_fixture),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
