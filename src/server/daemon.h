/*
 * Announcing the session and detaching from ssh (doc/PROTOCOL.md 9.2, steps 6-7).
 *
 * The `mosh` wrapper reads "MOSH CONNECT <port> <key>" from our stdout through
 * ssh, then ssh must be able to finish: so the process ssh started (the
 * foreground) prints the banner and exits 0 at once, while a forked daemon in
 * a new session (setsid) keeps the socket and runs the session. The daemon's
 * stdio goes to /dev/null unless verbose, so ssh sees end-of-file.
 * SIGHUP and SIGPIPE are ignored from the announcement on: the ssh session
 * may vanish at any moment.
 */
#ifndef MOSHC_SERVER_DAEMON_H
#define MOSHC_SERVER_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"

/*
 * Print "\r\n\n" when stdin is a terminal (typed-ahead echo cannot garble
 * the next line), then "MOSH CONNECT <port> <key>\n" on stdout, written
 * directly so that no stdio buffer keeps a copy of the key.
 */
void daemon_announce(uint16_t port, const char *key);

/* How long the foreground waits for daemon_ready() at most. */
#define DAEMON_READY_WAIT_MS 5000

/*
 * Ignore SIGHUP/SIGPIPE and fork. The foreground process prints a blank
 * line, the version banner and "[mosh-server detached, pid = N]" on stderr,
 * waits for terminal output to drain and exits 0: it never returns. The
 * daemon calls setsid(), points stdin/stdout/stderr at /dev/null unless
 * verbose, and returns 0. ERR_IO (err filled) when fork fails.
 */
int daemon_detach(bool verbose, char err[ERR_LEN]);

/*
 * The daemon is ready to be found (its control socket listens): the
 * foreground, which waits for this (at most DAEMON_READY_WAIT_MS, or until
 * the daemon exits), may now exit, so that `mosh-server new` returns only
 * once `mosh-server list` shows the session. No-op after the first call.
 */
void daemon_ready(void);

#endif
