/*
 * Framebuffer storage: rows shared copy-on-write, shared immutable strings,
 * the draw state, and the equality SSP uses. See fb.h for the model.
 *
 * Invariants:
 *  - fb->rows has ds.height entries, each row has ds.width cells and refs >= 1;
 *    so has fb->other_rows unless it is NULL (only while the primary screen is
 *    shown: the primary buffer always exists);
 *  - ds.tabs has ds.width entries and is owned by exactly one framebuffer;
 *  - a row with refs > 1 is never written (fb_mut_row unshares it first);
 *  - the cursor is inside the screen; the scroll region is inside the screen
 *    with top <= bottom.
 */
#include "term/fb.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/xmalloc.h"

static uint64_t fb_gen_counter;

uint64_t fb_next_gen(void)
{
	return ++fb_gen_counter;
}

void fb_clamp_size(int *width, int *height)
{
	if (*width < 1)
		*width = 1;
	if (*width > FB_MAX_WIDTH)
		*width = FB_MAX_WIDTH;
	if (*height < 1)
		*height = 1;
	if (*height > FB_MAX_HEIGHT)
		*height = FB_MAX_HEIGHT;
	if ((long)*width * *height > FB_MAX_CELLS)
		*height = FB_MAX_CELLS / *width;
}

static struct fb_row *row_alloc(int width)
{
	struct fb_row *r = xmalloc(sizeof *r + (size_t)width * sizeof(struct fb_cell));

	r->refs = 1;
	r->width = width;
	return r;
}

static struct fb_row *row_new(int width, const struct fb_rend *bg)
{
	struct fb_row *r = row_alloc(width);

	fb_row_clear(r, bg);
	return r;
}

struct fb_row *fb_row_ref(struct fb_row *row)
{
	row->refs++;
	return row;
}

void fb_row_release(struct fb_row *row)
{
	ASSERT(row->refs > 0);
	if (--row->refs == 0)
		free(row);
}

struct fb_row *fb_row_new(int width)
{
	struct fb_rend none = {0};

	return row_new(width, &none);
}

void fb_row_clear(struct fb_row *row, const struct fb_rend *bg)
{
	struct fb_cell blank;

	ASSERT(row->refs == 1);
	row->gen = fb_next_gen();
	/* This runs for every line that scrolls: one wide store per cell, not
	 * one per field. */
	memset(&blank, 0, sizeof blank);
	fb_cell_reset(&blank, bg);
	for (int x = 0; x < row->width; x++)
		memcpy(&row->cells[x], &blank, FB_CELL_HEAD_COPY);
}

struct fb_row *fb_row_unshare(struct fb *fb, int y)
{
	struct fb_row *r = fb->rows[y];
	struct fb_row *c;

	ASSERT(r->refs > 1);
	c = row_alloc(r->width);
	c->gen = r->gen;
	memcpy(c->cells, r->cells, (size_t)r->width * sizeof(struct fb_cell));
	r->refs--;
	fb->rows[y] = c;
	return c;
}

void fb_new_row_at(struct fb *fb, int y)
{
	struct fb_rend bg = fb_bg_rend(fb);
	struct fb_row *r = fb->rows[y];

	if (r->refs == 1) {
		fb_row_clear(r, &bg);
		return;
	}
	fb_row_release(r);
	fb->rows[y] = row_new(fb->ds.width, &bg);
}

/* fb_scroll_rows, and fb_scroll_up_keep when keep is set. */
static void scroll_rows(struct fb *fb, int top, int bottom, int n, fb_keep_fn *keep, void *user)
{
	struct fb_row *tmp[64];
	struct fb_row **save = tmp;
	int span, k;

	if (top < 0 || bottom >= fb->ds.height || top > bottom || n == 0)
		return;
	span = bottom - top + 1;
	k = n > 0 ? n : -n;
	if (k > span)
		k = span;
	if (k > (int)(sizeof tmp / sizeof tmp[0]))
		save = xmalloc((size_t)k * sizeof *save);
	/* The rows that leave the region are recycled as the blank newcomers
	 * (cleared in place when unshared, which also gives a fresh generation),
	 * unless keep takes them. */
	if (n > 0) {
		struct fb_rend bg = fb_bg_rend(fb);

		memcpy(save, &fb->rows[top], (size_t)k * sizeof *save);
		memmove(&fb->rows[top], &fb->rows[top + k], (size_t)(span - k) * sizeof *save);
		for (int i = 0, y = bottom - k + 1; i < k; i++, y++) {
			if (keep != NULL) {
				keep(user, save[i]);
				fb->rows[y] = row_new(fb->ds.width, &bg);
			} else {
				fb->rows[y] = save[i];
				fb_new_row_at(fb, y);
			}
		}
	} else {
		memcpy(save, &fb->rows[bottom - k + 1], (size_t)k * sizeof *save);
		memmove(&fb->rows[top + k], &fb->rows[top], (size_t)(span - k) * sizeof *save);
		memcpy(&fb->rows[top], save, (size_t)k * sizeof *save);
		for (int y = top; y < top + k; y++)
			fb_new_row_at(fb, y);
	}
	if (save != tmp)
		free(save);
}

