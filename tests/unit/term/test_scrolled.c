/* term/emu history: the rows that leave the top of the primary screen are
 * queued in order, whole (text, renditions, flags) and never change
 * afterwards; nothing else is queued; the queue is bounded and a huge scroll
 * stays cheap. */
#include "../test.h"

#include <stdio.h>
#include <stdlib.h>

#include "term/emu.h"
#include "term/fb.h"
#include "util/buf.h"

static void push(struct emu *e, const char *s)
{
	emu_write(e, (const uint8_t *)s, strlen(s));
}

/* A row's text: empty cells as spaces, trailing spaces trimmed. */
static const char *text(const struct fb_row *row)
{
	static char s[1024];
	size_t n = 0;

	for (int x = 0; x < row->width && n + FB_CELL_MAX < sizeof s; x++) {
		const struct fb_cell *c = &row->cells[x];

		if (c->len == 0)
			s[n++] = ' ';
		memcpy(s + n, c->text, c->len);
		n += c->len;
	}
	while (n > 0 && s[n - 1] == ' ')
		n--;
	s[n] = '\0';
	return s;
}

static void release(struct fb_row **rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fb_row_release(rows[i]);
}

static struct emu *history_emu(int w, int h)
{
	struct emu *e = emu_new(w, h);

	emu_set_history(e, true);
	return e;
}

/* What `seq 1 50` prints through a tty (onlcr) on a 10-row screen. */
TEST(scrolled_seq_in_order)
{
	struct emu *e = history_emu(20, 10);
	struct fb_row *rows[64];
	char want[16];
	size_t n;

	for (int i = 1; i <= 50; i++) {
		snprintf(want, sizeof want, "%d\r\n", i);
		push(e, want);
	}
	n = emu_take_scrolled(e, rows, 64);
	CHECK_EQ_INT(n, 41);
	for (size_t i = 0; i < n; i++) {
		snprintf(want, sizeof want, "%zu", i + 1);
		CHECK_EQ_STR(text(rows[i]), want);
		CHECK_EQ_INT(rows[i]->width, 20);
		CHECK_EQ_INT(rows[i]->refs, 1);
	}
	CHECK_EQ_STR(text(fb_row(emu_fb(e), 0)), "42");
	CHECK_EQ_INT(emu_take_scrolled(e, rows + n, 64 - n), 0);
	CHECK_EQ_U64(emu_take_scrolled_dropped(e), 0);
	release(rows, n);
	emu_free(e);
}

/* Colours, attributes, wide characters and the soft-wrap flag travel with the row. */
TEST(scrolled_rows_whole)
{
	struct emu *e = history_emu(10, 3);
	struct fb_row *rows[8];
	const struct fb_cell *c;
	size_t n;

	push(e, "\033[1;31mR\033[38;2;1;2;3;44mt\033[m\xe4\xb8\xad|\r\n");
	push(e, "0123456789abcde\r\n"); /* wraps: two rows, the first soft-wrapped */
	push(e, "\r\n\r\n");
	n = emu_take_scrolled(e, rows, 8);
	CHECK_EQ_INT(n, 3);
	c = &rows[0]->cells[0];
	CHECK_EQ_INT(c->text[0], 'R');
	CHECK_EQ_INT(c->rend.fg, 31);
	CHECK_EQ_INT(c->rend.attr, FB_ATTR_BOLD);
	c = &rows[0]->cells[1];
	CHECK_EQ_U64(c->rend.fg, FB_COLOR_RGB | 0x010203);
	CHECK_EQ_INT(c->rend.bg, 44);
	c = &rows[0]->cells[2];
	CHECK_EQ_INT(c->len, 3);
	CHECK_EQ_MEM(c->text, "\xe4\xb8\xad", 3);
	CHECK_EQ_INT(c->flags, FB_CELL_WIDE);
	CHECK_EQ_INT(c->rend.fg, 0);
	CHECK_EQ_STR(text(rows[0]), "Rt\xe4\xb8\xad |");
	CHECK(!fb_row_wrap(rows[0]));
	CHECK_EQ_STR(text(rows[1]), "0123456789");
	CHECK(fb_row_wrap(rows[1]));
	CHECK_EQ_STR(text(rows[2]), "abcde");
	CHECK(!fb_row_wrap(rows[2]));
	release(rows, n);
	emu_free(e);
}

