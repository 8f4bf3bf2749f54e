/*
 * SSP, the State Synchronization Protocol (doc/PROTOCOL.md section 5): one
 * direction's sender and the other direction's receiver, joined the way both
 * mosh peers run them, generic over a state type (struct ssp_state_ops).
 *
 * Model. The application owns nothing here: it mutates ssp_current() and reads
 * ssp_remote(). The sender keeps sent_states (number, times first and last
 * sent, copy), whose first entry is the newest state the peer acknowledged
 * ("head"); it always sends a diff from the state the peer is known or
 * assumed to hold to the current one. The receiver keeps received_states sorted by number,
 * starting with state 0, and applies each diff to the state it names.
 *
 * Memory. A peer holding the key can make each received state large with a
 * tiny diff (a resize), so received states are bounded by count
 * (SSP_RECEIVED_STATES_MAX, mosh 1.4's quench) and, when the state type
 * reports sizes, by their total (SSP_RECEIVED_BYTES_MAX): a new newest state
 * evicts the oldest others until the total fits, and an older state that does
 * not fit is dropped unacknowledged. The newest state is always kept, so the
 * peer's diffs from the state we acknowledge always apply.
 *
 * Invariants: sent_states is never empty and holds at most
 * SSP_SENT_STATES_MAX entries; received_states is never empty and always
 * holds the newest state received; an
 * instruction's old_num is never below its throwaway_num; ack_num only ever
 * names the highest-numbered received state.
 *
 * Time is always passed in ("now", monotonic ms), never read here, so tests
 * run on a fake clock. Instructions are plain structs: serialisation,
 * compression, fragments and packets are the transport glue's business
 * (ssp/transport.h), so this core is testable without sockets.
 */
#ifndef MOSHC_SSP_SSP_H
#define MOSHC_SSP_SSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/wire.h"
#include "util/buf.h"

/* Timing and size constants of mosh 1.4 (doc/PROTOCOL.md 5.1, 5.3, 5.4); the
 * wire-format ones are in net/wire.h. */
enum {
	SSP_SEND_INTERVAL_MIN = 20,       /* ms, lower clamp of the frame interval */
	SSP_SEND_INTERVAL_MAX = 250,      /* ms, upper clamp of the frame interval */
	SSP_ACK_INTERVAL = 3000,          /* ms between keep-alive empty acks */
	SSP_ACK_DELAY = 100,              /* ms, longest delay of an ack for data */
	SSP_SHUTDOWN_RETRIES = 16,        /* shutdown sends before giving up */
	SSP_ACTIVE_RETRY_TIMEOUT = 10000, /* ms of peer silence that stops retries */
	SSP_SEND_MINDELAY_SERVER = 8,     /* ms collection delay, server default */
	SSP_SEND_MINDELAY_CLIENT = 1,     /* ms collection delay, client */
	SSP_SENT_STATES_MAX = 32,         /* sent_states cap ... */
	SSP_SENT_STATES_CULL = 16,        /* ... dropping the entry this far from the end */
	SSP_RECEIVED_STATES_MAX = 1024,   /* above this, one new state per quench interval */
	SSP_QUENCH_INTERVAL = 15000,      /* ms */
	SSP_CHAFF_MAX = WIRE_CHAFF_MAX,   /* chaff is 0..16 random bytes */
	SSP_RESEND_SHORT = 1000,          /* a head diff shorter than this ... */
	SSP_RESEND_EXTRA = 100,           /* ... and at most this much longer is preferred */
};

/* Received states' total size() above which the oldest are dropped (ours, not mosh's). */
#define SSP_RECEIVED_BYTES_MAX ((size_t)64 << 20)

/* The shutdown state's number (5.7). */
#define SSP_NUM_SHUTDOWN WIRE_STATE_SHUTDOWN
/* A timer that is not armed / a time that never happened. */
#define SSP_NEVER UINT64_MAX

/*
 * What a synchronised state type supplies. States are opaque void pointers
 * owned by SSP once handed over. Copies should be cheap (SSP keeps up to 32
 * sent copies and one per received state).
 */
