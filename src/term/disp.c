/*
 * The display differ: framebuffer pair → escape string (doc/PROTOCOL.md §6.2).
 *
 * Model. A `struct frame` tracks what the terminal being painted is known to
 * be in while the string is built: cursor position (-1 = unknown; column ==
 * width means "just printed the last column", i.e. a pending wrap at
 * width-1), cursor visibility and the current rendition. It starts from the
 * old framebuffer's draw state — valid because every frame ends by setting
 * cursor, visibility and rendition (steps 9–11) — or from the state the
 * full-repaint preamble establishes.
 *
 * `olds[y]` is the row the terminal shows at y before row y is drawn: the old
 * framebuffer's row, moved by the scroll shortcut, or a blank row for lines a
 * scroll brought in. Rows are drawn top to bottom and cells left to right,
 * so a cell still holds its olds[] value when the walk reaches it.
 *
 * Departures from mosh 1.4's routine, each because mosh's output can leave
 * a terminal (or mosh's own emulator) showing something other than `new`:
 *  - unchanged cells are skipped one column at a time, not by their width, so
 *    a changed cell right of an unchanged wide character is still drawn, and
 *    after drawing a wide character the cell to its right is compared with
 *    what the print left there (a blank in the background colour);
 *  - when only the right half of a wide character changed (it gained the
 *    wrap mark) the whole character is printed again, never a lone blank;
 *  - a wide character in the last column (its right half fell off: ICH, a
 *    narrowing resize) is drawn as a space: printing it would wrap, and at
 *    the bottom scroll, the terminal;
 *  - backspace moves are not taken from the pending-wrap column (a terminal
 *    at "column width" backspaces from width-1);
 *  - exact mode (the server caps), where spaces are not blanks (the emulator
 *    stores " " for a printed space, "" for an erased cell): blank runs are
 *    erased with ECH whatever their length, also the blank tail of a wrapping
 *    row (all but the last cell, which the wrap needs printed) and a blank
 *    printed only to wrap; a fallback cell (contents begin with a combining
 *    character) is made by erasing the cell and printing the combiner there
 *    after an explicit move, instead of writing U+00A0 + contents; the wrap
 *    mark of the bottom row is set by printing its ends again with the cursor
 *    below a transient scroll region (ESC[1;2r), where the wrapping line feed
 *    cannot scroll.
 */
#include "term/disp.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "term/oscsafe.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/xmalloc.h"

/* Cursor moves up to this many rows down / columns left use LF / BS. */
#define DISP_SHORT_MOVE 4
/* Blank runs at least this long use ECH where allowed (mosh: "> 4"). */
#define DISP_ECH_MIN 5

struct frame {
	const struct tcaps *caps;
	bool exact;          /* reproduce new exactly in mosh's emulator (server caps) */
	struct fb_rend mask; /* the renditions the terminal shows (disp_rend_mask) */
	struct buf *out;
	int width, height;
	int cx, cy; /* assumed cursor; -1 = unknown; cx == width = pending wrap */
	bool cursor_visible;
	struct fb_rend rend;
};

static const struct fb_rend rend_default = {0};

static void put(struct frame *f, const char *s)
{
	buf_append_str(f->out, s);
}

static void put_n(struct frame *f, int n, char c)
{
	if (n <= 0)
		return;
	buf_reserve(f->out, (size_t)n);
	memset(f->out->data + f->out->len, c, (size_t)n);
	f->out->len += (size_t)n;
	f->out->data[f->out->len] = '\0';
}

/* Decimal without printf: this sits on the per-frame hot path. */
static void put_int(struct frame *f, int v)
{
	char tmp[12];
	int n = 0;

	ASSERT(v >= 0);
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	while (n > 0)
		buf_append_byte(f->out, (uint8_t)tmp[--n]);
}

static void put_csi_n(struct frame *f, int n, char final)
{
	put(f, "\033[");
	put_int(f, n);
	buf_append_byte(f->out, (uint8_t) final);
}

struct fb_rend disp_rend_mask(const struct tcaps *caps)
{
	struct fb_rend m = fb_rend_mask_all;

