/*
 * The I/O shell of the forwarded channels: each channel of a chan table
 * (chan.h) joined to a local stream socket. Socket bytes go into the
 * channel while it has room (so a slow peer stops our reads), the peer's
 * bytes are written out as the socket takes them, EOF becomes fin and fin
 * becomes shutdown(SHUT_WR), errors reset the channel.
 *
 * Channels the peer opens are connected through the owner's connect()
 * (non-blocking); the channel is accepted once the connection is up, and
 * refused with the error otherwise. On the client, agent channels pass
 * through the request filter (agentfilter.h): only list-keys and sign reach
 * the user's agent.
 */
#ifndef MOSHC_CHAN_ENDPOINT_H
#define MOSHC_CHAN_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>

#include "chan/chan.h"
#include "util/ev.h"

enum { ENDPOINT_TCP = -2 };

struct endpoint_ops {
	/*
	 * The peer opened a channel: start a connection for it and return its
	 * socket (non-blocking, connecting or connected); or ENDPOINT_TCP with
	 * "host:port" in text, which the endpoint looks up without blocking and
	 * connects to, each address in turn (endpoint_tcp()); or -1 with a short
	 * reason in text (the channel is refused with it).
	 */
	int (*connect)(void *arg, enum chan_kind kind, const char *target, char *text, size_t len);
	/* Optional: a channel we opened was refused by the peer (its reason). */
	void (*refused)(void *arg, enum chan_kind kind, const char *target, const char *reason);
	void *arg;
	bool filter_agent; /* agent channels go through the request filter */
};

struct endpoint;

struct endpoint *endpoint_new(struct ev_loop *loop, struct chan *chan,
                              const struct endpoint_ops *ops);
/* Closes every socket (the peer sees the channels reset when it hears of it). */
void endpoint_free(struct endpoint *ep);

/* After a received instruction: take the peer's part in, move every channel
 * on; losses is SSP's count of lost frames (ssp_stats.losses): each new one
 * halves the in-flight window (chan_loss). */
void endpoint_sync(struct endpoint *ep, const struct chanset *remote, const struct chanset *acked,
                   uint64_t losses);
/* Forward a local connection (taken over): false if no channel could be
 * opened (the socket is closed). */
bool endpoint_add(struct endpoint *ep, int fd, enum chan_kind kind, const char *target);

/* Sockets open, for tests and the log. */
size_t endpoint_sockets(const struct endpoint *ep);

/*
 * Helpers for the owners. endpoint_tcp: connect's answer for "host:port"
 * ([v6]:port allowed). endpoint_tcp_listen: a listening socket on bind:port
 * (bind NULL: loopback, "" or "*": every address), or -1 with a reason.
 */
int endpoint_tcp(const char *target, char *text, size_t len);
int endpoint_tcp_listen(const char *bind, unsigned port, char *reason, size_t len);
/* A non-blocking connection to a unix socket. */
int endpoint_unix_connect(const char *path, char *reason, size_t len);

#endif
