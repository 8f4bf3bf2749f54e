/*
 * What the client draws over the server's screen before painting it
 * (doc/PROTOCOL.md 7.7, 7.8): the notification bar on the top row and the window
 * title prefix. Overlays change only the client's private copy of the frame,
 * never the synchronised state.
 */
#ifndef MOSHC_CLIENT_OVERLAY_H
#define MOSHC_CLIENT_OVERLAY_H

#include <stddef.h>

#include "term/fb.h"

/*
 * Paint text (UTF-8) as the notification bar over row 0: the whole row white
 * on blue, the text bold; wide and combining characters take the cells the
 * emulator would give them. The cursor is hidden if it sits on row 0.
 */
void overlay_bar(struct fb *fb, const char *text, size_t len);

/* Prefix the window title (and the icon name when it equals the title). */
void overlay_title(struct fb *fb, const char *prefix);

#endif
