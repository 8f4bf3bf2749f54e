/*
 * The client's link to its server (doc/PROTOCOL.md, "Sessions and links"):
 * the UDP connection, the SSP transport that sends our user stream and
 * receives the server's terminal state, and the shutdown handshake. It knows
 * nothing of the user's terminal (client/frontend.h draws).
 *
 * Our user stream starts with our hello (version and features), so a mosh-c
 * server can answer with its own and use the extensions; a mosh 1.4 server
 * skips it. State 0 is the empty stream and a blank terminal of our size,
 * and the first diff carries the hello and our window size, as mosh 1.4's
 * first diff carries the size.
 *
 * Names carry the prefix clink_ (the server's link.h has link_).
 */
#ifndef MOSHC_CLIENT_LINK_H
#define MOSHC_CLIENT_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/terminal.h"
#include "util/err.h"
#include "util/ev.h"

struct clink_config {
	const char *ip; /* numeric */
	uint16_t port;
	const uint8_t *key; /* 16 bytes, copied */
	int width, height;  /* our window now */
	bool scrollback;    /* announce WIRE_FEATURE_SCROLLBACK */
	bool channels;      /* announce WIRE_FEATURE_CHANNELS (the user asked to forward) */
};

struct clink;

/* NULL with err filled when the socket cannot be made. */
struct clink *clink_new(const struct clink_config *cfg, uint64_t now, char err[ERR_LEN]);
void clink_free(struct clink *l);
/* Watch the sockets and send on the loop's ticks. */
void clink_attach(struct clink *l, struct ev_loop *loop);

/* What the user did: appended to our user stream. */
void clink_push_bytes(struct clink *l, const void *data, size_t len);
void clink_push_resize(struct clink *l, int width, int height);
/* The number of the first state that can carry input pushed now. */
uint64_t clink_next_state_num(const struct clink *l);

/* The newest server state (borrowed, valid until the next receive) and its number. */
const struct termstate *clink_remote(const struct clink *l);
uint64_t clink_remote_num(const struct clink *l);
/* When the newest server state arrived (SSP_NEVER before the first). */
uint64_t clink_last_heard(const struct clink *l);
/* When our newest acknowledged state was last sent; false before any ack. */
bool clink_last_roundtrip(const struct clink *l, uint64_t *when);
/* The frame interval SSP uses now (prediction timing follows it). */
uint64_t clink_frame_interval(const struct clink *l);
/* Failed sends so far, and the errno of the last one. */
uint64_t clink_send_errors(const struct clink *l, int *last_errno);

/* Start the shutdown handshake (no-op once started). */
/* The channel part of our state (turned on by the first call, with SSP's
 * loss probe; borrowed). */
struct chanset *clink_enable_chans(struct clink *l);
/* Frames lost so far (ssp_stats.losses). */
uint64_t clink_losses(const struct clink *l);
/* The channel part of the newest state the server acknowledged, or NULL. */
const struct chanset *clink_acked_chans(const struct clink *l);

void clink_start_shutdown(struct clink *l, uint64_t now);
bool clink_shutting_down(const struct clink *l);
/* Whether the link is over: our shutdown acknowledged (clean), the server's
 * shutdown acknowledged by us (clean), or our shutdown timed out (not). */
bool clink_done(const struct clink *l, uint64_t now, bool *clean);

#endif
