/*
 * The prediction engine on random keystrokes and random server screens.
 * Input: width, height and mode bytes, then operations, each an opcode byte:
 *   0 n B[n]  the user types B (one read; n up to 255, so pastes too)
 *   1 n B[n]  the application writes B to the server's terminal
 *   2         the server acknowledges every keystroke so far
 *   3 t       t ms pass
 *   4 w h     the server's terminal is resized
 *   5 i       the frame interval becomes i ms (the link speeds up or slows down)
 *   other     a frame is drawn (cull, copy, apply)
 * After every frame the painted copy must be a sane framebuffer of the
 * server's size with the cursor on screen.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "client/predict.h"
#include "term/emu.h"
#include "term/fb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void draw(struct pred *p, const struct emu *srv, uint64_t ack, uint64_t interval,
                 uint64_t now)
{
	const struct fb *remote = emu_fb(srv);
	struct fb *shown;

	pred_cull(p, remote, ack, interval, now);
	shown = fb_copy(remote);
	pred_apply(p, shown);
	if (shown->ds.width != remote->ds.width || shown->ds.height != remote->ds.height ||
	    shown->ds.cur_row < 0 || shown->ds.cur_row >= shown->ds.height ||
	    shown->ds.cur_col < 0 || shown->ds.cur_col >= shown->ds.width)
		abort();
	for (int y = 0; y < shown->ds.height; y++)
		for (int x = 0; x < shown->ds.width; x++)
			if (fb_cell(shown, y, x)->len > FB_CELL_MAX)
				abort();
	fb_free(shown);
	(void)pred_wait_ms(p, now);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct emu *srv;
	struct pred *p;
	uint64_t now = 1000000, sent = 0, ack = 0, interval = 100;
	size_t i = 3;

	if (size < 3)
		return 0;
	srv = emu_new(1 + data[0] % 100, 1 + data[1] % 40);
	p = pred_new((enum pred_mode)(data[2] % 4), (data[2] & 4) != 0);
	while (i < size) {
		uint8_t op = data[i++];
		size_t n;

		switch (op) {
		case 0:
		case 1:
			if (i >= size)
				break;
			n = data[i++];
			if (n > size - i)
				n = size - i;
			if (op == 0)
				pred_new_user_bytes(p, emu_fb(srv), data + i, n, now, ++sent);
			else
				emu_write(srv, data + i, n);
			i += n;
			break;
		case 2:
			ack = sent;
			break;
		case 3:
			if (i < size)
				now += data[i++];
			break;
		case 4:
			if (i + 1 < size) {
				emu_resize(srv, 1 + data[i] % 100, 1 + data[i + 1] % 40);
				i += 2;
			}
			break;
		case 5:
			if (i < size)
				interval = 20 + data[i++];
			break;
		default:
			draw(p, srv, ack, interval, now);
			break;
		}
	}
	draw(p, srv, ack, interval, now);
	pred_free(p);
	emu_free(srv);
	return 0;
}
