/* state/userstream: diff encoding, apply validation, prefixes, subtract and trimming. */
#include "../test.h"

#include <stdlib.h>

#include "state/userstream.h"
#include "util/err.h"

static void events_of(const struct userstream *s, uint64_t from, struct buf *out)
{
	for (uint64_t i = from; i < userstream_end(s); i++) {
		const struct userstream_event *ev = userstream_event(s, i);

		if (!ev)
			TEST_FAIL("event %llu not held", (unsigned long long)i);
		if (ev->kind == USERSTREAM_BYTE)
			buf_appendf(out, "%c", ev->byte);
		else
			buf_appendf(out, "[%ux%u]", ev->width, ev->height);
	}
}

TEST(first_client_diff_matches_mosh)
{
	static const uint8_t want[] = {0x0a, 0x06, 0x1a, 0x04, 0x28, 0x50, 0x30, 0x18};
	struct userstream *a = userstream_new(), *b = userstream_new();
	struct buf d;

	buf_init(&d);
	CHECK_EQ_INT(userstream_push_resize(b, 80, 24), 0);
	userstream_diff(a, b, &d);
	CHECK_EQ_INT(d.len, sizeof(want));
	CHECK_EQ_MEM(d.data, want, sizeof(want));
	buf_fini(&d);
	userstream_free(a);
	userstream_free(b);
}

/* The hello is field 40 ahead of the resize, sent until the base holds it. */
TEST(hello_rides_the_first_diff_only)
{
	static const uint8_t want[] = {0x0a, 0x07, 0xc2, 0x02, 0x04, 0x08, 0x01, 0x10, 0x03,
	                               0x0a, 0x06, 0x1a, 0x04, 0x28, 0x50, 0x30, 0x18};
	struct userstream *a = userstream_new(), *b = userstream_new(), *r = userstream_new();
	uint32_t version = 0;
	uint64_t features = 0;
	struct buf d;

	buf_init(&d);
	userstream_set_hello(b, 1, 3);
	CHECK(!userstream_equal(a, b));
	userstream_diff(a, b, &d);
	CHECK(d.len > 0);
	CHECK_EQ_INT(userstream_apply(r, d.data, d.len), 0);
	CHECK(userstream_hello(r, &version, &features));
	CHECK_EQ_U64(version, 1);
	CHECK_EQ_U64(features, 3);
	CHECK_EQ_U64(userstream_end(r), 0);
	buf_clear(&d);
	CHECK_EQ_INT(userstream_push_resize(b, 80, 24), 0);
	userstream_diff(a, b, &d);
	CHECK_EQ_INT(d.len, sizeof(want));
	CHECK_EQ_MEM(d.data, want, sizeof(want));
	buf_clear(&d);
	/* From a state that holds it: mosh 1.4's bytes exactly. */
	userstream_diff(r, b, &d);
	CHECK_EQ_INT(d.len, 8);
	CHECK_EQ_MEM(d.data, want + 9, 8);
	buf_fini(&d);
	userstream_free(a);
	userstream_free(b);
	userstream_free(r);
}

TEST(diff_packs_bytes_and_apply_rebuilds)
{
	struct userstream *a = userstream_new(), *b, *r = userstream_new();
	struct buf d, ev;

	buf_init(&d);
	buf_init(&ev);
	userstream_push_bytes(a, "x", 1);
	b = userstream_copy(a);
	userstream_push_bytes(b, "abc", 3);
	userstream_push_resize(b, 100, 40);
	userstream_push_resize(b, 101, 41);
	userstream_push_bytes(b, "de", 2);
	userstream_diff(a, b, &d);
	/* keystroke "abc", two resizes, keystroke "de": four instructions */
	CHECK_EQ_INT(d.data[0], 0x0a);
	CHECK_EQ_INT(d.data[2], 0x12);
	CHECK_EQ_INT(userstream_apply(r, d.data, d.len), 0);
	events_of(r, 0, &ev);
	CHECK_EQ_STR((char *)ev.data, "abc[100x40][101x41]de");
	CHECK(!userstream_equal(a, b));
	CHECK_EQ_U64(userstream_end(b), 8);
	buf_clear(&d);
	userstream_diff(b, b, &d);
	CHECK_EQ_INT(d.len, 0);
	buf_fini(&d);
	buf_fini(&ev);
	userstream_free(a);
	userstream_free(b);
	userstream_free(r);
}

static int apply_hex(struct userstream *s, const uint8_t *p, size_t n)
{
	return userstream_apply(s, p, n);
}

