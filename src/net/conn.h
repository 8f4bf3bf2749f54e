/*
 * The UDP connection (doc/PROTOCOL.md 1.7-1.11): sockets, addresses, MTU,
 * roaming and port hopping. It moves opaque datagrams; sealing, opening and
 * deciding what is authentic and in order is net/pkt's business, so the
 * caller reports each opened datagram back with conn_accept().
 *
 * Server: one socket for its lifetime, bound in a port range (default
 * 60001..60999, tried in increasing order), optionally on a numeric IP with a
 * fallback to the wildcard address (made dual-stack when it is IPv6). It
 * learns the client's address from the first authentic in-order datagram,
 * follows every later one that comes from elsewhere (roaming), and forgets
 * the client after 40 s of silence.
 *
 * Client: a numeric IP and port; sends from its newest socket and receives
 * on all of them. After 10 s without an acknowledged round trip and 10 s
 * since its last hop it opens a new socket (a new source port); old sockets
 * are closed once the newest is 60 s old, and at most 10 are kept.
 *
 * Every socket is non-blocking and close-on-exec, marks ECT(0) (IP_TOS 0x02),
 * reports the received TOS byte (for ECN CE) and has path-MTU discovery off.
 * Time is passed in (ms, monotonic).
 */
#ifndef MOSHC_NET_CONN_H
#define MOSHC_NET_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "util/err.h"

struct conn;

struct conn_dgram {
	size_t len;                   /* datagram length */
	bool ce;                      /* the IP header carried ECN CE */
	int fd;                       /* the socket it came in on */
	struct sockaddr_storage from; /* its source */
	socklen_t fromlen;
};

struct conn_stats {
	uint64_t sent, send_errors, received;
	uint64_t received_newest; /* of those, on the newest socket (a peer following a hop) */
	uint64_t oversize;        /* datagrams over the receive buffer: dropped */
	uint64_t roams;           /* server: the client's address changed */
	uint64_t detaches;        /* server: client forgotten after 40 s */
	uint64_t hops;            /* client: new sockets opened */
};

/*
 * A server socket bound to the first free port in [lo, hi] (lo = hi = 0: the
 * OS chooses). ip: a numeric address to bind, or NULL for the wildcard; if
 * binding it fails the wildcard is tried and conn_warning() says why. NULL
 * with a message in err when nothing could be bound.
 */
struct conn *conn_server_new(const char *ip, uint16_t lo, uint16_t hi, uint64_t now,
                             char err[ERR_LEN]);
/* A client of the server at numeric ip and port. NULL with err on failure. */
struct conn *conn_client_new(const char *ip, const char *port, uint64_t now, char err[ERR_LEN]);
void conn_free(struct conn *c);

/* A message about a fallback taken while binding, or NULL (borrowed). */
const char *conn_warning(const struct conn *c);

/*
 * The sockets to watch for reading, oldest first (the last is the one we
 * send from). The set changes when the client hops: conn_fds_version()
 * changes with it. Returns the count (at most max).
 */
size_t conn_fds(const struct conn *c, int *fds, size_t max);
uint64_t conn_fds_version(const struct conn *c);

/*
 * Read one pending datagram from any socket into buf (cap should exceed
 * WIRE_RECEIVE_MTU). 1: got one, described by *d; 0: none pending;
 * ERR_RANGE: one was larger than cap and was dropped; ERR_IO: errno says.
 */
int conn_recv(struct conn *c, uint8_t *buf, size_t cap, struct conn_dgram *d);
/*
 * The caller opened d: it is authentic; in_order says whether it is newer
 * than any seen. Only then may it move the server (roaming) and count as
 * heard. The client prunes old sockets on every authentic datagram.
 */
void conn_accept(struct conn *c, const struct conn_dgram *d, bool in_order, uint64_t now);

/*
 * Send one datagram to the peer. 0; ERR_AGAIN when no peer address is known
 * (server before contact or after detaching); ERR_IO on a failed send
 * (EMSGSIZE also drops the MTU to WIRE_MTU_DEFAULT for good). Afterwards the
 * server checks the association timeout and the client whether to hop.
 */
int conn_send(struct conn *c, const uint8_t *dgram, size_t len, uint64_t now);

/* The time our newest acknowledged state was sent (from ssp_last_roundtrip). */
void conn_set_last_roundtrip(struct conn *c, uint64_t when);

bool conn_has_remote(const struct conn *c);
/* Datagram MTU: 1252 (IPv4), 1216 (IPv6), 500 before a family is known or after EMSGSIZE. */
size_t conn_mtu(const struct conn *c);
/* Time of the last authentic in-order datagram (0: none yet). */
uint64_t conn_last_heard(const struct conn *c);
/* The local port of the newest socket. */
uint16_t conn_local_port(const struct conn *c);
/* The peer as "HOST:PORT" / "[HOST]:PORT" into out (empty when unknown). */
void conn_remote_str(const struct conn *c, char *out, size_t len);
const struct conn_stats *conn_get_stats(const struct conn *c);

#endif
