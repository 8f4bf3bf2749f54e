/*
 * The terminal emulator (doc/PROTOCOL.md §8): bytes in (pty output on the server,
 * a received hoststring on the client), framebuffer out.
 *
 * Pipeline: UTF-8 decoder (utf8.h) → DEC parser (vtparse.h) → control
 * functions (a sorted dispatch table in emu.c) → framebuffer (fb.h).
 * emu_write never fails and never asserts on its input: unknown or malformed
 * sequences are dropped and counted, every repeat count and size is bounded.
 *
 * Replies to queries (DA, DA2, DSR) are queued, not written anywhere: the
 * server takes them and writes them to the pty; the client checks that a
 * received diff produced none (§5.6).
 */
#ifndef MOSHC_TERM_EMU_H
#define MOSHC_TERM_EMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "term/fb.h"

struct buf;
struct emu;

/* An emulator with a blank width×height screen (clamped as fb_clamp_size). */
struct emu *emu_new(int width, int height);
void emu_free(struct emu *emu);
/* A deep copy (framebuffer rows are shared copy-on-write, parser state copied). */
struct emu *emu_copy(const struct emu *emu);

/* Cells the emulator may clear, fill or shift per unit of work: operations
 * beyond it are skipped (stats.collapsed), so one unit costs a bounded time
 * whatever its bytes. 32 full screens of the largest size. */
#define EMU_WORK_BUDGET (32ull * FB_MAX_CELLS)

/* Feed terminal output. Each call is one unit of work (a fresh budget)
 * unless emu_budget_begin has been called. */
void emu_write(struct emu *emu, const uint8_t *bytes, size_t len);
/* Start a unit of work spanning several emu_write calls (all HostBytes of one
 * received HostMessage; all pty reads of one wakeup): refill the budget and
 * stop emu_write from refilling it, for good. */
void emu_budget_begin(struct emu *emu);
/* Resize (§8.7); sizes are clamped into 1..FB_MAX_* and FB_MAX_CELLS. */
void emu_resize(struct emu *emu, int width, int height);

/* Borrowed, valid until the next emu_write/emu_resize/emu_free. */
const struct fb *emu_fb(const struct emu *emu);
/* Writable framebuffer for callers that draw on a private copy (client overlays). */
struct fb *emu_fb_mut(struct emu *emu);

/* Append the queued reply bytes to out and clear the queue; returns their count. */
size_t emu_take_replies(struct emu *emu, struct buf *out);
/* True when reply bytes are queued. */
bool emu_has_replies(const struct emu *emu);

/* DECCKM: the application asked for application cursor keys (server-side ESC O
 * A–D translation, §5.5). */
bool emu_app_cursor_keys(const struct emu *emu);

/* Rows that left the top of the primary screen (see emu.c for exactly when):
 * queued while history is on, the oldest dropped beyond this many. */
#define EMU_SCROLLED_MAX 4096

/* History on or off; off by default (the client's emulators and mosh 1.4
 * behaviour cost nothing). Turning it off releases the queue. A copy
 * (emu_copy) starts with history off and an empty queue. */
void emu_set_history(struct emu *emu, bool on);
/* Move up to max rows that left the top of the primary screen, oldest first,
 * into out (the caller owns the references: release each with
 * fb_row_release()). Returns how many. The rows never change afterwards. */
size_t emu_take_scrolled(struct emu *emu, struct fb_row **out, size_t max);
/* Rows that left the top but were dropped because the queue was full
 * (EMU_SCROLLED_MAX), since the last call; reset to 0 by the call. */
uint64_t emu_take_scrolled_dropped(struct emu *emu);

/* Whether the program holds synchronized output (DEC private mode 2026 set,
 * not yet reset; RIS resets it): a frame drawn now may be half-drawn. The
 * server waits for the release, within a bound (session.c). Not part of the
 * framebuffer: it changes when frames are sent, not what they show. */
bool emu_sync_held(const struct emu *emu);

/* Turn the printable-ASCII fast path off or on (default on); the result is
 * the same either way, which the unit tests check. */
void emu_set_fast_path(struct emu *emu, bool on);

/* The supported control functions, in dispatch-table order: mnemonic of entry
 * i (NULL past the end) and, in *spec, its one-line description. For
 * documentation checks and debugging. */
const char *emu_function(size_t i, const char **spec);

/* Counters of dropped input, for logs and tests. */
struct emu_stats {
	uint64_t unknown;         /* dispatches with no registered function */
	uint64_t replies_dropped; /* reply bytes dropped because the queue was full */
	uint64_t collapsed;       /* operations skipped because the work budget ran dry */
	uint64_t filtered;        /* OSC strings not stored as unsafe to forward (oscsafe.h) */
};
void emu_stats(const struct emu *emu, struct emu_stats *out);

#endif
