/*
 * The channel core (chan/chan.h, chan/chanset.h) between two ends joined by
 * a model of SSP: each end sends the diff from the state the peer last
 * acknowledged to its current one, through the wire encoding; frames can be
 * lost. Covers opening, answers, both streams, half-close, resets, flow
 * control and the receiver's checks.
 */
#include <stdlib.h>
#include <string.h>

#include "chan/chan.h"
#include "chan/chanset.h"
#include "net/msg.h"
#include "util/buf.h"
#include "util/err.h"

#include "../test.h"

struct end {
	struct chanset *local;  /* what this end sends */
	struct chanset *acked;  /* the copy of local the peer acknowledged */
	struct chanset *remote; /* the peer's part as received */
	struct chan *chan;
	bool client;
};

static void end_init(struct end *e, bool client)
{
	e->local = chanset_new();
	e->acked = chanset_new();
	e->remote = chanset_new();
	e->client = client;
	e->chan = chan_new(e->local, client);
}

static void end_fini(struct end *e)
{
	chan_free(e->chan);
	chanset_free(e->local);
	chanset_free(e->acked);
	chanset_free(e->remote);
}

/* One frame from a to b; lost frames change nothing. Returns the diff size. */
static size_t frame(struct end *a, struct end *b, bool lost)
{
	struct buf d;
	size_t len;

	buf_init(&d);
	chanset_diff(a->acked, a->local, &d);
	len = d.len;
	if (!lost && d.len > 0) {
		CHECK_EQ_INT(chanset_apply(b->remote, d.data, d.len, a->client), 0);
		/* b acknowledges at once (its next frame carries the ack). */
		chanset_free(a->acked);
		a->acked = chanset_copy(a->local);
		chanset_subtract(a->local, a->acked);
	}
	buf_fini(&d);
	chan_sync(b->chan, b->remote, b->acked);
	chan_sync(a->chan, a->remote, a->acked);
	return len;
}

static void exchange(struct end *c, struct end *s)
{
	frame(c, s, false);
	frame(s, c, false);
}

TEST(open_accept_transfer_close)
{
	struct end c, s;
	struct chan_status st;
	const uint8_t *p;
	uint32_t id, in;
	size_t n;

	end_init(&c, true);
	end_init(&s, false);
	id = chan_open(c.chan, CHAN_KIND_TCP, "localhost:80");
	CHECK_EQ_INT(id, 1);
	CHECK(chan_status(c.chan, id, &st) && st.state == CHAN_OPENING && st.room > 0);
	chan_send(c.chan, id, "GET /", 5);
	exchange(&c, &s);
	in = chan_next_incoming(s.chan);
	CHECK_EQ_INT(in, 1);
	CHECK(chan_status(s.chan, in, &st) && st.kind == CHAN_KIND_TCP);
	CHECK_EQ_STR(st.target, "localhost:80");
	/* Nothing is delivered before the answer. */
	CHECK_EQ_INT(chan_peek(s.chan, in, &p), 0);
	chan_accept(s.chan, in);
	n = chan_peek(s.chan, in, &p);
	CHECK_EQ_INT(n, 5);
	CHECK_EQ_MEM(p, "GET /", 5);
	chan_delivered(s.chan, in, n);
	chan_send(s.chan, in, "200 OK", 6);
	chan_finish(s.chan, in);
	exchange(&c, &s);
	CHECK(chan_status(c.chan, id, &st) && st.state == CHAN_OPEN);
	n = chan_peek(c.chan, id, &p);
	CHECK_EQ_INT(n, 6);
	CHECK_EQ_MEM(p, "200 OK", 6);
	chan_delivered(c.chan, id, n);
	CHECK(chan_status(c.chan, id, &st) && st.eof && st.state == CHAN_OPEN);
	chan_finish(c.chan, id);
	for (int i = 0; i < 4; i++)
		exchange(&c, &s);
	CHECK(chan_status(c.chan, id, &st) && st.state == CHAN_CLOSED && !st.reset);
	CHECK(chan_status(s.chan, in, &st) && st.state == CHAN_CLOSED && !st.reset);
	chan_forget(c.chan, id);
	chan_forget(s.chan, in);
	for (int i = 0; i < 4; i++)
		exchange(&c, &s);
	CHECK_EQ_INT(chan_count(c.chan), 0);
	CHECK_EQ_INT(chan_count(s.chan), 0);
	CHECK_EQ_INT(chanset_count(c.local), 0);
	CHECK_EQ_INT(chanset_count(s.local), 0);
	CHECK_EQ_INT(chanset_count(c.remote), 0);
	CHECK_EQ_INT(chanset_count(s.remote), 0);
	CHECK_EQ_U64(chan_stats(c.chan)->finished, 1);
	CHECK_EQ_U64(chan_stats(s.chan)->finished, 1);
	/* Ids are never reused. */
	CHECK_EQ_INT(chan_open(c.chan, CHAN_KIND_TCP, "x:1"), 3);
	end_fini(&c);
	end_fini(&s);
}