	if (!caps->faint)
		m.attr &= (uint8_t)~FB_ATTR_FAINT;
	if (!caps->strike)
		m.attr &= (uint8_t)~FB_ATTR_STRIKE;
	if (!caps->ul_style)
		m.ul_style = 0;
	if (!caps->ul_color)
		m.ul = 0;
	if (!caps->links)
		m.link = 0;
	return m;
}

struct fb_rend disp_rend_shown(const struct tcaps *caps, const struct fb_rend *r)
{
	struct fb_rend m = disp_rend_mask(caps);

	return fb_rend_masked(r, &m);
}

/* Renditions, cells and rows compared as the terminal shows them: a
 * difference it cannot show is no difference (a mosh 1.4 client gets no
 * bytes for it). */
static bool rend_eq(const struct frame *f, const struct fb_rend *a, const struct fb_rend *b)
{
	return fb_rend_equal_mask(a, b, &f->mask);
}

static bool cell_eq(const struct frame *f, const struct fb_cell *a, const struct fb_cell *b)
{
	return fb_cell_equal_mask(a, b, &f->mask);
}

static bool row_eq(const struct frame *f, const struct fb_row *a, const struct fb_row *b)
{
	return fb_row_equal_mask(a, b, &f->mask);
}

/* OSC 8 opening link id, or closing the open one (id 0). Ended with BEL,
 * not ST: our emulator, as mosh 1.4's, takes ST for a dispatch that clears a
 * pending wrap, and a link may change just before a wrapping print. */
static void put_link(struct frame *f, uint16_t id)
{
	const char *params, *uri;

	put(f, "\033]8;");
	if (fb_link_get(id, &params, &uri)) {
		put(f, params);
		buf_append_byte(f->out, ';');
		put(f, uri);
	} else {
		buf_append_byte(f->out, ';');
	}
	buf_append_byte(f->out, '\a');
}

/* Set the terminal's rendition (SGR) and open link (OSC 8) to r's. */
static void update_rend(struct frame *f, const struct fb_rend *r, bool force)
{
	struct fb_rend m = disp_rend_shown(f->caps, r);
	struct fb_rend sgr = m, was = f->rend;

	sgr.link = was.link = 0;
	if (force || !fb_rend_equal(&was, &sgr))
		fb_rend_sgr(&sgr, f->out);
	if (f->caps->links && (force || m.link != f->rend.link))
		put_link(f, m.link);
	f->rend = m;
}

/* Move the cursor (step 9): CR/LF or BS for short moves from a known position, else CUP. */
static void move_to(struct frame *f, int y, int x)
{
	int lx = f->cx, ly = f->cy;

	f->cx = x;
	f->cy = y;
	if (lx >= 0 && ly >= 0) {
		if (x == 0 && y >= ly && y - ly <= DISP_SHORT_MOVE) {
			if (lx != 0)
				buf_append_byte(f->out, '\r');
			put_n(f, y - ly, '\n');
			return;
		}
		if (y == ly && lx < f->width && x < lx && lx - x <= DISP_SHORT_MOVE) {
			put_n(f, lx - x, '\b');
			return;
		}
	}
	put(f, "\033[");
	put_int(f, y + 1);
	buf_append_byte(f->out, ';');
	put_int(f, x + 1);
	buf_append_byte(f->out, 'H');
}

/* Move while drawing: hide the cursor first so it does not flicker across the screen. */
static void silent_move(struct frame *f, int y, int x)
{
	if (f->cx == x && f->cy == y)
		return;
	if (f->cursor_visible) {
		put(f, "\033[?25l");
		f->cursor_visible = false;
	}
	move_to(f, y, x);
}

/* An OSC whose body passed its oscsafe check; one that fails is not written
 * at all (the emulator never stores one: this is the second line of defence
 * between a server and the user's terminal). */
static void put_osc(struct frame *f, const char *prefix, const struct fb_str *s,
                    bool (*safe)(const char *, size_t))
{
	if (!safe(fb_str_data(s), fb_str_len(s)))
		return;
	put(f, prefix);
	buf_append(f->out, fb_str_data(s), fb_str_len(s));
	buf_append_byte(f->out, '\a');
}

