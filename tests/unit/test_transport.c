/* Unit tests for src/engine/transport.c: names, addresses, and a real loopback server socket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "engine/transport.h"

static void test_names(void **state)
{
	enum transport_kind k;
	unsigned i;

	(void)state;
	for (i = 0; i < TR_COUNT; i++) {
		const struct transport *t = transport_get(i);

		assert_non_null(t);
		assert_int_equal(t->kind, i);
		assert_int_equal(transport_parse(transport_name(t->kind), &k), 0);
		assert_int_equal(k, i);
		assert_non_null(strstr(TRANSPORT_CHOICES, transport_name(t->kind)));
	}
	assert_int_equal(transport_parse("sctp", &k), -EINVAL);
	assert_null(transport_get(TR_COUNT));
	assert_true(transport_get(TR_TCP)->stream);
	assert_false(transport_get(TR_UDP6)->stream);
	assert_int_equal(transport_get(TR_UNIX_DGRAM)->family, AF_UNIX);
	assert_int_equal(transport_get(TR_MPTCP)->protocol, 262);
}

static void test_addr(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[128];

	(void)state;
	assert_int_equal(transport_addr_parse(transport_get(TR_TCP), "10.1.2.3:80", &ss, &len), 0);
	transport_addr_str((struct sockaddr *)&ss, len, buf, sizeof(buf));
	assert_string_equal(buf, "10.1.2.3:80");
	assert_int_equal(transport_addr_parse(transport_get(TR_TCP), ":81", &ss, &len), 0);
	transport_addr_str((struct sockaddr *)&ss, len, buf, sizeof(buf));
	assert_string_equal(buf, "0.0.0.0:81");
	assert_int_equal(transport_addr_parse(transport_get(TR_UDP6), "[fe80::1]:53", &ss, &len),
			 0);
	transport_addr_str((struct sockaddr *)&ss, len, buf, sizeof(buf));
	assert_string_equal(buf, "[fe80::1]:53");
	assert_int_equal(transport_addr_parse(transport_get(TR_UNIX), "/tmp/x.sock", &ss, &len), 0);
	transport_addr_str((struct sockaddr *)&ss, len, buf, sizeof(buf));
	assert_string_equal(buf, "/tmp/x.sock");
	assert_int_equal(transport_addr_parse(transport_get(TR_UNIX), "@abs", &ss, &len), 0);
	assert_int_equal(len, offsetof(struct sockaddr_un, sun_path) + 4);
	transport_addr_str((struct sockaddr *)&ss, len, buf, sizeof(buf));
	assert_string_equal(buf, "@abs");
	assert_int_equal(transport_addr_parse(transport_get(TR_TCP), "1.2.3", &ss, &len), -EINVAL);
	assert_int_equal(transport_addr_parse(transport_get(TR_TCP), "1.2.3.4:x", &ss, &len),
			 -EINVAL);
	assert_int_equal(transport_addr_parse(transport_get(TR_TCP6), "[::1", &ss, &len), -EINVAL);
	assert_int_equal(transport_addr_parse(transport_get(TR_UNIX), "", &ss, &len), -EINVAL);
}

static void test_target(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char why[256], buf[128];

	(void)state;
	assert_int_equal(transport_target_resolve(transport_get(TR_TCP), "localhost:9", &ss, &len,
						  why, sizeof(why)),
			 0);
	transport_addr_str((struct sockaddr *)&ss, len, buf, sizeof(buf));
	assert_string_equal(buf, "127.0.0.1:9");
	assert_int_equal(transport_target_resolve(transport_get(TR_TCP6), "[::1]:9", &ss, &len, why,
						  sizeof(why)),
			 0);
	assert_int_equal(transport_target_resolve(transport_get(TR_TCP), "127.0.0.1", &ss, &len,
						  why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "HOST:PORT"));
	/* A port is 1-65535: getaddrinfo alone would wrap 99999 into 34463. */
	assert_int_equal(transport_target_resolve(transport_get(TR_TCP), "127.0.0.1:99999", &ss,
						  &len, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "not a port (1-65535)"));
	assert_int_equal(transport_target_resolve(transport_get(TR_TCP), "127.0.0.1:0", &ss, &len,
						  why, sizeof(why)),
			 -EINVAL);
	assert_int_equal(transport_target_resolve(transport_get(TR_TCP), "127.0.0.1:65535", &ss,
						  &len, why, sizeof(why)),
			 0);
}

static bool local(enum transport_kind k, const char *text)
{
	struct sockaddr_storage ss;
	socklen_t len;

	assert_int_equal(transport_addr_parse(transport_get(k), text, &ss, &len), 0);
	return transport_addr_is_local((struct sockaddr *)&ss);
}

/* What stays on this host: loopback, the unspecified address, UNIX sockets. */
static void test_local(void **state)
{
	(void)state;
	assert_true(local(TR_TCP, "127.0.0.1:80"));
	assert_true(local(TR_TCP, "127.1.2.3:80"));
	assert_true(local(TR_TCP, "0.0.0.0:80"));
	assert_true(local(TR_TCP6, "[::1]:80"));
	assert_true(local(TR_TCP6, "[::ffff:127.0.0.1]:80"));
	assert_true(local(TR_UNIX, "/run/x.sock"));
	assert_true(local(TR_UNIX, "@abstract"));
	assert_false(local(TR_TCP, "8.8.8.8:53"));
	assert_false(local(TR_TCP, "198.51.100.1:9"));
	assert_false(local(TR_TCP6, "[2001:db8::1]:80"));
	assert_false(local(TR_TCP6, "[::ffff:8.8.8.8]:80"));
}

static void test_server_socket(void **state)
{
	struct sockaddr_storage ss, ss2;
	socklen_t len, len2;
	char why[256];
	unsigned k;
	int fd, c;

	(void)state;
	for (k = 0; k < TR_COUNT; k++) {
		const struct transport *t = transport_get(k);

		fd = transport_server_socket(t, 16, false, &ss, &len, why, sizeof(why));
		if (fd < 0) {
			/* Only MPTCP may be refused by a kernel, and then it must say why. */
			assert_int_equal(k, TR_MPTCP);
			assert_non_null(strstr(why, "MPTCP"));
			continue;
		}
		assert_int_equal(ss.ss_family, t->family);
		c = socket(t->family, t->type, t->protocol);
		assert_true(c >= 0);
		assert_int_equal(connect(c, (struct sockaddr *)&ss, len), 0);
		if (t->stream) {
			len2 = sizeof(ss2);
			int a = accept(fd, (struct sockaddr *)&ss2, &len2);

			assert_true(a >= 0);
			close(a);
		}
		close(c);
		close(fd);
	}
}

static void test_reuseport_group(void **state)
{
	struct sockaddr_storage ss, ss2;
	socklen_t len, len2;
	char why[256];
	int a, b;

	(void)state;
	assert_true(transport_get(TR_TCP)->reuseport);
	assert_false(transport_get(TR_UNIX)->reuseport);
	a = transport_server_socket(transport_get(TR_UDP), 16, false, &ss, &len, why, sizeof(why));
	assert_true(a >= 0);
	ss2 = ss;
	len2 = len;
	b = transport_server_socket(transport_get(TR_UDP), 16, true, &ss2, &len2, why, sizeof(why));
	assert_true(b >= 0);
	/* Both sockets serve the same address. */
	assert_int_equal(len, len2);
	assert_memory_equal(&ss, &ss2, len);
	close(a);
	close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_target),		cmocka_unit_test(test_server_socket),
		cmocka_unit_test(test_reuseport_group), cmocka_unit_test(test_local),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
