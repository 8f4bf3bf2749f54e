/*
 * net/frag: the header layout, instruction id rules, and a randomized
 * reassembly test (shuffled, duplicated, lost and stale fragments) that must
 * yield exactly the original instruction or nothing; plus hostile inputs.
 */
#include "../test.h"
#include "../rng.h"

#include <stdlib.h>

#include "net/frag.h"
#include "net/wire.h"
#include "util/bytes.h"
#include "util/err.h"
#include "util/xmalloc.h"

/* Collects emitted fragments. */
struct frags {
	struct buf *f;
	size_t n, cap;
	int fail_at; /* emit returns ERR_IO at this index (-1: never) */
};

static int collect(void *user, const uint8_t *frag, size_t len)
{
	struct frags *fs = user;

	if ((int)fs->n == fs->fail_at)
		return ERR_IO;
	if (fs->n == fs->cap) {
		fs->cap = fs->cap ? fs->cap * 2 : 16;
		fs->f = xreallocarray(fs->f, fs->cap, sizeof *fs->f);
	}
	buf_init(&fs->f[fs->n]);
	buf_append(&fs->f[fs->n], frag, len);
	fs->n++;
	return 0;
}

static void frags_clear(struct frags *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		buf_fini(&fs->f[i]);
	fs->n = 0;
}

static void frags_free(struct frags *fs)
{
	frags_clear(fs);
	free(fs->f);
}

TEST(layout)
{
	struct frag_sender *s = frag_sender_new();
	struct frags fs = {.fail_at = -1};
	static uint8_t data[3000];

	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)i;
	CHECK_EQ_INT(frag_split(s, data, sizeof data, 1214, collect, &fs), 3);
	CHECK_EQ_INT(fs.n, 3);
	CHECK_EQ_INT(fs.f[0].len, 10 + 1214);
	CHECK_EQ_INT(fs.f[1].len, 10 + 1214);
	CHECK_EQ_INT(fs.f[2].len, 10 + 3000 - 2428);
	for (size_t i = 0; i < 3; i++) {
		CHECK_EQ_U64(be64_get(fs.f[i].data), 1); /* the first id is 1 */
		CHECK_EQ_INT(be16_get(fs.f[i].data + 8), i == 2 ? 0x8000 | 2 : i);
		CHECK_EQ_MEM(fs.f[i].data + 10, data + i * 1214, fs.f[i].len - 10);
	}
	frags_free(&fs);
	frag_sender_free(s);
}

TEST(id_rules)
{
	struct frag_sender *s = frag_sender_new();
	struct frags fs = {.fail_at = -1};
	uint8_t a[5] = "abcde", b[5] = "abcdf";

	CHECK_EQ_U64(frag_sender_last_id(s), 0);
	CHECK_EQ_INT(frag_split(s, a, 5, 100, collect, &fs), 1);
	CHECK_EQ_U64(frag_sender_last_id(s), 1);
	CHECK_EQ_INT(frag_split(s, a, 5, 100, collect, &fs), 1); /* retransmission */
	CHECK_EQ_U64(frag_sender_last_id(s), 1);
	CHECK_EQ_MEM(fs.f[0].data, fs.f[1].data, fs.f[0].len);
	CHECK_EQ_INT(frag_split(s, a, 5, 99, collect, &fs), 1); /* other MTU */
	CHECK_EQ_U64(frag_sender_last_id(s), 2);
	CHECK_EQ_INT(frag_split(s, b, 5, 99, collect, &fs), 1); /* other data */
	CHECK_EQ_U64(frag_sender_last_id(s), 3);
	CHECK_EQ_INT(frag_split(s, a, 4, 99, collect, &fs), 1); /* a prefix */
	CHECK_EQ_U64(frag_sender_last_id(s), 4);
	CHECK_EQ_INT(frag_split(s, a, 5, 99, collect, &fs), 1); /* back to an older one */
	CHECK_EQ_U64(frag_sender_last_id(s), 5);
	/* Empty data: one empty final fragment, exactly a header. */
	frags_clear(&fs);
	CHECK_EQ_INT(frag_split(s, NULL, 0, 99, collect, &fs), 1);
	CHECK_EQ_INT(fs.f[0].len, 10);
	CHECK_EQ_INT(be16_get(fs.f[0].data + 8), 0x8000);
	frags_free(&fs);
	frag_sender_free(s);
}

