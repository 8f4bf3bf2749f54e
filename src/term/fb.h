/*
 * The framebuffer (doc/PROTOCOL.md §8.5): what a terminal shows, plus the draw
 * state that the next byte of output acts on.
 *
 * Model:
 *  - A cell holds the UTF-8 bytes of one grapheme (base character plus
 *    combining characters, at most FB_CELL_MAX bytes; len 0 = empty), its
 *    rendition and three flags: WIDE (left half of a double-width character;
 *    the right half is the next, normally empty, cell), FALLBACK (contents start
 *    with a combining character) and WRAP (on the last cell of a row: the row
 *    wrapped into the next one). Bytes of text[] beyond len are unspecified.
 *  - A row is a reference-counted vector of cells with a generation number.
 *    Rows are shared between framebuffers (fb_copy) and copied on write: only
 *    fb_mut_row()/fb_mut_cell() hand out writable rows, and they copy a shared
 *    row first (the copy keeps its generation). A fresh generation is taken
 *    whenever a row is created or cleared (fb_row_clear), which the display
 *    differ uses to recognise scrolled rows.
 *  - Two screen buffers, as xterm: the primary screen and the alternate one
 *    (DECSET 47/1047/1049). rows[] is always the one shown (ds.alt_screen says
 *    which); the other waits in other_rows with its own DECSC state, its rows
 *    shared like any others, so a copy costs O(height) either way. The
 *    alternate buffer is allocated on the first switch to it (NULL = never
 *    used); both buffers always have the same size.
 *  - A row that leaves the screen can be handed out whole (fb_scroll_up_keep):
 *    its reference moves to the caller, whose copy stays immutable because
 *    every writer unshares a row with refs > 1 and the framebuffer no longer
 *    holds it.
 *  - Titles and the clipboard are immutable shared strings (UTF-8).
 *  - A cell's hyperlink (OSC 8) is an id in the rendition, into one interned
 *    table per process (fb_link_intern below).
 *
 * Everything in these structs may be read directly by other modules (the
 * display differ, the terminal state); writes go through the emulator or the
 * fb_* mutators below so that sharing stays correct.
 */
#ifndef MOSHC_TERM_FB_H
#define MOSHC_TERM_FB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;

/* Size limits: anything a peer asks for is clamped into these (§8.7). */
#define FB_MAX_WIDTH 10000
#define FB_MAX_HEIGHT 10000
#define FB_MAX_CELLS (1024 * 1024)

/* A combining character is appended while a cell holds fewer than
 * FB_CELL_APPEND_LIMIT bytes (mosh's rule), so a cell holds at most
 * FB_CELL_MAX bytes of UTF-8. */
#define FB_CELL_APPEND_LIMIT 32
#define FB_CELL_MAX (FB_CELL_APPEND_LIMIT + 4)

/*
 * Colour encoding (§8.4): 0 = default; 30+i (fg) / 40+i (bg) for palette
 * index i in 0..255 (so 30..37 / 40..47 are the basic colours);
 * FB_COLOR_RGB | r<<16 | g<<8 | b for true colour.
 */
#define FB_COLOR_RGB 0x1000000u

/*
 * Attributes. BOLD, ITALIC, UNDERLINE, BLINK, INVERSE and INVISIBLE are mosh
 * 1.4's; FAINT (SGR 2) and STRIKE (SGR 9), the underline style and the
 * underline colour are ours, shown only to terminals that have them
 * (struct tcaps ext_rend: a client that announced WIRE_FEATURE_RENDITIONS, or
 * a terminfo entry). Invariant: ul_style is FB_UL_NONE unless UNDERLINE is
 * set and the style is not single (so a single underline is mosh 1.4's bit
 * alone).
 */
enum fb_attr {
	FB_ATTR_BOLD = 1 << 0,
	FB_ATTR_FAINT = 1 << 1,
	FB_ATTR_ITALIC = 1 << 2,
	FB_ATTR_UNDERLINE = 1 << 3,
	FB_ATTR_BLINK = 1 << 4,
	FB_ATTR_INVERSE = 1 << 5,
	FB_ATTR_INVISIBLE = 1 << 6,
	FB_ATTR_STRIKE = 1 << 7,
};

