/* Pool tag parsing on buffers built to the documented x64 layout of SYSTEM_POOLTAG_INFORMATION. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "probe/win/probes.h"

/* As documented (ntexapi.h): the entry's SIZE_T fields give it 8-byte alignment on x64. */
struct doc_pooltag {
	char tag[4];
	uint32_t paged_allocs, paged_frees;
	uint64_t paged_used;
	uint32_t nonpaged_allocs, nonpaged_frees;
	uint64_t nonpaged_used;
};

struct doc_table {
	uint32_t count;
	struct doc_pooltag e[3];
};

static struct doc_table table(void)
{
	struct doc_table t;

	memset(&t, 0, sizeof(t));
	t.count = 3;
	memcpy(t.e[0].tag, "AfdB", 4);
	t.e[0].nonpaged_allocs = 5000;
	t.e[0].nonpaged_frees = 4000;
	t.e[0].nonpaged_used = 1000 * 1024;
	memcpy(t.e[1].tag, "Irp ", 4);
	t.e[1].paged_allocs = 7;
	t.e[1].paged_frees = 2;
	t.e[1].paged_used = 640;
	t.e[1].nonpaged_allocs = 4000000000u;
	t.e[1].nonpaged_frees = 3999999000u;
	t.e[1].nonpaged_used = 0x123456789ull;
	memcpy(t.e[2].tag, "File", 4);
	t.e[2].paged_used = 1;
	return t;
}

struct seen {
	struct pool_tag t[4];
	unsigned n;
	int stop_at; /* return -EIO at this entry; -1: never */
};

static int collect(void *arg, const struct pool_tag *t)
{
	struct seen *s = arg;

	if ((int)s->n == s->stop_at)
		return -EIO;
	s->t[s->n++] = *t;
	return 0;
}

static void test_layout(void **state)
{
	struct doc_table t = table();
	struct seen s = { .stop_at = -1 };

	(void)state;
	/* The layout the parser assumes is the documented one: entries at 8, 40 bytes each. */
	assert_int_equal(offsetof(struct doc_table, e), 8);
	assert_int_equal(sizeof(struct doc_pooltag), 40);
	assert_int_equal(pooltag_parse(&t, sizeof(t), collect, &s), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.t[0].tag, "AfdB");
	assert_int_equal(s.t[0].nonpaged_allocs - s.t[0].nonpaged_frees, 1000);
	assert_int_equal(s.t[0].nonpaged_used, 1000 * 1024);
	assert_string_equal(s.t[1].tag, "Irp ");
	assert_int_equal(s.t[1].paged_allocs, 7);
	assert_int_equal(s.t[1].paged_frees, 2);
	assert_int_equal(s.t[1].paged_used, 640);
	assert_int_equal(s.t[1].nonpaged_allocs, 4000000000u);
	assert_true(s.t[1].nonpaged_used == 0x123456789ull);
	assert_string_equal(s.t[2].tag, "File");
}

static void test_bounds(void **state)
{
	struct doc_table t = table();
	struct seen s = { .stop_at = -1 };
	uint32_t none = 0;

	(void)state;
	/* A count the buffer cannot hold is refused before any entry is read. */
	assert_int_equal(pooltag_parse(&t, sizeof(t) - 1, collect, &s), -EBADMSG);
	assert_int_equal(s.n, 0);
	t.count = 0x7fffffff;
	assert_int_equal(pooltag_parse(&t, sizeof(t), collect, &s), -EBADMSG);
	assert_int_equal(pooltag_parse(&t, 2, collect, &s), -EBADMSG);
	/* An empty table is fine and calls nothing. */
	assert_int_equal(pooltag_parse(&none, sizeof(none), collect, &s), 0);
	assert_int_equal(s.n, 0);
	/* The callback's error stops the walk. */
	t = table();
	s.stop_at = 1;
	assert_int_equal(pooltag_parse(&t, sizeof(t), collect, &s), -EIO);
	assert_int_equal(s.n, 1);
}

static void test_tags(void **state)
{
	char key[64];

	(void)state;
	assert_true(pooltag_is_socket("AfdB"));
	assert_true(pooltag_is_socket("AfdE"));
	assert_true(pooltag_is_socket("TcpE"));
	assert_true(pooltag_is_socket("TTcb"));
	assert_true(pooltag_is_socket("Irp "));
	assert_false(pooltag_is_socket("File"));
	assert_false(pooltag_is_socket("Irp2"));
	pooltag_key("Irp ", "bytes", key, sizeof(key));
	assert_string_equal(key, "pool.tag.Irp.bytes");
	pooltag_key("Af.\x01", "allocs", key, sizeof(key));
	assert_string_equal(key, "pool.tag.Af__.allocs");
	pooltag_key("    ", "bytes", key, sizeof(key));
	assert_string_equal(key, "pool.tag._.bytes");
}

static void test_tcp_states(void **state)
{
	(void)state;
	assert_string_equal(win_tcp_state_name(11), "TIME_WAIT"); /* MIB_TCP_STATE_TIME_WAIT */
	assert_string_equal(win_tcp_state_name(5), "ESTABLISHED");
	assert_string_equal(win_tcp_state_name(2), "LISTEN");
	assert_null(win_tcp_state_name(13));
	assert_null(win_tcp_state_name(0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_tcp_states),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
