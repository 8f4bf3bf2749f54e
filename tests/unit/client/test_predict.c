/*
 * client/predict: a deterministic bench. A scripted "server" (an emulator
 * standing for the remote framebuffer), keystrokes, echo acks and a fake
 * clock; after each event the test draws a frame as the client does (cull,
 * copy, apply) and checks what is on screen.
 */
#include "../test.h"

#include <stdlib.h>

#include "client/predict.h"
#include "term/emu.h"
#include "term/utf8.h"

#define T0 1000000u

struct bench {
	struct emu *srv; /* the newest remote framebuffer */
	struct pred *p;
	uint64_t now;
	uint64_t sent;     /* client states sent so far */
	uint64_t echo_ack; /* the remote state's echo ack */
	uint64_t interval; /* the client's frame interval */
	struct fb *shown;  /* the last frame drawn */
};

static void bench_init(struct bench *b, enum pred_mode mode, bool overwrite, int w, int h,
                       uint64_t interval)
{
	memset(b, 0, sizeof *b);
	b->srv = emu_new(w, h);
	b->p = pred_new(mode, overwrite);
	b->now = T0;
	b->interval = interval;
}

static void bench_fini(struct bench *b)
{
	emu_free(b->srv);
	pred_free(b->p);
	fb_free(b->shown);
}

/* The application writes to the terminal. */
static void host(struct bench *b, const char *s)
{
	emu_write(b->srv, (const uint8_t *)s, strlen(s));
}

/* The user types s (one read), sent as the next client state. */
static void key(struct bench *b, const char *s)
{
	pred_new_user_bytes(b->p, emu_fb(b->srv), (const uint8_t *)s, strlen(s), b->now,
	                    b->sent + 1);
	b->sent++;
}

/* The server acknowledges every keystroke sent so far as echoed. */
static void ack(struct bench *b)
{
	b->echo_ack = b->sent;
}

static void wait_ms(struct bench *b, uint64_t ms)
{
	b->now += ms;
}

/* Draw a frame the way client/session.c does. */
static const struct fb *frame(struct bench *b)
{
	pred_cull(b->p, emu_fb(b->srv), b->echo_ack, b->interval, b->now);
	fb_free(b->shown);
	b->shown = fb_copy(emu_fb(b->srv));
	pred_apply(b->p, b->shown);
	return b->shown;
}

/* Row y as text: right halves of wide characters skipped, empty cells as
 * spaces, trailing spaces cut. */
static const char *row_text(const struct fb *fb, int y)
{
	static char out[8][1024];
	static int next;
	char *s = out[next++ % 8];
	size_t n = 0;

	for (int x = 0; x < fb->ds.width; x++) {
		const struct fb_cell *c = fb_cell(fb, y, x);

		if (c->len == 0) {
			if (x > 0 && (fb_cell(fb, y, x - 1)->flags & FB_CELL_WIDE))
				continue;
			s[n++] = ' ';
		} else {
			memcpy(s + n, c->text, c->len);
			n += c->len;
		}
	}
	while (n > 0 && s[n - 1] == ' ')
		n--;
	s[n] = '\0';
	return s;
}

static bool underlined(const struct fb *fb, int y, int x)
{
	return (fb_cell(fb, y, x)->rend.attr & FB_ATTR_UNDERLINE) != 0;
}

#define CHECK_ROW(fb, y, text) CHECK_EQ_STR(row_text((fb), (y)), (text))
#define CHECK_CURSOR(fb, y, x)                                                                     \
	do {                                                                                       \
		CHECK_EQ_INT((fb)->ds.cur_row, (y));                                               \
		CHECK_EQ_INT((fb)->ds.cur_col, (x));                                               \
	} while (0)

/* Type c, let the server echo it and acknowledge it: confirms the epoch. */
static void typed_and_echoed(struct bench *b, const char *c)
{
	key(b, c);
	frame(b);
	wait_ms(b, 2 * b->interval);
	host(b, c);
	frame(b);
	wait_ms(b, 50);
	ack(b);
	frame(b);
}

