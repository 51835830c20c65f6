/* Unit tests for src/probe/sockdiag.c on real sockets in a private netns: exact counts per state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <time.h>

#include "common.h"
#include "netns_fixture.h"
#include "probe/parse.h"
#include "probe_fixture.h"

static struct test_netns tn;

static struct probe p;
static struct series s;

/* Samples until every named column has its value, or 3 s passed; the last sample stays. */
static bool settle(const char *const names[], const double want[], size_t n)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	int tries;
	size_t i;

	for (tries = 0; tries < 150; tries++) {
		bool ok = true;

		assert_int_equal(sockdiag_probe.sample(&p, &s), 0);
		series_commit(&s, tries, 0);
		for (i = 0; i < n; i++)
			ok = ok && last(&s, names[i]) == want[i];
		if (ok)
			return true;
		nanosleep(&pause, NULL);
	}
	for (i = 0; i < n; i++)
		if (last(&s, names[i]) != want[i])
			print_message("%s: %g, want %g\n", names[i], last(&s, names[i]), want[i]);
	return false;
}

static void connect_tcp(int family, uint16_t port, int *fd)
{
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port),
				   .sin6_addr = IN6ADDR_LOOPBACK_INIT };

	*fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(*fd >= 0);
	if (family == AF_INET)
		assert_int_equal(connect(*fd, (struct sockaddr *)&a4, sizeof(a4)), 0);
	else
		assert_int_equal(connect(*fd, (struct sockaddr *)&a6, sizeof(a6)), 0);
}

