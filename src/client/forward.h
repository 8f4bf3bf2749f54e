/*
 * The client's forwardings (mosh -A, -L, -R; doc/PROTOCOL.md 15.10): the -L
 * listening sockets, the requests the client's part carries to the server
 * (each -R, and the agent it offers), and the policy for channels the server
 * opens: an agent channel only with -A, a TCP channel only for one of our -R
 * requests, connected to the destination the user gave here (the server
 * never names one). Everything else is refused, so a hostile server cannot
 * use the client as a pivot.
 *
 * Nothing flows until the server's hello announces channels (cfwd_start);
 * -L connections made before that wait in the listen queue.
 */
#ifndef MOSHC_CLIENT_FORWARD_H
#define MOSHC_CLIENT_FORWARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "chan/chanset.h"
#include "chan/fwdspec.h"
#include "util/ev.h"

struct cfwd_config {
	bool agent;             /* -A */
	const char *agent_sock; /* the user's SSH_AUTH_SOCK, or NULL */
	const struct fwdspec *local;
	size_t n_local;
	const struct fwdspec *remote;
	size_t n_remote;
};

struct cfwd;

bool cfwd_wanted(const struct cfwd_config *cfg);
/* Binds the -L sockets now; a port that cannot be bound is reported on
 * diag (as ssh does) and skipped. */
struct cfwd *cfwd_new(const struct cfwd_config *cfg, FILE *diag);
void cfwd_free(struct cfwd *f);
/* The server cannot forward: close the -L sockets (connections are refused). */
void cfwd_stop(struct cfwd *f);
/* The server speaks channels: local is the part in our current state. */
void cfwd_start(struct cfwd *f, struct ev_loop *loop, struct chanset *local);
/* After each tick: the server's newest part, our acknowledged one, and
 * SSP's count of lost frames (ssp_stats.losses). */
void cfwd_sync(struct cfwd *f, const struct chanset *remote, const struct chanset *acked,
               uint64_t losses);
/* A line for the user's notification bar (a failed -R, a refused channel),
 * once; NULL if none. */
const char *cfwd_message(struct cfwd *f);

#endif
