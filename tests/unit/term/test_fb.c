/* term/fb: copy-on-write sharing, generation numbers, equality, resize,
 * cell helpers and the SGR string. */
#include "../test.h"

#include "term/fb.h"
#include "util/buf.h"

TEST(fb_copy_shares_rows)
{
	struct fb *a = fb_new(10, 3);
	struct fb *b = fb_copy(a);

	for (int y = 0; y < 3; y++) {
		CHECK(fb_row(a, y) == fb_row(b, y));
		CHECK_EQ_INT(fb_row(a, y)->refs, 2);
	}
	CHECK(fb_equal(a, b));
	fb_free(a);
	CHECK_EQ_INT(fb_row(b, 0)->refs, 1);
	fb_free(b);
}

TEST(fb_write_does_not_leak_into_copy)
{
	struct fb *a = fb_new(10, 3);
	struct fb *b;
	struct fb_cell *c;
	uint64_t gen;

	fb_cell_set_cp(fb_mut_cell(a, 1, 2), 'x');
	b = fb_copy(a);
	gen = fb_row(a, 1)->gen;
	c = fb_mut_cell(b, 1, 2);
	fb_cell_set_cp(c, 'y');
	CHECK(fb_row(a, 1) != fb_row(b, 1));
	CHECK(fb_row(a, 0) == fb_row(b, 0));
	CHECK_EQ_INT(fb_cell(a, 1, 2)->text[0], 'x');
	CHECK_EQ_INT(fb_cell(b, 1, 2)->text[0], 'y');
	/* Copy-on-write keeps the generation; cells then differ. */
	CHECK_EQ_U64(fb_row(b, 1)->gen, gen);
	CHECK(!fb_row_equal(fb_row(a, 1), fb_row(b, 1)));
	CHECK(!fb_equal(a, b));
	/* A second write to the now-private row does not copy again. */
	CHECK(fb_mut_row(b, 1) == fb_row(b, 1));
	fb_free(a);
	fb_free(b);
}

TEST(fb_generations)
{
	struct fb *a = fb_new(5, 4);
	struct fb *b;
	uint64_t g[4];
	struct fb_rend bg = {0};

	for (int y = 0; y < 4; y++)
		g[y] = fb_row(a, y)->gen;
	for (int y = 1; y < 4; y++)
		CHECK(g[y] != g[y - 1]);
	fb_row_clear(fb_mut_row(a, 0), &bg);
	CHECK(fb_row(a, 0)->gen != g[0]);
	/* Replacing a shared row gives a new row and a new generation; the copy keeps the old. */
	b = fb_copy(a);
	fb_new_row_at(a, 2);
	CHECK(fb_row(a, 2)->gen != g[2]);
	CHECK_EQ_U64(fb_row(b, 2)->gen, g[2]);
	/* Blank rows of different generations are not equal (mosh's Row ==). */
	CHECK(fb_row_cells_equal(fb_row(a, 2), fb_row(b, 2)));
	CHECK(!fb_row_equal(fb_row(a, 2), fb_row(b, 2)));
	/* Scrolling moves rows: row 1 becomes row 0, the new bottom row is fresh. */
	g[1] = fb_row(a, 1)->gen;
	g[3] = fb_row(a, 3)->gen;
	fb_scroll_rows(a, 0, 3, 1);
	CHECK_EQ_U64(fb_row(a, 0)->gen, g[1]);
	CHECK_EQ_U64(fb_row(a, 2)->gen, g[3]);
	CHECK(fb_row(a, 3)->gen > g[3]);
	fb_free(a);
	fb_free(b);
}

TEST(fb_equal_fields)
{
	struct fb *a = fb_new(8, 2);
	struct fb *b = fb_copy(a);

	fb_set_icon(b, "icon", 4);
	CHECK(fb_equal(a, b)); /* the icon name is not compared */
	fb_set_title(b, "t", 1);
	CHECK(!fb_equal(a, b));
	fb_set_title(a, "t", 1);
	CHECK(fb_equal(a, b));
	b->ds.next_wrap = true;
	b->ds.origin = true;
	b->ds.app_cursor_keys = true;
	b->ds.tabs[3] = 1;
	CHECK(fb_equal(a, b)); /* not transmitted, not compared */
	b->ds.mouse_alt_scroll = true;
	CHECK(!fb_equal(a, b));
	b->ds.mouse_alt_scroll = false;
	b->bell++;
	CHECK(!fb_equal(a, b));
	a->bell++;
	fb_set_clipboard(a, "Zm9v", 4);
	CHECK(!fb_equal(a, b));
	fb_free(a);
	fb_free(b);
}

