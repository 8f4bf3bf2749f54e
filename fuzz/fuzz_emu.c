/*
 * The whole emulator on random bytes, with resizes and copies. Input: two
 * bytes of initial size, then chunks; the byte 0xFE followed by two bytes is a
 * resize (0xFE is never valid UTF-8, so real output rarely hits it), 0xFF 0xFF
 * takes a copy and continues on it. After every chunk the framebuffer
 * invariants are checked, and a fresh copy must compare equal to its source.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "term/emu.h"
#include "term/fb.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct emu *e)
{
	const struct fb *fb = emu_fb(e);
	const struct fb_ds *ds = &fb->ds;

	if (ds->width < 1 || ds->height < 1 || ds->cur_row < 0 || ds->cur_row >= ds->height ||
	    ds->cur_col < 0 || ds->cur_col >= ds->width || ds->top < 0 || ds->top > ds->bottom ||
	    ds->bottom >= ds->height)
		abort();
	for (int y = 0; y < ds->height; y++) {
		const struct fb_row *r = fb_row(fb, y);

		if (r->width != ds->width || r->refs < 1)
			abort();
		for (int x = 0; x < r->width; x++) {
			if (r->cells[x].len > FB_CELL_MAX)
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct emu *e;
	struct buf replies;
	size_t i = 2, start;

	if (size < 2)
		return 0;
	e = emu_new(1 + data[0] % 120, 1 + data[1] % 60);
	buf_init(&replies);
	start = i;
	while (i < size) {
		if (data[i] == 0xFE && i + 2 < size) {
			emu_write(e, data + start, i - start);
			emu_resize(e, 1 + data[i + 1] % 120, 1 + data[i + 2] % 60);
			check(e);
			i += 3;
			start = i;
		} else if (data[i] == 0xFF && i + 1 < size && data[i + 1] == 0xFF) {
			struct emu *c;

			emu_write(e, data + start, i - start);
			c = emu_copy(e);
			if (!fb_equal(emu_fb(e), emu_fb(c)))
				abort();
			emu_free(e);
			e = c;
			check(e);
			i += 2;
			start = i;
		} else {
			i++;
		}
	}
	emu_write(e, data + start, size - start);
	check(e);
	emu_take_replies(e, &replies);
	buf_fini(&replies);
	emu_free(e);
	return 0;
}
