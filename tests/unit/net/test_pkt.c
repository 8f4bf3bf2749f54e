/*
 * net/pkt: datagram layout, direction, nonce uniqueness over 4,000,000
 * packets, tamper rejection, drop counters, timestamps and the RTT/RTO
 * estimator driven by a fake clock.
 */
#include "../test.h"

#include <stdlib.h>

#include "crypto/ocb.h"
#include "net/pkt.h"
#include "net/wire.h"
#include "util/bytes.h"
#include "util/err.h"

static const uint8_t key[16] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
                                0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF, 0x00};

/* Decrypt a datagram with the raw cipher to read the timestamps it carries. */
static void peek_timestamps(const struct buf *d, uint16_t *ts, uint16_t *reply)
{
	uint8_t nonce[12] = {0}, plain[WIRE_RECEIVE_MTU];
	struct ocb *o = ocb_new(key);

	memcpy(nonce + 4, d->data, 8);
	if (ocb_open(o, nonce, d->data + 8, d->len - 8, plain) != 0)
		abort();
	*ts = be16_get(plain);
	*reply = be16_get(plain + 2);
	ocb_free(o);
}

TEST(layout_and_round_trip)
{
	struct pkt_session *c = pkt_session_new(key, PKT_TO_SERVER);
	struct pkt_session *s = pkt_session_new(key, PKT_TO_CLIENT);
	struct buf d, p;
	bool in_order;
	uint16_t ts, reply;

	buf_init(&d);
	buf_init(&p);
	CHECK_EQ_INT(pkt_seal(c, 1000, (const uint8_t *)"hello", 5, &d), 0);
	CHECK_EQ_INT(d.len, 5 + 28);
	CHECK_EQ_U64(be64_get(d.data), 0); /* seq 0, direction 0 */
	peek_timestamps(&d, &ts, &reply);
	CHECK_EQ_INT(ts, 1000);
	CHECK_EQ_INT(reply, 0xFFFF);
	CHECK_EQ_INT(pkt_open(s, 1010, d.data, d.len, &p, &in_order), 0);
	CHECK(in_order);
	CHECK_EQ_INT(p.len, 5);
	CHECK_EQ_MEM(p.data, "hello", 5);
	CHECK_EQ_U64(pkt_last_heard(s), 1010);

	CHECK_EQ_INT(pkt_seal(s, 1020, NULL, 0, &d), 0);
	CHECK_EQ_U64(be64_get(d.data), WIRE_DIRECTION_BIT | 0);
	CHECK_EQ_INT(pkt_seal(s, 1020, NULL, 0, &d), 0);
	CHECK_EQ_U64(be64_get(d.data), WIRE_DIRECTION_BIT | 1);
	CHECK_EQ_U64(pkt_next_seq(s), 2);
	CHECK_EQ_INT(pkt_open(c, 1030, d.data, d.len, &p, &in_order), 0);
	CHECK_EQ_INT(p.len, 0);
	/* The client opening its own datagram: a reflection. */
	CHECK_EQ_INT(pkt_seal(c, 1040, (const uint8_t *)"x", 1, &d), 0);
	CHECK_EQ_INT(pkt_open(c, 1040, d.data, d.len, &p, &in_order), ERR_PROTO);
	CHECK_EQ_U64(pkt_get_stats(c)->wrong_dir, 1);
	CHECK_EQ_INT(p.len, 0);
	buf_fini(&d);
	buf_fini(&p);
	pkt_session_free(c);
	pkt_session_free(s);
}

/*
 * Nonce uniqueness by construction: within each direction the clear nonces
 * must be strictly increasing and carry that direction's bit, so no two of
 * the 4,000,000 datagrams (alternating directions) can share a nonce.
 */
TEST(four_million_nonces_never_repeat)
{
	struct pkt_session *side[2] = {pkt_session_new(key, PKT_TO_SERVER),
	                               pkt_session_new(key, PKT_TO_CLIENT)};
	uint64_t last[2] = {0, 0};
	bool any[2] = {false, false};
	struct buf d;

	buf_init(&d);
	for (uint32_t i = 0; i < 4000000; i++) {
		int k = i & 1;
		uint64_t n;

		CHECK_EQ_INT(pkt_seal(side[k], i, NULL, 0, &d), 0);
		n = be64_get(d.data);
		CHECK_EQ_U64(n & WIRE_DIRECTION_BIT, k ? WIRE_DIRECTION_BIT : 0);
		if (any[k])
			CHECK(n > last[k]);
		last[k] = n;
		any[k] = true;
	}
	CHECK_EQ_U64(last[0], 1999999);
	CHECK_EQ_U64(last[1], WIRE_DIRECTION_BIT | 1999999);
	buf_fini(&d);
	pkt_session_free(side[0]);
	pkt_session_free(side[1]);
}

