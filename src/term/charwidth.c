/*
 * Character widths from a generated range table; see charwidth.h.
 *
 * The Basic Multilingual Plane, where nearly all text lives, is answered from
 * a 64 KiB byte map filled from the range table on first use (a binary search
 * over a thousand ranges costs a dozen unpredictable branches per wide or
 * non-Latin character); other planes use the binary search directly.
 */
#include "term/charwidth.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct cw_range {
	uint32_t lo, hi;
	int8_t width;
};

#include "term/charwidth_table.h"

#define BMP_SIZE 0x10000

static int8_t bmp[BMP_SIZE];
static bool bmp_ready;

static int search(uint32_t cp)
{
	size_t lo = 0, hi = sizeof cw_table / sizeof cw_table[0];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp < cw_table[mid].lo)
			hi = mid;
		else if (cp > cw_table[mid].hi)
			lo = mid + 1;
		else
			return cw_table[mid].width;
	}
	return 1;
}

/* Code points outside every range are 1; then each range that reaches into
 * the BMP; the forced values of cw_width last. */
static void bmp_fill(void)
{
	memset(bmp, 1, sizeof bmp);
	for (size_t i = 0; i < sizeof cw_table / sizeof cw_table[0]; i++) {
		uint32_t hi = cw_table[i].hi < BMP_SIZE ? cw_table[i].hi : BMP_SIZE - 1;

		for (uint32_t cp = cw_table[i].lo; cp <= hi; cp++)
			bmp[cp] = cw_table[i].width;
	}
	bmp[0] = -1;
	memset(bmp + 0x20, 1, 0x7F - 0x20);
	memset(bmp + 0xA0, 1, 0x300 - 0xA0);
	bmp_ready = true;
}

int cw_width(uint32_t cp)
{
	/* U+00A0–U+00FF are forced to 1; U+0100–U+02FF happen to be 1 in the table. */
	if ((cp >= 0x20 && cp <= 0x7E) || (cp >= 0xA0 && cp < 0x300))
		return 1;
	if (cp < BMP_SIZE) {
		if (!bmp_ready)
			bmp_fill();
		return bmp[cp];
	}
	if (cp > 0x10FFFF)
		return -1;
	return search(cp);
}
