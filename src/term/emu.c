/*
 * The emulator: UTF-8 decoder → vtparse → control functions → framebuffer,
 * with mosh 1.4's exact semantics (doc/PROTOCOL.md §8.3–§8.7).
 *
 * Model:
 *  - Cursor moves follow mosh's DrawState: every move clamps the cursor into
 *    the screen (rows into the scroll region when origin mode is on). An
 *    explicit move makes the new position the combining-character target and
 *    clears the pending-wrap flag; the implicit move after a print makes the
 *    cell just written the target and sets pending-wrap when the cursor passes
 *    the last column.
 *  - Every dispatch (control, ESC, CSI) clears pending-wrap first, unless its
 *    handler is marked "keeps wrap"; unknown keys clear it too and are counted.
 *  - Handlers live in one table sorted by (kind, key); key = collected
 *    characters + final character (ESC, CSI) or the control code point.
 *  - Repeat counts are clamped to what the screen can show, so no hostile
 *    parameter costs more than O(screen).
 *  - Work budget: a stream of O(screen) operations (ED, DECALN, scrolls,
 *    IL/DL, ICH/DCH/ECH on a 1M-cell screen) would still cost minutes for a
 *    4 MiB hoststring or pty burst. Every operation that clears, fills or
 *    shifts cells pays their number from a budget (EMU_WORK_BUDGET, refilled
 *    at each emu_write, or once per emu_budget_begin); an operation the budget
 *    cannot pay is skipped and counted in stats.collapsed. Cursor moves,
 *    prints and modes always apply. Honest output does not run dry: a whole
 *    16 KiB pty read of line feeds on a 2000-column screen costs 32M cells,
 *    and a server diff touches each cell a bounded number of times.
 *  - Fast paths, in Ground state with no UTF-8 sequence pending, each with
 *    the exact result of the byte-at-a-time path (tests/unit/term/test_emu.c
 *    and fuzz/fuzz_emu.c compare them): a run of printable ASCII is written
 *    straight into the current row; a well-formed UTF-8 character of width 1
 *    or 2 is stored from its bytes; C0 controls are executed without the
 *    parser; a complete CSI sequence of the common form is parsed in one
 *    loop (vtparse_csi_run). Anything unusual (wrap, insert mode, margins,
 *    intermediates, a sequence split across writes) takes the general path,
 *    as does everything when emu_set_fast_path turned them off.
 *  - The alternate screen follows xterm, not mosh 1.4 (which ignores it):
 *    see alt_screen_mode; the buffers themselves live in the framebuffer.
 *  - History (emu_set_history): a scroll of a region that starts at row 0 of
 *    the primary screen (LF/IND/NEL at the bottom margin, SU, the autowrap
 *    that scrolls) moves each row leaving the top into a FIFO of at most
 *    EMU_SCROLLED_MAX rows, the framebuffer's reference and all (no copy).
 *    Nothing else is reported: not the alternate screen, a region below row
 *    0, rows leaving the bottom (RI, SD, IL, DL), erases, resizes or RIS. A
 *    scroll by more than the region height reports the region's rows only:
 *    the blank rows that would follow them never held anything. When the
 *    FIFO is full the oldest row is dropped and counted, so what is kept
 *    always joins the top of the screen.
 */
#include "term/emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "term/charwidth.h"
#include "term/oscsafe.h"
#include "term/utf8.h"
#include "term/vtparse.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/xmalloc.h"

/* Replies beyond this are dropped (a flood of DSR queries must not grow memory). */
#define EMU_REPLY_MAX 65536
/* mosh truncates titles at this many characters of the OSC string. */
#define EMU_TITLE_OSC_MAX 256

/* Rows that left the top of the primary screen: a ring of EMU_SCROLLED_MAX
 * references; ring == NULL while history is off. */
struct scrolled {
	struct fb_row **ring;
	size_t head, len;
	uint64_t dropped;
};

struct emu {
	struct fb *fb;
	struct utf8_dec dec;
	struct buf replies;
	struct emu_stats stats;
	struct scrolled scrolled;
	uint64_t work_left; /* cells the budget can still pay */
	bool budget_manual; /* emu_budget_begin was called: emu_write does not refill */
	bool slow;          /* fast path off (tests) */
	bool sync;          /* DEC mode 2026 (synchronized output) is set */
	struct vtparse vp;  /* last: large */
};

/* RIS frees and allocates the rows: a cell allocated (malloc, page faults)
 * costs about as much as this many cleared. */
#define EMU_ALLOC_WEIGHT 16

/* Pay for an operation touching `cells` cells, or refuse (the caller skips it). */
static bool afford(struct emu *emu, uint64_t cells)
{
	if (cells > emu->work_left) {
		emu->stats.collapsed++;
		return false;
	}
	emu->work_left -= cells;
	return true;
}

/* Cursor movement (mosh DrawState) */

static int limit_top(const struct fb_ds *ds)
{
	return ds->origin ? ds->top : 0;
}

static int limit_bottom(const struct fb_ds *ds)
{
	return ds->origin ? ds->bottom : ds->height - 1;
}

static void snap_cursor(struct fb_ds *ds)
{
	if (ds->cur_row < limit_top(ds))
		ds->cur_row = limit_top(ds);
	if (ds->cur_row > limit_bottom(ds))
		ds->cur_row = limit_bottom(ds);
	if (ds->cur_col < 0)
		ds->cur_col = 0;
	if (ds->cur_col >= ds->width)
		ds->cur_col = ds->width - 1;
}

static void new_grapheme(struct fb_ds *ds)
{
	ds->comb_row = ds->cur_row;
	ds->comb_col = ds->cur_col;
}

static void move_row(struct fb_ds *ds, int n, bool relative)
{
	if (relative)
		ds->cur_row += n;
	else
		ds->cur_row = n + (ds->origin ? ds->top : 0);
	snap_cursor(ds);
	new_grapheme(ds);
	ds->next_wrap = false;
}

static void move_col(struct fb_ds *ds, int n, bool relative, bool implicit)
{
	if (implicit)
		new_grapheme(ds);
	if (relative)
		ds->cur_col += n;
	else
		ds->cur_col = n;
	if (implicit)
		ds->next_wrap = ds->cur_col >= ds->width;
	snap_cursor(ds);
	if (!implicit) {
		new_grapheme(ds);
		ds->next_wrap = false;
	}
}

static void move_to(struct fb_ds *ds, int row, int col)
{
	move_row(ds, row, false);
	move_col(ds, col, false, false);
}

/* History */

/* fb_keep_fn: queue a row that left the top, dropping the oldest when full. */
static void scrolled_push(void *user, struct fb_row *row)
{
	struct scrolled *q = user;

	if (q->len == EMU_SCROLLED_MAX) {
		fb_row_release(q->ring[q->head]);
		q->head = (q->head + 1) % EMU_SCROLLED_MAX;
		q->len--;
		q->dropped++;
	}
	q->ring[(q->head + q->len) % EMU_SCROLLED_MAX] = row;
	q->len++;
}

/* Move up to max queued rows, oldest first, into out; returns how many. */
static size_t scrolled_take(struct scrolled *q, struct fb_row **out, size_t max)
{
	size_t n = 0;

	for (; n < max && q->len > 0; n++) {
		out[n] = q->ring[q->head];
		q->head = (q->head + 1) % EMU_SCROLLED_MAX;
		q->len--;
	}
	return n;
}

