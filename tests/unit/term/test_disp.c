/*
 * Unit tests of the display differ's choices: cursor moves, blank runs (ECH,
 * spaces, EL), titles, mouse modes, the scroll shortcut, the client's
 * capabilities from terminfo and its open/close strings. Screens are made by
 * the emulator; expected strings are written out byte for byte.
 */
#include <stdlib.h>

#include "../test.h"

#include "term/disp.h"
#include "term/emu.h"
#include "util/buf.h"
#include "util/err.h"

static struct emu *screen(int w, int h, const char *bytes)
{
	struct emu *e = emu_new(w, h);

	emu_write(e, (const uint8_t *)bytes, strlen(bytes));
	return e;
}

static void more(struct emu *e, const char *bytes)
{
	emu_write(e, (const uint8_t *)bytes, strlen(bytes));
}

/* The frame from a to b as a C string (static storage, valid until the next call). */
static const char *frame(const struct tcaps *caps, const struct emu *a, const struct emu *b,
                         bool initialized)
{
	static char out[8192];
	struct buf d;

	buf_init(&d);
	disp_frame(caps, emu_fb(a), emu_fb(b), initialized, &d);
	snprintf(out, sizeof(out), "%s", d.len ? (const char *)d.data : "");
	buf_fini(&d);
	return out;
}

/* Diff of a → (a + bytes) with the given caps. */
static const char *step(const struct tcaps *caps, const char *setup, const char *bytes)
{
	struct emu *a = screen(80, 24, setup);
	struct emu *b = emu_copy(a);
	const char *s;

	more(b, bytes);
	s = frame(caps, a, b, true);
	emu_free(a);
	emu_free(b);
	return s;
}

static struct tcaps server_caps(void)
{
	struct tcaps c;

	tcaps_server(&c);
	return c;
}

static struct tcaps custom_caps(bool ech, bool bce, bool titles)
{
	struct tcaps c;

	memset(&c, 0, sizeof(c));
	c.ech = ech;
	c.bce = bce;
	c.titles = titles;
	return c;
}

TEST(cursor_moves_short_and_absolute)
{
	struct tcaps s = server_caps();
	const char *at = "\033[6;11H"; /* row 5, col 10 */

	CHECK_EQ_STR(step(&s, at, "\033[6;8H"), "\b\b\b");
	CHECK_EQ_STR(step(&s, at, "\033[6;7H"), "\b\b\b\b");
	CHECK_EQ_STR(step(&s, at, "\033[6;6H"), "\033[6;6H");
	CHECK_EQ_STR(step(&s, at, "\r"), "\r");
	CHECK_EQ_STR(step(&s, at, "\033[8;1H"), "\r\n\n");
	CHECK_EQ_STR(step(&s, at, "\033[10;1H"), "\r\n\n\n\n");
	CHECK_EQ_STR(step(&s, at, "\033[11;1H"), "\033[11;1H");
	CHECK_EQ_STR(step(&s, at, "\033[3;11H"), "\033[3;11H");
	CHECK_EQ_STR(step(&s, at, "\033[6;12H"), "\033[6;12H");
	CHECK_EQ_STR(step(&s, at, ""), "");
}

TEST(cursor_after_last_column_uses_absolute_move)
{
	struct tcaps s = server_caps();

	/* Printing in the last column leaves a pending wrap: no backspaces from there. */
	CHECK_EQ_STR(step(&s, "", "\033[24;78Habc\033[24;78H"),
	             "\033[?25l\033[24;78Habc\033[24;78H\033[?25h");
}

TEST(text_is_drawn_with_its_rendition)
{
	struct tcaps s = server_caps();

	/* Drawing where the cursor already is needs no move, so the cursor is not hidden. */
	CHECK_EQ_STR(step(&s, "", "\033[1;31mhi\033[0m"), "\033[0;1;31mhi\033[0m");
	CHECK_EQ_STR(step(&s, "", "\033[38;5;200;48;2;1;2;3mX"), "\033[0;38;5;200;48;2;1;2;3mX");
	CHECK_EQ_STR(step(&s, "", "\033[3;5H\033[91mZ\033[0m\033[H"),
	             "\033[?25l\033[3;5H\033[0;38;5;9mZ\033[1;1H\033[?25h\033[0m");
}