/* Underline styles, as SGR 4:n. */
enum fb_ul_style {
	FB_UL_NONE,
	FB_UL_SINGLE,
	FB_UL_DOUBLE,
	FB_UL_CURLY,
	FB_UL_DOTTED,
	FB_UL_DASHED,
	FB_UL_MAX = FB_UL_DASHED,
};

/* Underline colour (SGR 58/59): 0 = default (the text colour); 1 + i for
 * palette index i in 0..255; FB_COLOR_RGB | r<<16 | g<<8 | b for true colour. */
struct fb_rend {
	uint32_t fg;      /* colour encoding above */
	uint32_t bg;      /* colour encoding above */
	uint32_t ul;      /* underline colour, encoding just above */
	uint8_t attr;     /* enum fb_attr bits */
	uint8_t ul_style; /* enum fb_ul_style */
	uint16_t link;    /* OSC 8 hyperlink: fb_link id, 0 = none */
};

enum fb_cell_flag {
	FB_CELL_WIDE = 1 << 0,
	FB_CELL_FALLBACK = 1 << 1,
	FB_CELL_WRAP = 1 << 2,
};

struct fb_cell {
	struct fb_rend rend;
	uint8_t len;   /* bytes used in text; 0 = empty cell */
	uint8_t flags; /* enum fb_cell_flag bits */
	char text[FB_CELL_MAX];
};

/* Bulk writers (row clears, runs of text) copy a template cell's first
 * FB_CELL_HEAD_COPY bytes: the rendition, len and flags, and the first text
 * bytes, which the writer then sets or which len leaves unspecified. One
 * 16-byte and one 8-byte store instead of one per field. */
#define FB_CELL_HEAD_COPY 24
_Static_assert(offsetof(struct fb_cell, text) < FB_CELL_HEAD_COPY &&
                   FB_CELL_HEAD_COPY <= sizeof(struct fb_cell),
               "a cell's head is one 24-byte copy");

struct fb_row {
	unsigned refs; /* framebuffers holding this row; > 1 means shared */
	int width;
	uint64_t gen; /* fresh on creation and on clear */
	struct fb_cell cells[];
};

/* An immutable, shared UTF-8 string (title, icon name, clipboard). */
struct fb_str {
	unsigned refs;
	size_t len;
	char data[]; /* NUL-terminated one past len */
};

/* DECSC/DECRC state. */
struct fb_saved {
	int row, col;
	struct fb_rend rend;
	bool autowrap;
	bool origin;
};

/* Mouse reporting mode: 0 (none) or the DEC mode number 9/1000/1001/1002/1003;
 * mouse encoding: 0 (default) or 1005/1006/1015. */
struct fb_ds {
	int width, height;
	int cur_row, cur_col;
	int comb_row, comb_col; /* combining-character target; -1 = none */
	int top, bottom;        /* scroll region, inclusive rows */
	struct fb_rend rend;    /* current rendition */
	struct fb_saved saved;
	bool next_wrap;  /* next print will wrap (deferred wrap) */
	bool alt_screen; /* the alternate screen buffer is shown */
	bool origin;
	bool autowrap;
	bool insert;
	bool cursor_visible;
	bool reverse_video;
	bool bracketed_paste;
	bool mouse_focus;
	bool mouse_alt_scroll;
	bool app_cursor_keys;
	bool default_tabs; /* tab stops still follow the every-8 pattern */
	int mouse_mode;
	int mouse_enc;
	uint8_t *tabs; /* width entries, 1 = tab stop; owned by this framebuffer */
};

struct fb {
	struct fb_ds ds;
	struct fb_row **rows; /* ds.height pointers; the array is owned, rows are shared */
	/* The buffer not shown: the primary screen while ds.alt_screen, else the
	 * alternate one or NULL (never used). Same size and ownership as rows. */
	struct fb_row **other_rows;
	struct fb_saved other_saved; /* DECSC state of the buffer not shown */
	struct fb_str *title;        /* window title; NULL = empty */
	struct fb_str *icon;         /* icon name; NULL = empty */
	struct fb_str *clipboard;
	bool title_init; /* a title OSC has been seen at least once */
	unsigned bell;   /* bell counter */
};