TEST(any_flipped_byte_is_rejected)
{
	struct pkt_session *c = pkt_session_new(key, PKT_TO_SERVER);
	struct pkt_session *s = pkt_session_new(key, PKT_TO_CLIENT);
	struct buf d, p;
	bool in_order;

	buf_init(&d);
	buf_init(&p);
	CHECK_EQ_INT(pkt_seal(c, 5, (const uint8_t *)"0123456789abcdefXYZ", 19, &d), 0);
	for (size_t i = 0; i < d.len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			d.data[i] ^= (uint8_t)(1 << bit);
			CHECK_EQ_INT(pkt_open(s, 6, d.data, d.len, &p, &in_order), ERR_CRYPTO);
			d.data[i] ^= (uint8_t)(1 << bit);
		}
		d.data[i] ^= 0xFF;
		CHECK_EQ_INT(pkt_open(s, 6, d.data, d.len, &p, &in_order), ERR_CRYPTO);
		d.data[i] ^= 0xFF;
	}
	CHECK_EQ_U64(pkt_get_stats(s)->bad_tag, d.len * 9);
	/* Truncations and extensions fail too. */
	for (size_t n = 24; n < d.len; n++)
		CHECK_EQ_INT(pkt_open(s, 6, d.data, n, &p, &in_order), ERR_CRYPTO);
	CHECK_EQ_INT(pkt_open(s, 6, d.data, d.len, &p, &in_order), 0);
	CHECK(in_order);
	buf_fini(&d);
	buf_fini(&p);
	pkt_session_free(c);
	pkt_session_free(s);
}

TEST(size_limits_and_counters)
{
	struct pkt_session *c = pkt_session_new(key, PKT_TO_SERVER);
	struct pkt_session *s = pkt_session_new(key, PKT_TO_CLIENT);
	static uint8_t big[4096];
	uint8_t nonce[12] = {0}, raw[3 + 8 + 16];
	struct ocb *o = ocb_new(key);
	struct buf d, p;
	bool in_order;

	buf_init(&d);
	buf_init(&p);
	CHECK_EQ_INT(pkt_seal(c, 0, big, WIRE_RECEIVE_MTU - 28 + 1, &d), ERR_RANGE);
	CHECK_EQ_U64(pkt_next_seq(c), 0);
	CHECK_EQ_INT(pkt_seal(c, 0, big, WIRE_RECEIVE_MTU - 28, &d), 0);
	CHECK_EQ_INT(d.len, WIRE_RECEIVE_MTU);
	CHECK_EQ_INT(pkt_open(s, 0, d.data, d.len, &p, &in_order), 0);
	CHECK_EQ_INT(p.len, WIRE_RECEIVE_MTU - 28);

	memset(big, 0, sizeof big);
	CHECK_EQ_INT(pkt_open(s, 0, big, WIRE_RECEIVE_MTU + 1, &p, &in_order), ERR_RANGE);
	CHECK_EQ_U64(pkt_get_stats(s)->oversize, 1);
	for (size_t n = 0; n < 24; n++)
		CHECK_EQ_INT(pkt_open(s, 0, big, n, &p, &in_order), ERR_RANGE);
	CHECK_EQ_U64(pkt_get_stats(s)->too_short, 24);
	/* 24 bytes of zeros: long enough, not authentic. */
	CHECK_EQ_INT(pkt_open(s, 0, big, 24, &p, &in_order), ERR_CRYPTO);

	/* Authentic, right direction, but only 3 plaintext bytes. */
	be64_put(raw, 7);
	memcpy(nonce + 4, raw, 8);
	CHECK_EQ_INT(ocb_seal(o, nonce, (const uint8_t *)"abc", 3, raw + 8), 0);
	CHECK_EQ_INT(pkt_open(s, 0, raw, sizeof raw, &p, &in_order), ERR_INVAL);
	CHECK_EQ_U64(pkt_get_stats(s)->short_plain, 1);
	CHECK_EQ_U64(pkt_get_stats(s)->opened, 1);
	ocb_free(o);
	buf_fini(&d);
	buf_fini(&p);
	pkt_session_free(c);
	pkt_session_free(s);
}