/* The buffer not shown is shared by copies like the one shown; switching
 * swaps the DECSC states. It is not a change fb_equal sees: no hoststring
 * carries it (the terminal state sends it in a field of its own). */
TEST(fb_switch_screen_and_copy)
{
	struct fb *a = fb_new(6, 3);
	struct fb *b = fb_copy(a);
	const struct fb_row *primary0 = fb_row(a, 0);

	CHECK(a->other_rows == NULL); /* the alternate buffer is made on first use */
	a->ds.saved.row = 2;
	fb_switch_screen(a, true);
	CHECK(a->ds.alt_screen);
	CHECK(fb_row(a, 0) != primary0);
	CHECK(a->other_rows[0] == primary0);
	CHECK_EQ_INT(a->ds.saved.row, 0);
	CHECK(a->ds.saved.autowrap);
	CHECK(fb_equal(a, b)); /* blank either way */
	fb_switch_screen(b, true);
	CHECK(fb_equal(a, b)); /* other blank rows (generations), the same cells */
	fb_free(b);
	fb_cell_set_cp(fb_mut_cell(a, 1, 1), 'z');
	b = fb_copy(a);
	CHECK(fb_equal(a, b));
	for (int y = 0; y < 3; y++) {
		CHECK(b->rows[y] == a->rows[y]);
		CHECK(b->other_rows[y] == a->other_rows[y]);
		CHECK_EQ_INT(a->other_rows[y]->refs, 2);
	}
	fb_switch_screen(a, true); /* already there: nothing */
	CHECK(fb_row(a, 0) == fb_row(b, 0));
	fb_switch_screen(a, false);
	CHECK(fb_row(a, 0) == primary0);
	CHECK_EQ_INT(a->ds.saved.row, 2);
	CHECK(!a->ds.alt_screen);
	/* Resizing resizes both buffers; the copy's are its own. */
	fb_resize(a, 4, 5);
	for (int y = 0; y < 5; y++) {
		CHECK_EQ_INT(a->rows[y]->width, 4);
		CHECK_EQ_INT(a->other_rows[y]->width, 4);
	}
	CHECK_EQ_INT(fb_cell(b, 1, 1)->text[0], 'z');
	CHECK_EQ_INT(b->other_rows[0]->width, 6);
	fb_reset(a);
	CHECK(a->other_rows == NULL && !a->ds.alt_screen);
	fb_free(a);
	fb_free(b);
}

/* fb_scroll_up_keep hands over the rows leaving the top, references and all. */
struct kept {
	struct fb_row *rows[8];
	int n;
};

static void keep_row(void *user, struct fb_row *row)
{
	struct kept *k = user;

	k->rows[k->n++] = row;
}

TEST(fb_scroll_up_keep_moves_rows)
{
	struct fb *a = fb_new(3, 4);
	struct fb *b;
	struct fb_row *r0 = a->rows[0], *r1 = a->rows[1], *r2 = a->rows[2];
	struct kept k = {.n = 0};

	b = fb_copy(a);
	fb_scroll_up_keep(a, 0, 2, 2, keep_row, &k);
	CHECK_EQ_INT(k.n, 2);
	CHECK(k.rows[0] == r0 && k.rows[1] == r1);
	CHECK_EQ_INT(r0->refs, 2); /* a's reference moved, b's stays */
	CHECK(a->rows[0] == r2);
	CHECK(a->rows[1] != r0 && a->rows[1] != r1 && a->rows[2] != r0 && a->rows[2] != r1);
	CHECK_EQ_INT(a->rows[1]->refs, 1);
	/* The count is clamped to the region height. */
	fb_scroll_up_keep(a, 0, 1, 1000, keep_row, &k);
	CHECK_EQ_INT(k.n, 4);
	CHECK(k.rows[2] == r2);
	fb_free(b);
	CHECK_EQ_INT(r0->refs, 1);
	for (int i = 0; i < k.n; i++)
		fb_row_release(k.rows[i]);
	CHECK(fb_row_ref(a->rows[3]) == a->rows[3]);
	CHECK_EQ_INT(a->rows[3]->refs, 2);
	fb_row_release(a->rows[3]);
	fb_free(a);
}

