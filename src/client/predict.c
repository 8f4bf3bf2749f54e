/*
 * The prediction engine; see predict.h for the model and invariants.
 *
 * Layout: one record per predicted row (struct prow, kept in an array, at
 * most one per screen row), each with one struct pcell per column; a short
 * list of cursor predictions, newest last. The private parser runs across
 * calls (an escape sequence may be split over two reads); the context of the
 * call being parsed (remote framebuffer, time, expiration frame) sits in the
 * engine while its callbacks run.
 */
#include "client/predict.h"

#include <stdlib.h>
#include <string.h>

#include "term/charwidth.h"
#include "term/utf8.h"
#include "term/vtparse.h"
#include "util/xmalloc.h"

enum {
	ORIG_MAX = 4,     /* earlier contents remembered per cell */
	CURSORS_MAX = 64, /* cursor predictions kept (the oldest go first) */
};

enum validity { V_INACTIVE, V_PENDING, V_CORRECT, V_CORRECT_NO_CREDIT, V_INCORRECT };

struct pcell {
	bool active;
	bool unknown;       /* contents not predictable: only flagged */
	bool orig_overflow; /* more earlier contents than fit: never give credit */
	uint8_t norig;
	uint64_t epoch;
	uint64_t expiration;
	uint64_t made;
	struct fb_cell repl;
	struct fb_cell orig[ORIG_MAX];
};

struct prow {
	int row;
	int width;
	struct pcell *cells;
};

struct pcursor {
	int row, col;
	uint64_t epoch;
	uint64_t expiration;
	uint64_t made;
};

struct pred {
	enum pred_mode mode;
	bool overwrite;

	struct prow *rows;
	int nrows, caprows;
	struct pcursor cursors[CURSORS_MAX];
	int ncursors;

	uint64_t prediction_epoch;
	uint64_t confirmed_epoch;
	bool srtt_trigger;
	bool flagging;
	unsigned glitch_trigger;
	uint64_t last_quick_confirmation;
	uint64_t send_interval;
	uint64_t late_ack;
	int last_width, last_height;

	/* Where a combining character would go: the cell printed last. */
	bool comb_valid;
	int comb_row, comb_col;

	/* Context of the call being parsed. */
	const struct fb *fb;
	uint64_t now;
	uint64_t frame; /* expiration frame of the newest keystrokes */

	struct pred_stats stats;
	uint8_t last_byte;
	struct utf8_dec dec;
	struct vtparse vp; /* last: large */
};

/* Cells */

static bool contents_match(const struct fb_cell *a, const struct fb_cell *b)
{
	if (fb_cell_blank(a) && fb_cell_blank(b))
		return true;
	return a->len == b->len && memcmp(a->text, b->text, a->len) == 0;
}

static void pcell_clear(struct pcell *c)
{
	c->active = false;
	c->unknown = false;
	c->orig_overflow = false;
	c->norig = 0;
}

static void pcell_push_orig(struct pcell *c, const struct fb_cell *orig)
{
	if (c->norig == ORIG_MAX) {
		c->orig_overflow = true;
		return;
	}
	c->orig[c->norig++] = *orig;
}

/* Re-predict a cell: what it was predicted to hold before counts as earlier contents. */
static void pcell_renew(struct pcell *c)
{
	if (!c->active || c->unknown) {
		pcell_clear(c);
		return;
	}
	pcell_push_orig(c, &c->repl);
}

static bool pcell_tentative(const struct pcell *c, uint64_t confirmed)
{
	return c->epoch > confirmed;
}

static enum validity pcell_validity(const struct pcell *c, const struct fb *fb, int row, int col,
                                    uint64_t late_ack)
{
	const struct fb_cell *cur;

	if (!c->active)
		return V_INACTIVE;
	if (row >= fb->ds.height || col >= fb->ds.width)
		return V_INCORRECT;
	if (late_ack < c->expiration)
		return V_PENDING;
	if (c->unknown || fb_cell_blank(&c->repl))
		return V_CORRECT_NO_CREDIT;
	cur = fb_cell(fb, row, col);
	if (!contents_match(cur, &c->repl))
		return V_INCORRECT;
	if (c->orig_overflow)
		return V_CORRECT_NO_CREDIT;
	for (int i = 0; i < c->norig; i++)
		if (contents_match(&c->orig[i], &c->repl))
			return V_CORRECT_NO_CREDIT;
	return V_CORRECT;
}