TEST(slow_link_shows_after_confirmation_underlined)
{
	struct bench b;
	const struct fb *fb;

	bench_init(&b, PRED_ADAPTIVE, false, 20, 4, 100);
	host(&b, "$ ");
	frame(&b);
	/* The first keystroke of an epoch waits for the server. */
	key(&b, "l");
	fb = frame(&b);
	CHECK_ROW(fb, 0, "$");
	CHECK_CURSOR(fb, 0, 2);
	wait_ms(&b, 200);
	host(&b, "l");
	fb = frame(&b);
	CHECK_ROW(fb, 0, "$ l");
	CHECK(!underlined(fb, 0, 2));
	wait_ms(&b, 50);
	ack(&b);
	fb = frame(&b);
	CHECK_ROW(fb, 0, "$ l");
	/* Confirmed: the next keystrokes show at once, underlined, cursor moving along. */
	key(&b, "s");
	fb = frame(&b);
	CHECK_ROW(fb, 0, "$ ls");
	CHECK(underlined(fb, 0, 3));
	CHECK(!underlined(fb, 0, 2));
	CHECK_CURSOR(fb, 0, 4);
	wait_ms(&b, 100);
	key(&b, " ");
	key(&b, "-");
	fb = frame(&b);
	CHECK_ROW(fb, 0, "$ ls -");
	CHECK_CURSOR(fb, 0, 6);
	/* The echo replaces the prediction: no underline once the server has it. */
	wait_ms(&b, 150);
	host(&b, "s -");
	ack(&b);
	fb = frame(&b);
	CHECK_ROW(fb, 0, "$ ls -");
	CHECK(!underlined(fb, 0, 3));
	CHECK(!underlined(fb, 0, 5));
	CHECK(!pred_active(b.p));
	bench_fini(&b);
}

TEST(fast_link_adaptive_hides_until_glitch)
{
	struct bench b;
	const struct fb *fb;
	struct pred_stats st;

	bench_init(&b, PRED_ADAPTIVE, false, 20, 4, 20);
	host(&b, "$ ");
	frame(&b);
	typed_and_echoed(&b, "a");
	pred_get_stats(b.p, &st);
	CHECK(!st.srtt_trigger);
	CHECK(st.confirmed_epoch >= 1);
	key(&b, "b");
	fb = frame(&b);
	CHECK_ROW(fb, 0, "$ a"); /* confirmed but not shown: the link is fast */
	/* The server stalls: after GLITCH_THRESHOLD the prediction shows. */
	for (int t = 0; t < 240; t += 20) {
		wait_ms(&b, 20);
		fb = frame(&b);
		CHECK_ROW(fb, 0, "$ a");
	}
	wait_ms(&b, 20);
	fb = frame(&b);
	CHECK_ROW(fb, 0, "$ ab");
	CHECK(!underlined(fb, 0, 3)); /* glitch 10 does not flag; > 10 would */
	pred_get_stats(b.p, &st);
	CHECK_EQ_INT(st.glitch_trigger, PRED_GLITCH_REPAIR_COUNT);
	CHECK_EQ_INT(pred_wait_ms(b.p, b.now), PRED_WAKEUP);
	host(&b, "b");
	ack(&b);
	fb = frame(&b);
	CHECK_ROW(fb, 0, "$ ab");
	CHECK(!pred_active(b.p));
	CHECK_EQ_INT(pred_wait_ms(b.p, b.now), -1);
	bench_fini(&b);
}

TEST(hysteresis_of_triggers)
{
	struct bench b;
	struct pred_stats st;
	static const struct {
		uint64_t interval;
		bool srtt, flag;
	} steps[] = {
	    {20, false, false}, {30, false, false}, {31, true, false},
	    {25, true, false},  {80, true, false},  {81, true, true},
	    {51, true, true},   {50, true, false},  {20, false, false},
	};

	bench_init(&b, PRED_ADAPTIVE, false, 20, 4, 20);
	host(&b, "$ ");
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		b.interval = steps[i].interval;
		frame(&b);
		pred_get_stats(b.p, &st);
		CHECK_EQ_INT(st.srtt_trigger, steps[i].srtt);
		CHECK_EQ_INT(st.flagging, steps[i].flag);
	}
	/* The srtt trigger stays on while a prediction is outstanding. */
	b.interval = 100;
	frame(&b);
	key(&b, "x");
	b.interval = 20;
	frame(&b);
	pred_get_stats(b.p, &st);
	CHECK(st.srtt_trigger);
	bench_fini(&b);
}

