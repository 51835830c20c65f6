/* Unit tests for src/engine/engine.c, client.c, server.c: real short runs on loopback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/engine_opts.h"
#include "common.h"
#include "engine/engine.h"
#include "engine/seq.h"
#include "engine/server_seq.h"

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own fd */
}

static long netns_ino(void)
{
	struct stat st;

	return stat("/proc/thread-self/ns/net", &st) ? -1 : (long)st.st_ino;
}

static void config(struct run_config *cfg, const char *seq, enum transport_kind t)
{
	memset(cfg, 0, sizeof(*cfg));
	run_config_defaults(cfg);
	cfg->sequence = seq;
	cfg->transport = t;
	cfg->server_threads = 2;
	cfg->netns = sl_is_root();
}

static void run(struct run_config *cfg, struct engine_stats *st)
{
	struct engine *e;

	assert_int_equal(engine_opts_finish(cfg), 0);
	assert_int_equal(engine_create(cfg, &e), 0);
	assert_int_equal(engine_start(e), 0);
	assert_int_equal(engine_join(e), 0);
	assert_true(engine_done(e));
	engine_stats(e, st);
	engine_destroy(e);
	engine_opts_free(cfg);
}

static void test_ops_exact(void **state)
{
	static const struct {
		enum transport_kind t;
		const char *seq;
	} cases[] = {
		{ TR_TCP, "kb171996" },
		{ TR_TCP, "crr" },
		{ TR_UNIX, "crr" },
		{ TR_UDP, "crr" },
		{ TR_UNIX_DGRAM, "crr" },
		{ TR_TCP6, "halfclose" },
		{ TR_UNIX, "scm-self" },
		{ TR_UNIX_DGRAM, "scm-triangle" },
		{ TR_UNIX, "socketpair,sendfd:3,send@1:10,recv:4:peek,recv:4,recvfd@1,close" },
		{ TR_TCP, "socket,setsockopt:SO_ZEROCOPY=1,connect,sendmsg:10k:iov=3:zerocopy,"
			  "send:1:oob,zcdrain,close" },
	};
	struct run_config cfg;
	struct engine_stats st;
	unsigned i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		config(&cfg, cases[i].seq, cases[i].t);
		cfg.ops = 1001;
		cfg.threads = 3;
		run(&cfg, &st);
		assert_int_equal(st.cycles + st.failed_cycles, 1001);
		assert_int_equal(st.failed_cycles, 0);
		assert_int_equal(st.stop, ENGINE_STOP_OPS);
		assert_int_equal(st.threads, 3);
		assert_int_equal(st.thread_min, 333);
		assert_int_equal(st.thread_max, 334);
		assert_true(st.seconds > 0);
	}
}

/* A send that would block with dontwait is counted, and the cycle goes on to close. */
static void test_would_block(void **state)
{
	struct run_config cfg;
	struct engine_stats st;
	int fds0 = count_fds();

	(void)state;
	config(&cfg,
	       "socket,setsockopt:SO_LINGER=1:0,setsockopt:SO_SNDBUF=4096,connect,"
	       "send:1M:dontwait,close",
	       TR_TCP);
	cfg.server_close = SC_NEVER_READ;
	cfg.ops = 200;
	run(&cfg, &st);
	assert_int_equal(st.cycles, 200);
	assert_int_equal(st.failed_cycles, 0);
	assert_int_equal(st.wouldblock[4], 200);
	assert_int_equal(count_fds(), fds0);
}

/* Each cycle in a namespace of its own: the worker comes back to the run's every time. */
static void test_netns_cycle(void **state)
{
	struct run_config cfg;
	struct engine_stats st;
	long ino = netns_ino();
	int fds0 = count_fds();

	(void)state;
	if (!sl_is_root())
		skip();
	config(&cfg, "netns-kb", TR_TCP);
	cfg.ops = 50;
	cfg.threads = 2;
	cfg.inject_leak = 10;
	run(&cfg, &st);
	assert_int_equal(st.cycles, 50);
	assert_int_equal(st.failed_cycles, 0);
	assert_int_equal(st.leaked, 5);
	assert_int_equal(netns_ino(), ino);
	assert_int_equal(count_fds(), fds0);
}

