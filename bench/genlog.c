/*
 * genlog: write a deterministic colour log for bench/server_cpu.sh.
 *
 * Usage: genlog BYTES > FILE. The output is about BYTES long (the last line is
 * added after the target is reached) and the same on every run and machine: a
 * fixed-seed xorshift generator picks everything. Lines are 20 to 400 columns
 * wide (most wrap on an 80-column screen) and made of words coloured with
 * SGR basic, bright, 256-colour and true-colour foregrounds and backgrounds,
 * bold and underline, in ASCII, accented Latin, Greek, box drawing and CJK
 * (double width). The last line is "END-OF-LOG <bytes>", which the benchmark
 * waits for on the client's screen.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static unsigned below(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)((rng_state >> 32) % n);
}

static const char *const words[] = {
    "src/term/emu.c:412:",
    "warning:",
    "error:",
    "note:",
    "implicit",
    "declaration",
    "of",
    "function",
    "the",
    "quick",
    "brown",
    "fox",
    "0x7ffd3a2c",
    "[  OK  ]",
    "GET /index.html 200",
    "ünïcødé",
    "naïve café",
    "Ελληνικά",
    "→",
    "✓ passed",
    "─┼─│",
    "日本語テキスト",
    "中文字符",
    "한국어",
    "12345",
    "--verbose",
};

static int colour(void)
{
	switch (below(8)) {
	case 0:
		return printf("\033[%um", 30 + below(8));
	case 1:
		return printf("\033[1;%um", 90 + below(8));
	case 2:
		return printf("\033[38;5;%um", below(256));
	case 3:
		return printf("\033[38;2;%u;%u;%um", below(256), below(256), below(256));
	case 4:
		return printf("\033[48;5;%u;38;5;%um", below(256), below(256));
	case 5:
		return printf("\033[4;48;2;%u;%u;%um", below(256), below(256), below(256));
	default:
		return 0; /* plain words too */
	}
}

int main(int argc, char **argv)
{
	unsigned long long target, n = 0;

	if (argc != 2 || (target = strtoull(argv[1], NULL, 10)) == 0) {
		fprintf(stderr, "usage: genlog BYTES > FILE\n");
		return 2;
	}
	while (n < target) {
		unsigned cols = 20 + below(380);
		unsigned w = 0;
		int len;

		while (w < cols) {
			const char *word = words[below(sizeof words / sizeof words[0])];

			n += (unsigned long long)colour();
			len = printf("%s\033[0m ", word);
			n += (unsigned long long)len;
			w += (unsigned)len * 2 / 3;
		}
		n += (unsigned long long)printf("\n");
	}
	printf("\033[0mEND-OF-LOG %llu\n", n);
	return ferror(stdout) ? 1 : 0;
}
