/* Unit tests for src/cli/engine_opts.c: values, defaults, presets and refused combinations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/engine_opts.h"
#include "common.h"
#include "engine/seq.h"

static void test_values(void **state)
{
	struct run_config cfg = { 0 };

	(void)state;
	run_config_defaults(&cfg);
	assert_int_equal(cfg.threads, 1);
	assert_int_equal(cfg.transport, TR_TCP);
	assert_true(cfg.server_threads >= 1);
	assert_int_equal(opt_set(engine_opts, "threads", "4", &cfg), 0);
	assert_int_equal(cfg.threads, 4);
	assert_int_equal(opt_set(engine_opts, "threads", "0", &cfg), -EINVAL);
	assert_int_equal(opt_set(engine_opts, "threads", "2x", &cfg), -EINVAL);
	assert_int_equal(opt_set(engine_opts, "seconds", "500ms", &cfg), 0);
	assert_float_equal(cfg.seconds, 0.5, 1e-9);
	assert_int_equal(opt_set(engine_opts, "seconds", "0", &cfg), -EINVAL);
	assert_int_equal(opt_set(engine_opts, "ops", "123", &cfg), 0);
	assert_int_equal(cfg.ops, 123);
	assert_int_equal(opt_set(engine_opts, "ops", "-1", &cfg), -EINVAL);
	assert_int_equal(opt_set(engine_opts, "rate", "1e3", &cfg), 0);
	assert_float_equal(cfg.rate, 1000, 1e-9);
	assert_false(cfg.rate_max);
	assert_int_equal(opt_set(engine_opts, "rate", "max", &cfg), 0);
	assert_float_equal(cfg.rate, 0, 1e-9);
	assert_true(cfg.rate_max);
	assert_int_equal(opt_set(engine_opts, "rate", "0", &cfg), -EINVAL);
	/* Durations end within a day. */
	assert_int_equal(opt_set(engine_opts, "seconds", "24h", &cfg), 0);
	assert_int_equal(opt_set(engine_opts, "seconds", "1e99", &cfg), -EINVAL);
	assert_int_equal(opt_set(engine_opts, "seconds", "86401", &cfg), -EINVAL);
	assert_float_equal(cfg.seconds, 86400, 1e-9);
	assert_int_equal(opt_set(engine_opts, "transport", "unix-dgram", &cfg), 0);
	assert_int_equal(cfg.transport, TR_UNIX_DGRAM);
	assert_int_equal(opt_set(engine_opts, "transport", "sctp", &cfg), -EINVAL);
	assert_int_equal(opt_set(engine_opts, "server-close", "rst", &cfg), 0);
	assert_int_equal(cfg.server_close, SC_RST);
	assert_string_equal(server_close_name(cfg.server_close), "rst");
	assert_int_equal(opt_set(engine_opts, "server-close", "later", &cfg), -EINVAL);
	assert_int_equal(opt_set(engine_opts, "netns-sysctl", "kernel.foo=1", &cfg), -EINVAL);
	/* A key names a file under /proc/sys/net and nothing else. */
	assert_int_equal(opt_set(engine_opts, "netns-sysctl", "net.ipv4/../x=1", &cfg), -EINVAL);
	assert_int_equal(opt_set(engine_opts, "netns-sysctl", "net.ipv4..x=1", &cfg), -EINVAL);
	assert_int_equal(opt_set(engine_opts, "netns-sysctl", "net.ipv4.=1", &cfg), -EINVAL);
	assert_int_equal(opt_set(engine_opts, "netns-sysctl", "net.=1", &cfg), -EINVAL);
	assert_int_equal(opt_set(engine_opts, "netns-sysctl", "net.ipv4.tcp_tw_reuse=1", &cfg), 0);
	assert_int_equal(opt_set(engine_opts, "netns-sysctl", "net.ipv4.conf.lo.rp_filter=1", &cfg),
			 0);
	assert_int_equal(cfg.nsysctl, 2);
	assert_int_equal(opt_set(engine_opts, "no-netns", NULL, &cfg), 0);
	assert_false(cfg.netns);
	assert_int_equal(opt_set(engine_opts, "json", "x", &cfg), -ENOENT);
}

/* The defaults of a run on the host's stack: Linux without a namespace (that needs root);
 * Windows has none to leave out, and refuses --no-netns. */
static void host_defaults(struct run_config *cfg)
{
	run_config_defaults(cfg);
#ifndef _WIN32
	cfg->netns = false;
#endif
}