TEST(refusal_reaches_the_opener)
{
	struct end c, s;
	struct chan_status st;
	uint32_t id;

	end_init(&c, true);
	end_init(&s, false);
	/* The server opens (an -R connection); the client refuses it. */
	id = chan_open(s.chan, CHAN_KIND_TCP, "7");
	CHECK_EQ_INT(id, 2);
	exchange(&s, &c);
	CHECK_EQ_INT(chan_next_incoming(c.chan), 2);
	chan_refuse(c.chan, 2, "not requested");
	CHECK_EQ_INT(chan_next_incoming(c.chan), 0);
	for (int i = 0; i < 3; i++)
		exchange(&c, &s);
	CHECK(chan_status(s.chan, id, &st) && st.state == CHAN_CLOSED && st.reset);
	CHECK_EQ_STR(st.reason, "not requested");
	chan_forget(s.chan, id);
	for (int i = 0; i < 3; i++)
		exchange(&c, &s);
	CHECK_EQ_INT(chan_count(c.chan) + chan_count(s.chan), 0);
	CHECK_EQ_INT(chanset_count(c.local) + chanset_count(s.local), 0);
	end_fini(&c);
	end_fini(&s);
}

TEST(abort_is_a_reset_for_the_peer)
{
	struct end c, s;
	struct chan_status st;
	uint32_t id;

	end_init(&c, true);
	end_init(&s, false);
	id = chan_open(c.chan, CHAN_KIND_TCP, "h:1");
	exchange(&c, &s);
	chan_accept(s.chan, id);
	chan_send(s.chan, id, "partial", 7);
	exchange(&s, &c);
	chan_abort(c.chan, id);
	CHECK(!chan_status(c.chan, id, &st));
	exchange(&c, &s);
	CHECK(chan_status(s.chan, id, &st) && st.state == CHAN_CLOSED && st.reset);
	chan_forget(s.chan, id);
	exchange(&c, &s);
	CHECK_EQ_INT(chan_count(s.chan) + chanset_count(s.local) + chanset_count(c.remote), 0);
	end_fini(&c);
	end_fini(&s);
}

/* The answering side gives up before the opener saw its answer: the opener
 * must still get to the end (an end of file), never wait for ever. */
TEST(answerer_abort_before_its_answer_was_seen)
{
	struct end c, s;
	struct chan_status st;
	uint32_t id;

	end_init(&c, true);
	end_init(&s, false);
	id = chan_open(c.chan, CHAN_KIND_TCP, "h:1");
	chan_send(c.chan, id, "request", 7);
	exchange(&c, &s);
	chan_accept(s.chan, id);
	chan_abort(s.chan, id);
	CHECK(chan_status(s.chan, id, &st) && st.state == CHAN_CLOSED && st.reset);
	exchange(&s, &c);
	CHECK(chan_status(c.chan, id, &st) && st.state == CHAN_OPEN && st.eof);
	chan_send(c.chan, id, "more", 4);
	chan_finish(c.chan, id);
	for (int i = 0; i < 6; i++)
		exchange(&c, &s);
	CHECK(chan_status(c.chan, id, &st) && st.state == CHAN_CLOSED);
	chan_forget(c.chan, id);
	for (int i = 0; i < 6; i++)
		exchange(&c, &s);
	CHECK_EQ_INT(chan_count(c.chan) + chan_count(s.chan), 0);
	CHECK_EQ_INT(chanset_count(c.local) + chanset_count(s.local), 0);
	end_fini(&c);
	end_fini(&s);
}

/* A deterministic byte stream. */
static uint8_t pattern(uint64_t i)
{
	return (uint8_t)((i * 2654435761u) >> 13);
}