/* Release every queued row and the ring: history off. */
static void scrolled_fini(struct scrolled *q)
{
	struct fb_row *row;

	if (q->ring == NULL)
		return;
	while (scrolled_take(q, &row, 1) == 1)
		fb_row_release(row);
	free(q->ring);
	memset(q, 0, sizeof *q);
}

/* Scroll rows top..bottom: n > 0 moves content up, n < 0 down; the rows
 * that enter are cleared, which is what costs. */
static void scroll_rows(struct emu *emu, int top, int bottom, int n)
{
	struct fb *fb = emu->fb;
	int64_t k = n < 0 ? -(int64_t)n : n;

	if (k > bottom - top + 1)
		k = bottom - top + 1;
	if (k > 0 && afford(emu, (uint64_t)k * (uint64_t)fb->ds.width))
		fb_scroll_rows(fb, top, bottom, n);
}

/* Scroll the region: n > 0 moves content up, n < 0 down. */
static void scroll_region(struct emu *emu, int n)
{
	struct fb *fb = emu->fb;
	int k = n > fb->ds.bottom + 1 ? fb->ds.bottom + 1 : n;

	/* Rows leaving the top of the primary screen go to the history queue. */
	if (n > 0 && emu->scrolled.ring != NULL && fb->ds.top == 0 && !fb->ds.alt_screen) {
		if (afford(emu, (uint64_t)k * (uint64_t)fb->ds.width))
			fb_scroll_up_keep(fb, 0, fb->ds.bottom, n, scrolled_push, &emu->scrolled);
		return;
	}
	scroll_rows(emu, fb->ds.top, fb->ds.bottom, n);
}

/* Line feed by n rows (negative: reverse), scrolling at the region's edges. */
static void move_rows_autoscroll(struct emu *emu, int n)
{
	struct fb_ds *ds = &emu->fb->ds;

	if (ds->cur_row >= ds->top && ds->cur_row <= ds->bottom) {
		if (ds->cur_row + n > ds->bottom) {
			int k = ds->cur_row + n - ds->bottom;

			scroll_region(emu, k);
			move_row(ds, -k, true);
		} else if (ds->cur_row + n < ds->top) {
			int k = ds->cur_row + n - ds->top;

			scroll_region(emu, k);
			move_row(ds, -k, true);
		}
	}
	move_row(ds, n, true);
}

/* Tab stop n steps away (n > 0 forward, n < 0 backward), as mosh's get_next_tab.
 * The scan reads up to a row of stops: it is paid from the budget, and when the
 * budget cannot pay a whole row the move collapses to the end it would reach
 * past the last stop. */
static int next_tab(struct emu *emu, int n)
{
	const struct fb_ds *ds = &emu->fb->ds;
	int x;

	if (!afford(emu, (uint64_t)ds->width))
		return n >= 0 ? -1 : 0;
	if (n >= 0) {
		for (x = ds->cur_col + 1; x < ds->width; x++) {
			if (ds->tabs[x] && --n == 0)
				break;
		}
		emu->work_left += (uint64_t)(ds->width - (x - ds->cur_col));
		return x < ds->width ? x : -1;
	}
	for (x = ds->cur_col - 1; x > 0; x--) {
		if (ds->tabs[x] && ++n == 0)
			break;
	}
	emu->work_left += (uint64_t)(ds->width - (ds->cur_col - x));
	return x > 0 ? x : 0;
}

/* HT/CHT/CBT: keeps the pending-wrap flag but starts a new grapheme. */
static void tab_n(struct emu *emu, int n)
{
	struct fb_ds *ds = &emu->fb->ds;
	int col = next_tab(emu, n);
	bool wrap = ds->next_wrap;

	if (col < 0)
		col = ds->width - 1;
	move_col(ds, col, false, false);
	ds->next_wrap = wrap;
}

/* Cells */

static void clear_cells(struct emu *emu, int y, int from, int to)
{
	struct fb *fb = emu->fb;
	struct fb_rend bg = fb_bg_rend(fb);
	struct fb_row *row;

	if (from > to || !afford(emu, (uint64_t)(to - from + 1)))
		return;
	row = fb_mut_row(fb, y);
	for (int x = from; x <= to; x++)
		fb_cell_reset(&row->cells[x], &bg);
}

/* Blank whole rows from..to (inclusive), each a fresh generation. */
static void clear_rows(struct emu *emu, int from, int to)
{
	if (from > to || !afford(emu, (uint64_t)(to - from + 1) * (uint64_t)emu->fb->ds.width))
		return;
	for (int y = from; y <= to; y++)
		fb_new_row_at(emu->fb, y);
}

static void insert_cells(struct emu *emu, int y, int x, int n)
{
	struct fb *fb = emu->fb;
	struct fb_rend bg = fb_bg_rend(fb);
	struct fb_row *row;
	int w = fb->ds.width;

	if (x >= w || !afford(emu, (uint64_t)(w - x)))
		return;
	row = fb_mut_row(fb, y);
	if (n > w - x)
		n = w - x;
	memmove(&row->cells[x + n], &row->cells[x], (size_t)(w - x - n) * sizeof row->cells[0]);
	for (int i = x; i < x + n; i++)
		fb_cell_reset(&row->cells[i], &bg);
}

static void delete_cells(struct emu *emu, int y, int x, int n)
{
	struct fb *fb = emu->fb;
	struct fb_rend bg = fb_bg_rend(fb);
	struct fb_row *row;
	int w = fb->ds.width;

	if (x >= w || !afford(emu, (uint64_t)(w - x)))
		return;
	row = fb_mut_row(fb, y);
	if (n > w - x)
		n = w - x;
	memmove(&row->cells[x], &row->cells[x + n], (size_t)(w - x - n) * sizeof row->cells[0]);
	for (int i = w - n; i < w; i++)
		fb_cell_reset(&row->cells[i], &bg);
}

static void set_row_wrap(struct fb *fb, int y, bool wrap)
{
	struct fb_row *row = fb_mut_row(fb, y);
	struct fb_cell *last = &row->cells[row->width - 1];

	if (wrap)
		last->flags |= FB_CELL_WRAP;
	else
		last->flags &= (uint8_t)~FB_CELL_WRAP;
}

/* Printing (§8.6) */

static void print_cp(struct emu *emu, uint32_t cp)
{
	struct fb *fb = emu->fb;
	struct fb_ds *ds = &fb->ds;
	int w = cw_width(cp);
	struct fb_cell *cell;

	if (w < 0)
		return;
	if (w == 0) {
		if (ds->comb_row < 0 || ds->comb_col < 0 || ds->comb_row >= ds->height ||
		    ds->comb_col >= ds->width)
			return;
		cell = fb_mut_cell(fb, ds->comb_row, ds->comb_col);
		if (cell->len == 0) {
			cell->flags |= FB_CELL_FALLBACK;
			move_col(ds, 1, true, true);
		}
		fb_cell_append_cp(cell, cp);
		return;
	}
	if (ds->autowrap && ds->next_wrap) {
		set_row_wrap(fb, ds->cur_row, true);
		move_col(ds, 0, false, false);
		move_rows_autoscroll(emu, 1);
	} else if (ds->autowrap && w == 2 && ds->cur_col == ds->width - 1) {
		struct fb_rend bg = fb_bg_rend(fb);

		fb_cell_reset(fb_mut_cell(fb, ds->cur_row, ds->cur_col), &bg);
		set_row_wrap(fb, ds->cur_row, false);
		move_col(ds, 0, false, false);
		move_rows_autoscroll(emu, 1);
	}
	if (ds->insert)
		insert_cells(emu, ds->cur_row, ds->cur_col, w);
	cell = fb_mut_cell(fb, ds->cur_row, ds->cur_col);
	fb_cell_set_cp(cell, cp);
	cell->flags = w == 2 ? FB_CELL_WIDE : 0;
	cell->rend = ds->rend;
	if (w == 2 && ds->cur_col + 1 < ds->width) {
		struct fb_rend bg = fb_bg_rend(fb);

		fb_cell_reset(fb_mut_cell(fb, ds->cur_row, ds->cur_col + 1), &bg);
	}
	move_col(ds, w, true, true);
}