/* The text of a cell as a terminal is told to print it (§6.1). */
static void put_grapheme(struct frame *f, const struct fb_cell *c)
{
	if (c->len == 0) {
		buf_append_byte(f->out, ' ');
		return;
	}
	if (c->flags & FB_CELL_FALLBACK)
		put(f, "\xC2\xA0");
	buf_append(f->out, c->text, c->len);
}

static int cell_width(const struct fb_cell *c)
{
	return (c->flags & FB_CELL_WIDE) ? 2 : 1;
}

static bool cell_empty(const struct fb_cell *c)
{
	return c->len == 0;
}

/*
 * The cell to draw at column x of a row w wide. A wide character in the last
 * column (its right half fell off: ICH, or a resize that narrowed the row)
 * cannot be printed — a terminal would wrap it to the next line and maybe
 * scroll — so it is drawn as a space in its background.
 */
static const struct fb_cell *drawable(const struct fb_cell *c, int x, int w, struct fb_cell *sub)
{
	struct fb_rend bg;

	if (x != w - 1 || !(c->flags & FB_CELL_WIDE))
		return c;
	bg = (struct fb_rend){.bg = c->rend.bg};
	memset(sub, 0, sizeof(*sub));
	fb_cell_reset(sub, &bg);
	fb_cell_set_cp(sub, ' ');
	sub->flags = c->flags & FB_CELL_WRAP;
	return sub;
}

/*
 * The cell a print of a wide character leaves to its right: erased in its
 * background; when it is the last cell of a wrapping row, the wrap that
 * follows (continuation) marks it.
 */
static void right_half_of(const struct fb_cell *wide, bool wraps, struct fb_cell *out)
{
	struct fb_rend bg = {.bg = wide->rend.bg};

	memset(out, 0, sizeof(*out));
	fb_cell_reset(out, &bg);
	if (wraps)
		out->flags |= FB_CELL_WRAP;
}

/*
 * Draw one changed, non-empty cell at (y, x), the cursor already placed
 * (except for exact fallback cells, which place it themselves).
 */
static void draw_cell(struct frame *f, int y, int x, const struct fb_cell *c)
{
	if (f->exact && (c->flags & FB_CELL_FALLBACK)) {
		/* A combiner printed on an empty cell after an explicit move: fallback. */
		f->cx = -1;
		silent_move(f, y, x);
		update_rend(f, &c->rend, false);
		put(f, "\033[1X");
		buf_append(f->out, c->text, c->len);
		f->cx = x + 1;
		return;
	}
	silent_move(f, y, x);
	update_rend(f, &c->rend, false);
	put_grapheme(f, c);
	f->cx += cell_width(c);
}

/* Whether a blank run in rendition r may be erased (rather than written as spaces). */
static bool can_erase(const struct frame *f, const struct fb_rend *r)
{
	struct fb_rend m = disp_rend_shown(f->caps, r);

	if (f->exact)
		return m.fg == 0 && m.attr == 0 && m.ul == 0 && m.link == 0;
	return f->caps->bce || fb_rend_equal(&f->rend, &rend_default);
}

/* Flush a blank run of n cells in rendition r ending before column x (not at end of row). */
static void flush_run(struct frame *f, int y, int x, int n, const struct fb_rend *r)
{
	silent_move(f, y, x - n);
	update_rend(f, r, false);
	if (f->caps->ech && can_erase(f, r) && (n >= DISP_ECH_MIN || f->exact)) {
		put_csi_n(f, n, 'X');
	} else {
		put_n(f, n, ' ');
		f->cx = x;
	}
}

/*
 * Print c as cell 0 of row y while the terminal sits in pending wrap at the
 * end of the row above (or, for wrap_bottom_row, of row y itself): the print
 * wraps, which marks that row wrapped. In exact mode, repair what a plain
 * print cannot make: a fallback cell (placeholder, then the combiner in
 * place) and an empty cell (erased again) — unless keep_pending, when the
 * next print must wrap once more (a one-column row that wraps on).
 */
