/*
 * UDP sockets, roaming and port hopping; see conn.h for the model.
 *
 * Invariants: the server has exactly one socket; the client has 1..10, the
 * last being the newest (the one it sends from); has_remote implies
 * remote/remotelen hold the peer. Socket options that fail are ignored, as in
 * mosh: ECN marking and PMTU settings are best effort.
 */
#include "net/conn.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "net/wire.h"
#include "util/log.h"
#include "util/xmalloc.h"

struct conn_sock {
	int fd;
	uint64_t created;
};

struct conn {
	bool server;
	struct conn_sock socks[WIRE_MAX_PORTS_OPEN];
	size_t nsocks;
	size_t next_rx; /* round-robin start for conn_recv */
	uint64_t fds_version;
	int family;
	size_t mtu;

	bool has_remote;
	struct sockaddr_storage remote;
	socklen_t remotelen;
	uint64_t last_heard;

	uint64_t last_port_choice;
	bool roundtrip_known;
	uint64_t last_roundtrip;

	char *warning;
	struct conn_stats stats;
};

static size_t family_mtu(int family)
{
	return family == AF_INET6 ? WIRE_MTU_IPV6 : WIRE_MTU_IPV4;
}

static void set_options(int fd, int family)
{
	int tos = WIRE_TOS_ECT0, on = 1, off = 0;
	int pmtu = IP_PMTUDISC_DONT, pmtu6 = IPV6_PMTUDISC_DONT;

	(void)setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
	(void)setsockopt(fd, IPPROTO_IP, IP_RECVTOS, &on, sizeof(on));
	(void)setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu));
	if (family == AF_INET6) {
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_RECVTCLASS, &on, sizeof(on));
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &pmtu6, sizeof(pmtu6));
		/* A wildcard IPv6 socket also serves IPv4 clients. */
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	}
}

static int open_socket(int family)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd >= 0)
		set_options(fd, family);
	return fd;
}

int conn_parse_port_range(const char *s, uint16_t *lo, uint16_t *hi, char err[ERR_LEN])
{
	unsigned long v[2];
	const char *p = s;
	int n = 0;

	if (!s || !*s)
		return err_set(err, ERR_INVAL, "empty port: give a port N or a range LOW:HIGH");
	for (;;) {
		char *end;

		if (*p < '0' || *p > '9')
			return err_set(err, ERR_INVAL,
			               "bad port \"%s\": use a decimal port N or a range LOW:HIGH",
			               s);
		errno = 0;
		v[n] = strtoul(p, &end, 10);
		if (errno || v[n] > 65535)
			return err_set(err, ERR_INVAL, "bad port \"%s\": ports are 0..65535", s);
		n++;
		if (*end == '\0')
			break;
		if (*end != ':' || n == 2)
			return err_set(err, ERR_INVAL,
			               "bad port \"%s\": use a decimal port N or a range LOW:HIGH",
			               s);
		p = end + 1;
	}
	if (n == 1) {
		*lo = *hi = (uint16_t)v[0];
		return 0;
	}
	if (v[0] == 0)
		return err_set(err, ERR_INVAL, "bad port range \"%s\": LOW must not be 0", s);
	if (v[0] > v[1])
		return err_set(err, ERR_INVAL,
		               "bad port range \"%s\": LOW must not be greater than HIGH", s);
	*lo = (uint16_t)v[0];
	*hi = (uint16_t)v[1];
	return 0;
}

static struct conn *conn_alloc(bool server)
{
	struct conn *c = xcalloc(1, sizeof(*c));

	c->server = server;
	c->mtu = WIRE_MTU_DEFAULT;
	return c;
}

static void add_sock(struct conn *c, int fd, uint64_t now)
{
	ASSERT(c->nsocks < WIRE_MAX_PORTS_OPEN);
	c->socks[c->nsocks++] = (struct conn_sock){fd, now};
	c->fds_version++;
}

static void set_port(struct sockaddr *sa, uint16_t port)
{
	if (sa->sa_family == AF_INET6)
		((struct sockaddr_in6 *)(void *)sa)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)(void *)sa)->sin_port = htons(port);
}

