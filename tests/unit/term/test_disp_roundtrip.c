/*
 * The round-trip law of the server display differ (DESIGN.md, PROTOCOL.md
 * §5.6/§6): for random screens A and B (B = A plus more random output, maybe
 * after a resize), feeding disp_server(A, B) to an emulator that holds A
 * yields B cell for cell, and the diff stays inside the §6.1 vocabulary with
 * no query. The client side is modelled as mosh's is: its emulator only ever
 * sees diffs (and resizes), never the server's raw output. Full repaints
 * (initialized = false) are checked from a blank and from a used screen.
 * Argument or $DISP_RT_PAIRS: number of pairs (default 10000; fewer under
 * ASan, where each pair costs ~20x more).
 */
#include <stdlib.h>

#include "../test.h"

#include "disp_testlib.h"
#include "term/disp.h"
#include "term/emu.h"
#include "util/buf.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DEFAULT_PAIRS 2000
#endif
#endif
#ifndef DEFAULT_PAIRS
#define DEFAULT_PAIRS 10000
#endif

static long pairs_wanted = DEFAULT_PAIRS;

struct stats {
	long pairs, repaints, bytes, scrolls;
};

static void print_escaped(const struct buf *b)
{
	printf("# diff (%zu bytes): ", b->len);
	for (size_t i = 0; i < b->len && i < 4000; i++) {
		uint8_t c = b->data[i];
		if (c == 0x1b)
			printf("\\e");
		else if (c < 0x20 || c >= 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	printf("\n");
}

/*
 * Apply diff (made from `from` to `want`) to the client emulator and check
 * the result; the bell count moves by at most one (§12.3 quirk 9) and is
 * then set to the server's so later comparisons stay exact.
 */
static void apply_and_check(struct emu *client, const struct fb *from, const struct fb *want,
			    const struct buf *diff, const char *what, unsigned long seed, int step)
{
	char why[512];
	unsigned bell_before = emu_fb(client)->bell;
	struct buf replies;

	if (!dt_vocab_ok(diff->data, diff->len, why, sizeof(why))) {
		print_escaped(diff);
		TEST_FAIL("%s seed %lu step %d: vocabulary: %s", what, seed, step, why);
	}
	if (want->ds.width != emu_fb(client)->ds.width ||
	    want->ds.height != emu_fb(client)->ds.height)
		emu_resize(client, want->ds.width, want->ds.height);
	emu_write(client, diff->data, diff->len);
	if (emu_has_replies(client)) {
		buf_init(&replies);
		emu_take_replies(client, &replies);
		buf_fini(&replies);
		print_escaped(diff);
		TEST_FAIL("%s seed %lu step %d: the diff made the emulator reply", what, seed, step);
	}
	if ((emu_fb(client)->bell != bell_before) != (from->bell != want->bell))
		TEST_FAIL("%s seed %lu step %d: bell rang %d, wanted %d", what, seed, step,
			  emu_fb(client)->bell != bell_before, from->bell != want->bell);
	emu_fb_mut(client)->bell = want->bell;
	if (!dt_fb_same(want, emu_fb(client), why, sizeof(why))) {
		print_escaped(diff);
		TEST_FAIL("%s seed %lu step %d (%dx%d): %s", what, seed, step, want->ds.width,
			  want->ds.height, why);
	}
}

static void pick_size(struct dt_rng *r, int *w, int *h)
{
	unsigned k = dt_rng_below(r, 100);

	if (k < 75) {
		*w = 1 + (int)dt_rng_below(r, 30);
		*h = 1 + (int)dt_rng_below(r, 12);
	} else if (k < 97) {
		*w = 20 + (int)dt_rng_below(r, 100);
		*h = 5 + (int)dt_rng_below(r, 40);
	} else {
		*w = 100 + (int)dt_rng_below(r, 201);
		*h = 30 + (int)dt_rng_below(r, 71);
	}
}

/* Check a full repaint of want onto a copy of client (its current screen) and onto a blank one. */
static void check_repaints(const struct emu *client, const struct fb *want, unsigned long seed,
			   int step, struct stats *st)
{
	struct emu *used = emu_copy(client);
	struct emu *blank = emu_new(want->ds.width, want->ds.height);
	struct buf d;

	buf_init(&d);
	if (emu_fb(used)->ds.width != want->ds.width || emu_fb(used)->ds.height != want->ds.height)
		emu_resize(used, want->ds.width, want->ds.height);
	disp_server(emu_fb(used), want, false, &d);
	apply_and_check(used, emu_fb(used), want, &d, "repaint(used)", seed, step);
	buf_clear(&d);
	disp_server(emu_fb(blank), want, false, &d);
	apply_and_check(blank, emu_fb(blank), want, &d, "repaint(blank)", seed, step);
	st->repaints += 2;
	buf_fini(&d);
	emu_free(used);
	emu_free(blank);
}

static void run_session(unsigned long seed, struct stats *st)
{
	struct dt_rng r;
	int w, h;
	struct emu *server, *client;
	struct fb *a;
	struct buf out, diff;
	int steps;

	dt_rng_seed(&r, seed);
	pick_size(&r, &w, &h);
	server = emu_new(w, h);
	client = emu_new(w, h);
	a = fb_copy(emu_fb(server));
	buf_init(&out);
	buf_init(&diff);
	steps = 1 + (int)dt_rng_below(&r, 6);
	for (int step = 0; step < steps && st->pairs < pairs_wanted; step++) {
		struct fb *b;

		if (dt_rng_below(&r, 10) == 0) {
			pick_size(&r, &w, &h);
			emu_resize(server, w, h);
		}
		buf_clear(&out);
		dt_random_output(&r, w, h, 1 + (int)dt_rng_below(&r, 40), &out);
		emu_write(server, out.data, out.len);
		buf_clear(&out);
		emu_take_replies(server, &out);
		b = fb_copy(emu_fb(server));

		buf_clear(&diff);
		disp_server(a, b, true, &diff);
		st->bytes += (long)diff.len;
		if (memmem(diff.data, diff.len, "\033[1;", 4) != NULL && memchr(diff.data, '\n', diff.len))
			st->scrolls++;
		apply_and_check(client, a, b, &diff, "diff", seed, step);
		st->pairs++;
		if (dt_rng_below(&r, 8) == 0)
			check_repaints(client, b, seed, step, st);
		fb_free(a);
		a = b;
	}
	fb_free(a);
	buf_fini(&out);
	buf_fini(&diff);
	emu_free(server);
	emu_free(client);
}

TEST(roundtrip_random_pairs)
{
	struct stats st = {0, 0, 0, 0};

	for (unsigned long seed = 1; st.pairs < pairs_wanted; seed++)
		run_session(seed, &st);
	printf("# %ld pairs, %ld full repaints, %ld diff bytes, %ld scroll-region shortcuts\n",
	       st.pairs, st.repaints, st.bytes, st.scrolls);
	CHECK(st.pairs >= pairs_wanted);
}

/* The validator itself must reject what the server may never send. */
TEST(validator_rejects_queries_and_strangers)
{
	static const char *const bad[] = {"\033[c", "\033[>c", "\033[5n", "\033[6n", "\033[2;5r",
					  "\0337", "\033[?1049h", "\033[1m", "\t", "\033]4;x\a",
					  "\033[3X\033[", "\x9b"};
	char why[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!dt_vocab_ok((const uint8_t *)bad[i], strlen(bad[i]), why, sizeof(why)));
	CHECK(dt_vocab_ok((const uint8_t *)"\033[0;1;38;5;200;48;2;1;2;3mx\033[5X\033[?1006h", 39,
			  why, sizeof(why)));
}

int main(int argc, char **argv)
{
	const char *env = getenv("DISP_RT_PAIRS");

	if (argc > 1)
		pairs_wanted = atol(argv[1]);
	else if (env != NULL)
		pairs_wanted = atol(env);
	if (pairs_wanted < 1)
		pairs_wanted = 1;
	RUN(validator_rejects_queries_and_strangers);
	RUN(roundtrip_random_pairs);
	return test_done();
}