TEST(out_of_order_is_returned_but_ignored_for_timing)
{
	struct pkt_session *c = pkt_session_new(key, PKT_TO_SERVER);
	struct pkt_session *s = pkt_session_new(key, PKT_TO_CLIENT);
	struct buf d0, d1, d2, p;
	bool in_order;
	uint16_t ts, reply;

	buf_init(&d0);
	buf_init(&d1);
	buf_init(&d2);
	buf_init(&p);
	CHECK_EQ_INT(pkt_seal(c, 100, (const uint8_t *)"a", 1, &d0), 0);
	CHECK_EQ_INT(pkt_seal(c, 200, (const uint8_t *)"b", 1, &d1), 0);
	CHECK_EQ_INT(pkt_seal(c, 300, (const uint8_t *)"c", 1, &d2), 0);
	CHECK_EQ_INT(pkt_open(s, 400, d1.data, d1.len, &p, &in_order), 0);
	CHECK(in_order);
	CHECK_EQ_INT(pkt_open(s, 450, d0.data, d0.len, &p, &in_order), 0);
	CHECK(!in_order);
	CHECK_EQ_MEM(p.data, "a", 1);
	CHECK_EQ_U64(pkt_last_heard(s), 400);
	/* A replay of the newest is old now too. */
	CHECK_EQ_INT(pkt_open(s, 460, d1.data, d1.len, &p, &in_order), 0);
	CHECK(!in_order);
	CHECK_EQ_U64(pkt_get_stats(s)->out_of_order, 2);
	/* The echo is still the in-order datagram's timestamp (200), held 100 ms. */
	CHECK_EQ_INT(pkt_seal(s, 500, NULL, 0, &d0), 0);
	peek_timestamps(&d0, &ts, &reply);
	CHECK_EQ_INT(reply, 300);
	CHECK_EQ_INT(pkt_open(s, 510, d2.data, d2.len, &p, &in_order), 0);
	CHECK(in_order);
	CHECK_EQ_U64(pkt_last_heard(s), 510);
	buf_fini(&d0);
	buf_fini(&d1);
	buf_fini(&d2);
	buf_fini(&p);
	pkt_session_free(c);
	pkt_session_free(s);
}

TEST(timestamp_reply_rules)
{
	struct pkt_session *c = pkt_session_new(key, PKT_TO_SERVER);
	struct pkt_session *s = pkt_session_new(key, PKT_TO_CLIENT);
	struct buf d, p;
	bool in_order;
	uint16_t ts, reply;

	buf_init(&d);
	buf_init(&p);
	/* 0xFFFF is never sent as a time. */
	CHECK_EQ_INT(pkt_seal(c, 65535, NULL, 0, &d), 0);
	peek_timestamps(&d, &ts, &reply);
	CHECK_EQ_INT(ts, 0);
	CHECK_EQ_INT(pkt_seal(c, 65536 + 65530, NULL, 0, &d), 0);
	peek_timestamps(&d, &ts, &reply);
	CHECK_EQ_INT(ts, 65530);
	/* Echoed once, advanced by the hold time, wrapping mod 2^16. */
	CHECK_EQ_INT(pkt_open(s, 7000, d.data, d.len, &p, &in_order), 0);
	CHECK_EQ_INT(pkt_seal(s, 7010, NULL, 0, &d), 0);
	peek_timestamps(&d, &ts, &reply);
	CHECK_EQ_INT(ts, 7010);
	CHECK_EQ_INT(reply, 4); /* 65530 + 10 mod 65536 */
	CHECK_EQ_INT(pkt_seal(s, 7020, NULL, 0, &d), 0);
	peek_timestamps(&d, &ts, &reply);
	CHECK_EQ_INT(reply, 0xFFFF);
	/* Held 1000 ms or more: not echoed. */
	CHECK_EQ_INT(pkt_seal(c, 8000, NULL, 0, &d), 0);
	CHECK_EQ_INT(pkt_open(s, 8000, d.data, d.len, &p, &in_order), 0);
	CHECK_EQ_INT(pkt_seal(s, 9000, NULL, 0, &d), 0);
	peek_timestamps(&d, &ts, &reply);
	CHECK_EQ_INT(reply, 0xFFFF);
	CHECK_EQ_INT(pkt_seal(c, 9100, NULL, 0, &d), 0);
	CHECK_EQ_INT(pkt_open(s, 9100, d.data, d.len, &p, &in_order), 0);
	CHECK_EQ_INT(pkt_seal(s, 10099, NULL, 0, &d), 0);
	peek_timestamps(&d, &ts, &reply);
	CHECK_EQ_INT(reply, 10099);
	/* ECN CE: the echo is 500 ms older than the truth. */
	CHECK_EQ_INT(pkt_seal(c, 20000, NULL, 0, &d), 0);
	CHECK_EQ_INT(pkt_open_ecn(s, 20000, d.data, d.len, true, &p, &in_order), 0);
	CHECK_EQ_INT(pkt_seal(s, 20030, NULL, 0, &d), 0);
	peek_timestamps(&d, &ts, &reply);
	CHECK_EQ_INT(reply, 20000 - 500 + 30);
	buf_fini(&d);
	buf_fini(&p);
	pkt_session_free(c);
	pkt_session_free(s);
}