void fb_scroll_rows(struct fb *fb, int top, int bottom, int n)
{
	scroll_rows(fb, top, bottom, n, NULL, NULL);
}

void fb_scroll_up_keep(struct fb *fb, int top, int bottom, int n, fb_keep_fn *keep, void *user)
{
	ASSERT(n > 0 && keep != NULL);
	scroll_rows(fb, top, bottom, n, keep, user);
}

/* Default stops (every 8 columns) from column `from` on. */
static void ds_default_tabs(struct fb_ds *ds, int from)
{
	for (int x = from; x < ds->width; x++)
		ds->tabs[x] = (x % 8) == 0;
}

static void saved_init(struct fb_saved *saved)
{
	memset(saved, 0, sizeof *saved);
	saved->autowrap = true;
}

static void ds_init(struct fb_ds *ds, int width, int height)
{
	memset(ds, 0, sizeof *ds);
	ds->width = width;
	ds->height = height;
	ds->top = 0;
	ds->bottom = height - 1;
	saved_init(&ds->saved);
	ds->autowrap = true;
	ds->cursor_visible = true;
	ds->default_tabs = true;
	ds->tabs = xmalloc((size_t)width);
	ds_default_tabs(ds, 0);
}

static void str_unref(struct fb_str *s)
{
	if (s != NULL && --s->refs == 0)
		free(s);
}

static struct fb_str *str_ref(struct fb_str *s)
{
	if (s != NULL)
		s->refs++;
	return s;
}

static struct fb_str *str_new(const char *data, size_t len)
{
	struct fb_str *s;

	if (len == 0)
		return NULL;
	s = xmalloc(sizeof *s + len + 1);
	s->refs = 1;
	s->len = len;
	memcpy(s->data, data, len);
	s->data[len] = '\0';
	return s;
}

bool fb_str_equal(const struct fb_str *a, const struct fb_str *b)
{
	if (a == b)
		return true;
	return fb_str_len(a) == fb_str_len(b) &&
	       memcmp(fb_str_data(a), fb_str_data(b), fb_str_len(a)) == 0;
}

static void str_set(struct fb_str **slot, const char *data, size_t len)
{
	struct fb_str *s = str_new(data, len);

	str_unref(*slot);
	*slot = s;
}

void fb_set_title(struct fb *fb, const char *utf8, size_t len)
{
	str_set(&fb->title, utf8, len);
}

void fb_set_icon(struct fb *fb, const char *utf8, size_t len)
{
	str_set(&fb->icon, utf8, len);
}

void fb_set_clipboard(struct fb *fb, const char *utf8, size_t len)
{
	str_set(&fb->clipboard, utf8, len);
}

static struct fb_row **rows_new(int width, int height, const struct fb_rend *bg)
{
	struct fb_row **rows = xreallocarray(NULL, (size_t)height, sizeof *rows);

	for (int y = 0; y < height; y++)
		rows[y] = row_new(width, bg);
	return rows;
}

static void rows_alloc(struct fb *fb)
{
	struct fb_rend bg = fb_bg_rend(fb);

	fb->rows = rows_new(fb->ds.width, fb->ds.height, &bg);
}

/* Release a buffer's rows and its array (NULL: nothing). */
static void rows_release(struct fb_row **rows, int height)
{
	if (rows == NULL)
		return;
	for (int y = 0; y < height; y++)
		fb_row_release(rows[y]);
	free(rows);
}