static void wrap_into(struct frame *f, int y, const struct fb_cell *c, bool keep_pending)
{
	update_rend(f, &c->rend, false);
	if (f->exact && (c->flags & FB_CELL_FALLBACK)) {
		put(f, "\xC2\xA0");
		f->cx = 1;
		f->cy = y;
		draw_cell(f, y, 0, c);
		return;
	}
	put_grapheme(f, c);
	f->cx = cell_width(c);
	f->cy = y;
	if (f->exact && cell_empty(c) && !keep_pending && can_erase(f, &c->rend)) {
		silent_move(f, y, 0);
		put(f, "\033[1X");
	}
}

/*
 * Exact mode: give the bottom row its wrap flag. The terminal has just
 * printed the last cell (pending wrap); a print now would wrap and scroll, so
 * the cursor is first put below a transient scroll region, where the line
 * feed of the wrap cannot scroll. Then cell 0 is printed again in place.
 */
static void wrap_bottom_row(struct frame *f, const struct fb_row *row)
{
	const int w = row->width;
	/* The last printed cell: a wide character's left half when it ends the
	 * row, unless a character was printed over its right half. */
	const int lx =
	    w >= 2 && (row->cells[w - 2].flags & FB_CELL_WIDE) && cell_empty(&row->cells[w - 1])
	        ? w - 2
	        : w - 1;
	const struct fb_cell *last = &row->cells[lx];
	const struct fb_cell *first = &row->cells[0];
	int y = f->height - 1;

	if (f->height < 3 || lx < cell_width(first) || lx + cell_width(last) > w ||
	    (cell_empty(first) && !can_erase(f, &first->rend)))
		return;
	put(f, "\033[1;2r");
	f->cx = f->cy = -1;
	draw_cell(f, y, lx, last);
	wrap_into(f, y, first, false);
	if (cell_width(first) == 2) {
		/* Printing the wide character again erased the cell to its right. */
		struct fb_cell rh;
		const struct fb_cell *c1 = &row->cells[1];

		right_half_of(first, false, &rh);
		if (!cell_eq(f, c1, &rh)) {
			if (cell_empty(c1)) {
				silent_move(f, y, 1);
				update_rend(f, &c1->rend, false);
				put(f, can_erase(f, &c1->rend) ? "\033[1X" : " ");
				f->cx = -1;
			} else {
				draw_cell(f, y, 1, c1);
			}
		}
	}
	put(f, "\033[r");
	f->cx = f->cy = -1;
}

/*
 * Draw row y of new over the terminal's row old (NULL: nothing known). wrap:
 * the previous row asked for a wrap continuation. Returns whether this row
 * asks for one.
 */
