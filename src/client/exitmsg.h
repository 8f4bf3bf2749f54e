/*
 * What mosh-client says when it leaves (doc/PROTOCOL.md 9.3), after the terminal
 * has been restored: whether it ever reached the server, whether the shutdown
 * handshake completed, and the closing line. The exit status is 0 exactly
 * when the shutdown was clean.
 */
#ifndef MOSHC_CLIENT_EXITMSG_H
#define MOSHC_CLIENT_EXITMSG_H

#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"

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

/* 0 iff the shutdown handshake completed cleanly, else 1. */
int exitmsg_status(bool clean_shutdown);

#endif
