/*
 * zlib streams for instructions (doc/PROTOCOL.md §3). One deflate and one inflate
 * state per context, reset before each use. Inflation writes into the output
 * buffer in steps and stops as soon as the output would pass WIRE_INFLATE_MAX,
 * so a decompression bomb costs at most that much memory and time.
 */
#include "net/compress.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "net/wire.h"
#include "util/err.h"
#include "util/xmalloc.h"

struct compress {
	z_stream def;
	z_stream inf;
};

struct compress *compress_new(void)
{
	struct compress *c = xcalloc(1, sizeof *c);

	if (deflateInit(&c->def, Z_DEFAULT_COMPRESSION) != Z_OK || inflateInit(&c->inf) != Z_OK) {
		/* Only memory exhaustion makes zlib's init fail. */
		ASSERT(!"zlib initialisation failed");
	}
	return c;
}

void compress_free(struct compress *c)
{
	if (c == NULL)
		return;
	deflateEnd(&c->def);
	inflateEnd(&c->inf);
	free(c);
}

/* Account for n bytes written directly into b's spare room. */
static void buf_grew(struct buf *b, size_t n)
{
	b->len += n;
	b->data[b->len] = '\0';
}

int compress_deflate(struct compress *c, const uint8_t *in, size_t len, struct buf *out)
{
	uLong bound;
	int rc;

	buf_clear(out);
	if (len > UINT_MAX / 2)
		return ERR_RANGE;
	bound = deflateBound(&c->def, (uLong)len);
	buf_reserve(out, bound);
	ASSERT(deflateReset(&c->def) == Z_OK);
	c->def.next_in = (Bytef *)(uintptr_t)in;
	c->def.avail_in = (uInt)len;
	c->def.next_out = out->data;
	c->def.avail_out = (uInt)bound;
	rc = deflate(&c->def, Z_FINISH);
	/* deflateBound guarantees one Z_FINISH call completes the stream. */
	ASSERT(rc == Z_STREAM_END);
	buf_grew(out, bound - c->def.avail_out);
	return 0;
}

int compress_inflate(struct compress *c, const uint8_t *in, size_t len, struct buf *out)
{
	size_t step = len < 4096 ? 4096 : len * 4;
	int rc = Z_OK;

	buf_clear(out);
	if (len == 0 || len > UINT_MAX)
		return ERR_INVAL;
	if (inflateReset(&c->inf) != Z_OK)
		return ERR_INVAL;
	c->inf.next_in = (Bytef *)(uintptr_t)in;
	c->inf.avail_in = (uInt)len;
	while (rc != Z_STREAM_END) {
		/* One byte past the limit tells "exactly the limit" from "too much". */
		size_t room = WIRE_INFLATE_MAX + 1 - out->len;
		size_t before;

		if (room == 0) {
			buf_clear(out);
			return ERR_RANGE;
		}
		if (step > room)
			step = room;
		buf_reserve(out, step);
		c->inf.next_out = out->data + out->len;
		c->inf.avail_out = (uInt)step;
		before = c->inf.avail_out;
		rc = inflate(&c->inf, Z_NO_FLUSH);
		buf_grew(out, before - c->inf.avail_out);
		if (rc == Z_BUF_ERROR && c->inf.avail_in == 0) {
			rc = Z_DATA_ERROR; /* truncated stream */
		} else if (rc == Z_OK || rc == Z_BUF_ERROR) {
			step *= 2;
			continue;
		}
		if (rc != Z_STREAM_END) {
			buf_clear(out);
			return ERR_INVAL;
		}
	}
	if (out->len > WIRE_INFLATE_MAX) {
		buf_clear(out);
		return ERR_RANGE;
	}
	if (c->inf.avail_in != 0) {
		buf_clear(out);
		return ERR_INVAL;
	}
	return 0;
}