TEST(sender_limits)
{
	struct frag_sender *s = frag_sender_new();
	struct frags fs = {.fail_at = -1};
	static uint8_t data[40000];

	CHECK_EQ_INT(frag_split(s, data, 10, 0, collect, &fs), ERR_RANGE);
	CHECK_EQ_INT(frag_split(s, data, 32769, 1, collect, &fs), ERR_RANGE);
	CHECK_EQ_INT(fs.n, 0);
	CHECK_EQ_U64(frag_sender_last_id(s), 0);
	CHECK_EQ_INT(frag_split(s, data, 32768, 1, collect, &fs), 32768);
	CHECK_EQ_INT(be16_get(fs.f[32767].data + 8), 0xFFFF);
	frags_clear(&fs);
	/* An emit failure stops the split and is returned. */
	fs.fail_at = 2;
	CHECK_EQ_INT(frag_split(s, data, 100, 10, collect, &fs), ERR_IO);
	CHECK_EQ_INT(fs.n, 2);
	frags_free(&fs);
	frag_sender_free(s);
}

/* Build a fragment by hand. */
static size_t mkfrag(uint8_t *out, uint64_t id, bool final, unsigned num, const void *chunk,
                     size_t n)
{
	be64_put(out, id);
	be16_put(out + 8, (uint16_t)((final ? 0x8000 : 0) | num));
	memcpy(out + 10, chunk, n);
	return 10 + n;
}

TEST(receiver_basics)
{
	struct frag_assembly *a = frag_assembly_new();
	uint8_t f[64];
	struct buf out;
	size_t n;

	buf_init(&out);
	for (size_t len = 0; len < 10; len++)
		CHECK_EQ_INT(frag_add(a, f, len, &out), ERR_INVAL);
	CHECK_EQ_U64(frag_get_stats(a)->too_short, 10);
	/* Out of order: 2 (final), 0, 1. */
	n = mkfrag(f, 9, true, 2, "EF", 2);
	CHECK_EQ_INT(frag_add(a, f, n, &out), 0);
	n = mkfrag(f, 9, false, 0, "AB", 2);
	CHECK_EQ_INT(frag_add(a, f, n, &out), 0);
	CHECK_EQ_INT(frag_add(a, f, n, &out), 0); /* duplicate */
	n = mkfrag(f, 9, false, 1, "CD", 2);
	CHECK_EQ_INT(frag_add(a, f, n, &out), 1);
	CHECK_EQ_INT(out.len, 6);
	CHECK_EQ_MEM(out.data, "ABCDEF", 6);
	CHECK_EQ_U64(frag_get_stats(a)->duplicates, 1);
	CHECK_EQ_U64(frag_get_stats(a)->completed, 1);
	/* A new id discards a partial assembly. */
	n = mkfrag(f, 10, false, 0, "xx", 2);
	CHECK_EQ_INT(frag_add(a, f, n, &out), 0);
	n = mkfrag(f, 11, true, 1, "yy", 2);
	CHECK_EQ_INT(frag_add(a, f, n, &out), 0);
	n = mkfrag(f, 12, true, 1, "zz", 2);
	CHECK_EQ_INT(frag_add(a, f, n, &out), 0); /* id 11's fragment 1 is gone */
	CHECK_EQ_U64(frag_get_stats(a)->abandoned, 2);
	n = mkfrag(f, 12, false, 0, "ww", 2);
	CHECK_EQ_INT(frag_add(a, f, n, &out), 1);
	CHECK_EQ_MEM(out.data, "wwzz", 4);
	/* With no assembly in progress, ids need not increase. */
	n = mkfrag(f, 3, true, 0, "q", 1);
	CHECK_EQ_INT(frag_add(a, f, n, &out), 1);
	CHECK_EQ_INT(out.len, 1);
	/* An empty chunk is a valid (empty) instruction. */
	n = mkfrag(f, 4, true, 0, "", 0);
	CHECK_EQ_INT(frag_add(a, f, n, &out), 1);
	CHECK_EQ_INT(out.len, 0);
	buf_fini(&out);
	frag_assembly_free(a);
}

