/* net/compress: zlib round trips, interop with zlib's one-shot API, the 4 MiB cap, bad streams. */
#include "../test.h"
#include "../rng.h"

#include <stdlib.h>
#include <zlib.h>

#include "net/compress.h"
#include "net/wire.h"
#include "util/err.h"
#include "util/xmalloc.h"

TEST(round_trip)
{
	struct compress *c = compress_new();
	static uint8_t data[300000];
	struct buf z, back;
	struct rng r;

	buf_init(&z);
	buf_init(&back);
	rng_seed(&r, 7);
	for (int iter = 0; iter < 60; iter++) {
		size_t len = iter == 0 ? 0 : rng_below(&r, sizeof data);

		/* Half compressible text, half noise. */
		for (size_t i = 0; i < len; i++)
			data[i] = iter % 2 ? (uint8_t)("abc \n"[rng_below(&r, 5)])
			                   : (uint8_t)rng_next(&r);
		CHECK_EQ_INT(compress_deflate(c, data, len, &z), 0);
		CHECK(z.len >= 2);
		CHECK_EQ_INT(z.data[0], 0x78); /* RFC 1950, default level */
		CHECK_EQ_INT(z.data[1], 0x9C);
		CHECK_EQ_INT(compress_inflate(c, z.data, z.len, &back), 0);
		CHECK_EQ_INT(back.len, len);
		CHECK_EQ_MEM(back.data, data, len);
	}
	buf_fini(&z);
	buf_fini(&back);
	compress_free(c);
}

TEST(interop_with_zlib_one_shot)
{
	struct compress *c = compress_new();
	const char *text = "the quick brown fox jumps over the lazy dog, again and again and again";
	uint8_t zbuf[256], plain[256];
	uLongf zlen = sizeof zbuf, plen = sizeof plain;
	struct buf z, back;

	buf_init(&z);
	buf_init(&back);
	/* Ours → zlib's uncompress(), as mosh does. */
	CHECK_EQ_INT(compress_deflate(c, (const uint8_t *)text, strlen(text), &z), 0);
	CHECK_EQ_INT(uncompress(plain, &plen, z.data, z.len), Z_OK);
	CHECK_EQ_INT(plen, strlen(text));
	CHECK_EQ_MEM(plain, text, plen);
	/* zlib's compress() at any level → ours. */
	for (int level = 0; level <= 9; level++) {
		zlen = sizeof zbuf;
		CHECK_EQ_INT(compress2(zbuf, &zlen, (const uint8_t *)text, strlen(text), level),
		             Z_OK);
		CHECK_EQ_INT(compress_inflate(c, zbuf, zlen, &back), 0);
		CHECK_EQ_INT(back.len, strlen(text));
		CHECK_EQ_MEM(back.data, text, back.len);
	}
	buf_fini(&z);
	buf_fini(&back);
	compress_free(c);
}

TEST(output_cap)
{
	struct compress *c = compress_new();
	uint8_t *zeros = xcalloc(10 * 1024 * 1024, 1);
	struct buf z, back;

	buf_init(&z);
	buf_init(&back);
	/* Exactly the limit is fine, one byte more is not. */
	CHECK_EQ_INT(compress_deflate(c, zeros, WIRE_INFLATE_MAX, &z), 0);
	CHECK_EQ_INT(compress_inflate(c, z.data, z.len, &back), 0);
	CHECK_EQ_INT(back.len, WIRE_INFLATE_MAX);
	CHECK_EQ_INT(compress_deflate(c, zeros, WIRE_INFLATE_MAX + 1, &z), 0);
	CHECK_EQ_INT(compress_inflate(c, z.data, z.len, &back), ERR_RANGE);
	CHECK_EQ_INT(back.len, 0);
	/* A bomb: 10 MB of zeros in about 10 KB. */
	CHECK_EQ_INT(compress_deflate(c, zeros, 10 * 1024 * 1024, &z), 0);
	CHECK(z.len < 20000);
	CHECK_EQ_INT(compress_inflate(c, z.data, z.len, &back), ERR_RANGE);
	CHECK(back.cap <= WIRE_INFLATE_MAX * 2 + 64);
	/* The context still works afterwards. */
	CHECK_EQ_INT(compress_deflate(c, (const uint8_t *)"ok", 2, &z), 0);
	CHECK_EQ_INT(compress_inflate(c, z.data, z.len, &back), 0);
	CHECK_EQ_INT(back.len, 2);
	free(zeros);
	buf_fini(&z);
	buf_fini(&back);
	compress_free(c);
}

TEST(bad_streams)
{
	struct compress *c = compress_new();
	const char *text =
	    "corrupt me: 0123456789 0123456789 0123456789 abcdefghijklmnopqrstuvwxyz";
	struct buf z, back;
	uint8_t tmp[512];
	size_t failed = 0;

	buf_init(&z);
	buf_init(&back);
	CHECK_EQ_INT(compress_deflate(c, (const uint8_t *)text, strlen(text), &z), 0);
	CHECK_EQ_INT(compress_inflate(c, z.data, 0, &back), ERR_INVAL);
	/* Every truncation. */
	for (size_t n = 1; n < z.len; n++)
		CHECK_EQ_INT(compress_inflate(c, z.data, n, &back), ERR_INVAL);
	/*
	 * Every single-bit corruption either fails or (when it only hits padding
	 * bits) still gives the original: the Adler-32 trailer never lets changed
	 * content through.
	 */
	for (size_t i = 0; i < z.len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			int rc;

			memcpy(tmp, z.data, z.len);
			tmp[i] ^= (uint8_t)(1 << bit);
			rc = compress_inflate(c, tmp, z.len, &back);
			if (rc == 0) {
				CHECK_EQ_INT(back.len, strlen(text));
				CHECK_EQ_MEM(back.data, text, back.len);
				continue;
			}
			CHECK(rc == ERR_INVAL || rc == ERR_RANGE);
			CHECK_EQ_INT(back.len, 0);
			failed++;
		}
	}
	CHECK(failed > z.len * 6);
	/* Bytes after the end of the stream. */
	memcpy(tmp, z.data, z.len);
	tmp[z.len] = 0;
	CHECK_EQ_INT(compress_inflate(c, tmp, z.len + 1, &back), ERR_INVAL);
	/* Garbage. */
	CHECK_EQ_INT(compress_inflate(c, (const uint8_t *)"hello world", 11, &back), ERR_INVAL);
	CHECK_EQ_INT(compress_inflate(c, z.data, z.len, &back), 0);
	buf_fini(&z);
	buf_fini(&back);
	compress_free(c);
}

int main(void)
{
	RUN(round_trip);
	RUN(interop_with_zlib_one_shot);
	RUN(output_cap);
	RUN(bad_streams);
	return test_done();
}
