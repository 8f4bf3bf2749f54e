/* Name resolution under the --family policy; see resolve.h. */
#include "launcher/resolve.h"

#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/err.h"
#include "util/xmalloc.h"

static const char *const family_names[] = {
    [RESOLVE_INET] = "inet",
    [RESOLVE_INET6] = "inet6",
    [RESOLVE_AUTO] = "auto",
    [RESOLVE_ALL] = "all",
    [RESOLVE_PREFER_INET] = "prefer-inet",
    [RESOLVE_PREFER_INET6] = "prefer-inet6",
};

const char *resolve_family_name(enum resolve_family f)
{
	ASSERT((size_t)f < sizeof family_names / sizeof family_names[0]);
	return family_names[f];
}

int resolve_family_parse(const char *s, enum resolve_family *f)
{
	for (size_t i = 0; i < sizeof family_names / sizeof family_names[0]; i++) {
		if (strcasecmp(s, family_names[i]) == 0) {
			*f = (enum resolve_family)i;
			return 0;
		}
	}
	return ERR_INVAL;
}

static int addr_family(const struct resolve_addr *a)
{
	return a->ss.ss_family;
}

/* Stable partition: entries of family fam first. */
static void put_first(struct resolve_addr *a, size_t n, int fam)
{
	struct resolve_addr *tmp = xcalloc(n ? n : 1, sizeof *tmp);
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (addr_family(&a[i]) == fam)
			tmp[k++] = a[i];
	for (size_t i = 0; i < n; i++)
		if (addr_family(&a[i]) != fam)
			tmp[k++] = a[i];
	memcpy(a, tmp, n * sizeof *a);
	free(tmp);
}

int resolve_apply(struct resolve_addr *a, size_t *n, enum resolve_family f, const char *host,
                  char *err)
{
	size_t k = 0;

	switch (f) {
	case RESOLVE_INET:
	case RESOLVE_INET6: {
		int fam = f == RESOLVE_INET ? AF_INET : AF_INET6;

		for (size_t i = 0; i < *n; i++)
			if (addr_family(&a[i]) == fam)
				a[k++] = a[i];
		*n = k;
		break;
	}
	case RESOLVE_PREFER_INET:
		put_first(a, *n, AF_INET);
		break;
	case RESOLVE_PREFER_INET6:
		put_first(a, *n, AF_INET6);
		break;
	case RESOLVE_AUTO:
		for (size_t i = 1; i < *n; i++)
			if (addr_family(&a[i]) != addr_family(&a[0]))
				return err_set(
				    err, ERR_INVAL,
				    "host %s has both IPv4 and IPv6 addresses; choose with "
				    "--family (or -4/-6)",
				    host);
		break;
	case RESOLVE_ALL:
		break;
	}
	if (*n == 0)
		return err_set(err, ERR_NOTFOUND, "host %s has no %s address", host,
		               f == RESOLVE_INET ? "IPv4" : "IPv6");
	return 0;
}

static int gai(const char *host, const char *port, int flags, int fam, struct addrinfo **res)
{
	struct addrinfo hints;

	memset(&hints, 0, sizeof hints);
	hints.ai_flags = flags;
	hints.ai_family = fam;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	return getaddrinfo(host, port, &hints, res);
}

int resolve_host(const char *host, const char *port, enum resolve_family f,
                 struct resolve_addr **out, size_t *n, char *err)
{
	int fam = f == RESOLVE_INET ? AF_INET : f == RESOLVE_INET6 ? AF_INET6 : AF_UNSPEC;
	struct addrinfo *res = NULL, *canon = NULL;
	struct resolve_addr *a;
	size_t k = 0;
	int rc;

	*out = NULL;
	*n = 0;
	rc = gai(host, port, AI_NUMERICHOST, fam, &res);
	if (rc != 0) {
		rc = gai(host, port, AI_CANONNAME, fam, &canon);
		if (rc != 0)
			return err_set(err, ERR_NOTFOUND, "could not resolve %s: %s", host,
			               gai_strerror(rc));
		if (canon->ai_canonname == NULL) {
			res = canon;
			canon = NULL;
		} else {
			rc = gai(canon->ai_canonname, port, 0, fam, &res);
			if (rc != 0) {
				err_set(err, ERR_NOTFOUND,
				        "could not resolve canonical name %s of %s: %s",
				        canon->ai_canonname, host, gai_strerror(rc));
				freeaddrinfo(canon);
				return ERR_NOTFOUND;
			}
		}
	}
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
		k++;
	a = xcalloc(k ? k : 1, sizeof *a);
	k = 0;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof a[k].ss)
			continue;
		memcpy(&a[k].ss, ai->ai_addr, ai->ai_addrlen);
		a[k].len = ai->ai_addrlen;
		k++;
	}
	freeaddrinfo(res);
	if (canon)
		freeaddrinfo(canon);
	rc = resolve_apply(a, &k, f, host, err);
	if (rc < 0) {
		free(a);
		return rc;
	}
	*out = a;
	*n = k;
	return 0;
}

int resolve_numeric(const struct resolve_addr *a, char *buf, size_t len)
{
	if (getnameinfo((const struct sockaddr *)&a->ss, a->len, buf, (socklen_t)len, NULL, 0,
	                NI_NUMERICHOST) != 0)
		return ERR_INVAL;
	return 0;
}

bool resolve_is_numeric(const char *s)
{
	struct addrinfo *res = NULL;
	struct addrinfo hints;

	memset(&hints, 0, sizeof hints);
	hints.ai_flags = AI_NUMERICHOST;
	hints.ai_family = AF_UNSPEC;
	if (getaddrinfo(s, NULL, &hints, &res) != 0)
		return false;
	freeaddrinfo(res);
	return true;
}