/* A framebuffer of width×height blank cells (sizes clamped into the limits). */
struct fb *fb_new(int width, int height);
void fb_free(struct fb *fb);
/* A copy sharing every row with fb; costs O(height + width). */
struct fb *fb_copy(const struct fb *fb);
/* The equality SSP uses (§8.5): what a hoststring carries, so that two
 * framebuffers are equal exactly when the differ has nothing to write from one
 * to the other: rows' cells (not their generations, which a peer never
 * learns), window title, clipboard, bell count and the transmitted draw-state
 * fields. Not the icon name, tabs, saved cursor, origin/insert/autowrap,
 * DECCKM, pending wrap, which buffer is shown (the terminal state sends that
 * in a field of its own, §15) or the buffer not shown. */
bool fb_equal(const struct fb *a, const struct fb *b);

/*
 * Rendition masks: a comparison through a mask looks only at the bits set in
 * each field of it (a struct fb_rend), so a terminal that cannot show some of
 * our renditions sees no difference in them (disp_rend_mask builds the mask
 * of a terminal's capabilities). fb_rend_mask_all sees everything: the
 * unmasked functions are these with it.
 */
extern const struct fb_rend fb_rend_mask_all;
/* fb_equal up to the renditions outside mask: as cheap as fb_equal, for
 * SSP's tick (a mosh 1.4 client's link must not make a state it cannot see). */
bool fb_equal_mask(const struct fb *a, const struct fb *b, const struct fb_rend *mask);
bool fb_row_equal_mask(const struct fb_row *a, const struct fb_row *b, const struct fb_rend *mask);
bool fb_cell_equal_mask(const struct fb_cell *a, const struct fb_cell *b,
                        const struct fb_rend *mask);
bool fb_rend_equal_mask(const struct fb_rend *a, const struct fb_rend *b,
                        const struct fb_rend *mask);
/* r with the bits outside mask cleared. */
struct fb_rend fb_rend_masked(const struct fb_rend *r, const struct fb_rend *mask);

/* Clamp a requested size into [1, FB_MAX_*] with width*height <= FB_MAX_CELLS. */
void fb_clamp_size(int *width, int *height);
/* Resize as §8.7 (sizes are clamped first); both buffers, as xterm. */
void fb_resize(struct fb *fb, int width, int height);
/* Full reset (RIS): draw state, rows, title and clipboard, back to a blank
 * primary screen (the alternate one is dropped); keeps the bell counter, icon
 * name and title_init. */
void fb_reset(struct fb *fb);
/* Show the alternate (alt) or the primary screen buffer, swapping the DECSC
 * states with it; nothing changes when that buffer is already shown. Contents
 * and cursor are left as they are: clearing is the caller's choice. */
void fb_switch_screen(struct fb *fb, bool alt);

/* Borrowed, valid until fb changes or is freed. y and x must be in range. */
static inline const struct fb_row *fb_row(const struct fb *fb, int y)
{
	return fb->rows[y];
}
static inline const struct fb_cell *fb_cell(const struct fb *fb, int y, int x)
{
	return &fb->rows[y]->cells[x];
}
static inline bool fb_row_wrap(const struct fb_row *row)
{
	return (row->cells[row->width - 1].flags & FB_CELL_WRAP) != 0;
}

/* Row y replaced by a private copy of it (generation kept); for fb_mut_row. */
struct fb_row *fb_row_unshare(struct fb *fb, int y);
/* Writable row y: unshared first if needed (generation kept). Inline: every
 * printed character asks. */
static inline struct fb_row *fb_mut_row(struct fb *fb, int y)
{
	struct fb_row *r = fb->rows[y];

	return r->refs > 1 ? fb_row_unshare(fb, y) : r;
}
static inline struct fb_cell *fb_mut_cell(struct fb *fb, int y, int x)
{
	return &fb_mut_row(fb, y)->cells[x];
}
/* A blank row of default rendition, one reference held by the caller. */
struct fb_row *fb_row_new(int width);
/* Show row (of the framebuffer's width) as row y, sharing it. */
void fb_set_row(struct fb *fb, int y, struct fb_row *row);
/* Clear every cell of a writable row to bg's background and take a fresh generation. */
void fb_row_clear(struct fb_row *row, const struct fb_rend *bg);
/* Replace row y with a new blank row (current background). */
void fb_new_row_at(struct fb *fb, int y);
/* Scroll rows [top, bottom] up by n (n > 0) or down by -n, filling with blank
 * rows in the current background; n is clamped to the region height. */