/* Rows and cursors */

static struct prow *find_row(struct pred *p, int row)
{
	for (int i = 0; i < p->nrows; i++)
		if (p->rows[i].row == row)
			return &p->rows[i];
	return NULL;
}

static struct prow *get_row(struct pred *p, int row, int width)
{
	struct prow *r = find_row(p, row);

	if (r != NULL)
		return r;
	if (p->nrows == p->caprows) {
		p->caprows = p->caprows ? 2 * p->caprows : 8;
		p->rows = xreallocarray(p->rows, (size_t)p->caprows, sizeof p->rows[0]);
	}
	r = &p->rows[p->nrows++];
	r->row = row;
	r->width = width;
	r->cells = xcalloc((size_t)width, sizeof r->cells[0]);
	return r;
}

static void drop_row(struct pred *p, int i)
{
	free(p->rows[i].cells);
	p->rows[i] = p->rows[--p->nrows];
}

static void become_tentative(struct pred *p)
{
	if (p->mode != PRED_EXPERIMENTAL)
		p->prediction_epoch++;
}

void pred_reset(struct pred *p)
{
	while (p->nrows > 0)
		drop_row(p, p->nrows - 1);
	p->ncursors = 0;
	p->comb_valid = false;
	become_tentative(p);
}

static void push_cursor(struct pred *p, int row, int col)
{
	struct pcursor *c;

	if (p->ncursors == CURSORS_MAX) {
		memmove(&p->cursors[0], &p->cursors[1], (CURSORS_MAX - 1) * sizeof p->cursors[0]);
		p->ncursors--;
	}
	c = &p->cursors[p->ncursors++];
	c->row = row;
	c->col = col;
	c->epoch = p->prediction_epoch;
	c->expiration = p->frame;
	c->made = p->now;
}

static struct pcursor *cursor(struct pred *p)
{
	return &p->cursors[p->ncursors - 1];
}

/* The newest cursor prediction, started from the real cursor or the last prediction. */
static struct pcursor *init_cursor(struct pred *p)
{
	if (p->ncursors == 0)
		push_cursor(p, p->fb->ds.cur_row, p->fb->ds.cur_col);
	else if (cursor(p)->epoch != p->prediction_epoch)
		push_cursor(p, cursor(p)->row, cursor(p)->col);
	return cursor(p);
}

static void expire_cursor(struct pred *p, struct pcursor *c)
{
	c->expiration = p->frame;
	c->made = p->now;
}

static enum validity pcursor_validity(const struct pcursor *c, const struct fb *fb,
                                      uint64_t late_ack)
{
	if (c->row >= fb->ds.height || c->col >= fb->ds.width)
		return V_INCORRECT;
	if (late_ack < c->expiration)
		return V_PENDING;
	if (fb->ds.cur_row == c->row && fb->ds.cur_col == c->col)
		return V_CORRECT;
	return V_INCORRECT;
}

/* Drop every prediction of epoch and later; restart the cursor at the real one. */
static void kill_epoch(struct pred *p, uint64_t epoch, const struct fb *fb)
{
	int n = 0;

	for (int i = 0; i < p->ncursors; i++)
		if (p->cursors[i].epoch < epoch)
			p->cursors[n++] = p->cursors[i];
	p->ncursors = n;
	push_cursor(p, fb->ds.cur_row, fb->ds.cur_col);
	for (int i = 0; i < p->nrows; i++)
		for (int x = 0; x < p->rows[i].width; x++)
			if (p->rows[i].cells[x].active && p->rows[i].cells[x].epoch >= epoch)
				pcell_clear(&p->rows[i].cells[x]);
	p->comb_valid = false;
	p->stats.killed++;
	become_tentative(p);
}

