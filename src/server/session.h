/*
 * The mosh-server session: the daemon's main loop, after the socket is bound,
 * the key announced and the child spawned (PROTOCOL.md 9.2 "Main loop").
 *
 * One event loop drives four sources: the SSP transport (client datagrams in,
 * terminal-state frames out), the pty master (the child's output into the
 * emulator that is the current local state; keystrokes and emulator replies
 * queued back), signals, and this module's ticker, which applies new client
 * input, keeps the echo ack, and enforces every timeout and the shutdown
 * handshake.
 *
 * Keystrokes are never dropped: input events are taken from the newest
 * client state only while the pty's write queue has room; the rest wait in
 * the user stream, which SSP keeps, until the child reads.
 */
#ifndef MOSHC_SERVER_SESSION_H
#define MOSHC_SERVER_SESSION_H

#include <stdint.h>

#include "net/conn.h"
#include "server/ptychild.h"

struct server_session_config {
	struct conn *conn;        /* taken over */
	const uint8_t *key;       /* 16 bytes */
	struct pty_child *child;  /* taken over: freed (master closed) at the end */
	int width, height;        /* the initial window (the server's state 0) */
	uint64_t network_timeout; /* MOSH_SERVER_NETWORK_TMOUT in s; 0: none */
	uint64_t signal_timeout;  /* MOSH_SERVER_SIGNAL_TMOUT in s; 0: none */
	int verbose;
};

/* Run until the session ends; returns the process exit status. */
int server_session_run(const struct server_session_config *cfg);

#endif
