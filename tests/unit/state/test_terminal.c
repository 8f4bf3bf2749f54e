/* state/terminal: diff/apply reproduce the server's screen; hostile diffs change nothing. */
#include "../test.h"
#include "../rng.h"
#include "../term/disp_testlib.h"

#include <stdlib.h>

#include "net/msg.h"
#include "state/terminal.h"
#include "term/fb.h"
#include "util/err.h"

static void feed(struct termstate *s, const char *bytes)
{
	emu_write(termstate_emu(s), (const uint8_t *)bytes, strlen(bytes));
}

/*
 * Random terminal output: text, colours, moves, scrolls, titles, wide characters.
 * No bells: a diff rings once however often the server's bell rang (§12.3), so
 * bell counters legitimately differ; bell_rings_once covers them.
 */
static void feed_random(struct termstate *s, struct rng *r, int n)
{
	static const char *pieces[] = {
	    "hello ",
	    "\r\n",
	    "\x1b[31m",
	    "\x1b[0m",
	    "\x1b[1;44m",
	    "\x1b[38;5;200m",
	    "\x1b[48;2;1;2;3m",
	    "\x1b[H",
	    "\x1b[2J",
	    "\x1b[K",
	    "\x1b[5;10H",
	    "\x1b[3L",
	    "\x1b[2M",
	    "\x1b[4@",
	    "\x1b[3P",
	    "\x1b[10X",
	    "\x1b[2;5r",
	    "\x1b[r",
	    "\x1bM",
	    "\n\n\n",
	    "\xe6\x97\xa5\xe6\x9c\xac",
	    "e\xcc\x81",
	    "\x1b]0;title\x07",
	    "\x1b[?25l",
	    "\x1b[?25h",
	    "\x1b[?2004h",
	    "\x07",
	    "\t",
	    "0123456789abcdef",
	    "\x1b[S",
	    "\x1b[T",
	    "\x1b[?5h",
	    "\x1b[?5l",
	    "\x1b[?1000h",
	};
	for (int i = 0; i < n; i++)
		feed(s, pieces[rng_below(r, sizeof pieces / sizeof pieces[0])]);
}

static int apply_diff(struct termstate *client, const struct termstate *from,
                      const struct termstate *to)
{
	struct buf d;
	int rc;

	buf_init(&d);
	termstate_diff(from, to, &d);
	rc = termstate_apply(client, d.data, d.len);
	buf_fini(&d);
	return rc;
}

static void check_same(const struct termstate *server, const struct termstate *client, int iter)
{
	char why[256];
	struct tcaps caps;

	tcaps_server(&caps);
	/* Same screen, not the same state: rebuilt rows carry their own generations. */
	if (!dt_fb_same(&caps, termstate_fb(server), termstate_fb(client), why, sizeof why))
		TEST_FAIL("iteration %d: client differs from server after apply: %s", iter, why);
	CHECK_EQ_U64(termstate_echo_ack(client), termstate_echo_ack(server));
	CHECK_EQ_U64(termstate_replies_dropped(client), 0);
}

/*
 * The client's terminal is built from diffs alone, as in a session: modes the
 * diff never carries (scroll region, origin, insert) stay at their defaults
 * there, so the client starts from a blank state, never from a server copy.
 */
TEST(diff_rebuilds_random_screens)
{
	struct rng r;

	rng_seed(&r, 42);
	for (int iter = 0; iter < 1000; iter++) {
		int w = 10 + (int)rng_below(&r, 90), h = 3 + (int)rng_below(&r, 40);
		struct termstate *server = termstate_new(w, h), *client = termstate_new(w, h);
		struct termstate *old = termstate_copy(server);

		for (int step = 0; step < 4; step++) {
			feed_random(server, &r, 1 + (int)rng_below(&r, 30));
			if (rng_below(&r, 4) == 0)
				emu_resize(termstate_emu(server), 5 + (int)rng_below(&r, 100),
				           2 + (int)rng_below(&r, 50));
			if (rng_below(&r, 2) == 0)
				termstate_set_echo_ack(server, (uint64_t)(iter * 4 + step) + 1);
			CHECK_EQ_INT(apply_diff(client, old, server), 0);
			check_same(server, client, iter);
			termstate_free(old);
			old = termstate_copy(server);
		}
		termstate_free(server);
		termstate_free(old);
		termstate_free(client);
	}
}

