/* state/terminal: diff/apply reproduce the server's screen; hostile diffs change nothing. */
#include "../test.h"
#include "../rng.h"
#include "../term/disp_testlib.h"

#include <stdlib.h>

#include "net/msg.h"
#include "ssp/ssp.h"
#include "state/history.h"
#include "state/terminal.h"
#include "state/userstream.h"
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

/*
 * Changes a mosh 1.4 client cannot see: each rewrites "hello" with only one
 * of our renditions different (before: what the cells held already, so that
 * 4:3 and 58 change the style or colour, not mosh 1.4's underline bit).
 */
static const struct {
	const char *what, *before, *after;
} ext_only[] = {
    {"SGR 2 faint", "", "\x1b[2m"},
    {"SGR 9 strikethrough", "", "\x1b[9m"},
    {"SGR 4:3 curly underline", "\x1b[4m", "\x1b[4:3m"},
    {"SGR 58;5 underline colour", "\x1b[4m", "\x1b[4;58;5;196m"},
    {"SGR 58;2 underline colour", "\x1b[4m", "\x1b[4;58;2;1;2;3m"},
    {"OSC 8 link", "", "\x1b]8;id=a;http://example.com/\x1b\\"},
    {"OSC 8 link params", "\x1b]8;id=a;http://example.com/\x1b\\",
     "\x1b]8;id=b;http://example.com/\x1b\\"},
};

enum flavour { PLAIN_NO_HELLO, PLAIN_HELLO, RENDITIONS };

static struct termstate *flavoured(enum flavour fl)
{
	struct termstate *s = termstate_new(20, 3);

	if (fl != PLAIN_NO_HELLO)
		termstate_set_hello(s, 1, 0);
	termstate_set_renditions(s, fl == RENDITIONS);
	return s;
}

static void rewrite(struct termstate *s, const char *sgr)
{
	feed(s, "\r\x1b[0m\x1b]8;;\x1b\\");
	feed(s, sgr);
	feed(s, "hello");
}

/* Equal for a link without renditions (hello or not), different with them;
 * and then the diff is empty / not empty. Returns the failures, each printed,
 * so that one run names every attribute that goes wrong. */
static int check_flavour(enum flavour fl, const char *before, const char *after, const char *what)
{
	int bad = 0;
	struct termstate *now = flavoured(fl), *was;
	struct buf d;
	bool want_equal = fl != RENDITIONS;

	buf_init(&d);
	rewrite(now, before);
	was = termstate_copy(now);
	rewrite(now, after);
	if (termstate_equal(was, now) != want_equal) {
		printf("# %s, flavour %d: equal is %d\n", what, (int)fl, !want_equal);
		bad++;
	}
	termstate_diff(was, now, &d);
	if ((d.len == 0) != want_equal) {
		printf("# %s, flavour %d: diff of %zu bytes\n", what, (int)fl, d.len);
		bad++;
	}
	buf_fini(&d);
	termstate_free(was);
	termstate_free(now);
	return bad;
}

TEST(equal_follows_the_flavour)
{
	int bad = 0;

	for (size_t i = 0; i < sizeof ext_only / sizeof ext_only[0]; i++)
		for (int fl = PLAIN_NO_HELLO; fl <= RENDITIONS; fl++)
			bad += check_flavour((enum flavour)fl, ext_only[i].before,
			                     ext_only[i].after, ext_only[i].what);
	CHECK_EQ_INT(bad, 0);
}

/* The current rendition alone (nothing printed with it yet) is draw state
 * the plain flavour cannot show either; mosh 1.4's attributes are seen by
 * every flavour. */
TEST(equal_sees_mosh14_renditions_in_every_flavour)
{
	for (int fl = PLAIN_NO_HELLO; fl <= RENDITIONS; fl++) {
		struct termstate *now = flavoured((enum flavour)fl), *was;

		feed(now, "hello");
		was = termstate_copy(now);
		feed(now, "\x1b[2;9;58;5;1m\x1b]8;;http://example.com/\x1b\\");
		CHECK_EQ_INT(termstate_equal(was, now), fl != RENDITIONS);
		termstate_free(was);
		was = termstate_copy(now);
		rewrite(now, "\x1b[1m");
		CHECK(!termstate_equal(was, now));
		termstate_free(was);
		termstate_free(now);
	}
}

/* A link whose client announces renditions late sees what was hidden. */
TEST(turning_renditions_on_shows_the_hidden_change)
{
	struct termstate *now = flavoured(PLAIN_HELLO), *was;

	rewrite(now, "");
	was = termstate_copy(now);
	rewrite(now, "\x1b[9m");
	CHECK(termstate_equal(was, now));
	termstate_set_renditions(now, true);
	CHECK(!termstate_equal(was, now));
	termstate_free(was);
	termstate_free(now);
}

/* SSP over a terminal state, on a fake clock: the server side of one link. */
struct link_sim {
	struct emu *live;
	struct ssp *ssp;
	uint64_t now;
	uint64_t max_num; /* highest new_num sent */
	size_t sends;
};

