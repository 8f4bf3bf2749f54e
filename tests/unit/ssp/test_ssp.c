/*
 * ssp/ssp on a fake clock: the sender's timers (frame interval, mindelay,
 * delayed acks, heartbeats, retransmission), the sent-state cap, the resend
 * optimisation, the receiver's rules, the shutdown handshake and the loss
 * signal (ssp_stats timeouts and losses, over a scripted link). The user
 * stream is the state type in both directions, except for the memory bound:
 * there a fake state claims whatever size its diff says, without holding it.
 */
#include "../test.h"

#include <stdlib.h>

#include "ssp/ssp.h"
#include "chan/chanset.h"
#include "state/userstream.h"
#include "util/bytes.h"
#include "util/err.h"

#define MAXCAP 4096

struct sent {
	struct ssp_instruction in;
	uint8_t *diff;
	uint64_t t;
};

struct cap {
	struct sent v[MAXCAP];
	size_t n;
};

static void cap_send(void *arg, uint64_t now, const struct ssp_instruction *in)
{
	struct cap *c = arg;
	struct sent *s;

	if (c->n == MAXCAP)
		return;
	s = &c->v[c->n++];
	s->in = *in;
	s->diff = in->diff_len ? malloc(in->diff_len) : NULL;
	if (in->diff_len)
		memcpy(s->diff, in->diff, in->diff_len);
	s->in.diff = s->diff;
	s->in.chaff = NULL;
	s->t = now;
	if (in->chaff_len > SSP_CHAFF_MAX)
		abort();
}

static void cap_clear(struct cap *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].diff);
	c->n = 0;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static void fake_random(void *arg, void *out, size_t len)
{
	uint8_t *p = out;

	for (size_t i = 0; i < len; i++) {
		rng_state ^= rng_state << 13;
		rng_state ^= rng_state >> 7;
		rng_state ^= rng_state << 17;
		p[i] = (uint8_t)rng_state;
	}
}

static struct ssp *mk(struct cap *c, uint64_t mindelay, uint64_t now)
{
	struct ssp_config cfg = {
	    .local_ops = &userstream_ops,
	    .local_initial = userstream_new(),
	    .remote_ops = &userstream_ops,
	    .remote_initial = userstream_new(),
	    .send_mindelay = mindelay,
	    .send = cap_send,
	    .send_arg = c,
	    .random = fake_random,
	};
	c->n = 0;
	return ssp_new(&cfg, now);
}

static struct userstream *cur(struct ssp *s)
{
	return ssp_current(s);
}

/* An instruction from the peer (its diff made from a scratch user stream). */
static int feed(struct ssp *s, uint64_t now, uint64_t old_num, uint64_t new_num, uint64_t ack,
                uint64_t thr, const char *keys)
{
	struct userstream *a = userstream_new(), *b = userstream_new();
	struct ssp_instruction in = {old_num, new_num, ack, thr, NULL, 0, NULL, 0};
	struct buf d;
	int rc;

	buf_init(&d);
	if (keys) {
		userstream_push_bytes(b, keys, strlen(keys));
		userstream_diff(a, b, &d);
		in.diff = d.data;
		in.diff_len = d.len;
	}
	rc = ssp_receive(s, now, &in);
	buf_fini(&d);
	userstream_free(a);
	userstream_free(b);
	return rc;
}

/* The keystroke bytes of a captured diff, as a string. */
static void diff_keys(const struct sent *s, struct buf *out)
{
	struct userstream *r = userstream_new();

	if (userstream_apply(r, s->in.diff, s->in.diff_len) != 0)
		TEST_FAIL("captured diff does not apply");
	for (uint64_t i = 0; i < userstream_end(r); i++) {
		const struct userstream_event *ev = userstream_event(r, i);
		if (ev->kind == USERSTREAM_BYTE)
			buf_append_byte(out, ev->byte);
		else
			buf_append_str(out, "[R]");
	}
	userstream_free(r);
}

TEST(first_tick_sends_at_once)
{
	static const uint8_t resize[] = {0x0a, 0x06, 0x1a, 0x04, 0x28, 0x50, 0x30, 0x18};
	static struct cap c;
	struct ssp *s = mk(&c, SSP_SEND_MINDELAY_CLIENT, 1000);

	userstream_push_resize(cur(s), 80, 24);
	ssp_tick(s, 1000);
	CHECK_EQ_INT(c.n, 1);
	CHECK_EQ_U64(c.v[0].in.old_num, 0);
	CHECK_EQ_U64(c.v[0].in.new_num, 1);
	CHECK_EQ_U64(c.v[0].in.ack_num, 0);
	CHECK_EQ_U64(c.v[0].in.throwaway_num, 0);
	CHECK_EQ_INT(c.v[0].in.diff_len, sizeof(resize));
	CHECK_EQ_MEM(c.v[0].in.diff, resize, sizeof(resize));
	cap_clear(&c);
	ssp_free(s);
}

TEST(frame_interval_clamps)
{
	static struct cap c;
	struct ssp *s = mk(&c, 8, 0);

	CHECK_EQ_U64(ssp_send_interval(s), 250); /* SRTT starts at 1000 */
	ssp_set_rtt(s, 10, 50);
	CHECK_EQ_U64(ssp_send_interval(s), 20);
	ssp_set_rtt(s, 39.5, 50);
	CHECK_EQ_U64(ssp_send_interval(s), 20);
	ssp_set_rtt(s, 41, 50);
	CHECK_EQ_U64(ssp_send_interval(s), 21);
	ssp_set_rtt(s, 300.2, 500);
	CHECK_EQ_U64(ssp_send_interval(s), 151);
	ssp_set_rtt(s, 4999, 1000);
	CHECK_EQ_U64(ssp_send_interval(s), 250);
	ssp_free(s);
}