/*
 * A match may confirm its epoch only if the server's screen is what echoing
 * would have produced: the real cursor stands past the matched cell on its
 * row (or on a later row), and every unconfirmed prediction on that row before
 * the cursor matches the screen too. Text the application printed by itself
 * (a prompt) where a keystroke was predicted fails this, because the cursor
 * ends after that text, not after the keystrokes.
 */
static bool echo_consistent(const struct pred *p, const struct fb *fb, const struct prow *r,
                            int col)
{
	const struct fb_ds *ds = &fb->ds;
	int end = col + ((r->cells[col].repl.flags & FB_CELL_WIDE) ? 2 : 1);
	int limit;

	if (ds->cur_row < r->row)
		return false;
	if (ds->cur_row == r->row)
		limit = ds->next_wrap ? ds->width : ds->cur_col;
	else
		limit = ds->width;
	if (limit > r->width)
		limit = r->width;
	if (limit < end)
		return false;
	for (int x = 0; x < limit; x++) {
		const struct pcell *c = &r->cells[x];

		if (!c->active || c->unknown || !pcell_tentative(c, p->confirmed_epoch))
			continue;
		if (!contents_match(fb_cell(fb, r->row, x), &c->repl))
			return false;
	}
	return true;
}

/* Cull */

static void update_triggers(struct pred *p)
{
	if (p->send_interval > PRED_SRTT_TRIGGER_HIGH)
		p->srtt_trigger = true;
	else if (p->srtt_trigger && p->send_interval <= PRED_SRTT_TRIGGER_LOW && !pred_active(p))
		p->srtt_trigger = false;
	if (p->send_interval > PRED_FLAG_TRIGGER_HIGH)
		p->flagging = true;
	else if (p->send_interval <= PRED_FLAG_TRIGGER_LOW)
		p->flagging = false;
	if (p->glitch_trigger > PRED_GLITCH_REPAIR_COUNT)
		p->flagging = true;
}

static void on_correct(struct pred *p, const struct fb *fb, struct prow *r, int x, uint64_t now)
{
	struct pcell *c = &r->cells[x];
	const struct fb_rend rend = fb_cell(fb, r->row, x)->rend;

	p->stats.correct++;
	if (c->epoch > p->confirmed_epoch)
		p->confirmed_epoch = c->epoch;
	if (now - c->made < PRED_GLITCH_THRESHOLD && p->glitch_trigger > 0 &&
	    now - p->last_quick_confirmation >= PRED_GLITCH_REPAIR_MININTERVAL) {
		p->glitch_trigger--;
		p->last_quick_confirmation = now;
	}
	/* The application chose this rendition: expect it for the rest of the row. */
	for (int k = x; k < r->width; k++)
		r->cells[k].repl.rend = rend;
}

/* Returns false when the whole engine was reset (stop looking at this frame). */
static bool cull_cells(struct pred *p, const struct fb *fb, uint64_t now)
{
	for (int i = 0; i < p->nrows; i++) {
		struct prow *r = &p->rows[i];

		if (r->row < 0 || r->row >= fb->ds.height) {
			drop_row(p, i--);
			continue;
		}
		for (int x = 0; x < r->width; x++) {
			struct pcell *c = &r->cells[x];
			enum validity v = pcell_validity(c, fb, r->row, x, p->late_ack);

			if (v == V_CORRECT && pcell_tentative(c, p->confirmed_epoch) &&
			    !echo_consistent(p, fb, r, x)) {
				p->stats.unconfirmed++;
				v = V_INCORRECT;
			}
			switch (v) {
			case V_INCORRECT:
				p->stats.incorrect++;
				if (pcell_tentative(c, p->confirmed_epoch)) {
					kill_epoch(p, c->epoch, fb);
				} else if (p->mode == PRED_EXPERIMENTAL) {
					pcell_clear(c);
				} else {
					p->stats.resets++;
					pred_reset(p);
					return false;
				}
				break;
			case V_CORRECT:
				on_correct(p, fb, r, x, now);
				pcell_clear(c);
				break;
			case V_CORRECT_NO_CREDIT:
				pcell_clear(c);
				break;
			case V_PENDING:
				if (now - c->made >= PRED_GLITCH_FLAG_THRESHOLD)
					p->glitch_trigger = 2 * PRED_GLITCH_REPAIR_COUNT;
				else if (now - c->made >= PRED_GLITCH_THRESHOLD &&
				         p->glitch_trigger < PRED_GLITCH_REPAIR_COUNT)
					p->glitch_trigger = PRED_GLITCH_REPAIR_COUNT;
				break;
			case V_INACTIVE:
				break;
			}
		}
	}
	return true;
}