/* A run of printable ASCII (0x20–0x7E): same result as print_cp on each byte. */
static void print_ascii(struct emu *emu, const uint8_t *s, size_t n)
{
	struct fb *fb = emu->fb;
	struct fb_ds *ds = &fb->ds;

	while (n > 0) {
		struct fb_row *row;
		struct fb_cell *cell, tmpl;
		size_t k;

		if (ds->insert || (ds->autowrap && ds->next_wrap) || ds->cur_row < limit_top(ds) ||
		    ds->cur_row > limit_bottom(ds)) {
			print_cp(emu, *s++);
			n--;
			continue;
		}
		row = fb_mut_row(fb, ds->cur_row);
		k = (size_t)(ds->width - ds->cur_col);
		if (k > n)
			k = n;
		/* Each cell: one copy of a template head (rendition, len 1, no
		 * flags, and text bytes that the character then replaces). */
		memset(&tmpl, 0, sizeof tmpl);
		tmpl.rend = ds->rend;
		tmpl.len = 1;
		cell = &row->cells[ds->cur_col];
		for (size_t i = 0; i < k; i++, cell++) {
			memcpy(cell, &tmpl, FB_CELL_HEAD_COPY);
			cell->text[0] = (char)s[i];
		}
		s += k;
		n -= k;
		ds->comb_row = ds->cur_row;
		ds->comb_col = ds->cur_col + (int)k - 1;
		ds->cur_col += (int)k;
		ds->next_wrap = ds->cur_col >= ds->width;
		if (ds->next_wrap)
			ds->cur_col = ds->width - 1;
	}
}

/* One well-formed character of width 1 or 2, whose UTF-8 bytes are u[0..n):
 * the same result as print_cp(cp) when no wrap, insert mode or clamp is
 * involved; returns false (nothing done) otherwise. */
static bool print_utf8_fast(struct emu *emu, const uint8_t *u, size_t n, uint32_t cp)
{
	struct fb *fb = emu->fb;
	struct fb_ds *ds = &fb->ds;
	int w = cw_width(cp);
	struct fb_cell *cell;

	if ((w != 1 && w != 2) || ds->insert || (ds->autowrap && ds->next_wrap) ||
	    ds->cur_col + w > ds->width || ds->cur_row < limit_top(ds) ||
	    ds->cur_row > limit_bottom(ds))
		return false;
	cell = &fb_mut_row(fb, ds->cur_row)->cells[ds->cur_col];
	/* Valid UTF-8 is the shortest form: the bytes are what encoding cp gives.
	 * n is 2..4 (utf8_decode_valid): byte stores, not a call to memcpy. */
	cell->text[0] = (char)u[0];
	cell->text[1] = (char)u[1];
	if (n > 2)
		cell->text[2] = (char)u[2];
	if (n > 3)
		cell->text[3] = (char)u[3];
	cell->len = (uint8_t)n;
	cell->flags = w == 2 ? FB_CELL_WIDE : 0;
	cell->rend = ds->rend;
	if (w == 2) {
		struct fb_rend bg = fb_bg_rend(fb);

		fb_cell_reset(cell + 1, &bg);
	}
	ds->comb_row = ds->cur_row;
	ds->comb_col = ds->cur_col;
	ds->cur_col += w;
	ds->next_wrap = ds->cur_col >= ds->width;
	if (ds->next_wrap)
		ds->cur_col = ds->width - 1;
	return true;
}

/* Replies */

static void reply(struct emu *emu, const char *s)
{
	size_t len = strlen(s);

	if (emu->replies.len + len > EMU_REPLY_MAX) {
		emu->stats.replies_dropped += len;
		return;
	}
	buf_append(&emu->replies, s, len);
}

/* Control functions. Each handler: mnemonic, then what it does (§8.3). */

typedef void handler_fn(struct emu *emu, const struct vtparse *p);

static int param(const struct vtparse *p, int i, int def)
{
	return p ? vtparse_param(p, i, def) : def;
}

/* BEL: ring the bell (count it). */
static void f_bel(struct emu *emu, const struct vtparse *p)
{
	emu->fb->bell++;
}

/* BS: cursor left one column, stopping at column 0. */
static void f_bs(struct emu *emu, const struct vtparse *p)
{
	move_col(&emu->fb->ds, -1, true, false);
}

/* HT: to the next tab stop, or the last column. */
static void f_ht(struct emu *emu, const struct vtparse *p)
{
	tab_n(emu, 1);
}

/* LF/VT/FF/IND: line feed, scrolling at the bottom of the region. */
static void f_lf(struct emu *emu, const struct vtparse *p)
{
	move_rows_autoscroll(emu, 1);
}

/* CR: to column 0. */
static void f_cr(struct emu *emu, const struct vtparse *p)
{
	move_col(&emu->fb->ds, 0, false, false);
}

/* NEL: CR then LF. */
static void f_nel(struct emu *emu, const struct vtparse *p)
{
	move_col(&emu->fb->ds, 0, false, false);
	move_rows_autoscroll(emu, 1);
}

/* HTS: set a tab stop at the cursor column. */
static void f_hts(struct emu *emu, const struct vtparse *p)
{
	emu->fb->ds.tabs[emu->fb->ds.cur_col] = 1;
}

/* RI: reverse line feed, scrolling down at the top of the region. */
static void f_ri(struct emu *emu, const struct vtparse *p)
{
	move_rows_autoscroll(emu, -1);
}

/* DECSC: save cursor position, rendition, auto-wrap and origin modes. */
static void f_decsc(struct emu *emu, const struct vtparse *p)
{
	struct fb_ds *ds = &emu->fb->ds;

	ds->saved.row = ds->cur_row;
	ds->saved.col = ds->cur_col;
	ds->saved.rend = ds->rend;
	ds->saved.autowrap = ds->autowrap;
	ds->saved.origin = ds->origin;
}

/* DECRC: restore what DECSC saved, clamped into the screen. */
static void f_decrc(struct emu *emu, const struct vtparse *p)
{
	struct fb_ds *ds = &emu->fb->ds;

	ds->cur_row = ds->saved.row;
	ds->cur_col = ds->saved.col;
	ds->rend = ds->saved.rend;
	ds->autowrap = ds->saved.autowrap;
	ds->origin = ds->saved.origin;
	snap_cursor(ds);
	new_grapheme(ds);
}