TEST(equal_states_diff_to_nothing)
{
	struct termstate *a = termstate_new(80, 24), *b;
	struct buf d;

	feed(a, "some text\r\nmore");
	b = termstate_copy(a);
	buf_init(&d);
	termstate_diff(a, b, &d);
	CHECK_EQ_INT(d.len, 0);
	CHECK(termstate_equal(a, b));
	/* An echo ack alone is a change, and the diff is just the EchoAck. */
	CHECK(termstate_set_echo_ack(b, 7));
	CHECK(!termstate_set_echo_ack(b, 5));
	termstate_diff(a, b, &d);
	CHECK(d.len > 0);
	CHECK_EQ_INT(termstate_apply(a, d.data, d.len), 0);
	CHECK_EQ_U64(termstate_echo_ack(a), 7);
	CHECK(termstate_equal(a, b));
	buf_fini(&d);
	termstate_free(a);
	termstate_free(b);
}

TEST(bell_rings_once)
{
	struct termstate *server = termstate_new(80, 24), *old, *client;

	old = termstate_copy(server);
	client = termstate_copy(server);
	feed(server, "\x07\x07\x07");
	CHECK_EQ_INT(apply_diff(client, old, server), 0);
	CHECK_EQ_INT(termstate_fb(client)->bell, 1);
	CHECK_EQ_INT(termstate_fb(server)->bell, 3);
	termstate_free(server);
	termstate_free(old);
	termstate_free(client);
}

static void check_rejected(const struct msg_host_event *ev, size_t n, int want)
{
	struct termstate *s = termstate_new(80, 24), *before;
	struct buf d;

	feed(s, "keep me");
	termstate_set_echo_ack(s, 10);
	before = termstate_copy(s);
	buf_init(&d);
	msg_host_encode(ev, n, &d);
	CHECK_EQ_INT(termstate_apply(s, d.data, d.len), want);
	CHECK(termstate_equal(s, before));
	buf_fini(&d);
	termstate_free(s);
	termstate_free(before);
}

TEST(hostile_diffs_change_nothing)
{
	static const uint8_t text[] = "overwritten?";
	struct msg_host_event ev[2] = {
	    {.kind = MSG_HOST_BYTES, .bytes = text, .bytes_len = sizeof text - 1},
	};
	struct termstate *s = termstate_new(80, 24);

	ev[1] = (struct msg_host_event){.kind = MSG_HOST_RESIZE, .width = 0, .height = 24};
	check_rejected(ev, 2, ERR_RANGE);
	ev[1] = (struct msg_host_event){.kind = MSG_HOST_RESIZE, .width = 80, .height = -1};
	check_rejected(ev, 2, ERR_RANGE);
	ev[1] = (struct msg_host_event){.kind = MSG_HOST_RESIZE, .width = 100000, .height = 100000};
	check_rejected(ev, 2, ERR_RANGE);
	ev[1] = (struct msg_host_event){.kind = MSG_HOST_ECHOACK, .echo_ack = 9};
	check_rejected(ev, 2, ERR_PROTO);
	CHECK(termstate_apply(s, (const uint8_t *)"\xff\xff\xff", 3) < 0);
	termstate_free(s);
}

TEST(queries_in_a_diff_get_no_answer)
{
	static const uint8_t q[] = "\x1b[c\x1b[6n\x1b[>c";
	struct msg_host_event ev = {.kind = MSG_HOST_BYTES, .bytes = q, .bytes_len = sizeof q - 1};
	struct termstate *s = termstate_new(80, 24);
	struct buf d;

	buf_init(&d);
	msg_host_encode(&ev, 1, &d);
	CHECK_EQ_INT(termstate_apply(s, d.data, d.len), 0);
	CHECK(termstate_replies_dropped(s) > 0);
	CHECK(!emu_has_replies(termstate_emu(s)));
	buf_fini(&d);
	termstate_free(s);
}

TEST(ssp_ops_wrap_the_functions)
{
	struct termstate *a = termstate_new(20, 5);
	void *b;
	struct buf d;

	feed(a, "x");
	b = termstate_ops.copy(a);
	CHECK(termstate_ops.equal(a, b));
	feed(b, "yz");
	CHECK(!termstate_ops.equal(a, b));
	buf_init(&d);
	termstate_ops.diff(a, b, &d);
	CHECK_EQ_INT(termstate_ops.apply(a, d.data, d.len), 0);
	CHECK(termstate_ops.equal(a, b));
	buf_fini(&d);
	termstate_ops.free(a);
	termstate_ops.free(b);
}

