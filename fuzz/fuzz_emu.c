/*
 * The whole emulator on random bytes, with resizes and copies. Input: two
 * bytes of initial size, then chunks; the byte 0xFE followed by two bytes is a
 * resize (0xFE is never valid UTF-8, so real output rarely hits it), 0xFF 0xFF
 * takes a copy and continues on it. After every chunk the framebuffer
 * invariants are checked, and a fresh copy must compare equal to its source.
 * A twin emulator with the fast paths off takes the same input: after every
 * chunk both must show the same screen, draw state and replies, and have
 * queued the same scrolled-off rows (history is on in both, and again on
 * each copy).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "term/emu.h"
#include "term/fb.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_rows(const struct fb_ds *ds, struct fb_row *const *rows)
{
	for (int y = 0; y < ds->height; y++) {
		const struct fb_row *r = rows[y];

		if (r->width != ds->width || r->refs < 1)
			abort();
		for (int x = 0; x < r->width; x++) {
			if (r->cells[x].len > FB_CELL_MAX)
				abort();
		}
	}
}

static void check(const struct emu *e)
{
	const struct fb *fb = emu_fb(e);
	const struct fb_ds *ds = &fb->ds;

	if (ds->width < 1 || ds->height < 1 || ds->cur_row < 0 || ds->cur_row >= ds->height ||
	    ds->cur_col < 0 || ds->cur_col >= ds->width || ds->top < 0 || ds->top > ds->bottom ||
	    ds->bottom >= ds->height || (ds->alt_screen && fb->other_rows == NULL))
		abort();
	check_rows(ds, fb->rows);
	if (fb->other_rows != NULL)
		check_rows(ds, fb->other_rows);
}

/* Both emulators queued the same rows that left the top. */
static void same_scrolled(struct emu *e, struct emu *s)
{
	struct fb_row *re[64], *rs[64];
	size_t ne, ns;

	do {
		ne = emu_take_scrolled(e, re, 64);
		ns = emu_take_scrolled(s, rs, 64);
		if (ne != ns)
			abort();
		for (size_t i = 0; i < ne; i++) {
			if (re[i]->width < 1 || !fb_row_cells_equal(re[i], rs[i]))
				abort();
			fb_row_release(re[i]);
			fb_row_release(rs[i]);
		}
	} while (ne > 0);
	if (emu_take_scrolled_dropped(e) != emu_take_scrolled_dropped(s))
		abort();
}

/* The fast-path emulator e and its slow twin s are in the same state. */
static void same(struct emu *e, struct emu *s)
{
	const struct fb *a = emu_fb(e), *b = emu_fb(s);
	const struct fb_ds *da = &a->ds, *db = &b->ds;
	struct buf ra, rb;

	if (da->width != db->width || da->height != db->height || da->cur_row != db->cur_row ||
	    da->cur_col != db->cur_col || da->next_wrap != db->next_wrap ||
	    da->comb_row != db->comb_row || da->comb_col != db->comb_col ||
	    !fb_rend_equal(&da->rend, &db->rend) || da->insert != db->insert ||
	    da->origin != db->origin || da->autowrap != db->autowrap || da->top != db->top ||
	    da->bottom != db->bottom || da->alt_screen != db->alt_screen || a->bell != b->bell ||
	    !fb_str_equal(a->title, b->title) || !fb_str_equal(a->clipboard, b->clipboard))
		abort();
	for (int y = 0; y < da->height; y++) {
		if (!fb_row_cells_equal(fb_row(a, y), fb_row(b, y)))
			abort();
	}
	buf_init(&ra);
	buf_init(&rb);
	emu_take_replies(e, &ra);
	emu_take_replies(s, &rb);
	if (ra.len != rb.len || (ra.len > 0 && memcmp(ra.data, rb.data, ra.len) != 0))
		abort();
	buf_fini(&ra);
	buf_fini(&rb);
	same_scrolled(e, s);
}

static void write_both(struct emu *e, struct emu *s, const uint8_t *p, size_t n)
{
	emu_write(e, p, n);
	emu_write(s, p, n);
	same(e, s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct emu *e, *s;
	size_t i = 2, start;

	if (size < 2)
		return 0;
	e = emu_new(1 + data[0] % 120, 1 + data[1] % 60);
	s = emu_new(1 + data[0] % 120, 1 + data[1] % 60);
	emu_set_fast_path(s, false);
	emu_set_history(e, true);
	emu_set_history(s, true);
	start = i;
	while (i < size) {
		if (data[i] == 0xFE && i + 2 < size) {
			write_both(e, s, data + start, i - start);
			emu_resize(e, 1 + data[i + 1] % 120, 1 + data[i + 2] % 60);
			emu_resize(s, 1 + data[i + 1] % 120, 1 + data[i + 2] % 60);
			check(e);
			i += 3;
			start = i;
		} else if (data[i] == 0xFF && i + 1 < size && data[i + 1] == 0xFF) {
			struct emu *c;

			write_both(e, s, data + start, i - start);
			c = emu_copy(e);
			if (!fb_equal(emu_fb(e), emu_fb(c)))
				abort();
			emu_free(e);
			e = c;
			c = emu_copy(s);
			emu_free(s);
			s = c;
			emu_set_history(e, true);
			emu_set_history(s, true);
			check(e);
			i += 2;
			start = i;
		} else {
			i++;
		}
	}
	write_both(e, s, data + start, size - start);
	check(e);
	emu_free(e);
	emu_free(s);
	return 0;
}
