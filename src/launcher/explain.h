/*
 * Why there is no session: the launcher's last words when the server never
 * printed its MOSH CONNECT line, chosen from how the program that should
 * have started it ended (ssh, or with --local the shell running the server).
 *
 * The model is ssh's exit status: ssh exits 255 for its own failures
 * (connection, authentication, host key), after printing why on our
 * terminal; otherwise it passes on the remote command's status, where the
 * remote shell's 127 means "command not found" and 126 "found but cannot be
 * run"; any other status is the server's own, whose message came first. With
 * --local there is no ssh, so 255 is the server's too. A server that rejected
 * our port range (mosh before 1.2.5) is named before any of these.
 *
 * Pure: the wait status and the names come in, one sentence goes out (no
 * "mosh: " prefix, no newline).
 */
#ifndef MOSHC_LAUNCHER_EXPLAIN_H
#define MOSHC_LAUNCHER_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>

struct explain_ctx {
	bool local;         /* --local: no ssh involved */
	const char *host;   /* [user@]host as given */
	const char *server; /* the --server command (or its default) */
	bool bad_udp_port;  /* the server complained about the port range */
};

/* The sentence for a bootstrap that ended with wait status `status` and no MOSH CONNECT. */
void explain_no_server(const struct explain_ctx *c, int status, char *out, size_t len);

#endif