static void test_finish(void **state)
{
	struct run_config cfg = { 0 };

	(void)state;
	host_defaults(&cfg);
	assert_int_equal(engine_opts_finish(&cfg), 0);
	assert_string_equal(cfg.preset, "kb171996");
	assert_string_equal(cfg.sequence, "socket,setsockopt:SO_REUSEADDR=1,connect,send:64,close");
	assert_non_null(cfg.seq);
	assert_float_equal(cfg.seconds, 10, 1e-9);
	engine_opts_free(&cfg);

	host_defaults(&cfg);
	cfg.ops = 5;
	cfg.sequence = "crr";
#ifdef _WIN32
	assert_int_equal(engine_opts_finish(&cfg), 0);
	assert_float_equal(cfg.seconds, 0, 1e-9); /* until --ops */
	assert_false(cfg.netns);
	engine_opts_free(&cfg);

	/* What Windows does not have is refused with a reason, not ignored. */
	run_config_defaults(&cfg);
	cfg.netns = false; /* --no-netns */
	assert_int_equal(engine_opts_finish(&cfg), SL_EXIT_USAGE);
	assert_null(cfg.seq);
	host_defaults(&cfg);
	cfg.transport = TR_UNIX_DGRAM;
	assert_int_equal(engine_opts_finish(&cfg), SL_EXIT_USAGE);
	assert_null(cfg.seq);
#else
	cfg.transport = TR_UNIX_DGRAM;
	assert_int_equal(engine_opts_finish(&cfg), 0);
	assert_float_equal(cfg.seconds, 0, 1e-9); /* until --ops */
	assert_non_null(strstr(cfg.sequence, "bind"));
	engine_opts_free(&cfg);
#endif

	host_defaults(&cfg);
	cfg.sequence = "socket,connect,sennd:64,close";
	assert_int_equal(engine_opts_finish(&cfg), SL_EXIT_USAGE);
	assert_null(cfg.seq);

	host_defaults(&cfg);
	cfg.sequence = "halfclose";
	cfg.transport = TR_UDP;
	assert_int_equal(engine_opts_finish(&cfg), SL_EXIT_USAGE);

	host_defaults(&cfg);
	cfg.server_close = SC_NEVER_READ;
	cfg.sequence = "crr";
	assert_int_equal(engine_opts_finish(&cfg), SL_EXIT_USAGE);
	assert_null(cfg.seq);

	host_defaults(&cfg);
	cfg.server_close = SC_RST;
	cfg.transport = TR_UDP;
	assert_int_equal(engine_opts_finish(&cfg), SL_EXIT_USAGE);

	host_defaults(&cfg);
	cfg.netns_sysctl[0] = "net.ipv4.tcp_tw_reuse=1";
	cfg.nsysctl = 1;
	assert_int_equal(engine_opts_finish(&cfg), SL_EXIT_USAGE);

	run_config_defaults(&cfg);
	cfg.target = "127.0.0.1"; /* no port */
	assert_int_equal(engine_opts_finish(&cfg), SL_EXIT_USAGE);

	run_config_defaults(&cfg);
	cfg.target = "127.0.0.1:9";
	assert_int_equal(engine_opts_finish(&cfg), 0);
	assert_false(cfg.netns); /* the target lives in the host's namespace */
	engine_opts_free(&cfg);

	/* Another host only at a rate asked for (nothing is sent here: finish only checks). */
	run_config_defaults(&cfg);
	cfg.target = "198.51.100.1:9";
	assert_int_equal(engine_opts_finish(&cfg), SL_EXIT_USAGE);
	assert_null(cfg.seq);
	run_config_defaults(&cfg);
	cfg.target = "198.51.100.1:9";
	cfg.rate = 100;
	assert_int_equal(engine_opts_finish(&cfg), 0);
	engine_opts_free(&cfg);
	run_config_defaults(&cfg);
	cfg.target = "198.51.100.1:9";
	assert_int_equal(opt_set(engine_opts, "rate", "max", &cfg), 0);
	assert_int_equal(engine_opts_finish(&cfg), 0);
	engine_opts_free(&cfg);

	host_defaults(&cfg);
	cfg.ops = 1ULL << 40;
	cfg.inject_leak = 2;
	assert_int_equal(engine_opts_finish(&cfg), SL_EXIT_USAGE);
	assert_null(cfg.seq);
}

static void test_help(void **state)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	(void)state;
	opt_print_rows(f, engine_opts, 100);
	fclose(f);
	assert_non_null(strstr(out, "--sequence"));
	assert_non_null(strstr(out, "--inject-leak"));
	assert_non_null(strstr(out, "--target"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_finish),
		cmocka_unit_test(test_help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
