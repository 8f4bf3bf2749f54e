/*
 * termcells: the reference terminal model of the end-to-end hyperlink test
 * (tests/e2e/osc8_session.sh). It feeds a byte stream to a terminal of the
 * given size and prints what a user would see: each row's text, each run of
 * cells that carry one hyperlink (its params and URI) and the link still open
 * for the next print.
 *
 * The model is mosh-c's own emulator (src/term/emu), which a libvterm-style
 * script suite (tests/term/osc8.test) checks against xterm's behaviour. The
 * test feeds it two streams: the bytes a program printed, as a direct
 * terminal would see them, and what mosh-client wrote to its terminal in a
 * session running that program. Equal dumps mean the client showed the same
 * cells and links.
 *
 * Usage: termcells WIDTH HEIGHT [FILE...]   (the files in order, else stdin)
 * Output, one line each:
 *   row Y |TEXT|              (an empty cell prints as a space)
 *   link Y X0-X1 PARAMS;URI   (cells X0..X1 of row Y carry the link)
 *   open PARAMS;URI | open none
 */
#include <stdio.h>
#include <stdlib.h>

#include "term/emu.h"
#include "term/fb.h"

static int feed(struct emu *emu, FILE *f)
{
	unsigned char chunk[4096];
	size_t n;

	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		emu_write(emu, chunk, n);
	return ferror(f) ? -1 : 0;
}

static void print_link(uint16_t id)
{
	const char *params, *uri;

	if (fb_link_get(id, &params, &uri))
		printf("%s;%s", params, uri);
	else
		printf("none");
}

static void print_row(const struct fb *fb, int y)
{
	const struct fb_row *row = fb_row(fb, y);
	int x0 = 0;

	printf("row %d |", y);
	for (int x = 0; x < row->width; x++) {
		const struct fb_cell *c = &row->cells[x];

		if (c->len == 0)
			putchar(' ');
		else
			fwrite(c->text, 1, c->len, stdout);
		if (c->flags & FB_CELL_WIDE)
			x++;
	}
	printf("|\n");
	for (int x = 1; x <= row->width; x++) {
		uint16_t id = row->cells[x0].rend.link;

		if (x < row->width && row->cells[x].rend.link == id)
			continue;
		if (id != 0) {
			printf("link %d %d-%d ", y, x0, x - 1);
			print_link(id);
			putchar('\n');
		}
		x0 = x;
	}
}

int main(int argc, char **argv)
{
	struct emu *emu;
	const struct fb *fb;
	int width, height, rc = 0;

	if (argc < 3 || (width = atoi(argv[1])) < 1 || (height = atoi(argv[2])) < 1) {
		fprintf(stderr, "usage: termcells WIDTH HEIGHT [FILE...]\n");
		return 2;
	}
	emu = emu_new(width, height);
	if (argc == 3)
		rc = feed(emu, stdin);
	for (int i = 3; i < argc && rc == 0; i++) {
		FILE *f = fopen(argv[i], "rb");

		if (f == NULL) {
			perror(argv[i]);
			rc = -1;
			break;
		}
		rc = feed(emu, f);
		fclose(f);
	}
	fb = emu_fb(emu);
	for (int y = 0; y < fb->ds.height; y++)
		print_row(fb, y);
	printf("open ");
	print_link(fb->ds.rend.link);
	putchar('\n');
	emu_free(emu);
	return rc == 0 ? 0 : 1;
}