TEST(blank_runs_server)
{
	struct tcaps s = server_caps();
	const char *row = "abcdefghijklmnop\033[1;3H";

	/* The non-empty cell that ends a run is drawn again (§6.2 step 8). */
	CHECK_EQ_STR(step(&s, row, "\033[6X"), "\033[6X\033[?25l\033[1;9Hi\033[1;3H\033[?25h");
	/* The server erases even short runs: spaces would not be empty cells. */
	CHECK_EQ_STR(step(&s, row, "\033[2X"), "\033[2X\033[?25l\033[1;5He\b\b\b\033[?25h");
	CHECK_EQ_STR(step(&s, row, "\033[K"), "\033[K");
	/* A run in a background colour is erased in that colour (BCE). */
	CHECK_EQ_STR(step(&s, row, "\033[44m\033[6X\033[0m"),
	             "\033[0;44m\033[6X\033[?25l\033[1;9H\033[0mi\033[1;3H\033[?25h");
}

TEST(blank_runs_client_ech_bce)
{
	struct tcaps xterm = custom_caps(true, true, true);
	struct tcaps noech = custom_caps(false, true, true);
	struct tcaps nobce = custom_caps(true, false, true);
	const char *row = "abcdefghijklmnop\033[1;3H";

	CHECK_EQ_STR(step(&xterm, row, "\033[6X"), "\033[6X\033[?25l\033[1;9Hi\033[1;3H\033[?25h");
	/* Four blanks are cheaper as spaces. */
	CHECK_EQ_STR(step(&xterm, row, "\033[4X"), "    g\033[1;3H");
	CHECK_EQ_STR(step(&noech, row, "\033[6X"), "      i\033[1;3H");
	/* Without BCE a coloured run is written as spaces, and EL is not used at EOL. */
	CHECK_EQ_STR(step(&nobce, row, "\033[44m\033[6X\033[0m"),
	             "\033[0;44m      \033[0mi\033[1;3H");
	CHECK_EQ_STR(step(&nobce, row, "\033[44m\033[K\033[0m"),
	             "\033[0;44m                                                                 "
	             "             \r\n\033[1;3H\033[0m");
	CHECK_EQ_STR(step(&xterm, row, "\033[44m\033[K\033[0m"), "\033[0;44m\033[K\033[0m");
}

TEST(blank_runs_follow_terminfo)
{
	struct tcaps xterm, screen_caps, linux_caps;
	const char *row = "abcdefghijklmnop\033[1;3H";

	CHECK_EQ_INT(tcaps_load(&xterm, "xterm-256color", NULL), 0);
	CHECK_EQ_INT(tcaps_load(&screen_caps, "screen", NULL), 0);
	CHECK_EQ_INT(tcaps_load(&linux_caps, "linux", NULL), 0);
	/* xterm and linux have ech and bce: a coloured run of 6 is one ECH. */
	CHECK_EQ_STR(step(&xterm, row, "\033[41m\033[6X\033[0m"),
	             "\033[0;41m\033[6X\033[?25l\033[1;9H\033[0mi\033[1;3H\033[?25h");
	CHECK_EQ_STR(step(&linux_caps, row, "\033[41m\033[6X\033[0m"),
	             "\033[0;41m\033[6X\033[?25l\033[1;9H\033[0mi\033[1;3H\033[?25h");
	/* screen has neither: spaces, and EL only in the default rendition. */
	CHECK_EQ_STR(step(&screen_caps, row, "\033[41m\033[6X\033[0m"),
	             "\033[0;41m      \033[0mi\033[1;3H");
	CHECK_EQ_STR(step(&screen_caps, row, "\033[K"), "\033[K");
}

TEST(initial_frame_matches_mosh)
{
	struct tcaps c;
	struct emu *blank = emu_new(80, 24);
	struct buf want;

	CHECK_EQ_INT(tcaps_load(&c, "screen", NULL), 0);
	buf_init(&want);
	buf_append_str(&want, "\033[?5l\033[r\033[0m\033[H\033[2J\033[?25l");
	for (int y = 0; y < 24; y++)
		buf_append_str(&want, y ? "\n\033[K" : "\033[K");
	buf_append_str(&want, "\033[1;1H\033[?25h\033[0m\033[?2004l\033[?1003l\033[?1002l"
	                      "\033[?1001l\033[?1000l\033[?1004l\033[?1015l\033[?1006l\033[?1005l");
	CHECK_EQ_STR(frame(&c, blank, blank, false), (const char *)want.data);
	buf_fini(&want);
	emu_free(blank);
}