TEST(fb_resize_clamps_and_keeps_rows)
{
	struct fb *a = fb_new(0, -5);

	CHECK_EQ_INT(a->ds.width, 1);
	CHECK_EQ_INT(a->ds.height, 1);
	fb_resize(a, 1 << 30, 1 << 30);
	CHECK(a->ds.width <= FB_MAX_WIDTH);
	CHECK((long)a->ds.width * a->ds.height <= FB_MAX_CELLS);
	fb_resize(a, 4, 3);
	fb_cell_set_cp(fb_mut_cell(a, 0, 3), 'q');
	fb_mut_cell(a, 0, 3)->flags |= FB_CELL_WRAP;
	fb_resize(a, 6, 5);
	CHECK_EQ_INT(fb_cell(a, 0, 3)->text[0], 'q');
	CHECK(!fb_row_wrap(fb_row(a, 0)));
	CHECK(!(fb_cell(a, 0, 3)->flags & FB_CELL_WRAP));
	CHECK_EQ_INT(fb_row(a, 4)->width, 6);
	CHECK_EQ_INT(a->ds.bottom, 4);
	fb_free(a);
}

TEST(fb_cell_helpers)
{
	struct fb_cell c;
	struct fb_rend r = {.fg = 31};

	fb_cell_reset(&c, &r);
	CHECK(fb_cell_blank(&c));
	fb_cell_set_cp(&c, ' ');
	CHECK(fb_cell_blank(&c));
	fb_cell_set_cp(&c, 0xA0);
	CHECK(fb_cell_blank(&c));
	fb_cell_set_cp(&c, 'a');
	CHECK(!fb_cell_blank(&c));
	for (int i = 0; i < 40; i++)
		fb_cell_append_cp(&c, 0x301);
	CHECK(c.len <= FB_CELL_MAX);
	CHECK_EQ_INT(c.len, 1 + 2 * 16);
}

static void check_sgr(uint32_t fg, uint32_t bg, uint8_t attr, const char *want)
{
	struct fb_rend r = {.fg = fg, .bg = bg, .attr = attr};
	struct buf b;

	buf_init(&b);
	fb_rend_sgr(&r, &b);
	CHECK_EQ_STR((const char *)b.data, want);
	buf_fini(&b);
}

TEST(fb_sgr_strings)
{
	check_sgr(0, 0, 0, "\033[0m");
	check_sgr(31, 44, FB_ATTR_BOLD | FB_ATTR_INVERSE, "\033[0;1;7;31;44m");
	check_sgr(30 + 8, 40 + 255, 0, "\033[0;38;5;8;48;5;255m");
	check_sgr(FB_COLOR_RGB | 0x010203, FB_COLOR_RGB | 0xFFFFFF,
	          FB_ATTR_ITALIC | FB_ATTR_UNDERLINE | FB_ATTR_BLINK | FB_ATTR_INVISIBLE,
	          "\033[0;3;4;5;8;38;2;1;2;3;48;2;255;255;255m");
}

/* A masked comparison looks only at the mask's bits; bytes past a cell's
 * len (the unspecified ones) never make two rows differ, masked or not. */
TEST(fb_equal_mask_sees_only_the_mask)
{
	struct fb *a = fb_new(4, 2), *b;
	struct fb_rend no_link = fb_rend_mask_all;
	struct fb_cell *c;

	no_link.link = 0;
	fb_cell_set_cp(fb_mut_cell(a, 1, 2), 'x');
	b = fb_copy(a);
	c = fb_mut_cell(b, 1, 2); /* unshared: a byte copy of a's row */
	c->text[FB_CELL_MAX - 1] ^= 0x55;
	CHECK(fb_row(a, 1) != fb_row(b, 1));
	CHECK(fb_equal(a, b));
	CHECK(fb_equal_mask(a, b, &no_link));
	c->rend.link = 7;
	CHECK(!fb_equal(a, b));
	CHECK(fb_equal_mask(a, b, &no_link));
	CHECK(!fb_cell_equal(fb_cell(a, 1, 2), c));
	CHECK(fb_cell_equal_mask(fb_cell(a, 1, 2), c, &no_link));
	/* The draw state's rendition is masked the same way. */
	c->rend.link = 0;
	b->ds.rend.link = 9;
	CHECK(!fb_equal(a, b));
	CHECK(fb_equal_mask(a, b, &no_link));
	b->ds.rend.fg = 31;
	CHECK(!fb_equal_mask(a, b, &no_link));
	fb_free(a);
	fb_free(b);
}

int main(void)
{
	RUN(fb_copy_shares_rows);
	RUN(fb_write_does_not_leak_into_copy);
	RUN(fb_generations);
	RUN(fb_equal_fields);
	RUN(fb_switch_screen_and_copy);
	RUN(fb_scroll_up_keep_moves_rows);
	RUN(fb_resize_clamps_and_keeps_rows);
	RUN(fb_cell_helpers);
	RUN(fb_sgr_strings);
	RUN(fb_equal_mask_sees_only_the_mask);
	return test_done();
}
