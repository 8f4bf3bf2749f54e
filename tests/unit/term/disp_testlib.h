/*
 * Shared by the display round-trip test, the fuzz target and the bench:
 * random terminal output, a §6.1 vocabulary validator for server diffs, and a
 * framebuffer comparison that names the first difference.
 */
#ifndef MOSHC_TESTS_DISP_TESTLIB_H
#define MOSHC_TESTS_DISP_TESTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "term/fb.h"
#include "term/tcaps.h"

struct buf;

/* xorshift64*: deterministic, seedable, good enough for test data. */
struct dt_rng {
	uint64_t s;
};
void dt_rng_seed(struct dt_rng *r, uint64_t seed);
uint64_t dt_rng_next(struct dt_rng *r);
/* Uniform in [0, n); n > 0. */
unsigned dt_rng_below(struct dt_rng *r, unsigned n);

/*
 * Append about n random "pieces" of terminal output (text of every width,
 * controls, cursor moves, erases, scrolls, regions, SGR, modes, titles,
 * clipboard, bells, the odd query and reset) for a screen of width×height.
 */
void dt_random_output(struct dt_rng *r, int width, int height, int n, struct buf *out);

/*
 * Whether s (a server diff) stays in the §6.1 vocabulary and holds no query;
 * with ext, the extended flavour's too (SGR 2, 9, 4:n, 58, §15). On failure
 * writes the offset and reason to why (why_len bytes).
 */
bool dt_vocab_ok(const uint8_t *s, size_t len, bool ext, char *why, size_t why_len);

/*
 * Compare what a diff transmits: size, cursor, visibility, modes, rendition,
 * title, clipboard, every cell (contents, rendition, flags) — not generations,
 * the bell count (compared by the caller, §12.3 quirk 9), the icon name or
 * the never-transmitted alternate-scroll flag; renditions as a terminal with
 * caps shows them (disp_rend_shown). Returns true when equal, else writes the
 * first difference to why.
 */
bool dt_fb_same(const struct tcaps *caps, const struct fb *want, const struct fb *got, char *why,
                size_t why_len);

/*
 * What a real terminal painted by the client flavour must show: as
 * dt_fb_same, but a space and an empty cell are alike, a fallback cell is
 * U+00A0 + its contents, the bottom row's wrap mark is not compared, and the
 * title only when caps->titles (the terminal takes titles).
 */
bool dt_fb_looks_same(const struct tcaps *caps, const struct fb *want, const struct fb *got,
                      char *why, size_t why_len);

#endif
