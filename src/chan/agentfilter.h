/*
 * The ssh-agent request filter for `mosh -A`: a pure core (no fds, no clock)
 * between an agent channel and the user's local agent socket on the client.
 *
 * Programs on the server (which may be hostile) may only list keys and sign:
 * SSH_AGENTC_REQUEST_IDENTITIES (11) and SSH_AGENTC_SIGN_REQUEST (13) reach
 * the agent byte for byte; every other request (add, remove, lock, unlock,
 * extension, unknown types) is answered here with SSH_AGENT_FAILURE, the
 * frame 00 00 00 01 05, and never reaches the agent.
 *
 * Wire format (draft-miller-ssh-agent, section 3): each message is a uint32
 * big-endian length, then that many bytes, the first being the type. A length
 * of 0 or over AGENTFILTER_MAX_MSG, either way, is a protocol error: the call
 * returns ERR_PROTO, the filter stays failed and the caller resets the channel.
 *
 * Order: replies go back in request order because requests are handled one at
 * a time. The next request is looked at only after the agent's complete reply
 * to the previous one went to the server; a refused request is answered once
 * it has fully arrived and everything before it was answered. An allowed
 * request is handed to the agent as its bytes arrive.
 *
 * Memory: bytes from the server queue behind a request in flight, at most
 * AGENTFILTER_BUF_MAX (two largest messages; the buffer holding them is at
 * most twice that); agentfilter_room() says how
 * many more the filter takes now, and the caller stops reading the channel at
 * 0. A failure reply is never longer than the request it answers, so to_server
 * grows no faster than the caller feeds requests in.
 *
 * Driving: after agentfilter_from_server() or agentfilter_from_agent(), call
 * agentfilter_pump() to move what became due.
 */
#ifndef MOSHC_CHAN_AGENTFILTER_H
#define MOSHC_CHAN_AGENTFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* The largest message body either side may send (OpenSSH's AGENT_MAX_LEN). */
#define AGENTFILTER_MAX_MSG (256 * 1024)
/* The most bytes from the server held at once. */
#define AGENTFILTER_BUF_MAX (2 * (4 + AGENTFILTER_MAX_MSG))

struct agentfilter;

struct agentfilter_stats {
	uint64_t passed;  /* requests handed to the agent */
	uint64_t refused; /* requests answered here with SSH_AGENT_FAILURE */
};

struct agentfilter *agentfilter_new(void);
void agentfilter_free(struct agentfilter *f);

/* How many more bytes from the server the filter takes now (0 once failed). */
size_t agentfilter_room(const struct agentfilter *f);

/* Bytes from the server (requests); n must not exceed agentfilter_room().
 * ERR_PROTO on a bad length. */
int agentfilter_from_server(struct agentfilter *f, const uint8_t *p, size_t n);

/* Bytes from the agent (replies), appended to to_server as they come after
 * their length is checked. ERR_PROTO on a bad length or on bytes no request
 * handed to the agent in full is waiting for. */
int agentfilter_from_agent(struct agentfilter *f, const uint8_t *p, size_t n,
                           struct buf *to_server);

/* Move what is due: the bytes of the request in flight into to_agent, failure
 * replies into to_server. Does nothing once failed. */
void agentfilter_pump(struct agentfilter *f, struct buf *to_agent, struct buf *to_server);

/* True while a request the server sent (in part or in full) is not yet
 * answered in full: the caller keeps the agent connection open until then. */
bool agentfilter_pending(const struct agentfilter *f);

void agentfilter_stats(const struct agentfilter *f, struct agentfilter_stats *out);

#endif
