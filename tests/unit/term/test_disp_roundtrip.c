/*
 * The round-trip law of the server display differ (DESIGN.md, doc/PROTOCOL.md
 * §5.6/§6): for random screens A and B (B = A plus more random output, maybe
 * after a resize), feeding disp_server(A, B) to an emulator that holds A
 * yields B cell for cell, and the diff stays inside the §6.1 vocabulary with
 * no query. The client side is modelled as mosh's is: its emulator only ever
 * sees diffs (and resizes), never the server's raw output. Full repaints
 * (initialized = false) are checked from a blank and from a used screen.
 * The client flavour is checked alongside: terminals with the capabilities
 * of xterm-256color, screen and vt100 painted frame by frame must look like
 * each frame (dt_fb_looks_same).
 * Both server flavours: sessions with an odd seed use the extended one
 * (tcaps_server_ext: our renditions, exact too), the others the plain one,
 * whose diffs must stay in mosh 1.4's vocabulary while the client's screen
 * equals B with our renditions masked (disp_rend_shown).
 * Argument or $DISP_RT_PAIRS: number of pairs (default 10000).
 */
#include <stdlib.h>

#include "../test.h"

#include "disp_testlib.h"
#include "term/disp.h"
#include "term/emu.h"
#include "util/buf.h"

#define DEFAULT_PAIRS 10000

static long pairs_wanted = DEFAULT_PAIRS;
/* The server output of the current step, shown when a check fails. */
static const struct buf *last_output;
/* $DISP_RT_SEED: run only this session and print every diff (debugging). */
static unsigned long trace_seed;

struct stats {
	long pairs, repaints, bytes, scrolls;
};

static void dump(const char *what, const struct fb *f)
{
	printf("# %s: cursor %d,%d\n", what, f->ds.cur_row, f->ds.cur_col);
	for (int y = 0; y < f->ds.height; y++) {
		printf("# |");
		for (int x = 0; x < f->ds.width; x++) {
			const struct fb_cell *c = fb_cell(f, y, x);
			printf("%.*s%s", c->len ? c->len : 1, c->len ? c->text : ".",
			       (c->flags & FB_CELL_WRAP) ? "~" : "");
		}
		printf("|\n");
	}
}

static void print_escaped(const char *what, const struct buf *b)
{
	printf("# %s (%zu bytes): ", what, b->len);
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
static void apply_and_check(struct emu *client, unsigned from_bell, const struct fb *want,
                            const struct buf *diff, const char *what, unsigned long seed, int step)
{
	char why[512];
	unsigned bell_before = emu_fb(client)->bell;
	struct buf replies;
	const bool ext = (seed & 1) != 0;
	struct tcaps caps;

	/* Compared with every rendition when ext, not through tcaps_server_ext:
	 * the check must not share what it checks. */
	tcaps_server(&caps);
	caps.faint = caps.strike = caps.ul_style = caps.ul_color = caps.links = ext;
	if (!dt_vocab_ok(diff->data, diff->len, ext, why, sizeof(why))) {
		print_escaped("output", last_output);
		print_escaped("diff", diff);
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
		print_escaped("output", last_output);
		print_escaped("diff", diff);
		TEST_FAIL("%s seed %lu step %d: the diff made the emulator reply", what, seed,
		          step);
	}
	if ((emu_fb(client)->bell != bell_before) != (from_bell != want->bell))
		TEST_FAIL("%s seed %lu step %d: bell rang %d, wanted %d", what, seed, step,
		          emu_fb(client)->bell != bell_before, from_bell != want->bell);
	emu_fb_mut(client)->bell = want->bell;
	if (!dt_fb_same(&caps, want, emu_fb(client), why, sizeof(why))) {
		print_escaped("output", last_output);
		print_escaped("diff", diff);
		TEST_FAIL("%s seed %lu step %d (%dx%d): %s", what, seed, step, want->ds.width,
		          want->ds.height, why);
	}
}

/* Whether a diff used the scroll shortcut with a region (ESC [ 1 ; N r). */
static bool has_region(const struct buf *d)
{
	for (size_t i = 0; i + 4 < d->len; i++) {
		size_t j = i + 4;

		if (memcmp(d->data + i, "\033[1;", 4) != 0)
			continue;
		while (j < d->len && d->data[j] >= '0' && d->data[j] <= '9')
			j++;
		if (j < d->len && d->data[j] == 'r')
			return true;
	}
	return false;
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
	disp_server(emu_fb(used), want, false, (seed & 1) != 0, &d);
	apply_and_check(used, emu_fb(used)->bell, want, &d, "repaint(used)", seed, step);
	buf_clear(&d);
	disp_server(emu_fb(blank), want, false, (seed & 1) != 0, &d);
	apply_and_check(blank, emu_fb(blank)->bell, want, &d, "repaint(blank)", seed, step);
	st->repaints += 2;
	buf_fini(&d);
	emu_free(used);
	emu_free(blank);
}

/*
 * The client flavour paints a terminal (modelled by our emulator) with the
 * capabilities of a real one: what it then shows must look like the frame.
 */
#define NPAINT 3
static struct tcaps paint_caps[NPAINT];
static const char *const paint_terms[NPAINT] = {"xterm-256color", "screen", "vt100"};

static void paint_and_check(struct emu *term, const struct tcaps *caps, const struct fb *from,
                            const struct fb *want, bool initialized, unsigned long seed, int step,
                            const char *name)
{
	char why[512];
	unsigned bell_before = emu_fb(term)->bell;
	struct buf d;

	buf_init(&d);
	disp_frame(caps, from, want, initialized, &d);
	if (want->ds.width != emu_fb(term)->ds.width || want->ds.height != emu_fb(term)->ds.height)
		emu_resize(term, want->ds.width, want->ds.height);
	emu_write(term, d.data, d.len);
	if (emu_has_replies(term))
		TEST_FAIL("paint %s seed %lu step %d: the frame made the terminal reply", name,
		          seed, step);
	if (from != NULL && (emu_fb(term)->bell != bell_before) != (from->bell != want->bell))
		TEST_FAIL("paint %s seed %lu step %d: bell", name, seed, step);
	emu_fb_mut(term)->bell = want->bell;
	if (!dt_fb_looks_same(caps, want, emu_fb(term), why, sizeof(why))) {
		print_escaped("output", last_output);
		print_escaped("frame", &d);
		TEST_FAIL("paint %s seed %lu step %d (%dx%d): %s", name, seed, step, want->ds.width,
		          want->ds.height, why);
	}
	buf_fini(&d);
}

static void run_session(unsigned long seed, struct stats *st)
{
	struct dt_rng r;
	int w, h;
	struct emu *server, *client, *terms[NPAINT];
	struct fb *a;
	struct buf out, diff, replies;
	int steps;

	dt_rng_seed(&r, seed);
	pick_size(&r, &w, &h);
	server = emu_new(w, h);
	client = emu_new(w, h);
	a = fb_copy(emu_fb(server));
	for (int i = 0; i < NPAINT; i++) {
		terms[i] = emu_new(w, h);
		paint_and_check(terms[i], &paint_caps[i], NULL, a, false, seed, -1, paint_terms[i]);
	}
	buf_init(&out);
	buf_init(&diff);
	buf_init(&replies);
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
		last_output = &out;
		emu_take_replies(server, &replies);
		buf_clear(&replies);
		b = fb_copy(emu_fb(server));

		buf_clear(&diff);
		disp_server(a, b, true, (seed & 1) != 0, &diff);
		if (trace_seed != 0) {
			dump("client before", emu_fb(client));
			print_escaped("output", &out);
			print_escaped("diff", &diff);
			dump("server after", b);
		}
		st->bytes += (long)diff.len;
		if (has_region(&diff))
			st->scrolls++;
		apply_and_check(client, a->bell, b, &diff, "diff", seed, step);
		for (int i = 0; i < NPAINT; i++)
			paint_and_check(terms[i], &paint_caps[i], a, b, true, seed, step,
			                paint_terms[i]);
		st->pairs++;
		if (dt_rng_below(&r, 8) == 0)
			check_repaints(client, b, seed, step, st);
		fb_free(a);
		a = b;
	}
	fb_free(a);
	buf_fini(&out);
	buf_fini(&diff);
	buf_fini(&replies);
	emu_free(server);
	emu_free(client);
	for (int i = 0; i < NPAINT; i++)
		emu_free(terms[i]);
}