/* Both buffers. */
static void rows_free(struct fb *fb)
{
	rows_release(fb->rows, fb->ds.height);
	rows_release(fb->other_rows, fb->ds.height);
	fb->rows = fb->other_rows = NULL;
}

/* A new reference to each row of a buffer, in a new array (NULL: NULL). */
static struct fb_row **rows_share(struct fb_row *const *rows, int height)
{
	struct fb_row **c;

	if (rows == NULL)
		return NULL;
	c = xmemdup(rows, (size_t)height * sizeof *c);
	for (int y = 0; y < height; y++)
		c[y]->refs++;
	return c;
}

struct fb *fb_new(int width, int height)
{
	struct fb *fb = xcalloc(1, sizeof *fb);

	fb_clamp_size(&width, &height);
	ds_init(&fb->ds, width, height);
	saved_init(&fb->other_saved);
	rows_alloc(fb);
	return fb;
}

void fb_free(struct fb *fb)
{
	if (fb == NULL)
		return;
	rows_free(fb);
	free(fb->ds.tabs);
	str_unref(fb->title);
	str_unref(fb->icon);
	str_unref(fb->clipboard);
	free(fb);
}

struct fb *fb_copy(const struct fb *src)
{
	struct fb *fb = xmalloc(sizeof *fb);

	*fb = *src;
	fb->ds.tabs = xmemdup(src->ds.tabs, (size_t)src->ds.width);
	fb->rows = rows_share(src->rows, src->ds.height);
	fb->other_rows = rows_share(src->other_rows, src->ds.height);
	str_ref(fb->title);
	str_ref(fb->icon);
	str_ref(fb->clipboard);
	return fb;
}

void fb_set_row(struct fb *fb, int y, struct fb_row *row)
{
	ASSERT(y >= 0 && y < fb->ds.height && row->width == fb->ds.width);
	row->refs++;
	fb_row_release(fb->rows[y]);
	fb->rows[y] = row;
}

void fb_reset(struct fb *fb)
{
	int width = fb->ds.width, height = fb->ds.height;

	rows_free(fb);
	free(fb->ds.tabs);
	ds_init(&fb->ds, width, height);
	saved_init(&fb->other_saved);
	rows_alloc(fb);
	str_set(&fb->title, NULL, 0);
	str_set(&fb->clipboard, NULL, 0);
}

/* One buffer resized as §8.7: old rows keep their place, rows are added or
 * dropped at the bottom, cells padded (bg) or truncated at the right. */
static struct fb_row **rows_resize(struct fb_row **rows, int oldw, int oldh, int width, int height,
                                   const struct fb_rend *bg)
{
	for (int y = height; y < oldh; y++)
		fb_row_release(rows[y]);
	rows = xreallocarray(rows, (size_t)height, sizeof *rows);
	for (int y = oldh; y < height; y++)
		rows[y] = row_new(width, bg);
	if (width == oldw)
		return rows;
	for (int y = 0; y < oldh && y < height; y++) {
		struct fb_row *old = rows[y];
		struct fb_row *r = row_alloc(width);
		int keep = oldw < width ? oldw : width;

		r->gen = old->gen;
		memcpy(r->cells, old->cells, (size_t)keep * sizeof(struct fb_cell));
		for (int x = keep; x < width; x++)
			fb_cell_reset(&r->cells[x], bg);
		/* mosh clears the old last cell's wrap flag before truncating or padding. */
		if (oldw <= width)
			r->cells[oldw - 1].flags &= ~FB_CELL_WRAP;
		fb_row_release(old);
		rows[y] = r;
	}
	return rows;
}