static bool put_row(struct frame *f, bool initialized, const struct fb_row *row,
                    const struct fb_row *old, int y, bool wrap)
{
	const int w = f->width;
	const bool wrap_this = fb_row_wrap(row);
	int x = 0;
	int run = 0;
	struct fb_rend run_rend = rend_default;
	bool wrote_last = false;
	struct fb_cell right; /* what the terminal holds right of a just-drawn wide cell */
	int right_x = -1;
	bool redraw = false; /* draw the cell at x even if unchanged */

	if (wrap) {
		/* The terminal sits in pending wrap at the end of row y-1: printing wraps. */
		struct fb_cell sub;
		const struct fb_cell *c = drawable(&row->cells[0], 0, w, &sub);

		wrap_into(f, y, c, w == 1 && wrap_this && y < f->height - 1);
		x = 1;
		wrote_last = cell_width(c) >= w;
		if (cell_width(c) == 2 && w > 1) {
			right_half_of(c, wrap_this && w == 2, &right);
			right_x = 1;
		}
	}
	if (initialized && row == old)
		return false;

	while (x < w) {
		struct fb_cell sub;
		const struct fb_cell *c = drawable(&row->cells[x], x, w, &sub);
		const struct fb_cell *oc = NULL;

		if (x == right_x)
			oc = &right;
		else if (initialized && old != NULL)
			oc = &old->cells[x];
		if (run == 0 && !redraw && oc != NULL && cell_eq(f, c, oc)) {
			x++;
			continue;
		}
		/*
		 * The right half of an unchanged wide character changed (it gained
		 * the wrap mark): a blank printed there would split the character on
		 * a real terminal, so print the whole character again.
		 */
		if (run == 0 && !redraw && x > 0 && x != right_x && cell_empty(c) &&
		    (row->cells[x - 1].flags & FB_CELL_WIDE)) {
			x--;
			redraw = true;
			continue;
		}
		redraw = false;
		if (cell_empty(c)) {
			if (run == 0)
				run_rend = c->rend;
			if (rend_eq(f, &c->rend, &run_rend)) {
				run++;
				x++;
				continue;
			}
		}
		if (run > 0) {
			flush_run(f, y, x, run, &run_rend);
			run = 0;
			if (cell_empty(c)) {
				run_rend = c->rend;
				run = 1;
				x++;
				continue;
			}
		}
		/*
		 * The last cell of a wrapping row gets an absolute move: the old
		 * terminal state may sit in pending wrap there, ours is known.
		 */
		if (wrap_this && x + cell_width(c) >= w)
			f->cx = f->cy = -1;
		draw_cell(f, y, x, c);
		if (cell_width(c) == 2 && x + 1 < w) {
			right_half_of(c, wrap_this && x + 2 == w, &right);
			right_x = x + 1;
		}
		x += 1;
		if (x + (cell_width(c) - 1) >= w)
			wrote_last = true;
	}

	if (run > 0) {
		struct fb_cell sub;
		const struct fb_cell *last = drawable(&row->cells[w - 1], w - 1, w, &sub);
		const struct fb_cell *old_last = right_x == w - 1     ? &right
		                                 : initialized && old ? &old->cells[w - 1]
		                                                      : NULL;

		silent_move(f, y, x - run);
		update_rend(f, &run_rend, false);
		if (can_erase(f, &run_rend) && !wrap_this) {
			put(f, "\033[K");
		} else if (f->exact && f->caps->ech && can_erase(f, &run_rend) &&
		           old_last != NULL && cell_eq(f, last, old_last)) {
			/*
			 * A wrapping row ending in blanks whose last cell (and wrap
			 * mark) the terminal already holds: erase up to it. Spaces
			 * would leave " " where new has empty cells.
			 */
			if (run > 1)
				put_csi_n(f, run - 1, 'X');
		} else if (f->exact && f->caps->ech && can_erase(f, &run_rend) && run > 1) {
			/* Erase all but the last cell, which a print must fill to wrap. */
			put_csi_n(f, run - 1, 'X');
			silent_move(f, y, w - 1);
			buf_append_byte(f->out, ' ');
			f->cx = w;
			wrote_last = true;
		} else {
			put_n(f, run, ' ');
			f->cx = x;
			wrote_last = true;
		}
	}

	if (wrote_last && y < f->height - 1) {
		if (wrap_this) {
			/* Let the terminal wrap by itself: copy/paste then joins the lines. */
			f->cx = 0;
			f->cy++;
			return true;
		}
		put(f, "\r\n");
		f->cx = 0;
		f->cy++;
	} else if (wrote_last && wrap_this && f->exact) {
		wrap_bottom_row(f, row);
	}
	return false;
}

static struct fb_row *blank_row_new(int width)
{
	struct fb_row *r = xcalloc(1, sizeof(*r) + (size_t)width * sizeof(struct fb_cell));

	r->refs = 1;
	r->width = width;
	for (int x = 0; x < width; x++)
		fb_cell_reset(&r->cells[x], &rend_default);
	return r;
}

/*
 * The client flavour never gives a real terminal's bottom row its wrap mark
 * (only exact mode does, wrap_bottom_row): when old's bottom row has one, what
 * the terminal holds there is a copy without it, so that a scroll or a later
 * frame that moves the row up draws the mark. NULL when old's row is right.
 */
static struct fb_row *unmarked_bottom(const struct frame *f, const struct fb_row *row)
{
	struct fb_row *r;

	if (f->exact || !fb_row_wrap(row))
		return NULL;
	r = blank_row_new(row->width);
	memcpy(r->cells, row->cells, (size_t)row->width * sizeof(struct fb_cell));
	r->gen = row->gen;
	r->cells[row->width - 1].flags &= (uint8_t)~FB_CELL_WRAP;
	return r;
}

