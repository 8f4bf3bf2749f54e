/*
 * Test support for the display differ; see disp_testlib.h. The generator is
 * weighted towards what real programs print (text, colours, line feeds,
 * cursor addressing) but reaches every control function the emulator knows.
 */
#include "disp_testlib.h"

#include "term/disp.h"

#include <stdio.h>
#include <string.h>

#include "util/buf.h"

void dt_rng_seed(struct dt_rng *r, uint64_t seed)
{
	r->s = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
	if (r->s == 0)
		r->s = 1;
}

uint64_t dt_rng_next(struct dt_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1Dull;
}

unsigned dt_rng_below(struct dt_rng *r, unsigned n)
{
	return (unsigned)((dt_rng_next(r) >> 32) % n);
}

static void put_cp(struct buf *out, uint32_t cp)
{
	char tmp[4];
	int n = fb_utf8_encode(cp, tmp);

	buf_append(out, tmp, (size_t)n);
}

static uint32_t random_char(struct dt_rng *r)
{
	unsigned k = dt_rng_below(r, 100);

	if (k < 60)
		return 0x21 + dt_rng_below(r, 0x5E);
	if (k < 70)
		return ' ';
	if (k < 78)
		return 0xA0 + dt_rng_below(r, 0x60);
	if (k < 88)
		return 0x4E00 + dt_rng_below(r, 0x500); /* CJK: wide */
	if (k < 91)
		return 0xAC00 + dt_rng_below(r, 0x100); /* Hangul: wide */
	if (k < 93)
		return 0x1F600 + dt_rng_below(r, 0x40); /* emoji: wide */
	if (k < 98)
		return 0x300 + dt_rng_below(r, 0x70); /* combining */
	return 0x3B1 + dt_rng_below(r, 0x18);         /* Greek */
}

static void random_text(struct dt_rng *r, struct buf *out)
{
	unsigned n = 1 + dt_rng_below(r, 24);

	for (unsigned i = 0; i < n; i++)
		put_cp(out, random_char(r));
}

static int small(struct dt_rng *r, int limit)
{
	return (int)dt_rng_below(r, (unsigned)limit + 2);
}

static void random_colour(struct dt_rng *r, struct buf *out, int base)
{
	switch (dt_rng_below(r, 5)) {
	case 0:
		buf_appendf(out, "%d", base + (int)dt_rng_below(r, 8));
		break;
	case 1:
		buf_appendf(out, "%d", base + 60 + (int)dt_rng_below(r, 8));
		break;
	case 2:
		buf_appendf(out, "%d;5;%u", base + 8, dt_rng_below(r, 256));
		break;
	case 3:
		buf_appendf(out, "%d;2;%u;%u;%u", base + 8, dt_rng_below(r, 256),
		            dt_rng_below(r, 256), dt_rng_below(r, 256));
		break;
	default:
		buf_appendf(out, "%d", base + 9);
		break;
	}
}

/* Our renditions: underline styles, underline colour (either separator), 59, 2, 9, 29. */
static void random_ext(struct dt_rng *r, struct buf *out)
{
	switch (dt_rng_below(r, 8)) {
	case 0:
		buf_appendf(out, "4:%u", dt_rng_below(r, 6));
		break;
	case 1:
		buf_appendf(out, "58;5;%u", dt_rng_below(r, 256));
		break;
	case 2:
		buf_appendf(out, "58:2::%u:%u:%u", dt_rng_below(r, 256), dt_rng_below(r, 256),
		            dt_rng_below(r, 256));
		break;
	case 3:
		buf_appendf(out, "58;2;%u;%u;%u", dt_rng_below(r, 256), dt_rng_below(r, 256),
		            dt_rng_below(r, 256));
		break;
	case 4:
		buf_append_str(out, "59");
		break;
	case 5:
		buf_append_str(out, "2");
		break;
	case 6:
		buf_append_str(out, "9");
		break;
	default:
		buf_append_str(out, "29");
		break;
	}
}