TEST(roundtrip_random_pairs)
{
	struct stats st = {0, 0, 0, 0};

	if (trace_seed != 0) {
		run_session(trace_seed, &st);
		return;
	}
	for (unsigned long seed = 1; st.pairs < pairs_wanted; seed++)
		run_session(seed, &st);
	printf("# %ld pairs, %ld full repaints, %ld diff bytes, %ld scroll-region shortcuts\n",
	       st.pairs, st.repaints, st.bytes, st.scrolls);
	CHECK(st.pairs >= pairs_wanted);
}

/* The validator itself must reject what the server may never send. */
TEST(validator_rejects_queries_and_strangers)
{
	static const char *const bad[] = {"\033[c",    "\033[>c",    "\033[5n",      "\033[6n",
	                                  "\033[2;5r", "\0337",      "\033[?1049h",  "\033[1m",
	                                  "\t",        "\033]4;x\a", "\033[3X\033[", "\x9b"};
	char why[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(
		    !dt_vocab_ok((const uint8_t *)bad[i], strlen(bad[i]), true, why, sizeof(why)));
	CHECK(dt_vocab_ok((const uint8_t *)"\033[0;1;38;5;200;48;2;1;2;3mx\033[5X\033[?1006h", 39,
	                  false, why, sizeof(why)));
	/* Our renditions only in the extended flavour. */
	static const char *const ext[] = {"\033[0;2;9m", "\033[0;4:3m", "\033[0;58;5;1m",
	                                  "\033[0;2;4:3;9;58;2;1;2;3m"};
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		CHECK(
		    !dt_vocab_ok((const uint8_t *)ext[i], strlen(ext[i]), false, why, sizeof(why)));
		CHECK(dt_vocab_ok((const uint8_t *)ext[i], strlen(ext[i]), true, why, sizeof(why)));
	}
}

int main(int argc, char **argv)
{
	const char *env = getenv("DISP_RT_PAIRS");

	for (int i = 0; i < NPAINT; i++) {
		if (tcaps_load(&paint_caps[i], paint_terms[i], NULL) != 0) {
			printf("Bail out! no terminfo entry for %s\n", paint_terms[i]);
			return 1;
		}
	}
	if (getenv("DISP_RT_SEED") != NULL)
		trace_seed = strtoul(getenv("DISP_RT_SEED"), NULL, 10);
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