/* RIS: full reset (bell count, icon name and title_init survive). */
static void f_ris(struct emu *emu, const struct vtparse *p)
{
	emu->sync = false;
	if (afford(emu,
	           EMU_ALLOC_WEIGHT * (uint64_t)emu->fb->ds.width * (uint64_t)emu->fb->ds.height))
		fb_reset(emu->fb);
}

/* DECALN: fill the screen with 'E'. */
static void f_decaln(struct emu *emu, const struct vtparse *p)
{
	struct fb *fb = emu->fb;
	struct fb_rend bg = fb_bg_rend(fb);

	if (!afford(emu, (uint64_t)fb->ds.width * (uint64_t)fb->ds.height))
		return;
	for (int y = 0; y < fb->ds.height; y++) {
		struct fb_row *row = fb_mut_row(fb, y);

		for (int x = 0; x < row->width; x++) {
			fb_cell_reset(&row->cells[x], &bg);
			fb_cell_set_cp(&row->cells[x], 'E');
		}
	}
}

/* CUU: cursor up n. */
static void f_cuu(struct emu *emu, const struct vtparse *p)
{
	move_row(&emu->fb->ds, -param(p, 0, 1), true);
}

/* CUD: cursor down n. */
static void f_cud(struct emu *emu, const struct vtparse *p)
{
	move_row(&emu->fb->ds, param(p, 0, 1), true);
}

/* CUF: cursor right n. */
static void f_cuf(struct emu *emu, const struct vtparse *p)
{
	move_col(&emu->fb->ds, param(p, 0, 1), true, false);
}

/* CUB: cursor left n. */
static void f_cub(struct emu *emu, const struct vtparse *p)
{
	move_col(&emu->fb->ds, -param(p, 0, 1), true, false);
}

/* CUP/HVP: cursor to row;col (1-based, region-relative in origin mode). */
static void f_cup(struct emu *emu, const struct vtparse *p)
{
	move_to(&emu->fb->ds, param(p, 0, 1) - 1, param(p, 1, 1) - 1);
}

/* VPA: cursor to row n. */
static void f_vpa(struct emu *emu, const struct vtparse *p)
{
	move_row(&emu->fb->ds, param(p, 0, 1) - 1, false);
}

/* CHA/HPA: cursor to column n. */
static void f_cha(struct emu *emu, const struct vtparse *p)
{
	move_col(&emu->fb->ds, param(p, 0, 1) - 1, false, false);
}

/* ED: erase in display (0 below, 1 above, 2 all; inclusive of the cursor). */
static void f_ed(struct emu *emu, const struct vtparse *p)
{
	struct fb *fb = emu->fb;
	struct fb_ds *ds = &fb->ds;

	switch (param(p, 0, 0)) {
	case 0:
		clear_cells(emu, ds->cur_row, ds->cur_col, ds->width - 1);
		clear_rows(emu, ds->cur_row + 1, ds->height - 1);
		break;
	case 1:
		clear_rows(emu, 0, ds->cur_row - 1);
		clear_cells(emu, ds->cur_row, 0, ds->cur_col);
		break;
	case 2:
		clear_rows(emu, 0, ds->height - 1);
		break;
	default:
		break;
	}
}

/* EL: erase in line (0 to end, 1 from start, 2 whole line). */
static void f_el(struct emu *emu, const struct vtparse *p)
{
	struct fb *fb = emu->fb;
	struct fb_ds *ds = &fb->ds;

	switch (param(p, 0, 0)) {
	case 0:
		clear_cells(emu, ds->cur_row, ds->cur_col, ds->width - 1);
		break;
	case 1:
		clear_cells(emu, ds->cur_row, 0, ds->cur_col);
		break;
	case 2:
		clear_rows(emu, ds->cur_row, ds->cur_row);
		break;
	default:
		break;
	}
}

/* ECH: erase n cells from the cursor (clamped to the line end). */
static void f_ech(struct emu *emu, const struct vtparse *p)
{
	struct fb_ds *ds = &emu->fb->ds;
	int n = param(p, 0, 1);
	int last = n > ds->width - ds->cur_col ? ds->width - 1 : ds->cur_col + n - 1;

	clear_cells(emu, ds->cur_row, ds->cur_col, last);
}

/* ICH: insert n blank cells at the cursor; cells fall off the right edge. */
static void f_ich(struct emu *emu, const struct vtparse *p)
{
	insert_cells(emu, emu->fb->ds.cur_row, emu->fb->ds.cur_col, param(p, 0, 1));
}

/* DCH: delete n cells at the cursor; blanks enter at the right. */
static void f_dch(struct emu *emu, const struct vtparse *p)
{
	delete_cells(emu, emu->fb->ds.cur_row, emu->fb->ds.cur_col, param(p, 0, 1));
}

/* IL: insert n lines at the cursor row inside the region; cursor to column 0. */
static void f_il(struct emu *emu, const struct vtparse *p)
{
	struct fb_ds *ds = &emu->fb->ds;

	if (ds->cur_row >= ds->top && ds->cur_row <= ds->bottom)
		scroll_rows(emu, ds->cur_row, ds->bottom, -param(p, 0, 1));
	move_col(ds, 0, false, false);
}

/* DL: delete n lines at the cursor row inside the region; cursor to column 0. */
static void f_dl(struct emu *emu, const struct vtparse *p)
{
	struct fb_ds *ds = &emu->fb->ds;

	if (ds->cur_row >= ds->top && ds->cur_row <= ds->bottom)
		scroll_rows(emu, ds->cur_row, ds->bottom, param(p, 0, 1));
	move_col(ds, 0, false, false);
}

/* SU: scroll the region up n lines (cursor stays). */
static void f_su(struct emu *emu, const struct vtparse *p)
{
	scroll_region(emu, param(p, 0, 1));
}

/* SD: scroll the region down n lines (cursor stays). */
static void f_sd(struct emu *emu, const struct vtparse *p)
{
	scroll_region(emu, -param(p, 0, 1));
}

/* DECSTBM: set the scroll region top;bottom, then cursor home. */
static void f_decstbm(struct emu *emu, const struct vtparse *p)
{
	struct fb_ds *ds = &emu->fb->ds;
	int top = param(p, 0, 1), bottom = param(p, 1, ds->height);

	if (bottom <= top || top > ds->height)
		return;
	ds->top = top - 1;
	ds->bottom = bottom - 1 >= ds->height ? ds->height - 1 : bottom - 1;
	if (ds->origin) {
		snap_cursor(ds);
		new_grapheme(ds);
	}
	move_to(ds, 0, 0);
}

/* Underline style, kept as fb.h's invariant says (single = the bit alone). */
static void set_ul_style(struct fb_rend *r, uint8_t style)
{
	r->ul_style = style == FB_UL_SINGLE ? FB_UL_NONE : style;
	if (style != FB_UL_NONE)
		r->attr |= FB_ATTR_UNDERLINE;
	else
		r->attr &= (uint8_t)~FB_ATTR_UNDERLINE;
}

/* SGR colour: palette index (0..255) or a true colour; anything else ignored. */
static void set_colour(uint32_t *slot, unsigned base, long v)
{
	if (v >= 0 && v <= 255)
		*slot = base + (uint32_t)v;
	else if (v & FB_COLOR_RGB)
		*slot = (uint32_t)v & 0x1FFFFFFu;
}