static void random_sgr(struct dt_rng *r, struct buf *out)
{
	static const int attrs[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 22, 23, 24, 25, 27, 28};
	unsigned n = 1 + dt_rng_below(r, 4);
	struct dt_rng ext;

	buf_append_str(out, "\033[");
	for (unsigned i = 0; i < n; i++) {
		if (i > 0)
			buf_append_byte(out, ';');
		switch (dt_rng_below(r, 3)) {
		case 0:
			buf_appendf(out, "%d",
			            attrs[dt_rng_below(r, sizeof(attrs) / sizeof(attrs[0]))]);
			break;
		case 1:
			random_colour(r, out, 30);
			break;
		default:
			random_colour(r, out, 40);
			break;
		}
	}
	/* Our renditions from a generator of their own, so the rest of the
	 * stream stays what it was before they existed. */
	ext.s = r->s * 0x9E3779B97F4A7C15ull + 1;
	if (dt_rng_below(&ext, 2) == 0) {
		buf_append_byte(out, ';');
		random_ext(&ext, out);
	}
	buf_append_byte(out, 'm');
	/* A hyperlink opened (one of a few, so runs repeat) or closed, BEL or ST. */
	switch (dt_rng_below(&ext, 6)) {
	case 0:
		buf_appendf(out, "\033]8;id=%u;http://h/%u\033\\", dt_rng_below(&ext, 3),
		            dt_rng_below(&ext, 4));
		break;
	case 1:
		buf_appendf(out, "\033]8;;http://h/%u\a", dt_rng_below(&ext, 4));
		break;
	case 2:
		buf_append_str(out, "\033]8;;\a");
		break;
	default:
		break;
	}
}

static void random_mode(struct dt_rng *r, struct buf *out)
{
	static const int modes[] = {1,    3,    5,    6,    7,    25,   9,    1000, 1001,
	                            1002, 1003, 1004, 1005, 1006, 1015, 1007, 2004};
	int m = modes[dt_rng_below(r, sizeof(modes) / sizeof(modes[0]))];

	/* DECCOLM clears the screen: keep it rare. */
	if (m == 3 && dt_rng_below(r, 8) != 0)
		m = 25;
	buf_appendf(out, "\033[?%d%c", m, dt_rng_below(r, 2) ? 'h' : 'l');
}

static void random_osc(struct dt_rng *r, struct buf *out)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
	unsigned k = dt_rng_below(r, 6);

	if (k < 4) {
		buf_appendf(out, "\033]%u;", k == 3 ? 0 : k);
		if (dt_rng_below(r, 4) != 0)
			random_text(r, out);
	} else if (k == 4) {
		unsigned n = dt_rng_below(r, 40);

		buf_append_str(out, "\033]52;c;");
		for (unsigned i = 0; i < n; i++)
			buf_append_byte(out, (uint8_t)b64[dt_rng_below(r, sizeof(b64) - 1)]);
	} else {
		buf_append_str(out, "\033]52;p;xyz");
	}
	buf_append_str(out, dt_rng_below(r, 2) ? "\a" : "\033\\");
}

