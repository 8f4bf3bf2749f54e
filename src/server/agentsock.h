/*
 * The session's ssh-agent socket (mosh -A): a unix socket beside the control
 * socket, in the user's 0700 directory (server/ctldir.h), named <ID>.agent.
 * The shell gets its path as SSH_AUTH_SOCK when the session starts, and it
 * stays the same for the session's life, whichever client is attached: each
 * connection is forwarded to the driving client's agent, if it offers one.
 * Only the session's own user may connect (SO_PEERCRED).
 */
#ifndef MOSHC_SERVER_AGENTSOCK_H
#define MOSHC_SERVER_AGENTSOCK_H

#include <stddef.h>

#include "util/err.h"

/* The agent socket's path for session id in the control directory dir. */
int agentsock_path(char *path, size_t cap, const char *dir, const char *id, char err[ERR_LEN]);
/* Listen at the session's agent path (written to path): the socket, or an error. */
int agentsock_open(const char *id, char *path, size_t cap, char err[ERR_LEN]);
/* Accept one connection: its socket (non-blocking), or -1 if none is waiting
 * or it came from another user (then closed at once). */
int agentsock_accept(int lfd);

#endif