TEST(window_bounds_a_slow_consumer)
{
	struct end c, s;
	struct chan_status st;
	uint8_t chunk[4096];
	uint64_t sent = 0;
	uint32_t id;

	end_init(&c, true);
	end_init(&s, false);
	id = chan_open(c.chan, CHAN_KIND_TCP, "h:1");
	exchange(&c, &s);
	chan_accept(s.chan, id);
	exchange(&s, &c);
	/* The server never delivers: the client stops at the window. */
	for (int round = 0; round < 200; round++) {
		while (chan_status(c.chan, id, &st) && st.room > 0) {
			size_t n = st.room < sizeof chunk ? st.room : sizeof chunk;

			for (size_t i = 0; i < n; i++)
				chunk[i] = pattern(sent + i);
			chan_send(c.chan, id, chunk, n);
			sent += n;
		}
		exchange(&c, &s);
	}
	CHECK_EQ_U64(sent, CHAN_WINDOW);
	/* Delivering half reopens the window by as much. */
	chan_delivered(s.chan, id, CHAN_WINDOW / 2);
	exchange(&s, &c);
	CHECK(chan_status(c.chan, id, &st));
	CHECK_EQ_U64(st.room,
	             CHAN_WINDOW / 2 < CHAN_IN_FLIGHT_MAX ? CHAN_WINDOW / 2 : CHAN_IN_FLIGHT_MAX);
	end_fini(&c);
	end_fini(&s);
}

/* Both directions at once over a link that loses a third of the frames. */
TEST(in_flight_window_follows_loss)
{
	struct end c, s;
	struct chan_status st;
	static uint8_t chunk[CHAN_WINDOW];
	uint32_t id;

	end_init(&c, true);
	end_init(&s, false);
	id = chan_open(c.chan, CHAN_KIND_TCP, "h:1");
	exchange(&c, &s);
	chan_accept(s.chan, id);
	exchange(&s, &c);
	CHECK(chan_status(c.chan, id, &st));
	CHECK_EQ_U64(st.room, CHAN_IN_FLIGHT_START);
	/* Each acknowledgement grows the window by what it covered. */
	chan_send(c.chan, id, chunk, st.room);
	exchange(&c, &s);
	chan_delivered(s.chan, id, CHAN_IN_FLIGHT_START);
	exchange(&s, &c);
	CHECK_EQ_U64(chan_in_flight_max(c.chan), 2 * CHAN_IN_FLIGHT_START);
	CHECK(chan_status(c.chan, id, &st));
	CHECK_EQ_U64(st.room, 2 * CHAN_IN_FLIGHT_START);
	/* A loss halves it, down to the minimum. */
	chan_loss(c.chan);
	CHECK(chan_status(c.chan, id, &st));
	CHECK_EQ_U64(st.room, CHAN_IN_FLIGHT_START);
	for (int i = 0; i < 10; i++)
		chan_loss(c.chan);
	CHECK_EQ_U64(chan_in_flight_max(c.chan), CHAN_IN_FLIGHT_MIN);
	/* Agent channels are not held by it. */
	id = chan_open(c.chan, CHAN_KIND_AGENT, NULL);
	CHECK(chan_status(c.chan, id, &st));
	CHECK_EQ_U64(st.room, CHAN_WINDOW);
	end_fini(&c);
	end_fini(&s);
}

TEST(lossy_transfer_is_exact)
{
	struct end c, s;
	struct chan_status st;
	uint8_t chunk[8192];
	const uint64_t total = 3 << 20;
	uint64_t sent[2] = {0, 0}, got[2] = {0, 0};
	uint32_t id;
	unsigned seed = 7;
	int rounds = 0;

	end_init(&c, true);
	end_init(&s, false);
	id = chan_open(c.chan, CHAN_KIND_TCP, "h:1");
	exchange(&c, &s);
	chan_accept(s.chan, id);
	while ((got[0] < total || got[1] < total) && rounds++ < 20000) {
		struct end *ends[2] = {&c, &s};

		for (int k = 0; k < 2; k++) {
			struct end *e = ends[k];
			const uint8_t *p;
			size_t n;

			while (sent[k] < total && chan_status(e->chan, id, &st) && st.room > 0) {
				n = st.room < sizeof chunk ? st.room : sizeof chunk;
				if (n > total - sent[k])
					n = (size_t)(total - sent[k]);
				for (size_t i = 0; i < n; i++)
					chunk[i] = pattern(sent[k] + i + (uint64_t)k * 977);
				chan_send(e->chan, id, chunk, n);
				sent[k] += n;
			}
			if (sent[k] == total)
				chan_finish(e->chan, id);
			/* Deliver in odd-sized pieces. */
			while ((n = chan_peek(e->chan, id, &p)) > 0) {
				if (n > 1000 + (size_t)(rand_r(&seed) % 5000))
					n = 1000;
				for (size_t i = 0; i < n; i++)
					if (p[i] != pattern(got[k] + i + (uint64_t)(1 - k) * 977))
						TEST_FAIL("byte %" PRIu64 " differs", got[k] + i);
				chan_delivered(e->chan, id, n);
				got[k] += n;
			}
		}
		frame(&c, &s, rand_r(&seed) % 3 == 0);
		frame(&s, &c, rand_r(&seed) % 3 == 0);
	}
	CHECK_EQ_U64(got[0], total);
	CHECK_EQ_U64(got[1], total);
	for (int i = 0; i < 50; i++)
		exchange(&c, &s);
	CHECK(chan_status(c.chan, id, &st) && st.state == CHAN_CLOSED && !st.reset && st.eof);
	CHECK(chan_status(s.chan, id, &st) && st.state == CHAN_CLOSED && !st.reset && st.eof);
	end_fini(&c);
	end_fini(&s);
}