/* Every way the primary screen scrolls up with the region at row 0 reports. */
TEST(scrolled_sources)
{
	struct emu *e = history_emu(4, 3);
	struct fb_row *rows[16];
	size_t n;

	/* LF, IND (ESC D and U+0084), NEL (ESC E), VT, FF at the bottom. */
	push(e, "a\r\nb\r\nc\r\033Dd\033Ee\r\xc2\x84"
	        "f\r\x0b"
	        "g\r\x0c"
	        "h");
	n = emu_take_scrolled(e, rows, 16);
	CHECK_EQ_INT(n, 5);
	for (size_t i = 0; i < n; i++) {
		char want[2] = {(char)('a' + i), 0};

		CHECK_EQ_STR(text(rows[i]), want);
	}
	release(rows, n);
	/* SU (CSI n S) with the cursor anywhere. */
	push(e, "\033[H\033[2S");
	n = emu_take_scrolled(e, rows, 16);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_STR(text(rows[0]), "f");
	CHECK_EQ_STR(text(rows[1]), "g");
	release(rows, n);
	/* The autowrap that scrolls. */
	push(e, "\033[3;1Hwxyzv");
	n = emu_take_scrolled(e, rows, 16);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_STR(text(rows[0]), "h");
	release(rows, n);
	/* A region from row 0 that ends above the bottom (a status line below). */
	push(e, "\033[1;2r\033[1;1Htop\033[2;1Hmid\033[3;1Hsts\033[2;1H\n");
	n = emu_take_scrolled(e, rows, 16);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_STR(text(rows[0]), "top");
	CHECK_EQ_STR(text(fb_row(emu_fb(e), 2)), "sts");
	release(rows, n);
	emu_free(e);
}

/* Rows leaving the bottom, erases, regions below row 0 and the alternate
 * screen report nothing. */
TEST(scrolled_not_reported)
{
	static const char *const seqs[] = {
	    "\033[2;10r\033[10;1H\n\n\n\033[2;10H\033[5S", /* region 2..10 */
	    "\033[H\033M\033M\xc2\x8d",                    /* RI at the top */
	    "\033[3T",                                     /* SD */
	    "\033[H\033[3L",                               /* IL */
	    "\033[H\033[3M",                               /* DL at row 0 */
	    "\033[2J\033[J\033[1J\033[3J\033[2K\033[K",    /* ED, EL */
	    "\033c",                                       /* RIS */
	    "\033[?3h",                                    /* DECCOLM */
	    "\033[?1049h\033[10;1H\n\n\n\033[7S",          /* the alternate screen */
	    "\033[?47h\033[10;1H\n\n\n\033[7S\033[?47l",
	};
	struct fb_row *row;

	for (size_t i = 0; i < sizeof seqs / sizeof seqs[0]; i++) {
		struct emu *e = history_emu(5, 10);

		for (int y = 0; y < 10; y++)
			push(e, "x\r\n"); /* 1 row out */
		CHECK_EQ_INT(emu_take_scrolled(e, &row, 1), 1);
		fb_row_release(row);
		push(e, seqs[i]);
		if (emu_take_scrolled(e, &row, 1) != 0)
			TEST_FAIL("sequence %zu reported a row", i);
		emu_resize(e, 5, 3);
		emu_resize(e, 3, 12);
		CHECK_EQ_INT(emu_take_scrolled(e, &row, 1), 0);
		emu_free(e);
	}
}

/* History is off by default, and off again releases what was queued (ASan
 * reports a leak otherwise). */
TEST(scrolled_off)
{
	struct emu *e = emu_new(5, 2);
	struct fb_row *row;

	push(e, "a\r\nb\r\nc\r\n");
	CHECK_EQ_INT(emu_take_scrolled(e, &row, 1), 0);
	emu_set_history(e, true);
	emu_set_history(e, true);
	push(e, "a\r\nb\r\nc\r\n");
	emu_set_history(e, false);
	CHECK_EQ_INT(emu_take_scrolled(e, &row, 1), 0);
	emu_set_history(e, true);
	push(e, "a\r\nb\r\n");
	emu_free(e); /* with rows queued */
}

/* The queue keeps the newest EMU_SCROLLED_MAX rows and counts the rest. */
TEST(scrolled_cap_and_dropped)
{
	struct emu *e = history_emu(8, 2);
	struct fb_row **rows = malloc(EMU_SCROLLED_MAX * sizeof *rows);
	const int total = EMU_SCROLLED_MAX + 100;
	char want[16];
	size_t n;

	for (int i = 0; i < total + 1; i++) {
		snprintf(want, sizeof want, "%d\r\n", i);
		push(e, want);
	}
	/* total + 1 lines on 2 rows: rows 0..total-1 left. */
	CHECK_EQ_U64(emu_take_scrolled_dropped(e), 100);
	CHECK_EQ_U64(emu_take_scrolled_dropped(e), 0);
	n = emu_take_scrolled(e, rows, 10);
	CHECK_EQ_INT(n, 10);
	CHECK_EQ_STR(text(rows[0]), "100");
	release(rows, n);
	n = emu_take_scrolled(e, rows, EMU_SCROLLED_MAX);
	CHECK_EQ_INT(n, EMU_SCROLLED_MAX - 10);
	snprintf(want, sizeof want, "%d", total - 1);
	CHECK_EQ_STR(text(rows[n - 1]), want);
	release(rows, n);
	free(rows);
	emu_free(e);
}

/* A huge SU moves at most the region's rows: the blank rest is not reported
 * (nor counted as dropped), and the cost stays O(screen). */