TEST(heartbeats_every_3s_with_new_numbers)
{
	static struct cap c;
	struct ssp *s = mk(&c, 8, 0);

	CHECK_EQ_INT(ssp_tick(s, 0), SSP_ACK_INTERVAL);
	CHECK_EQ_INT(c.n, 1);
	CHECK_EQ_U64(c.v[0].in.new_num, 1);
	CHECK_EQ_INT(c.v[0].in.diff_len, 0);
	for (uint64_t t = 1; t < 9500; t++) {
		int64_t w = ssp_tick(s, t);
		CHECK(w > 0 && w <= SSP_ACK_INTERVAL);
	}
	CHECK_EQ_INT(c.n, 4);
	for (int i = 1; i < 4; i++) {
		CHECK_EQ_U64(c.v[i].t, 3000 * (uint64_t)i);
		CHECK_EQ_U64(c.v[i].in.new_num, (uint64_t)i + 1);
		CHECK_EQ_U64(c.v[i].in.old_num, 0);
		CHECK_EQ_INT(c.v[i].in.diff_len, 0);
	}
	CHECK_EQ_INT(ssp_stats(s)->sent_empty, 4);
	cap_clear(&c);
	ssp_free(s);
}

TEST(data_is_acked_within_100ms_and_empty_acks_wait)
{
	static struct cap c;
	struct ssp *s = mk(&c, 8, 0);

	ssp_tick(s, 0);
	CHECK_EQ_INT(feed(s, 500, 0, 1, 1, 0, "hi"), SSP_RX_NEWEST);
	CHECK_EQ_U64(ssp_acked_num(s), 1);
	CHECK_EQ_INT(ssp_tick(s, 500), 100);
	CHECK_EQ_INT(c.n, 1);
	ssp_tick(s, 599);
	CHECK_EQ_INT(c.n, 1);
	ssp_tick(s, 600);
	CHECK_EQ_INT(c.n, 2);
	CHECK_EQ_U64(c.v[1].in.ack_num, 1);
	CHECK_EQ_U64(c.v[1].in.new_num, 2);
	CHECK_EQ_U64(c.v[1].in.throwaway_num, 1);
	/* an empty ack from the peer is not acknowledged early */
	CHECK_EQ_INT(feed(s, 700, 1, 2, 2, 0, NULL), SSP_RX_NEWEST);
	CHECK_EQ_INT(ssp_tick(s, 700), 3600 - 700);
	CHECK_EQ_INT(c.n, 2);
	cap_clear(&c);
	ssp_free(s);
}

TEST(mindelay_and_frame_interval_gate_new_content)
{
	static struct cap c;
	struct ssp *server = mk(&c, SSP_SEND_MINDELAY_SERVER, 0);

	ssp_tick(server, 0); /* empty ack at 0 */
	userstream_push_bytes(cur(server), "a", 1);
	CHECK_EQ_INT(ssp_tick(server, 100), 150); /* the frame interval (250) rules */
	userstream_push_bytes(cur(server), "b", 1);
	CHECK_EQ_INT(ssp_tick(server, 249), 1);
	ssp_tick(server, 250);
	CHECK_EQ_INT(c.n, 2);
	userstream_push_bytes(cur(server), "c", 1);
	CHECK_EQ_INT(ssp_tick(server, 1000), 8); /* SEND_MINDELAY rules */
	ssp_tick(server, 1007);
	CHECK_EQ_INT(c.n, 2);
	ssp_tick(server, 1008);
	CHECK_EQ_INT(c.n, 3);
	cap_clear(&c);
	ssp_free(server);

	struct ssp *client = mk(&c, SSP_SEND_MINDELAY_CLIENT, 0);
	ssp_tick(client, 0);
	userstream_push_bytes(cur(client), "x", 1);
	CHECK_EQ_INT(ssp_tick(client, 1000), 1);
	ssp_tick(client, 1001);
	CHECK_EQ_INT(c.n, 2);
	cap_clear(&c);
	ssp_free(client);
}

/* Forwarded bytes keep their own pace; a keystroke never waits behind them. */
TEST(background_frames_do_not_pace_keystrokes)
{
	static struct cap c;
	struct ssp *server = mk(&c, SSP_SEND_MINDELAY_SERVER, 0);
	struct chan_entry *e;

	ssp_tick(server, 0); /* empty ack at 0 */
	e = chanset_add(userstream_enable_chans(cur(server)), 1);
	e->kind = CHAN_KIND_TCP;
	chanset_write(e, "data", 4);
	CHECK_EQ_INT(ssp_tick(server, 100), 150); /* the frame interval rules */
	ssp_tick(server, 250);
	CHECK_EQ_INT(c.n, 2);
	/* Right after a background frame, a key waits only for the mindelay... */
	userstream_push_bytes(cur(server), "k", 1);
	CHECK_EQ_INT(ssp_tick(server, 260), 8);
	ssp_tick(server, 268);
	CHECK_EQ_INT(c.n, 3);
	/* ... while more background bytes wait a whole interval after the last frame. */
	chanset_write(chanset_get(userstream_chans(cur(server)), 1), "more", 4);
	CHECK_EQ_INT(ssp_tick(server, 270), 248);
	ssp_tick(server, 518);
	CHECK_EQ_INT(c.n, 4);
	/* Foreground frames still pace one another: the interval since the key's. */
	userstream_push_bytes(cur(server), "j", 1);
	CHECK_EQ_INT(ssp_tick(server, 519), 8);
	ssp_tick(server, 527);
	CHECK_EQ_INT(c.n, 5);
	userstream_push_bytes(cur(server), "l", 1);
	CHECK_EQ_INT(ssp_tick(server, 530), 247);
	cap_clear(&c);
	ssp_free(server);
}