/*
 * At a prompt that does not echo, no typed character ever shows: every frame
 * (one every 5 ms) is checked while the keystrokes are acknowledged and
 * never echoed.
 */
static void type_secret(struct bench *b, const char *secret, int row, const char *row_want)
{
	for (const char *c = secret; *c; c++) {
		char k[2] = {*c, 0};

		key(b, k);
		for (int t = 0; t < 100; t += 5) {
			const struct fb *fb = frame(b);

			CHECK_ROW(fb, row, row_want);
			wait_ms(b, 5);
			if (t == 60)
				ack(b); /* the server had it for 50 ms and did not echo */
		}
	}
}

TEST(read_s_never_shows_a_character)
{
	struct bench b;
	const struct fb *fb;
	const char *cmd = "read -s x";

	bench_init(&b, PRED_ADAPTIVE, false, 30, 4, 100);
	host(&b, "$ ");
	frame(&b);
	for (const char *c = cmd; *c; c++) {
		char k[2] = {*c, 0};

		typed_and_echoed(&b, k);
	}
	fb = frame(&b);
	CHECK_ROW(fb, 0, "$ read -s x");
	key(&b, "\r");
	frame(&b);
	wait_ms(&b, 100);
	host(&b, "\r\n"); /* bash runs read -s: cursor on the next row, echo off */
	type_secret(&b, "secret", 1, "");
	wait_ms(&b, 500);
	ack(&b);
	fb = frame(&b);
	CHECK_ROW(fb, 1, "");
	CHECK_ROW(fb, 0, "$ read -s x");
	bench_fini(&b);
}

/*
 * The trap mosh 1.4 falls into: the user types ahead of a "Password: "
 * prompt, and the first typed letter equals the prompt's first letter at the
 * predicted position. That match must not confirm the epoch, or the rest of
 * the password would be painted over the prompt.
 */
TEST(prompt_text_matching_a_keystroke_does_not_confirm)
{
	struct bench b;
	const char *pw = "Pxyz";
	struct pred_stats st;

	bench_init(&b, PRED_ADAPTIVE, false, 30, 4, 100);
	host(&b, "$ ");
	frame(&b);
	typed_and_echoed(&b, "s");
	typed_and_echoed(&b, "u");
	key(&b, "\r");
	frame(&b);
	/* Type ahead, 20 ms apart, before the prompt arrives. */
	for (const char *c = pw; *c; c++) {
		char k[2] = {*c, 0};

		wait_ms(&b, 20);
		key(&b, k);
		CHECK_ROW(frame(&b), 1, "");
	}
	/* The prompt arrives; the server acks the CR, then the keystrokes one by
	 * one, without echoing them. */
	host(&b, "\r\nPassword: ");
	for (uint64_t n = b.sent - 4; n <= b.sent; n++) {
		const struct fb *fb;

		b.echo_ack = n;
		for (int t = 0; t < 20; t++) {
			fb = frame(&b);
			CHECK_ROW(fb, 1, "Password:");
			CHECK_CURSOR(fb, 1, 10);
			wait_ms(&b, 5);
		}
	}
	pred_get_stats(b.p, &st);
	CHECK(st.unconfirmed + st.resets + st.killed > 0);
	/* Typing on at the prompt stays invisible too. */
	type_secret(&b, "Password", 1, "Password:");
	bench_fini(&b);
}

/* An echo in the middle of a line (a line editor redrawing the tail and
 * putting the cursor back) still confirms the epoch. */
TEST(insert_mid_line_confirms)
{
	struct bench b;
	const struct fb *fb;
	struct pred_stats st;

	bench_init(&b, PRED_ADAPTIVE, false, 20, 4, 100);
	host(&b, "$ ac\b");
	frame(&b);
	key(&b, "b");
	CHECK_ROW(frame(&b), 0, "$ ac"); /* tentative: first key of the epoch */
	wait_ms(&b, 200);
	host(&b, "bc\b");
	ack(&b);
	fb = frame(&b);
	CHECK_ROW(fb, 0, "$ abc");
	pred_get_stats(b.p, &st);
	CHECK_EQ_U64(st.confirmed_epoch, st.prediction_epoch);
	CHECK_EQ_INT(st.unconfirmed, 0);
	key(&b, "X");
	fb = frame(&b);
	CHECK_ROW(fb, 0, "$ abXc");
	CHECK_CURSOR(fb, 0, 5);
	bench_fini(&b);
}

