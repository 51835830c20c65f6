/* Unit tests for src/engine/guard.c: meminfo parsing, the floor and the drop share. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/guard.h"

static char path[64];

static void write_meminfo(unsigned long long total_kb, unsigned long long avail_kb)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f, "MemTotal:       %llu kB\nMemFree:         1000 kB\nMemAvailable:   %llu kB\n",
		total_kb, avail_kb);
	fclose(f);
}

static int setup(void **state)
{
	int fd;

	(void)state;
	strcpy(path, "/tmp/sockleak-meminfo-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static void test_parse(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(
		guard_meminfo_value("MemTotal: 10 kB\nMemAvailable:  7 kB\n", "MemAvailable", &v),
		0);
	assert_int_equal(v, 7 * 1024);
	assert_int_equal(guard_meminfo_value("MemTotal: 10 kB\n", "MemAvailable", &v), -ENOENT);
	/* A key that is a prefix of another must not match it. */
	assert_int_equal(guard_meminfo_value("MemTotalX: 5 kB\nMemTotal: 6 kB\n", "MemTotal", &v),
			 0);
	assert_int_equal(v, 6 * 1024);
}

static void test_floor_and_drop(void **state)
{
	struct guard g = { .path = path };
	char why[256];

	(void)state;
	/* 24 GiB total, 20 GiB available: floor is 10% of total, 2.4 GiB. */
	write_meminfo(24ULL << 20, 20ULL << 20);
	assert_int_equal(guard_init(&g), 0);
	assert_true(g.floor > (2ULL << 30) && g.floor < (3ULL << 30));
	assert_false(guard_tripped(&g, why, sizeof(why)));
	write_meminfo(24ULL << 20, 11ULL << 20);
	assert_false(guard_tripped(&g, why, sizeof(why)));
	write_meminfo(24ULL << 20, 9ULL << 20); /* fell by more than half */
	assert_true(guard_tripped(&g, why, sizeof(why)));
	assert_non_null(strstr(why, "fell from"));
	/* Small machine: 4 GiB total, the 1 GiB floor wins over 10%. */
	write_meminfo(4ULL << 20, 1500ULL << 10);
	g.drop_share = 0;
	assert_int_equal(guard_init(&g), 0);
	assert_int_equal(g.floor, 1ULL << 30);
	write_meminfo(4ULL << 20, 900ULL << 10);
	assert_true(guard_tripped(&g, why, sizeof(why)));
	assert_non_null(strstr(why, "below the floor"));
}

/* In a VM of sockleak vm the guest's memory is fixed: a 2 GiB guest keeps room for a run. */
static void test_floor_in_vm(void **state)
{
	struct guard g = { .path = path };
	char why[256];

	(void)state;
	setenv("SOCKLEAK_VM", "qemu/tcg", 1);
	write_meminfo(2ULL << 20, 1800ULL << 10);
	assert_int_equal(guard_init(&g), 0);
	assert_int_equal(g.floor, 256ULL << 20);
	write_meminfo(2ULL << 20, 1000ULL << 10);
	assert_false(guard_tripped(&g, why, sizeof(why)));
	write_meminfo(2ULL << 20, 200ULL << 10);
	assert_true(guard_tripped(&g, why, sizeof(why)));
	assert_non_null(strstr(why, "max of 256 MiB"));
	unsetenv("SOCKLEAK_VM");
	/* On a host of its own the floor is 1 GiB again. */
	g = (struct guard){ .path = path };
	write_meminfo(2ULL << 20, 1800ULL << 10);
	assert_int_equal(guard_init(&g), 0);
	assert_int_equal(g.floor, 1ULL << 30);
}

static void test_live(void **state)
{
	struct guard g = { 0 };
	char why[256];

	(void)state;
	assert_int_equal(guard_init(&g), 0);
	assert_true(g.total > 0 && g.start > 0);
	(void)guard_tripped(&g, why, sizeof(why));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_floor_and_drop),
		cmocka_unit_test(test_floor_in_vm),
		cmocka_unit_test(test_live),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
