/*
 * zlib-format compression of serialized instructions (doc/PROTOCOL.md §3): RFC
 * 1950 streams at zlib's default level. Inflation is bounded: output beyond
 * WIRE_INFLATE_MAX (4 MiB), a corrupt or truncated stream, or bytes after the
 * end of the stream are rejected without ever allocating more than the bound.
 * A context keeps its zlib state between calls (deflateReset/inflateReset) so
 * the per-packet cost is the compression itself.
 */
#ifndef MOSHC_NET_COMPRESS_H
#define MOSHC_NET_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

struct compress;

struct compress *compress_new(void);
void compress_free(struct compress *c);

/* out is replaced by the zlib stream of in. 0, or ERR_RANGE if in is absurdly large. */
int compress_deflate(struct compress *c, const uint8_t *in, size_t len, struct buf *out);
/*
 * out is replaced by the inflated bytes. 0; ERR_RANGE when the output would
 * exceed WIRE_INFLATE_MAX; ERR_INVAL for a corrupt, truncated or trailing-junk
 * stream (out is then empty).
 */
int compress_inflate(struct compress *c, const uint8_t *in, size_t len, struct buf *out);

#endif