TEST(mindelay_can_be_cut_short)
{
	static struct cap c;
	struct ssp *server = mk(&c, SSP_SEND_MINDELAY_SERVER, 0);

	ssp_tick(server, 0);
	userstream_push_bytes(cur(server), "a", 1);
	CHECK_EQ_INT(ssp_tick(server, 1000), 8);
	ssp_tick(server, 1001);
	CHECK_EQ_INT(c.n, 1);
	/* The application knows the change is complete: no more collecting. */
	ssp_set_send_mindelay(server, 0);
	ssp_tick(server, 1001);
	CHECK_EQ_INT(c.n, 2);
	/* The frame interval still rules. */
	userstream_push_bytes(cur(server), "b", 1);
	CHECK_EQ_INT(ssp_tick(server, 1002), 249);
	CHECK_EQ_INT(c.n, 2);
	cap_clear(&c);
	ssp_free(server);
}

TEST(sent_states_capped_at_32_dropping_from_the_middle)
{
	static struct cap c;
	struct ssp *s = mk(&c, 1, 0);
	uint64_t t = 0;

	ssp_set_rtt(s, 40, 1000);
	for (int i = 0; i < 40; i++) {
		userstream_push_bytes(cur(s), "k", 1);
		ssp_tick(s, t);
		ssp_tick(s, t + 1); /* SEND_MINDELAY after the change was noticed */
		CHECK(ssp_sent_count(s) <= SSP_SENT_STATES_MAX);
		t += 20;
	}
	CHECK_EQ_U64(ssp_sent_num(s), 40);
	CHECK_EQ_INT(ssp_sent_count(s), 32);
	/* kept: 0..16 and 26..40 — an ack for a culled state is ignored */
	feed(s, t, 0, 1, 20, 0, NULL);
	CHECK_EQ_U64(ssp_acked_num(s), 0);
	feed(s, t, 1, 2, 16, 0, NULL);
	CHECK_EQ_U64(ssp_acked_num(s), 16);
	CHECK_EQ_INT(ssp_sent_count(s), 16);
	feed(s, t, 2, 3, 30, 0, NULL);
	CHECK_EQ_U64(ssp_acked_num(s), 30);
	CHECK_EQ_INT(ssp_sent_count(s), 11);
	cap_clear(&c);
	ssp_free(s);
}

TEST(resend_from_acked_state_when_cheap)
{
	static struct cap c;
	struct buf k;
	struct ssp *s = mk(&c, 1, 0);
	char big[2000];

	buf_init(&k);
	userstream_push_bytes(cur(s), "a", 1);
	ssp_tick(s, 0);
	userstream_push_bytes(cur(s), "b", 1);
	ssp_tick(s, 250);
	ssp_tick(s, 251);
	CHECK_EQ_INT(c.n, 2);
	CHECK_EQ_U64(c.v[1].in.old_num, 0);
	CHECK_EQ_U64(c.v[1].in.new_num, 2);
	diff_keys(&c.v[1], &k);
	CHECK_EQ_STR((char *)k.data, "ab");
	cap_clear(&c);
	ssp_free(s);

	/* a long unacknowledged state: the short diff from the assumed state wins */
	s = mk(&c, 1, 0);
	memset(big, 'z', sizeof(big));
	userstream_push_bytes(cur(s), big, sizeof(big));
	ssp_tick(s, 0);
	userstream_push_bytes(cur(s), "b", 1);
	ssp_tick(s, 250);
	ssp_tick(s, 251);
	CHECK_EQ_INT(c.n, 2);
	CHECK_EQ_U64(c.v[1].in.old_num, 1);
	buf_clear(&k);
	diff_keys(&c.v[1], &k);
	CHECK_EQ_STR((char *)k.data, "b");
	buf_fini(&k);
	cap_clear(&c);
	ssp_free(s);
}

TEST(assumed_receiver_state_walks_recent_sends_only)
{
	static struct cap c;
	struct ssp *s = mk(&c, 1, 0);
	char big[2000];

	memset(big, 'z', sizeof(big));
	userstream_push_bytes(cur(s), big, sizeof(big)); /* long: no resend optimisation */
	ssp_tick(s, 0);
	userstream_push_bytes(cur(s), "a", 1);
	ssp_tick(s, 250);
	ssp_tick(s, 251);
	CHECK_EQ_U64(c.v[1].in.old_num, 1);
	/* both unacknowledged sends are younger than RTO + ACK_DELAY (1100) */
	userstream_push_bytes(cur(s), "b", 1);
	ssp_tick(s, 1000);
	ssp_tick(s, 1001);
	CHECK_EQ_INT(c.n, 3);
	CHECK_EQ_U64(c.v[2].in.old_num, 2);
	CHECK_EQ_U64(c.v[2].in.new_num, 3);
	/* state 1 is now too old: the walk stops there, back at the acked head */
	userstream_push_bytes(cur(s), "c", 1);
	ssp_tick(s, 1251);
	ssp_tick(s, 1252);
	CHECK_EQ_INT(c.n, 4);
	CHECK_EQ_U64(c.v[3].in.old_num, 0);
	CHECK_EQ_U64(c.v[3].in.new_num, 4);
	CHECK_EQ_U64(c.v[3].in.throwaway_num, 0);
	cap_clear(&c);
	ssp_free(s);
}

TEST(fast_retransmission_while_the_peer_is_active)
{
	static struct cap c;
	struct ssp *s = mk(&c, 1, 0);

	feed(s, 0, 0, 1, 0, 0, NULL); /* the peer is active */
	ssp_tick(s, 0);               /* empty ack 1 */
	userstream_push_bytes(cur(s), "x", 1);
	ssp_tick(s, 300);
	ssp_tick(s, 301);
	CHECK_EQ_INT(c.n, 2);
	CHECK_EQ_U64(c.v[1].in.new_num, 2);
	for (uint64_t t = 302; t < 1500; t++)
		ssp_tick(s, t);
	/*
	 * Once an unacknowledged send is older than RTO + ACK_DELAY (state 1 at
	 * 1100) the assumed receiver state falls back to the head, and the
	 * current state is resent from it every frame interval, same number.
	 */
	CHECK_EQ_INT(c.n, 4);
	CHECK_EQ_U64(c.v[2].t, 1000 + SSP_ACK_DELAY);
	CHECK_EQ_U64(c.v[3].t, 1000 + SSP_ACK_DELAY + 250);
	for (int i = 2; i < 4; i++) {
		CHECK_EQ_U64(c.v[i].in.new_num, 2);
		CHECK_EQ_U64(c.v[i].in.old_num, 0);
	}
	cap_clear(&c);
	ssp_free(s);
}

