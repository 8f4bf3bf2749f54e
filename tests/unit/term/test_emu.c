/* term/emu: hostile input (huge counts, huge sizes, random bytes) stays
 * bounded, copies are independent, replies are queued and bounded. */
#include "../test.h"

#include <stdlib.h>
#include <time.h>

#include "term/emu.h"
#include "term/fb.h"
#include "util/buf.h"

static void push(struct emu *e, const char *s)
{
	emu_write(e, (const uint8_t *)s, strlen(s));
}

TEST(emu_huge_repeat_counts)
{
	struct emu *e = emu_new(80, 24);
	const char *seqs[] = {
	    "\033[99999999@",    "\033[65535@",       "\033[65535P",   "\033[65535X",
	    "\033[65535L",       "\033[65535M",       "\033[65535S",   "\033[65535T",
	    "\033[65535A",       "\033[65535B",       "\033[65535C",   "\033[65535D",
	    "\033[65535I",       "\033[65535Z",       "\033[65535d",   "\033[65535G",
	    "\033[65535;65535H", "\033[65535;65535r", "\033[1;65535r",
	};

	for (size_t i = 0; i < sizeof seqs / sizeof seqs[0]; i++) {
		for (int k = 0; k < 200; k++)
			push(e, seqs[i]);
		const struct fb *fb = emu_fb(e);
		CHECK(fb->ds.cur_row >= 0 && fb->ds.cur_row < 24);
		CHECK(fb->ds.cur_col >= 0 && fb->ds.cur_col < 80);
	}
	push(e, "\033[65535;65535H");
	CHECK_EQ_INT(emu_fb(e)->ds.cur_row, 23);
	CHECK_EQ_INT(emu_fb(e)->ds.cur_col, 79);
	emu_free(e);
}

TEST(emu_resize_clamped)
{
	struct emu *e = emu_new(0, 0);

	CHECK_EQ_INT(emu_fb(e)->ds.width, 1);
	CHECK_EQ_INT(emu_fb(e)->ds.height, 1);
	push(e, "abc\r\nd");
	emu_resize(e, -3, 1 << 30);
	CHECK_EQ_INT(emu_fb(e)->ds.width, 1);
	CHECK(emu_fb(e)->ds.height <= FB_MAX_HEIGHT);
	emu_resize(e, 1 << 30, 1 << 30);
	CHECK((long)emu_fb(e)->ds.width * emu_fb(e)->ds.height <= FB_MAX_CELLS);
	emu_resize(e, 80, 24);
	CHECK_EQ_INT(emu_fb(e)->ds.width, 80);
	CHECK_EQ_INT(emu_fb(e)->ds.height, 24);
	push(e, "\033[24;80Hx");
	emu_free(e);
}

TEST(emu_random_bytes)
{
	struct emu *e = emu_new(80, 24);
	uint8_t *s = malloc(1 << 20);
	static const char alphabet[] = "\033[];?0123456789;mHJKr@PLMhl\007\030\x9b\xc2\x9b\xe4\xb8";

	srand(4242);
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < (1 << 20); i++)
			s[i] = round == 0
			           ? (uint8_t)rand()
			           : (uint8_t)alphabet[(size_t)rand() % (sizeof alphabet - 1)];
		emu_write(e, s, 1 << 20);
		if (round == 0)
			emu_resize(e, 13, 7);
	}
	CHECK(emu_fb(e)->ds.cur_row < emu_fb(e)->ds.height);
	free(s);
	emu_free(e);
}

TEST(emu_copy_independent)
{
	struct emu *a = emu_new(20, 5);
	struct emu *b;

	push(a, "hello\033[1;3");
	b = emu_copy(a);
	push(b, "1mX");
	push(a, "2mY");
	CHECK_EQ_INT(emu_fb(a)->ds.rend.fg, 32);
	CHECK_EQ_INT(emu_fb(b)->ds.rend.fg, 31);
	CHECK_EQ_INT(emu_fb(a)->rows[0]->cells[5].text[0], 'Y');
	CHECK_EQ_INT(emu_fb(b)->rows[0]->cells[5].text[0], 'X');
	CHECK(fb_row(emu_fb(a), 1) == fb_row(emu_fb(b), 1));
	emu_free(a);
	emu_free(b);
}