struct ssp_state_ops {
	void *(*copy)(const void *state);
	void (*free)(void *state);
	bool (*equal)(const void *a, const void *b);
	/* Append to out the bytes that turn from into to; nothing when equal.
	 * Only called with from being an earlier state of the same sender. */
	void (*diff)(const void *from, const void *to, struct buf *out);
	/* Apply a peer's diff; 0 or a negative ERR_* (the state is then
	 * unchanged). Must never crash or allocate without bound. */
	int (*apply)(void *state, const uint8_t *diff, size_t len);
	/* Optional (may be NULL): forget what prefix, a state both sides hold,
	 * already contains. A memory optimisation with no effect on diffs. */
	void (*subtract)(void *state, const void *prefix);
	/* Optional (may be NULL: sizes are not bounded): an estimate of the bytes
	 * the state holds that it does not share with other states (copy-on-write
	 * rows shared with its base do not count). Called once per received state
	 * and again after subtract, so it should be cheap. */
	size_t (*size)(const void *state);
	/* Optional (may be NULL: every change is in the foreground): whether to
	 * differs from from only in background parts (forwarded channel bytes).
	 * Such changes keep their own pace of one frame per interval, and a
	 * foreground change (keystrokes, the screen) is paced only by the
	 * foreground frames before it, so it never waits behind them. */
	bool (*background)(const void *from, const void *to);
};

/* One SSP instruction (4.1) minus protocol_version, which the glue adds and checks. */
struct ssp_instruction {
	uint64_t old_num;
	uint64_t new_num;
	uint64_t ack_num;
	uint64_t throwaway_num;
	const uint8_t *diff;
	size_t diff_len;
	const uint8_t *chaff;
	size_t chaff_len;
};

/* Deliver one instruction to the network (borrowed for the call only). */
typedef void ssp_send_fn(void *arg, uint64_t now, const struct ssp_instruction *inst);
/* Fill out with len random bytes. */
typedef void ssp_random_fn(void *arg, void *out, size_t len);

struct ssp_config {
	const struct ssp_state_ops *local_ops; /* the state we send */
	void *local_initial;                   /* our state 0; taken over */
	/* Optional: the live state to send, borrowed for SSP's lifetime. A
	 * session that outlives its links keeps one live state and gives each new
	 * link a blank local_initial, so the new peer's first frame is a full
	 * repaint while the state itself stays untouched. NULL: SSP sends a
	 * state of its own, starting as a copy of local_initial. */
	void *local_live;
	const struct ssp_state_ops *remote_ops; /* the state we receive */
	void *remote_initial;                   /* the peer's state 0; taken over */
	uint64_t send_mindelay;                 /* SSP_SEND_MINDELAY_SERVER or _CLIENT */
	ssp_send_fn *send;
	void *send_arg;
	ssp_random_fn *random; /* NULL: crypto_random() */
	void *random_arg;
};

/* What ssp_receive() did with an instruction (negative values: ERR_*). */
enum ssp_rx {
	SSP_RX_NEWEST = 0,    /* a new highest-numbered state */
	SSP_RX_INSERTED = 1,  /* a new state, but not the highest: kept silently */
	SSP_RX_DUPLICATE = 2, /* new_num already held: ignored */
	SSP_RX_NO_BASE = 3,   /* old_num not held (late or discarded base): dropped */
	SSP_RX_QUENCHED = 4,  /* over SSP_RECEIVED_STATES_MAX (or an older state over
	                       * SSP_RECEIVED_BYTES_MAX): dropped unacknowledged */
};

struct ssp_stats {
	uint64_t sent;             /* instructions handed to send() */
	uint64_t sent_empty;       /* of which empty acks */
	uint64_t timeouts;         /* resend episodes: diffs sent over again because
	                            * states holding data went unacknowledged past
	                            * RTO + ACK_DELAY (counted once until an ack ends
	                            * the episode; the first resend takes a new number) */
	uint64_t losses;           /* ... of which the peer then acknowledged the resend
	                            * but none of the expired states: the loss signal */
	uint64_t received;         /* instructions given to ssp_receive() */
	uint64_t rx_newest;        /* ... that made a new highest state */
	uint64_t rx_inserted;      /* ... that made an older state */
	uint64_t rx_duplicate;     /* ... dropped as duplicates */
	uint64_t rx_no_base;       /* ... dropped for an unknown base */
	uint64_t rx_quenched;      /* ... dropped by flow control */
	uint64_t rx_evicted;       /* older states dropped to fit SSP_RECEIVED_BYTES_MAX */
	uint64_t rx_bad_diff;      /* ... whose diff failed to apply */
	uint64_t rx_bad_throwaway; /* ... with throwaway_num > old_num */
};