/*
 * Scroll shortcut (step 7): if new row 0 is an old row r > 0, scroll the
 * block of matching rows [r, r + sh) up by r instead of redrawing it. Updates olds[] and
 * returns the number of rows already in place.
 */
static int scroll_shortcut(struct frame *f, const struct fb *new, const struct fb_row **olds,
                           struct fb_row **blank)
{
	const int h = f->height;
	const struct fb_row *top = new->rows[0];
	int r, sh, bottom;

	for (r = 0; r < h; r++)
		if (row_eq(f, top, olds[r]))
			break;
	if (r == 0 || r == h)
		return 0;
	for (sh = 1; r + sh < h; sh++)
		if (!row_eq(f, new->rows[sh], olds[r + sh]))
			break;

	update_rend(f, &rend_default, true);
	bottom = r + sh - 1;
	if (r + sh == h && f->cy == h - 1) {
		buf_append_byte(f->out, '\r');
		put_n(f, r, '\n');
		f->cx = 0;
	} else {
		put(f, "\033[1;");
		put_int(f, bottom + 1);
		buf_append_byte(f->out, 'r');
		f->cx = f->cy = -1;
		silent_move(f, bottom, 0);
		put_n(f, r, '\n');
		put(f, "\033[r");
		f->cx = f->cy = -1;
	}
	for (int i = 0; i + r <= bottom; i++)
		olds[i] = olds[i + r];
	if (*blank == NULL)
		*blank = blank_row_new(f->width);
	for (int i = bottom - r + 1; i <= bottom; i++)
		olds[i] = *blank;
	return sh;
}

static void put_mode(struct frame *f, int mode, bool on)
{
	put(f, "\033[?");
	put_int(f, mode);
	buf_append_byte(f->out, on ? 'h' : 'l');
}

static void put_modes(struct frame *f, const struct fb_ds *o, const struct fb_ds *n,
                      bool initialized)
{
	if (!initialized || o->bracketed_paste != n->bracketed_paste)
		put_mode(f, 2004, n->bracketed_paste);
	if (!initialized || o->mouse_mode != n->mouse_mode) {
		if (n->mouse_mode == 0) {
			put(f, "\033[?1003l\033[?1002l\033[?1001l\033[?1000l");
		} else {
			if (initialized && o->mouse_mode != 0)
				put_mode(f, o->mouse_mode, false);
			put_mode(f, n->mouse_mode, true);
		}
	}
	if (!initialized || o->mouse_focus != n->mouse_focus)
		put_mode(f, 1004, n->mouse_focus);
	if (!initialized || o->mouse_enc != n->mouse_enc) {
		if (n->mouse_enc == 0) {
			put(f, "\033[?1015l\033[?1006l\033[?1005l");
		} else {
			if (initialized && o->mouse_enc != 0)
				put_mode(f, o->mouse_enc, false);
			put_mode(f, n->mouse_enc, true);
		}
	}
}