TEST(apply_rejects_bad_input_unchanged)
{
	struct userstream *s = userstream_new();
	/* resize 0x24, resize 80x0, resize 10001x24, negative width, width only */
	static const uint8_t zero_w[] = {0x0a, 0x06, 0x1a, 0x04, 0x28, 0x00, 0x30, 0x18};
	static const uint8_t zero_h[] = {0x0a, 0x06, 0x1a, 0x04, 0x28, 0x50, 0x30, 0x00};
	static const uint8_t huge[] = {0x0a, 0x07, 0x1a, 0x05, 0x28, 0x91, 0x4e, 0x30, 0x18};
	static const uint8_t neg[] = {0x0a, 0x0f, 0x1a, 0x0d, 0x28, 0xff, 0xff, 0xff, 0xff,
	                              0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x30, 0x18};
	static const uint8_t half[] = {0x0a, 0x04, 0x1a, 0x02, 0x28, 0x50};
	static const uint8_t junk[] = {0x0a, 0x09, 0x12};
	static const uint8_t ok_then_bad[] = {0x0a, 0x05, 0x12, 0x03, 0x22, 0x01, 'k', 0x0a,
	                                      0x06, 0x1a, 0x04, 0x28, 0x00, 0x30, 0x18};
	static const uint8_t fine[] = {0x0a, 0x07, 0x1a, 0x05, 0x28, 0x90, 0x4e, 0x30, 0x01};

	userstream_push_bytes(s, "q", 1);
	CHECK_EQ_INT(apply_hex(s, zero_w, sizeof(zero_w)), ERR_RANGE);
	CHECK_EQ_INT(apply_hex(s, zero_h, sizeof(zero_h)), ERR_RANGE);
	CHECK_EQ_INT(apply_hex(s, huge, sizeof(huge)), ERR_RANGE);
	CHECK_EQ_INT(apply_hex(s, neg, sizeof(neg)), ERR_RANGE);
	CHECK_EQ_INT(apply_hex(s, half, sizeof(half)), ERR_RANGE);
	CHECK_EQ_INT(apply_hex(s, junk, sizeof(junk)), ERR_INVAL);
	CHECK_EQ_INT(apply_hex(s, ok_then_bad, sizeof(ok_then_bad)), ERR_RANGE);
	CHECK_EQ_U64(userstream_end(s), 1);
	CHECK_EQ_INT(apply_hex(s, fine, sizeof(fine)), 0);
	CHECK_EQ_U64(userstream_end(s), 2);
	CHECK_EQ_INT(userstream_event(s, 1)->width, 10000);
	CHECK_EQ_INT(userstream_push_resize(s, 0, 5), ERR_RANGE);
	CHECK_EQ_INT(userstream_push_resize(s, 5, 10001), ERR_RANGE);
	userstream_free(s);
}

TEST(apply_bounds_diff_size)
{
	struct userstream *s = userstream_new();
	size_t n = USERSTREAM_MAX_DIFF + 1;
	uint8_t *big = calloc(1, n);

	CHECK_EQ_INT(userstream_apply(s, big, n), ERR_RANGE);
	CHECK_EQ_U64(userstream_end(s), 0);
	free(big);
	userstream_free(s);
}

TEST(resend_from_older_base_stays_on_one_history)
{
	struct userstream *src = userstream_new(), *s1, *r0 = userstream_new(), *r1, *r2;
	struct buf d01, d02;
	uint64_t first, end;

	buf_init(&d01);
	buf_init(&d02);
	userstream_push_bytes(src, "ab", 2);
	s1 = userstream_copy(src);
	userstream_push_bytes(src, "cd", 2);
	userstream_diff(r0, s1, &d01);  /* "ab" */
	userstream_diff(r0, src, &d02); /* "abcd" */
	r1 = userstream_copy(r0);
	CHECK_EQ_INT(userstream_apply(r1, d01.data, d01.len), 0);
	r2 = userstream_copy(r0);
	CHECK_EQ_INT(userstream_apply(r2, d02.data, d02.len), 0);
	CHECK(userstream_equal(r2, src));
	CHECK_EQ_INT(userstream_since(r2, r1, &first, &end), 0);
	CHECK_EQ_U64(first, 2);
	CHECK_EQ_U64(end, 4);
	CHECK_EQ_INT(userstream_event(r2, 2)->byte, 'c');
	CHECK_EQ_INT(userstream_since(r1, r2, &first, &end), ERR_PROTO);
	buf_fini(&d01);
	buf_fini(&d02);
	userstream_free(src);
	userstream_free(s1);
	userstream_free(r0);
	userstream_free(r1);
	userstream_free(r2);
}