/* Bind a socket for ai in [lo, hi], lowest port first; fd or -1 (errno). */
static int bind_range(const struct addrinfo *ai, uint16_t lo, uint16_t hi)
{
	struct sockaddr_storage ss;
	int fd = open_socket(ai->ai_family), saved;

	if (fd < 0)
		return -1;
	memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
	for (uint32_t port = lo; port <= hi; port++) {
		set_port((struct sockaddr *)&ss, (uint16_t)port);
		if (bind(fd, (struct sockaddr *)&ss, ai->ai_addrlen) == 0)
			return fd;
		if (errno != EADDRINUSE && errno != EACCES)
			break;
	}
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

static int try_bind(const char *ip, uint16_t lo, uint16_t hi, int *family, char *why, size_t wlen)
{
	struct addrinfo hints, *res = NULL;
	int rc, fd;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV | (ip ? AI_NUMERICHOST : 0);
	rc = getaddrinfo(ip, "0", &hints, &res);
	if (rc != 0) {
		snprintf(why, wlen, "%s", gai_strerror(rc));
		return -1;
	}
	fd = bind_range(res, lo, hi);
	if (fd < 0)
		snprintf(why, wlen, "%s", strerror(errno));
	else
		*family = res->ai_family;
	freeaddrinfo(res);
	return fd;
}

struct conn *conn_server_new(const char *ip, uint16_t lo, uint16_t hi, uint64_t now,
                             char err[ERR_LEN])
{
	struct conn *c;
	char why[128] = "", why2[128] = "";
	int fd = -1, family = AF_UNSPEC;

	if (lo > hi) {
		err_set(err, ERR_INVAL, "bad port range %u:%u", lo, hi);
		return NULL;
	}
	c = conn_alloc(true);
	if (ip) {
		fd = try_bind(ip, lo, hi, &family, why, sizeof(why));
		if (fd < 0) {
			c->warning = xasprintf("could not bind %s (ports %u-%u): %s; trying the "
			                       "wildcard address",
			                       ip, lo, hi, why);
			log_error("%s", c->warning);
		}
	}
	if (fd < 0)
		fd = try_bind(NULL, lo, hi, &family, why2, sizeof(why2));
	if (fd < 0) {
		err_set(err, ERR_IO, "could not bind a UDP port in %u-%u: %s; pick another with -p",
		        lo, hi, why2);
		conn_free(c);
		return NULL;
	}
	c->family = family;
	c->mtu = family_mtu(family);
	add_sock(c, fd, now);
	return c;
}

struct conn *conn_client_new(const char *ip, const char *port, uint64_t now, char err[ERR_LEN])
{
	struct addrinfo hints, *res = NULL;
	struct conn *c;
	int rc, fd;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	rc = getaddrinfo(ip, port, &hints, &res);
	if (rc != 0) {
		err_set(err, ERR_INVAL,
		        "bad server address %s port %s: %s (a numeric IP is needed)", ip, port,
		        gai_strerror(rc));
		return NULL;
	}
	fd = open_socket(res->ai_family);
	if (fd < 0) {
		err_set(err, ERR_IO, "socket: %s", strerror(errno));
		freeaddrinfo(res);
		return NULL;
	}
	c = conn_alloc(false);
	c->family = res->ai_family;
	c->mtu = family_mtu(c->family);
	memcpy(&c->remote, res->ai_addr, res->ai_addrlen);
	c->remotelen = res->ai_addrlen;
	c->has_remote = true;
	c->last_port_choice = now;
	freeaddrinfo(res);
	add_sock(c, fd, now);
	return c;
}

void conn_free(struct conn *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nsocks; i++)
		close(c->socks[i].fd);
	free(c->warning);
	free(c);
}

const char *conn_warning(const struct conn *c)
{
	return c->warning;
}

size_t conn_fds(const struct conn *c, int *fds, size_t max)
{
	size_t n = c->nsocks < max ? c->nsocks : max;

	for (size_t i = 0; i < n; i++)
		fds[i] = c->socks[i].fd;
	return n;
}

uint64_t conn_fds_version(const struct conn *c)
{
	return c->fds_version;
}

/* Close the n oldest sockets. */
static void drop_oldest(struct conn *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		close(c->socks[i].fd);
	memmove(&c->socks[0], &c->socks[n], (c->nsocks - n) * sizeof(c->socks[0]));
	c->nsocks -= n;
	c->next_rx = 0;
	c->fds_version++;
}

static void prune_sockets(struct conn *c, uint64_t now)
{
	const struct conn_sock *newest = &c->socks[c->nsocks - 1];

	if (c->nsocks > 1 && now - newest->created > WIRE_MAX_OLD_SOCKET_AGE_MS)
		drop_oldest(c, c->nsocks - 1);
	if (c->nsocks > WIRE_MAX_PORTS_OPEN)
		drop_oldest(c, c->nsocks - WIRE_MAX_PORTS_OPEN);
}

static void hop(struct conn *c, uint64_t now)
{
	int fd;

	if (c->nsocks == WIRE_MAX_PORTS_OPEN)
		drop_oldest(c, 1);
	fd = open_socket(c->family);
	c->last_port_choice = now;
	if (fd < 0) {
		log_error("new socket: %s", strerror(errno));
		return;
	}
	add_sock(c, fd, now);
	c->stats.hops++;
	log_info("hopped to a new local port");
	prune_sockets(c, now);
}