/* A copy taken in the middle of an OSC string or a UTF-8 sequence finishes it. */
TEST(emu_copy_mid_sequence)
{
	struct emu *a = emu_new(10, 2);
	struct emu *b;

	push(a, "\033]2;ab");
	b = emu_copy(a);
	push(b, "c\007");
	CHECK_EQ_STR(fb_str_data(emu_fb(b)->title), "abc");
	CHECK_EQ_INT(fb_str_len(emu_fb(a)->title), 0);
	emu_free(b);
	push(a, "\007\xe4\xb8");
	b = emu_copy(a);
	push(b, "\xad");
	CHECK_EQ_STR(fb_str_data(emu_fb(a)->title), "ab");
	CHECK_EQ_INT(fb_cell(emu_fb(b), 0, 0)->len, 3);
	CHECK_EQ_INT(fb_cell(emu_fb(a), 0, 0)->len, 0);
	emu_free(a);
	emu_free(b);
}

TEST(emu_replies_bounded)
{
	struct emu *e = emu_new(80, 24);
	struct buf out;
	struct emu_stats st;

	buf_init(&out);
	CHECK(!emu_has_replies(e));
	for (int i = 0; i < 100000; i++)
		push(e, "\033[6n");
	CHECK(emu_has_replies(e));
	CHECK(emu_take_replies(e, &out) <= 65536);
	CHECK(memcmp(out.data, "\033[1;1R", 6) == 0);
	emu_stats(e, &st);
	CHECK(st.replies_dropped > 0);
	CHECK(!emu_has_replies(e));
	CHECK_EQ_INT(emu_take_replies(e, &out), 0);
	buf_fini(&out);
	emu_free(e);
}

TEST(emu_long_osc_bounded)
{
	struct emu *e = emu_new(80, 24);

	push(e, "\033]2;");
	for (int i = 0; i < 100000; i++)
		push(e, "\xe4\xb8\xad");
	push(e, "\007");
	/* 256 characters of OSC minus "2;" = 254 characters of 3 bytes. */
	CHECK_EQ_INT(fb_str_len(emu_fb(e)->title), 254 * 3);
	emu_free(e);
}

TEST(emu_deckm_flag)
{
	struct emu *e = emu_new(80, 24);

	CHECK(!emu_app_cursor_keys(e));
	push(e, "\033[?1h");
	CHECK(emu_app_cursor_keys(e));
	push(e, "\033[!p");
	CHECK(!emu_app_cursor_keys(e));
	emu_free(e);
}

/* Random text, controls and mode changes give the same screen with and
 * without the printable-ASCII fast path. */
static void same_screen(const struct emu *a, const struct emu *b)
{
	const struct fb *fa = emu_fb(a), *fb = emu_fb(b);
	const struct fb_ds *da = &fa->ds, *db = &fb->ds;

	CHECK_EQ_INT(da->cur_row, db->cur_row);
	CHECK_EQ_INT(da->cur_col, db->cur_col);
	CHECK_EQ_INT(da->next_wrap, db->next_wrap);
	CHECK_EQ_INT(da->comb_row, db->comb_row);
	CHECK_EQ_INT(da->comb_col, db->comb_col);
	for (int y = 0; y < da->height; y++) {
		if (!fb_row_cells_equal(fb_row(fa, y), fb_row(fb, y)))
			TEST_FAIL("row %d differs", y);
	}
}

