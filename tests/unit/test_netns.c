/* Unit tests for src/engine/netns.c and src/run/listen.c: namespaces (root), netstat parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "engine/netns.h"
#include "run/listen.h"

static void test_netstat_value(void **state)
{
	const char *text = "TcpExt: SyncookiesSent ListenOverflows ListenDrops\n"
			   "TcpExt: 1 22 333\n"
			   "IpExt: InNoRoutes ListenDrops\n"
			   "IpExt: 7 8\n";
	uint64_t v;

	(void)state;
	assert_int_equal(netstat_value(text, "TcpExt", "ListenOverflows", &v), 0);
	assert_int_equal(v, 22);
	assert_int_equal(netstat_value(text, "TcpExt", "ListenDrops", &v), 0);
	assert_int_equal(v, 333);
	assert_int_equal(netstat_value(text, "IpExt", "ListenDrops", &v), 0);
	assert_int_equal(v, 8);
	assert_int_equal(netstat_value(text, "TcpExt", "Nope", &v), -ENOENT);
	assert_int_equal(netstat_value("", "TcpExt", "ListenDrops", &v), -ENOENT);
}

static void test_host_counters(void **state)
{
	uint64_t ov, dr;

	(void)state;
	assert_int_equal(netns_listen_counters(-1, &ov, &dr), 0);
}

static char range[64];

static int read_range(void *arg)
{
	(void)arg;
	return (int)sl_read_file("/proc/sys/net/ipv4/ip_local_port_range", range, sizeof(range));
}

static int ino_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (int)st.st_ino;
}

static void test_create(void **state)
{
	const char *sysctls[] = { "net.ipv4.ip_local_port_range=20000 20999" };
	int before, fd, rc;
	char why[256] = "";
	struct stat st;
	uint64_t ov = 1, dr = 1;

	(void)state;
	if (!sl_is_root())
		skip();
	before = ino_of("/proc/thread-self/ns/net");
	fd = netns_create(sysctls, 1, why, sizeof(why));
	assert_true(fd >= 0);
	/* The caller's namespace is unchanged; the new one is another. */
	assert_int_equal(ino_of("/proc/thread-self/ns/net"), before);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_not_equal((int)st.st_ino, before);
	/* The sysctl landed inside it only. */
	rc = netns_run(fd, read_range, NULL);
	assert_true(rc > 0);
	assert_string_equal(range, "20000\t20999\n");
	assert_true(netns_run(-1, read_range, NULL) > 0);
	assert_string_not_equal(range, "20000\t20999\n");
	assert_int_equal(netns_listen_counters(fd, &ov, &dr), 0);
	assert_int_equal(ov, 0);
	assert_int_equal(dr, 0);
	close(fd);
	assert_true(netns_create((const char *[]){ "kernel.x=1" }, 1, why, sizeof(why)) < 0);
	assert_non_null(strstr(why, "net.KEY=VALUE"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netstat_value),
		cmocka_unit_test(test_host_counters),
		cmocka_unit_test(test_create),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