static void sgr_one(struct fb_rend *r, int v)
{
	static const struct {
		uint8_t on, off;
		uint8_t bit;
	} attrs[] = {
	    {1, 22, FB_ATTR_BOLD},   {2, 22, FB_ATTR_FAINT},   {3, 23, FB_ATTR_ITALIC},
	    {5, 25, FB_ATTR_BLINK},  {7, 27, FB_ATTR_INVERSE}, {8, 28, FB_ATTR_INVISIBLE},
	    {9, 29, FB_ATTR_STRIKE},
	};

	if (v == 0) {
		r->fg = r->bg = r->ul = 0;
		r->attr = 0;
		r->ul_style = FB_UL_NONE;
	} else if (v == 4 || v == 24) {
		set_ul_style(r, v == 4 ? FB_UL_SINGLE : FB_UL_NONE);
	} else if (v == 39) {
		r->fg = 0;
	} else if (v == 49) {
		r->bg = 0;
	} else if (v == 59) {
		r->ul = 0;
	} else if (v >= 30 && v <= 37) {
		r->fg = (uint32_t)v;
	} else if (v >= 40 && v <= 47) {
		r->bg = (uint32_t)v;
	} else if (v >= 90 && v <= 97) {
		r->fg = (uint32_t)(v - 90 + 38);
	} else if (v >= 100 && v <= 107) {
		r->bg = (uint32_t)(v - 100 + 48);
	} else {
		for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
			if (v == attrs[i].on)
				r->attr |= attrs[i].bit;
			else if (v == attrs[i].off)
				r->attr &= (uint8_t)~attrs[i].bit;
		}
	}
}

/*
 * An extended colour 38/48/58 whose selector is parameter i: 5;n or 2;r;g;b
 * with ';' (sel_sub false), or with ':' as 5:n, 2::r:g:b (colour space id
 * given, ignored) or 2:r:g:b (n = the sub-parameters after the selector).
 * Returns the parameters used after the selector, or -1 when it is none of
 * these (the caller then moves on by one).
 */
static int sgr_ext_colour(const struct vtparse *p, int i, int n, bool sel_sub, uint32_t *slot,
                          unsigned base)
{
	int sel = param(p, i, -1);
	int avail = n - i - 1;

	if (sel_sub) {
		avail = 0;
		while (vtparse_param_sub(p, i + 1 + avail))
			avail++;
	}
	if (sel == 5 && avail >= 1) {
		set_colour(slot, base, param(p, i + 1, 0));
		return sel_sub ? avail : 1;
	}
	if (sel == 2 && avail >= 3) {
		int at = sel_sub && avail >= 4 ? i + 2 : i + 1;
		long rgb = (long)FB_COLOR_RGB | ((long)param(p, at, 0) << 16) |
		           ((long)param(p, at + 1, 0) << 8) | param(p, at + 2, 0);

		set_colour(slot, base, rgb);
		return sel_sub ? avail : 3;
	}
	return sel_sub ? avail : -1;
}

/* SGR: set graphic rendition (§8.4), incl. 38/48/58;5;n and 38/48/58;2;r;g;b,
 * their ':' forms and 4:n underline styles. */
static void f_sgr(struct emu *emu, const struct vtparse *p)
{
	struct fb_rend *r = &emu->fb->ds.rend;
	int n = vtparse_nparams(p);

	for (int i = 0; i < n; i++) {
		int v = param(p, i, 0);

		if (vtparse_param_sub(p, i))
			continue; /* a sub-parameter its parameter did not take */
		if (v == 38 || v == 48 || v == 58) {
			uint32_t *slot = v == 38 ? &r->fg : v == 48 ? &r->bg : &r->ul;
			int used = sgr_ext_colour(p, i + 1, n, vtparse_param_sub(p, i + 1), slot,
			                          v == 38   ? 30
			                          : v == 48 ? 40
			                                    : 1);

			if (used >= 0)
				i += 1 + used;
		} else if (v == 4 && vtparse_param_sub(p, i + 1)) {
			int style = p ? vtparse_param(p, i + 1, 0) : 0;

			if (style <= FB_UL_MAX)
				set_ul_style(r, (uint8_t)style);
		} else {
			sgr_one(r, v);
		}
	}
}

/* SM/RM: ANSI modes; only 4 (IRM, insert mode). */
static void set_ansi_modes(struct emu *emu, const struct vtparse *p, bool on)
{
	for (int i = 0; i < vtparse_nparams(p); i++) {
		if (param(p, i, 0) == 4)
			emu->fb->ds.insert = on;
	}
}

/* SM: set ANSI mode. */
static void f_sm(struct emu *emu, const struct vtparse *p)
{
	set_ansi_modes(emu, p, true);
}

/* RM: reset ANSI mode. */
static void f_rm(struct emu *emu, const struct vtparse *p)
{
	set_ansi_modes(emu, p, false);
}

/* Show the alternate or the primary buffer; a switch starts a new grapheme. */
static void switch_screen(struct fb *fb, bool alt)
{
	if (fb->ds.alt_screen == alt)
		return;
	fb_switch_screen(fb, alt);
	new_grapheme(&fb->ds);
}

/* DECSET/DECRST 47, 1047, 1048, 1049 as xterm's charproc.c: 47 switches;
 * 1047 also erases the alternate screen when leaving it; 1048 is DECSC/DECRC;
 * 1049 is DECSC, switch, erase on the way in and switch, DECRC on the way out.
 * Only the switch itself depends on the buffer shown: a repeated 1049h
 * saves and erases again, a 1049l on the primary screen restores. Each
 * clears the pending wrap, as DECSC and DECRC do. */
static void alt_screen_mode(struct emu *emu, int mode, bool on)
{
	struct fb *fb = emu->fb;

	switch (mode) {
	case 1048:
		if (on)
			f_decsc(emu, NULL);
		else
			f_decrc(emu, NULL);
		break;
	case 1049:
		if (on) {
			f_decsc(emu, NULL);
			switch_screen(fb, true);
			clear_rows(emu, 0, fb->ds.height - 1);
		} else {
			switch_screen(fb, false);
			f_decrc(emu, NULL);
		}
		break;
	case 1047:
		if (!on && fb->ds.alt_screen)
			clear_rows(emu, 0, fb->ds.height - 1);
		switch_screen(fb, on);
		break;
	default:
		switch_screen(fb, on);
		break;
	}
	fb->ds.next_wrap = false;
}

static void set_dec_mode(struct emu *emu, int mode, bool on)
{
	struct fb *fb = emu->fb;
	struct fb_ds *ds = &fb->ds;

	switch (mode) {
	case 1:
		ds->app_cursor_keys = on;
		break;
	case 3: /* DECCOLM: the width stays, but the screen is cleared */
		move_to(ds, 0, 0);
		clear_rows(emu, 0, ds->height - 1);
		break;
	case 5:
		ds->reverse_video = on;
		break;
	case 6: /* mosh homes the cursor before switching origin mode */
		move_to(ds, 0, 0);
		ds->origin = on;
		break;
	case 7:
		ds->autowrap = on;
		break;
	case 25:
		ds->cursor_visible = on;
		break;
	case 9:
	case 1000:
	case 1001:
	case 1002:
	case 1003:
		ds->mouse_mode = on ? mode : 0;
		break;
	case 1004:
		ds->mouse_focus = on;
		break;
	case 1005:
	case 1006:
	case 1015:
		ds->mouse_enc = on ? mode : 0;
		break;
	case 1007:
		ds->mouse_alt_scroll = on;
		break;
	case 2004:
		ds->bracketed_paste = on;
		break;
	case 2026: /* synchronized output: timing only, not screen state */
		emu->sync = on;
		break;
	case 47:
	case 1047:
	case 1048:
	case 1049:
		alt_screen_mode(emu, mode, on);
		break;
	default:
		break;
	}
}