void disp_frame(const struct tcaps *caps, const struct fb *old, const struct fb *new,
                bool initialized, struct buf *out)
{
	struct frame f;
	const struct fb_ds *nd = &new->ds;
	const struct fb_row **olds = NULL;
	struct fb_row *blank = NULL, *bottom = NULL;
	int y = 0;
	bool wrap = false;

	memset(&f, 0, sizeof(f));
	f.caps = caps;
	f.exact = caps->exact;
	f.mask = disp_rend_mask(caps);
	f.out = out;
	f.width = nd->width;
	f.height = nd->height;
	if (old == NULL)
		initialized = false;

	/* 1. bell; 2. titles; 3. clipboard; 4. reverse video */
	if (old != NULL && old->bell != new->bell)
		buf_append_byte(out, '\a');
	if (caps->titles && new->title_init &&
	    (!initialized || !fb_str_equal(old->icon, new->icon) ||
	     !fb_str_equal(old->title, new->title))) {
		if (fb_str_equal(new->icon, new->title)) {
			put_osc(&f, "\033]0;", new->title, oscsafe_text);
		} else {
			put_osc(&f, "\033]1;", new->icon, oscsafe_text);
			put_osc(&f, "\033]2;", new->title, oscsafe_text);
		}
	}
	if (!fb_str_equal(old ? old->clipboard : NULL, new->clipboard))
		put_osc(&f, "\033]52;c;", new->clipboard, oscsafe_clipboard);
	if (!initialized || old->ds.reverse_video != nd->reverse_video)
		put_mode(&f, 5, nd->reverse_video);

	/* 5. size change ⇒ clear and repaint; else continue from old's draw state */
	if (!initialized || old->ds.width != nd->width || old->ds.height != nd->height) {
		put(&f, "\033[r\033[0m\033[H\033[2J");
		if (caps->links)
			put_link(&f, 0);
		initialized = false;
		f.cx = f.cy = 0;
		f.rend = rend_default;
	} else {
		f.cx = old->ds.cur_col;
		f.cy = old->ds.cur_row;
		f.rend = disp_rend_shown(caps, &old->ds.rend);
		f.rend.link = f.exact ? f.rend.link : 0;
		f.cursor_visible = old->ds.cursor_visible;
	}
	/* 6. the cursor stays hidden while a full repaint draws */
	if (!initialized) {
		f.cursor_visible = false;
		put(&f, "\033[?25l");
	}

	/* 7. scroll shortcut; 8. rows */
	if (initialized) {
		olds = xmalloc((size_t)f.height * sizeof(*olds));
		for (int i = 0; i < f.height; i++)
			olds[i] = old->rows[i];
		bottom = unmarked_bottom(&f, olds[f.height - 1]);
		if (bottom != NULL)
			olds[f.height - 1] = bottom;
		if (!caps->keep_scrollback)
			y = scroll_shortcut(&f, new, olds, &blank);
	}
	for (; y < f.height; y++)
		wrap = put_row(&f, initialized, new->rows[y], olds ? olds[y] : NULL, y, wrap);
	free(olds);
	free(blank);
	free(bottom);

	/* 9. cursor position; 10. visibility; 11. rendition */
	if (!initialized || f.cx != nd->cur_col || f.cy != nd->cur_row)
		move_to(&f, nd->cur_row, nd->cur_col);
	if (!initialized || f.cursor_visible != nd->cursor_visible) {
		put_mode(&f, 25, nd->cursor_visible);
		f.cursor_visible = nd->cursor_visible;
	}
	{
		/* A real terminal is left with no link open between frames: the
		 * client writes other things to it (history rows, its exit). */
		struct fb_rend end = nd->rend;

		end.link = f.exact ? end.link : 0;
		update_rend(&f, &end, !initialized);
	}

	/* 12–15. input modes */
	put_modes(&f, initialized ? &old->ds : NULL, nd, initialized);
}

static void server_caps(struct tcaps *caps, bool ext)
{
	if (ext)
		tcaps_server_ext(caps);
	else
		tcaps_server(caps);
}

void disp_server(const struct fb *old, const struct fb *new, bool initialized, bool ext,
                 struct buf *out)
{
	struct tcaps caps;

	server_caps(&caps, ext);
	disp_frame(&caps, old, new, initialized, out);
}

bool disp_server_equal(const struct fb *a, const struct fb *b, bool ext)
{
	struct tcaps caps;
	struct fb_rend mask;

	server_caps(&caps, ext);
	mask = disp_rend_mask(&caps);
	return fb_equal_mask(a, b, &mask);
}

void disp_open(const struct tcaps *caps, bool term_init, struct buf *out)
{
	if (term_init)
		buf_append_str(out, caps->smcup);
	buf_append_str(out, "\033[?1h");
}

void disp_close(const struct tcaps *caps, bool term_init, struct buf *out)
{
	buf_append_str(out, "\033[?1l\033[0m\033[?25h"
	                    "\033[?1003l\033[?1002l\033[?1001l\033[?1000l"
	                    "\033[?1015l\033[?1006l\033[?1005l");
	/* A link left open would go on marking whatever the shell prints next. */
	if (caps->links)
		buf_append_str(out, "\033]8;;\a");
	if (term_init)
		buf_append_str(out, caps->rmcup);
}
