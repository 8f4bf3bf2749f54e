/*
 * Host name resolution under mosh's address-family policy (--family).
 *
 * A name is first tried as a numeric address; otherwise it is resolved with
 * AI_CANONNAME and the canonical name resolved again, as mosh 1.4 does (so a
 * CNAME'd host gives the addresses of its canonical name). The list is then
 * shaped by the policy:
 *   inet / inet6          keep only that family;
 *   prefer-inet(6)        that family first, then the rest, order kept inside each;
 *   all                   as the resolver returned them;
 *   auto                  as returned, but a host with both families is an
 *                         error that asks the user to choose with --family.
 * The result is never empty on success.
 */
#ifndef MOSHC_LAUNCHER_RESOLVE_H
#define MOSHC_LAUNCHER_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

enum resolve_family {
	RESOLVE_INET,
	RESOLVE_INET6,
	RESOLVE_AUTO,
	RESOLVE_ALL,
	RESOLVE_PREFER_INET,
	RESOLVE_PREFER_INET6,
};

struct resolve_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* The policy's --family spelling ("prefer-inet", ...). */
const char *resolve_family_name(enum resolve_family f);
/* Parse a --family value, case-insensitively; 0 or ERR_INVAL. */
int resolve_family_parse(const char *s, enum resolve_family *f);

/*
 * Apply the policy to a resolved list in place; *n shrinks for inet/inet6.
 * 0, or ERR_NOTFOUND (nothing left) / ERR_INVAL (auto with both families),
 * err filled naming host.
 */
int resolve_apply(struct resolve_addr *a, size_t *n, enum resolve_family f, const char *host,
                  char *err);

/*
 * Resolve host:port (TCP) under the policy. On success *out (free()) holds
 * *n >= 1 addresses in the order to try.
 */
int resolve_host(const char *host, const char *port, enum resolve_family f,
                 struct resolve_addr **out, size_t *n, char *err);

/* The numeric form of a (no port): 0, or ERR_INVAL. */
int resolve_numeric(const struct resolve_addr *a, char *buf, size_t len);

/* Whether s is a numeric IPv4 or IPv6 address. */
bool resolve_is_numeric(const char *s);

#endif
