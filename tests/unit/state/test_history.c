/* state/history: the log, its wire form, and the scrollback part of the terminal state. */
#include "../test.h"

#include <stdio.h>
#include <stdlib.h>

#include "net/wire.h"
#include "state/history.h"
#include "state/terminal.h"
#include "term/emu.h"
#include "term/fb.h"
#include "util/err.h"

/* A row of the given width showing text (in colour when red). */
static struct fb_row *make_row(int width, const char *text, bool red)
{
	struct emu *e = emu_new(width, 1);
	struct fb_row *r;

	if (red)
		emu_write(e, (const uint8_t *)"\033[31m", 5);
	emu_write(e, (const uint8_t *)text, strlen(text));
	r = emu_fb(e)->rows[0];
	fb_row_ref(r);
	emu_free(e);
	return r;
}

/* The row's text, trailing blanks cut. */
static void row_text(const struct fb_row *r, char *out, size_t cap)
{
	size_t n = 0;

	for (int x = 0; x < r->width; x++) {
		const struct fb_cell *c = &r->cells[x];

		for (int i = 0; i < (c->len ? c->len : 1) && n + 1 < cap; i++)
			out[n++] = c->len ? c->text[i] : ' ';
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

TEST(log_numbers_evicts_and_finds)
{
	struct history *h = history_new(3);
	uint64_t at = 0;
	char text[32];

	for (int i = 0; i < 5; i++) {
		snprintf(text, sizeof text, "line %d", i);
		history_push(h, make_row(10, text, false));
	}
	CHECK_EQ_U64(history_start(h), 2);
	CHECK_EQ_U64(history_end(h), 5);
	CHECK_EQ_U64(history_count(h), 3);
	history_skip(h, 10);
	history_push(h, make_row(10, "after", false));
	CHECK_EQ_U64(history_end(h), 16);
	CHECK(history_find(h, 5, &at) != NULL);
	CHECK_EQ_U64(at, 15);
	row_text(history_find(h, 0, &at), text, sizeof text);
	CHECK_EQ_U64(at, 3);
	CHECK_EQ_STR(text, "line 3");
	history_trim(h, 15);
	CHECK_EQ_U64(history_count(h), 1);
	CHECK(history_find(h, 16, &at) == NULL);
	history_unref(h);
}

/* Server view → diff → a client state rebuilt from diffs alone, in two steps. */
TEST(rows_cross_the_wire_with_renditions_and_widths)
{
	struct history *log = history_new(100);
	struct emu *live = emu_new(8, 2);
	struct termstate *view = termstate_new_view(live), *server0 = termstate_new(8, 2);
	struct termstate *snap, *client = termstate_new(8, 2);
	struct history *got;
	uint64_t end = 0, at = 0;
	char text[32];
	struct buf d;

	history_push(log, make_row(8, "one", true));
	history_push(log, make_row(8, "two", false));
	history_push(log, make_row(12, "wider row", false));
	history_skip(log, 2);
	history_push(log, make_row(8, "aftergap", false));
	termstate_enable_history(view, log);
	termstate_publish_history(view, 2);
	buf_init(&d);
	termstate_diff(server0, view, &d);
	CHECK_EQ_INT(termstate_apply(client, d.data, d.len), 0);
	snap = termstate_copy(view);
	termstate_publish_history(view, history_end(log));
	buf_clear(&d);
	termstate_diff(snap, view, &d);
	CHECK_EQ_INT(termstate_apply(client, d.data, d.len), 0);

	got = termstate_history(client, &end);
	CHECK(got != NULL);
	CHECK_EQ_U64(end, 6);
	row_text(history_find(got, 0, &at), text, sizeof text);
	CHECK_EQ_STR(text, "one");
	CHECK_EQ_U64(history_find(got, 0, &at)->cells[0].rend.fg, 31);
	row_text(history_find(got, 2, &at), text, sizeof text);
	CHECK_EQ_STR(text, "wider row");
	CHECK_EQ_INT(history_find(got, 2, &at)->width, 12);
	row_text(history_find(got, 3, &at), text, sizeof text);
	CHECK_EQ_U64(at, 5);
	CHECK_EQ_STR(text, "aftergap");

	/* The same diff again (a retransmission to an older base): nothing doubles. */
	CHECK_EQ_INT(termstate_apply(client, d.data, d.len), 0);
	CHECK_EQ_U64(history_count(got), 4);
	buf_fini(&d);
	termstate_free(snap);
	termstate_free(view);
	termstate_free(server0);
	termstate_free(client);
	emu_free(live);
	history_unref(log);
}

/* Hostile chunks are refused whole. */
TEST(check_refuses_hostile_chunks)
{
	struct msg_history_chunk c = {.first_line = 5, .width = 80, .count = 2};
	struct msg_history_chunk two[2] = {c, c};

	CHECK_EQ_INT(history_check(&c, 1, 0, 7), 0);
	CHECK_EQ_INT(history_check(&c, 1, 0, 6), ERR_PROTO);  /* end inside the rows */
	CHECK_EQ_INT(history_check(&c, 1, 9, 9), 0);          /* old rows: skipped */
	CHECK_EQ_INT(history_check(&c, 1, 9, 8), ERR_PROTO);  /* end going back */
	CHECK_EQ_INT(history_check(two, 2, 0, 9), ERR_PROTO); /* overlapping */
	c.width = 0;
	CHECK_EQ_INT(history_check(&c, 1, 0, 9), ERR_RANGE);
	c.width = FB_MAX_WIDTH;
	c.count = WIRE_HISTORY_CHUNK_ROWS;
	CHECK_EQ_INT(history_check(&c, 1, 0, UINT64_MAX), ERR_RANGE); /* too many cells */
	c.width = 1;
	c.count = WIRE_HISTORY_CHUNK_ROWS + 1;
	CHECK_EQ_INT(history_check(&c, 1, 0, UINT64_MAX), ERR_RANGE);
	c.count = 1;
	c.first_line = UINT64_MAX;
	CHECK_EQ_INT(history_check(&c, 1, 0, UINT64_MAX), ERR_PROTO);
}

int main(void)
{
	RUN(log_numbers_evicts_and_finds);
	RUN(rows_cross_the_wire_with_renditions_and_widths);
	RUN(check_refuses_hostile_chunks);
	return test_done();
}