static void cull_cursors(struct pred *p, const struct fb *fb)
{
	int n = 0;

	if (p->ncursors > 0 && pcursor_validity(cursor(p), fb, p->late_ack) == V_INCORRECT) {
		if (p->mode == PRED_EXPERIMENTAL) {
			p->ncursors = 0;
		} else {
			p->stats.resets++;
			pred_reset(p);
			return;
		}
	}
	for (int i = 0; i < p->ncursors; i++)
		if (pcursor_validity(&p->cursors[i], fb, p->late_ack) == V_PENDING)
			p->cursors[n++] = p->cursors[i];
	p->ncursors = n;
}

static void cull(struct pred *p, const struct fb *fb, uint64_t now)
{
	if (p->mode == PRED_NEVER)
		return;
	p->now = now;
	if (fb->ds.width != p->last_width || fb->ds.height != p->last_height) {
		p->last_width = fb->ds.width;
		p->last_height = fb->ds.height;
		pred_reset(p);
	}
	update_triggers(p);
	if (cull_cells(p, fb, now))
		cull_cursors(p, fb);
	for (int i = 0; i < p->nrows; i++) {
		bool any = false;

		for (int x = 0; x < p->rows[i].width && !any; x++)
			any = p->rows[i].cells[x].active;
		if (!any)
			drop_row(p, i--);
	}
}

void pred_cull(struct pred *p, const struct fb *remote, uint64_t echo_ack, uint64_t send_interval,
               uint64_t now)
{
	p->late_ack = echo_ack;
	p->send_interval = send_interval;
	cull(p, remote, now);
}

/* Making predictions */

static void predict_cell(struct pred *p, struct pcell *c, const struct fb_cell *actual)
{
	pcell_renew(c);
	c->active = true;
	c->epoch = p->prediction_epoch;
	c->expiration = p->frame;
	c->made = p->now;
	pcell_push_orig(c, actual);
}

/* Set c (already renewed) to what cell src of row r holds or is predicted to hold. */
static void copy_from(struct pred *p, struct prow *r, struct pcell *c, int src)
{
	const struct pcell *s = &r->cells[src];

	if (s->active) {
		c->unknown = s->unknown;
		c->repl = s->repl;
	} else {
		c->unknown = false;
		c->repl = *fb_cell(p->fb, r->row, src);
	}
	c->repl.flags &= (uint8_t)~FB_CELL_WRAP;
	/* A wide character whose right half would leave the row cannot be placed. */
	if ((c->repl.flags & FB_CELL_WIDE) && c - r->cells + 1 >= r->width)
		c->unknown = true;
}

/* What the cell shows once predictions apply (unknown: the actual cell). */
static const struct fb_cell *cell_at(const struct pred *p, int row, int col)
{
	const struct prow *r = find_row((struct pred *)p, row);

	if (r != NULL && col < r->width && r->cells[col].active && !r->cells[col].unknown)
		return &r->cells[col].repl;
	return fb_cell(p->fb, row, col);
}

