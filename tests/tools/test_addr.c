/* tools/relay/addr: address literals in, canonical text out, bad forms refused. */
#include "../unit/test.h"

#include <unistd.h>

#include "addr.h"
#include "util/err.h"

static const char *roundtrip(const char *in)
{
	struct relay_addr a;
	char err[ERR_LEN];

	if (relay_addr_parse(in, &a, err) != 0)
		return "(refused)";
	return relay_addr_str(&a);
}

TEST(ipv4_and_ipv6_literals)
{
	struct relay_addr a;

	CHECK_EQ_STR(roundtrip("127.0.0.1:6000"), "127.0.0.1:6000");
	CHECK_EQ_STR(roundtrip("0.0.0.0:0"), "0.0.0.0:0");
	CHECK_EQ_STR(roundtrip("[::1]:65535"), "[::1]:65535");
	CHECK_EQ_STR(roundtrip("[0:0:0:0:0:0:0:1]:7"), "[::1]:7");
	CHECK_EQ_INT(relay_addr_parse("[::ffff:127.0.0.1]:9", &a, NULL), 0);
	CHECK_EQ_INT(a.ss.ss_family, AF_INET6);
	CHECK_EQ_INT(relay_addr_port(&a), 9);
}

TEST(bad_forms_are_refused_with_a_reason)
{
	static const char *const bad[] = {
	    "127.0.0.1",    "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1",
	    "127.0.0.1:1x", ":80",        "localhost:80",    "::1:80",
	    "[::1]80",      "[::1]",      "[127.0.0.1]:80",  "1.2.3:80",
	    "[]:80",        "",
	};
	struct relay_addr a;
	char err[ERR_LEN];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		if (relay_addr_parse(bad[i], &a, err) != ERR_INVAL)
			TEST_FAIL("\"%s\" was accepted", bad[i]);
		CHECK(err[0] != '\0');
	}
}

TEST(equality_compares_family_address_and_port)
{
	struct relay_addr a, b;

	relay_addr_parse("127.0.0.1:5", &a, NULL);
	relay_addr_parse("127.0.0.1:5", &b, NULL);
	CHECK(relay_addr_equal(&a, &b));
	relay_addr_parse("127.0.0.1:6", &b, NULL);
	CHECK(!relay_addr_equal(&a, &b));
	relay_addr_parse("127.0.0.2:5", &b, NULL);
	CHECK(!relay_addr_equal(&a, &b));
	relay_addr_parse("[::1]:5", &a, NULL);
	relay_addr_parse("[::1]:5", &b, NULL);
	CHECK(relay_addr_equal(&a, &b));
	relay_addr_parse("[::2]:5", &b, NULL);
	CHECK(!relay_addr_equal(&a, &b));
}

TEST(socket_binds_port_zero_to_a_real_port)
{
	struct relay_addr a;
	char err[ERR_LEN];
	int fd;

	relay_addr_parse("127.0.0.1:0", &a, NULL);
	fd = relay_addr_socket(&a, &a, err);
	CHECK(fd >= 0);
	CHECK(relay_addr_port(&a) != 0);
	close(fd);
}

int main(void)
{
	RUN(ipv4_and_ipv6_literals);
	RUN(bad_forms_are_refused_with_a_reason);
	RUN(equality_compares_family_address_and_port);
	RUN(socket_binds_port_zero_to_a_real_port);
	return test_done();
}