TEST(replayed_older_fragment_keeps_the_assembly)
{
	struct frag_assembly *a = frag_assembly_new();
	uint8_t f[64];
	struct buf out;
	size_t n;

	buf_init(&out);
	n = mkfrag(f, 7, true, 0, "old", 3);
	CHECK_EQ_INT(frag_add(a, f, n, &out), 1);
	n = mkfrag(f, 8, false, 0, "NE", 2);
	CHECK_EQ_INT(frag_add(a, f, n, &out), 0);
	/* Replays of id 7, whole or a piece of a longer one, are dropped and counted. */
	n = mkfrag(f, 7, true, 0, "old", 3);
	CHECK_EQ_INT(frag_add(a, f, n, &out), ERR_PROTO);
	n = mkfrag(f, 2, false, 0, "x", 1);
	CHECK_EQ_INT(frag_add(a, f, n, &out), ERR_PROTO);
	CHECK_EQ_U64(frag_get_stats(a)->stale, 2);
	CHECK_EQ_U64(frag_get_stats(a)->abandoned, 0);
	/* id 8 still completes with its fragment 0 kept. */
	n = mkfrag(f, 8, true, 1, "W", 1);
	CHECK_EQ_INT(frag_add(a, f, n, &out), 1);
	CHECK_EQ_INT(out.len, 3);
	CHECK_EQ_MEM(out.data, "NEW", 3);
	buf_fini(&out);
	frag_assembly_free(a);
}

TEST(receiver_contradictions)
{
	struct frag_assembly *a = frag_assembly_new();
	uint8_t f[64];
	struct buf out;
	size_t n;

	buf_init(&out);
	/* Same id and number, different bytes: dropped, assembly discarded, no abort. */
	n = mkfrag(f, 1, false, 0, "AA", 2);
	CHECK_EQ_INT(frag_add(a, f, n, &out), 0);
	n = mkfrag(f, 1, false, 0, "AB", 2);
	CHECK_EQ_INT(frag_add(a, f, n, &out), ERR_PROTO);
	n = mkfrag(f, 1, true, 1, "CC", 2);
	CHECK_EQ_INT(frag_add(a, f, n, &out), 0); /* fragment 0 was discarded */
	/* Same bytes but now claiming to be final. */
	n = mkfrag(f, 1, true, 1, "CC", 2);
	CHECK_EQ_INT(frag_add(a, f, n, &out), 0);
	n = mkfrag(f, 1, false, 1, "CC", 2);
	CHECK_EQ_INT(frag_add(a, f, n, &out), ERR_PROTO);
	CHECK_EQ_U64(frag_get_stats(a)->conflict, 2);
	/* A fragment beyond the final one, a second final, a final below a stored number. */
	n = mkfrag(f, 2, true, 1, "x", 1);
	CHECK_EQ_INT(frag_add(a, f, n, &out), 0);
	n = mkfrag(f, 2, false, 5, "x", 1);
	CHECK_EQ_INT(frag_add(a, f, n, &out), ERR_PROTO);
	n = mkfrag(f, 3, true, 1, "x", 1);
	CHECK_EQ_INT(frag_add(a, f, n, &out), 0);
	n = mkfrag(f, 3, true, 0, "x", 1);
	CHECK_EQ_INT(frag_add(a, f, n, &out), ERR_PROTO);
	n = mkfrag(f, 4, false, 7, "x", 1);
	CHECK_EQ_INT(frag_add(a, f, n, &out), 0);
	n = mkfrag(f, 4, true, 3, "x", 1);
	CHECK_EQ_INT(frag_add(a, f, n, &out), ERR_PROTO);
	CHECK_EQ_U64(frag_get_stats(a)->bad_number, 3);
	/* The highest fragment number is accepted without completing anything. */
	n = mkfrag(f, 5, true, 32767, "x", 1);
	CHECK_EQ_INT(frag_add(a, f, n, &out), 0);
	buf_fini(&out);
	frag_assembly_free(a);
}

TEST(receiver_size_cap)
{
	struct frag_assembly *a = frag_assembly_new();
	static uint8_t f[10 + 2000];
	struct buf out;
	unsigned num = 0;
	int rc = 0;
	size_t total = 0;

	buf_init(&out);
	while (rc == 0 && num < 32767) {
		size_t n = mkfrag(f, 77, false, num++, f + 10, 2000);

		rc = frag_add(a, f, n, &out);
		if (rc == 0)
			total += 2000;
	}
	CHECK_EQ_INT(rc, ERR_RANGE);
	CHECK(total <= WIRE_ASSEMBLY_MAX);
	CHECK(total + 2000 > WIRE_ASSEMBLY_MAX);
	CHECK_EQ_U64(frag_get_stats(a)->too_big, 1);
	buf_fini(&out);
	frag_assembly_free(a);
}

