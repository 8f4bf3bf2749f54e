/* util/lookup: results through the descriptor, failures, cancels that race the thread. */
#include "../test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include "util/lookup.h"

/* Wait (bounded) until the lookup's descriptor is readable. */
static int ready(const struct lookup *l)
{
	struct pollfd p = {.fd = lookup_fd(l), .events = POLLIN};

	return poll(&p, 1, 30000) == 1 && (p.revents & POLLIN);
}

TEST(an_address_literal_comes_back)
{
	struct lookup *l = lookup_start("127.0.0.1", "8022");
	struct addrinfo *res = NULL;
	const struct sockaddr_in *sin;

	CHECK(l != NULL);
	CHECK(ready(l));
	CHECK_EQ_INT(lookup_finish(l, &res), 0);
	CHECK(res != NULL);
	CHECK_EQ_INT(res->ai_family, AF_INET);
	CHECK_EQ_INT(res->ai_socktype, SOCK_STREAM);
	sin = (const struct sockaddr_in *)res->ai_addr;
	CHECK_EQ_INT(ntohs(sin->sin_port), 8022);
	CHECK_EQ_INT(ntohl(sin->sin_addr.s_addr), INADDR_LOOPBACK);
	freeaddrinfo(res);
}

TEST(a_bad_port_is_an_error_not_a_list)
{
	struct lookup *l = lookup_start("127.0.0.1", "http");
	struct addrinfo *res = (struct addrinfo *)&res;

	CHECK(l != NULL);
	CHECK(ready(l));
	CHECK(lookup_finish(l, &res) != 0);
	CHECK(res == NULL);
}

/* Cancels before, during and after the thread's work: nothing leaks or is
 * touched after it is freed (the sanitizer build checks). */
TEST(cancels_at_any_point)
{
	for (int i = 0; i < 200; i++) {
		struct lookup *l = lookup_start("::1", "22");

		CHECK(l != NULL);
		if (i % 3 == 2)
			CHECK(ready(l));
		else if (i % 3 == 1)
			usleep(50);
		lookup_cancel(l);
	}
	lookup_cancel(NULL);
	/* Let the last threads end before the leak check at exit. */
	usleep(200000);
}

int main(void)
{
	RUN(an_address_literal_comes_back);
	RUN(a_bad_port_is_an_error_not_a_list);
	RUN(cancels_at_any_point);
	return test_done();
}
