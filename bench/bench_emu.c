/*
 * Emulator throughput (make bench): megabytes per second of terminal output
 * folded into an 80x24 framebuffer, for plain ASCII text, UTF-8 text with
 * combining and wide characters, and colourful text (SGR per word), plus the
 * cost of a framebuffer copy (what SSP pays per state). Inputs are generated
 * with a fixed seed so runs compare.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "term/emu.h"
#include "term/fb.h"

#define INPUT_BYTES (32u << 20)

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static size_t append(unsigned char *s, size_t i, const char *piece)
{
	size_t n = strlen(piece);

	if (i + n > INPUT_BYTES)
		return INPUT_BYTES;
	memcpy(s + i, piece, n);
	return i + n;
}

static size_t gen_input(unsigned char *s, int kind)
{
	static const char *utf8_words[] = {"caf\xc3\xa9",  "\xe4\xb8\xad\xe6\x96\x87", "e\xcc\x81",
	                                   "na\xc3\xafve", "\xf0\x9f\x98\x80",         "plain"};
	static const char *sgr[] = {"\033[1;31m", "\033[0m", "\033[38;5;200m",
	                            "\033[48;2;10;20;30m", "\033[4m"};
	size_t i = 0;

	srand(7);
	while (i < INPUT_BYTES) {
		int words = 3 + rand() % 10;

		for (int w = 0; w < words && i < INPUT_BYTES; w++) {
			if (kind == 1) {
				i = append(s, i, utf8_words[rand() % 6]);
			} else {
				int len = 2 + rand() % 8;

				if (kind == 2)
					i = append(s, i, sgr[rand() % 5]);
				for (int k = 0; k < len && i < INPUT_BYTES; k++)
					s[i++] = (unsigned char)('a' + rand() % 26);
			}
			i = append(s, i, " ");
		}
		i = append(s, i, "\r\n");
	}
	return i;
}

static void run(const char *name, int kind, unsigned char *s)
{
	size_t n = gen_input(s, kind);
	struct emu *e = emu_new(80, 24);
	double t = now();

	emu_write(e, s, n);
	t = now() - t;
	printf("term: %-28s %8.1f MB/s\n", name, (double)n / t / 1e6);
	emu_free(e);
}

int main(void)
{
	unsigned char *s = malloc(INPUT_BYTES);
	struct emu *e = emu_new(200, 60);
	const int copies = 20000;
	double t;

	if (s == NULL)
		return 1;
	run("plain ASCII text", 0, s);
	run("UTF-8 text (wide, combining)", 1, s);
	run("text with SGR per word", 2, s);
	free(s);

	emu_write(e, (const unsigned char *)"\033[2Jhello", 9);
	t = now();
	for (int i = 0; i < copies; i++) {
		struct fb *c = fb_copy(emu_fb(e));

		fb_free(c);
	}
	t = now() - t;
	printf("term: %-28s %8.2f us\n", "fb_copy 200x60", t / copies * 1e6);
	emu_free(e);
	return 0;
}