TEST(emu_fast_path_equivalent)
{
	static const char *pieces[] = {
	    "hello ",
	    "world",
	    "\r\n",
	    "\n",
	    "\r",
	    "\033[4h",
	    "\033[4l",
	    "\033[?7l",
	    "\033[?7h",
	    "\033[?6h",
	    "\033[?6l",
	    "\033[3;6r",
	    "\033[r",
	    "\033[H",
	    "\033[5;70H",
	    "\033[1;31m",
	    "\033[m",
	    "\xe4\xb8\xad",
	    "\xcc\x81",
	    "\xc2\x85",
	    "\xc3\xa9",
	    "\xe4\xb8",
	    "\xad",
	    "\xed\xa0\x80",
	    "\xf0\x9f\x98\x80",
	    "\xc2\x9b\x32\x43",
	    "\t",
	    "\b",
	    "\033M",
	    "0123456789012345678901234567890123456789012345678901234567890123456789012345678",
	};

	srand(99);
	for (int round = 0; round < 50; round++) {
		struct emu *a = emu_new(20 + round, 8);
		struct emu *b = emu_new(20 + round, 8);

		emu_set_fast_path(b, false);
		for (int i = 0; i < 400; i++) {
			const char *p = pieces[(size_t)rand() % (sizeof pieces / sizeof pieces[0])];

			push(a, p);
			push(b, p);
		}
		same_screen(a, b);
		emu_free(a);
		emu_free(b);
	}
}

/* The fast paths (printable ASCII runs, well-formed UTF-8 characters of
 * width 1 and 2, C0 controls in Ground, whole CSI sequences) against the
 * byte-at-a-time path, on random streams of sequences in every state the fast
 * paths must decline: split across writes at random points, with private
 * markers, intermediates, ':' sub-parameters, DEL/C0/CAN/SUB inside a
 * sequence, long and huge parameters, OSC/DCS strings, wide characters at the
 * right margin, insert, origin and no-autowrap modes, scroll regions. */
static void same_state(const struct emu *a, const struct emu *b)
{
	const struct fb_ds *da = &emu_fb(a)->ds, *db = &emu_fb(b)->ds;

	same_screen(a, b);
	/* (Not fb_equal: row generations come from one counter, so they differ
	 * between two emulators fed one after the other.) */
	CHECK(fb_str_equal(emu_fb(a)->title, emu_fb(b)->title));
	CHECK(fb_str_equal(emu_fb(a)->icon, emu_fb(b)->icon));
	CHECK_EQ_INT(da->cursor_visible, db->cursor_visible);
	CHECK_EQ_INT(da->app_cursor_keys, db->app_cursor_keys);
	CHECK(fb_rend_equal(&da->rend, &db->rend));
	CHECK_EQ_INT(da->insert, db->insert);
	CHECK_EQ_INT(da->origin, db->origin);
	CHECK_EQ_INT(da->autowrap, db->autowrap);
	CHECK_EQ_INT(da->top, db->top);
	CHECK_EQ_INT(da->bottom, db->bottom);
	CHECK_EQ_INT(emu_fb(a)->bell, emu_fb(b)->bell);
}