static bool read_ce(struct msghdr *msg)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
		int tos = -1;

		if (cm->cmsg_level == IPPROTO_IP && (cm->cmsg_type == IP_TOS) &&
		    cm->cmsg_len >= CMSG_LEN(1))
			tos = *(const uint8_t *)CMSG_DATA(cm);
		else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_TCLASS &&
		         cm->cmsg_len >= CMSG_LEN(sizeof(int)))
			memcpy(&tos, CMSG_DATA(cm), sizeof(int));
		if (tos >= 0)
			return (tos & 0x03) == 0x03;
	}
	return false;
}

int conn_recv(struct conn *c, uint8_t *buf, size_t cap, struct conn_dgram *d)
{
	for (size_t k = 0; k < c->nsocks; k++) {
		size_t i = (c->next_rx + k) % c->nsocks;
		union {
			struct cmsghdr align;
			uint8_t space[CMSG_SPACE(sizeof(int)) * 4];
		} ctl;
		struct iovec iov = {buf, cap};
		struct msghdr msg;
		ssize_t n;

		memset(&msg, 0, sizeof(msg));
		memset(d, 0, sizeof(*d));
		msg.msg_name = &d->from;
		msg.msg_namelen = sizeof(d->from);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = ctl.space;
		msg.msg_controllen = sizeof(ctl.space);
		n = recvmsg(c->socks[i].fd, &msg, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				continue;
			/* e.g. ECONNREFUSED from an ICMP error: not fatal */
			if (errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH)
				continue;
			return ERR_IO;
		}
		c->next_rx = (i + 1) % c->nsocks;
		if (msg.msg_flags & MSG_TRUNC) {
			c->stats.oversize++;
			return ERR_RANGE;
		}
		d->len = (size_t)n;
		d->fromlen = msg.msg_namelen;
		d->fd = c->socks[i].fd;
		d->ce = read_ce(&msg);
		c->stats.received++;
		if (i == c->nsocks - 1)
			c->stats.received_newest++;
		return 1;
	}
	return 0;
}

static bool same_addr(const struct conn *c, const struct conn_dgram *d)
{
	return c->remotelen == d->fromlen && memcmp(&c->remote, &d->from, d->fromlen) == 0;
}

void conn_accept(struct conn *c, const struct conn_dgram *d, bool in_order, uint64_t now)
{
	if (!c->server)
		prune_sockets(c, now);
	if (!in_order)
		return;
	c->last_heard = now;
	if (!c->server)
		return;
	if (!c->has_remote || !same_addr(c, d)) {
		char s[INET6_ADDRSTRLEN + 16];

		memcpy(&c->remote, &d->from, d->fromlen);
		c->remotelen = d->fromlen;
		if (c->has_remote)
			c->stats.roams++;
		c->has_remote = true;
		conn_remote_str(c, s, sizeof(s));
		log_info("server now attached to client at %s", s);
	}
}

int conn_send(struct conn *c, const uint8_t *dgram, size_t len, uint64_t now)
{
	int fd = c->socks[c->nsocks - 1].fd;
	int rc = 0;

	if (!c->has_remote)
		return ERR_AGAIN;
	if (sendto(fd, dgram, len, MSG_NOSIGNAL, (struct sockaddr *)&c->remote, c->remotelen) < 0) {
		if (errno == EMSGSIZE)
			c->mtu = WIRE_MTU_DEFAULT;
		c->stats.send_errors++;
		rc = ERR_IO;
	} else {
		c->stats.sent++;
	}

	if (c->server) {
		if (now - c->last_heard > WIRE_SERVER_ASSOCIATION_TIMEOUT_MS) {
			c->has_remote = false;
			c->stats.detaches++;
			log_info("server now detached from client");
		}
	} else if (now - c->last_port_choice > WIRE_PORT_HOP_INTERVAL_MS &&
	           (!c->roundtrip_known || now - c->last_roundtrip > WIRE_PORT_HOP_INTERVAL_MS)) {
		hop(c, now);
	}
	return rc;
}

void conn_set_last_roundtrip(struct conn *c, uint64_t when)
{
	c->roundtrip_known = true;
	c->last_roundtrip = when;
}

bool conn_has_remote(const struct conn *c)
{
	return c->has_remote;
}

size_t conn_mtu(const struct conn *c)
{
	return c->mtu;
}

uint64_t conn_last_heard(const struct conn *c)
{
	return c->last_heard;
}

uint16_t conn_local_port(const struct conn *c)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(c->socks[c->nsocks - 1].fd, (struct sockaddr *)&ss, &len) != 0)
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)(void *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)(void *)&ss)->sin_port);
}

void conn_remote_str(const struct conn *c, char *out, size_t len)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	if (len)
		out[0] = '\0';
	if (!c->has_remote ||
	    getnameinfo((const struct sockaddr *)&c->remote, c->remotelen, host, sizeof(host), serv,
	                sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return;
	snprintf(out, len, c->remote.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, serv);
}

const struct conn_stats *conn_get_stats(const struct conn *c)
{
	return &c->stats;
}