TEST(retransmission_stops_after_10s_of_silence)
{
	static struct cap c;
	struct ssp *s = mk(&c, 1, 0);
	uint64_t last = 0;
	size_t early = 0;

	feed(s, 0, 0, 1, 0, 0, NULL); /* heard from the peer at 0 */
	userstream_push_bytes(cur(s), "x", 1);
	ssp_tick(s, 0);
	for (uint64_t t = 1; t < 30000; t++)
		ssp_tick(s, t);
	for (size_t i = 1; i < c.n; i++) {
		CHECK_EQ_U64(c.v[i].in.new_num,
		             1); /* all retransmissions (no loss probe: 1.4 numbering) */
		if (c.v[i].t < 10000)
			early++;
		else
			CHECK(c.v[i].t - last >= SSP_ACK_INTERVAL);
		last = c.v[i].t;
	}
	CHECK(early >= 7); /* about every RTO + ACK_DELAY while the peer is active */
	CHECK(c.n - 1 - early <= 7);
	cap_clear(&c);
	ssp_free(s);
}

TEST(receiver_rules)
{
	static struct cap c;
	struct ssp *s = mk(&c, 8, 0);
	static const uint8_t bad[] = {0x0a, 0x06, 0x1a, 0x04, 0x28, 0x00, 0x30, 0x18};
	struct ssp_instruction in = {0, 5, 0, 0, bad, sizeof(bad), NULL, 0};

	CHECK_EQ_INT(feed(s, 10, 0, 2, 0, 0, "ab"), SSP_RX_NEWEST);
	CHECK_EQ_INT(feed(s, 11, 0, 1, 0, 0, "a"), SSP_RX_INSERTED);
	CHECK_EQ_U64(ssp_remote_num(s), 2);
	CHECK_EQ_U64(ssp_last_heard(s), 10);
	CHECK_EQ_INT(feed(s, 12, 1, 2, 0, 0, "zz"), SSP_RX_DUPLICATE);
	CHECK_EQ_INT(feed(s, 12, 7, 8, 0, 0, "zz"), SSP_RX_NO_BASE);
	CHECK_EQ_INT(feed(s, 12, 1, 9, 0, 2, "zz"), ERR_PROTO);
	CHECK_EQ_INT(ssp_receive(s, 12, &in), ERR_RANGE);
	CHECK_EQ_INT(ssp_received_count(s), 3);
	CHECK_EQ_INT(feed(s, 13, 2, 3, 0, 2, "c"), SSP_RX_NEWEST);
	CHECK_EQ_INT(ssp_received_count(s), 2); /* 0 and 1 thrown away */
	CHECK_EQ_U64(userstream_end(ssp_remote(s)), 3);
	CHECK_EQ_INT(userstream_event(ssp_remote(s), 2)->byte, 'c');
	ssp_tick(s, 200);
	CHECK_EQ_U64(c.v[c.n - 1].in.ack_num, 3);
	CHECK_EQ_INT(ssp_stats(s)->rx_bad_diff, 1);
	CHECK_EQ_INT(ssp_stats(s)->rx_bad_throwaway, 1);
	cap_clear(&c);
	ssp_free(s);
}

TEST(receiver_quenches_above_1024_states)
{
	static struct cap c;
	struct ssp *s = mk(&c, 8, 0);
	uint64_t n;

	for (n = 1; n <= 1025; n++)
		CHECK_EQ_INT(feed(s, 100, 0, n, 0, 0, "q"), SSP_RX_NEWEST);
	CHECK_EQ_INT(ssp_received_count(s), 1026);
	CHECK_EQ_INT(feed(s, 100, 0, n++, 0, 0, "q"), SSP_RX_QUENCHED);
	CHECK_EQ_INT(feed(s, 15099, 0, n++, 0, 0, "q"), SSP_RX_QUENCHED);
	CHECK_EQ_INT(feed(s, 15100, 0, n++, 0, 0, "q"), SSP_RX_NEWEST);
	CHECK_EQ_INT(feed(s, 15101, 0, n++, 0, 0, "q"), SSP_RX_QUENCHED);
	CHECK_EQ_INT(ssp_received_count(s), 1027);
	/* throwaway still shrinks the list */
	CHECK_EQ_INT(feed(s, 15102, n - 2, n, 0, n - 2, "q"), SSP_RX_NEWEST);
	CHECK_EQ_INT(ssp_received_count(s), 2);
	cap_clear(&c);
	ssp_free(s);
}

/* A state that only claims a size: its diff is the new size, 8 bytes big-endian. */
struct fake {
	uint64_t bytes;
};

static void *fake_copy(const void *st)
{
	struct fake *f = malloc(sizeof *f);

	*f = *(const struct fake *)st;
	return f;
}

static bool fake_equal(const void *a, const void *b)
{
	return ((const struct fake *)a)->bytes == ((const struct fake *)b)->bytes;
}

static void fake_diff(const void *from, const void *to, struct buf *out)
{
	uint8_t d[8];

	be64_put(d, ((const struct fake *)to)->bytes);
	buf_append(out, d, sizeof d);
}

static int fake_apply(void *st, const uint8_t *diff, size_t len)
{
	if (len != 8)
		return ERR_INVAL;
	((struct fake *)st)->bytes = be64_get(diff);
	return 0;
}

static size_t fake_size(const void *st)
{
	return (size_t)((const struct fake *)st)->bytes;
}