TEST(titles)
{
	struct tcaps s = server_caps();
	struct tcaps none = custom_caps(true, true, false);

	CHECK_EQ_STR(step(&s, "", "\033]0;hello\a"), "\033]0;hello\a");
	CHECK_EQ_STR(step(&s, "", "\033]2;win\a"), "\033]1;\a\033]2;win\a");
	CHECK_EQ_STR(step(&s, "\033]0;same\a", "\033]2;new\a"), "\033]1;same\a\033]2;new\a");
	CHECK_EQ_STR(step(&s, "\033]0;same\a", "\033]0;same\a"), "");
	CHECK_EQ_STR(step(&none, "", "\033]0;hello\a"), "");
	CHECK_EQ_STR(step(&s, "", "\033]52;c;aGk=\a"), "\033]52;c;aGk=\a");
	CHECK_EQ_STR(step(&s, "\033]52;c;aGk=\a", "\033]52;c;aGk=\a"), "");
	CHECK_EQ_STR(step(&s, "", "\a\a\a"), "\a");
}

/* Defence in depth: strings that bypassed the emulator's filter (set straight
 * into a framebuffer) are not written to the terminal; a good one still is. */
TEST(hostile_osc_strings_not_written)
{
	struct tcaps xterm = custom_caps(true, true, true);
	struct emu *a = screen(80, 24, "\033]0;t\a");
	struct emu *b = emu_copy(a);
	static const char *bad_titles[] = {"x\033]52;c;?\a", "x\ay", "x\x7f", "x\xc2\x9b[2J",
	                                   "\xff"};

	for (size_t i = 0; i < sizeof bad_titles / sizeof bad_titles[0]; i++) {
		fb_set_title(emu_fb_mut(b), bad_titles[i], strlen(bad_titles[i]));
		CHECK_EQ_STR(frame(&xterm, a, b, true), "\033]1;t\a");
	}
	fb_set_title(emu_fb_mut(b), "t", 1);
	fb_set_clipboard(emu_fb_mut(b), "?", 1);
	CHECK_EQ_STR(frame(&xterm, a, b, true), "");
	fb_set_clipboard(emu_fb_mut(b), "Zm9v\033[2J", 9);
	CHECK_EQ_STR(frame(&xterm, a, b, true), "");
	fb_set_clipboard(emu_fb_mut(b), "Zm9v", 4);
	CHECK_EQ_STR(frame(&xterm, a, b, true), "\033]52;c;Zm9v\a");
	emu_free(a);
	emu_free(b);
}

TEST(mouse_and_input_modes)
{
	struct tcaps s = server_caps();

	CHECK_EQ_STR(step(&s, "", "\033[?1002h"), "\033[?1002h");
	CHECK_EQ_STR(step(&s, "\033[?1002h", "\033[?1000h"), "\033[?1002l\033[?1000h");
	CHECK_EQ_STR(step(&s, "\033[?1002h", "\033[?1002l"),
	             "\033[?1003l\033[?1002l\033[?1001l\033[?1000l");
	CHECK_EQ_STR(step(&s, "", "\033[?1006h"), "\033[?1006h");
	CHECK_EQ_STR(step(&s, "\033[?1006h", "\033[?1015h"), "\033[?1006l\033[?1015h");
	CHECK_EQ_STR(step(&s, "\033[?1006h", "\033[?1006l"), "\033[?1015l\033[?1006l\033[?1005l");
	CHECK_EQ_STR(step(&s, "", "\033[?2004h\033[?1004h"), "\033[?2004h\033[?1004h");
	CHECK_EQ_STR(step(&s, "", "\033[?5h"), "\033[?5h");
	CHECK_EQ_STR(step(&s, "", "\033[?25l"), "\033[?25l");
	/* Never transmitted: DECCKM, alternate scroll, insert, origin, auto-wrap. */
	CHECK_EQ_STR(step(&s, "", "\033[?1h\033[4h\033[?7l"), "");
}

