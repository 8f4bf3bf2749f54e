/*
 * The datagram layer (doc/PROTOCOL.md §1.1–§1.7): seals a payload (one fragment)
 * into an authenticated, encrypted UDP datagram and opens the peer's.
 *
 * Model: a session holds the shared key, its own direction (the one it sends)
 * and a 63-bit sequence counter starting at 0, so that (direction, seq) — the
 * OCB nonce — never repeats under one key. It accepts only the other direction.
 * The highest sequence number seen decides what is "in order": only in-order
 * authentic datagrams update the timestamp echo, the RTT estimate and
 * last-heard; older ones are still returned (SSP is idempotent) with
 * in_order = false. Every rejected datagram is counted by kind and otherwise
 * ignored: nothing a peer sends can make this module fail hard.
 *
 * Time is an argument ("now", ms of the monotonic clock) so tests drive it.
 */
#ifndef MOSHC_NET_PKT_H
#define MOSHC_NET_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* The value of the direction bit (bit 63 of the clear nonce). */
enum pkt_dir { PKT_TO_SERVER = 0, PKT_TO_CLIENT = 1 };

struct pkt_stats {
	uint64_t sealed;       /* datagrams produced */
	uint64_t opened;       /* authentic datagrams returned (in order or not) */
	uint64_t out_of_order; /* of those, older than the newest seen */
	uint64_t rtt_samples;  /* timestamp replies used for the RTT estimate */
	/* drops, by kind */
	uint64_t too_short;   /* shorter than nonce + tag (24 bytes) */
	uint64_t oversize;    /* longer than WIRE_RECEIVE_MTU (2048) */
	uint64_t bad_tag;     /* failed authentication */
	uint64_t wrong_dir;   /* our own direction: a reflection */
	uint64_t short_plain; /* authentic but plaintext < 4 bytes */
};

struct pkt_session;

/* A session that sends in send_dir and receives the other direction. */
struct pkt_session *pkt_session_new(const uint8_t key[16], enum pkt_dir send_dir);
void pkt_session_free(struct pkt_session *s);

/*
 * Seal payload into a datagram: out is replaced by
 * seq/direction(8) | OCB(timestamp | timestamp_reply | payload) | tag(16).
 * Takes the next sequence number (the first is 0) and consumes the saved
 * timestamp for the echo. 0, or ERR_RANGE when the datagram would exceed
 * WIRE_RECEIVE_MTU or the sequence/key limit is reached (end the session).
 * payload must not point into out.
 */
int pkt_seal(struct pkt_session *s, uint64_t now_ms, const uint8_t *payload, size_t len,
             struct buf *out);

/*
 * Open a received datagram. On success (0) payload is replaced by the bytes
 * after the two timestamps and *in_order says whether its sequence number is
 * newer than any seen (only then are timestamps, RTT and last-heard updated,
 * and only then may the caller follow a roaming peer). Negative on a drop:
 * ERR_RANGE (too short / oversize), ERR_CRYPTO (bad tag), ERR_PROTO (wrong
 * direction), ERR_INVAL (plaintext < 4 bytes); the payload is then empty.
 * len is the datagram's real length: receive into a buffer larger than
 * WIRE_RECEIVE_MTU (or use MSG_TRUNC) so an oversize one is recognised.
 */
int pkt_open(struct pkt_session *s, uint64_t now_ms, const uint8_t *dgram, size_t len,
             struct buf *payload, bool *in_order);
/* pkt_open for a datagram whose IP header carried ECN CE (applies the 500 ms penalty). */
int pkt_open_ecn(struct pkt_session *s, uint64_t now_ms, const uint8_t *dgram, size_t len, bool ce,
                 struct buf *payload, bool *in_order);

/* Smoothed RTT in ms (1000 before the first sample). */
double pkt_srtt(const struct pkt_session *s);
/* RTT variance in ms (500 before the first sample). */
double pkt_rttvar(const struct pkt_session *s);
/* Retransmission timeout: ceil(SRTT + 4 RTTVAR) clamped to [50, 1000] ms. */
unsigned pkt_rto(const struct pkt_session *s);
/* Time of the last in-order authentic datagram; 0 if none yet. */
uint64_t pkt_last_heard(const struct pkt_session *s);
/* The sequence number the next pkt_seal will use. */
uint64_t pkt_next_seq(const struct pkt_session *s);
/* Borrowed, valid while the session lives. */
const struct pkt_stats *pkt_get_stats(const struct pkt_session *s);

#endif
