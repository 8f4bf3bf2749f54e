/*
 * What mosh-client says when it leaves (PROTOCOL.md 9.3), after the terminal
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

/* The last line, on stdout: "[mosh is exiting.]\n". */
const char *exitmsg_final(void);

/* 0 iff the shutdown handshake completed cleanly, else 1. */
int exitmsg_status(bool clean_shutdown);

#endif