/* The same compiled ops through io_uring: exact --ops, errors and would-blocks by op. */
static void test_io_uring(void **state)
{
	static const struct {
		enum transport_kind t;
		const char *seq;
		bool fixed;
	} cases[] = {
		{ TR_TCP, "kb171996", false },
		{ TR_TCP, "crr", true },
		{ TR_UDP, "crr", false },
		{ TR_UNIX_DGRAM, "crr", true },
		{ TR_TCP6, "socket,bind,connect,sendmsg:10k:iov=3,send:1:oob,shutdown:wr,close",
		  false },
		{ TR_UNIX, "scm-cross", false },
	};
	struct run_config cfg;
	struct engine_stats st;
	char why[512];
	unsigned i;
	int fds0 = count_fds();

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		config(&cfg, cases[i].seq, cases[i].t);
		cfg.api = API_IO_URING;
		cfg.fixed_files = cases[i].fixed;
		cfg.ops = 501;
		cfg.threads = 2;
		run(&cfg, &st);
		assert_int_equal(st.cycles, 501);
		assert_int_equal(st.failed_cycles, 0);
	}
	/* Refused to the server: connect fails, counted on its op. */
	config(&cfg, "socket,connect,close", TR_TCP);
	cfg.api = API_IO_URING;
	cfg.target = "127.0.0.1:1";
	cfg.ops = 20;
	run(&cfg, &st);
	assert_int_equal(st.failed_cycles, 20);
	assert_int_equal(st.errors[1][ECONNREFUSED], 20);
	/* A full send buffer with dontwait: would-block counted, no failure. */
	config(&cfg, "socket,setsockopt:SO_SNDBUF=4096,connect,send:1M:dontwait,close", TR_TCP);
	cfg.api = API_IO_URING;
	cfg.server_close = SC_NEVER_READ;
	cfg.ops = 50;
	run(&cfg, &st);
	assert_int_equal(st.failed_cycles, 0);
	assert_int_equal(st.wouldblock[3], 50);
	assert_int_equal(count_fds(), fds0);
	/* Direct descriptors have no fd for ops that run as plain syscalls. */
	config(&cfg, "scm-self", TR_UNIX);
	cfg.api = API_IO_URING;
	cfg.fixed_files = true;
	assert_int_equal(engine_opts_finish(&cfg), SL_EXIT_USAGE);
	config(&cfg, "kb171996", TR_TCP);
	cfg.api = API_IO_URING;
	cfg.fixed_files = true;
	cfg.inject_leak = 10;
	assert_int_equal(engine_opts_finish(&cfg), SL_EXIT_USAGE);
	config(&cfg, "kb171996", TR_TCP);
	cfg.sqpoll = true;
	assert_int_equal(engine_opts_finish(&cfg), SL_EXIT_USAGE);
	config(&cfg, "kb171996", TR_TCP);
	cfg.api = API_IO_URING;
	assert_int_equal(engine_opts_finish(&cfg), 0);
	assert_int_equal(engine_api_check(&cfg, why, sizeof(why)), 0);
	engine_opts_free(&cfg);
}

static void test_inject_leak(void **state)
{
	struct run_config cfg;
	struct engine_stats st;
	struct engine *e;
	int fds0 = count_fds();

	(void)state;
	config(&cfg, "kb171996", TR_TCP);
	cfg.ops = 1000;
	cfg.threads = 3;
	cfg.inject_leak = 7;
	assert_int_equal(engine_opts_finish(&cfg), 0);
	assert_int_equal(engine_create(&cfg, &e), 0);
	assert_int_equal(engine_start(e), 0);
	assert_int_equal(engine_join(e), 0);
	engine_stats(e, &st);
	assert_int_equal(st.cycles, 1000);
	assert_int_equal(st.leaked, 1000 / 7); /* on the global cycle count */
	assert_true(count_fds() >= fds0 + 142);
	engine_destroy(e);
	engine_opts_free(&cfg);
	assert_int_equal(count_fds(), fds0);
}

/*
 * A protocol server of the test's own: checks each request's bytes, answers with the delimiter
 * split over two writes and three more bytes after it, which must stay queued for recv:3.
 */
struct proto_srv {
	int lfd;
	uint16_t port;
	pthread_t thread;
	_Atomic unsigned served, bad;
};

static bool read_exact(int fd, char *buf, size_t n)
{
	size_t off = 0;
	ssize_t r;

	while (off < n && (r = recv(fd, buf + off, n - off, 0)) > 0)
		off += r;
	return off == n;
}

