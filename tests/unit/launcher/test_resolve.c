/* launcher/resolve: the family policy on synthetic lists, and real loopback lookups. */
#include "../test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>

#include "launcher/resolve.h"
#include "util/err.h"

/* A list from a pattern such as "4664": '4' is 10.0.0.<i>, '6' is 2001:db8::<i>. */
static size_t make(struct resolve_addr *a, const char *pattern)
{
	size_t n = 0;

	for (const char *p = pattern; *p; p++, n++) {
		memset(&a[n], 0, sizeof a[n]);
		if (*p == '4') {
			struct sockaddr_in *s = (struct sockaddr_in *)&a[n].ss;

			s->sin_family = AF_INET;
			s->sin_addr.s_addr = htonl(0x0a000000u + (uint32_t)n);
			a[n].len = sizeof *s;
		} else {
			struct sockaddr_in6 *s = (struct sockaddr_in6 *)&a[n].ss;

			s->sin6_family = AF_INET6;
			inet_pton(AF_INET6, "2001:db8::", &s->sin6_addr);
			s->sin6_addr.s6_addr[15] = (uint8_t)n;
			a[n].len = sizeof *s;
		}
	}
	return n;
}

/* The list as "4:0 6:1 ..." (family and original index). */
static const char *show(const struct resolve_addr *a, size_t n)
{
	static char out[128];
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int idx;

		if (a[i].ss.ss_family == AF_INET)
			idx = (int)(ntohl(((const struct sockaddr_in *)&a[i].ss)->sin_addr.s_addr) &
			            0xff);
		else
			idx = ((const struct sockaddr_in6 *)&a[i].ss)->sin6_addr.s6_addr[15];
		used += (size_t)snprintf(out + used, sizeof out - used, "%s%c:%d", i ? " " : "",
		                         a[i].ss.ss_family == AF_INET ? '4' : '6', idx);
	}
	return out;
}

static void check_policy(const char *pattern, enum resolve_family f, int rc, const char *want)
{
	struct resolve_addr a[8];
	char err[ERR_LEN];
	size_t n = make(a, pattern);

	CHECK_EQ_INT(resolve_apply(a, &n, f, "h", err), rc);
	if (rc == 0)
		CHECK_EQ_STR(show(a, n), want);
}

TEST(policies)
{
	check_policy("6464", RESOLVE_INET, 0, "4:1 4:3");
	check_policy("6464", RESOLVE_INET6, 0, "6:0 6:2");
	check_policy("6464", RESOLVE_PREFER_INET, 0, "4:1 4:3 6:0 6:2");
	check_policy("4646", RESOLVE_PREFER_INET6, 0, "6:1 6:3 4:0 4:2");
	check_policy("6464", RESOLVE_ALL, 0, "6:0 4:1 6:2 4:3");
	check_policy("444", RESOLVE_AUTO, 0, "4:0 4:1 4:2");
	check_policy("66", RESOLVE_AUTO, 0, "6:0 6:1");
	check_policy("46", RESOLVE_AUTO, ERR_INVAL, NULL);
	check_policy("66", RESOLVE_INET, ERR_NOTFOUND, NULL);
	check_policy("44", RESOLVE_INET6, ERR_NOTFOUND, NULL);
}

TEST(family_names)
{
	enum resolve_family f;

	CHECK_EQ_INT(resolve_family_parse("Prefer-INET6", &f), 0);
	CHECK_EQ_INT(f, RESOLVE_PREFER_INET6);
	CHECK_EQ_STR(resolve_family_name(f), "prefer-inet6");
	CHECK_EQ_INT(resolve_family_parse("inet4", &f), ERR_INVAL);
	CHECK_EQ_INT(resolve_family_parse("", &f), ERR_INVAL);
}

TEST(numeric_hosts)
{
	struct resolve_addr *a;
	char err[ERR_LEN], ip[64];
	size_t n;

	CHECK_EQ_INT(resolve_host("127.0.0.1", "22", RESOLVE_PREFER_INET, &a, &n, err), 0);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(resolve_numeric(&a[0], ip, sizeof ip), 0);
	CHECK_EQ_STR(ip, "127.0.0.1");
	free(a);
	CHECK_EQ_INT(resolve_host("127.0.0.1", "22", RESOLVE_INET6, &a, &n, err), ERR_NOTFOUND);
	CHECK(resolve_is_numeric("127.0.0.1"));
	CHECK(resolve_is_numeric("::1"));
	CHECK(!resolve_is_numeric("localhost"));
	CHECK(!resolve_is_numeric(""));
	CHECK(!resolve_is_numeric("1.2.3.4 "));
}

TEST(localhost_by_name)
{
	struct resolve_addr *a;
	char err[ERR_LEN], ip[64];
	size_t n;

	CHECK_EQ_INT(resolve_host("localhost", "22", RESOLVE_INET, &a, &n, err), 0);
	CHECK(n >= 1);
	CHECK_EQ_INT(resolve_numeric(&a[0], ip, sizeof ip), 0);
	CHECK_EQ_STR(ip, "127.0.0.1");
	free(a);
}

TEST(unknown_host)
{
	struct resolve_addr *a;
	char err[ERR_LEN] = "";
	size_t n;

	/* .invalid never resolves (RFC 6761). */
	CHECK_EQ_INT(resolve_host("no-such-host.invalid", "22", RESOLVE_ALL, &a, &n, err),
	             ERR_NOTFOUND);
	CHECK(strstr(err, "no-such-host.invalid") != NULL);
	CHECK(a == NULL);
}

int main(void)
{
	RUN(policies);
	RUN(family_names);
	RUN(numeric_hosts);
	RUN(localhost_by_name);
	RUN(unknown_host);
	return test_done();
}
