/*
 * termcells: the reference terminal model of the end-to-end hyperlink test
 * (tests/e2e/osc8_session.sh). It feeds a byte stream to a terminal of the
 * given size and prints what a user would see: each row's text, each run of
 * cells with one rendition other than the default (as an SGR string), each
 * run that carries one hyperlink (its params and URI) and the link still open
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
 *   rend Y X0-X1 0;...m       (cells X0..X1 of row Y have this rendition)
 *   link Y X0-X1 PARAMS;URI   (cells X0..X1 of row Y carry the link)
 *   open PARAMS;URI | open none
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "term/emu.h"
#include "term/fb.h"
#include "util/buf.h"

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

/* A run's label: whether cells a and b belong to one run, and how it prints. */
struct run_kind {
	bool (*same)(const struct fb_cell *a, const struct fb_cell *b);
	bool (*shown)(const struct fb_cell *c);
	void (*print)(const struct fb_cell *c);
	const char *name;
};

static bool same_link(const struct fb_cell *a, const struct fb_cell *b)
{
	return a->rend.link == b->rend.link;
}

static bool has_link(const struct fb_cell *c)
{
	return c->rend.link != 0;
}

static void print_cell_link(const struct fb_cell *c)
{
	print_link(c->rend.link);
}

static struct fb_rend rend_no_link(const struct fb_cell *c)
{
	struct fb_rend r = c->rend;

	r.link = 0;
	return r;
}

static bool same_rend(const struct fb_cell *a, const struct fb_cell *b)
{
	struct fb_rend ra = rend_no_link(a), rb = rend_no_link(b);

	return fb_rend_equal(&ra, &rb);
}

static bool has_rend(const struct fb_cell *c)
{
	static const struct fb_rend plain;
	struct fb_rend r = rend_no_link(c);

	return !fb_rend_equal(&r, &plain);
}

static void print_rend(const struct fb_cell *c)
{
	struct fb_rend r = rend_no_link(c);
	struct buf b;

	buf_init(&b);
	fb_rend_sgr(&r, &b);
	fwrite(b.data + 2, 1, b.len - 2, stdout); /* without the ESC [ */
	buf_fini(&b);
}

static const struct run_kind kinds[] = {
    {same_rend, has_rend, print_rend, "rend"},
    {same_link, has_link, print_cell_link, "link"},
};

/* The runs of row y that k shows. */
static void print_runs(const struct fb_row *row, int y, const struct run_kind *k)
{
	int x0 = 0;

	for (int x = 1; x <= row->width; x++) {
		const struct fb_cell *c = &row->cells[x0];

		if (x < row->width && k->same(&row->cells[x], c))
			continue;
		if (k->shown(c)) {
			printf("%s %d %d-%d ", k->name, y, x0, x - 1);
			k->print(c);
			putchar('\n');
		}
		x0 = x;
	}
}

static void print_row(const struct fb *fb, int y)
{
	const struct fb_row *row = fb_row(fb, y);

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
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		print_runs(row, y, &kinds[i]);
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
