/*
 * The window-title prefix overlay (doc/PROTOCOL.md 7.8): "[mosh] " is put in
 * front of the remote window title, and of the icon name when that equals the
 * title (so a terminal showing either sees the same thing), unless
 * MOSH_TITLE_NOPREFIX is set. Titles are UTF-8 byte strings here; the remote
 * framebuffer's title is never modified, only the copy that is drawn.
 */
#ifndef MOSHC_CLIENT_TITLE_H
#define MOSHC_CLIENT_TITLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define TITLE_PREFIX "[mosh] "

/* "[mosh] ", or "" when noprefix (MOSH_TITLE_NOPREFIX is set). */
const char *title_prefix(bool noprefix);

/*
 * Fill out_title and out_icon (replacing their contents) with the title and
 * icon name to draw, given the remote ones.
 */
void title_apply(const char *prefix, const uint8_t *title, size_t title_len, const uint8_t *icon,
                 size_t icon_len, struct buf *out_title, struct buf *out_icon);

#endif