TEST(misprediction_culled_next_frame)
{
	struct bench b;
	const struct fb *fb;
	struct pred_stats st;

	bench_init(&b, PRED_ADAPTIVE, false, 20, 4, 100);
	host(&b, "$ ");
	frame(&b);
	typed_and_echoed(&b, "a");
	key(&b, "b");
	fb = frame(&b);
	CHECK_ROW(fb, 0, "$ ab");
	/* The application prints something else where b was predicted. */
	wait_ms(&b, 200);
	host(&b, "X");
	fb = frame(&b); /* not yet acknowledged: still pending, still shown */
	CHECK_ROW(fb, 0, "$ ab");
	ack(&b);
	fb = frame(&b);
	CHECK_ROW(fb, 0, "$ aX");
	CHECK_CURSOR(fb, 0, 4);
	pred_get_stats(b.p, &st);
	CHECK_EQ_INT(st.resets, 1);
	CHECK(!pred_active(b.p));
	/* After the reset the next keystroke is tentative again. */
	key(&b, "c");
	fb = frame(&b);
	CHECK_ROW(fb, 0, "$ aX");
	bench_fini(&b);
}

TEST(no_echo_after_confirmed_keystroke_disappears)
{
	struct bench b;
	const struct fb *fb;

	bench_init(&b, PRED_ALWAYS, false, 20, 4, 20);
	host(&b, "$ ");
	frame(&b);
	typed_and_echoed(&b, "a");
	key(&b, "b");
	CHECK_ROW(frame(&b), 0, "$ ab");
	wait_ms(&b, 60);
	ack(&b); /* acknowledged, not echoed */
	fb = frame(&b);
	CHECK_ROW(fb, 0, "$ a");
	CHECK_CURSOR(fb, 0, 3);
	bench_fini(&b);
}

TEST(paste_makes_no_predictions)
{
	struct bench b;
	char paste[PRED_PASTE_MAX + 2];

	bench_init(&b, PRED_EXPERIMENTAL, false, 200, 4, 100);
	host(&b, "$ ");
	frame(&b);
	memset(paste, 'p', sizeof paste - 1);
	paste[sizeof paste - 1] = '\0';
	key(&b, paste);
	CHECK(!pred_active(b.p));
	CHECK_ROW(frame(&b), 0, "$");
	/* Exactly PRED_PASTE_MAX bytes is still typing. */
	paste[PRED_PASTE_MAX] = '\0';
	key(&b, paste);
	CHECK(pred_active(b.p));
	CHECK_EQ_INT(strlen(row_text(frame(&b), 0)), 2 + PRED_PASTE_MAX);
	bench_fini(&b);
}

TEST(backspace_and_arrows_insert)
{
	struct bench b;
	const struct fb *fb;

	bench_init(&b, PRED_ALWAYS, false, 20, 4, 100);
	host(&b, "$ abc");
	frame(&b);
	typed_and_echoed(&b, "d");
	key(&b, "\x7f");
	fb = frame(&b);
	CHECK_ROW(fb, 0, "$ abc");
	CHECK_CURSOR(fb, 0, 5);
	key(&b, "\033[D");
	key(&b, "\033OD"); /* application mode arrow */
	fb = frame(&b);
	CHECK_CURSOR(fb, 0, 3);
	key(&b, "X");
	fb = frame(&b);
	CHECK_ROW(fb, 0, "$ aXbc");
	CHECK_CURSOR(fb, 0, 4);
	key(&b, "\033[C");
	fb = frame(&b);
	CHECK_CURSOR(fb, 0, 5);
	key(&b, "\x7f");
	fb = frame(&b);
	CHECK_ROW(fb, 0, "$ aXc");
	CHECK_CURSOR(fb, 0, 4);
	/* A modified arrow (word motion) is not a one-character move: tentative. */
	key(&b, "\033[1;5D");
	key(&b, "Y");
	fb = frame(&b);
	CHECK(strchr(row_text(fb, 0), 'Y') == NULL);
	bench_fini(&b);
}