struct ssp;

struct ssp *ssp_new(const struct ssp_config *cfg, uint64_t now);
void ssp_free(struct ssp *ssp);

/* The current local state (cfg.local_live when given): the application
 * changes it in place (borrowed, valid until ssp_free). SSP notices changes on
 * its next tick. */
void *ssp_current(struct ssp *ssp);
/* The newest state received (borrowed, valid until the next ssp_receive). */
const void *ssp_remote(const struct ssp *ssp);
uint64_t ssp_remote_num(const struct ssp *ssp);
/* When the newest remote state arrived (SSP_NEVER before the first). */
uint64_t ssp_last_heard(const struct ssp *ssp);

/* RTT estimates from the datagram layer (ms); defaults 1000 / 1000. */
void ssp_set_rtt(struct ssp *ssp, double srtt, uint64_t rto);
/* Whether the peer's address is known; nothing is sent while it is not.
 * Default: known (a client). A server sets false until the first packet. */
void ssp_set_peer_known(struct ssp *ssp, bool known);
/* Change the collection delay (initially cfg.send_mindelay), e.g. to send at
 * once when the application knows the change is complete. */
void ssp_set_send_mindelay(struct ssp *ssp, uint64_t ms);
/*
 * Number the first resend of each loss episode afresh, even when the state
 * is unchanged, so that the peer's acknowledgement tells a lost frame from a
 * late one (ssp_stats.losses; a sender held by a window resends an unchanged
 * state). Every peer takes any new number; off by default all the same, so
 * that resends to a mosh 1.4 peer keep mosh 1.4's numbering. Links turn it on
 * with forwarded channels.
 */
void ssp_set_loss_probe(struct ssp *ssp, bool on);
/* The frame interval: ceil(SRTT / 2) clamped to [20, 250] ms. */
uint64_t ssp_send_interval(const struct ssp *ssp);

/* Do whatever is due at now; returns ms until it must run again (-1: no
 * deadline). Fits ev_tick_fn. */
int64_t ssp_tick(struct ssp *ssp, uint64_t now);
/* The same wait without acting. */
int64_t ssp_wait_ms(struct ssp *ssp, uint64_t now);

/* Process one complete instruction from the peer: enum ssp_rx or ERR_*. */
int ssp_receive(struct ssp *ssp, uint64_t now, const struct ssp_instruction *inst);
/* Set on every received instruction: the time our newest acknowledged state
 * was last sent (drives port hopping). False until the first instruction. */
bool ssp_last_roundtrip(const struct ssp *ssp, uint64_t *when);

/* Shutdown handshake (5.7). */
void ssp_start_shutdown(struct ssp *ssp, uint64_t now);
bool ssp_shutdown_in_progress(const struct ssp *ssp);
/* Initiator: the peer acknowledged our shutdown state. */
bool ssp_shutdown_acknowledged(const struct ssp *ssp);
/* Initiator: give up (16 shutdown sends or 10 s). */
bool ssp_shutdown_timed_out(const struct ssp *ssp, uint64_t now);
/* The peer sent its shutdown state. */
bool ssp_remote_shutdown(const struct ssp *ssp);
/* Non-initiator: we have sent an instruction acking the peer's shutdown, so we may exit. */
bool ssp_counterparty_shutdown_acknowledged(const struct ssp *ssp);

const struct ssp_stats *ssp_stats(const struct ssp *ssp);
/* For tests and diagnostics: list lengths and the newest sent number. */
size_t ssp_sent_count(const struct ssp *ssp);
size_t ssp_received_count(const struct ssp *ssp);
/* The received states' total size() (0 when the state type has no size). */
size_t ssp_received_bytes(const struct ssp *ssp);
uint64_t ssp_sent_num(const struct ssp *ssp);
uint64_t ssp_acked_num(const struct ssp *ssp);
/* The newest state the peer acknowledged (borrowed, valid until the next
 * ssp_receive): how far a sender may run ahead of what the peer holds. */
const void *ssp_acked_state(const struct ssp *ssp);

#endif
