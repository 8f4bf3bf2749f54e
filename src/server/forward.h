/*
 * One link's forwarded channels, server side (doc/PROTOCOL.md 15.10): the
 * channel table over the link's state, the sockets, and the client's
 * requests. The client's -L channels are connected here to the target they
 * name; each -R request gets a listening socket whose connections become
 * channels the client connects on its side; connections to the session's
 * agent socket become agent channels while the client offers its agent.
 */
#ifndef MOSHC_SERVER_FORWARD_H
#define MOSHC_SERVER_FORWARD_H

#include <stdbool.h>

#include "chan/chanset.h"
#include "util/ev.h"

struct sfwd;

/* local: the channel part of the link's live state (borrowed). */
struct sfwd *sfwd_new(struct ev_loop *loop, struct chanset *local);
/* Closes every socket and listener. */
void sfwd_free(struct sfwd *f);
/* After each instruction from the client: its part, our acknowledged one,
 * and SSP's count of lost frames (ssp_stats.losses). */
void sfwd_sync(struct sfwd *f, const struct chanset *remote, const struct chanset *acked,
               uint64_t losses);
bool sfwd_agent_offered(const struct sfwd *f);
/* A connection to the agent socket (taken over): false if it was closed. */
bool sfwd_agent(struct sfwd *f, int fd);

#endif