/* One client→server→client exchange, the server holding the timestamp hold ms. */
static void round_trip(struct pkt_session *c, struct pkt_session *s, uint64_t t_send, uint64_t hold,
                       uint64_t t_back)
{
	struct buf d, p;
	bool in_order;

	buf_init(&d);
	buf_init(&p);
	if (pkt_seal(c, t_send, NULL, 0, &d) != 0 ||
	    pkt_open(s, t_send + 1, d.data, d.len, &p, &in_order) != 0 ||
	    pkt_seal(s, t_send + 1 + hold, NULL, 0, &d) != 0 ||
	    pkt_open(c, t_back, d.data, d.len, &p, &in_order) != 0)
		abort();
	buf_fini(&d);
	buf_fini(&p);
}

TEST(rtt_estimator)
{
	struct pkt_session *c = pkt_session_new(key, PKT_TO_SERVER);
	struct pkt_session *s = pkt_session_new(key, PKT_TO_CLIENT);

	CHECK(pkt_srtt(c) == 1000.0);
	CHECK(pkt_rttvar(c) == 500.0);
	CHECK_EQ_INT(pkt_rto(c), 1000);
	/* Sent at 1000, echoed as 1050 (held 50 ms), back at 1300: R = 250. */
	round_trip(c, s, 1000, 50, 1300);
	CHECK(pkt_srtt(c) == 250.0);
	CHECK(pkt_rttvar(c) == 125.0);
	CHECK_EQ_INT(pkt_rto(c), 750);
	/* R = 100: RTTVAR = .75*125 + .25*150 = 131.25, SRTT = 231.25, RTO = ceil(756.25). */
	round_trip(c, s, 2000, 20, 2120);
	CHECK(pkt_rttvar(c) == 131.25);
	CHECK(pkt_srtt(c) == 231.25);
	CHECK_EQ_INT(pkt_rto(c), 757);
	/* A 5000 ms "round trip" is a suspended process: ignored. */
	round_trip(c, s, 3000, 0, 8001);
	CHECK(pkt_srtt(c) == 231.25);
	CHECK_EQ_U64(pkt_get_stats(c)->rtt_samples, 2);
	/* Tiny RTTs clamp to MIN_RTO. */
	for (int i = 0; i < 60; i++)
		round_trip(c, s, 10000 + 100 * (uint64_t)i, 0, 10000 + 100 * (uint64_t)i + 2);
	CHECK(pkt_srtt(c) < 3.0);
	CHECK_EQ_INT(pkt_rto(c), 50);
	/* Huge but valid samples clamp to MAX_RTO. */
	round_trip(c, s, 20000, 0, 24900);
	CHECK_EQ_INT(pkt_rto(c), 1000);
	pkt_session_free(c);
	pkt_session_free(s);
}

int main(void)
{
	RUN(layout_and_round_trip);
	RUN(four_million_nonces_never_repeat);
	RUN(any_flipped_byte_is_rejected);
	RUN(size_limits_and_counters);
	RUN(out_of_order_is_returned_but_ignored_for_timing);
	RUN(timestamp_reply_rules);
	RUN(rtt_estimator);
	return test_done();
}
