/*
 * Datagram sealing and opening (doc/PROTOCOL.md §1). The clear 8 bytes are the
 * big-endian (direction << 63 | seq); the OCB nonce is 4 zero bytes followed
 * by them, so (direction, seq) uniquely names every datagram under the key.
 * Invariants: next_seq only grows and never exceeds WIRE_SEQ_MASK + 1 (seal
 * refuses then); expected_seq is 1 + the highest authentic sequence number
 * received; RTT state changes only on in-order authentic datagrams.
 */
#include "net/pkt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/ocb.h"
#include "net/wire.h"
#include "util/bytes.h"
#include "util/err.h"
#include "util/xmalloc.h"

_Static_assert(WIRE_OCB_NONCE_LEN == OCB_NONCE_LEN, "OCB nonce size");
_Static_assert(WIRE_TAG_LEN == OCB_TAG_LEN, "OCB tag size");
_Static_assert(WIRE_KEY_LEN == OCB_KEY_LEN, "key size");
_Static_assert(WIRE_DATAGRAM_OVERHEAD == WIRE_NONCE_LEN + WIRE_TIMESTAMPS_LEN + WIRE_TAG_LEN,
               "datagram overhead");

struct pkt_session {
	struct ocb *ocb;
	uint64_t dir_bit; /* our direction, as it appears on the wire */
	uint64_t next_seq;
	uint64_t expected_seq;
	/* §1.5: the peer's last timestamp, echoed once within WIRE_TS_REPLY_HOLD_MS */
	bool saved_valid;
	uint16_t saved_ts;
	uint64_t saved_at;
	/* §1.6 */
	bool have_rtt;
	double srtt, rttvar;
	uint64_t last_heard;
	struct pkt_stats stats;
	uint8_t plain[WIRE_RECEIVE_MTU];
};

struct pkt_session *pkt_session_new(const uint8_t key[16], enum pkt_dir send_dir)
{
	struct pkt_session *s = xcalloc(1, sizeof *s);

	s->ocb = ocb_new(key);
	s->dir_bit = send_dir == PKT_TO_CLIENT ? WIRE_DIRECTION_BIT : 0;
	s->srtt = WIRE_SRTT_INIT_MS;
	s->rttvar = WIRE_RTTVAR_INIT_MS;
	return s;
}

void pkt_session_free(struct pkt_session *s)
{
	if (s == NULL)
		return;
	ocb_free(s->ocb);
	/* explicit_bzero: a memset before free may be removed by the compiler. */
	explicit_bzero(s->plain, sizeof s->plain);
	free(s);
}

static void make_nonce(uint8_t nonce[WIRE_OCB_NONCE_LEN], const uint8_t clear[WIRE_NONCE_LEN])
{
	memset(nonce, 0, WIRE_OCB_NONCE_LEN - WIRE_NONCE_LEN);
	memcpy(nonce + WIRE_OCB_NONCE_LEN - WIRE_NONCE_LEN, clear, WIRE_NONCE_LEN);
}

/* The timestamp_reply field of the next datagram; consumes the saved timestamp. */
static uint16_t take_ts_reply(struct pkt_session *s, uint64_t now_ms)
{
	uint64_t held;

	if (!s->saved_valid || now_ms < s->saved_at)
		return WIRE_TS_NONE;
	held = now_ms - s->saved_at;
	if (held >= WIRE_TS_REPLY_HOLD_MS)
		return WIRE_TS_NONE;
	s->saved_valid = false;
	return (uint16_t)(s->saved_ts + held);
}

int pkt_seal(struct pkt_session *s, uint64_t now_ms, const uint8_t *payload, size_t len,
             struct buf *out)
{
	size_t plen = WIRE_TIMESTAMPS_LEN + len;
	uint8_t nonce[WIRE_OCB_NONCE_LEN];
	uint16_t ts = (uint16_t)now_ms;
	uint8_t *p;
	int rc;

	if (len > WIRE_RECEIVE_MTU - WIRE_DATAGRAM_OVERHEAD || s->next_seq > WIRE_SEQ_MASK)
		return ERR_RANGE;
	/* 0xFFFF means "absent", so it is never sent as a real time. */
	if (ts == WIRE_TS_NONE)
		ts = 0;
	buf_clear(out);
	buf_reserve(out, WIRE_NONCE_LEN + plen + WIRE_TAG_LEN);
	p = out->data;
	be64_put(p, s->dir_bit | s->next_seq);
	be16_put(p + WIRE_NONCE_LEN, ts);
	be16_put(p + WIRE_NONCE_LEN + 2, take_ts_reply(s, now_ms));
	if (len > 0)
		memcpy(p + WIRE_NONCE_LEN + WIRE_TIMESTAMPS_LEN, payload, len);
	make_nonce(nonce, p);
	/* Sealed in place: the plaintext already sits where the ciphertext goes. */
	rc = ocb_seal(s->ocb, nonce, p + WIRE_NONCE_LEN, plen, p + WIRE_NONCE_LEN);
	if (rc < 0) {
		buf_clear(out);
		return rc;
	}
	out->len = WIRE_NONCE_LEN + plen + WIRE_TAG_LEN;
	out->data[out->len] = '\0';
	s->next_seq++;
	s->stats.sealed++;
	return 0;
}

