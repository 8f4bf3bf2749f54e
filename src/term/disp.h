/*
 * The display differ (doc/PROTOCOL.md §6): the escape string that turns a terminal
 * showing framebuffer `old` into one showing `new`.
 *
 * One algorithm (§6.2), two flavours chosen by the capabilities passed in:
 *  - server (disp_server, caps = tcaps_server() or, for a client that
 *    announced our renditions, tcaps_server_ext()): the hoststring of a terminal
 *    state diff. It uses only the §6.1 vocabulary, never a query (a mosh 1.4
 *    client aborts if a diff makes its emulator reply), and it is exact: fed
 *    through the emulator holding `old` it yields `new` cell for cell
 *    (contents, renditions, wide/fallback/wrap flags, cursor, modes, title,
 *    clipboard; the bell counter moves by one, §12.3 quirk 9) — up to the
 *    renditions the flavour lacks (disp_rend_shown), which it neither writes
 *    nor counts as a change;
 *  - client (disp_client, caps from tcaps_load()): paints the user's real
 *    terminal in few bytes, using ECH/BCE/titles only where terminfo allows.
 *
 * The caller keeps what was drawn last and passes it back as `old`;
 * initialized = false repaints everything (start, Ctrl-L, SIGCONT, size
 * change). Rows that are the same object in both framebuffers cost nothing;
 * rows that moved up are found by generation and scrolled instead of redrawn.
 */
#ifndef MOSHC_TERM_DISP_H
#define MOSHC_TERM_DISP_H

#include <stdbool.h>

#include "term/fb.h"
#include "term/tcaps.h"

struct buf;

/*
 * Append to out the bytes that turn a terminal showing old into new, for a
 * terminal with capabilities caps. old may be NULL (then initialized is
 * ignored and a full repaint is written; there is no bell and a non-empty
 * clipboard is sent). With initialized = true old and new must have the
 * same size, or the frame becomes a full repaint (as §6.2 step 5).
 */
void disp_frame(const struct tcaps *caps, const struct fb *old, const struct fb *new,
                bool initialized, struct buf *out);

/* The server flavour (§5.6 hoststring): disp_frame with tcaps_server()
 * capabilities, or with tcaps_server_ext() when ext (a client that announced
 * WIRE_FEATURE_RENDITIONS, §15). */
void disp_server(const struct fb *old, const struct fb *new, bool initialized, bool ext,
                 struct buf *out);

/*
 * Whether the server flavour (ext as for disp_server) sees a and b as the
 * same screen: fb_equal, except that without ext the renditions a mosh 1.4
 * client cannot show are ignored, so a diff between them would carry no
 * hoststring. The terminal state's equality, which SSP asks every tick: a
 * masked comparison, no rendering.
 */
bool disp_server_equal(const struct fb *a, const struct fb *b, bool ext);

/* The rendition mask (fb.h) of what a terminal with caps shows: faint,
 * strikethrough, underline style and colour and links only where it has them. */
struct fb_rend disp_rend_mask(const struct tcaps *caps);
/* Rendition r as a terminal with caps shows it: what it lacks (faint,
 * strikethrough, underline style or colour, links) dropped. With
 * tcaps_server() this is mosh 1.4's rendition of r. */
struct fb_rend disp_rend_shown(const struct tcaps *caps, const struct fb_rend *r);

/*
 * The client's open string (§9.3): smcup when term_init (MOSH_NO_TERM_INIT
 * unset), then application cursor keys ESC[?1h.
 */
void disp_open(const struct tcaps *caps, bool term_init, struct buf *out);

/*
 * The client's close string (§9.3): cursor keys normal, rendition reset,
 * cursor shown, mouse reporting and encodings off, then rmcup when term_init.
 * Bracketed paste, focus events and reverse video are left as they are (§12.3
 * quirk 15).
 */
void disp_close(const struct tcaps *caps, bool term_init, struct buf *out);

#endif