TEST(scrolled_huge_su_bounded)
{
	struct emu *e = history_emu(10, 6);
	struct fb_row *rows[16];
	size_t n;

	push(e, "a\r\nb\r\nc\r\nd\r\ne\r\nf");
	/* Above 65535 a parameter is missing (mosh): the default, 1. */
	push(e, "\033[9999999S");
	n = emu_take_scrolled(e, rows, 16);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_STR(text(rows[0]), "a");
	release(rows, n);
	push(e, "\033[65535S");
	n = emu_take_scrolled(e, rows, 16);
	CHECK_EQ_INT(n, 6);
	CHECK_EQ_STR(text(rows[0]), "b");
	CHECK_EQ_STR(text(rows[4]), "f");
	CHECK_EQ_STR(text(rows[5]), "");
	CHECK_EQ_U64(emu_take_scrolled_dropped(e), 0);
	release(rows, n);
	/* Repeated on a big screen: each costs one screen of rows; the queue
	 * stays at its cap. */
	emu_resize(e, 200, 100);
	for (int i = 0; i < 200; i++)
		push(e, "\033[65535S");
	CHECK_EQ_U64(emu_take_scrolled_dropped(e), 200 * 100 - EMU_SCROLLED_MAX);
	emu_set_history(e, false);
	emu_free(e);
}

/* A queued row never changes: not when the live screen is written again, nor
 * when a copy that still shares it writes to it. */
TEST(scrolled_rows_immutable)
{
	struct emu *e = history_emu(6, 2);
	struct emu *snap;
	struct fb_row *row;
	uint64_t gen;

	push(e, "first\r\nsecond");
	snap = emu_copy(e); /* shares both rows */
	push(e, "\r\n");
	CHECK_EQ_INT(emu_take_scrolled(e, &row, 1), 1);
	CHECK_EQ_INT(row->refs, 2); /* the queue's (now ours) and the copy's */
	CHECK(fb_row(emu_fb(snap), 0) == row);
	gen = row->gen;
	push(snap, "\033[1;1HXXXXX\033[2J");
	CHECK_EQ_STR(text(fb_row(emu_fb(snap), 0)), "");
	push(e, "\033[1;1HYYYYYY\033[2J\033[HZ\r\n\r\n");
	CHECK_EQ_STR(text(row), "first");
	CHECK_EQ_U64(row->gen, gen);
	CHECK_EQ_INT(row->refs, 1);
	fb_row_release(row);
	/* The one row queued meanwhile ("second" and the Ys were erased). */
	CHECK_EQ_INT(emu_take_scrolled(e, &row, 1), 1);
	CHECK_EQ_STR(text(row), "Z");
	fb_row_release(row);
	emu_free(snap);
	emu_free(e);
}

/* A copy starts with history off and an empty queue; the original keeps its own. */
TEST(scrolled_copy)
{
	struct emu *e = history_emu(5, 2);
	struct emu *c;
	struct fb_row *row;

	push(e, "a\r\nb\r\nc");
	c = emu_copy(e);
	CHECK_EQ_INT(emu_take_scrolled(c, &row, 1), 0);
	push(c, "\r\nd\r\ne\r\n");
	CHECK_EQ_INT(emu_take_scrolled(c, &row, 1), 0);
	CHECK_EQ_U64(emu_take_scrolled_dropped(c), 0);
	CHECK_EQ_INT(emu_take_scrolled(e, &row, 1), 1);
	CHECK_EQ_STR(text(row), "a");
	fb_row_release(row);
	emu_free(c);
	emu_free(e);
}

/* The fast paths queue exactly what the byte-at-a-time path queues. */
TEST(scrolled_fast_path_same)
{
	struct emu *f = history_emu(17, 5), *s = history_emu(17, 5);
	static const char alphabet[] =
	    "ab \r\n\n\n\033[S\033[2;4r\033[r\033[?1049h\033[?1049l\033D\xe4\xb8\xad";
	uint8_t buf[4096];
	struct fb_row *rf[EMU_SCROLLED_MAX], *rs[EMU_SCROLLED_MAX];

	emu_set_fast_path(s, false);
	srand(77);
	for (int round = 0; round < 20; round++) {
		size_t nf, ns;

		for (size_t i = 0; i < sizeof buf; i++)
			buf[i] = (uint8_t)alphabet[(size_t)rand() % (sizeof alphabet - 1)];
		emu_write(f, buf, sizeof buf);
		emu_write(s, buf, sizeof buf);
		nf = emu_take_scrolled(f, rf, EMU_SCROLLED_MAX);
		ns = emu_take_scrolled(s, rs, EMU_SCROLLED_MAX);
		CHECK_EQ_INT(nf, ns);
		for (size_t i = 0; i < nf; i++)
			CHECK(fb_row_cells_equal(rf[i], rs[i]));
		CHECK_EQ_U64(emu_take_scrolled_dropped(f), emu_take_scrolled_dropped(s));
		release(rf, nf);
		release(rs, ns);
	}
	emu_free(f);
	emu_free(s);
}

int main(void)
{
	RUN(scrolled_seq_in_order);
	RUN(scrolled_rows_whole);
	RUN(scrolled_sources);
	RUN(scrolled_not_reported);
	RUN(scrolled_off);
	RUN(scrolled_cap_and_dropped);
	RUN(scrolled_huge_su_bounded);
	RUN(scrolled_rows_immutable);
	RUN(scrolled_copy);
	RUN(scrolled_fast_path_same);
	return test_done();
}
