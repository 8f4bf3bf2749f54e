/* launcher/proxy: connecting under the family policy, and the two-way relay. */
#include "../test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launcher/proxy.h"
#include "util/err.h"

/* A listening TCP socket on 127.0.0.1; its port goes to port. */
static int listener(char *port, size_t len)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(bind(fd, (struct sockaddr *)&a, sizeof a) == 0);
	CHECK(listen(fd, 4) == 0);
	CHECK(getsockname(fd, (struct sockaddr *)&a, &alen) == 0);
	snprintf(port, len, "%u", ntohs(a.sin_port));
	return fd;
}

TEST(connects_and_names_the_address)
{
	char port[16], ip[64], err[ERR_LEN];
	int l = listener(port, sizeof port), fd;

	fd = proxy_connect("127.0.0.1", port, RESOLVE_PREFER_INET, ip, sizeof ip, err);
	CHECK(fd >= 0);
	CHECK_EQ_STR(ip, "127.0.0.1");
	close(fd);
	fd = proxy_connect("localhost", port, RESOLVE_INET, ip, sizeof ip, err);
	CHECK(fd >= 0);
	CHECK_EQ_STR(ip, "127.0.0.1");
	close(fd);
	close(l);
}

TEST(ipv6_loopback)
{
	struct sockaddr_in6 a;
	socklen_t alen = sizeof a;
	char port[16], ip[64], err[ERR_LEN];
	int l = socket(AF_INET6, SOCK_STREAM, 0), fd;

	memset(&a, 0, sizeof a);
	a.sin6_family = AF_INET6;
	a.sin6_addr = in6addr_loopback;
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0) {
		int e = errno;

		if (l >= 0)
			close(l);
		TEST_SKIP("no IPv6 loopback (::1) here: %s", strerror(e));
	}
	CHECK(listen(l, 4) == 0);
	CHECK(getsockname(l, (struct sockaddr *)&a, &alen) == 0);
	snprintf(port, sizeof port, "%u", ntohs(a.sin6_port));
	fd = proxy_connect("::1", port, RESOLVE_INET6, ip, sizeof ip, err);
	CHECK(fd >= 0);
	CHECK_EQ_STR(ip, "::1");
	close(fd);
	CHECK(proxy_connect("::1", port, RESOLVE_INET, ip, sizeof ip, err) < 0);
	close(l);
}

TEST(closed_port_is_an_error_naming_it)
{
	char port[16], ip[64], err[ERR_LEN];
	int l = listener(port, sizeof port);

	close(l); /* nothing listens there now */
	CHECK(proxy_connect("127.0.0.1", port, RESOLVE_ALL, ip, sizeof ip, err) < 0);
	CHECK(strstr(err, "could not connect to 127.0.0.1 port") != NULL);
	CHECK(strstr(err, "Connection refused") != NULL);
	CHECK(proxy_connect("127.0.0.1", port, RESOLVE_INET6, ip, sizeof ip, err) == ERR_NOTFOUND);
}

/*
 * Run proxy_relay in a child between (in, out) and a socket; the test plays
 * ssh on the other ends of in/out and the server on the socket's peer,
 * pushing size bytes each way at the same time.
 */
TEST(relays_both_ways_at_once_and_passes_each_end_on)
{
	enum { SIZE = 3 << 20 };
	int in[2], out[2], sk[2], status;
	unsigned char *up = malloc(SIZE), *down = malloc(SIZE);
	unsigned char *got_up = malloc(SIZE), *got_down = malloc(SIZE);
	size_t up_sent = 0, down_sent = 0, up_got = 0, down_got = 0;
	bool up_eof = false, down_eof = false;
	pid_t pid;

	for (size_t i = 0; i < SIZE; i++) {
		up[i] = (unsigned char)(i * 7 + 1);
		down[i] = (unsigned char)(i * 13 + 5);
	}
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, in) == 0);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, out) == 0);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sk) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(in[0]);
		close(out[0]);
		close(sk[0]);
		_exit(proxy_relay(in[1], out[1], sk[1]) == 0 ? 0 : 1);
	}
	close(in[1]);
	close(out[1]);
	close(sk[1]);
	/* in[0]: we write "ssh's" bytes; sk[0]: the server reads them and writes back; out[0]. */
	for (int rounds = 0; (!up_eof || !down_eof) && rounds < 100000; rounds++) {
		struct pollfd p[4] = {
		    {.fd = up_sent < SIZE ? in[0] : -1, .events = POLLOUT},
		    {.fd = down_sent < SIZE ? sk[0] : -1, .events = POLLOUT},
		    {.fd = !up_eof ? sk[0] : -1, .events = POLLIN},
		    {.fd = !down_eof ? out[0] : -1, .events = POLLIN},
		};
		ssize_t n;

		CHECK(poll(p, 4, 5000) > 0);
		if (p[0].revents & POLLOUT) {
			n = write(in[0], up + up_sent,
			          SIZE - up_sent > 65536 ? 65536 : SIZE - up_sent);
			CHECK(n > 0);
			up_sent += (size_t)n;
			if (up_sent == SIZE)
				shutdown(in[0], SHUT_WR);
		}
		if (p[1].revents & POLLOUT) {
			n = write(sk[0], down + down_sent,
			          SIZE - down_sent > 65536 ? 65536 : SIZE - down_sent);
			CHECK(n > 0);
			down_sent += (size_t)n;
			if (down_sent == SIZE)
				shutdown(sk[0], SHUT_WR);
		}
		if (p[2].revents & (POLLIN | POLLHUP)) {
			n = read(sk[0], got_up + up_got, SIZE - up_got);
			CHECK(n >= 0);
			up_got += (size_t)n;
			up_eof = n == 0;
		}
		if (p[3].revents & (POLLIN | POLLHUP)) {
			n = read(out[0], got_down + down_got, SIZE - down_got);
			CHECK(n >= 0);
			down_got += (size_t)n;
			down_eof = n == 0;
		}
	}
	CHECK(up_eof && down_eof);
	CHECK_EQ_INT(up_got, SIZE);
	CHECK_EQ_INT(down_got, SIZE);
	CHECK(memcmp(up, got_up, SIZE) == 0);
	CHECK(memcmp(down, got_down, SIZE) == 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(in[0]);
	close(out[0]);
	close(sk[0]);
	free(up);
	free(down);
	free(got_up);
	free(got_down);
}

TEST(relay_ends_when_its_output_goes_away)
{
	int in[2], out[2], sk[2], status;
	pid_t pid;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, in) == 0);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, out) == 0);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sk) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		signal(SIGPIPE, SIG_IGN);
		close(in[0]);
		close(out[0]);
		close(sk[0]);
		_exit(proxy_relay(in[1], out[1], sk[1]) == 0 ? 0 : 1);
	}
	close(in[1]);
	close(out[1]);
	close(sk[1]);
	close(out[0]);                       /* ssh stopped reading */
	CHECK(write(sk[0], "late", 4) == 4); /* the server still talks */
	close(in[0]);                        /* and ssh's input ends */
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(sk[0]);
}

int main(void)
{
	RUN(connects_and_names_the_address);
	RUN(ipv6_loopback);
	RUN(closed_port_is_an_error_naming_it);
	RUN(relays_both_ways_at_once_and_passes_each_end_on);
	RUN(relay_ends_when_its_output_goes_away);
	return test_done();
}