static int listen_on(int family, uint16_t *port)
{
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons(*port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(*port),
				   .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	socklen_t len = sizeof(a4);
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (family == AF_INET)
		assert_int_equal(bind(fd, (struct sockaddr *)&a4, sizeof(a4)), 0);
	else
		assert_int_equal(bind(fd, (struct sockaddr *)&a6, sizeof(a6)), 0);
	assert_int_equal(listen(fd, 64), 0);
	getsockname(fd, (struct sockaddr *)&a4, &len);
	*port = ntohs(a4.sin_port);
	return fd;
}

/*
 * 5 established pairs, 3 where the server closed first (client CLOSE_WAIT, server FIN_WAIT2 as an
 * orphan), 2 where the client closed first (client TIME_WAIT), 2 established over IPv6 on the
 * same port, 4 UNIX pairs: every count must come out exact. The orphaned FIN_WAIT2 ends are
 * timewait minisockets, which the kernel's tw count includes: the probe must take them out.
 */
static void test_states(void **state)
{
	static const char *const names[] = {
		"tcp.state.LISTEN",
		"tcp.state.ESTABLISHED",
		"tcp.state.CLOSE_WAIT",
		"tcp.state.FIN_WAIT2",
		"tcp.state.TIME_WAIT",
		"tcp4.state.ESTABLISHED",
		"tcp6.state.ESTABLISHED",
		"tcp.client",
		"tcp.server",
		"unix.state.LISTEN",
		"unix.state.ESTABLISHED",
		"unix.client",
		"unix.server",
		"tcp.state.LAST_ACK",
		"tcp.state.SYN_SENT",
	};
	static const double want[] = { 2, 14, 3, 3, 2, 10, 4, 10, 7, 1, 8, 4, 4, 0, 0 };
	char uname[64];
	struct probe_ctx ctx = { .root = "", .netns_fd = -1 };
	int l4, l6, lu, cli[16], srv[16], ucli[4], usrv[4], i, k = 0;
	struct sockaddr_un ua = { .sun_family = AF_UNIX };
	socklen_t ulen;
	uint16_t port = 0;

	(void)state;
	if (test_netns_create(&tn))
		skip(); /* needs root: network namespaces */
	test_netns_enter(&tn);
	l4 = listen_on(AF_INET, &port);
	l6 = listen_on(AF_INET6, &port);
	for (i = 0; i < 10; i++, k++) {
		connect_tcp(AF_INET, port, &cli[k]);
		srv[k] = accept4(l4, NULL, NULL, SOCK_CLOEXEC);
		assert_true(srv[k] >= 0);
	}
	for (i = 0; i < 2; i++, k++) {
		connect_tcp(AF_INET6, port, &cli[k]);
		srv[k] = accept4(l6, NULL, NULL, SOCK_CLOEXEC);
		assert_true(srv[k] >= 0);
	}
	for (i = 5; i < 8; i++)
		close(srv[i]); /* client -> CLOSE_WAIT, server -> FIN_WAIT2 (orphan) */
	for (i = 8; i < 10; i++)
		close(cli[i]); /* client -> FIN_WAIT2, server -> CLOSE_WAIT ... */
	snprintf(uname, sizeof(uname), "@sockleak-test-%d", (int)getpid());
	lu = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	strcpy(ua.sun_path + 1, uname + 1);
	ulen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(uname));
	assert_int_equal(bind(lu, (struct sockaddr *)&ua, ulen), 0);
	assert_int_equal(listen(lu, 16), 0);
	for (i = 0; i < 4; i++) {
		ucli[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		assert_int_equal(connect(ucli[i], (struct sockaddr *)&ua, ulen), 0);
		usrv[i] = accept4(lu, NULL, NULL, SOCK_CLOEXEC);
	}
	ctx.server_port = port;
	ctx.server_path = uname;
	series_init(&s, 0);
	memset(&p, 0, sizeof(p));
	assert_int_equal(sockdiag_probe.open(&p, &ctx, &s), 0);
	test_netns_leave(&tn);
	/* ... and the server closes after the client: client TIME_WAIT, server gone. */
	for (i = 8; i < 10; i++)
		close(srv[i]);
	/* Sampled from outside: the netlink socket stays in the namespace it was made in. */
	assert_true(settle(names, want, ARRAY_SIZE(names)));
	for (i = 0; i < (int)ARRAY_SIZE(names); i++)
		assert_float_equal(last(&s, names[i]), want[i], 0);
	assert_float_equal(last(&s, "tcp.state.SYN_RECV"), 0, 0);
	assert_true(isnan(last(&s, "tcp.state.NEW_SYN_RECV")));

	sockdiag_probe.close(&p);
	series_free(&s);
	for (i = 0; i < 12; i++) {
		if (i < 8 || i >= 10)
			close(cli[i]);
		if (i < 5 || i >= 10)
			close(srv[i]);
	}
	for (i = 0; i < 4; i++) {
		close(ucli[i]);
		close(usrv[i]);
	}
	close(l4);
	close(l6);
	close(lu);
	test_netns_destroy(&tn);
}

/* Without a server port or path there is no client/server split, only states. */
static void test_no_sides(void **state)
{
	struct probe_ctx ctx = { .root = "", .netns_fd = -1 };
	struct series s2;
	struct probe p2;

	(void)state;
	series_init(&s2, 0);
	assert_int_equal(probe_once(&sockdiag_probe, &p2, &ctx, &s2), 0);
	assert_int_equal(series_find(&s2, "tcp.client"), -1);
	assert_int_equal(series_find(&s2, "unix.client"), -1);
	assert_false(isnan(last(&s2, "tcp.state.LISTEN")));
	assert_false(isnan(last(&s2, "unix.sockets")));
	assert_string_equal(tcp_state_name(8), "CLOSE_WAIT");
	sockdiag_probe.close(&p2);
	series_free(&s2);
}

static void test_fixture_root(void **state)
{
	struct probe_ctx ctx = { .root = fixture("host"), .netns_fd = -1 };
	struct series s2;
	struct probe p2;

	(void)state;
	series_init(&s2, 0);
	assert_true(probe_once(&sockdiag_probe, &p2, &ctx, &s2) < 0);
	assert_non_null(strstr(p2.why, "live kernel"));
	series_free(&s2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_no_sides),
		cmocka_unit_test(test_fixture_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
