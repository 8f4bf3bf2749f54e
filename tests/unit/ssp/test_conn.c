/*
 * net/conn on loopback: port-range parsing, binding in a range, the bind
 * fallback, server roaming (only for datagrams the caller found in order),
 * the association timeout, client port hopping and socket pruning, and IPv6.
 * Times are passed in, so hops and timeouts need no sleeping.
 */
#include "../test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/conn.h"
#include "net/wire.h"

/* A UDP socket on 127.0.0.1 with an OS-chosen port. */
static int udp4(uint16_t *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		TEST_FAIL("udp socket: %s", strerror(errno));
	getsockname(fd, (struct sockaddr *)&a, &len);
	*port = ntohs(a.sin_port);
	return fd;
}

static void send_to_port(int fd, uint16_t port, const char *msg)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	                        .sin_port = htons(port)};

	if (sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&a, sizeof(a)) < 0)
		TEST_FAIL("sendto: %s", strerror(errno));
}

/* Wait (bounded) for one datagram on the conn. */
static int conn_wait(struct conn *c, uint8_t *buf, size_t cap, struct conn_dgram *d)
{
	for (int i = 0; i < 200; i++) {
		int fds[WIRE_MAX_PORTS_OPEN], rc;
		struct pollfd p[WIRE_MAX_PORTS_OPEN];
		size_t n = conn_fds(c, fds, WIRE_MAX_PORTS_OPEN);

		rc = conn_recv(c, buf, cap, d);
		if (rc != 0)
			return rc;
		for (size_t k = 0; k < n; k++)
			p[k] = (struct pollfd){fds[k], POLLIN, 0};
		poll(p, n, 10);
	}
	return 0;
}