TEST(scroll_shortcut)
{
	struct tcaps s = server_caps();
	struct emu *a = emu_new(10, 5);
	struct emu *b;
	const char *d;

	more(a, "1\r\n2\r\n3\r\n4\r\n5");
	b = emu_copy(a);
	more(b, "\r\n6\r\n7");
	/* Whole screen moved up by two with the cursor on the bottom row: CR + 2 LF. */
	d = frame(&s, a, b, true);
	CHECK_EQ_STR(d, "\033[0m\r\n\n\033[?25l\033[4;1H6\r\n7\033[?25h");
	emu_free(b);

	/* Only the top block moved (a region): DECSTBM 1;3, LF, reset. */
	b = emu_copy(a);
	more(b, "\033[1;3r\033[3;1H\n\033[r\033[5;2H");
	d = frame(&s, a, b, true);
	CHECK_EQ_STR(d, "\033[0m\033[1;3r\033[?25l\033[3;1H\n\033[r\033[5;2H\033[?25h");
	emu_free(b);
	emu_free(a);
}

TEST(size_change_repaints)
{
	struct tcaps s = server_caps();
	struct emu *a = screen(10, 3, "x");
	struct emu *b = emu_copy(a);
	const char *d;

	emu_resize(b, 12, 3);
	d = frame(&s, a, b, true);
	CHECK(strncmp(d, "\033[r\033[0m\033[H\033[2J\033[?25lx", 21) == 0);
	emu_free(a);
	emu_free(b);
}

TEST(client_caps_from_terminfo)
{
	struct tcaps c;
	char err[ERR_LEN];

	CHECK_EQ_INT(tcaps_load(&c, "xterm-256color", err), 0);
	CHECK(c.ech && c.bce && c.titles && !c.exact);
	CHECK_EQ_INT(c.colors, 256);
	CHECK(strncmp(c.smcup, "\033[?1049h", 8) == 0);
	CHECK(strncmp(c.rmcup, "\033[?1049l", 8) == 0);
	CHECK_EQ_INT(tcaps_load(&c, "screen", err), 0);
	CHECK(!c.ech && !c.bce && c.titles);
	CHECK_EQ_STR(c.smcup, "\033[?1049h");
	CHECK_EQ_INT(c.colors, 8);
	CHECK_EQ_INT(tcaps_load(&c, "vt100", err), 0);
	CHECK(!c.ech && !c.titles);
	CHECK_EQ_INT(c.colors, -1);
	CHECK_EQ_INT(tcaps_load(&c, "linux", err), 0);
	CHECK(c.ech && c.bce && !c.titles && c.smcup[0] == '\0');
	CHECK_EQ_INT(tcaps_load(&c, "no-such-terminal-xyz", err), ERR_NOTFOUND);
	CHECK(strstr(err, "no-such-terminal-xyz") != NULL);
	CHECK(!c.ech && !c.bce && !c.titles);
	CHECK_EQ_INT(tcaps_load(&c, "", err), ERR_INVAL);
	CHECK_EQ_INT(tcaps_load(&c, NULL, NULL), ERR_INVAL);
	CHECK(tcaps_term_has_titles("tmux-256color") && tcaps_term_has_titles("alacritty") &&
	      tcaps_term_has_titles("rxvt-unicode") && !tcaps_term_has_titles("linux") &&
	      !tcaps_term_has_titles("dumb"));
}

TEST(open_and_close_strings)
{
	struct tcaps c;
	struct buf b;

	CHECK_EQ_INT(tcaps_load(&c, "screen", NULL), 0);
	buf_init(&b);
	disp_open(&c, true, &b);
	CHECK_EQ_STR((const char *)b.data, "\033[?1049h\033[?1h");
	buf_clear(&b);
	disp_open(&c, false, &b);
	CHECK_EQ_STR((const char *)b.data, "\033[?1h");
	buf_clear(&b);
	disp_close(&c, true, &b);
	CHECK_EQ_STR((const char *)b.data,
	             "\033[?1l\033[0m\033[?25h\033[?1003l\033[?1002l\033[?1001l\033[?1000l"
	             "\033[?1015l\033[?1006l\033[?1005l\033[?1049l");
	buf_fini(&b);
}