void fb_resize(struct fb *fb, int width, int height)
{
	struct fb_ds *ds = &fb->ds;
	int oldw = ds->width, oldh = ds->height;
	struct fb_rend bg;

	fb_clamp_size(&width, &height);
	if (width != oldw || height != oldh) {
		ds->top = 0;
		ds->bottom = height - 1;
	}
	ds->tabs = xrealloc(ds->tabs, (size_t)width);
	if (width > oldw)
		memset(ds->tabs + oldw, 0, (size_t)(width - oldw));
	ds->width = width;
	ds->height = height;
	/* Columns that existed keep their stops (even custom ones); new columns get
	 * the default pattern unless TBC 3 cleared it for good. */
	if (ds->default_tabs)
		ds_default_tabs(ds, oldw);
	if (ds->cur_row > height - 1)
		ds->cur_row = height - 1;
	if (ds->cur_col > width - 1)
		ds->cur_col = width - 1;
	if (ds->origin) {
		if (ds->cur_row < ds->top)
			ds->cur_row = ds->top;
		if (ds->cur_row > ds->bottom)
			ds->cur_row = ds->bottom;
	}
	if (ds->comb_col >= width || ds->comb_row >= height)
		ds->comb_row = ds->comb_col = -1;

	bg = fb_bg_rend(fb);
	fb->rows = rows_resize(fb->rows, oldw, oldh, width, height, &bg);
	if (fb->other_rows != NULL)
		fb->other_rows = rows_resize(fb->other_rows, oldw, oldh, width, height, &bg);
}

void fb_switch_screen(struct fb *fb, bool alt)
{
	struct fb_row **rows = fb->rows;
	struct fb_saved saved = fb->ds.saved;

	if (fb->ds.alt_screen == alt)
		return;
	if (fb->other_rows == NULL) {
		static const struct fb_rend blank;

		fb->other_rows = rows_new(fb->ds.width, fb->ds.height, &blank);
	}
	fb->rows = fb->other_rows;
	fb->other_rows = rows;
	fb->ds.saved = fb->other_saved;
	fb->other_saved = saved;
	fb->ds.alt_screen = alt;
}

const struct fb_rend fb_rend_mask_all = {
    .fg = UINT32_MAX,
    .bg = UINT32_MAX,
    .ul = UINT32_MAX,
    .attr = UINT8_MAX,
    .ul_style = UINT8_MAX,
    .link = UINT16_MAX,
};

/* Branch-free: this runs for every cell of every changed row, every tick. */
bool fb_rend_equal_mask(const struct fb_rend *a, const struct fb_rend *b,
                        const struct fb_rend *mask)
{
	return (((a->fg ^ b->fg) & mask->fg) | ((a->bg ^ b->bg) & mask->bg) |
	        ((a->ul ^ b->ul) & mask->ul) | ((uint32_t)(a->attr ^ b->attr) & mask->attr) |
	        ((uint32_t)(a->ul_style ^ b->ul_style) & mask->ul_style) |
	        ((uint32_t)(a->link ^ b->link) & mask->link)) == 0;
}

bool fb_rend_equal(const struct fb_rend *a, const struct fb_rend *b)
{
	return fb_rend_equal_mask(a, b, &fb_rend_mask_all);
}

struct fb_rend fb_rend_masked(const struct fb_rend *r, const struct fb_rend *mask)
{
	struct fb_rend m = {
	    .fg = r->fg & mask->fg,
	    .bg = r->bg & mask->bg,
	    .ul = r->ul & mask->ul,
	    .attr = (uint8_t)(r->attr & mask->attr),
	    .ul_style = (uint8_t)(r->ul_style & mask->ul_style),
	    .link = (uint16_t)(r->link & mask->link),
	};
	return m;
}

bool fb_cell_equal_mask(const struct fb_cell *a, const struct fb_cell *b,
                        const struct fb_rend *mask)
{
	return a->len == b->len && a->flags == b->flags &&
	       fb_rend_equal_mask(&a->rend, &b->rend, mask) &&
	       memcmp(a->text, b->text, a->len) == 0;
}

bool fb_cell_equal(const struct fb_cell *a, const struct fb_cell *b)
{
	return fb_cell_equal_mask(a, b, &fb_rend_mask_all);
}

static bool row_cells_equal_mask(const struct fb_row *a, const struct fb_row *b,
                                 const struct fb_rend *mask)
{
	if (a == b)
		return true;
	if (a->width != b->width)
		return false;
	/* An unchanged row is usually a byte copy of the other (fb_row_unshare):
	 * one memcmp. Bytes past a cell's len may differ, so a difference is
	 * only a reason to look cell by cell. */
	if (memcmp(a->cells, b->cells, (size_t)a->width * sizeof(struct fb_cell)) == 0)
		return true;
	for (int x = 0; x < a->width; x++) {
		if (!fb_cell_equal_mask(&a->cells[x], &b->cells[x], mask))
			return false;
	}
	return true;
}

bool fb_row_cells_equal(const struct fb_row *a, const struct fb_row *b)
{
	return row_cells_equal_mask(a, b, &fb_rend_mask_all);
}

