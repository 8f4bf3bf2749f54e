/* Rows into the user's scrollback; see scrollback.h. */
#include "client/scrollback.h"

#include <stdio.h>
#include <stdlib.h>

#include "term/disp.h"
#include "util/xmalloc.h"

/* Append to *v the rows of width w that show row: itself, or its cells cut
 * into w-wide pieces (a narrower last piece padded with blanks). */
static void fit_row(const struct fb_row *row, int w, struct fb_row ***v, size_t *n, size_t *cap)
{
	int x = 0;

	do {
		struct fb_row *piece;
		int len = row->width - x < w ? row->width - x : w;

		if (row->width == w) {
			piece = (struct fb_row *)row;
			fb_row_ref(piece);
		} else {
			piece = fb_row_new(w);
			for (int i = 0; i < len; i++)
				piece->cells[i] = row->cells[x + i];
			piece->cells[w - 1].flags &= (uint8_t)~FB_CELL_WRAP;
		}
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			*v = xreallocarray(*v, *cap, sizeof **v);
		}
		(*v)[(*n)++] = piece;
		x += len;
	} while (x < row->width);
}

/* What the terminal shows after k line feeds at its bottom line. */
static struct fb *scrolled(const struct fb *painted, int k)
{
	struct fb *next = fb_copy(painted);
	struct fb_rend none = {0};

	next->ds.rend = none;
	fb_scroll_rows(next, 0, next->ds.height - 1, k);
	next->ds.cur_row = next->ds.height - 1;
	next->ds.cur_col = 0;
	next->ds.next_wrap = false;
	return next;
}

struct fb *scrollback_push(const struct tcaps *caps, struct fb *drawn,
                           const struct fb_row *const *rows, size_t n, struct buf *out)
{
	struct fb_row **fit = NULL;
	size_t nfit = 0, cap = 0;
	int w = drawn->ds.width, h = drawn->ds.height;

	for (size_t i = 0; i < n; i++)
		fit_row(rows[i], w, &fit, &nfit, &cap);
	for (size_t i = 0; i < nfit;) {
		int k = nfit - i < (size_t)h ? (int)(nfit - i) : h;
		struct fb *painted = fb_copy(drawn), *next;

		for (int y = 0; y < k; y++)
			fb_set_row(painted, y, fit[i + (size_t)y]);
		disp_frame(caps, drawn, painted, true, out);
		buf_appendf(out, "\033[0m\033[%d;1H", h);
		for (int y = 0; y < k; y++)
			buf_append_byte(out, '\n');
		next = scrolled(painted, k);
		fb_free(painted);
		fb_free(drawn);
		drawn = next;
		i += (size_t)k;
	}
	for (size_t i = 0; i < nfit; i++)
		fb_row_release(fit[i]);
	free(fit);
	return drawn;
}

struct fb *scrollback_blank(int width, int height, struct buf *out)
{
	struct fb *fb = fb_new(width, height);

	buf_append_str(out, "\033[r\033[0m");
	for (int y = 1; y <= height; y++)
		buf_appendf(out, "\033[%d;1H\033[2K", y);
	fb->ds.cur_row = height - 1;
	fb->ds.cur_col = 0;
	return fb;
}

struct fb_row *scrollback_gap_row(int width, uint64_t n)
{
	struct fb_row *row = fb_row_new(width);
	char text[64];
	int len =
	    snprintf(text, sizeof text, "[... %llu lines skipped ...]", (unsigned long long)n);

	for (int i = 0; i < len && i < width; i++) {
		row->cells[i].len = 1;
		row->cells[i].text[0] = text[i];
	}
	return row;
}