TEST(overwrite_mode)
{
	struct bench b;
	const struct fb *fb;

	bench_init(&b, PRED_ALWAYS, true, 20, 4, 100);
	host(&b, "$ abc");
	frame(&b);
	typed_and_echoed(&b, "d");
	key(&b, "\033[D\033[D");
	key(&b, "X");
	fb = frame(&b);
	CHECK_ROW(fb, 0, "$ abXd");
	CHECK_CURSOR(fb, 0, 5);
	key(&b, "\x7f");
	fb = frame(&b);
	CHECK_ROW(fb, 0, "$ ab d");
	CHECK_CURSOR(fb, 0, 4);
	bench_fini(&b);
}

/* Compare a displayed row with what the emulator makes of the same text:
 * contents, width flags and renditions (the row wrap flag aside). */
static void check_same_as_emulator(const struct fb *shown, const char *typed, int w, int h)
{
	struct emu *ref = emu_new(w, h);
	const struct fb *want;

	emu_write(ref, (const uint8_t *)"$ ", 2);
	emu_write(ref, (const uint8_t *)typed, strlen(typed));
	want = emu_fb(ref);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			struct fb_cell a = *fb_cell(shown, y, x), e = *fb_cell(want, y, x);

			a.flags &= (uint8_t)~FB_CELL_WRAP;
			e.flags &= (uint8_t)~FB_CELL_WRAP;
			if (!fb_cell_equal(&a, &e))
				TEST_FAIL(
				    "cell %d,%d: shown \"%.*s\" flags %d, emulator \"%.*s\" flags "
				    "%d",
				    y, x, a.len, a.text, a.flags, e.len, e.text, e.flags);
		}
	CHECK_CURSOR(shown, want->ds.cur_row, want->ds.cur_col);
	emu_free(ref);
}

static void predict_text(enum pred_mode mode, const char *text, int w, int h, bool per_char)
{
	struct bench b;

	bench_init(&b, mode, false, w, h, 20);
	host(&b, "$ ");
	frame(&b);
	if (per_char) {
		/* One read per character, as typed. */
		struct utf8_dec d;
		size_t start = 0;

		utf8_init(&d);
		for (size_t i = 0; text[i]; i++) {
			uint32_t cps[2];
			char k[8];

			if (utf8_feed(&d, (uint8_t)text[i], cps) == 0)
				continue;
			memcpy(k, text + start, i + 1 - start);
			k[i + 1 - start] = '\0';
			key(&b, k);
			start = i + 1;
		}
	} else {
		key(&b, text);
	}
	check_same_as_emulator(frame(&b), text, w, h);
	bench_fini(&b);
}

TEST(cjk_and_accents_like_the_emulator)
{
	predict_text(PRED_EXPERIMENTAL, "日本語", 20, 4, true);
	predict_text(PRED_EXPERIMENTAL, "glück faĩl", 20, 4, true);
	predict_text(PRED_EXPERIMENTAL, "glück faĩl 日本語", 40, 4, false);
	/* A combining acute accent joins the e before it. */
	predict_text(PRED_EXPERIMENTAL, "cafe\xcc\x81!", 20, 4, true);
}

TEST(cjk_confirmed_epoch_adaptive)
{
	struct bench b;
	const struct fb *fb;

	bench_init(&b, PRED_ADAPTIVE, false, 20, 4, 40);
	host(&b, "$ ");
	frame(&b);
	typed_and_echoed(&b, "日");
	key(&b, "本");
	key(&b, "語");
	fb = frame(&b);
	CHECK_ROW(fb, 0, "$ 日本語");
	CHECK(fb_cell(fb, 0, 4)->flags & FB_CELL_WIDE);
	CHECK(fb_cell(fb, 0, 6)->flags & FB_CELL_WIDE);
	CHECK_CURSOR(fb, 0, 8);
	/* Backspace and arrows step over a whole wide character. */
	key(&b, "\033[D");
	fb = frame(&b);
	CHECK_CURSOR(fb, 0, 6);
	key(&b, "\033[C");
	key(&b, "\x7f");
	fb = frame(&b);
	CHECK_ROW(fb, 0, "$ 日本");
	CHECK_CURSOR(fb, 0, 6);
	bench_fini(&b);
}

TEST(wrap_at_margin_like_the_emulator)
{
	predict_text(PRED_EXPERIMENTAL, "abcdefghij", 10, 4, true);
	/* A wide character that does not fit in the last column moves down. */
	predict_text(PRED_EXPERIMENTAL, "1234567日x", 10, 4, true);
	predict_text(PRED_EXPERIMENTAL, "123456日x", 10, 4, true);
}