/*
 * Random instructions up to 100 KB, fragmented at a random chunk size, then
 * delivered shuffled with duplicates, losses and stale fragments of the
 * previous instruction mixed in. Every completed assembly must equal the
 * original; one must complete iff every fragment got through after the last
 * stale one that could have interrupted it.
 */
TEST(randomized_reassembly)
{
	struct frag_sender *s = frag_sender_new();
	struct frag_assembly *a = frag_assembly_new();
	struct frags cur = {.fail_at = -1}, prev = {.fail_at = -1};
	static uint8_t data[100000];
	struct rng r;
	struct buf out;
	size_t *order = NULL, order_cap = 0;
	unsigned complete_runs = 0, lossy_runs = 0;

	buf_init(&out);
	rng_seed(&r, 20261124);
	for (int iter = 0; iter < 400; iter++) {
		size_t len = rng_below(&r, 5) == 0 ? rng_below(&r, 100) : rng_below(&r, 100001);
		size_t chunk = 1 + rng_below(&r, 2010);
		size_t ndeliver = 0, got = 0;
		bool lossy = rng_below(&r, 3) == 0, stale = rng_below(&r, 4) == 0;
		bool *seen;

		rng_fill(&r, data, len);
		frags_clear(&cur);
		CHECK(frag_split(s, data, len, chunk, collect, &cur) > 0);
		/* Delivery plan: every index 1–3 times, some dropped when lossy. */
		if (order_cap < cur.n * 3 + 4) {
			order_cap = cur.n * 3 + 4;
			order = xreallocarray(order, order_cap, sizeof *order);
		}
		for (size_t i = 0; i < cur.n; i++) {
			size_t copies = 1 + rng_below(&r, 3);

			if (lossy && rng_below(&r, 4) == 0)
				copies = 0;
			while (copies--)
				order[ndeliver++] = i;
		}
		for (size_t i = ndeliver; i > 1; i--) {
			size_t j = rng_below(&r, i), t = order[i - 1];

			order[i - 1] = order[j];
			order[j] = t;
		}
		/* A stale fragment of the previous instruction arrives first. */
		if (stale && prev.n > 0)
			CHECK(frag_add(a, prev.f[0].data, prev.f[0].len, &out) >= 0);
		seen = xcalloc(cur.n, sizeof *seen);
		size_t distinct = 0;
		for (size_t k = 0; k < ndeliver; k++) {
			struct buf *f = &cur.f[order[k]];
			int rc = frag_add(a, f->data, f->len, &out);

			CHECK(rc == 0 || rc == 1);
			if (!seen[order[k]]) {
				seen[order[k]] = true;
				distinct++;
			}
			if (rc == 1) {
				CHECK_EQ_INT(out.len, len);
				CHECK_EQ_MEM(out.data, data, len);
				/* The first completion happens exactly when the last distinct one
				 * arrives. */
				if (got == 0)
					CHECK_EQ_INT(distinct, cur.n);
				got++;
			}
		}
		if (distinct == cur.n) {
			CHECK(got >= 1);
			complete_runs++;
		} else {
			CHECK_EQ_INT(got, 0);
			lossy_runs++;
		}
		free(seen);
		/* Keep this instruction's fragments to replay as stale next time. */
		frags_clear(&prev);
		for (size_t i = 0; i < cur.n; i++)
			collect(&prev, cur.f[i].data, cur.f[i].len);
	}
	CHECK(complete_runs > 100);
	CHECK(lossy_runs > 20);
	free(order);
	buf_fini(&out);
	frags_free(&cur);
	frags_free(&prev);
	frag_sender_free(s);
	frag_assembly_free(a);
}

int main(void)
{
	RUN(layout);
	RUN(id_rules);
	RUN(sender_limits);
	RUN(receiver_basics);
	RUN(replayed_older_fragment_keeps_the_assembly);
	RUN(receiver_contradictions);
	RUN(receiver_size_cap);
	RUN(randomized_reassembly);
	return test_done();
}
