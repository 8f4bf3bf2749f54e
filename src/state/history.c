/* The history log; see history.h. A ring of entries, oldest first. */
#include "state/history.h"

#include <stdlib.h>

#include "net/wire.h"
#include "term/disp.h"
#include "term/emu.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/xmalloc.h"

struct entry {
	uint64_t line;
	struct fb_row *row;
};

struct history {
	unsigned refs;
	struct entry *ring;
	size_t cap, first, n; /* entries ring[first .. first + n) modulo cap */
	size_t cells;         /* cells of the rows held, at most HISTORY_CELLS_MAX */
	uint64_t end;         /* one past the newest line numbered */
};

struct history *history_new(size_t cap)
{
	struct history *h = xcalloc(1, sizeof *h);

	h->refs = 1;
	h->cap = cap > 0 ? cap : 1;
	h->ring = xcalloc(h->cap, sizeof *h->ring);
	return h;
}

void history_ref(struct history *h)
{
	h->refs++;
}

static struct entry *at(const struct history *h, size_t i)
{
	return &h->ring[(h->first + i) % h->cap];
}

static void drop_oldest(struct history *h)
{
	h->cells -= (size_t)at(h, 0)->row->width;
	fb_row_release(at(h, 0)->row);
	h->first = (h->first + 1) % h->cap;
	h->n--;
}

void history_unref(struct history *h)
{
	if (h == NULL)
		return;
	ASSERT(h->refs > 0);
	if (--h->refs > 0)
		return;
	while (h->n > 0)
		drop_oldest(h);
	free(h->ring);
	free(h);
}

void history_put(struct history *h, uint64_t line, struct fb_row *row)
{
	ASSERT(line >= h->end);
	while (h->n > 0 && (h->n == h->cap || h->cells + (size_t)row->width > HISTORY_CELLS_MAX))
		drop_oldest(h);
	h->cells += (size_t)row->width;
	*at(h, h->n) = (struct entry){line, row};
	h->n++;
	h->end = line + 1;
}

void history_push(struct history *h, struct fb_row *row)
{
	history_put(h, h->end, row);
}

void history_skip(struct history *h, uint64_t n)
{
	h->end += n;
}

uint64_t history_start(const struct history *h)
{
	return h->n > 0 ? at(h, 0)->line : h->end;
}

uint64_t history_end(const struct history *h)
{
	return h->end;
}

size_t history_count(const struct history *h)
{
	return h->n;
}

/* The entry index of the first line >= line (h->n when none). */
static size_t index_of(const struct history *h, uint64_t line)
{
	size_t lo = 0, hi = h->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (at(h, mid)->line < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct fb_row *history_find(const struct history *h, uint64_t line, uint64_t *found)
{
	size_t i = index_of(h, line);

	if (i == h->n)
		return NULL;
	*found = at(h, i)->line;
	return at(h, i)->row;
}

void history_trim(struct history *h, uint64_t line)
{
	while (h->n > 0 && at(h, 0)->line < line)
		drop_oldest(h);
}

/* The run of consecutive held lines starting at entry i with one width, at most max long. */
static size_t run_length(const struct history *h, size_t i, size_t max, uint64_t to)
{
	const struct entry *first = at(h, i);
	size_t n = 1;

	while (i + n < h->n && n < max) {
		const struct entry *e = at(h, i + n);

		if (e->line != first->line + n || e->line >= to ||
		    e->row->width != first->row->width)
			break;
		n++;
	}
	return n;
}

size_t history_encode(const struct history *h, uint64_t from, uint64_t to,
                      struct msg_history_chunk *chunks, size_t max, struct buf *store)
{
	size_t i = index_of(h, from), n = 0;
	size_t *offsets = xcalloc(max ? max : 1, sizeof *offsets);

	buf_clear(store);
	while (i < h->n && at(h, i)->line < to && n < max) {
		size_t len = run_length(h, i, WIRE_HISTORY_CHUNK_ROWS, to);
		int width = at(h, i)->row->width;
		struct fb *fb = fb_new(width, (int)len);

		/* The rows, shared, on a blank terminal of their own size: the
		 * hoststring that draws them is what the client emulates. */
		for (size_t k = 0; k < len; k++)
			fb_set_row(fb, (int)k, at(h, i + k)->row);
		offsets[n] = store->len;
		disp_server(NULL, fb, false, false, store);
		chunks[n] = (struct msg_history_chunk){
		    .first_line = at(h, i)->line,
		    .width = (uint32_t)width,
		    .count = (uint32_t)len,
		    .rows_len = store->len - offsets[n],
		};
		fb_free(fb);
		i += len;
		n++;
	}
	/* Only now: the store may have moved while it grew. */
	for (size_t k = 0; k < n; k++)
		chunks[k].rows = store->data + offsets[k];
	free(offsets);
	return n;
}

int history_check(const struct msg_history_chunk *chunks, size_t n, uint64_t base_end, uint64_t end)
{
	uint64_t next = 0, rows = 0, cells = 0;

	for (size_t i = 0; i < n; i++) {
		const struct msg_history_chunk *c = &chunks[i];
		int w = (int)c->width, hgt = (int)c->count;

		if (c->width == 0 || c->count == 0 || c->count > WIRE_HISTORY_CHUNK_ROWS ||
		    c->width > FB_MAX_WIDTH)
			return ERR_RANGE;
		fb_clamp_size(&w, &hgt);
		if ((uint32_t)w != c->width || (uint32_t)hgt != c->count)
			return ERR_RANGE;
		if (c->first_line < next || c->first_line > UINT64_MAX - c->count)
			return ERR_PROTO;
		next = c->first_line + c->count;
		rows += c->count;
		cells += (uint64_t)c->count * c->width;
		if (rows > WIRE_HISTORY_DIFF_ROWS || cells > WIRE_HISTORY_DIFF_CELLS)
			return ERR_RANGE;
	}
	if (end < next || end < base_end)
		return ERR_PROTO;
	return 0;
}

void history_apply(struct history *h, const struct msg_history_chunk *chunks, size_t n,
                   uint64_t end)
{
	for (size_t i = 0; i < n; i++) {
		const struct msg_history_chunk *c = &chunks[i];
		struct emu *emu;
		const struct fb *fb;

		/* Rows the log holds already came from an older base: the same rows. */
		if (c->first_line + c->count <= history_end(h))
			continue;
		emu = emu_new((int)c->width, (int)c->count);
		emu_write(emu, c->rows, c->rows_len);
		fb = emu_fb(emu);
		for (uint32_t k = 0; k < c->count; k++) {
			if (c->first_line + k < history_end(h))
				continue;
			fb_row_ref(fb->rows[k]);
			history_put(h, c->first_line + k, fb->rows[k]);
		}
		emu_free(emu);
	}
	if (end > history_end(h))
		history_skip(h, end - history_end(h));
}