static void *proto_serve(void *arg)
{
	struct proto_srv *p = arg;
	char buf[16];
	int fd;

	while ((fd = accept(p->lfd, NULL, NULL)) >= 0) {
		if (!read_exact(fd, buf, 7) || memcmp(buf, "pi,ng\r\n", 7))
			atomic_fetch_add(&p->bad, 1);
		if (send(fd, "ok\r\n\r", 5, 0) != 5)
			atomic_fetch_add(&p->bad, 1);
		usleep(100);
		if (send(fd, "\nXYZ", 4, 0) != 4)
			atomic_fetch_add(&p->bad, 1);
		if (!read_exact(fd, buf, 4) || memcmp(buf, "A\0B\xff", 4))
			atomic_fetch_add(&p->bad, 1);
		close(fd);
		atomic_fetch_add(&p->served, 1);
	}
	return NULL;
}

static void proto_start(struct proto_srv *p)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);

	memset(p, 0, sizeof(*p));
	p->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(p->lfd >= 0);
	assert_int_equal(bind(p->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(p->lfd, 64), 0);
	assert_int_equal(getsockname(p->lfd, (struct sockaddr *)&a, &len), 0);
	p->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&p->thread, NULL, proto_serve, p), 0);
}

static void proto_stop(struct proto_srv *p)
{
	shutdown(p->lfd, SHUT_RDWR); /* accept returns */
	pthread_join(p->thread, NULL);
	close(p->lfd);
}

/*
 * Payloads go out byte for byte; recv-until finds a delimiter split between two reads and takes
 * nothing past it (else recv:3 would meet EOF); eof reads to the close; a bound too small for the
 * answer fails with EMSGSIZE. Under io_uring recv-until runs as a plain syscall.
 */
static void test_payloads(void **state)
{
	/* TCP_NODELAY: the two sends before recv:3 would otherwise wait out the server's delayed ACK
	 * (40 ms a cycle under Nagle). */
	const char *seq = "socket,setsockopt:TCP_NODELAY=1,connect,send:\"pi,ng\\r\\n\","
			  "recv-until:\"\\r\\n\\r\\n\","
			  "send:hex:4100:dontwait,send:\"B\\xff\",recv:3,recv-until:eof,close";
	struct run_config cfg;
	struct engine_stats st;
	struct proto_srv p;
	char target[32];
	unsigned api;

	(void)state;
	proto_start(&p);
	snprintf(target, sizeof(target), "127.0.0.1:%u", p.port);
	for (api = 0; api < API_COUNT; api++) {
		config(&cfg, seq, TR_TCP);
		cfg.target = target;
		cfg.api = api;
		cfg.ops = 300;
		run(&cfg, &st);
		assert_int_equal(st.cycles, 300);
		assert_int_equal(st.failed_cycles, 0);
	}
	assert_int_equal(atomic_load(&p.bad), 0);
	assert_int_equal(atomic_load(&p.served), 600);
	config(&cfg, "socket,connect,send:\"pi,ng\\r\\n\",recv-until:\"\\r\\n\\r\\n\":max=4,close",
	       TR_TCP);
	cfg.target = target;
	cfg.ops = 20;
	run(&cfg, &st);
	assert_int_equal(st.failed_cycles, 20);
	assert_int_equal(st.errors[3][EMSGSIZE], 20);
	proto_stop(&p);
}

static void test_fd_check(void **state)
{
	struct run_config cfg;
	char why[512];

	(void)state;
	config(&cfg, "kb171996", TR_TCP);
	cfg.ops = 1ULL << 40;
	cfg.inject_leak = 2;
	assert_int_equal(engine_fd_check(&cfg, why, sizeof(why)), -EMFILE);
	assert_non_null(strstr(why, "fd limit"));
	cfg.inject_leak = 1ULL << 39;
	assert_int_equal(engine_fd_check(&cfg, why, sizeof(why)), 0);
}

static void test_stop_request_and_time(void **state)
{
	struct run_config cfg;
	struct engine_stats st;
	struct engine *e;
	uint64_t c1, c2;
	long ino = netns_ino();
	int fds0 = count_fds();

	(void)state;
	config(&cfg, "kb171996", TR_UNIX);
	cfg.seconds = 60;
	cfg.threads = 2;
	assert_int_equal(engine_opts_finish(&cfg), 0);
	assert_int_equal(engine_create(&cfg, &e), 0);
	/* Isolation never moves the caller. */
	assert_int_equal(netns_ino(), ino);
	assert_true(cfg.netns ? engine_netns_fd(e) >= 0 : engine_netns_fd(e) == -1);
	assert_false(engine_done(e));
	assert_int_equal(engine_start(e), 0);
	usleep(100000);
	c1 = engine_cycles(e);
	usleep(100000);
	c2 = engine_cycles(e);
	assert_true(c2 > c1);
	engine_request_stop(e);
	assert_int_equal(engine_join(e), 0);
	engine_stats(e, &st);
	assert_int_equal(st.stop, ENGINE_STOP_REQUEST);
	assert_true(st.seconds < 30);
	assert_true(st.cycles >= c2);
	engine_destroy(e);
	engine_opts_free(&cfg);
	assert_int_equal(count_fds(), fds0);

	config(&cfg, "kb171996", TR_UDP);
	cfg.seconds = 0.3;
	run(&cfg, &st);
	assert_int_equal(st.stop, ENGINE_STOP_TIME);
	assert_true(st.seconds >= 0.29 && st.seconds < 5);
}