static const struct ssp_state_ops fake_ops = {
    .copy = fake_copy,
    .free = free,
    .equal = fake_equal,
    .diff = fake_diff,
    .apply = fake_apply,
    .size = fake_size,
};

static struct ssp *mk_fake(struct cap *c)
{
	struct fake *f = calloc(1, sizeof *f);
	struct ssp_config cfg = {
	    .local_ops = &userstream_ops,
	    .local_initial = userstream_new(),
	    .remote_ops = &fake_ops,
	    .remote_initial = f,
	    .send_mindelay = 8,
	    .send = cap_send,
	    .send_arg = c,
	    .random = fake_random,
	};
	c->n = 0;
	return ssp_new(&cfg, 0);
}

/* The peer's state new_num, diffed from old_num, claiming mib MiB. */
static int feed_size(struct ssp *s, uint64_t old_num, uint64_t new_num, uint64_t mib)
{
	uint8_t d[8];
	struct ssp_instruction in = {old_num, new_num, 0, 0, d, sizeof d, NULL, 0};

	be64_put(d, mib << 20);
	return ssp_receive(s, 100, &in);
}

TEST(receiver_bounds_received_states_by_size)
{
	static struct cap c;
	struct ssp *s = mk_fake(&c);
	uint64_t n;

	/* Small states: all kept, however many (up to the count quench). */
	for (n = 1; n <= 60; n++)
		CHECK_EQ_INT(feed_size(s, n - 1, n, 1), SSP_RX_NEWEST);
	CHECK_EQ_INT(ssp_received_count(s), 61);
	CHECK_EQ_U64(ssp_received_bytes(s), (uint64_t)60 << 20);
	/* One more 8 MiB state: the oldest give way until 64 MiB fits; the rest stay. */
	CHECK_EQ_INT(feed_size(s, n - 1, n, 8), SSP_RX_NEWEST);
	CHECK_EQ_U64(ssp_received_bytes(s), (uint64_t)64 << 20);
	CHECK_EQ_INT(ssp_received_count(s), 57);
	CHECK_EQ_INT(ssp_stats(s)->rx_evicted, 5); /* state 0 (0 bytes) and 1..4 */
	CHECK_EQ_INT(feed_size(s, 0, 100, 1), SSP_RX_NO_BASE);
	/* The hostile case: 52 MB states from 10-byte diffs, 1,024 of them. */
	for (uint64_t k = 0; k < 1024; k++, n++) {
		CHECK(feed_size(s, n, n + 1, 52) == SSP_RX_NEWEST);
		CHECK(ssp_received_bytes(s) <= SSP_RECEIVED_BYTES_MAX);
		CHECK(k == 0 || ssp_received_count(s) == 1);
	}
	CHECK_EQ_U64(ssp_remote_num(s), n);
	/* A state over the budget alone is still kept when newest: the peer's next diff applies. */
	CHECK_EQ_INT(feed_size(s, n, n + 1, 100), SSP_RX_NEWEST);
	CHECK_EQ_INT(ssp_received_count(s), 1);
	CHECK_EQ_INT(feed_size(s, n + 1, n + 3, 1), SSP_RX_NEWEST);
	CHECK_EQ_INT(ssp_received_count(s), 1);
	/* An older state that does not fit is dropped unacknowledged, the newest kept. */
	CHECK_EQ_INT(feed_size(s, n + 3, n + 5, 60), SSP_RX_NEWEST);
	CHECK_EQ_INT(ssp_received_count(s), 2);
	CHECK_EQ_INT(feed_size(s, n + 3, n + 4, 8), SSP_RX_QUENCHED);
	CHECK_EQ_INT(feed_size(s, n + 3, n + 4, 3), SSP_RX_INSERTED);
	CHECK_EQ_INT(ssp_received_count(s), 3);
	CHECK_EQ_U64(ssp_remote_num(s), n + 5);
	ssp_tick(s, 1000);
	CHECK(c.n > 0);
	CHECK_EQ_U64(c.v[c.n - 1].in.ack_num, n + 5);
	cap_clear(&c);
	ssp_free(s);
}

TEST(shutdown_gives_up_after_16_sends)
{
	static struct cap c;
	struct ssp *s = mk(&c, 1, 0);
	int shut = 0;
	uint64_t prev = 0;

	ssp_tick(s, 0);
	ssp_start_shutdown(s, 100);
	CHECK(ssp_shutdown_in_progress(s));
	for (uint64_t t = 100; t < 20000 && !ssp_shutdown_timed_out(s, t); t++)
		ssp_tick(s, t);
	for (size_t i = 1; i < c.n; i++) {
		CHECK_EQ_U64(c.v[i].in.new_num, SSP_NUM_SHUTDOWN);
		if (shut++)
			CHECK(c.v[i].t - prev >= ssp_send_interval(s));
		prev = c.v[i].t;
	}
	CHECK_EQ_INT(shut, SSP_SHUTDOWN_RETRIES);
	CHECK(!ssp_shutdown_acknowledged(s));
	cap_clear(&c);
	ssp_free(s);
}

TEST(shutdown_gives_up_after_10s_without_peer)
{
	static struct cap c;
	struct ssp *s = mk(&c, 8, 0);

	ssp_set_peer_known(s, false);
	ssp_start_shutdown(s, 50);
	CHECK_EQ_INT(ssp_tick(s, 60), -1);
	CHECK(!ssp_shutdown_timed_out(s, 10049));
	CHECK(ssp_shutdown_timed_out(s, 10050));
	CHECK_EQ_INT(c.n, 0);
	ssp_free(s);
}

/* Deliver everything captured from one side to the other, instantly. */
static void pump(struct cap *from, size_t *done, struct ssp *to, uint64_t t)
{
	for (; *done < from->n; (*done)++)
		ssp_receive(to, t, &from->v[*done].in);
}