TEST(wrap_starts_a_tentative_epoch)
{
	struct bench b;
	const struct fb *fb;

	bench_init(&b, PRED_ALWAYS, false, 10, 4, 100);
	host(&b, "$ ");
	frame(&b);
	typed_and_echoed(&b, "a");
	key(&b, "bcdefgh"); /* h lands in the last column */
	key(&b, "ij");
	fb = frame(&b);
	CHECK_ROW(fb, 0, "$ abcdefgh");
	CHECK_ROW(fb, 1, "");
	bench_fini(&b);
}

TEST(cr_on_bottom_row_and_resize_reset)
{
	struct bench b;

	bench_init(&b, PRED_ALWAYS, false, 10, 2, 100);
	host(&b, "x\r\n$ ");
	frame(&b);
	typed_and_echoed(&b, "a");
	key(&b, "\r");
	CHECK(pred_active(b.p));
	frame(&b);
	emu_resize(b.srv, 12, 2);
	frame(&b);
	CHECK(!pred_active(b.p));
	key(&b, "b");
	CHECK(pred_active(b.p));
	pred_reset(b.p);
	CHECK(!pred_active(b.p));
	bench_fini(&b);
}

TEST(never_mode_predicts_nothing)
{
	struct bench b;

	bench_init(&b, PRED_NEVER, false, 20, 4, 200);
	host(&b, "$ ");
	frame(&b);
	key(&b, "abc");
	CHECK(!pred_active(b.p));
	CHECK_ROW(frame(&b), 0, "$");
	CHECK_EQ_INT(pred_wait_ms(b.p, b.now), -1);
	bench_fini(&b);
}

/* Random keystrokes, screens, acks and resizes in every mode: no crash, no
 * out-of-range access (ASan), and the painted frame keeps the cursor on screen. */
TEST(hostile_input_is_bounded)
{
	for (int mode = 0; mode < 8; mode++) {
		struct bench b;
		uint8_t junk[PRED_PASTE_MAX];
		uint64_t seed = 12345 + (uint64_t)mode;

		bench_init(&b, (enum pred_mode)(mode % 4), mode >= 4, 7, 3, 100);
		host(&b, "$ ");
		for (int round = 0; round < 1000; round++) {
			size_t n = 1 + (size_t)(seed % PRED_PASTE_MAX);
			const struct fb *fb;

			for (size_t i = 0; i < n; i++) {
				seed = seed * 6364136223846793005u + 1442695040888963407u;
				junk[i] = (uint8_t)(seed >> 33);
			}
			pred_new_user_bytes(b.p, emu_fb(b.srv), junk, n, b.now, ++b.sent);
			if (round % 7 == 0)
				emu_write(b.srv, junk, n);
			if (round % 13 == 0)
				ack(&b);
			if (round % 101 == 0)
				emu_resize(b.srv, 3 + round % 11, 1 + round % 5);
			b.interval = 20 + (uint64_t)(round % 5) * 40;
			wait_ms(&b, 7);
			fb = frame(&b);
			CHECK(fb->ds.cur_row >= 0 && fb->ds.cur_row < fb->ds.height);
			CHECK(fb->ds.cur_col >= 0 && fb->ds.cur_col < fb->ds.width);
		}
		bench_fini(&b);
	}
}

int main(void)
{
	RUN(slow_link_shows_after_confirmation_underlined);
	RUN(fast_link_adaptive_hides_until_glitch);
	RUN(hysteresis_of_triggers);
	RUN(read_s_never_shows_a_character);
	RUN(prompt_text_matching_a_keystroke_does_not_confirm);
	RUN(insert_mid_line_confirms);
	RUN(misprediction_culled_next_frame);
	RUN(no_echo_after_confirmed_keystroke_disappears);
	RUN(paste_makes_no_predictions);
	RUN(backspace_and_arrows_insert);
	RUN(overwrite_mode);
	RUN(cjk_and_accents_like_the_emulator);
	RUN(cjk_confirmed_epoch_adaptive);
	RUN(wrap_at_margin_like_the_emulator);
	RUN(wrap_starts_a_tentative_epoch);
	RUN(cr_on_bottom_row_and_resize_reset);
	RUN(never_mode_predicts_nothing);
	RUN(hostile_input_is_bounded);
	return test_done();
}