/* A worker blocked in recv forever must still stop: the controller's wake signal. */
static void test_blocked_worker_stops(void **state)
{
	struct seq_error err;
	struct run_config cfg;
	struct engine_stats st;
	struct engine *e;

	(void)state;
	config(&cfg, "socket,connect,send:1,recv:1,close", TR_TCP);
	cfg.seconds = 0.3;
	assert_int_equal(engine_opts_finish(&cfg), 0);
	/* After the check that refuses it: a server that never answers. */
	assert_int_equal(sseq_compile(sseq_preset(SC_NEVER_READ), cfg.sseq, &err), 0);
	assert_int_equal(engine_create(&cfg, &e), 0);
	assert_int_equal(engine_start(e), 0);
	assert_int_equal(engine_join(e), 0);
	engine_stats(e, &st);
	assert_int_equal(st.cycles, 0);
	assert_int_equal(st.failed_cycles, 0); /* interrupted, not failed */
	assert_int_equal(st.stop, ENGINE_STOP_TIME);
	engine_destroy(e);
	engine_opts_free(&cfg);
}

static void test_errors_by_errno(void **state)
{
	struct run_config cfg;
	struct engine_stats st;

	(void)state;
	config(&cfg, "socket,setsockopt:TCP_CONGESTION=nonexistent,connect,close", TR_TCP);
	cfg.ops = 50;
	run(&cfg, &st);
	assert_int_equal(st.cycles, 0);
	assert_int_equal(st.failed_cycles, 50);
	assert_int_equal(st.errors[1][ENOENT], 50);
	assert_int_equal(st.nops, 4);

	config(&cfg, "crr", TR_TCP);
	cfg.ops = 200;
	assert_int_equal(engine_opts_finish(&cfg), 0);
	engine_opts_free(&cfg);
	cfg.sequence = "crr";
	cfg.server_close = SC_IMMEDIATE;
	run(&cfg, &st);
	assert_int_equal(st.cycles + st.failed_cycles, 200);
	assert_true(st.failed_cycles > 0);
	assert_int_equal(st.errors[4][ECONNRESET] + st.errors[4][ENODATA] +
				 st.errors[3][ECONNRESET] + st.errors[3][EPIPE],
			 st.failed_cycles);
}

static void test_allow_open(void **state)
{
	struct run_config cfg;
	struct engine_stats st;
	int fds0 = count_fds();

	(void)state;
	config(&cfg, "socket,connect", TR_UNIX);
	cfg.allow_open = true;
	cfg.ops = 100;
	run(&cfg, &st);
	assert_int_equal(st.cycles, 100);
	assert_int_equal(st.left_open, 100);
	assert_int_equal(count_fds(), fds0);
}

static void test_rate(void **state)
{
	struct run_config cfg;
	struct engine_stats st;

	(void)state;
	config(&cfg, "kb171996", TR_UNIX);
	cfg.ops = 40;
	cfg.rate = 200;
	cfg.threads = 2;
	cfg.yield = true;
	run(&cfg, &st);
	assert_int_equal(st.cycles, 40);
	/* 40 cycles at 200/s take about 0.2 s; pacing must not be skipped. */
	assert_true(st.seconds > 0.1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ops_exact),
		cmocka_unit_test(test_inject_leak),
		cmocka_unit_test(test_would_block),
		cmocka_unit_test(test_netns_cycle),
		cmocka_unit_test(test_io_uring),
		cmocka_unit_test(test_payloads),
		cmocka_unit_test(test_fd_check),
		cmocka_unit_test(test_stop_request_and_time),
		cmocka_unit_test(test_blocked_worker_stops),
		cmocka_unit_test(test_errors_by_errno),
		cmocka_unit_test(test_allow_open),
		cmocka_unit_test(test_rate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
