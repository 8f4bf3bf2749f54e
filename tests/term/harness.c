/*
 * Runs one emulator script (a tests/term/NAME.test file) and reports file:line of the
 * first expectation that does not hold. One command per line; '#' starts a
 * comment. Strings are double-quoted with C escapes plus \e (ESC), \xNN (a
 * raw byte) and \u{HEX} (a code point, as UTF-8). Rows and columns are 0-based.
 *
 *   INIT w h                 new emulator (a script starts with INIT 80 24)
 *   RESIZE w h               emu_resize
 *   PUSH "bytes"             emu_write
 *   PUSHN n "bytes"          emu_write n times
 *   COPY                     continue on an emu_copy (the original is freed)
 *   ?cursor r,c              cursor position
 *   ?pending 0|1             next print will wrap
 *   ?row r "text"            row text: empty cell = space, the cell after a
 *                            wide one skipped, trailing spaces trimmed
 *   ?text r,c "x"            contents of one cell
 *   ?cell r,c "x" [k=v|flag] contents, rendition and flags exactly: fg=N bg=N
 *                            (colour encoding of fb.h), ul=N (underline
 *                            colour), ulstyle=N (2..5), bold faint italic
 *                            underline blink inverse invisible strike wide
 *                            fallback wrap;
 *                            anything not listed must be default/off
 *   ?rend [k=v|flag]         current rendition, same keys
 *   ?sgr r,c "esc"           fb_rend_sgr of a cell's rendition
 *   ?wrap r 0|1              the row's wrap flag
 *   ?mode N 0|1              DEC mode N (1 5 6 7 25 1004 1007 2004, 9/1000-1003
 *                            mouse, 1005/1006/1015 encoding) or "ansi4" (IRM)
 *   ?region top bottom       scroll region
 *   ?altscreen 0|1           the alternate screen buffer is shown
 *   ?sync 0|1                synchronized output (mode 2026) is held
 *   ?link r,c "params;uri"   a cell's hyperlink ("" = none)
 *   ?curlink "params;uri"    the hyperlink printed characters get ("" = none)
 *   ?tabs "0 8 16"           tab stops
 *   ?title "x"  ?icon "x"  ?clipboard "x"  ?titleinit 0|1  ?bell N
 *   ?reply "bytes"           replies queued since the last ?reply (then cleared)
 *   ?size w h
 *   ?gen r same|new          row r's generation equals / differs from the one
 *   MARKGEN r                recorded by MARKGEN r
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "term/emu.h"
#include "term/fb.h"
#include "util/buf.h"

static const char *file;
static int line;
static struct emu *emu;
static uint64_t marked_gen[FB_MAX_HEIGHT];

static _Noreturn void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

static void put_utf8(struct buf *b, unsigned long cp)
{
	char tmp[4];

	buf_append(b, tmp, (size_t)fb_utf8_encode((uint32_t)cp, tmp));
}

/* Parse a quoted string at *pp into b; advances *pp past it. */
static void parse_string(const char **pp, struct buf *b)
{
	const char *p = *pp;

	while (*p == ' ')
		p++;
	if (*p != '"')
		fail("expected a quoted string at \"%s\"", p);
	p++;
	while (*p != '"') {
		char c = *p++;

		if (c == '\0')
			fail("unterminated string");
		if (c != '\\') {
			buf_append_byte(b, (uint8_t)c);
			continue;
		}
		c = *p++;
		switch (c) {
		case 'e':
			buf_append_byte(b, 0x1B);
			break;
		case 'n':
			buf_append_byte(b, '\n');
			break;
		case 'r':
			buf_append_byte(b, '\r');
			break;
		case 't':
			buf_append_byte(b, '\t');
			break;
		case 'a':
			buf_append_byte(b, 0x07);
			break;
		case 'b':
			buf_append_byte(b, 0x08);
			break;
		case '0':
			buf_append_byte(b, 0);
			break;
		case 'x': {
			char hex[3] = {p[0], p[1], 0};

			buf_append_byte(b, (uint8_t)strtoul(hex, NULL, 16));
			p += 2;
			break;
		}
		case 'u': {
			char *end;

			if (*p != '{')
				fail("\\u needs {HEX}");
			put_utf8(b, strtoul(p + 1, &end, 16));
			if (*end != '}')
				fail("\\u needs {HEX}");
			p = end + 1;
			break;
		}
		default:
			buf_append_byte(b, (uint8_t)c);
			break;
		}
	}
	*pp = p + 1;
}