TEST(wrapped_rows_continue_without_positioning)
{
	struct tcaps s = server_caps();
	struct emu *a = emu_new(4, 3);
	struct emu *b = emu_copy(a);
	const char *d;

	more(b, "abcdef");
	d = frame(&s, a, b, true);
	/*
	 * The last cell of a wrapping row is placed absolutely; then the terminal
	 * wraps by itself: no CR LF and no CUP between "d" and "ef".
	 */
	CHECK_EQ_STR(d, "abc\033[?25l\033[1;4Hdef\033[?25h");
	emu_free(a);
	emu_free(b);
}

/* Apply a server diff from a to b on a client holding a (built by a full repaint). */
static struct emu *client_after(const struct emu *a, const struct emu *b, const char **diff)
{
	struct emu *c = emu_new(emu_fb(a)->ds.width, emu_fb(a)->ds.height);
	struct buf d;
	static char saved[4096];

	buf_init(&d);
	disp_server(emu_fb(c), emu_fb(a), false, false, &d);
	emu_write(c, d.data, d.len);
	buf_clear(&d);
	disp_server(emu_fb(a), emu_fb(b), true, false, &d);
	emu_write(c, d.data, d.len);
	snprintf(saved, sizeof(saved), "%s", d.len ? (const char *)d.data : "");
	*diff = saved;
	buf_fini(&d);
	return c;
}

TEST(fallback_cell_exact_and_looks)
{
	struct tcaps s = server_caps();
	struct tcaps xterm = custom_caps(true, true, true);
	const char *comb = "\033[2;3H\xcc\x81";

	/* Server: erase the cell, then the combiner on it after an explicit move. */
	CHECK_EQ_STR(step(&s, "", comb), "\033[?25l\033[2;3H\033[1X\xcc\x81\033[?25h");
	/* Client: mosh's look, U+00A0 carrying the combiner. */
	CHECK_EQ_STR(step(&xterm, "", comb), "\033[?25l\033[2;3H\xc2\xa0\xcc\x81\033[?25h");
}

/* Our renditions: the plain server flavour writes mosh 1.4's bytes, as if
 * they were not there; the extended one writes them; a client terminal gets
 * those terminfo says it has. */
TEST(renditions_by_flavour)
{
	struct tcaps plain = server_caps(), ext, xterm, vt100;
	const char *ours = "\033[1;2;9;4:3;58;5;1;31mX\033[0m";
	const char *mosh14 = "\033[1;4;31mX\033[0m";
	char want[256];

	tcaps_server_ext(&ext);
	CHECK_EQ_INT(tcaps_load(&xterm, "xterm-256color", NULL), 0);
	CHECK_EQ_INT(tcaps_load(&vt100, "vt100", NULL), 0);
	snprintf(want, sizeof want, "%s", step(&plain, "", mosh14));
	CHECK_EQ_STR(step(&plain, "", ours), want);
	CHECK_EQ_STR(step(&plain, "", ours), "\033[0;1;4;31mX\033[0m");
	/* A change in our renditions alone is no change to a mosh 1.4 client. */
	CHECK_EQ_STR(
	    step(&plain, "\033[4:1;58;5;2mX\033[0m\033[1;1H", "\033[9;2;4:3;58;5;7mX\033[0m"),
	    "\033[1;2H");
	CHECK_EQ_STR(step(&ext, "", ours), "\033[0;1;4:3;2;9;31;58;5;1mX\033[0m");
	CHECK_EQ_STR(step(&ext, "\033[4:1;58;5;2mX\033[0m\033[1;1H", "\033[4:3mX"), "\033[0;4:3mX");
	/* xterm-256color: dim and smxx, no Smulx or Setulc. */
	CHECK(xterm.faint && xterm.strike && !xterm.ul_style && !xterm.ul_color);
	CHECK_EQ_STR(step(&xterm, "", ours), "\033[0;1;4;2;9;31mX\033[0m");
	/* vt100: none of them. */
	CHECK(!vt100.faint && !vt100.strike && !vt100.ul_style && !vt100.ul_color);
	CHECK_EQ_STR(step(&vt100, "", ours), "\033[0;1;4;31mX\033[0m");
}

/* Hyperlinks: never in the plain flavour's bytes; the extended one opens and
 * closes them around the cells (BEL-ended); a client terminal that takes
 * them is left with none open, also at the end of the session. */
