/*
 * One client link of a mosh-server session (doc/PROTOCOL.md, "Sessions and
 * links"): its key, UDP socket, SSP transport, the cursor into the client's
 * user stream, the echo-ack history and what is known of the client.
 *
 * Model. The session owns the pty and the live emulator; a link borrows both.
 * Its SSP sends a view of the live emulator (termstate_new_view) with the
 * link's own echo ack, starting from a blank state 0 of the client's size, so
 * a link made for a reattaching client paints the whole screen in its first
 * frame while the shell, pty and emulator stay untouched. Client input is
 * taken from the newest client state only while the pty's write queue has
 * room; the rest waits in the user stream, which SSP keeps, so keystrokes are
 * never dropped.
 *
 * A mosh-c client that announces scrollback (doc/PROTOCOL.md, "Extensions")
 * also gets the session's history: the link's state publishes the log
 * gradually (link_publish_history), so history only ever uses what is left of
 * a frame after the screen and never delays it.
 *
 * Life: a link starts "connecting" (nothing authentic heard yet), becomes
 * "heard" on its client's first state, and ends through the shutdown
 * handshake: link_end() (the session is over) or link_displace() (another
 * client took over: the screen is frozen, no more input reaches the pty, and
 * a mosh-c client is told why). A link is finished when its shutdown was
 * acknowledged or timed out, or when it acknowledged its client's shutdown.
 */
#ifndef MOSHC_SERVER_LINK_H
#define MOSHC_SERVER_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/conn.h"
#include "server/ptychild.h"
#include "term/emu.h"
#include "util/ev.h"

struct link;

struct link_config {
	struct ev_loop *loop;
	struct conn *conn;       /* taken over */
	const uint8_t *key;      /* 16 bytes, copied */
	struct emu *emu;         /* the session's live emulator, borrowed */
	struct pty_child *child; /* the session's pty, borrowed */
	int width, height;       /* the client's window: this link's state 0 */
	struct history *history; /* the session's scrollback, borrowed; NULL: none kept */
	/* Called once, when the client's first state arrives, before its input
	 * is applied (the session releases the child and retires other links). */
	void (*on_heard)(void *arg, struct link *l, uint64_t now);
	void *on_heard_arg;
};

struct link *link_new(const struct link_config *cfg, uint64_t now);
/* Stops watching the sockets, closes them and wipes the key. */
void link_free(struct link *l);

/* Apply client input the pty has room for and keep the echo ack; returns ms
 * until it must run again (-1: no deadline). Writes to a closed pty set
 * *child_gone. */
int64_t link_tick(struct link *l, uint64_t now, bool *child_gone);
/*
 * Publish more of the session's history to a client that wants it: never
 * more than a window beyond what the client acknowledged, and, after a flood
 * outran the log (lines lost), only once the flood is over, so the client
 * sees one gap, then the newest lines. Returns ms until it wants to run
 * again (-1: no deadline).
 */
int64_t link_publish_history(struct link *l, uint64_t now);
/* The collection delay before a frame (the session cuts it once the pty is quiet). */
void link_set_send_mindelay(struct link *l, uint64_t ms);

/* Whether an authentic client state has arrived, and when the newest did. */
bool link_heard(const struct link *l);
uint64_t link_last_heard(const struct link *l);
/* The client's address without its port ("::1", "192.0.2.7"); "" before contact. */
void link_client_ip(const struct link *l, char *out, size_t len);
/* Whether the client announced itself as mosh-c (its hello has arrived). */
bool link_peer_is_moshc(const struct link *l);
uint16_t link_port(const struct link *l);

/* End the link because the session ends (kind: 0, or a WIRE_NOTICE_* told to
 * a mosh-c client). A link whose client never spoke is finished at once. */
void link_end(struct link *l, uint64_t now, uint32_t notice, const char *text);
/* Another client attached from by_ip: freeze, stop input, tell and end. */
void link_displace(struct link *l, uint64_t now, const char *by_ip);
/* A connection to the session's agent socket (taken over): forwarded to
 * this link's client if it offered its agent (-A); false if closed. */
bool link_forward_agent(struct link *l, int fd);
bool link_ending(const struct link *l);
/* The client ended the session (its shutdown state arrived). */
bool link_client_quit(const struct link *l);
/* Nothing more to do: the handshake is over (or could not start). */
bool link_finished(const struct link *l, uint64_t now);

#endif