static const char *escape(const void *data, size_t len)
{
	static char out[8][4096];
	static int slot;
	char *o = out[slot++ % 8];
	size_t n = 0;
	const unsigned char *s = data;

	for (size_t i = 0; i < len && n < sizeof out[0] - 8; i++) {
		if (s[i] == 0x1B)
			n += (size_t)snprintf(o + n, 8, "\\e");
		else if (s[i] < 0x20 || s[i] == 0x7F || s[i] == '"' || s[i] == '\\')
			n += (size_t)snprintf(o + n, 8, "\\x%02x", s[i]);
		else
			o[n++] = (char)s[i];
	}
	o[n] = '\0';
	return o;
}

static void expect_bytes(const char *what, const void *got, size_t glen, const struct buf *want)
{
	if (glen != want->len || (glen > 0 && memcmp(got, want->data, glen) != 0))
		fail("%s: expected \"%s\", got \"%s\"", what, escape(want->data, want->len),
		     escape(got, glen));
}

static void parse_pos(const char **pp, int *r, int *c)
{
	char *end;

	*r = (int)strtol(*pp, &end, 10);
	if (*end != ',')
		fail("expected row,col");
	*c = (int)strtol(end + 1, &end, 10);
	*pp = end;
}

static void check_pos(const struct fb *fb, int r, int c)
{
	if (r < 0 || r >= fb->ds.height || c < 0 || c >= fb->ds.width)
		fail("position %d,%d is off the %dx%d screen", r, c, fb->ds.width, fb->ds.height);
}

static const struct {
	const char *name;
	unsigned bit;
	int is_cell_flag;
} flags[] = {
    {"bold", FB_ATTR_BOLD, 0},           {"italic", FB_ATTR_ITALIC, 0},
    {"underline", FB_ATTR_UNDERLINE, 0}, {"blink", FB_ATTR_BLINK, 0},
    {"inverse", FB_ATTR_INVERSE, 0},     {"invisible", FB_ATTR_INVISIBLE, 0},
    {"wide", FB_CELL_WIDE, 1},           {"fallback", FB_CELL_FALLBACK, 1},
    {"wrap", FB_CELL_WRAP, 1},           {"faint", FB_ATTR_FAINT, 0},
    {"strike", FB_ATTR_STRIKE, 0},
};

/* Parse "fg=N bg=N flag..." into an expected rendition and cell flags. */
static void parse_attrs(const char *p, struct fb_rend *r, unsigned *cflags, int allow_cell)
{
	memset(r, 0, sizeof *r);
	*cflags = 0;
	for (;;) {
		char word[64];
		int n = 0;
		size_t i;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			return;
		while (*p && *p != ' ' && *p != '\t' && n < 63)
			word[n++] = *p++;
		word[n] = '\0';
		if (strncmp(word, "fg=", 3) == 0) {
			r->fg = (uint32_t)strtoul(word + 3, NULL, 0);
			continue;
		}
		if (strncmp(word, "bg=", 3) == 0) {
			r->bg = (uint32_t)strtoul(word + 3, NULL, 0);
			continue;
		}
		if (strncmp(word, "ul=", 3) == 0) {
			r->ul = (uint32_t)strtoul(word + 3, NULL, 0);
			continue;
		}
		if (strncmp(word, "ulstyle=", 8) == 0) {
			r->ul_style = (uint8_t)strtoul(word + 8, NULL, 0);
			continue;
		}
		for (i = 0; i < sizeof flags / sizeof flags[0]; i++) {
			if (strcmp(word, flags[i].name) == 0)
				break;
		}
		if (i == sizeof flags / sizeof flags[0] || (flags[i].is_cell_flag && !allow_cell))
			fail("unknown attribute %s", word);
		if (flags[i].is_cell_flag)
			*cflags |= flags[i].bit;
		else
			r->attr |= (uint8_t)flags[i].bit;
	}
}