/* §1.6: fold one round-trip sample (ms) into SRTT/RTTVAR. */
static void rtt_sample(struct pkt_session *s, double r)
{
	if (!s->have_rtt) {
		s->srtt = r;
		s->rttvar = r / 2;
		s->have_rtt = true;
	} else {
		s->rttvar = 0.75 * s->rttvar + 0.25 * fabs(s->srtt - r);
		s->srtt = 0.875 * s->srtt + 0.125 * r;
	}
	s->stats.rtt_samples++;
}

/* §1.5/§1.6 for an in-order datagram whose plaintext starts at pt. */
static void take_timestamps(struct pkt_session *s, uint64_t now_ms, const uint8_t *pt, bool ce)
{
	uint16_t ts = be16_get(pt), reply = be16_get(pt + 2);

	if (ts != WIRE_TS_NONE) {
		/* A CE mark makes the peer see a longer RTT, slowing its frame rate. */
		s->saved_ts = ce ? (uint16_t)(ts - WIRE_CE_PENALTY_MS) : ts;
		s->saved_at = now_ms;
		s->saved_valid = true;
	}
	if (reply != WIRE_TS_NONE) {
		uint16_t r = (uint16_t)((uint16_t)now_ms - reply);

		/* Longer "round trips" are a suspended process, not the network. */
		if (r < WIRE_RTT_SAMPLE_MAX_MS)
			rtt_sample(s, r);
	}
}

int pkt_open_ecn(struct pkt_session *s, uint64_t now_ms, const uint8_t *dgram, size_t len, bool ce,
                 struct buf *payload, bool *in_order)
{
	uint8_t nonce[WIRE_OCB_NONCE_LEN];
	uint64_t clear, seq;
	size_t plen;
	bool newer;

	buf_clear(payload);
	if (in_order)
		*in_order = false;
	if (len > WIRE_RECEIVE_MTU) {
		s->stats.oversize++;
		return ERR_RANGE;
	}
	if (len < WIRE_MIN_DATAGRAM) {
		s->stats.too_short++;
		return ERR_RANGE;
	}
	make_nonce(nonce, dgram);
	plen = len - WIRE_NONCE_LEN - WIRE_TAG_LEN;
	if (ocb_open(s->ocb, nonce, dgram + WIRE_NONCE_LEN, len - WIRE_NONCE_LEN, s->plain) < 0) {
		s->stats.bad_tag++;
		return ERR_CRYPTO;
	}
	clear = be64_get(dgram);
	/* Our own direction coming back is a reflection, never the peer. */
	if ((clear & WIRE_DIRECTION_BIT) == s->dir_bit) {
		s->stats.wrong_dir++;
		return ERR_PROTO;
	}
	if (plen < WIRE_MIN_PLAINTEXT) {
		s->stats.short_plain++;
		return ERR_INVAL;
	}
	seq = clear & WIRE_SEQ_MASK;
	newer = seq >= s->expected_seq;
	if (newer) {
		s->expected_seq = seq + 1;
		take_timestamps(s, now_ms, s->plain, ce);
		s->last_heard = now_ms;
	} else {
		s->stats.out_of_order++;
	}
	buf_append(payload, s->plain + WIRE_TIMESTAMPS_LEN, plen - WIRE_TIMESTAMPS_LEN);
	if (in_order)
		*in_order = newer;
	s->stats.opened++;
	return 0;
}

int pkt_open(struct pkt_session *s, uint64_t now_ms, const uint8_t *dgram, size_t len,
             struct buf *payload, bool *in_order)
{
	return pkt_open_ecn(s, now_ms, dgram, len, false, payload, in_order);
}

double pkt_srtt(const struct pkt_session *s)
{
	return s->srtt;
}

double pkt_rttvar(const struct pkt_session *s)
{
	return s->rttvar;
}

unsigned pkt_rto(const struct pkt_session *s)
{
	double rto = ceil(s->srtt + 4 * s->rttvar);

	if (rto < WIRE_MIN_RTO_MS)
		return WIRE_MIN_RTO_MS;
	if (rto > WIRE_MAX_RTO_MS)
		return WIRE_MAX_RTO_MS;
	return (unsigned)rto;
}

uint64_t pkt_last_heard(const struct pkt_session *s)
{
	return s->last_heard;
}

uint64_t pkt_next_seq(const struct pkt_session *s)
{
	return s->next_seq;
}

const struct pkt_stats *pkt_get_stats(const struct pkt_session *s)
{
	return &s->stats;
}