TEST(shutdown_handshake_both_roles)
{
	static struct cap ca, cb;
	struct ssp *a = mk(&ca, 1, 0), *b = mk(&cb, 8, 0);
	size_t da = 0, db = 0;
	uint64_t t;

	userstream_push_bytes(cur(a), "bye", 3);
	for (t = 0; t < 1000; t++) {
		ssp_tick(a, t);
		pump(&ca, &da, b, t);
		ssp_tick(b, t);
		pump(&cb, &db, a, t);
	}
	ssp_start_shutdown(a, t);
	for (; t < 5000 && !ssp_shutdown_acknowledged(a); t++) {
		ssp_tick(a, t);
		pump(&ca, &da, b, t);
		ssp_tick(b, t);
		pump(&cb, &db, a, t);
	}
	CHECK(ssp_shutdown_acknowledged(a));
	CHECK(!ssp_shutdown_timed_out(a, t));
	CHECK(ssp_remote_shutdown(b));
	CHECK(ssp_counterparty_shutdown_acknowledged(b));
	CHECK(!ssp_counterparty_shutdown_acknowledged(a));
	CHECK_EQ_U64(userstream_end(ssp_remote(b)), 3);
	CHECK(t < 1000 + 2 * 250 + 10);
	cap_clear(&ca);
	cap_clear(&cb);
	ssp_free(a);
	ssp_free(b);
}

/* A borrowed live state: the first frame is the whole of it (from the blank
 * state 0 given), and SSP neither copies it as current nor frees it. */
TEST(borrowed_live_state_starts_from_blank)
{
	struct userstream *live = userstream_new();
	struct ssp_config cfg = {
	    .local_ops = &userstream_ops,
	    .local_initial = userstream_new(),
	    .local_live = live,
	    .remote_ops = &userstream_ops,
	    .remote_initial = userstream_new(),
	    .send_mindelay = 0,
	    .send = cap_send,
	    .random = fake_random,
	};
	struct cap *c = calloc(1, sizeof *c);
	struct ssp *s;
	struct buf keys;

	userstream_push_bytes(live, "typed before the link", 21);
	cfg.send_arg = c;
	s = ssp_new(&cfg, 1000);
	CHECK(ssp_current(s) == live);
	ssp_tick(s, 1000);
	CHECK_EQ_U64(c->n, 1);
	CHECK_EQ_U64(c->v[0].in.old_num, 0);
	buf_init(&keys);
	diff_keys(&c->v[0], &keys);
	CHECK_EQ_STR((const char *)keys.data, "typed before the link");
	buf_fini(&keys);
	userstream_push_bytes(live, "!", 1);
	ssp_tick(s, 1300);
	CHECK_EQ_U64(c->n, 2);
	ssp_free(s);
	/* Still ours: usable after SSP is gone. */
	CHECK_EQ_U64(userstream_end(live), 22);
	userstream_free(live);
	cap_clear(c);
	free(c);
}

/*
 * Two ends joined by a scripted link for the loss signal: each direction
 * delivers in order after a fixed delay, except that instructions whose
 * new_num lies in [drop_lo, drop_hi] are lost and those sent during
 * [stall_from, stall_until) arrive only once the stall ends (the first
 * stall_keep of them; the rest are lost).
 */
struct path {
	struct cap *from;
	size_t next;
	struct ssp *to;
	uint64_t delay;
	uint64_t drop_lo, drop_hi;
	uint64_t stall_from, stall_until;
	size_t stall_keep, stalled;
	uint64_t acks[MAXCAP]; /* ack_num of what arrived, in order */
	size_t nacks;
};

static uint64_t path_arrival(const struct path *p, const struct sent *s)
{
	uint64_t at = s->t + p->delay;

	if (s->t >= p->stall_from && s->t < p->stall_until && at < p->stall_until + p->delay)
		at = p->stall_until + p->delay;
	return at;
}

static void path_deliver(struct path *p, uint64_t now)
{
	for (; p->next < p->from->n; p->next++) {
		const struct sent *s = &p->from->v[p->next];

		if (path_arrival(p, s) > now)
			break;
		if (s->in.new_num >= p->drop_lo && s->in.new_num <= p->drop_hi)
			continue;
		if (s->t >= p->stall_from && s->t < p->stall_until && p->stalled++ >= p->stall_keep)
			continue;
		p->acks[p->nacks++] = s->in.ack_num;
		ssp_receive(p->to, now, &s->in);
	}
}

/* The sender a and its peer b, which only acknowledges. */
struct pair {
	struct cap ca, cb;
	struct ssp *a, *b;
	struct path ab, ba;
};

static void pair_init(struct pair *p)
{
	p->a = mk(&p->ca, SSP_SEND_MINDELAY_CLIENT, 0);
	p->b = mk(&p->cb, SSP_SEND_MINDELAY_SERVER, 0);
	/* SRTT 100 ms: a frame every 50 ms; states expire after 300 ms. */
	ssp_set_rtt(p->a, 100, 200);
	ssp_set_rtt(p->b, 100, 200);
	ssp_set_loss_probe(p->a, true);
	ssp_set_loss_probe(p->b, true);
	p->ab = (struct path){.from = &p->ca,
	                      .to = p->b,
	                      .delay = 20,
	                      .drop_lo = SSP_NEVER,
	                      .stall_from = SSP_NEVER,
	                      .stall_keep = SIZE_MAX};
	p->ba = (struct path){.from = &p->cb,
	                      .to = p->a,
	                      .delay = 20,
	                      .drop_lo = SSP_NEVER,
	                      .stall_from = SSP_NEVER,
	                      .stall_keep = SIZE_MAX};
}

/* Run [from, end) ms, a typing `chunk` bytes every 10 ms: a diff spanning a
 * few frames is then too long for the resend optimisation (as channel data
 * is), so a lost state is repaired only by the timeout. */