TEST(links_by_flavour)
{
	struct tcaps plain = server_caps(), ext, xterm, linux_caps;
	const char *linked = "a\033]8;id=7;http://x/\033\\bc\033]8;;\033\\d";
	struct buf d;

	tcaps_server_ext(&ext);
	CHECK_EQ_INT(tcaps_load(&xterm, "xterm-256color", NULL), 0);
	CHECK_EQ_INT(tcaps_load(&linux_caps, "linux", NULL), 0);
	CHECK(xterm.links && !linux_caps.links && ext.links && !plain.links);
	CHECK(tcaps_term_has_links("tmux-256color") && !tcaps_term_has_links("screen"));
	CHECK_EQ_STR(step(&plain, "", linked), "abcd");
	CHECK_EQ_STR(step(&ext, "", linked), "a\033]8;id=7;http://x/\abc\033]8;;\ad");
	/* Still open at the end: the hoststring leaves it open, a terminal not. */
	CHECK_EQ_STR(step(&ext, "", "\033]8;;http://y/\033\\e"), "\033]8;;http://y/\ae");
	CHECK_EQ_STR(step(&xterm, "", "\033]8;;http://y/\033\\e"),
	             "\033]8;;http://y/\ae\033]8;;\a");
	CHECK_EQ_STR(step(&linux_caps, "", "\033]8;;http://y/\033\\e"), "e");
	buf_init(&d);
	disp_close(&xterm, false, &d);
	CHECK(strstr((const char *)d.data, "\033]8;;\a") != NULL);
	buf_clear(&d);
	disp_close(&linux_caps, false, &d);
	CHECK(strstr((const char *)d.data, "\033]8") == NULL);
	buf_fini(&d);
}

/* The client flavour leaves a real terminal's bottom row without its wrap
 * mark: once the row scrolls up, the frame must draw the mark. */
TEST(client_bottom_row_mark_after_scroll)
{
	struct tcaps xterm;
	struct emu *a = screen(4, 3, "\033[2;1Habcdef\033[1;1H\033[L");
	struct emu *b = emu_copy(a);
	struct emu *term = emu_new(4, 3);
	struct buf d;

	CHECK_EQ_INT(tcaps_load(&xterm, "xterm-256color", NULL), 0);
	more(b, "\033[3;1H\n");
	buf_init(&d);
	disp_frame(&xterm, NULL, emu_fb(a), false, &d);
	emu_write(term, d.data, d.len);
	CHECK(!fb_row_wrap(fb_row(emu_fb(term), 2)));
	buf_clear(&d);
	disp_frame(&xterm, emu_fb(a), emu_fb(b), true, &d);
	emu_write(term, d.data, d.len);
	CHECK(fb_row_wrap(fb_row(emu_fb(b), 1)));
	CHECK(fb_row_wrap(fb_row(emu_fb(term), 1)));
	buf_fini(&d);
	emu_free(a);
	emu_free(b);
	emu_free(term);
}

TEST(bottom_row_wrap_mark)
{
	struct emu *a = emu_new(4, 3);
	struct emu *b = emu_copy(a);
	struct emu *c;
	const char *d;

	/* A wrapped row moved to the bottom by IL keeps its wrap mark. */
	more(b, "\033[2;1Habcdef\033[1;1H\033[L");
	CHECK(fb_row_wrap(fb_row(emu_fb(b), 2)));
	c = client_after(a, b, &d);
	CHECK(strstr(d, "\033[1;2r") != NULL);
	CHECK(fb_row_wrap(fb_row(emu_fb(c), 2)));
	CHECK(fb_cell(emu_fb(c), 2, 0)->text[0] == 'a');
	CHECK(fb_cell(emu_fb(c), 1, 0)->len == 0);
	emu_free(a);
	emu_free(b);
	emu_free(c);
}