bool fb_row_equal_mask(const struct fb_row *a, const struct fb_row *b, const struct fb_rend *mask)
{
	return a == b || (a->gen == b->gen && row_cells_equal_mask(a, b, mask));
}

bool fb_row_equal(const struct fb_row *a, const struct fb_row *b)
{
	return fb_row_equal_mask(a, b, &fb_rend_mask_all);
}

/* The draw state a hoststring carries (which buffer is shown is not one). */
static bool ds_equal(const struct fb_ds *a, const struct fb_ds *b, const struct fb_rend *mask)
{
	return a->width == b->width && a->height == b->height && a->cur_row == b->cur_row &&
	       a->cur_col == b->cur_col && a->cursor_visible == b->cursor_visible &&
	       a->reverse_video == b->reverse_video &&
	       fb_rend_equal_mask(&a->rend, &b->rend, mask) &&
	       a->bracketed_paste == b->bracketed_paste && a->mouse_mode == b->mouse_mode &&
	       a->mouse_focus == b->mouse_focus && a->mouse_alt_scroll == b->mouse_alt_scroll &&
	       a->mouse_enc == b->mouse_enc;
}

bool fb_equal_mask(const struct fb *a, const struct fb *b, const struct fb_rend *mask)
{
	if (!ds_equal(&a->ds, &b->ds, mask))
		return false;
	if (a->bell != b->bell || !fb_str_equal(a->title, b->title) ||
	    !fb_str_equal(a->clipboard, b->clipboard))
		return false;
	/* Cells, not generations: a peer never learns those, so rows cleared
	 * again or scrolled in blank look the same to it, and SSP must not take
	 * a state whose diff is empty for a change (it would never settle). */
	for (int y = 0; y < a->ds.height; y++) {
		if (!row_cells_equal_mask(a->rows[y], b->rows[y], mask))
			return false;
	}
	return true;
}

bool fb_equal(const struct fb *a, const struct fb *b)
{
	return fb_equal_mask(a, b, &fb_rend_mask_all);
}

bool fb_cell_blank(const struct fb_cell *c)
{
	return c->len == 0 || (c->len == 1 && c->text[0] == ' ') ||
	       (c->len == 2 && (uint8_t)c->text[0] == 0xC2 && (uint8_t)c->text[1] == 0xA0);
}

int fb_utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	if (cp > 0x10FFFF)
		cp = 0xFFFD;
	if (cp < 0x10000)
		return fb_utf8_encode(cp, out);
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

void fb_cell_set_cp(struct fb_cell *c, uint32_t cp)
{
	c->len = (uint8_t)fb_utf8_encode(cp, c->text);
}

void fb_cell_append_cp(struct fb_cell *c, uint32_t cp)
{
	char tmp[4];
	int n = fb_utf8_encode(cp, tmp);

	if (c->len >= FB_CELL_APPEND_LIMIT)
		return;
	memcpy(c->text + c->len, tmp, (size_t)n);
	c->len = (uint8_t)(c->len + n);
}

/* ";" and v in decimal at p; returns the end. (No printf: every frame with
 * colour calls this once per rendition change.) */