void dt_random_output(struct dt_rng *r, int width, int height, int n, struct buf *out)
{
	for (int i = 0; i < n; i++) {
		unsigned k = dt_rng_below(r, 1000);

		if (k < 300) {
			random_text(r, out);
		} else if (k < 380) {
			buf_append_str(out, dt_rng_below(r, 2) ? "\r\n" : "\n");
		} else if (k < 400) {
			static const char c0[] = "\r\b\t\v\f\a";
			buf_append_byte(out, (uint8_t)c0[dt_rng_below(r, sizeof(c0) - 1)]);
		} else if (k < 480) {
			buf_appendf(out, "\033[%d;%dH", small(r, height), small(r, width));
		} else if (k < 520) {
			buf_appendf(out, "\033[%d%c", small(r, 5), "ABCDdG`"[dt_rng_below(r, 7)]);
		} else if (k < 600) {
			random_sgr(r, out);
		} else if (k < 640) {
			buf_appendf(out, "\033[%uJ", dt_rng_below(r, 4));
		} else if (k < 680) {
			buf_appendf(out, "\033[%uK", dt_rng_below(r, 3));
		} else if (k < 720) {
			buf_appendf(out, "\033[%d%c", small(r, width), "X@P"[dt_rng_below(r, 3)]);
		} else if (k < 760) {
			buf_appendf(out, "\033[%d%c", small(r, 4), "LMST"[dt_rng_below(r, 4)]);
		} else if (k < 780) {
			int t = small(r, height), b = small(r, height);
			if (dt_rng_below(r, 4) == 0)
				buf_append_str(out, "\033[r");
			else
				buf_appendf(out, "\033[%d;%dr", t, b);
		} else if (k < 800) {
			buf_appendf(out, "\033%c", "DEM78H"[dt_rng_below(r, 6)]);
		} else if (k < 815) {
			buf_appendf(out, "\033[%d%c", small(r, 3), "ZIg"[dt_rng_below(r, 3)]);
		} else if (k < 875) {
			random_mode(r, out);
		} else if (k < 885) {
			buf_append_str(out, dt_rng_below(r, 2) ? "\033[4h" : "\033[4l");
		} else if (k < 920) {
			random_osc(r, out);
		} else if (k < 930) {
			int lines = 1 + (int)dt_rng_below(r, (unsigned)height * 2);
			for (int j = 0; j < lines; j++)
				buf_appendf(out, "%u\r\n", dt_rng_below(r, 100000));
		} else if (k < 935) {
			static const char *const q[] = {"\033[c", "\033[>c", "\033[5n", "\033[6n"};
			buf_append_str(out, q[dt_rng_below(r, 4)]);
		} else if (k < 938) {
			buf_append_str(out, dt_rng_below(r, 2) ? "\033c" : "\033#8");
		} else if (k < 940) {
			buf_append_str(out, "\033[!p");
		} else if (k < 950) {
			buf_append_byte(out, (uint8_t)(0x80 + dt_rng_below(r, 0x80)));
		} else {
			/* A bit of everything glued: colour text at a random place. */
			buf_appendf(out, "\033[%d;%dH", small(r, height), small(r, width));
			random_sgr(r, out);
			random_text(r, out);
		}
	}
}

/* ---- §6.1 vocabulary validator ---- */

static bool fail_at(char *why, size_t why_len, size_t off, const char *what)
{
	snprintf(why, why_len, "byte %zu: %s", off, what);
	return false;
}

/* Length of a valid UTF-8 sequence of a printable code point at s, or 0. */
static size_t utf8_printable(const uint8_t *s, size_t len)
{
	uint32_t cp;
	size_t n;

	if (s[0] >= 0x20 && s[0] < 0x7F)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2, cp = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3, cp = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if (cp < 0xA0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF ||
	    (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000))
		return 0;
	return n;
}

static bool mode_ok(long m)
{
	static const long ok[] = {5, 25, 2004, 1004, 9, 1000, 1001, 1002, 1003, 1005, 1006, 1015};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (ok[i] == m)
			return true;
	return false;
}

/* Parse "N;N;...": up to max numbers into v; returns the count or -1 if
 * malformed. With ext, ':' may separate too: a number after it is stored as
 * -(N + 1). */
static int parse_params(const char *p, size_t len, bool ext, long *v, int max)
{
	int n = 0;
	size_t i = 0;
	bool sub = false;

	if (len == 0)
		return 0;
	for (;;) {
		long x = 0;
		size_t start = i;

		while (i < len && p[i] >= '0' && p[i] <= '9') {
			x = x * 10 + (p[i] - '0');
			if (x > 1000000)
				return -1;
			i++;
		}
		if (i == start || n == max)
			return -1;
		v[n++] = sub ? -(x + 1) : x;
		if (i == len)
			return n;
		if (p[i] != ';' && !(ext && p[i] == ':'))
			return -1;
		sub = p[i] == ':';
		i++;
	}
}

static bool sgr_ok(const long *v, int n, bool ext)
{
	int i = 1;

	if (n < 1 || v[0] != 0)
		return false;
	while (i < n) {
		long x = v[i];
		if (ext && x == 4 && i + 1 < n && v[i + 1] <= -3 && v[i + 1] >= -6) {
			i += 2;
		} else if (x == 1 || x == 3 || x == 4 || x == 5 || x == 7 || x == 8 ||
		           (x >= 30 && x <= 37) || (x >= 40 && x <= 47)) {
			i++;
		} else if ((x == 38 || x == 48) && i + 2 < n && v[i + 1] == 5 && v[i + 2] >= 8 &&
		           v[i + 2] <= 255) {
			i += 3;
		} else if ((x == 38 || x == 48) && i + 4 < n && v[i + 1] == 2 && v[i + 2] <= 255 &&
		           v[i + 3] <= 255 && v[i + 4] <= 255) {
			i += 5;
		} else if (ext && (x == 2 || x == 9)) {
			i++;
		} else if (ext && x == 58 && i + 2 < n && v[i + 1] == 5 && v[i + 2] >= 0 &&
		           v[i + 2] <= 255) {
			i += 3;
		} else if (ext && x == 58 && i + 4 < n && v[i + 1] == 2 && v[i + 2] >= 0 &&
		           v[i + 2] <= 255 && v[i + 3] >= 0 && v[i + 3] <= 255 && v[i + 4] >= 0 &&
		           v[i + 4] <= 255) {
			i += 5;
		} else {
			return false;
		}
	}
	return true;
}

