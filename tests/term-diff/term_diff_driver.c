/*
 * Driver for the tmux differential test (run.sh):
 *   term_diff_driver list            the case names
 *   term_diff_driver gen CASE FILE   write the case's byte stream to FILE
 *   term_diff_driver paint FILE      show FILE as mosh-client would: feed it to
 *                                    our emulator in chunks and paint each new
 *                                    frame on stdout with the CLIENT display
 *                                    differ, capabilities from $TERM
 * The streams are generated here, deterministically, so a failing case can be
 * reproduced byte for byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "term/disp.h"
#include "term/emu.h"
#include "util/buf.h"
#include "util/err.h"

static void cp(struct buf *b, uint32_t c)
{
	char tmp[4];

	buf_append(b, tmp, (size_t)fb_utf8_encode(c, tmp));
}

static void gen_ascii(struct buf *b)
{
	for (int row = 0x20; row < 0x80; row += 16) {
		buf_appendf(b, "%02x:", row);
		for (int c = row; c < row + 16 && c < 0x7F; c++)
			buf_appendf(b, " %c", c);
		buf_append_str(b, "\r\n");
	}
}

static void gen_latin1(struct buf *b)
{
	for (int row = 0xA0; row < 0x100; row += 16) {
		buf_appendf(b, "%02x:", row);
		for (int c = row; c < row + 16; c++) {
			buf_append_byte(b, ' ');
			/* U+00AD SOFT HYPHEN: mosh forces width 1, tmux gives it its wcwidth. */
			cp(b, c == 0xAD ? '-' : (uint32_t)c);
		}
		buf_append_str(b, "\r\n");
	}
}

static void gen_sgr16(struct buf *b)
{
	static const int attrs[] = {1, 3, 4, 5, 7, 8};

	for (int i = 0; i < 8; i++)
		buf_appendf(b, "\033[%dmfg%d \033[%dmFG%d \033[%dmbg%d \033[%dmBG%d\033[0m\r\n",
		            30 + i, i, 90 + i, i, 40 + i, i, 100 + i, i);
	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		buf_appendf(b, "\033[%d;3%zu;4%zumattr %d\033[0m ", attrs[i], i, 7 - i, attrs[i]);
	buf_append_str(
	    b, "\033[1;4;31mbold-ul-red\033[22mno-bold\033[24mplain-red\033[39mdefault\r\n");
	/* Background colour erase: the rest of the line in blue. */
	buf_append_str(b, "\033[44mblue to the end\033[K\033[0m\r\n\033[41m\033[2K\033[0m");
}

static void gen_sgr256(struct buf *b)
{
	for (int n = 0; n < 256; n++) {
		buf_appendf(b, "\033[38;5;%dm%02x\033[48;5;%dm \033[0m", n, n, 255 - n);
		if (n % 16 == 15)
			buf_append_str(b, "\r\n");
	}
}

static void gen_truecolor(struct buf *b)
{
	for (int row = 0; row < 12; row++) {
		for (int col = 0; col < 40; col++)
			buf_appendf(b, "\033[38;2;%d;%d;%dm\033[48;2;%d;%d;%dm%c", col * 6,
			            row * 20, 128, 255 - col * 6, 40, row * 20,
			            'a' + (col + row) % 26);
		buf_append_str(b, "\033[0m\r\n");
	}
}

static void gen_wrap80(struct buf *b)
{
	/* Exactly 80, then 81, then 200 characters; coloured text across the edge. */
	for (int i = 0; i < 80; i++)
		buf_append_byte(b, (uint8_t)('0' + i % 10));
	buf_append_str(b, "\r\n");
	for (int i = 0; i < 81; i++)
		buf_append_byte(b, (uint8_t)('a' + i % 26));
	buf_append_str(b, "\r\n");
	for (int i = 0; i < 200; i++)
		buf_append_byte(b, (uint8_t)('A' + i % 26));
	buf_append_str(b, "\r\n\033[70G\033[7mreverse across the edge\033[0m tail\r\n");
	for (int i = 0; i < 79; i++)
		buf_append_byte(b, '.');
	buf_append_str(b, "\033[42m \033[43m \033[0mx\r\n");
	/* Exactly 80 then a CR LF: no wrap mark (the pending wrap is cancelled). */
	for (int i = 0; i < 80; i++)
		buf_append_byte(b, '=');
	buf_append_str(b, "\r\nend");
}

static void gen_cbt(struct buf *b)
{
	buf_append_str(b, "a\tb\tc\tdefg\033[Z<\033[2Z<<\r\n");
	buf_append_str(b, "\033[5G\033[Zx\033[40G\033[3Zy\033[79G\033[Zz\r\n");
	buf_append_str(b, "\033[3g\tno stops\033[Zback\r\n");
}

static void gen_scroll(struct buf *b)
{
	for (int i = 1; i <= 60; i++)
		buf_appendf(b, "line %d\r\n", i);
	buf_append_str(b, "\033[5;15r\033[15;1H");
	for (int i = 1; i <= 7; i++)
		buf_appendf(b, "\nregion %d", i);
	buf_append_str(b, "\033[r\033[24;1H");
	for (int i = 61; i <= 64; i++)
		buf_appendf(b, "\r\nline %d", i);
	buf_append_str(b, "\033[3;1H\033[2M\033[10;1H\033[3L\033[1;20H\033[2S");
}