static void pair_run(struct pair *p, uint64_t from, uint64_t end, size_t chunk)
{
	static char bytes[1000];

	memset(bytes, 'k', sizeof bytes);
	for (uint64_t t = from; t < end; t++) {
		if (t % 10 == 0 && chunk > 0)
			userstream_push_bytes(cur(p->a), bytes, chunk);
		path_deliver(&p->ab, t);
		path_deliver(&p->ba, t);
		ssp_tick(p->a, t);
		ssp_tick(p->b, t);
	}
}

/* Everything typed arrived, and both ends agree. */
static void pair_check_synced(struct pair *p, uint64_t t)
{
	pair_run(p, t, t + 2000, 0);
	CHECK(userstream_equal(ssp_remote(p->b), ssp_current(p->a)));
	CHECK_EQ_U64(ssp_acked_num(p->a), ssp_sent_num(p->a));
}

/* Instructions a sent from a base older than the state just before. */
static size_t pair_resends(const struct pair *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->ca.n; i++)
		n +=
		    p->ca.v[i].in.diff_len > 0 && p->ca.v[i].in.old_num + 1 < p->ca.v[i].in.new_num;
	return n;
}

static void pair_fini(struct pair *p)
{
	cap_clear(&p->ca);
	cap_clear(&p->cb);
	ssp_free(p->a);
	ssp_free(p->b);
}

TEST(loss_dropped_state_counts_once_resend_acked)
{
	static struct pair p;

	pair_init(&p);
	p.ab.drop_lo = p.ab.drop_hi = 20;
	pair_run(&p, 0, 3000, 300);
	CHECK_EQ_U64(ssp_stats(p.a)->timeouts, 1);
	CHECK_EQ_U64(ssp_stats(p.a)->losses, 1);
	pair_check_synced(&p, 3000);
	CHECK_EQ_U64(ssp_stats(p.b)->timeouts, 0);
	CHECK_EQ_U64(ssp_stats(p.b)->losses, 0);
	pair_fini(&p);
}

/* The first resend: its base (the acknowledged head) and number; the states
 * numbered in between are the ones that expired. */
static bool pair_first_resend(const struct pair *p, uint64_t *head, uint64_t *num)
{
	for (size_t i = 0; i < p->ca.n; i++) {
		const struct ssp_instruction *in = &p->ca.v[i].in;

		if (in->diff_len > 0 && in->old_num + 1 < in->new_num) {
			*head = in->old_num;
			*num = in->new_num;
			return true;
		}
	}
	return false;
}

/* Whether a heard, after the resend went out, an ack in [lo, hi). */
static bool pair_acked_between(const struct pair *p, uint64_t lo, uint64_t hi)
{
	for (size_t i = 0; i < p->ba.nacks; i++)
		if (p->ba.acks[i] >= lo && p->ba.acks[i] < hi)
			return true;
	return false;
}

/* The peer holds every state in time but its acks are held for 400 ms, past
 * the RTO: the sender resends, then hears acks of the expired states. */
TEST(loss_late_acks_are_no_loss)
{
	static struct pair p;
	uint64_t head, resend;

	pair_init(&p);
	p.ba.stall_from = 1000;
	p.ba.stall_until = 1400;
	pair_run(&p, 0, 3000, 300);
	CHECK(pair_first_resend(&p, &head, &resend));
	CHECK(pair_acked_between(&p, head + 1, resend));
	CHECK_EQ_U64(ssp_stats(p.a)->timeouts, 1);
	CHECK_EQ_U64(ssp_stats(p.a)->losses, 0);
	pair_check_synced(&p, 3000);
	pair_fini(&p);
}

/* As above, but only the first held ack survives: it names an older expired
 * state, not the newest, and the next ack heard names a state past the
 * resend. Any expired state acknowledged shows they were only late. */
TEST(loss_ack_of_an_older_expired_state_is_no_loss)
{
	static struct pair p;
	uint64_t head, resend;

	pair_init(&p);
	p.ba.stall_from = 1000;
	p.ba.stall_until = 1230;
	p.ba.stall_keep = 1;
	pair_run(&p, 0, 3000, 300);
	CHECK(pair_first_resend(&p, &head, &resend));
	CHECK(pair_acked_between(&p, head + 1, resend - 1));
	CHECK(!pair_acked_between(&p, resend - 1, resend));
	CHECK_EQ_U64(ssp_stats(p.a)->timeouts, 1);
	CHECK_EQ_U64(ssp_stats(p.a)->losses, 0);
	pair_check_synced(&p, 3000);
	pair_fini(&p);
}

/* Three separate losses: one count each, although each episode resends from
 * the acknowledged head every frame until the peer's ack comes back. */
TEST(loss_counts_once_per_episode)
{
	static struct pair p;

	pair_init(&p);
	for (uint64_t t = 0; t < 7500; t += 2500) {
		p.ab.drop_lo = p.ab.drop_hi = ssp_sent_num(p.a) + 10;
		pair_run(&p, t, t + 2500, 300);
	}
	CHECK(pair_resends(&p) > 3);
	CHECK_EQ_U64(ssp_stats(p.a)->timeouts, 3);
	CHECK_EQ_U64(ssp_stats(p.a)->losses, 3);
	pair_check_synced(&p, 7500);
	pair_fini(&p);
}

/* A state lost, then the frames after it and the first resends too: still
 * one episode, one loss. */
TEST(loss_lost_resends_stay_one_episode)
{
	static struct pair p;
	uint64_t head, resend;

	pair_init(&p);
	p.ab.drop_lo = 20;
	p.ab.drop_hi = 32;
	pair_run(&p, 0, 3000, 300);
	CHECK(pair_first_resend(&p, &head, &resend));
	CHECK(resend <= p.ab.drop_hi);
	CHECK(pair_resends(&p) > 3);
	CHECK_EQ_U64(ssp_stats(p.a)->timeouts, 1);
	CHECK_EQ_U64(ssp_stats(p.a)->losses, 1);
	pair_check_synced(&p, 3000);
	pair_fini(&p);
}