static void sim_send(void *arg, uint64_t now, const struct ssp_instruction *in)
{
	struct link_sim *l = arg;

	(void)now;
	l->sends++;
	if (in->new_num > l->max_num)
		l->max_num = in->new_num;
}

static void sim_random(void *arg, void *out, size_t len)
{
	(void)arg;
	memset(out, 0, len);
}

static void sim_open(struct link_sim *l, enum flavour fl)
{
	struct termstate *view;
	struct ssp_config cfg = {
	    .local_ops = &termstate_ops,
	    .local_initial = termstate_new(20, 3),
	    .remote_ops = &userstream_ops,
	    .remote_initial = userstream_new(),
	    .send_mindelay = SSP_SEND_MINDELAY_SERVER,
	    .send = sim_send,
	    .send_arg = l,
	    .random = sim_random,
	};

	memset(l, 0, sizeof *l);
	l->now = 1000;
	l->live = emu_new(20, 3);
	view = termstate_new_view(l->live);
	cfg.local_live = view;
	l->ssp = ssp_new(&cfg, l->now);
	/* As server/link.c does on the client's hello; a 1.4 client sends none. */
	if (fl != PLAIN_NO_HELLO)
		termstate_set_hello(view, 1, 0);
	termstate_set_renditions(view, fl == RENDITIONS);
}

static void sim_write(struct link_sim *l, const char *bytes)
{
	emu_write(l->live, (const uint8_t *)bytes, strlen(bytes));
}

/* Tick for ms of fake time, well under SSP_ACK_INTERVAL after the last
 * send, so a heartbeat's new number cannot be mistaken for a frame. */
static void sim_run(struct link_sim *l, uint64_t ms)
{
	for (uint64_t end = l->now + ms; l->now < end; l->now += 5)
		ssp_tick(l->ssp, l->now);
}

static void sim_close(struct link_sim *l)
{
	termstate_free(ssp_current(l->ssp));
	ssp_free(l->ssp);
	emu_free(l->live);
}

TEST(plain_link_sends_no_state_for_hidden_renditions)
{
	int bad = 0;

	for (size_t i = 0; i < sizeof ext_only / sizeof ext_only[0]; i++) {
		for (int fl = PLAIN_NO_HELLO; fl <= RENDITIONS; fl++) {
			struct link_sim l;
			uint64_t first;
			char seq[128];

			sim_open(&l, (enum flavour)fl);
			snprintf(seq, sizeof seq, "\r\x1b[0m%shello", ext_only[i].before);
			sim_write(&l, seq);
			sim_run(&l, 500);
			first = l.max_num;
			CHECK(first >= 1);
			snprintf(seq, sizeof seq, "\r\x1b[0m\x1b]8;;\x1b\\%shello",
			         ext_only[i].after);
			sim_write(&l, seq);
			sim_run(&l, 1000);
			if ((l.max_num == first) != (fl != RENDITIONS)) {
				printf("# %s, flavour %d: states %llu then %llu\n",
				       ext_only[i].what, fl, (unsigned long long)first,
				       (unsigned long long)l.max_num);
				bad++;
			}
			/* A visible change still makes a state on every link. */
			first = l.max_num;
			sim_write(&l, "!");
			sim_run(&l, 1000);
			CHECK(l.max_num > first);
			sim_close(&l);
		}
	}
	CHECK_EQ_INT(bad, 0);
}

/* The peer acknowledges the newest state sent (its own diff is empty). */
static void sim_ack(struct link_sim *l)
{
	struct ssp_instruction in = {0, 1, l->max_num, 0, NULL, 0, NULL, 0};

	CHECK(ssp_receive(l->ssp, l->now, &in) >= 0);
}

/* Ticks the link asks for in ms of fake time, sleeping as long as it says;
 * bounded: a link that asks for 0 ms is ticked every ms. */
static int sim_ticks(struct link_sim *l, uint64_t ms)
{
	int ticks = 0;

	for (uint64_t end = l->now + ms; l->now < end; ticks++) {
		int64_t w = ssp_tick(l->ssp, l->now);

		if (w < 0)
			break;
		l->now += w > 0 ? (uint64_t)w : 1;
	}
	return ticks;
}

/*
 * Once the client holds the screen, a change it cannot see leaves a plain
 * link idle. (It was a new state whose diff was empty, so SSP sent nothing,
 * found the state still changed and asked to run again at once: a server
 * spinning until the screen changed visibly.)
 */