static char *put_uint(char *p, char sep, uint32_t v)
{
	char tmp[10];
	int n = 0;

	*p++ = sep;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

static char *sgr_colour(char *p, uint32_t c, unsigned base)
{
	if (c & FB_COLOR_RGB) {
		p = put_uint(p, ';', base / 10 * 10 + 8);
		p = put_uint(p, ';', 2);
		p = put_uint(p, ';', (c >> 16) & 0xFF);
		p = put_uint(p, ';', (c >> 8) & 0xFF);
		p = put_uint(p, ';', c & 0xFF);
	} else if (c >= base && c < base + 8) {
		p = put_uint(p, ';', c);
	} else if (c >= base + 8) {
		p = put_uint(p, ';', base / 10 * 10 + 8);
		p = put_uint(p, ';', 5);
		p = put_uint(p, ';', c - base);
	}
	return p;
}

void fb_rend_sgr(const struct fb_rend *r, struct buf *out)
{
	static const struct {
		uint8_t bit;
		char code;
	} attrs[] = {
	    {FB_ATTR_BOLD, '1'},  {FB_ATTR_ITALIC, '3'},  {FB_ATTR_UNDERLINE, '4'},
	    {FB_ATTR_BLINK, '5'}, {FB_ATTR_INVERSE, '7'}, {FB_ATTR_INVISIBLE, '8'},
	    {FB_ATTR_FAINT, '2'}, {FB_ATTR_STRIKE, '9'},
	};
	/* ESC[0, eight attributes (one with ":n"), three colours of at most
	 * 1+2+1+1+3*4 or 1+2+1+1+1+10 bytes, m */
	char s[3 + 8 * 2 + 2 + 3 * 20 + 1];
	char *p = s;

	memcpy(p, "\033[0", 3);
	p += 3;
	for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
		if (r->attr & attrs[i].bit) {
			*p++ = ';';
			*p++ = attrs[i].code;
			if (attrs[i].bit == FB_ATTR_UNDERLINE && r->ul_style != FB_UL_NONE)
				p = put_uint(p, ':', r->ul_style);
		}
	}
	p = sgr_colour(p, r->fg, 30);
	p = sgr_colour(p, r->bg, 40);
	if (r->ul & FB_COLOR_RGB) {
		p = sgr_colour(p, r->ul, 50);
	} else if (r->ul != 0) {
		/* 58 has no short form for the basic colours. */
		p = put_uint(p, ';', 58);
		p = put_uint(p, ';', 5);
		p = put_uint(p, ';', r->ul - 1);
	}
	*p++ = 'm';
	buf_append(out, s, (size_t)(p - s));
}

/* The process's link table: entries[id - 1]; a hash of ids for interning. */
struct fb_link_entry {
	char *params;
	char *uri;
	uint32_t hash;
};
static struct {
	struct fb_link_entry *entries;
	size_t n, cap, bytes;
	uint16_t *slots; /* open addressing, FB_LINKS_SLOTS; 0 = free */
} links;
#define FB_LINKS_SLOTS (2u * 65536u)

static uint32_t link_hash(const char *p, size_t plen, const char *u, size_t ulen)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < plen; i++)
		h = (h ^ (uint8_t)p[i]) * 16777619u;
	h = (h ^ ';') * 16777619u;
	for (size_t i = 0; i < ulen; i++)
		h = (h ^ (uint8_t)u[i]) * 16777619u;
	return h;
}

static bool link_is(const struct fb_link_entry *e, uint32_t h, const char *p, size_t plen,
                    const char *u, size_t ulen)
{
	return e->hash == h && strlen(e->params) == plen && memcmp(e->params, p, plen) == 0 &&
	       strlen(e->uri) == ulen && memcmp(e->uri, u, ulen) == 0;
}

static char *dup_n(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

uint16_t fb_link_intern(const char *params, size_t plen, const char *uri, size_t ulen)
{
	uint32_t h = link_hash(params, plen, uri, ulen);
	size_t i = h % FB_LINKS_SLOTS;
	struct fb_link_entry *e;

	if (plen > FB_LINK_PART_MAX || ulen > FB_LINK_PART_MAX)
		return 0;
	if (links.slots == NULL)
		links.slots = xcalloc(FB_LINKS_SLOTS, sizeof *links.slots);
	/* Fewer ids than slots: a free slot ends every probe. */
	for (; links.slots[i] != 0; i = (i + 1) % FB_LINKS_SLOTS) {
		if (link_is(&links.entries[links.slots[i] - 1], h, params, plen, uri, ulen))
			return links.slots[i];
	}
	if (links.n >= FB_LINKS_MAX || links.bytes + plen + ulen > FB_LINKS_BYTES)
		return 0;
	if (links.n == links.cap) {
		links.cap = links.cap ? 2 * links.cap : 64;
		links.entries = xrealloc(links.entries, links.cap * sizeof *links.entries);
	}
	e = &links.entries[links.n++];
	e->params = dup_n(params, plen);
	e->uri = dup_n(uri, ulen);
	e->hash = h;
	links.bytes += plen + ulen;
	links.slots[i] = (uint16_t)links.n;
	return (uint16_t)links.n;
}

bool fb_link_get(uint16_t id, const char **params, const char **uri)
{
	if (id == 0 || id > links.n)
		return false;
	*params = links.entries[id - 1].params;
	*uri = links.entries[id - 1].uri;
	return true;
}