/* Encode one Channel message and apply it. */
static int apply_one(struct chanset *s, const struct msg_chan *m, bool from_client)
{
	struct msg_chans ms = {.chans = (struct msg_chan *)m, .n_chans = 1};
	struct buf b;
	int rc;

	buf_init(&b);
	msg_chans_encode(&ms, &b);
	rc = chanset_apply(s, b.data, b.len, from_client);
	buf_fini(&b);
	return rc;
}

TEST(receiver_checks)
{
	struct chanset *s = chanset_new();
	struct msg_chan m;

	/* A client may open odd ids only, and never one twice. */
	m = (struct msg_chan){.id = 2, .kind = CHAN_KIND_TCP};
	CHECK_EQ_INT(apply_one(s, &m, true), ERR_PROTO);
	m = (struct msg_chan){.id = 3, .kind = CHAN_KIND_TCP};
	CHECK_EQ_INT(apply_one(s, &m, true), 0);
	m = (struct msg_chan){.id = 3, .gone = true};
	CHECK_EQ_INT(apply_one(s, &m, true), 0);
	m = (struct msg_chan){.id = 3, .kind = CHAN_KIND_TCP};
	CHECK_EQ_INT(apply_one(s, &m, true), ERR_PROTO);
	m = (struct msg_chan){.id = 1, .kind = CHAN_KIND_TCP};
	CHECK_EQ_INT(apply_one(s, &m, true), ERR_PROTO);
	/* An entry without kind or reply is not an opening. */
	m = (struct msg_chan){.id = 5, .has_consumed = true, .consumed = 1};
	CHECK_EQ_INT(apply_one(s, &m, true), ERR_PROTO);
	/* Unknown kinds, unprintable text. */
	m = (struct msg_chan){.id = 5, .kind = 9};
	CHECK_EQ_INT(apply_one(s, &m, true), ERR_INVAL);
	m = (struct msg_chan){.id = 5,
	                      .kind = 2,
	                      .has_target = true,
	                      .target = (const uint8_t *)"a\033b",
	                      .target_len = 3};
	CHECK_EQ_INT(apply_one(s, &m, true), ERR_INVAL);
	m = (struct msg_chan){.id = 5, .kind = 2};
	CHECK_EQ_INT(apply_one(s, &m, true), 0);
	/* Data must continue where the entry ends. */
	m = (struct msg_chan){
	    .id = 5, .has_data = true, .offset = 1, .data = (const uint8_t *)"x", .data_len = 1};
	CHECK_EQ_INT(apply_one(s, &m, true), ERR_PROTO);
	m.offset = 0;
	CHECK_EQ_INT(apply_one(s, &m, true), 0);
	m = (struct msg_chan){.id = 5, .fin = true};
	CHECK_EQ_INT(apply_one(s, &m, true), 0);
	m = (struct msg_chan){
	    .id = 5, .has_data = true, .offset = 1, .data = (const uint8_t *)"y", .data_len = 1};
	CHECK_EQ_INT(apply_one(s, &m, true), ERR_PROTO);
	/* consumed never goes back. */
	m = (struct msg_chan){.id = 5, .has_consumed = true, .consumed = 10};
	CHECK_EQ_INT(apply_one(s, &m, true), 0);
	m.consumed = 9;
	CHECK_EQ_INT(apply_one(s, &m, true), ERR_PROTO);
	CHECK_EQ_INT(chanset_count(s), 1);
	CHECK_EQ_U64(chanset_find(s, 5)->end, 1);
	/* At most CHAN_MAX entries. */
	for (uint32_t id = 7; id < 7 + 2 * (CHAN_MAX - 1); id += 2) {
		m = (struct msg_chan){.id = id, .kind = CHAN_KIND_TCP};
		CHECK_EQ_INT(apply_one(s, &m, true), 0);
	}
	m = (struct msg_chan){.id = 1001, .kind = CHAN_KIND_TCP};
	CHECK_EQ_INT(apply_one(s, &m, true), ERR_RANGE);
	chanset_free(s);
}