/* The link is checked on its own (?link, ?curlink). */
static void expect_rend(const char *what, const struct fb_rend *got, const struct fb_rend *want)
{
	struct fb_rend g = *got;

	g.link = want->link;
	if (!fb_rend_equal(&g, want))
		fail("%s: expected fg=%u bg=%u ul=%u ulstyle=%u attr=0x%x, got fg=%u bg=%u "
		     "ul=%u ulstyle=%u attr=0x%x",
		     what, want->fg, want->bg, want->ul, want->ul_style, want->attr, got->fg,
		     got->bg, got->ul, got->ul_style, got->attr);
}

static void row_text(const struct fb *fb, int r, struct buf *out)
{
	const struct fb_row *row = fb_row(fb, r);
	size_t keep;

	for (int x = 0; x < row->width; x++) {
		const struct fb_cell *c = &row->cells[x];

		if (c->len == 0)
			buf_append_byte(out, ' ');
		else
			buf_append(out, c->text, c->len);
		if (c->flags & FB_CELL_WIDE)
			x++;
	}
	keep = out->len;
	while (keep > 0 && out->data[keep - 1] == ' ')
		keep--;
	buf_truncate(out, keep);
}

static int dec_mode(const struct fb_ds *ds, const char *name)
{
	int m = atoi(name);

	if (strcmp(name, "ansi4") == 0)
		return ds->insert;
	switch (m) {
	case 1:
		return ds->app_cursor_keys;
	case 5:
		return ds->reverse_video;
	case 6:
		return ds->origin;
	case 7:
		return ds->autowrap;
	case 25:
		return ds->cursor_visible;
	case 1004:
		return ds->mouse_focus;
	case 1007:
		return ds->mouse_alt_scroll;
	case 2004:
		return ds->bracketed_paste;
	case 9:
	case 1000:
	case 1001:
	case 1002:
	case 1003:
		return ds->mouse_mode == m;
	case 1005:
	case 1006:
	case 1015:
		return ds->mouse_enc == m;
	default:
		fail("unknown mode %s", name);
	}
}

static void need_emu(void)
{
	if (emu == NULL)
		fail("no INIT before this command");
}

