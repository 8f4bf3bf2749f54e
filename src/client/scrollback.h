/*
 * The user's own scrollback (doc/PROTOCOL.md, "Extensions"): rows that left
 * the top of the server's primary screen are put into the real terminal's
 * scrollback, so its mouse wheel, search and copy work as with ssh.
 *
 * Model. A terminal saves a row to its scrollback when it scrolls off the top
 * of a full-screen scroll region. So, for a batch of k rows (k at most the
 * screen height): paint the history rows over the top k lines of what is
 * drawn, then line-feed k times at the bottom line. The history rows go to
 * the scrollback, the rest of the screen moves up k lines and k blank lines
 * appear at the bottom: a state we know exactly, so the next frame is an
 * ordinary diff from it, and a screen that scrolled by k lines costs almost
 * nothing more. Whatever was drawn over the top lines (the notification bar,
 * predictions) is painted over before the scroll, so it never reaches the
 * scrollback.
 *
 * The screen is never erased with ED 2: several terminals (VTE, tmux's
 * scroll-on-clear) save an erased screen to their scrollback, which would
 * duplicate rows. scrollback_blank() clears line by line instead.
 *
 * Rows keep their width: a wider row is wrapped over several lines, a
 * narrower one padded.
 */
#ifndef MOSHC_CLIENT_SCROLLBACK_H
#define MOSHC_CLIENT_SCROLLBACK_H

#include <stddef.h>
#include <stdint.h>

#include "term/fb.h"
#include "term/tcaps.h"
#include "util/buf.h"

/*
 * Write to out what puts rows[0..n) into the scrollback of a terminal that
 * shows drawn; returns (in place of drawn, which is taken over) what the
 * terminal shows afterwards.
 */
struct fb *scrollback_push(const struct tcaps *caps, struct fb *drawn,
                           const struct fb_row *const *rows, size_t n, struct buf *out);

/* Clear a height-line screen without ED 2; returns the blank width×height
 * framebuffer it then shows (cursor on the last line). */
struct fb *scrollback_blank(int width, int height, struct buf *out);

/* The row that stands for n lines the server could not deliver. */
struct fb_row *scrollback_gap_row(int width, uint64_t n);

#endif
