/*
 * Forwarded channels, the pure core (doc/PROTOCOL.md 15.10): one end's table of
 * channels over its own part of the synchronised state (chanset.h, borrowed)
 * and the peer's newest part. No fds and no clock: the I/O shell
 * (endpoint.h) feeds socket bytes in and writes delivered bytes out.
 *
 * Ids: the client opens odd ids, the server even ones, each side counting up
 * and never reusing one in a session.
 *
 * Flow control: an end may send on a channel only while what it sent beyond
 * the bytes the peer says it delivered (the peer's `consumed`) is under
 * CHAN_WINDOW, and under CHAN_SESSION_WINDOW over all channels, so a consumer
 * that stops reading stops the producer's socket and memory stays bounded.
 * What the peer has not yet acknowledged is further held under an in-flight
 * window over all TCP channels, shared evenly among those sending (agent
 * channels are exempt: they are small and a login waits on them). It grows
 * by what each acknowledgement covers and halves when a frame is lost
 * (chan_loss), because after a loss SSP sends everything since the state
 * the peer acknowledged in one diff, and a diff of many fragments rarely
 * crosses a lossy link whole; so frames stay small where it matters and
 * the screen's diff is not held up behind channel bytes.
 *
 * Closing follows OpenSSH's channel model, each direction on its own: an end
 * that has no more to send sets fin; an end leaves the channel (drops its
 * entry, "gone") once it has sent fin and the peer delivered all of it, and
 * the peer's fin has come and all of the peer's bytes were delivered. An end
 * that leaves earlier resets the channel; a refusal is an answer that the
 * opener turns into a reset.
 */
#ifndef MOSHC_CHAN_CHAN_H
#define MOSHC_CHAN_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chan/chanset.h"

enum {
	/* Bytes sent beyond the acknowledged state, all TCP channels: the
	 * window starts here, grows by what each acknowledgement covers and
	 * halves on each loss, within [MIN, MAX]. */
	CHAN_IN_FLIGHT_START = 16 << 10,
	CHAN_IN_FLIGHT_MIN = 4 << 10,
	CHAN_IN_FLIGHT_MAX = 64 << 10,
};

enum chan_state {
	CHAN_OPENING,  /* opened here; the peer has not answered */
	CHAN_INCOMING, /* the peer opened it; waiting for chan_accept / chan_refuse */
	CHAN_OPEN,
	CHAN_CLOSED, /* finished, refused or reset: the shell closes its end */
};

struct chan_status {
	enum chan_state state;
	enum chan_kind kind;
	const char *target; /* the opener's target (borrowed) */
	const char *reason; /* CLOSED by a refusal: the peer's reason, or NULL */
	bool reset;         /* CLOSED without both streams finishing */
	bool eof;           /* the peer's stream ended and was all delivered */
	size_t room;        /* bytes chan_send() takes now */
};

struct chan;

/* local: this end's part, in the state this end sends (borrowed). */
struct chan *chan_new(struct chanset *local, bool client);
void chan_free(struct chan *c);

/*
 * Take in (copies of) the peer's newest part (NULL: none yet) and the newest
 * state of ours the peer acknowledged (NULL: none). Call after every received
 * instruction.
 */
void chan_sync(struct chan *c, const struct chanset *remote, const struct chanset *acked);

/* A frame was lost (ssp_stats.losses grew): halve the in-flight window. */
void chan_loss(struct chan *c);
/* The in-flight window now, for the log and tests. */
size_t chan_in_flight_max(const struct chan *c);

/* Open a channel: its id, or 0 when CHAN_MAX channels are live. */
uint32_t chan_open(struct chan *c, enum chan_kind kind, const char *target);
/* The oldest channel the peer opened that waits for an answer; 0 if none. */
uint32_t chan_next_incoming(const struct chan *c);
void chan_accept(struct chan *c, uint32_t id);
void chan_refuse(struct chan *c, uint32_t id, const char *reason);

/* False if id is not a channel of this table. */
bool chan_status(const struct chan *c, uint32_t id, struct chan_status *st);
/* Bytes from the peer waiting to be delivered, contiguous from *p. */
size_t chan_peek(const struct chan *c, uint32_t id, const uint8_t **p);
void chan_delivered(struct chan *c, uint32_t id, size_t n);
/* Send n <= status.room bytes. */
void chan_send(struct chan *c, uint32_t id, const void *p, size_t n);
/* Nothing more to send. */
void chan_finish(struct chan *c, uint32_t id);
/* Abandon the channel at once: the peer sees a reset if we opened it; if it
 * did, our stream ends and its bytes are thrown away until it ends too (it
 * may not have seen our answer, so we cannot simply leave). */
void chan_abort(struct chan *c, uint32_t id);
/* The shell is done with a CLOSED channel: forget it. */
void chan_forget(struct chan *c, uint32_t id);

/* The ids of the table, for iteration (valid until the next call that
 * changes it). */
size_t chan_count(const struct chan *c);
uint32_t chan_id_at(const struct chan *c, size_t i);

/* Requests: the client's user asks (returns the request id, 0 if full); the
 * server answers a request of the peer's part. */
uint32_t chan_request(struct chan *c, enum chan_kind kind, const char *bind, uint16_t port);
void chan_answer(struct chan *c, uint32_t req, enum chan_req_status status, const char *reason);
/* The peer's part (NULL before the first): its requests or answers. */
const struct chanset *chan_remote(const struct chan *c);

struct chan_stats {
	uint64_t opened, accepted, refused, reset, finished;
	uint64_t bytes_sent, bytes_delivered;
};
const struct chan_stats *chan_stats(const struct chan *c);

#endif