void fb_scroll_rows(struct fb *fb, int top, int bottom, int n);
/* Takes the reference to a row leaving the screen. */
typedef void fb_keep_fn(void *user, struct fb_row *row);
/* fb_scroll_rows up by n > 0, except that the rows leaving the top are not
 * recycled: each is handed to keep(user, row), oldest first, with the
 * framebuffer's reference, and new blank rows take their place. */
void fb_scroll_up_keep(struct fb *fb, int top, int bottom, int n, fb_keep_fn *keep, void *user);
/* Take and drop a reference to a row (held outside any framebuffer). */
struct fb_row *fb_row_ref(struct fb_row *row);
void fb_row_release(struct fb_row *row);
/* A fresh generation number. */
uint64_t fb_next_gen(void);

/* The background rendition used for erasing: current bg colour only (BCE). */
static inline struct fb_rend fb_bg_rend(const struct fb *fb)
{
	struct fb_rend r = {.bg = fb->ds.rend.bg};
	return r;
}

/* Cells */
/* Empty, a single space, or a single U+00A0. */
bool fb_cell_blank(const struct fb_cell *c);
bool fb_cell_equal(const struct fb_cell *a, const struct fb_cell *b);
/* Erase: no contents, no flags, rendition = bg. */
static inline void fb_cell_reset(struct fb_cell *c, const struct fb_rend *bg)
{
	c->rend = *bg;
	c->len = 0;
	c->flags = 0;
}
/* Set the cell to the single code point cp (contents replaced, flags kept). */
void fb_cell_set_cp(struct fb_cell *c, uint32_t cp);
/* Append a code point (combining character); dropped once the cell is full. */
void fb_cell_append_cp(struct fb_cell *c, uint32_t cp);

/* Rows: same object, or equal generation and equal cells (mosh's Row ==). */
bool fb_row_equal(const struct fb_row *a, const struct fb_row *b);
/* Equal cells only (ignoring generation). */
bool fb_row_cells_equal(const struct fb_row *a, const struct fb_row *b);

/* Renditions */
bool fb_rend_equal(const struct fb_rend *a, const struct fb_rend *b);
/* Append the absolute SGR string of §6.1/§8.4: ESC[0{;attr}{;fg}{;bg}m; our
 * own attributes go after mosh's (2, 9, 4:n in place of 4, 58;5;n or
 * 58;2;r;g;b last), so a mosh 1.4 rendition gives mosh 1.4's bytes. */
void fb_rend_sgr(const struct fb_rend *r, struct buf *out);

/*
 * Hyperlinks (OSC 8). A link is its params and URI (printable ASCII, at most
 * FB_LINK_PART_MAX bytes each); cells hold an id. Ids come from one table per
 * process that interns by content and never reuses an id, so equal ids are
 * equal links in every framebuffer of the process (copies stay O(height),
 * and framebuffers from different emulators compare by id). The table is
 * bounded (FB_LINKS_MAX ids, FB_LINKS_BYTES bytes of text); past that, new
 * links are refused (id 0: the text is printed without a link).
 */
#define FB_LINK_PART_MAX 2048
#define FB_LINKS_MAX 65535
#define FB_LINKS_BYTES (4u << 20)
/* The id of the link (params, uri), interned; 0 when refused (table full). */
uint16_t fb_link_intern(const char *params, size_t plen, const char *uri, size_t ulen);
/* The params and URI of link id (NUL-terminated); false for 0 or an unknown id. */
bool fb_link_get(uint16_t id, const char **params, const char **uri);

/* Strings. A NULL string is empty. */
static inline const char *fb_str_data(const struct fb_str *s)
{
	return s ? s->data : "";
}
static inline size_t fb_str_len(const struct fb_str *s)
{
	return s ? s->len : 0;
}
bool fb_str_equal(const struct fb_str *a, const struct fb_str *b);
void fb_set_title(struct fb *fb, const char *utf8, size_t len);
void fb_set_icon(struct fb *fb, const char *utf8, size_t len);
void fb_set_clipboard(struct fb *fb, const char *utf8, size_t len);

/* Encode cp as UTF-8 into out (4 bytes room); returns the length (1..4). */
int fb_utf8_encode(uint32_t cp, char *out);

#endif