/* DECSET: set DEC private modes (several parameters allowed). */
static void f_decset(struct emu *emu, const struct vtparse *p)
{
	for (int i = 0; i < vtparse_nparams(p); i++)
		set_dec_mode(emu, param(p, i, 0), true);
}

/* DECRST: reset DEC private modes. */
static void f_decrst(struct emu *emu, const struct vtparse *p)
{
	for (int i = 0; i < vtparse_nparams(p); i++)
		set_dec_mode(emu, param(p, i, 0), false);
}

/* TBC: clear the tab stop at the cursor (0) or all of them for good (3). */
static void f_tbc(struct emu *emu, const struct vtparse *p)
{
	struct fb_ds *ds = &emu->fb->ds;

	switch (param(p, 0, 0)) {
	case 0:
		ds->tabs[ds->cur_col] = 0;
		break;
	case 3:
		memset(ds->tabs, 0, (size_t)ds->width);
		ds->default_tabs = false;
		break;
	default:
		break;
	}
}

/* CHT: forward n tab stops. */
static void f_cht(struct emu *emu, const struct vtparse *p)
{
	tab_n(emu, param(p, 0, 1));
}

/* CBT: backward n tab stops (column 0 if none). */
static void f_cbt(struct emu *emu, const struct vtparse *p)
{
	tab_n(emu, -param(p, 0, 1));
}

/* DA: primary device attributes: a VT220. */
static void f_da(struct emu *emu, const struct vtparse *p)
{
	reply(emu, "\033[?62c");
}

/* DA2: secondary device attributes. */
static void f_da2(struct emu *emu, const struct vtparse *p)
{
	reply(emu, "\033[>1;10;0c");
}

/* DSR: status (5) or cursor position report (6, absolute, 1-based). */
static void f_dsr(struct emu *emu, const struct vtparse *p)
{
	char s[32];

	switch (param(p, 0, 0)) {
	case 5:
		reply(emu, "\033[0n");
		break;
	case 6:
		snprintf(s, sizeof s, "\033[%d;%dR", emu->fb->ds.cur_row + 1,
		         emu->fb->ds.cur_col + 1);
		reply(emu, s);
		break;
	default:
		break;
	}
}

/* DECSTR: soft reset (modes, region, rendition, saved cursor). */
static void f_decstr(struct emu *emu, const struct vtparse *p)
{
	struct fb_ds *ds = &emu->fb->ds;

	ds->insert = false;
	ds->origin = false;
	ds->cursor_visible = true;
	ds->app_cursor_keys = false;
	ds->top = 0;
	ds->bottom = ds->height - 1;
	memset(&ds->rend, 0, sizeof ds->rend);
	memset(&ds->saved, 0, sizeof ds->saved);
	ds->saved.autowrap = true;
}

/* The dispatch table, sorted by (kind, key); checked once at startup. */
enum kind { K_CONTROL = 'C', K_CSI = 'S', K_ESC = 'E' };

struct handler {
	char kind;
	const char *key;
	size_t keylen;
	handler_fn *fn;
	bool keeps_wrap;
	const char *mnemonic;
	const char *spec;
};

#define H(kind, key, fn, keeps_wrap, mnemonic, spec)                                               \
	{                                                                                          \
		kind, key, sizeof(key) - 1, fn, keeps_wrap, mnemonic, spec                         \
	}

/* clang-format off */
static const struct handler handlers[] = {
	H(K_CONTROL, "\x07", f_bel, false, "BEL", "ring the bell (count it)"),
	H(K_CONTROL, "\x08", f_bs, false, "BS", "cursor left one column, stopping at column 0"),
	H(K_CONTROL, "\x09", f_ht, true, "HT", "to the next tab stop or the last column"),
	H(K_CONTROL, "\x0a", f_lf, false, "LF", "line feed, scrolling at the region bottom"),
	H(K_CONTROL, "\x0b", f_lf, false, "VT", "same as LF"),
	H(K_CONTROL, "\x0c", f_lf, false, "FF", "same as LF"),
	H(K_CONTROL, "\x0d", f_cr, false, "CR", "cursor to column 0"),
	H(K_CONTROL, "\x84", f_lf, false, "IND", "same as LF"),
	H(K_CONTROL, "\x85", f_nel, false, "NEL", "CR then LF"),
	H(K_CONTROL, "\x88", f_hts, false, "HTS", "set a tab stop at the cursor column"),
	H(K_CONTROL, "\x8d", f_ri, false, "RI", "reverse line feed, scrolling at the region top"),
	H(K_ESC, "#8", f_decaln, false, "DECALN", "fill the screen with E"),
	H(K_ESC, "7", f_decsc, false, "DECSC", "save cursor, rendition, auto-wrap and origin"),
	H(K_ESC, "8", f_decrc, false, "DECRC", "restore what DECSC saved"),
	H(K_ESC, "c", f_ris, false, "RIS", "full reset"),
	H(K_CSI, "!p", f_decstr, false, "DECSTR", "soft reset"),
	H(K_CSI, ">c", f_da2, false, "DA2", "reply with secondary device attributes"),
	H(K_CSI, "?h", f_decset, true, "DECSET", "set DEC private modes"),
	H(K_CSI, "?l", f_decrst, true, "DECRST", "reset DEC private modes"),
	H(K_CSI, "@", f_ich, false, "ICH", "insert blank cells"),
	H(K_CSI, "A", f_cuu, false, "CUU", "cursor up"),
	H(K_CSI, "B", f_cud, false, "CUD", "cursor down"),
	H(K_CSI, "C", f_cuf, false, "CUF", "cursor right"),
	H(K_CSI, "D", f_cub, false, "CUB", "cursor left"),
	H(K_CSI, "G", f_cha, false, "CHA", "cursor to column"),
	H(K_CSI, "H", f_cup, false, "CUP", "cursor to row;column"),
	H(K_CSI, "I", f_cht, true, "CHT", "forward n tab stops"),
	H(K_CSI, "J", f_ed, false, "ED", "erase in display"),
	H(K_CSI, "K", f_el, false, "EL", "erase in line"),
	H(K_CSI, "L", f_il, false, "IL", "insert lines in the region"),
	H(K_CSI, "M", f_dl, false, "DL", "delete lines in the region"),
	H(K_CSI, "P", f_dch, false, "DCH", "delete cells"),
	H(K_CSI, "S", f_su, false, "SU", "scroll the region up"),
	H(K_CSI, "T", f_sd, false, "SD", "scroll the region down"),
	H(K_CSI, "X", f_ech, false, "ECH", "erase cells"),
	H(K_CSI, "Z", f_cbt, true, "CBT", "back n tab stops"),
	H(K_CSI, "`", f_cha, false, "HPA", "cursor to column"),
	H(K_CSI, "c", f_da, false, "DA", "reply with device attributes (VT220)"),
	H(K_CSI, "d", f_vpa, false, "VPA", "cursor to row"),
	H(K_CSI, "f", f_cup, false, "HVP", "cursor to row;column"),
	H(K_CSI, "g", f_tbc, true, "TBC", "clear tab stops"),
	H(K_CSI, "h", f_sm, false, "SM", "set ANSI mode (4: insert)"),
	H(K_CSI, "l", f_rm, false, "RM", "reset ANSI mode (4: insert)"),
	H(K_CSI, "m", f_sgr, true, "SGR", "set graphic rendition"),
	H(K_CSI, "n", f_dsr, false, "DSR", "reply with status or cursor position"),
	H(K_CSI, "r", f_decstbm, false, "DECSTBM", "set the scroll region"),
};
/* clang-format on */