TEST(received_log_is_bounded)
{
	struct chanset *s = chanset_new();
	static uint8_t big[CHAN_LOG_HELD_MAX + 1];
	struct msg_chan m = {.id = 1, .kind = CHAN_KIND_TCP};

	CHECK_EQ_INT(apply_one(s, &m, true), 0);
	m = (struct msg_chan){.id = 1, .has_data = true, .data = big, .data_len = sizeof big};
	CHECK_EQ_INT(apply_one(s, &m, true), ERR_RANGE);
	m.data_len = CHAN_LOG_HELD_MAX;
	CHECK_EQ_INT(apply_one(s, &m, true), 0);
	/* Once delivered, the consumer's release makes room again. */
	chanset_release(chanset_get(s, 1), CHAN_LOG_HELD_MAX);
	m.offset = CHAN_LOG_HELD_MAX;
	CHECK_EQ_INT(apply_one(s, &m, true), 0);
	chanset_free(s);
}

/* A diff applied to an older state (SSP's receiver may hold several). */
TEST(diff_onto_an_older_state)
{
	struct chanset *a = chanset_new(), *old, *mid, *rx0, *rx1, *rx2;
	struct chan_entry *e = chanset_add(a, 1);
	struct buf d;
	const uint8_t *p;

	e->kind = CHAN_KIND_TCP;
	chanset_write(e, "hello", 5);
	old = chanset_copy(a);
	chanset_write(chanset_get(a, 1), " world", 6);
	mid = chanset_copy(a);
	chanset_write(chanset_get(a, 1), "!", 1);
	rx0 = chanset_new();
	buf_init(&d);
	chanset_diff(NULL, old, &d);
	CHECK_EQ_INT(chanset_apply(rx0, d.data, d.len, true), 0);
	rx1 = chanset_copy(rx0);
	buf_clear(&d);
	chanset_diff(old, mid, &d);
	CHECK_EQ_INT(chanset_apply(rx1, d.data, d.len, true), 0);
	/* The newest diff comes based on old again. */
	rx2 = chanset_copy(rx0);
	buf_clear(&d);
	chanset_diff(old, a, &d);
	CHECK_EQ_INT(chanset_apply(rx2, d.data, d.len, true), 0);
	CHECK_EQ_INT(chanset_read(chanset_get(rx2, 1), 0, &p), 12);
	CHECK_EQ_MEM(p, "hello world!", 12);
	CHECK_EQ_INT(chanset_read(chanset_get(rx1, 1), 0, &p), 11);
	CHECK(chanset_equal(rx2, a));
	buf_fini(&d);
	chanset_free(a);
	chanset_free(old);
	chanset_free(mid);
	chanset_free(rx0);
	chanset_free(rx1);
	chanset_free(rx2);
}

TEST(incoming_over_the_limit_is_refused)
{
	struct end c, s;
	struct chan_status st;
	uint32_t last = 0;

	end_init(&c, true);
	end_init(&s, false);
	for (int i = 0; i < CHAN_MAX; i++)
		CHECK(chan_open(s.chan, CHAN_KIND_TCP, "1") != 0);
	CHECK_EQ_INT(chan_open(s.chan, CHAN_KIND_TCP, "1"), 0);
	exchange(&s, &c);
	for (uint32_t id; (id = chan_next_incoming(c.chan)) != 0; last = id)
		chan_accept(c.chan, id);
	CHECK_EQ_INT(last, 2 * CHAN_MAX);
	/* The client also opens one: the table is full, so it is refused. */
	CHECK_EQ_INT(chan_open(c.chan, CHAN_KIND_TCP, "h:1"), 0);
	CHECK(chan_status(c.chan, 2, &st) && st.state == CHAN_OPEN);
	end_fini(&c);
	end_fini(&s);
}

int main(void)
{
	RUN(open_accept_transfer_close);
	RUN(refusal_reaches_the_opener);
	RUN(abort_is_a_reset_for_the_peer);
	RUN(answerer_abort_before_its_answer_was_seen);
	RUN(window_bounds_a_slow_consumer);
	RUN(in_flight_window_follows_loss);
	RUN(lossy_transfer_is_exact);
	RUN(receiver_checks);
	RUN(received_log_is_bounded);
	RUN(diff_onto_an_older_state);
	RUN(incoming_over_the_limit_is_refused);
	return test_done();
}
