/*
 * The prediction engine: speculative local echo (doc/PROTOCOL.md 7.1-7.6).
 *
 * Model. Each keystroke the user sends is run through a private UTF-8
 * decoder and DEC parser and turned into predictions about what the server's
 * screen will soon show: cell predictions (a character at a position, or
 * "unknown" where a row shift makes the contents unpredictable) and cursor
 * predictions. Each prediction carries the epoch in force when it was made,
 * the first client state number that can contain the keystroke (its
 * expiration frame) and the time it was made. On every drawn frame the
 * predictions are checked ("culled") against the newest server framebuffer
 * once the server's echo ack says the application has had the keystroke for
 * 50 ms; then the surviving predictions are painted over the client's private
 * copy of that frame.
 *
 * Invariants:
 *  - A prediction is painted only if its epoch is <= the confirmed epoch.
 *    Control keys, escape sequences other than plain cursor left/right, CR,
 *    a wrap and every reset start a new epoch; an epoch is confirmed only
 *    when the server shows one of its characters where it was predicted AND
 *    the server's cursor stands past it with every other unconfirmed
 *    prediction before the cursor on that row matching the screen. The second
 *    condition is ours (mosh 1.4 only has the first): it keeps text that
 *    happens to be printed where a keystroke was predicted (a "Password: "
 *    prompt whose first letter equals the first typed letter) from
 *    confirming an epoch at a prompt that does not echo.
 *  - Cull runs before apply on the same frame, so a prediction found wrong
 *    is gone before it could be painted: a misprediction never shows for
 *    even one frame after the frame that disproves it.
 *  - Nothing here touches the synchronised state: apply writes only into the
 *    caller's private framebuffer copy.
 *  - Everything is bounded by the screen size: one cell record per screen
 *    cell at most, a capped list of cursor predictions, a capped list of
 *    earlier contents per cell.
 *
 * Beyond mosh 1.4: any UTF-8 input is predicted, including double-width
 * characters (two cells, WIDE flag on the left one, wrapped at the right
 * margin as the emulator does) and combining characters (appended to the
 * character they follow); cursor left/right and backspace step over a wide
 * character as a line editor does.
 *
 * Time is passed in (monotonic ms), so tests run on a fake clock.
 */
#ifndef MOSHC_CLIENT_PREDICT_H
#define MOSHC_CLIENT_PREDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "term/fb.h"

/* Timing constants of mosh 1.4 (doc/PROTOCOL.md 7.2), all in ms except the count. */
enum {
	PRED_SRTT_TRIGGER_LOW = 20,
	PRED_SRTT_TRIGGER_HIGH = 30,
	PRED_FLAG_TRIGGER_LOW = 50,
	PRED_FLAG_TRIGGER_HIGH = 80,
	PRED_GLITCH_THRESHOLD = 250,
	PRED_GLITCH_REPAIR_COUNT = 10,
	PRED_GLITCH_REPAIR_MININTERVAL = 150,
	PRED_GLITCH_FLAG_THRESHOLD = 5000,
	PRED_WAKEUP = 50,    /* the engine's wake-up interval while timing matters */
	PRED_PASTE_MAX = 100 /* a read() longer than this is a paste: no predictions */
};

enum pred_mode {
	PRED_ADAPTIVE, /* show predictions on slow or glitchy links */
	PRED_ALWAYS,
	PRED_NEVER,
	PRED_EXPERIMENTAL, /* show everything at once, never wait for confirmation */
};

struct pred;

/* overwrite: predicted characters replace the cell under the cursor instead of
 * shifting the rest of the row right. */
struct pred *pred_new(enum pred_mode mode, bool overwrite);
void pred_free(struct pred *p);

/*
 * Predict the effect of bytes the user typed, before they are pushed into the
 * user stream. remote is the newest server framebuffer; expiration_frame is
 * the number of the first client state that can contain these bytes (the
 * newest sent state's number + 1). A read of more than PRED_PASTE_MAX bytes
 * resets the engine and predicts nothing.
 */
void pred_new_user_bytes(struct pred *p, const struct fb *remote, const uint8_t *bytes, size_t n,
                         uint64_t now, uint64_t expiration_frame);

/*
 * Check every prediction against the newest server framebuffer, whose state
 * carries echo_ack; send_interval is the client's frame interval, which
 * drives when predictions are shown and underlined. Call on every drawn frame,
 * before pred_apply.
 */
void pred_cull(struct pred *p, const struct fb *remote, uint64_t echo_ack, uint64_t send_interval,
               uint64_t now);

/* Paint the predictions that are due to be shown onto display, the client's
 * private copy of the remote framebuffer pred_cull last saw. */
void pred_apply(const struct pred *p, struct fb *display);

/* Drop every prediction (window resize, repaint after a paste). */
void pred_reset(struct pred *p);

/* Ms until the engine must look again (PRED_WAKEUP while predictions are
 * outstanding and their timing still matters), or -1. */
int64_t pred_wait_ms(const struct pred *p, uint64_t now);

/* Whether any cell or cursor prediction is outstanding. */
bool pred_active(const struct pred *p);

/* Counters for tests and diagnostics. */
struct pred_stats {
	uint64_t predicted;   /* cells predicted */
	uint64_t correct;     /* predictions the server confirmed */
	uint64_t incorrect;   /* predictions the server contradicted */
	uint64_t killed;      /* tentative epochs dropped after a contradiction */
	uint64_t resets;      /* full resets (a shown prediction was wrong, resize, paste) */
	uint64_t unconfirmed; /* matches refused as confirmation (cursor or row inconsistent) */
	uint64_t confirmed_epoch;
	uint64_t prediction_epoch;
	unsigned glitch_trigger;
	bool srtt_trigger;
	bool flagging;
};
void pred_get_stats(const struct pred *p, struct pred_stats *out);

#endif