/* Receive one datagram on a plain socket (bounded wait); returns the source port. */
static uint16_t raw_wait(int fd, char *buf, size_t cap)
{
	struct pollfd p = {fd, POLLIN, 0};
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	ssize_t n;

	if (poll(&p, 1, 2000) != 1)
		TEST_FAIL("no datagram arrived");
	n = recvfrom(fd, buf, cap - 1, 0, (struct sockaddr *)&ss, &len);
	if (n < 0)
		TEST_FAIL("recvfrom: %s", strerror(errno));
	buf[n] = '\0';
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

TEST(server_binds_first_free_port_of_a_range)
{
	char err[ERR_LEN] = "";
	uint16_t busy;
	int fd = udp4(&busy);
	struct conn *c, *c2;

	if (busy > 65530)
		TEST_SKIP("ephemeral port %u leaves no room above it for a range", busy);
	c = conn_server_new("127.0.0.1", busy, (uint16_t)(busy + 5), 0, err);
	CHECK(c != NULL);
	CHECK(conn_local_port(c) > busy && conn_local_port(c) <= busy + 5);
	CHECK(conn_warning(c) == NULL);
	CHECK(!conn_has_remote(c));
	CHECK_EQ_INT(conn_mtu(c), WIRE_MTU_IPV4);
	/* an exact busy port on every address: nothing to bind */
	c2 = conn_server_new("127.0.0.1", busy, busy, 0, err);
	if (c2) {
		/* the wildcard fallback found the port free on another address */
		CHECK(conn_warning(c2) != NULL);
		conn_free(c2);
	} else {
		CHECK(strstr(err, "bind") != NULL);
	}
	conn_free(c);
	/* mosh's default range */
	c = conn_server_new("127.0.0.1", WIRE_PORT_RANGE_LOW, WIRE_PORT_RANGE_HIGH, 0, err);
	CHECK(c != NULL);
	CHECK(conn_local_port(c) >= WIRE_PORT_RANGE_LOW &&
	      conn_local_port(c) <= WIRE_PORT_RANGE_HIGH);
	conn_free(c);
	/* the OS picks */
	c = conn_server_new(NULL, 0, 0, 0, err);
	CHECK(c != NULL);
	CHECK(conn_local_port(c) != 0);
	conn_free(c);
	close(fd);
}

TEST(server_falls_back_to_wildcard)
{
	char err[ERR_LEN] = "";
	/* TEST-NET-1: never a local address */
	struct conn *c = conn_server_new("192.0.2.1", 0, 0, 0, err);

	CHECK(c != NULL);
	CHECK(conn_warning(c) != NULL);
	CHECK(strstr(conn_warning(c), "192.0.2.1") != NULL);
	conn_free(c);
	c = conn_server_new("not-an-ip", 0, 0, 0, err);
	CHECK(c != NULL);
	CHECK(conn_warning(c) != NULL);
	conn_free(c);
}

TEST(server_roams_only_on_in_order_datagrams)
{
	char err[ERR_LEN], got[64];
	uint8_t buf[WIRE_RECEIVE_MTU + 1];
	struct conn_dgram d;
	uint16_t p1, p2, sport;
	int s1 = udp4(&p1), s2 = udp4(&p2);
	struct conn *c = conn_server_new("127.0.0.1", 0, 0, 0, err);

	CHECK(c != NULL);
	sport = conn_local_port(c);
	CHECK_EQ_INT(conn_send(c, (const uint8_t *)"x", 1, 0), ERR_AGAIN);

	send_to_port(s1, sport, "one");
	CHECK_EQ_INT(conn_wait(c, buf, sizeof(buf), &d), 1);
	CHECK_EQ_INT(d.len, 3);
	conn_accept(c, &d, true, 1000);
	CHECK(conn_has_remote(c));
	CHECK_EQ_U64(conn_last_heard(c), 1000);
	CHECK_EQ_INT(conn_send(c, (const uint8_t *)"r1", 2, 1000), 0);
	CHECK_EQ_INT(raw_wait(s1, got, sizeof(got)), sport);
	CHECK_EQ_STR(got, "r1");

	/* an old (replayed) datagram from elsewhere does not move the server */
	send_to_port(s2, sport, "two");
	CHECK_EQ_INT(conn_wait(c, buf, sizeof(buf), &d), 1);
	conn_accept(c, &d, false, 1100);
	CHECK_EQ_U64(conn_last_heard(c), 1000);
	conn_send(c, (const uint8_t *)"r2", 2, 1100);
	raw_wait(s1, got, sizeof(got));
	CHECK_EQ_STR(got, "r2");

	/* an in-order one does */
	send_to_port(s2, sport, "three");
	CHECK_EQ_INT(conn_wait(c, buf, sizeof(buf), &d), 1);
	conn_accept(c, &d, true, 1200);
	conn_send(c, (const uint8_t *)"r3", 2, 1200);
	raw_wait(s2, got, sizeof(got));
	CHECK_EQ_STR(got, "r3");
	CHECK_EQ_INT(conn_get_stats(c)->roams, 1);
	conn_remote_str(c, got, sizeof(got));
	CHECK(strncmp(got, "127.0.0.1:", 10) == 0);

	/* 40 s of silence: the client is forgotten after the next send */
	conn_send(c, (const uint8_t *)"r4", 2, 1200 + WIRE_SERVER_ASSOCIATION_TIMEOUT_MS);
	CHECK(conn_has_remote(c));
	raw_wait(s2, got, sizeof(got));
	conn_send(c, (const uint8_t *)"r5", 2, 1201 + WIRE_SERVER_ASSOCIATION_TIMEOUT_MS);
	CHECK(!conn_has_remote(c));
	CHECK_EQ_INT(conn_send(c, (const uint8_t *)"r6", 2, 50000), ERR_AGAIN);
	CHECK_EQ_INT(conn_get_stats(c)->detaches, 1);
	conn_free(c);
	close(s1);
	close(s2);
}

TEST(oversize_datagram_dropped)
{
	char err[ERR_LEN];
	uint8_t buf[64];
	char big[200];
	struct conn_dgram d;
	uint16_t p;
	int s = udp4(&p);
	struct conn *c = conn_server_new("127.0.0.1", 0, 0, 0, err);

	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	send_to_port(s, conn_local_port(c), big);
	CHECK_EQ_INT(conn_wait(c, buf, sizeof(buf), &d), ERR_RANGE);
	CHECK_EQ_INT(conn_get_stats(c)->oversize, 1);
	conn_free(c);
	close(s);
}

TEST(ecn_ce_is_reported)
{
	char err[ERR_LEN];
	uint8_t buf[64];
	struct conn_dgram d;
	uint16_t p;
	int s = udp4(&p), tos;
	struct conn *c = conn_server_new("127.0.0.1", 0, 0, 0, err);

	tos = 0x02; /* ECT(0), what we send */
	setsockopt(s, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
	send_to_port(s, conn_local_port(c), "ect");
	CHECK_EQ_INT(conn_wait(c, buf, sizeof(buf), &d), 1);
	CHECK(!d.ce);
	tos = 0x03; /* CE, as a congested router marks it */
	if (setsockopt(s, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)) == 0) {
		send_to_port(s, conn_local_port(c), "ce");
		CHECK_EQ_INT(conn_wait(c, buf, sizeof(buf), &d), 1);
		CHECK(d.ce);
	}
	conn_free(c);
	close(s);
}

TEST(emsgsize_drops_the_mtu_for_good)
{
	char err[ERR_LEN], portstr[8];
	uint16_t sp;
	int srv = udp4(&sp);
	static uint8_t huge[70000];
	struct conn *c;

	snprintf(portstr, sizeof(portstr), "%u", sp);
	c = conn_client_new("127.0.0.1", portstr, 0, err);
	CHECK_EQ_INT(conn_mtu(c), WIRE_MTU_IPV4);
	CHECK_EQ_INT(conn_send(c, huge, sizeof(huge), 0), ERR_IO);
	CHECK_EQ_INT(conn_mtu(c), WIRE_MTU_DEFAULT);
	CHECK_EQ_INT(conn_get_stats(c)->send_errors, 1);
	CHECK_EQ_INT(conn_send(c, huge, 10, 1), 0);
	CHECK_EQ_INT(conn_mtu(c), WIRE_MTU_DEFAULT);
	conn_free(c);
	close(srv);
}

TEST(client_hops_ports_and_prunes_sockets)
{
	char err[ERR_LEN], got[64], portstr[8];
	uint8_t buf[WIRE_RECEIVE_MTU + 1];
	struct conn_dgram d;
	uint16_t sp, a, b;
	int srv = udp4(&sp), fds[16];
	struct conn *c;
	uint64_t t;

	CHECK(conn_client_new("localhost", "1", 0, err) == NULL);
	CHECK(strstr(err, "numeric") != NULL);
	snprintf(portstr, sizeof(portstr), "%u", sp);
	c = conn_client_new("127.0.0.1", portstr, 0, err);
	CHECK(c != NULL);
	CHECK(conn_has_remote(c));
	CHECK_EQ_INT(conn_mtu(c), WIRE_MTU_IPV4);

	conn_send(c, (const uint8_t *)"a", 1, 0);
	a = raw_wait(srv, got, sizeof(got));
	/* a recent round trip holds the port */
	conn_set_last_roundtrip(c, 5000);
	conn_send(c, (const uint8_t *)"b", 1, 10001);
	CHECK_EQ_INT(raw_wait(srv, got, sizeof(got)), a);
	CHECK_EQ_INT(conn_fds(c, fds, 16), 1);
	/* 10 s since both the last hop and the last round trip: hop after this send */
	conn_send(c, (const uint8_t *)"c", 1, 15001);
	CHECK_EQ_INT(raw_wait(srv, got, sizeof(got)), a);
	CHECK_EQ_INT(conn_fds(c, fds, 16), 2);
	CHECK_EQ_INT(conn_get_stats(c)->hops, 1);
	conn_send(c, (const uint8_t *)"d", 1, 15002);
	b = raw_wait(srv, got, sizeof(got));
	CHECK(b != a);

	/* the old socket still receives */
	send_to_port(srv, a, "to-old");
	CHECK_EQ_INT(conn_wait(c, buf, sizeof(buf), &d), 1);
	CHECK_EQ_MEM(buf, "to-old", 6);
	conn_accept(c, &d, true, 16000);
	CHECK_EQ_INT(conn_fds(c, fds, 16), 2);

	/* once the newest socket is 60 s old, an authentic datagram prunes the rest */
	send_to_port(srv, b, "x");
	CHECK_EQ_INT(conn_wait(c, buf, sizeof(buf), &d), 1);
	conn_accept(c, &d, false, 15001 + WIRE_MAX_OLD_SOCKET_AGE_MS + 1);
	CHECK_EQ_INT(conn_fds(c, fds, 16), 1);

	/* never more than 10 sockets */
	t = 100000;
	for (int i = 0; i < 25; i++) {
		t += WIRE_PORT_HOP_INTERVAL_MS + 1;
		conn_set_last_roundtrip(c, 0);
		conn_send(c, (const uint8_t *)"h", 1, t);
		raw_wait(srv, got, sizeof(got));
		CHECK(conn_fds(c, fds, 16) <= WIRE_MAX_PORTS_OPEN);
	}
	CHECK_EQ_INT(conn_fds(c, fds, 16), WIRE_MAX_PORTS_OPEN);
	CHECK_EQ_INT(conn_get_stats(c)->hops, 26);
	conn_free(c);
	close(srv);
}

TEST(ipv6_loopback)
{
	char err[ERR_LEN], portstr[8];
	uint8_t buf[WIRE_RECEIVE_MTU + 1];
	struct conn_dgram d;
	struct conn *s, *c;
	int probe = socket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};

	if (probe < 0 || bind(probe, (struct sockaddr *)&a, sizeof(a)) != 0) {
		if (probe >= 0)
			close(probe);
		TEST_SKIP("no IPv6 loopback (::1) here");
	}
	close(probe);
	s = conn_server_new("::1", 0, 0, 0, err);
	CHECK(s != NULL);
	CHECK(conn_warning(s) == NULL);
	CHECK_EQ_INT(conn_mtu(s), WIRE_MTU_IPV6);
	snprintf(portstr, sizeof(portstr), "%u", conn_local_port(s));
	c = conn_client_new("::1", portstr, 0, err);
	CHECK(c != NULL);
	CHECK_EQ_INT(conn_mtu(c), WIRE_MTU_IPV6);
	CHECK_EQ_INT(conn_send(c, (const uint8_t *)"six", 3, 0), 0);
	CHECK_EQ_INT(conn_wait(s, buf, sizeof(buf), &d), 1);
	conn_accept(s, &d, true, 1);
	CHECK_EQ_INT(conn_send(s, (const uint8_t *)"back", 4, 1), 0);
	CHECK_EQ_INT(conn_wait(c, buf, sizeof(buf), &d), 1);
	CHECK_EQ_INT(d.len, 4);
	CHECK_EQ_MEM(buf, "back", 4);
	conn_remote_str(s, (char *)buf, sizeof(buf));
	CHECK(strncmp((char *)buf, "[::1]:", 6) == 0);
	conn_free(c);
	conn_free(s);
}

int main(void)
{
	RUN(server_binds_first_free_port_of_a_range);
	RUN(server_falls_back_to_wildcard);
	RUN(server_roams_only_on_in_order_datagrams);
	RUN(oversize_datagram_dropped);
	RUN(ecn_ce_is_reported);
	RUN(emsgsize_drops_the_mtu_for_good);
	RUN(client_hops_ports_and_prunes_sockets);
	RUN(ipv6_loopback);
	return test_done();
}