/* A sender held back (by a window, or a user who stopped typing) changes
 * nothing after its frame: the resend is of the same state, under a fresh
 * number, and its ack still tells a loss from a late frame. */
TEST(loss_of_an_unchanged_state_is_counted)
{
	static struct pair p;
	bool fresh = false;

	pair_init(&p);
	pair_run(&p, 0, 1000, 0);
	userstream_push_bytes(cur(p.a), "held", 4);
	p.ab.drop_lo = p.ab.drop_hi = ssp_sent_num(p.a) + 1;
	pair_run(&p, 1000, 3000, 0);
	for (size_t i = 0; i < p.ca.n; i++)
		fresh |= p.ca.v[i].in.new_num == p.ab.drop_hi + 1 && p.ca.v[i].in.diff_len > 0;
	CHECK(fresh);
	CHECK_EQ_U64(ssp_stats(p.a)->timeouts, 1);
	CHECK_EQ_U64(ssp_stats(p.a)->losses, 1);
	pair_check_synced(&p, 3000);
	pair_fini(&p);
}

/* Without the probe (a mosh 1.4 peer), resends keep mosh 1.4's numbering. */
TEST(unchanged_resends_keep_their_number_without_the_probe)
{
	static struct pair p;
	bool fresh = false;

	pair_init(&p);
	ssp_set_loss_probe(p.a, false);
	pair_run(&p, 0, 1000, 0);
	userstream_push_bytes(cur(p.a), "held", 4);
	p.ab.drop_lo = p.ab.drop_hi = ssp_sent_num(p.a) + 1;
	pair_run(&p, 1000, 3000, 0);
	for (size_t i = 0; i < p.ca.n; i++)
		fresh |= p.ca.v[i].in.new_num == p.ab.drop_hi + 1 && p.ca.v[i].in.diff_len > 0;
	CHECK(!fresh);
	CHECK_EQ_U64(ssp_stats(p.a)->timeouts, 1);
	pair_fini(&p);
}

TEST(late_unchanged_state_is_no_loss)
{
	static struct pair p;

	pair_init(&p);
	pair_run(&p, 0, 1000, 0);
	userstream_push_bytes(cur(p.a), "held", 4);
	/* The frame arrives, but its ack is held past the RTO. */
	p.ba.stall_from = 1000;
	p.ba.stall_until = 1400;
	pair_run(&p, 1000, 3000, 0);
	CHECK_EQ_U64(ssp_stats(p.a)->timeouts, 1);
	CHECK_EQ_U64(ssp_stats(p.a)->losses, 0);
	pair_check_synced(&p, 3000);
	pair_fini(&p);
}

/* The first keystroke after an idle spell: the sender's last empty ack went
 * unacknowledged past the RTO (the peer acks those at leisure), which is
 * neither a timeout nor a loss. */
TEST(loss_typing_after_idle_counts_nothing)
{
	static struct pair p;

	pair_init(&p);
	pair_run(&p, 0, 1000, 0);
	userstream_push_bytes(cur(p.a), "k", 1);
	pair_run(&p, 1000, 3000, 0);
	CHECK_EQ_U64(ssp_stats(p.a)->timeouts, 0);
	CHECK_EQ_U64(ssp_stats(p.a)->losses, 0);
	pair_check_synced(&p, 3000);
	pair_fini(&p);
}

TEST(loss_clean_exchange_counts_nothing)
{
	static struct pair p;

	pair_init(&p);
	for (uint64_t t = 0; t < 10000; t += 100) {
		userstream_push_bytes(cur(p.b), "out", 3);
		pair_run(&p, t, t + 100, 300);
	}
	CHECK(ssp_stats(p.a)->sent > 150);
	CHECK_EQ_U64(ssp_stats(p.a)->timeouts, 0);
	CHECK_EQ_U64(ssp_stats(p.a)->losses, 0);
	CHECK_EQ_U64(ssp_stats(p.b)->timeouts, 0);
	CHECK_EQ_U64(ssp_stats(p.b)->losses, 0);
	pair_check_synced(&p, 10000);
	pair_fini(&p);
}

int main(void)
{
	RUN(first_tick_sends_at_once);
	RUN(frame_interval_clamps);
	RUN(heartbeats_every_3s_with_new_numbers);
	RUN(data_is_acked_within_100ms_and_empty_acks_wait);
	RUN(mindelay_and_frame_interval_gate_new_content);
	RUN(background_frames_do_not_pace_keystrokes);
	RUN(mindelay_can_be_cut_short);
	RUN(sent_states_capped_at_32_dropping_from_the_middle);
	RUN(resend_from_acked_state_when_cheap);
	RUN(assumed_receiver_state_walks_recent_sends_only);
	RUN(fast_retransmission_while_the_peer_is_active);
	RUN(retransmission_stops_after_10s_of_silence);
	RUN(receiver_rules);
	RUN(receiver_quenches_above_1024_states);
	RUN(receiver_bounds_received_states_by_size);
	RUN(shutdown_gives_up_after_16_sends);
	RUN(shutdown_gives_up_after_10s_without_peer);
	RUN(shutdown_handshake_both_roles);
	RUN(borrowed_live_state_starts_from_blank);
	RUN(loss_dropped_state_counts_once_resend_acked);
	RUN(loss_late_acks_are_no_loss);
	RUN(loss_ack_of_an_older_expired_state_is_no_loss);
	RUN(loss_counts_once_per_episode);
	RUN(loss_lost_resends_stay_one_episode);
	RUN(loss_of_an_unchanged_state_is_counted);
	RUN(unchanged_resends_keep_their_number_without_the_probe);
	RUN(late_unchanged_state_is_no_loss);
	RUN(loss_typing_after_idle_counts_nothing);
	RUN(loss_clean_exchange_counts_nothing);
	return test_done();
}
