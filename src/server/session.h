/*
 * A mosh-server session (doc/PROTOCOL.md, "Sessions and links"): what lives
 * as long as the user's command — the pty child, the live emulator that is
 * the authoritative screen, the login record — and the links of the clients
 * that watch it (server/link.h).
 *
 * One event loop drives: the pty master (the child's output into the live
 * emulator, emulator replies back), signals, every link's SSP transport, and
 * this module's ticker, which runs the links, cuts the collection delay once
 * the pty is quiet, and enforces every timeout. The session starts with one
 * link, for the client the MOSH CONNECT line was printed for; more may be
 * made later for a client that reattaches. When a link's client is first
 * heard, every other link is retired (a mosh-c client is told who took
 * over); so at most one client drives the session, and a client whose link
 * was retired can never reach the pty again, whatever it replays.
 *
 * The session ends when its command exits, on SIGTERM/SIGINT, when the
 * attached client quits (its shutdown), on MOSH_SERVER_NETWORK_TMOUT of
 * silence, on SIGUSR1 (with MOSH_SERVER_SIGNAL_TMOUT), and when no client
 * ever came within the connect timeout; each link then runs the shutdown
 * handshake with its client. When the command has exited, the final frames
 * of a mosh-c client carry its exit status (WIRE_NOTICE_EXITED).
 */
#ifndef MOSHC_SERVER_SESSION_H
#define MOSHC_SERVER_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/conn.h"
#include "server/ptychild.h"

struct session_config {
	struct conn *conn;        /* the first link's socket, taken over */
	const uint8_t *key;       /* the first link's key, 16 bytes */
	struct pty_child *child;  /* taken over: freed (master closed) at the end */
	int width, height;        /* the initial window (the first link's state 0) */
	uint64_t network_timeout; /* MOSH_SERVER_NETWORK_TMOUT in s; 0: none */
	uint64_t signal_timeout;  /* MOSH_SERVER_SIGNAL_TMOUT in s; 0: none */
	uint64_t connect_timeout; /* ms without any client before giving up */
	size_t scrollback;        /* history lines kept for mosh-c clients; 0: none */
	const char *id;           /* the session's ID (ctl_new_id) */
	const char *name;         /* its name, "" for none */
	char *const *command;     /* the command's words, for listings */
	int agent_fd;             /* the agent socket (agentsock.h), taken over; -1: none */
	const char *agent_path;   /* its path, removed at the end */
	int verbose;
};

/* Run until the session ends; returns the process exit status. */
int session_run(const struct session_config *cfg);

#endif
