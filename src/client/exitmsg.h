/*
 * What mosh-client says when it leaves (doc/PROTOCOL.md 9.3), after the terminal
 * has been restored: the last screen, if it was drawn on the alternate screen
 * (which leaving takes away), whether it ever reached the server, whether the
 * shutdown handshake completed, and the closing line. The exit status is 0
 * after a clean shutdown, or the remote command's status when a mosh-c server
 * sent it (WIRE_NOTICE_EXITED), and 1 after an unclean one.
 *
 * The screen painter writes only the cells' text (control bytes dropped) and
 * SGR renditions: no cursor motion, so the rows land below whatever the
 * terminal shows, as ordinary output.
 */
#ifndef MOSHC_CLIENT_EXITMSG_H
#define MOSHC_CLIENT_EXITMSG_H

#include <stdbool.h>
#include <stdint.h>

#include "term/fb.h"
#include "util/buf.h"

/*
 * Append the rows of fb from the first to the last that shows text, each
 * without its trailing blanks and ending in "\n" (renditions as SGR, reset
 * before the "\n"); nothing when the screen is blank.
 */
void exitmsg_screen(struct buf *out, const struct fb *fb);

/*
 * Append the cursor motion that leaves the cursor of a terminal showing fb at
 * the start of the first line below both its text and its cursor, so that the
 * closing line overwrites nothing. Raw mode: "\r\n", not "\n".
 */
void exitmsg_park(struct buf *out, const struct fb *fb);

/*
 * Append the diagnostic for stderr: "" after a clean session, the firewall
 * hint when no server state ever arrived, else the unclean-shutdown note.
 */
void exitmsg_diagnostic(struct buf *out, bool connected, bool clean_shutdown, const char *ip,
                        uint16_t port);

/*
 * Append the last line, for stdout: "[mosh is exiting.]\n", or why, when a
 * mosh-c server gave a notice (a WIRE_NOTICE_* kind and its text, already
 * checked to be printable): "[mosh is exiting: session attached from IP]\n".
 */
void exitmsg_final(struct buf *out, uint32_t notice, const char *text);

/*
 * The exit status: after a clean shutdown 0, or the command's status 0..255
 * when the notice is WIRE_NOTICE_EXITED with such a number (anything else in
 * its text counts as 0); 1 after an unclean shutdown.
 */
int exitmsg_status(bool clean_shutdown, uint32_t notice, const char *text);

#endif