static void newline_cr(struct pred *p)
{
	struct pcursor *cur = init_cursor(p);
	int w = p->fb->ds.width;

	cur->col = 0;
	if (cur->row >= p->fb->ds.height - 1) {
		/* No scroll prediction: the bottom row is expected blank. */
		struct prow *r = get_row(p, cur->row, w);
		const struct fb_rend plain = {0};

		for (int x = 0; x < r->width; x++) {
			struct pcell *c = &r->cells[x];

			predict_cell(p, c, fb_cell(p->fb, r->row, x));
			fb_cell_reset(&c->repl, &plain);
		}
	} else {
		cur->row++;
	}
	expire_cursor(p, cur);
	p->comb_valid = false;
}

static void print_char(struct pred *p, uint32_t cp, int w)
{
	int width = p->fb->ds.width;
	struct pcursor *cur = init_cursor(p);
	struct prow *r;
	struct pcell *c;
	struct fb_rend rend;

	if (w > width) {
		become_tentative(p);
		return;
	}
	if (w == 2 && cur->col == width - 1) {
		/* The emulator leaves the last cell blank and wraps first. */
		become_tentative(p);
		newline_cr(p);
		cur = cursor(p);
	}
	if (cur->row >= p->fb->ds.height || cur->col >= width) {
		become_tentative(p);
		return;
	}
	r = get_row(p, cur->row, width);
	if (!p->overwrite) {
		for (int x = width - 1; x >= cur->col + w; x--) {
			predict_cell(p, &r->cells[x], fb_cell(p->fb, r->row, x));
			if (x >= width - w)
				r->cells[x].unknown = true;
			else
				copy_from(p, r, &r->cells[x], x - w);
		}
	}
	if (cur->col > 0)
		rend = cell_at(p, r->row, cur->col - 1)->rend;
	else
		rend = p->fb->ds.rend;
	c = &r->cells[cur->col];
	predict_cell(p, c, fb_cell(p->fb, r->row, cur->col));
	fb_cell_reset(&c->repl, &rend);
	fb_cell_set_cp(&c->repl, cp);
	if (w == 2) {
		struct fb_rend bg = {.bg = rend.bg};
		struct pcell *right = &r->cells[cur->col + 1];

		c->repl.flags |= FB_CELL_WIDE;
		predict_cell(p, right, fb_cell(p->fb, r->row, cur->col + 1));
		fb_cell_reset(&right->repl, &bg);
	}
	p->stats.predicted++;
	p->comb_valid = true;
	p->comb_row = r->row;
	p->comb_col = cur->col;
	expire_cursor(p, cur);
	if (cur->col + w < width) {
		cur->col += w;
	} else {
		become_tentative(p);
		newline_cr(p);
		p->comb_valid = true; /* the character just printed still takes accents */
	}
}

/* A combining character joins the character printed last, if we predicted it. */
static void print_combining(struct pred *p, uint32_t cp)
{
	struct prow *r = p->comb_valid ? find_row(p, p->comb_row) : NULL;
	struct pcell *c;

	if (r == NULL || p->comb_col >= r->width) {
		become_tentative(p);
		return;
	}
	c = &r->cells[p->comb_col];
	if (!c->active || c->unknown || c->repl.len == 0) {
		become_tentative(p);
		return;
	}
	fb_cell_append_cp(&c->repl, cp);
	c->expiration = p->frame;
	c->made = p->now;
}

/* Columns a cursor key or backspace steps over: 2 across a wide character. */
static int step_left(const struct pred *p, int row, int col)
{
	if (col >= 2 && (cell_at(p, row, col - 2)->flags & FB_CELL_WIDE))
		return 2;
	return 1;
}

static int step_right(const struct pred *p, int row, int col)
{
	if ((cell_at(p, row, col)->flags & FB_CELL_WIDE) && col + 2 < p->fb->ds.width)
		return 2;
	return 1;
}

