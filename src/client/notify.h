/*
 * The notification bar's logic (doc/PROTOCOL.md 7.7): which text row 0 shows and
 * when the bar must be refreshed. Time is injected (milliseconds of the
 * caller's monotonic clock), so the tests run on a fake clock; drawing the
 * text onto the framebuffer (white on blue, bold text) is the caller's.
 *
 * Model: at most one message, with an expiry (ordinary 1 s, network errors
 * ACK_INTERVAL + 100 = 3.1 s, shortened to 1 s once sends succeed again;
 * permanent ones never expire) and a flag for the quit hint. Independently
 * two clocks of contact: when the newest server state arrived ("server late"
 * beyond 6500 ms) and when the newest state the server acknowledged was sent
 * ("reply late" beyond 10000 ms). The bar is shown when there is an
 * unexpired message or either clock is late.
 *
 * Texts (N as "N seconds"/"N s" below a minute, "M:SS" below an hour, else
 * "H:MM:SS"; "reply" replaces "contact" when only the reply is late):
 *   late, no message:  "mosh: Last contact N seconds ago." + hint
 *   message:           "mosh: <message>" + hint
 *   message and late:  "mosh: <message> (N s without contact.)" + hint
 */
#ifndef MOSHC_CLIENT_NOTIFY_H
#define MOSHC_CLIENT_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define NOTIFY_SERVER_LATE_MS 6500
#define NOTIFY_REPLY_LATE_MS 10000
#define NOTIFY_MESSAGE_MS 1000
#define NOTIFY_NETWORK_ERROR_MS (3000 + 100) /* ACK_INTERVAL + 100 */
#define NOTIFY_REFRESH_MS 1000
#define NOTIFY_SLOW_REFRESH_MS 3000 /* ACK_INTERVAL: the period once contact is older than: */
#define NOTIFY_SLOW_AFTER_MS 60000
#define NOTIFY_MSG_MAX 255 /* longer messages are cut at a UTF-8 boundary */
#define NOTIFY_NEVER UINT64_MAX

/* The client's messages (7.7), for the main loop. */
#define NOTIFY_NO_REPLY_AFTER_MS                                                                   \
	250                           /* no server state at all yet: NOTIFY_TEXT_NOTHING_RECEIVED  \
	                               */
#define NOTIFY_GIVE_UP_AFTER_MS 15000 /* still none: NOTIFY_TEXT_TIMED_OUT, and shut down */
#define NOTIFY_TEXT_NOTHING_RECEIVED "Nothing received from server on UDP port %u."
#define NOTIFY_FIREWALL_AFTER_MS 10000 /* still none: name the host and port to open */
#define NOTIFY_TEXT_FIREWALL                                                                       \
	"nothing received from %s on UDP port %u in %u s: is the port open on the server "         \
	"(firewall)?"
#define NOTIFY_TEXT_TIMED_OUT "Timed out waiting for server..."
#define NOTIFY_TEXT_USER_QUIT "Exiting on user request..."
#define NOTIFY_TEXT_EOF "Exiting..."
#define NOTIFY_TEXT_SIGNAL "Signal received, shutting down..."

struct notify {
	char message[NOTIFY_MSG_MAX + 1]; /* "" when none */
	uint64_t expires;                 /* NOTIFY_NEVER for permanent messages */
	bool network_error;
	bool show_quit_hint;
	char quit_hint[40];  /* from esc_quit_hint(), "" when escapes are disabled */
	uint64_t last_heard; /* newest server state arrived */
	uint64_t last_acked; /* newest acknowledged state was sent */
};

/* Start with both contact clocks at now. quit_hint may be NULL or "". */
void notify_init(struct notify *n, const char *quit_hint, uint64_t now);

/* Show msg ("" clears) for 1 s, or until replaced when permanent. */
void notify_set(struct notify *n, const char *msg, bool permanent, bool show_quit_hint,
                uint64_t now);
/* Clear the message (and restore the quit hint). */
void notify_clear(struct notify *n);
/* Clear the message only if it is exactly msg (e.g. the escape help). */
void notify_clear_if(struct notify *n, const char *msg);
/* The current message, "" when none or expired. Borrowed, valid until the next call. */
const char *notify_message(const struct notify *n, uint64_t now);

/* A send error ("sendto: ..."): shown for 3.1 s. */
void notify_network_error(struct notify *n, const char *msg, uint64_t now);
/* Sends work again: a network error still showing expires within 1 s. */
void notify_network_ok(struct notify *n, uint64_t now);

/* A new server state arrived at ts. */
void notify_server_heard(struct notify *n, uint64_t ts);
/* The newest state the server acknowledged had been sent at ts. */
void notify_server_acked(struct notify *n, uint64_t ts);
bool notify_server_late(const struct notify *n, uint64_t now);
bool notify_reply_late(const struct notify *n, uint64_t now);

/* Drop the message if it has expired. */
void notify_expire(struct notify *n, uint64_t now);

/* Replace out's contents with the bar's text; false (out empty) when no bar is shown. */
bool notify_text(const struct notify *n, uint64_t now, struct buf *out);

/* Milliseconds until the bar needs redrawing (expiry or count-up), NOTIFY_NEVER if never. */
uint64_t notify_wait_ms(const struct notify *n, uint64_t now);

/*
 * The message while no server state has arrived, elapsed ms after the start:
 * NOTIFY_TEXT_NOTHING_RECEIVED, from NOTIFY_FIREWALL_AFTER_MS on
 * NOTIFY_TEXT_FIREWALL with host (the address the client sends to).
 */
void notify_silent_text(char *out, size_t outlen, const char *host, uint16_t port,
                        uint64_t elapsed);

/* "N <unit>" below a minute, "M:SS" below an hour, else "H:MM:SS". */
void notify_format_duration(char *out, size_t outlen, uint64_t secs, const char *unit);

#endif
