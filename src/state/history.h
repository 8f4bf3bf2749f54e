/*
 * The history log (doc/PROTOCOL.md, "Extensions"): rows that scrolled off the
 * top of the server's primary screen, numbered by absolute line (0 = the
 * first row that ever left the screen).
 *
 * Model. An append-only sequence of (line, row) entries with strictly
 * increasing line numbers; a gap in the numbering is lines that were lost
 * (evicted before anyone published them, or dropped by the emulator in a
 * flood). Rows are the framebuffer's own refcounted, immutable rows: the log
 * takes a reference, never a copy. The log holds at most cap entries and
 * HISTORY_CELLS_MAX cells; a push beyond either evicts the oldest. It is itself reference-counted,
 * because the states SSP keeps of one link (server) or receives (client) share one log and differ
 * only in how far into it they reach (their "end").
 *
 * Server: the session pushes every row the emulator reports and each link's
 * state publishes the log up to some end. Client: applied diffs append the
 * rows they carry; the frontend reads them into the user's scrollback and
 * trims what it has shown.
 */
#ifndef MOSHC_STATE_HISTORY_H
#define MOSHC_STATE_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/msg.h"
#include "term/fb.h"
#include "util/buf.h"

enum {
	HISTORY_DEFAULT_LINES = 10000, /* mosh-server new --scrollback's default */
	HISTORY_MAX_LINES = 1000000,   /* the largest --scrollback accepted */
	/* Whatever the line count, a log holds rows of at most this many cells
	 * (about 50 MB): 10,000 lines of 100 columns. */
	HISTORY_CELLS_MAX = 1000000,
};

struct history;

struct history *history_new(size_t cap);
void history_ref(struct history *h);
/* Drop a reference; the last one frees the log and its rows' references. */
void history_unref(struct history *h);

/* Append row as line history_end() (or later: see history_skip), taking over
 * the caller's reference. */
void history_push(struct history *h, struct fb_row *row);
/* n lines were lost: the next push gets a line number n higher. */
void history_skip(struct history *h, uint64_t n);
/* Append row as line `line` (> every line held, >= history_end()); for a
 * receiver, which learns line numbers from its peer. Takes the reference. */
void history_put(struct history *h, uint64_t line, struct fb_row *row);

/* The first line held (== history_end() when empty) and one past the newest
 * line numbered so far (pushed or skipped). */
uint64_t history_start(const struct history *h);
uint64_t history_end(const struct history *h);
/* Entries held. */
size_t history_count(const struct history *h);

/*
 * The first entry at or after line: its line number in *at and its row
 * (borrowed, valid while the entry is held); NULL when no entry at or after
 * line is held.
 */
const struct fb_row *history_find(const struct history *h, uint64_t line, uint64_t *at);

/* Forget every entry below line (a receiver's rows that were shown). */
void history_trim(struct history *h, uint64_t line);

/*
 * The wire form (field 42): the held lines in [from, to) as chunks of
 * consecutive lines of one width (at most WIRE_HISTORY_CHUNK_ROWS each, at
 * most max chunks), each drawn by a hoststring for a blank terminal of that
 * width and height, which store holds (chunks point into it; valid until
 * store changes). Lines not held are simply absent: the receiver sees the gap.
 */
size_t history_encode(const struct history *h, uint64_t from, uint64_t to,
                      struct msg_history_chunk *chunks, size_t max, struct buf *store);
/* Whether received chunks and end may be applied to a state reaching
 * base_end: 0, ERR_RANGE (sizes) or ERR_PROTO (lines out of order, or end
 * going back). */
int history_check(const struct msg_history_chunk *chunks, size_t n, uint64_t base_end,
                  uint64_t end);
/* Append what history_check() accepted; lines h already holds are skipped. */
void history_apply(struct history *h, const struct msg_history_chunk *chunks, size_t n,
                   uint64_t end);

#endif