TEST(a_hidden_change_leaves_the_link_idle)
{
	int bad = 0;

	for (size_t i = 0; i < sizeof ext_only / sizeof ext_only[0]; i++) {
		for (int fl = PLAIN_NO_HELLO; fl <= RENDITIONS; fl++) {
			struct link_sim l;
			char seq[128];
			int ticks;

			sim_open(&l, (enum flavour)fl);
			snprintf(seq, sizeof seq, "\r\x1b[0m%shello", ext_only[i].before);
			sim_write(&l, seq);
			sim_run(&l, 500);
			sim_ack(&l);
			snprintf(seq, sizeof seq, "\r\x1b[0m\x1b]8;;\x1b\\%shello",
			         ext_only[i].after);
			sim_write(&l, seq);
			ticks = sim_ticks(&l, 1000);
			if (ticks > 10) {
				printf("# %s, flavour %d: %d ticks in 1 s\n", ext_only[i].what, fl,
				       ticks);
				bad++;
			}
			sim_close(&l);
		}
	}
	CHECK_EQ_INT(bad, 0);
}

/*
 * SSP's contract (ssp.h): equal states diff to nothing, and a state that is
 * not equal has a diff, else SSP would find it changed forever and send
 * nothing. On random screens with our renditions and links in the output,
 * for each flavour.
 */
TEST(equal_exactly_when_the_diff_is_empty)
{
	static const char *ext[] = {
	    "\x1b[2m",
	    "\x1b[9m",
	    "\x1b[4:3m",
	    "\x1b[58;5;9m",
	    "\x1b[22;29;59m",
	    "\x1b[4m",
	    "\x1b]8;;http://a/\x1b\\",
	    "\x1b]8;id=1;http://b/\x07",
	    "\x1b]8;;\x1b\\",
	    "\x1b[!p",
	    "xyz",
	    "\x1b[0m",
	    "\x1b[?1049h",
	    "\x1b[?1049l",
	    "\x1b[?47h",
	    "\x1b[?47l",
	    "\x1b[?2026h",
	    "\x1b[?2026l",
	    "\x1b]1;icon\x07",
	    "\x1b[?1004h",
	    "\x1b[?1006h",
	    "\x1b[?2004l",
	    "\x1b[4h",
	    "\x1b[20h",
	    "\0337\033[3;3H\0338",
	    "\033c",
	};
	struct rng r;
	struct buf d;
	int bad = 0;

	rng_seed(&r, 7);
	buf_init(&d);
	for (int iter = 0; iter < 300; iter++) {
		enum flavour fl = (enum flavour)(iter % 3);
		struct termstate *now = flavoured(fl), *was;

		for (int step = 0; step < 20; step++) {
			was = termstate_copy(now);
			for (int n = 1 + (int)rng_below(&r, 3); n > 0; n--) {
				if (rng_below(&r, 2) == 0)
					feed_random(now, &r, 1);
				else
					feed(now, ext[rng_below(&r, sizeof ext / sizeof ext[0])]);
			}
			buf_clear(&d);
			termstate_diff(was, now, &d);
			if (termstate_equal(was, now) != (d.len == 0)) {
				printf("# iteration %d step %d, flavour %d: equal %d, diff %zu "
				       "bytes\n",
				       iter, step, (int)fl, termstate_equal(was, now), d.len);
				bad++;
			}
			termstate_free(was);
		}
		termstate_free(now);
	}
	buf_fini(&d);
	CHECK_EQ_INT(bad, 0);
}

/* equal() and an empty diff agree on what the peer cannot see either: blank
 * rows made again (other generations), and which buffer shows, which only
 * the history part sends. */
static void check_same_and_silent(struct termstate *s, const char *bytes, bool want_equal)
{
	struct termstate *was = termstate_copy(s);
	struct buf d;

	buf_init(&d);
	feed(s, bytes);
	termstate_diff(was, s, &d);
	CHECK_EQ_INT(termstate_equal(was, s), want_equal);
	CHECK_EQ_INT(d.len == 0, want_equal);
	buf_fini(&d);
	termstate_free(was);
}

TEST(blank_rows_and_buffers_are_no_change_the_peer_cannot_see)
{
	struct termstate *plain = termstate_new(10, 3), *hist = termstate_new(10, 3);
	struct history *h = history_new(10);

	termstate_enable_history(hist, h);
	history_unref(h);
	check_same_and_silent(plain, "\x1b[2J\x1b[3L\x1b[S", true);
	check_same_and_silent(plain, "\x1b[?1049h", true);
	check_same_and_silent(plain, "\x1b[?1049l\x1b[?47h", true);
	check_same_and_silent(hist, "\x1b[2J\x1b[T", true);
	check_same_and_silent(hist, "\x1b[?1049h", false);
	check_same_and_silent(hist, "\x1b[2J", true);
	check_same_and_silent(hist, "\x1b[?1049l", false);
	termstate_free(plain);
	termstate_free(hist);
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
	RUN(equal_follows_the_flavour);
	RUN(equal_sees_mosh14_renditions_in_every_flavour);
	RUN(turning_renditions_on_shows_the_hidden_change);
	RUN(plain_link_sends_no_state_for_hidden_renditions);
	RUN(a_hidden_change_leaves_the_link_idle);
	RUN(equal_exactly_when_the_diff_is_empty);
	RUN(blank_rows_and_buffers_are_no_change_the_peer_cannot_see);
	return test_done();
}