TEST(wide_character_cut_at_the_edge)
{
	struct emu *a = emu_new(5, 2);
	struct emu *b = emu_copy(a);
	struct emu *c;
	const char *d;

	/* ICH pushes the wide character's right half off the row. */
	more(b, "abc\xe6\x97\xa5\033[1;1H\033[@");
	CHECK(fb_cell(emu_fb(b), 0, 4)->flags & FB_CELL_WIDE);
	c = client_after(a, b, &d);
	/* Drawn as a space: printing it would wrap (and here scroll) the terminal. */
	CHECK(strstr(d, "\xe6\x97\xa5") == NULL);
	CHECK_EQ_INT(fb_cell(emu_fb(c), 0, 4)->len, 1);
	CHECK_EQ_INT(fb_cell(emu_fb(c), 0, 4)->text[0], ' ');
	CHECK_EQ_INT(fb_cell(emu_fb(c), 0, 1)->text[0], 'a');
	CHECK_EQ_INT(fb_cell(emu_fb(c), 1, 0)->len, 0);
	emu_free(a);
	emu_free(b);
	emu_free(c);
}

TEST(wide_character_gaining_the_wrap_mark_is_redrawn_whole)
{
	struct tcaps s = server_caps();
	struct emu *a = emu_new(4, 3);
	struct emu *b;

	more(a, "\xe6\x97\xa5\xe6\x9c\xac");
	b = emu_copy(a);
	more(b, "x");
	CHECK_EQ_STR(frame(&s, a, b, true), "\033[?25l\033[1;3H\xe6\x9c\xacx\033[?25h");
	emu_free(a);
	emu_free(b);
}

/* Rows a terminal showing `setup` would save to its scrollback while it
 * is painted the frame for `bytes` more output with caps. */
static size_t rows_saved(const struct tcaps *caps, const char *setup, const char *bytes)
{
	struct emu *a = screen(80, 24, setup), *b = emu_copy(a), *term = emu_copy(a);
	struct fb_row *row;
	size_t n = 0;
	const char *out;

	more(b, bytes);
	out = frame(caps, a, b, true);
	emu_set_history(term, true);
	more(term, out);
	while (emu_take_scrolled(term, &row, 1) == 1) {
		fb_row_release(row);
		n++;
	}
	CHECK(fb_row_cells_equal(emu_fb(term)->rows[23], emu_fb(b)->rows[23]));
	CHECK(fb_row_cells_equal(emu_fb(term)->rows[0], emu_fb(b)->rows[0]));
	emu_free(a);
	emu_free(b);
	emu_free(term);
	return n;
}

/* A terminal whose scrollback is the user's is never scrolled whole: that
 * would save the top row there; the moved rows are drawn again instead. */
TEST(keep_scrollback_never_scrolls_the_screen)
{
	const char *setup = "1\r\n2\r\n3\r\n4\r\n5\r\n6\r\n7\r\n8\r\n9\r\n10\r\n11\r\n12\r\n"
	                    "13\r\n14\r\n15\r\n16\r\n17\r\n18\r\n19\r\n20\r\n21\r\n22\r\n"
	                    "23\r\n24";
	struct tcaps plain = custom_caps(true, true, false), keep = plain;

	keep.keep_scrollback = true;
	CHECK(rows_saved(&plain, setup, "\r\n25") > 0);
	CHECK_EQ_INT(rows_saved(&keep, setup, "\r\n25"), 0);
}

int main(void)
{
	setenv("LANG", "C.UTF-8", 1);
	RUN(cursor_moves_short_and_absolute);
	RUN(cursor_after_last_column_uses_absolute_move);
	RUN(text_is_drawn_with_its_rendition);
	RUN(blank_runs_server);
	RUN(blank_runs_client_ech_bce);
	RUN(blank_runs_follow_terminfo);
	RUN(initial_frame_matches_mosh);
	RUN(titles);
	RUN(hostile_osc_strings_not_written);
	RUN(mouse_and_input_modes);
	RUN(scroll_shortcut);
	RUN(size_change_repaints);
	RUN(client_caps_from_terminfo);
	RUN(open_and_close_strings);
	RUN(wrapped_rows_continue_without_positioning);
	RUN(fallback_cell_exact_and_looks);
	RUN(renditions_by_flavour);
	RUN(links_by_flavour);
	RUN(client_bottom_row_mark_after_scroll);
	RUN(bottom_row_wrap_mark);
	RUN(wide_character_cut_at_the_edge);
	RUN(wide_character_gaining_the_wrap_mark_is_redrawn_whole);
	RUN(keep_scrollback_never_scrolls_the_screen);
	return test_done();
}