static void run_line(char *s)
{
	char cmd[32];
	int n = 0;
	const char *p = s;
	struct buf b;
	const struct fb *fb = emu ? emu_fb(emu) : NULL;
	int r, c, v;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#')
		return;
	while (*p && *p != ' ' && n < 31)
		cmd[n++] = *p++;
	cmd[n] = '\0';
	while (*p == ' ')
		p++;
	buf_init(&b);
	if (strcmp(cmd, "INIT") == 0) {
		int w, h;

		if (sscanf(p, "%d %d", &w, &h) != 2)
			fail("INIT w h");
		emu_free(emu);
		emu = emu_new(w, h);
	} else if (need_emu(), strcmp(cmd, "RESIZE") == 0) {
		int w, h;

		if (sscanf(p, "%d %d", &w, &h) != 2)
			fail("RESIZE w h");
		emu_resize(emu, w, h);
	} else if (strcmp(cmd, "PUSH") == 0) {
		parse_string(&p, &b);
		emu_write(emu, b.data, b.len);
	} else if (strcmp(cmd, "PUSHN") == 0) {
		char *end;
		long count = strtol(p, &end, 10);

		p = end;
		parse_string(&p, &b);
		for (long i = 0; i < count; i++)
			emu_write(emu, b.data, b.len);
	} else if (strcmp(cmd, "COPY") == 0) {
		struct emu *copy = emu_copy(emu);

		emu_free(emu);
		emu = copy;
	} else if (strcmp(cmd, "?cursor") == 0) {
		parse_pos(&p, &r, &c);
		if (fb->ds.cur_row != r || fb->ds.cur_col != c)
			fail("cursor: expected %d,%d, got %d,%d", r, c, fb->ds.cur_row,
			     fb->ds.cur_col);
	} else if (strcmp(cmd, "?pending") == 0) {
		if (fb->ds.next_wrap != (atoi(p) != 0))
			fail("pending wrap: expected %d, got %d", atoi(p), fb->ds.next_wrap);
	} else if (strcmp(cmd, "?row") == 0) {
		struct buf got;
		char *end;

		r = (int)strtol(p, &end, 10);
		p = end;
		check_pos(fb, r, 0);
		parse_string(&p, &b);
		buf_init(&got);
		row_text(fb, r, &got);
		expect_bytes("row", got.data, got.len, &b);
		buf_fini(&got);
	} else if (strcmp(cmd, "?link") == 0 || strcmp(cmd, "?curlink") == 0) {
		uint16_t id = fb->ds.rend.link;
		const char *params, *uri;
		struct buf got;

		if (cmd[1] == 'l') {
			parse_pos(&p, &r, &c);
			check_pos(fb, r, c);
			id = fb_cell(fb, r, c)->rend.link;
		}
		parse_string(&p, &b);
		buf_init(&got);
		if (fb_link_get(id, &params, &uri))
			buf_appendf(&got, "%s;%s", params, uri);
		expect_bytes("link", got.data, got.len, &b);
		buf_fini(&got);
	} else if (strcmp(cmd, "?text") == 0 || strcmp(cmd, "?cell") == 0) {
		const struct fb_cell *cell;

		parse_pos(&p, &r, &c);
		check_pos(fb, r, c);
		cell = fb_cell(fb, r, c);
		parse_string(&p, &b);
		expect_bytes("cell contents", cell->text, cell->len, &b);
		if (cmd[1] == 'c') {
			struct fb_rend want;
			unsigned wflags;

			parse_attrs(p, &want, &wflags, 1);
			expect_rend("cell rendition", &cell->rend, &want);
			if (cell->flags != wflags)
				fail("cell flags: expected 0x%x, got 0x%x", wflags, cell->flags);
		}
	} else if (strcmp(cmd, "?rend") == 0) {
		struct fb_rend want;
		unsigned wflags;

		parse_attrs(p, &want, &wflags, 0);
		expect_rend("rendition", &fb->ds.rend, &want);
	} else if (strcmp(cmd, "?sgr") == 0) {
		struct buf got;

		parse_pos(&p, &r, &c);
		check_pos(fb, r, c);
		parse_string(&p, &b);
		buf_init(&got);
		fb_rend_sgr(&fb_cell(fb, r, c)->rend, &got);
		expect_bytes("sgr", got.data, got.len, &b);
		buf_fini(&got);
	} else if (strcmp(cmd, "?wrap") == 0) {
		if (sscanf(p, "%d %d", &r, &v) != 2)
			fail("?wrap row 0|1");
		check_pos(fb, r, 0);
		if (fb_row_wrap(fb_row(fb, r)) != (v != 0))
			fail("wrap of row %d: expected %d", r, v);
	} else if (strcmp(cmd, "?mode") == 0) {
		char name[16];

		if (sscanf(p, "%15s %d", name, &v) != 2)
			fail("?mode N 0|1");
		if (dec_mode(&fb->ds, name) != v)
			fail("mode %s: expected %d, got %d", name, v, dec_mode(&fb->ds, name));
	} else if (strcmp(cmd, "?sync") == 0) {
		if (emu_sync_held(emu) != (atoi(p) != 0))
			fail("sync: expected %d, got %d", atoi(p), emu_sync_held(emu));
	} else if (strcmp(cmd, "?altscreen") == 0) {
		if (fb->ds.alt_screen != (atoi(p) != 0))
			fail("alternate screen: expected %d, got %d", atoi(p), fb->ds.alt_screen);
	} else if (strcmp(cmd, "?region") == 0) {
		if (sscanf(p, "%d %d", &r, &c) != 2)
			fail("?region top bottom");
		if (fb->ds.top != r || fb->ds.bottom != c)
			fail("region: expected %d..%d, got %d..%d", r, c, fb->ds.top,
			     fb->ds.bottom);
	} else if (strcmp(cmd, "?tabs") == 0) {
		struct buf got;

		parse_string(&p, &b);
		buf_init(&got);
		for (int x = 0; x < fb->ds.width; x++) {
			if (fb->ds.tabs[x])
				buf_appendf(&got, "%s%d", got.len ? " " : "", x);
		}
		expect_bytes("tabs", got.data, got.len, &b);
		buf_fini(&got);
	} else if (strcmp(cmd, "?title") == 0) {
		parse_string(&p, &b);
		expect_bytes("title", fb_str_data(fb->title), fb_str_len(fb->title), &b);
	} else if (strcmp(cmd, "?icon") == 0) {
		parse_string(&p, &b);
		expect_bytes("icon", fb_str_data(fb->icon), fb_str_len(fb->icon), &b);
	} else if (strcmp(cmd, "?clipboard") == 0) {
		parse_string(&p, &b);
		expect_bytes("clipboard", fb_str_data(fb->clipboard), fb_str_len(fb->clipboard),
		             &b);
	} else if (strcmp(cmd, "?titleinit") == 0) {
		if (fb->title_init != (atoi(p) != 0))
			fail("title_init: expected %d", atoi(p));
	} else if (strcmp(cmd, "?bell") == 0) {
		if (fb->bell != (unsigned)atoi(p))
			fail("bell: expected %d, got %u", atoi(p), fb->bell);
	} else if (strcmp(cmd, "?reply") == 0) {
		struct buf got;

		parse_string(&p, &b);
		buf_init(&got);
		emu_take_replies(emu, &got);
		expect_bytes("reply", got.data, got.len, &b);
		buf_fini(&got);
	} else if (strcmp(cmd, "?size") == 0) {
		if (sscanf(p, "%d %d", &r, &c) != 2)
			fail("?size w h");
		if (fb->ds.width != r || fb->ds.height != c)
			fail("size: expected %dx%d, got %dx%d", r, c, fb->ds.width, fb->ds.height);
	} else if (strcmp(cmd, "MARKGEN") == 0) {
		r = atoi(p);
		check_pos(fb, r, 0);
		marked_gen[r] = fb_row(fb, r)->gen;
	} else if (strcmp(cmd, "?gen") == 0) {
		char how[8];

		if (sscanf(p, "%d %7s", &r, how) != 2)
			fail("?gen r same|new");
		check_pos(fb, r, 0);
		if ((fb_row(fb, r)->gen == marked_gen[r]) != (strcmp(how, "same") == 0))
			fail("generation of row %d: expected %s", r, how);
	} else {
		fail("unknown command %s", cmd);
	}
	buf_fini(&b);
}

int main(int argc, char **argv)
{
	FILE *f;
	char s[8192];

	if (argc != 2) {
		fprintf(stderr, "usage: %s script.test\n", argv[0]);
		return 2;
	}
	file = argv[1];
	f = fopen(file, "r");
	if (f == NULL) {
		perror(file);
		return 2;
	}
	while (fgets(s, sizeof s, f) != NULL) {
		line++;
		s[strcspn(s, "\n")] = '\0';
		run_line(s);
	}
	fclose(f);
	emu_free(emu);
	printf("%s: %d lines ok\n", file, line);
	return 0;
}