/* A view follows the emulator it borrows until frozen; copies own their screen. */
TEST(view_follows_the_session_until_frozen)
{
	struct emu *live = emu_new(20, 4);
	struct termstate *view = termstate_new_view(live), *snap, *blank = termstate_new(20, 4);

	emu_write(live, (const uint8_t *)"one", 3);
	snap = termstate_copy(view);
	CHECK(termstate_equal(snap, view));
	emu_write(live, (const uint8_t *)" two", 4);
	CHECK(!termstate_equal(snap, view));
	termstate_freeze(view);
	emu_write(live, (const uint8_t *)" three", 6);
	/* Frozen: the session's later output is not the ending link's business. */
	emu_write(termstate_emu(snap), (const uint8_t *)" two", 4);
	CHECK(termstate_equal(snap, view));
	CHECK(!termstate_equal(view, blank));
	termstate_free(view);
	termstate_free(snap);
	termstate_free(blank);
	/* Still the session's after every view is gone. */
	emu_write(live, (const uint8_t *)"!", 1);
	emu_free(live);
}

/* Hello and notice ride the diff as fields 40 and 41 and are rejected when hostile. */
TEST(hello_and_notice_round_trip)
{
	struct termstate *a = termstate_new(10, 2), *b = termstate_new(10, 2);
	struct termstate *c = termstate_new(10, 2);
	struct msg_host_event bad = {.kind = MSG_HOST_NOTICE, .notice = 1};
	const char *text;
	uint32_t version;
	uint64_t features;
	struct buf d;

	buf_init(&d);
	termstate_diff(a, b, &d);
	CHECK_EQ_U64(d.len, 0);
	termstate_set_hello(b, 7, 5);
	termstate_set_notice(b, 1, "192.0.2.1");
	termstate_diff(a, b, &d);
	CHECK(d.len > 0);
	CHECK_EQ_INT(termstate_apply(c, d.data, d.len), 0);
	CHECK(termstate_hello(c, &version, &features));
	CHECK_EQ_U64(version, 7);
	CHECK_EQ_U64(features, 5);
	CHECK_EQ_U64(termstate_notice(c, &text), 1);
	CHECK_EQ_STR(text, "192.0.2.1");

	/* An escape in the text would reach the user's terminal: refused whole. */
	bad.bytes = (const uint8_t *)"\x1b]52;c;?\a";
	bad.bytes_len = strlen((const char *)bad.bytes);
	buf_clear(&d);
	msg_host_encode(&bad, 1, &d);
	CHECK_EQ_INT(termstate_apply(a, d.data, d.len), ERR_RANGE);
	CHECK_EQ_U64(termstate_notice(a, &text), 0);
	buf_fini(&d);
	termstate_free(a);
	termstate_free(b);
	termstate_free(c);
}

/* Each Resize costs a screen: a message may carry one, not a stall's worth. */
TEST(one_resize_per_message)
{
	struct termstate *s = termstate_new(10, 2);
	struct msg_host_event ev[2] = {{.kind = MSG_HOST_RESIZE, .width = 20, .height = 5},
	                               {.kind = MSG_HOST_RESIZE, .width = 30, .height = 6}};
	struct buf d;

	buf_init(&d);
	msg_host_encode(ev, 2, &d);
	CHECK_EQ_INT(termstate_apply(s, d.data, d.len), ERR_RANGE);
	CHECK_EQ_INT(termstate_fb(s)->ds.width, 10);
	msg_host_encode(ev, 1, &d);
	CHECK_EQ_INT(termstate_apply(s, d.data, d.len), 0);
	CHECK_EQ_INT(termstate_fb(s)->ds.width, 20);
	buf_fini(&d);
	termstate_free(s);
}

int main(void)
{
	RUN(diff_rebuilds_random_screens);
	RUN(equal_states_diff_to_nothing);
	RUN(bell_rings_once);
	RUN(hostile_diffs_change_nothing);
	RUN(queries_in_a_diff_get_no_answer);
	RUN(ssp_ops_wrap_the_functions);
	RUN(view_follows_the_session_until_frozen);
	RUN(hello_and_notice_round_trip);
	RUN(one_resize_per_message);
	return test_done();
}