static bool csi_ok(const char *p, size_t len, char final, bool ext, long *v, int *nv)
{
	bool priv = len > 0 && p[0] == '?';
	int n = parse_params(p + priv, len - priv, ext && final == 'm', v, 40);

	*nv = n;
	if (n < 0)
		return false;
	if (priv)
		return (final == 'h' || final == 'l') && n == 1 && mode_ok(v[0]);
	switch (final) {
	case 'r':
		return n == 0 || (n == 2 && v[0] == 1 && v[1] >= 2);
	case 'm':
		return sgr_ok(v, n, ext);
	case 'H':
		return n == 0 || (n == 2 && v[0] >= 1 && v[1] >= 1);
	case 'J':
		return n == 1 && v[0] == 2;
	case 'X':
		return n == 1 && v[0] >= 1;
	case 'K':
		return n == 0;
	default:
		return false;
	}
}

bool dt_vocab_ok(const uint8_t *s, size_t len, bool ext, char *why, size_t why_len)
{
	size_t i = 0;
	long v[40];
	int nv;

	while (i < len) {
		uint8_t c = s[i];

		if (c == 0x07 || c == 0x08 || c == 0x0A || c == 0x0D) {
			i++;
			continue;
		}
		if (c != 0x1B) {
			size_t n = utf8_printable(s + i, len - i);
			if (n == 0)
				return fail_at(why, why_len, i,
				               "not printable UTF-8 or an allowed C0");
			i += n;
			continue;
		}
		if (i + 1 >= len)
			return fail_at(why, why_len, i, "lone ESC");
		if (s[i + 1] == '[') {
			size_t j = i + 2;
			while (j < len && ((s[j] >= '0' && s[j] <= '9') || s[j] == ';' ||
			                   s[j] == ':' || s[j] == '?'))
				j++;
			if (j >= len)
				return fail_at(why, why_len, i, "unterminated CSI");
			if (!csi_ok((const char *)s + i + 2, j - i - 2, (char)s[j], ext, v, &nv))
				return fail_at(why, why_len, i, "CSI outside the vocabulary");
			i = j + 1;
		} else if (s[i + 1] == ']') {
			size_t j = i + 2;
			if (len - j >= 2 && (s[j] == '0' || s[j] == '1' || s[j] == '2') &&
			    s[j + 1] == ';')
				j += 2;
			else if (len - j >= 5 && memcmp(s + j, "52;c;", 5) == 0)
				j += 5;
			else if (ext && len - j >= 2 && memcmp(s + j, "8;", 2) == 0)
				j += 2; /* a hyperlink: params ; uri, printable ASCII */
			else
				return fail_at(why, why_len, i, "OSC outside the vocabulary");
			while (j < len && s[j] != 0x07) {
				if (s[j] < 0x20 || (s[j] == 0xC2 && j + 1 < len && s[j + 1] < 0xA0))
					return fail_at(why, why_len, j, "control inside an OSC");
				j++;
			}
			if (j >= len)
				return fail_at(why, why_len, i, "OSC not ended by BEL");
			i = j + 1;
		} else {
			return fail_at(why, why_len, i, "ESC sequence outside the vocabulary");
		}
	}
	return true;
}

/* ---- framebuffer comparison ---- */