static void backspace(struct pred *p)
{
	struct pcursor *cur = init_cursor(p);
	int width = p->fb->ds.width;
	struct prow *r;
	int step;

	p->comb_valid = false;
	if (cur->col <= 0 || cur->row >= p->fb->ds.height || cur->col >= width)
		return;
	r = get_row(p, cur->row, width);
	step = step_left(p, cur->row, cur->col);
	cur->col -= step;
	expire_cursor(p, cur);
	if (p->overwrite) {
		for (int x = cur->col; x < cur->col + step; x++) {
			const struct fb_cell *actual = fb_cell(p->fb, r->row, x);
			struct pcell *c = &r->cells[x];

			predict_cell(p, c, actual);
			c->repl = *actual;
			c->repl.flags = 0;
			fb_cell_set_cp(&c->repl, ' ');
		}
		return;
	}
	for (int x = cur->col; x < width; x++) {
		struct pcell *c = &r->cells[x];

		predict_cell(p, c, fb_cell(p->fb, r->row, x));
		if (x + step + 1 < width)
			copy_from(p, r, c, x + step);
		else
			c->unknown = true;
	}
}

/* Parser callbacks */

static void cb_print(void *user, uint32_t cp)
{
	struct pred *p = user;
	int w = cw_width(cp);

	if (cp == 0x7F)
		backspace(p);
	else if (cp < 0x20 || w < 0)
		become_tentative(p);
	else if (w == 0)
		print_combining(p, cp);
	else
		print_char(p, cp, w);
}

static void cb_execute(void *user, uint32_t cp)
{
	struct pred *p = user;

	become_tentative(p);
	p->comb_valid = false;
	if (cp == 0x0D)
		newline_cr(p);
}

static void cb_esc(void *user, const struct vtparse *vp, uint32_t final)
{
	struct pred *p = user;

	(void)vp;
	(void) final;
	p->comb_valid = false;
	become_tentative(p);
}

static void cb_csi(void *user, const struct vtparse *vp, uint32_t final)
{
	struct pred *p = user;
	size_t ncollect;
	struct pcursor *cur;

	p->comb_valid = false;
	vtparse_collected(vp, &ncollect);
	/* Only a plain arrow (no modifiers, count 1) moves by one character. */
	if ((final != 'C' && final != 'D') || ncollect != 0 || vtparse_nparams(vp) != 1 ||
	    vtparse_param(vp, 0, 1) != 1) {
		become_tentative(p);
		return;
	}
	cur = init_cursor(p);
	if (final == 'C' && cur->col < p->fb->ds.width - 1) {
		cur->col += step_right(p, cur->row, cur->col);
		expire_cursor(p, cur);
	} else if (final == 'D' && cur->col > 0) {
		cur->col -= step_left(p, cur->row, cur->col);
		expire_cursor(p, cur);
	}
}

static void cb_other(void *user)
{
	struct pred *p = user;

	p->comb_valid = false;
	become_tentative(p);
}

static void cb_hook(void *user, const struct vtparse *vp, uint32_t final)
{
	(void)vp;
	(void) final;
	cb_other(user);
}

static const struct vtparse_cb pred_parser_cb = {
    .print = cb_print,
    .execute = cb_execute,
    .esc_dispatch = cb_esc,
    .csi_dispatch = cb_csi,
    .osc_start = cb_other,
    .hook = cb_hook,
};

/* Public */

struct pred *pred_new(enum pred_mode mode, bool overwrite)
{
	struct pred *p = xcalloc(1, sizeof *p);

	p->mode = mode;
	p->overwrite = overwrite;
	p->prediction_epoch = 1;
	p->confirmed_epoch = 0;
	p->send_interval = 250;
	p->last_width = -1;
	p->last_height = -1;
	utf8_init(&p->dec);
	vtparse_init(&p->vp, &pred_parser_cb, p);
	return p;
}

void pred_free(struct pred *p)
{
	if (p == NULL)
		return;
	while (p->nrows > 0)
		drop_row(p, p->nrows - 1);
	free(p->rows);
	free(p);
}

