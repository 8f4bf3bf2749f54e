/*
 * The complete terminal state (doc/PROTOCOL.md 5.6): the server-to-client SSP
 * state, an emulator (its framebuffer is what the user sees) plus the echo
 * ack, the newest client state whose keystrokes the application has had 50 ms
 * to echo.
 *
 * diff(old, new) is a HostBuffers.HostMessage with, in this order: an EchoAck
 * if the echo ack changed; if the framebuffers differ, a Resize when the size
 * changed and a HostBytes whose hoststring redraws old into new using only
 * what a mosh 1.4 client understands (term/disp.h, server flavour).
 * apply() checks every instruction of a message before changing anything, so
 * a malformed or hostile diff leaves the state as it was: sizes outside the
 * framebuffer limits and an echo ack going backwards are rejected, and reply
 * bytes a hoststring provokes (a query smuggled into a diff) are discarded:
 * a client never answers its server.
 *
 * Copies share framebuffer rows (copy-on-write), so SSP's sent and received
 * state lists cost O(changed rows) each.
 */
#ifndef MOSHC_STATE_TERMINAL_H
#define MOSHC_STATE_TERMINAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ssp/ssp.h"
#include "term/emu.h"
#include "util/buf.h"

struct termstate;

/* A blank width×height terminal with echo ack 0 (SSP state 0). */
struct termstate *termstate_new(int width, int height);
/*
 * The live state one server link sends: the session's emulator, borrowed (it
 * must outlive the view), with this link's own echo ack, hello and notice.
 * Copies of a view are ordinary snapshots that own their framebuffer.
 */
struct termstate *termstate_new_view(struct emu *emu);
/* Turn a view into a snapshot of the screen as it is now (a link that is
 * ending must not follow the session any more); no-op on a snapshot. */
void termstate_freeze(struct termstate *s);
struct termstate *termstate_copy(const struct termstate *s);
void termstate_free(struct termstate *s);

/*
 * mosh-c's extensions (doc/PROTOCOL.md, "Extensions"). A server link sets its
 * hello and any notice only after it has received the client's hello, so a
 * mosh 1.4 client gets exactly mosh 1.4's diffs. The notice text is printable
 * ASCII of at most WIRE_NOTICE_TEXT_MAX bytes (apply() rejects anything else).
 */
void termstate_set_hello(struct termstate *s, uint32_t version, uint64_t features);
bool termstate_hello(const struct termstate *s, uint32_t *version, uint64_t *features);
void termstate_set_notice(struct termstate *s, uint32_t kind, const char *text);
/* Server: the client announced WIRE_FEATURE_RENDITIONS, so diffs use the
 * extended flavour of the display differ (disp_server ext, §15); off by
 * default: a mosh 1.4 client gets mosh 1.4's hoststrings. Copies keep it. */
void termstate_set_renditions(struct termstate *s, bool on);
/*
 * The scrollback part (server): the link's state takes a reference to the
 * session's history log, and publishes it up to end (never backwards); diffs
 * carry the rows in between (field 42). Client: received rows accumulate in
 * a log the states share; termstate_history() gives it and how far this
 * state reaches (NULL: no history part yet).
 */
struct history;
void termstate_enable_history(struct termstate *s, struct history *h);
void termstate_publish_history(struct termstate *s, uint64_t end);
struct history *termstate_history(const struct termstate *s, uint64_t *end);
/* Whether the server's alternate screen shows (sent with the history part,
 * field 43, so that a client can mirror it with its own). */
bool termstate_alternate(const struct termstate *s);
/* The channel part (field 44, doc/PROTOCOL.md 15.10): a link turns it on
 * once both hellos announced WIRE_FEATURE_CHANNELS; copies and received
 * states carry their own. NULL while off. */
struct chanset;
struct chanset *termstate_enable_chans(struct termstate *s);
struct chanset *termstate_chans(const struct termstate *s);
/* The notice kind (0: none) and its text (borrowed, valid until the state changes). */
uint32_t termstate_notice(const struct termstate *s, const char **text);

/* The emulator, to feed pty output or resize (borrowed, valid until free). */
struct emu *termstate_emu(struct termstate *s);
/* Borrowed; valid until the state is next changed. */
const struct fb *termstate_fb(const struct termstate *s);

uint64_t termstate_echo_ack(const struct termstate *s);
/* The echo ack never goes back: returns whether it changed. */
bool termstate_set_echo_ack(struct termstate *s, uint64_t echo_ack);

bool termstate_equal(const struct termstate *a, const struct termstate *b);
void termstate_diff(const struct termstate *from, const struct termstate *to, struct buf *out);
/* 0, ERR_INVAL (not a HostMessage), ERR_RANGE (bad size) or ERR_PROTO (echo ack
 * going back); the state is unchanged on error. */
int termstate_apply(struct termstate *s, const uint8_t *diff, size_t len);

/* Reply bytes discarded from received hoststrings (a well-behaved server sends none). */
uint64_t termstate_replies_dropped(const struct termstate *s);

/* The SSP state interface over struct termstate. */
extern const struct ssp_state_ops termstate_ops;

#endif