static void cell_desc(const struct fb_cell *c, char *out, size_t len)
{
	char text[3 * FB_CELL_MAX + 1];
	size_t n = 0;

	text[0] = '\0';
	for (int i = 0; i < c->len && n + 4 < sizeof(text); i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%02x", (uint8_t)c->text[i]);
	snprintf(out, len, "[%s] fg=%x bg=%x attr=%x flags=%x", text, c->rend.fg, c->rend.bg,
	         c->rend.attr, c->flags);
}

#define DIFF(cond, ...)                                                                            \
	do {                                                                                       \
		if (cond) {                                                                        \
			snprintf(why, why_len, __VA_ARGS__);                                       \
			return false;                                                              \
		}                                                                                  \
	} while (0)

/* The draw state, title and clipboard a diff transmits. */
/* A cell with its rendition as a terminal with caps shows it. */
static const struct fb_cell *shown(const struct tcaps *caps, const struct fb_cell *c,
                                   struct fb_cell *out)
{
	*out = *c;
	out->rend = disp_rend_shown(caps, &c->rend);
	return out;
}

static bool state_same(const struct tcaps *caps, const struct fb *want, const struct fb *got,
                       bool titles, char *why, size_t why_len)
{
	const struct fb_ds *a = &want->ds, *b = &got->ds;
	struct fb_rend ra = disp_rend_shown(caps, &a->rend), rb = disp_rend_shown(caps, &b->rend);

	/* A real terminal is left with no link open between frames (disp.c). */
	if (!caps->exact)
		ra.link = rb.link = 0;

	DIFF(a->width != b->width || a->height != b->height, "size %dx%d != %dx%d", a->width,
	     a->height, b->width, b->height);
	DIFF(a->cur_row != b->cur_row || a->cur_col != b->cur_col, "cursor %d,%d != %d,%d",
	     a->cur_row, a->cur_col, b->cur_row, b->cur_col);
	DIFF(a->cursor_visible != b->cursor_visible, "cursor visible %d != %d", a->cursor_visible,
	     b->cursor_visible);
	DIFF(a->reverse_video != b->reverse_video, "reverse video %d != %d", a->reverse_video,
	     b->reverse_video);
	DIFF(!fb_rend_equal(&ra, &rb), "rendition %x/%x/%x/%x/%x != %x/%x/%x/%x/%x", ra.fg, ra.bg,
	     ra.ul, ra.ul_style, ra.attr, rb.fg, rb.bg, rb.ul, rb.ul_style, rb.attr);
	DIFF(a->bracketed_paste != b->bracketed_paste, "bracketed paste %d != %d",
	     a->bracketed_paste, b->bracketed_paste);
	DIFF(a->mouse_mode != b->mouse_mode, "mouse mode %d != %d", a->mouse_mode, b->mouse_mode);
	DIFF(a->mouse_focus != b->mouse_focus, "mouse focus %d != %d", a->mouse_focus,
	     b->mouse_focus);
	DIFF(a->mouse_enc != b->mouse_enc, "mouse encoding %d != %d", a->mouse_enc, b->mouse_enc);
	DIFF(titles && !fb_str_equal(want->title, got->title), "title \"%s\" != \"%s\"",
	     fb_str_data(want->title), fb_str_data(got->title));
	DIFF(!fb_str_equal(want->clipboard, got->clipboard), "clipboard \"%s\" != \"%s\"",
	     fb_str_data(want->clipboard), fb_str_data(got->clipboard));
	return true;
}

/*
 * The one cell no diff can reproduce: a wide character in the last column
 * (its right half fell off). disp draws it as a space in its background,
 * which is what the terminal must then hold.
 */
static const struct fb_cell *unsplit(const struct fb_cell *c, int x, int width, struct fb_cell *sub)
{
	struct fb_rend bg = {.bg = c->rend.bg};

	if (x != width - 1 || !(c->flags & FB_CELL_WIDE))
		return c;
	memset(sub, 0, sizeof(*sub));
	fb_cell_reset(sub, &bg);
	fb_cell_set_cp(sub, ' ');
	sub->flags = c->flags & FB_CELL_WRAP;
	return sub;
}

static bool cell_mismatch(int y, int x, const struct fb_cell *ca, const struct fb_cell *cb,
                          char *why, size_t why_len)
{
	char da[160], db[160];

	cell_desc(ca, da, sizeof(da));
	cell_desc(cb, db, sizeof(db));
	snprintf(why, why_len, "cell row %d col %d: want %s got %s", y, x, da, db);
	return false;
}

/* Whether disp cannot give the bottom row its wrap mark: wrap_bottom_row
 * needs three rows, and a last cell right of the (re)printed first one. */
static bool bottom_mark_unmade(const struct fb *f)
{
	const struct fb_row *row = fb_row(f, f->ds.height - 1);
	int w = row->width;
	int lx = w >= 2 && (row->cells[w - 2].flags & FB_CELL_WIDE) && row->cells[w - 1].len == 0
	             ? w - 2
	             : w - 1;
	int first = (row->cells[0].flags & FB_CELL_WIDE) ? 2 : 1;

	return w == 1 || f->ds.height < 3 || lx < first;
}

bool dt_fb_same(const struct tcaps *caps, const struct fb *want, const struct fb *got, char *why,
                size_t why_len)
{
	const struct fb_ds *a = &want->ds;

	if (!state_same(caps, want, got, true, why, why_len))
		return false;
	for (int y = 0; y < a->height; y++) {
		for (int x = 0; x < a->width; x++) {
			struct fb_cell sub, ma, mb;
			const struct fb_cell *ca =
			    shown(caps, unsplit(fb_cell(want, y, x), x, a->width, &sub), &ma);
			const struct fb_cell *cb = shown(caps, fb_cell(got, y, x), &mb);

			if (fb_cell_equal(ca, cb))
				continue;
			/*
			 * An empty last cell that carries the wrap mark (the emulator keeps
			 * a row's mark when DCH shifts a blank in) cannot be made by a print:
			 * the print that leaves the pending wrap stores a space there.
			 */
			if (x == a->width - 1 && ca->len == 0 && (ca->flags & FB_CELL_WRAP) &&
			    cb->len == 1 && cb->text[0] == ' ' && cb->flags == ca->flags &&
			    fb_rend_equal(&ca->rend, &cb->rend))
				continue;
			/*
			 * WRAP means something only on a row's last cell (fb_row_wrap); the
			 * emulator may leave it on a cell that a DCH moved left. The bottom
			 * row's mark is set by a print below a transient scroll region
			 * (disp.c), which needs three rows and two columns.
			 */
			if ((x < a->width - 1 ||
			     (y == a->height - 1 && bottom_mark_unmade(want))) &&
			    ca->len == cb->len && memcmp(ca->text, cb->text, ca->len) == 0 &&
			    fb_rend_equal(&ca->rend, &cb->rend) &&
			    ((ca->flags ^ cb->flags) & ~FB_CELL_WRAP) == 0)
				continue;
			return cell_mismatch(y, x, ca, cb, why, why_len);
		}
	}
	return true;
}

/*
 * A cell as a terminal shows it: a space is an empty cell, a fallback cell is
 * U+00A0 + its contents, and the wrap mark counts only on the last cell of a
 * row other than the bottom one (the client flavour does not force it there).
 */
static void canonical(const struct fb_cell *c, int y, int x, const struct fb_ds *ds,
                      struct fb_cell *out)
{
	*out = *c;
	if (out->len == 1 && out->text[0] == ' ')
		out->len = 0;
	if ((out->flags & FB_CELL_FALLBACK) && out->len + 2 <= FB_CELL_MAX) {
		memmove(out->text + 2, out->text, out->len);
		memcpy(out->text, "\xC2\xA0", 2);
		out->len = (uint8_t)(out->len + 2);
		out->flags &= (uint8_t)~FB_CELL_FALLBACK;
	}
	if (x < ds->width - 1 || y == ds->height - 1)
		out->flags &= (uint8_t)~FB_CELL_WRAP;
}

bool dt_fb_looks_same(const struct tcaps *caps, const struct fb *want, const struct fb *got,
                      char *why, size_t why_len)
{
	const struct fb_ds *a = &want->ds;

	if (!state_same(caps, want, got, caps->titles, why, why_len))
		return false;
	for (int y = 0; y < a->height; y++) {
		for (int x = 0; x < a->width; x++) {
			struct fb_cell sub, ma, mb, ca, cb;

			canonical(shown(caps, unsplit(fb_cell(want, y, x), x, a->width, &sub), &ma),
			          y, x, a, &ca);
			canonical(shown(caps, fb_cell(got, y, x), &mb), y, x, a, &cb);
			if (!fb_cell_equal(&ca, &cb))
				return cell_mismatch(y, x, &ca, &cb, why, why_len);
		}
	}
	return true;
}