TEST(emu_fast_paths_random)
{
	static const char *pieces[] = {
	    "word ",
	    "0123456789abcdefghij",
	    "\r\n",
	    "\n",
	    "\r",
	    "\t",
	    "\b",
	    "\a",
	    "\x0b",
	    "\x0e",
	    "\x18",
	    "\x1a",
	    "\x7f",
	    "\033",
	    "\033[",
	    "\033[m",
	    "\033[0m",
	    "\033[1;4;7m",
	    "\033[38;5;200m",
	    "\033[48;2;10;20;30m",
	    "\033[38;2;1;2m",
	    "\033[38:5:100m",
	    "\033[;;;m",
	    "\033[999999999999999999999m",
	    ("\033[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18;19;20;21;22;23;24;25;26;27;28;"
	     "29;30;31;32;33;34;35;36;37;38;39;40;41;42m"),
	    "\033[4h",
	    "\033[4l",
	    "\033[?7l",
	    "\033[?7h",
	    "\033[?6h",
	    "\033[?6l",
	    "\033[?1;7h",
	    "\033[>c",
	    "\033[=5h",
	    "\033[1?h",
	    "\033[ q",
	    "\033[!p",
	    "\033[2\nA",
	    "\033[3\x7f;4H",
	    "\033[5\x18H",
	    "\033[5\x1bH",
	    "\033[3;6r",
	    "\033[r",
	    "\033[H",
	    "\033[5;70H",
	    "\033[2;3f",
	    "\033[K",
	    "\033[1K",
	    "\033[2J",
	    "\033[3@",
	    "\033[2P",
	    "\033[2L",
	    "\033[M",
	    "\033[5X",
	    "\033[2S",
	    "\033[T",
	    "\033[3g",
	    "\033[I",
	    "\033[Z",
	    "\033[6n",
	    "\033]0;title\a",
	    "\033]2;t\033\\",
	    "\033P1$qm\033\\",
	    "\0337",
	    "\0338",
	    "\033M",
	    "\033#8",
	    "\xe4\xb8\xad",
	    "\xe4\xb8\xad\xe6\x96\x87",
	    "\xcc\x81",
	    "\xc2\x85",
	    "\xc2\x9b\x32\x43",
	    "\xc2\xa0",
	    "\xc3\xa9",
	    "\xe4\xb8",
	    "\xad",
	    "\xed\xa0\x80",
	    "\xe0\x80\x80",
	    "\xf0\x9f\x98\x80",
	    "\xf4\x90\x80\x80",
	    "\xf8\x88\x80\x80\x80",
	    "\xff",
	};
	struct buf in;

	buf_init(&in);
	srand(4242);
	for (int round = 0; round < 200; round++) {
		int width = 1 + rand() % 30, height = 1 + rand() % 8;
		struct emu *a = emu_new(width, height);
		struct emu *b = emu_new(width, height);
		size_t at = 0;

		emu_set_fast_path(b, false);
		buf_clear(&in);
		for (int i = 0; i < 300; i++)
			buf_append_str(&in,
			               pieces[(size_t)rand() % (sizeof pieces / sizeof pieces[0])]);
		/* The reference takes one byte per write; the fast one random chunks. */
		for (size_t i = 0; i < in.len; i++)
			emu_write(b, in.data + i, 1);
		while (at < in.len) {
			size_t n = 1 + (size_t)rand() % 64;

			if (n > in.len - at)
				n = in.len - at;
			emu_write(a, in.data + at, n);
			at += n;
		}
		same_state(a, b);
		emu_free(a);
		emu_free(b);
	}
	buf_fini(&in);
}

/* doc/sequences.md names every function in the dispatch table. */
static const char *doc_path;

TEST(emu_functions_documented)
{
	FILE *f = fopen(doc_path, "r");
	static char doc[1 << 16];
	size_t n;
	const char *name, *spec;

	CHECK(f != NULL);
	n = fread(doc, 1, sizeof doc - 1, f);
	fclose(f);
	doc[n] = '\0';
	for (size_t i = 0; (name = emu_function(i, &spec)) != NULL; i++) {
		CHECK(spec != NULL && spec[0] != '\0');
		if (strstr(doc, name) == NULL)
			TEST_FAIL("%s (%s) is missing from %s", name, spec, doc_path);
	}
	CHECK(emu_function(0, NULL) != NULL);
}

/* The costliest sequences found (each an O(screen) operation in a few bytes),
 * repeated to 4 MiB, the largest hoststring a datagram can inflate to. */
static const char *const worst_inputs[] = {
    "\033[2J",  "\033#8", "\033[9999S", "\033[9999L",    "\033[J",
    "\033[?3h", "\033c",  "\n",         "\033[65535X\n", "\033[3g\033[10000G\033[Z",
};

#define WORST_BYTES (4u << 20)

static uint8_t *repeat_to(const char *piece, size_t total, size_t *len)
{
	size_t k = strlen(piece), n = 0;
	uint8_t *s = malloc(total);

	CHECK(s != NULL);
	while (n + k <= total) {
		memcpy(s + n, piece, k);
		n += k;
	}
	*len = n;
	return s;
}

/* CPU seconds for 4 MiB of piece on a 1M-cell screen: in one write, or in
 * writes of one piece each sharing one budget (a HostMessage of many HostBytes). */
