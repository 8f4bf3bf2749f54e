/*
 * client/scrollback against a model of the user's terminal: our emulator
 * with its history on stands for a terminal whose scrollback receives the
 * rows that leave its top. Whatever scrollback_push writes must put exactly
 * the history rows there, in order, and leave the screen it says it leaves.
 */
#include "../test.h"

#include <stdio.h>

#include "client/scrollback.h"
#include "term/disp.h"
#include "term/emu.h"
#include "term/tcaps.h"

static struct tcaps caps;

/* A row of the given width showing text. */
static struct fb_row *text_row(int width, const char *text)
{
	struct fb_row *r = fb_row_new(width);

	for (int i = 0; text[i] != '\0' && i < width; i++) {
		r->cells[i].len = 1;
		r->cells[i].text[0] = text[i];
	}
	return r;
}

static void row_text(const struct fb_row *r, char *out, size_t cap)
{
	size_t n = 0;

	for (int x = 0; x < r->width && n + 1 < cap; x++)
		out[n++] = r->cells[x].len ? r->cells[x].text[0] : ' ';
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

/* The terminal, showing what `shown` holds, its scrollback empty. */
static struct emu *terminal_showing(const struct fb *shown)
{
	struct emu *t = emu_new(shown->ds.width, shown->ds.height);
	struct buf b;

	buf_init(&b);
	disp_frame(&caps, NULL, shown, false, &b);
	emu_write(t, b.data, b.len);
	buf_fini(&b);
	emu_set_history(t, true);
	return t;
}

/* The next row the terminal's scrollback received, as text ("" when none). */
static void next_saved(struct emu *t, char *out, size_t cap)
{
	struct fb_row *r;

	out[0] = '\0';
	if (emu_take_scrolled(t, &r, 1) == 1) {
		row_text(r, out, cap);
		fb_row_release(r);
	}
}

TEST(rows_reach_the_scrollback_in_order_and_the_screen_is_known)
{
	struct fb *drawn = fb_new(10, 3);
	const struct fb_row *rows[5];
	struct fb_row *made[5];
	struct emu *t;
	char text[32];
	struct buf out;

	/* The screen shows a bar on its top line (an overlay). */
	fb_set_row(drawn, 0, made[0] = text_row(10, "BAR"));
	fb_row_release(made[0]);
	fb_set_row(drawn, 1, made[0] = text_row(10, "screen1"));
	fb_row_release(made[0]);
	t = terminal_showing(drawn);
	for (int i = 0; i < 5; i++) {
		snprintf(text, sizeof text, "hist%d", i);
		rows[i] = made[i] = text_row(10, text);
	}
	buf_init(&out);
	drawn = scrollback_push(&caps, drawn, rows, 5, &out);
	emu_write(t, out.data, out.len);
	for (int i = 0; i < 5; i++) {
		char want[16];

		snprintf(want, sizeof want, "hist%d", i);
		next_saved(t, text, sizeof text);
		CHECK_EQ_STR(text, want);
	}
	/* Nothing else: not the bar, not the screen's own rows. */
	next_saved(t, text, sizeof text);
	CHECK_EQ_STR(text, "");
	/* The terminal shows what scrollback_push says it does. */
	for (int y = 0; y < 3; y++) {
		char got[32], said[32];

		row_text(emu_fb(t)->rows[y], got, sizeof got);
		row_text(drawn->rows[y], said, sizeof said);
		CHECK_EQ_STR(got, said);
	}
	for (int i = 0; i < 5; i++)
		fb_row_release(made[i]);
	fb_free(drawn);
	emu_free(t);
	buf_fini(&out);
}

TEST(wider_rows_wrap_narrower_ones_pad)
{
	struct fb *drawn = fb_new(5, 4);
	struct fb_row *wide = text_row(12, "abcdefghijkl"), *narrow = text_row(3, "xyz");
	const struct fb_row *rows[2] = {wide, narrow};
	struct emu *t = terminal_showing(drawn);
	char text[32];
	struct buf out;

	buf_init(&out);
	drawn = scrollback_push(&caps, drawn, rows, 2, &out);
	emu_write(t, out.data, out.len);
	next_saved(t, text, sizeof text);
	CHECK_EQ_STR(text, "abcde");
	next_saved(t, text, sizeof text);
	CHECK_EQ_STR(text, "fghij");
	next_saved(t, text, sizeof text);
	CHECK_EQ_STR(text, "kl");
	next_saved(t, text, sizeof text);
	CHECK_EQ_STR(text, "xyz");
	next_saved(t, text, sizeof text);
	CHECK_EQ_STR(text, "");
	fb_row_release(wide);
	fb_row_release(narrow);
	fb_free(drawn);
	emu_free(t);
	buf_fini(&out);
}

TEST(blank_and_gap_rows)
{
	struct fb *blank;
	struct fb_row *gap = scrollback_gap_row(40, 12345);
	char text[64];
	struct buf out;

	row_text(gap, text, sizeof text);
	CHECK_EQ_STR(text, "[... 12345 lines skipped ...]");
	fb_row_release(gap);
	buf_init(&out);
	blank = scrollback_blank(10, 3, &out);
	/* Line by line, never ED 2 (some terminals keep what it erases). */
	CHECK(strstr((const char *)out.data, "\033[2J") == NULL);
	CHECK(strstr((const char *)out.data, "\033[3;1H\033[2K") != NULL);
	CHECK_EQ_INT(blank->ds.cur_row, 2);
	fb_free(blank);
	buf_fini(&out);
}

int main(void)
{
	tcaps_load(&caps, "xterm-256color", NULL);
	RUN(rows_reach_the_scrollback_in_order_and_the_screen_is_known);
	RUN(wider_rows_wrap_narrower_ones_pad);
	RUN(blank_and_gap_rows);
	return test_done();
}