void pred_new_user_bytes(struct pred *p, const struct fb *remote, const uint8_t *bytes, size_t n,
                         uint64_t now, uint64_t expiration_frame)
{
	if (p->mode == PRED_NEVER || n == 0)
		return;
	p->fb = remote;
	p->now = now;
	p->frame = expiration_frame;
	if (n > PRED_PASTE_MAX) {
		p->stats.resets++;
		pred_reset(p);
		utf8_init(&p->dec);
		vtparse_init(&p->vp, &pred_parser_cb, p);
		p->last_byte = 0;
		p->fb = NULL;
		return;
	}
	cull(p, remote, now);
	for (size_t i = 0; i < n; i++) {
		uint8_t b = bytes[i];
		uint32_t cps[2];
		int k;

		if (p->mode == PRED_EXPERIMENTAL)
			p->prediction_epoch = p->confirmed_epoch;
		/* Application-mode cursor keys (ESC O C) mean the same as ESC [ C. */
		if (p->last_byte == 0x1B && b == 'O')
			b = '[';
		p->last_byte = b;
		k = utf8_feed(&p->dec, b, cps);
		for (int j = 0; j < k; j++)
			vtparse_feed(&p->vp, cps[j]);
	}
	p->fb = NULL;
}

static bool shown(const struct pred *p)
{
	if (p->mode == PRED_NEVER)
		return false;
	return p->srtt_trigger || p->glitch_trigger > 0 || p->mode == PRED_ALWAYS ||
	       p->mode == PRED_EXPERIMENTAL;
}

static void apply_cell(const struct pred *p, const struct pcell *c, struct fb *fb, int row, int col)
{
	bool flag = p->flagging;
	const struct fb_cell *actual;
	struct fb_cell *out;

	if (!c->active || row >= fb->ds.height || col >= fb->ds.width ||
	    pcell_tentative(c, p->confirmed_epoch))
		return;
	actual = fb_cell(fb, row, col);
	if (fb_cell_blank(&c->repl) && fb_cell_blank(actual))
		flag = false;
	if (c->unknown) {
		if (flag && col != fb->ds.width - 1)
			fb_mut_cell(fb, row, col)->rend.attr |= FB_ATTR_UNDERLINE;
		return;
	}
	if (fb_cell_equal(actual, &c->repl))
		return;
	out = fb_mut_cell(fb, row, col);
	*out = c->repl;
	out->flags |= (uint8_t)(actual->flags & FB_CELL_WRAP);
	if (flag)
		out->rend.attr |= FB_ATTR_UNDERLINE;
}

void pred_apply(const struct pred *p, struct fb *display)
{
	if (!shown(p))
		return;
	for (int i = 0; i < p->ncursors; i++) {
		const struct pcursor *c = &p->cursors[i];

		if (c->epoch > p->confirmed_epoch || c->row >= display->ds.height ||
		    c->col >= display->ds.width)
			continue;
		display->ds.cur_row = c->row;
		display->ds.cur_col = c->col;
		display->ds.next_wrap = false;
	}
	for (int i = 0; i < p->nrows; i++)
		for (int x = 0; x < p->rows[i].width; x++)
			apply_cell(p, &p->rows[i].cells[x], display, p->rows[i].row, x);
}

bool pred_active(const struct pred *p)
{
	if (p->ncursors > 0)
		return true;
	for (int i = 0; i < p->nrows; i++)
		for (int x = 0; x < p->rows[i].width; x++)
			if (p->rows[i].cells[x].active)
				return true;
	return false;
}

int64_t pred_wait_ms(const struct pred *p, uint64_t now)
{
	(void)now;
	if (p->mode == PRED_NEVER)
		return -1;
	if (p->glitch_trigger > 0 && p->flagging)
		return -1;
	return pred_active(p) ? PRED_WAKEUP : -1;
}

void pred_get_stats(const struct pred *p, struct pred_stats *out)
{
	*out = p->stats;
	out->confirmed_epoch = p->confirmed_epoch;
	out->prediction_epoch = p->prediction_epoch;
	out->glitch_trigger = p->glitch_trigger;
	out->srtt_trigger = p->srtt_trigger;
	out->flagging = p->flagging;
}