static double worst_cpu(const char *piece, int width, int height, bool split)
{
	size_t n, k = strlen(piece);
	uint8_t *s = repeat_to(piece, WORST_BYTES, &n);
	struct emu *e = emu_new(width, height);
	struct emu_stats st;
	clock_t t0 = clock();

	if (split) {
		emu_budget_begin(e);
		for (size_t i = 0; i < n; i += k)
			emu_write(e, s + i, k);
	} else {
		emu_write(e, s, n);
	}
	t0 = clock() - t0;
	emu_stats(e, &st);
	CHECK(st.collapsed > 0);
	emu_free(e);
	free(s);
	return (double)t0 / CLOCKS_PER_SEC;
}

TEST(emu_worst_inputs_bounded)
{
	for (size_t i = 0; i < sizeof worst_inputs / sizeof worst_inputs[0]; i++) {
		double a = worst_cpu(worst_inputs[i], 1000, 1000, false);
		double b = worst_cpu(worst_inputs[i], 10000, 100, i % 2 == 0);

		printf("# worst input %zu: %.3f s, %.3f s of CPU\n", i, a, b);
		if (a > 5.0 || b > 5.0)
			TEST_FAIL("input %zu took %.1f s / %.1f s of CPU", i, a, b);
	}
}

/* Honest output never meets the budget: a whole pty read of line feeds on a
 * wide screen scrolls exactly. */
TEST(emu_budget_honest_output_exact)
{
	size_t n;
	uint8_t *s = repeat_to("y\r\n", 16383, &n);
	struct emu *e = emu_new(2000, 500);
	struct emu_stats st;

	emu_write(e, s, n);
	emu_stats(e, &st);
	CHECK_EQ_INT(st.collapsed, 0);
	CHECK_EQ_INT(fb_row(emu_fb(e), 0)->cells[0].text[0], 'y');
	CHECK_EQ_INT(fb_row(emu_fb(e), 498)->cells[0].text[0], 'y');
	CHECK_EQ_INT(fb_row(emu_fb(e), 499)->cells[0].len, 0);
	CHECK_EQ_INT(emu_fb(e)->ds.cur_row, 499);
	emu_free(e);
	free(s);
}

/* Once the budget is dry, costly operations are skipped but the cheap ones
 * (prints, cursor moves) still apply; the next write has a fresh budget. */
TEST(emu_budget_collapses_then_refills)
{
	size_t n;
	uint8_t *s = repeat_to("\033#8", 40u * 3, &n);
	struct emu *e = emu_new(1024, 1024);
	struct emu_stats st;

	emu_write(e, s, n);
	emu_stats(e, &st);
	CHECK_EQ_INT(st.collapsed, 40 - 32);
	push(e, "\033[2J\033[5;7Hx");
	emu_stats(e, &st);
	CHECK_EQ_INT(st.collapsed, 40 - 32);
	CHECK_EQ_INT(fb_row(emu_fb(e), 0)->cells[0].len, 0);
	CHECK_EQ_INT(fb_row(emu_fb(e), 4)->cells[6].text[0], 'x');
	emu_budget_begin(e);
	emu_write(e, s, n);
	push(e, "\033[2J");
	emu_stats(e, &st);
	CHECK_EQ_INT(st.collapsed, 2 * (40 - 32) + 1);
	CHECK_EQ_INT(fb_row(emu_fb(e), 0)->cells[0].text[0], 'E');
	emu_free(e);
	free(s);
}

int main(int argc, char **argv)
{
	doc_path = argc > 1 ? argv[1] : "doc/sequences.md";
	RUN(emu_huge_repeat_counts);
	RUN(emu_resize_clamped);
	RUN(emu_random_bytes);
	RUN(emu_copy_independent);
	RUN(emu_copy_mid_sequence);
	RUN(emu_replies_bounded);
	RUN(emu_long_osc_bounded);
	RUN(emu_deckm_flag);
	RUN(emu_functions_documented);
	RUN(emu_fast_path_equivalent);
	RUN(emu_fast_paths_random);
	RUN(emu_worst_inputs_bounded);
	RUN(emu_budget_honest_output_exact);
	RUN(emu_budget_collapses_then_refills);
	return test_done();
}
