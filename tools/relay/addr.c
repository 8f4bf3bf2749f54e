/* Address literals and UDP sockets for mosh-relay; see addr.h. */
#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"

int relay_addr_parse(const char *text, struct relay_addr *out, char *err)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *port, *end;
	size_t hlen;
	char *pend;
	unsigned long p;
	bool bracketed = text[0] == '[';
	struct sockaddr_in *v4 = (struct sockaddr_in *)&out->ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->ss;

	memset(out, 0, sizeof *out);
	if (bracketed) {
		end = strchr(text, ']');
		if (end == NULL || end[1] != ':')
			return err_set(err, ERR_INVAL, "\"%s\": write IPv6 as [ADDR]:PORT", text);
		hlen = (size_t)(end - text - 1);
		text++;
		port = end + 2;
	} else {
		end = strchr(text, ':');
		if (end == NULL)
			return err_set(err, ERR_INVAL, "\"%s\": write the address as ADDR:PORT",
			               text);
		if (strchr(end + 1, ':') != NULL)
			return err_set(err, ERR_INVAL, "\"%s\": write IPv6 as [ADDR]:PORT", text);
		hlen = (size_t)(end - text);
		port = end + 1;
	}
	if (hlen == 0 || hlen >= sizeof host)
		return err_set(err, ERR_INVAL, "\"%s\": not an IP address literal", text);
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	errno = 0;
	p = strtoul(port, &pend, 10);
	if (*port < '0' || *port > '9' || *pend != '\0' || errno != 0 || p > 65535)
		return err_set(err, ERR_INVAL, "\"%s\": the port must be 0 to 65535", port);

	/* Brackets mean IPv6 and nothing else; an IPv6 literal needs them (the colons). */
	if (!bracketed && inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)p);
		out->len = sizeof *v4;
	} else if (bracketed && inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)p);
		out->len = sizeof *v6;
	} else {
		return err_set(err, ERR_INVAL, "\"%s\": not an %s literal", host,
		               bracketed ? "IPv6" : "IPv4");
	}
	return 0;
}

uint16_t relay_addr_port(const struct relay_addr *a)
{
	if (a->ss.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
	if (a->ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
	return 0;
}

bool relay_addr_equal(const struct relay_addr *a, const struct relay_addr *b)
{
	if (a->ss.ss_family != b->ss.ss_family || relay_addr_port(a) != relay_addr_port(b))
		return false;
	if (a->ss.ss_family == AF_INET)
		return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)&b->ss)->sin_addr.s_addr;
	if (a->ss.ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr,
		              &((const struct sockaddr_in6 *)&b->ss)->sin6_addr,
		              sizeof(struct in6_addr)) == 0;
	return false;
}

const char *relay_addr_str(const struct relay_addr *a)
{
	static char out[INET6_ADDRSTRLEN + 16];
	char host[INET6_ADDRSTRLEN];

	if (a->ss.ss_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)&a->ss)->sin_addr, host,
		          sizeof host);
		snprintf(out, sizeof out, "%s:%u", host, (unsigned)relay_addr_port(a));
	} else if (a->ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&a->ss)->sin6_addr, host,
		          sizeof host);
		snprintf(out, sizeof out, "[%s]:%u", host, (unsigned)relay_addr_port(a));
	} else {
		snprintf(out, sizeof out, "(unknown family %d)", a->ss.ss_family);
	}
	return out;
}

int relay_addr_socket(const struct relay_addr *a, struct relay_addr *bind_to, char *err)
{
	int fd = socket(a->ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return err_set(err, ERR_IO, "cannot open a UDP socket: %s", strerror(errno));
	if (bind_to == NULL)
		return fd;
	if (bind(fd, (const struct sockaddr *)&bind_to->ss, bind_to->len) < 0) {
		err_set(err, ERR_IO, "cannot listen on %s: %s", relay_addr_str(bind_to),
		        strerror(errno));
		close(fd);
		return ERR_IO;
	}
	bind_to->len = sizeof bind_to->ss;
	if (getsockname(fd, (struct sockaddr *)&bind_to->ss, &bind_to->len) < 0) {
		err_set(err, ERR_IO, "getsockname: %s", strerror(errno));
		close(fd);
		return ERR_IO;
	}
	return fd;
}