static void gen_wide(struct buf *b)
{
	static const uint32_t cjk[] = {0x65E5, 0x672C, 0x8A9E, 0x4E2D, 0x6587, 0xD55C, 0xAD6D};

	for (int i = 0; i < 60; i++)
		cp(b, cjk[i % 7]);
	/*
	 * Not here: a wide character that does not fit in column 80. mosh moves
	 * it to the next line *without* marking the line wrapped (§8.6 step 2),
	 * tmux marks it, so capture-pane -J differs by design.
	 */
	buf_append_str(b, "\r\n\033[77G");
	cp(b, 0x5B57);
	cp(b, 0x5B57);
	buf_append_str(b, "\r\nabc");
	cp(b, 0x1F600);
	buf_append_str(b, "def\r\n");
	/* Overwrite half of a wide character. */
	cp(b, 0x6F22);
	cp(b, 0x5B57);
	buf_append_str(b, "\033[1Gz\r\n");
}

static void gen_combining(struct buf *b)
{
	static const uint32_t marks[] = {0x301, 0x308, 0x303, 0x327, 0x30A};

	for (int i = 0; i < 40; i++) {
		buf_append_byte(b, (uint8_t)('a' + i % 26));
		cp(b, marks[i % 5]);
		if (i % 3 == 0)
			cp(b, marks[(i + 2) % 5]);
	}
	buf_append_str(b, "\r\n\033[1mbold e");
	cp(b, 0x301);
	buf_append_str(b, "\033[0m and CJK with a mark ");
	cp(b, 0x4E2D);
	cp(b, 0x301);
	buf_append_str(b, "\r\n");
}

/* A full-screen program on the alternate screen, then back to the shell's
 * screen, cursor and rendition (1049). Only what tmux and xterm agree on:
 * tmux erases the alternate screen on every entry and ignores 1048, so 47,
 * 1047 and 1048 are left to tests/term/altscreen.test. */
static void gen_altscreen(struct buf *b)
{
	for (int i = 1; i <= 30; i++)
		buf_appendf(b, "\033[3%dmshell line %d\033[0m\r\n", i % 8, i);
	buf_append_str(b, "$ less\033[1;33m\033[?1049h\033[0m\033[H");
	for (int y = 1; y <= 23; y++)
		buf_appendf(b, "\033[%d;1H~ screen line %d", y, y);
	buf_append_str(b, "\033[24;1H\033[7m-- more --\033[0m\033[5;5H\033[?1049l");
	buf_append_str(b, "(back)\r\n$ ");
}

struct gen_case {
	const char *name;
	void (*gen)(struct buf *);
};

static const struct gen_case cases[] = {
    {"ascii", gen_ascii},
    {"latin1", gen_latin1},
    {"sgr16", gen_sgr16},
    {"sgr256", gen_sgr256},
    {"truecolor", gen_truecolor},
    {"wrap80", gen_wrap80},
    {"cbt", gen_cbt},
    {"scroll", gen_scroll},
    {"wide", gen_wide},
    {"combining", gen_combining},
    {"altscreen", gen_altscreen},
};

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);
		if (k < 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int paint(const char *path)
{
	struct tcaps caps;
	char err[ERR_LEN];
	struct winsize ws;
	struct emu *emu;
	struct fb *prev;
	struct buf in, out;
	FILE *f;
	int rc;
	size_t off = 0, chunk = 1;

	if (tcaps_load(&caps, getenv("TERM"), err) != 0) {
		fprintf(stderr, "term_diff_driver: %s\n", err);
		return 1;
	}
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0 || ws.ws_row == 0) {
		ws.ws_col = 80;
		ws.ws_row = 24;
	}
	f = fopen(path, "rb");
	if (f == NULL) {
		perror(path);
		return 1;
	}
	buf_init(&in);
	buf_init(&out);
	for (int c; (c = getc(f)) != EOF;)
		buf_append_byte(&in, (uint8_t)c);
	fclose(f);

	emu = emu_new(ws.ws_col, ws.ws_row);
	disp_frame(&caps, NULL, emu_fb(emu), false, &out);
	prev = fb_copy(emu_fb(emu));
	/* Frames after chunks of growing, uneven sizes: many small diffs, some big ones. */
	while (off < in.len) {
		size_t n = in.len - off < chunk ? in.len - off : chunk;

		emu_write(emu, in.data + off, n);
		off += n;
		chunk = chunk * 3 / 2 + 7;
		disp_frame(&caps, prev, emu_fb(emu), true, &out);
		fb_free(prev);
		prev = fb_copy(emu_fb(emu));
	}
	rc = write_all(STDOUT_FILENO, out.data, out.len);
	fb_free(prev);
	emu_free(emu);
	buf_fini(&in);
	buf_fini(&out);
	return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	const size_t ncases = sizeof(cases) / sizeof(cases[0]);

	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		for (size_t i = 0; i < ncases; i++)
			printf("%s\n", cases[i].name);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "gen") == 0) {
		for (size_t i = 0; i < ncases; i++) {
			if (strcmp(argv[2], cases[i].name) == 0) {
				struct buf b;
				FILE *f = fopen(argv[3], "wb");
				int ok;

				if (f == NULL) {
					perror(argv[3]);
					return 1;
				}
				buf_init(&b);
				cases[i].gen(&b);
				ok = fwrite(b.data, 1, b.len, f) == b.len;
				buf_fini(&b);
				return fclose(f) == 0 && ok ? 0 : 1;
			}
		}
		fprintf(stderr, "term_diff_driver: no case %s\n", argv[2]);
		return 2;
	}
	if (argc == 3 && strcmp(argv[1], "paint") == 0)
		return paint(argv[2]);
	fprintf(stderr, "usage: term_diff_driver list | gen CASE FILE | paint FILE\n");
	return 2;
}