TEST(divergent_states_are_detected)
{
	struct userstream *base = userstream_new(), *x = userstream_copy(base),
	                  *y = userstream_copy(base);
	uint64_t first, end;

	userstream_push_bytes(x, "abc", 3);
	userstream_push_bytes(y, "abd", 3);
	CHECK(!userstream_equal(x, y));
	userstream_push_bytes(y, "e", 1);
	CHECK_EQ_INT(userstream_since(y, x, &first, &end), ERR_PROTO);
	CHECK_EQ_INT(userstream_event(x, 2)->byte, 'c');
	CHECK_EQ_INT(userstream_event(y, 2)->byte, 'd');
	CHECK_EQ_INT(userstream_since(y, base, &first, &end), 0);
	CHECK_EQ_U64(end, 4);
	userstream_free(base);
	userstream_free(x);
	userstream_free(y);
}

TEST(subtract_forgets_and_trims)
{
	struct userstream *s = userstream_new(), *head;
	struct buf d;
	char chunk[1000];

	memset(chunk, 'z', sizeof(chunk));
	for (int i = 0; i < 20; i++)
		userstream_push_bytes(s, chunk, sizeof(chunk));
	head = userstream_copy(s);
	userstream_push_bytes(s, "tail", 4);
	userstream_subtract(head, head);
	userstream_subtract(s, head);
	CHECK_EQ_U64(userstream_end(s), 20004);
	CHECK_EQ_U64(userstream_held(s), 4);
	CHECK(userstream_event(s, 19999) == NULL);
	CHECK_EQ_INT(userstream_event(s, 20000)->byte, 't');
	buf_init(&d);
	userstream_diff(head, s, &d);
	CHECK_EQ_INT(d.len, 10); /* one keystroke "tail" */
	/* an older state is no prefix to subtract: ignored */
	userstream_subtract(head, s);
	CHECK_EQ_U64(userstream_end(head), 20000);
	buf_fini(&d);
	userstream_free(head);
	userstream_free(s);
}

TEST(copies_share_and_survive_frees)
{
	struct userstream *a = userstream_new(), *b, *c;

	userstream_push_bytes(a, "hello", 5);
	b = userstream_copy(a);
	userstream_free(a);
	userstream_push_bytes(b, " world", 6);
	c = userstream_copy(b);
	CHECK(userstream_equal(b, c));
	userstream_push_bytes(c, "!", 1);
	CHECK(!userstream_equal(b, c));
	CHECK_EQ_U64(userstream_end(b), 11);
	CHECK_EQ_INT(userstream_event(c, 11)->byte, '!');
	userstream_free(c);
	userstream_free(b);
}

TEST(consumer_keeps_events_the_receiver_forgot)
{
	struct userstream *recv = userstream_new(), *mine, *other = userstream_new();
	char line[600];

	memset(line, 'k', sizeof line);
	userstream_push_bytes(recv, line, 10);
	mine = userstream_copy(recv);
	/* The receiver moves on and forgets everything it held so far. */
	userstream_push_bytes(recv, line, sizeof line);
	userstream_subtract(recv, recv);
	userstream_push_bytes(recv, "xy", 2);
	CHECK(userstream_event(recv, 5) == NULL);
	CHECK_EQ_INT(userstream_extend_to(mine, recv), 0);
	CHECK_EQ_U64(userstream_end(mine), 10 + sizeof line + 2);
	/* Every event since the consumer's copy is still readable through it. */
	for (uint64_t i = 0; i < userstream_end(mine); i++)
		CHECK(userstream_event(mine, i) != NULL);
	CHECK_EQ_INT(userstream_event(mine, userstream_end(mine) - 1)->byte, 'y');
	/* A state of another history, or an older one, is refused. */
	CHECK_EQ_INT(userstream_extend_to(mine, other), ERR_PROTO);
	userstream_free(other);
	other = userstream_copy(mine);
	userstream_push_bytes(mine, "z", 1);
	CHECK_EQ_INT(userstream_extend_to(mine, other), ERR_PROTO);
	userstream_free(other);
	userstream_free(mine);
	userstream_free(recv);
}

int main(void)
{
	RUN(first_client_diff_matches_mosh);
	RUN(hello_rides_the_first_diff_only);
	RUN(diff_packs_bytes_and_apply_rebuilds);
	RUN(apply_rejects_bad_input_unchanged);
	RUN(apply_bounds_diff_size);
	RUN(resend_from_older_base_stays_on_one_history);
	RUN(divergent_states_are_detected);
	RUN(subtract_forgets_and_trims);
	RUN(copies_share_and_survive_frees);
	RUN(consumer_keeps_events_the_receiver_forgot);
	return test_done();
}