#define NHANDLERS (sizeof handlers / sizeof handlers[0])

static int key_cmp(char kind_a, const char *a, size_t alen, char kind_b, const char *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int c;

	if (kind_a != kind_b)
		return (unsigned char)kind_a - (unsigned char)kind_b;
	c = memcmp(a, b, n);
	if (c != 0)
		return c;
	return (alen > blen) - (alen < blen);
}

static const struct handler *bsearch_handler(char kind, const char *key, size_t len)
{
	size_t lo = 0, hi = NHANDLERS;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct handler *h = &handlers[mid];
		int c = key_cmp(kind, key, len, h->kind, h->key, h->keylen);

		if (c == 0)
			return h;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Handlers of the one-character keys (controls; ESC and CSI finals with
 * nothing collected), by kind and character: every key a busy stream uses
 * (text controls, SGR, cursor moves, erases) without a binary search. Filled
 * from bsearch_handler itself, so both lookups agree by construction. */
static const struct handler *single_key[3][256];

static int kind_index(char kind)
{
	return kind == K_CONTROL ? 0 : kind == K_CSI ? 1 : 2;
}

/* Check the table's order and fill single_key; once per process. */
static void table_init(void)
{
	static bool done;
	static const char kinds[] = {K_CONTROL, K_CSI, K_ESC};

	if (done)
		return;
	for (size_t i = 1; i < NHANDLERS; i++) {
		const struct handler *a = &handlers[i - 1], *b = &handlers[i];

		ASSERT(key_cmp(a->kind, a->key, strlen(a->key), b->kind, b->key, strlen(b->key)) <
		       0);
	}
	for (size_t k = 0; k < sizeof kinds; k++) {
		for (int c = 0; c < 256; c++) {
			char key = (char)c;

			single_key[kind_index(kinds[k])][c] = bsearch_handler(kinds[k], &key, 1);
		}
	}
	done = true;
}

static const struct handler *lookup(char kind, const char *key, size_t len)
{
	if (len == 1)
		return single_key[kind_index(kind)][(uint8_t)key[0]];
	return bsearch_handler(kind, key, len);
}

static void dispatch(struct emu *emu, char kind, const char *key, size_t len,
                     const struct vtparse *p)
{
	const struct handler *h = lookup(kind, key, len);

	if (h == NULL) {
		emu->stats.unknown++;
		emu->fb->ds.next_wrap = false;
		return;
	}
	if (!h->keeps_wrap)
		emu->fb->ds.next_wrap = false;
	h->fn(emu, p);
}

/* Key = collected characters + final (when there is room and it is <= 0xFF, as mosh). */
static size_t make_key(const struct vtparse *p, uint32_t final, char key[VTPARSE_MAX_COLLECT])
{
	size_t n;
	const char *c = vtparse_collected(p, &n);

	memcpy(key, c, n);
	if (n < VTPARSE_MAX_COLLECT && final <= 0xFF)
		key[n++] = (char) final;
	return n;
}

/* Parser callbacks */

static void cb_print(void *user, uint32_t cp)
{
	print_cp(user, cp);
}

static void cb_execute(void *user, uint32_t cp)
{
	char key = (char)cp;

	dispatch(user, K_CONTROL, &key, 1, NULL);
}

static void cb_esc(void *user, const struct vtparse *p, uint32_t final)
{
	char key[VTPARSE_MAX_COLLECT];
	size_t n;

	/* ESC Fe is the 7-bit form of the C1 control final + 0x40. */
	vtparse_collected(p, &n);
	if (n == 0 && final >= 0x40 && final <= 0x5F) {
		key[0] = (char)(final + 0x40);
		dispatch(user, K_CONTROL, key, 1, NULL);
		return;
	}
	n = make_key(p, final, key);
	dispatch(user, K_ESC, key, n, p);
}

static void cb_csi(void *user, const struct vtparse *p, uint32_t final)
{
	char key[VTPARSE_MAX_COLLECT];
	size_t n = make_key(p, final, key);

	/* Sub-parameters (':') only mean something to SGR; anywhere else the
	 * sequence is ignored, as mosh 1.4's parser ignores them all. */
	if (vtparse_has_subs(p) && !(n == 1 && key[0] == 'm'))
		return;
	dispatch(user, K_CSI, key, n, p);
}

/* Encode code points [from, to) of an OSC string as UTF-8 into out, leaving
 * out DEL and C0/C1 controls (the parser keeps DEL in OSC strings): a title is
 * written back to the user's terminal, where a control would act. */
static void osc_text(struct buf *out, const uint32_t *osc, size_t from, size_t to)
{
	char tmp[4];

	for (size_t i = from; i < to; i++) {
		if (osc[i] < 0x20 || (osc[i] >= 0x7F && osc[i] < 0xA0))
			continue;
		buf_append(out, tmp, (size_t)fb_utf8_encode(osc[i], tmp));
	}
}

/* OSC 52 ; c ; data: store data when it is a valid base64 set that was not
 * cut by the OSC buffer; a query ("?") or anything else is dropped, since the
 * client forwards the clipboard to the user's terminal (oscsafe.h). */
static void osc_clipboard(struct emu *emu, const uint32_t *osc, size_t len)
{
	struct buf text;

	buf_init(&text);
	osc_text(&text, osc, 5, len);
	if (len < VTPARSE_OSC_MAX && text.len == len - 5 &&
	    oscsafe_clipboard((const char *)text.data, text.len))
		fb_set_clipboard(emu->fb, (const char *)text.data, text.len);
	else
		emu->stats.filtered++;
	buf_fini(&text);
}

/* OSC 8 ; params ; uri: characters printed from now on link to uri (an
 * empty uri closes the link). Only printable ASCII and parts of at most
 * FB_LINK_PART_MAX bytes are taken; anything else is dropped (counted). */
static void osc_link(struct emu *emu, const uint32_t *osc, size_t len)
{
	char params[FB_LINK_PART_MAX], uri[FB_LINK_PART_MAX];
	size_t np = 0, nu = 0, i = 2;

	for (; i < len && osc[i] != ';'; i++) {
		if (osc[i] < 0x20 || osc[i] > 0x7E || np == sizeof params)
			goto bad;
		params[np++] = (char)osc[i];
	}
	if (i == len || len >= VTPARSE_OSC_MAX)
		goto bad;
	for (i++; i < len; i++) {
		if (osc[i] < 0x20 || osc[i] > 0x7E || nu == sizeof uri)
			goto bad;
		uri[nu++] = (char)osc[i];
	}
	emu->fb->ds.rend.link = nu == 0 ? 0 : fb_link_intern(params, np, uri, nu);
	return;
bad:
	emu->stats.filtered++;
}

static void cb_osc_end(void *user, const uint32_t *osc, size_t len)
{
	struct emu *emu = user;
	struct fb *fb = emu->fb;
	struct buf text;
	long cmd = -1;
	size_t off = 0, end;

	if (len >= 5 && osc[0] == '5' && osc[1] == '2' && osc[2] == ';' && osc[3] == 'c' &&
	    osc[4] == ';') {
		osc_clipboard(emu, osc, len);
		return;
	}
	if (len >= 2 && osc[0] == '8' && osc[1] == ';') {
		osc_link(emu, osc, len);
		return;
	}
	buf_init(&text);
	if (len >= 1 && osc[0] == ';') {
		cmd = 0;
		off = 1;
	} else if (len >= 2 && osc[1] == ';') {
		cmd = (long)osc[0] - '0';
		off = 2;
	}
	if (cmd == 0 || cmd == 1 || cmd == 2) {
		end = len < EMU_TITLE_OSC_MAX ? len : EMU_TITLE_OSC_MAX;
		osc_text(&text, osc, off, end);
		if (!oscsafe_text((const char *)text.data, text.len)) {
			emu->stats.filtered++;
			buf_fini(&text);
			return;
		}
		fb->title_init = true;
		if (cmd != 2)
			fb_set_icon(fb, (const char *)text.data, text.len);
		if (cmd != 1)
			fb_set_title(fb, (const char *)text.data, text.len);
	} else {
		emu->stats.unknown++;
	}
	buf_fini(&text);
}

static const struct vtparse_cb emu_cb = {
    .print = cb_print,
    .execute = cb_execute,
    .esc_dispatch = cb_esc,
    .csi_dispatch = cb_csi,
    .osc_end = cb_osc_end,
};

/* Public API */

const char *emu_function(size_t i, const char **spec)
{
	if (i >= NHANDLERS)
		return NULL;
	if (spec != NULL)
		*spec = handlers[i].spec;
	return handlers[i].mnemonic;
}

struct emu *emu_new(int width, int height)
{
	struct emu *emu = xcalloc(1, sizeof *emu);

	table_init();
	emu->fb = fb_new(width, height);
	utf8_init(&emu->dec);
	buf_init(&emu->replies);
	vtparse_init(&emu->vp, &emu_cb, emu);
	emu->work_left = EMU_WORK_BUDGET;
	return emu;
}

void emu_free(struct emu *emu)
{
	if (emu == NULL)
		return;
	fb_free(emu->fb);
	buf_fini(&emu->replies);
	scrolled_fini(&emu->scrolled);
	free(emu);
}

struct emu *emu_copy(const struct emu *src)
{
	struct emu *emu = xmalloc(sizeof *emu);

	emu->fb = fb_copy(src->fb);
	emu->dec = src->dec;
	emu->stats = src->stats;
	emu->work_left = src->work_left;
	emu->budget_manual = src->budget_manual;
	emu->slow = src->slow;
	emu->sync = src->sync;
	memset(&emu->scrolled, 0, sizeof emu->scrolled);
	buf_init(&emu->replies);
	buf_append(&emu->replies, src->replies.data, src->replies.len);
	vtparse_init(&emu->vp, &emu_cb, emu);
	vtparse_copy_state(&emu->vp, &src->vp);
	return emu;
}

bool emu_sync_held(const struct emu *emu)
{
	return emu->sync;
}

void emu_budget_begin(struct emu *emu)
{
	emu->budget_manual = true;
	emu->work_left = EMU_WORK_BUDGET;
}

void emu_write(struct emu *emu, const uint8_t *s, size_t len)
{
	size_t i = 0;

	if (!emu->budget_manual)
		emu->work_left = EMU_WORK_BUDGET;

	while (i < len) {
		uint8_t b = s[i];

		if (b >= 0xC2 && utf8_idle(&emu->dec) && emu->vp.state == VTP_GROUND &&
		    !emu->slow) {
			uint32_t cp;
			size_t n = utf8_decode_valid(s + i, len - i, &cp);

			/* A well-formed character in Ground: C1 controls still go
			 * through the parser, everything else prints directly. */
			if (n > 0) {
				if (cp < 0xA0)
					vtparse_feed(&emu->vp, cp);
				else if (!print_utf8_fast(emu, s + i, n, cp))
					print_cp(emu, cp);
				i += n;
				continue;
			}
		}
		if (b < 0x80 && utf8_idle(&emu->dec)) {
			bool fast = emu->vp.state == VTP_GROUND && !emu->slow;

			if (fast && b >= 0x20 && b < 0x7F) {
				size_t j = i + 1;

				while (j < len && s[j] >= 0x20 && s[j] < 0x7F)
					j++;
				print_ascii(emu, s + i, j - i);
				i = j;
				continue;
			}
			/* Ground executes C0 controls in place, except CAN, SUB and
			 * ESC, which change state (vtparse's rules). */
			if (fast && b < 0x20 && b != 0x18 && b != 0x1A && b != 0x1B) {
				cb_execute(emu, b);
				i++;
				continue;
			}
			if (fast && b == 0x1B) {
				size_t n = vtparse_csi_run(&emu->vp, s + i, len - i);

				if (n > 0) {
					i += n;
					continue;
				}
			}
			vtparse_feed(&emu->vp, b);
		} else {
			uint32_t cps[2];
			int n = utf8_feed(&emu->dec, b, cps);

			for (int k = 0; k < n; k++)
				vtparse_feed(&emu->vp, cps[k]);
		}
		i++;
	}
}

void emu_resize(struct emu *emu, int width, int height)
{
	fb_resize(emu->fb, width, height);
}

const struct fb *emu_fb(const struct emu *emu)
{
	return emu->fb;
}

struct fb *emu_fb_mut(struct emu *emu)
{
	return emu->fb;
}

size_t emu_take_replies(struct emu *emu, struct buf *out)
{
	size_t n = emu->replies.len;

	if (n > 0)
		buf_append(out, emu->replies.data, n);
	buf_clear(&emu->replies);
	return n;
}

bool emu_has_replies(const struct emu *emu)
{
	return emu->replies.len > 0;
}

void emu_set_history(struct emu *emu, bool on)
{
	if (!on)
		scrolled_fini(&emu->scrolled);
	else if (emu->scrolled.ring == NULL)
		emu->scrolled.ring = xreallocarray(NULL, EMU_SCROLLED_MAX, sizeof(struct fb_row *));
}

size_t emu_take_scrolled(struct emu *emu, struct fb_row **out, size_t max)
{
	return scrolled_take(&emu->scrolled, out, max);
}

uint64_t emu_take_scrolled_dropped(struct emu *emu)
{
	uint64_t n = emu->scrolled.dropped;

	emu->scrolled.dropped = 0;
	return n;
}

void emu_set_fast_path(struct emu *emu, bool on)
{
	emu->slow = !on;
}

bool emu_app_cursor_keys(const struct emu *emu)
{
	return emu->fb->ds.app_cursor_keys;
}

void emu_stats(const struct emu *emu, struct emu_stats *out)
{
	*out = emu->stats;
}
