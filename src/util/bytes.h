/*
 * Big-endian integers and a bounds-checked reader for untrusted bytes.
 * The reader never reads past its end: an overrun sets a sticky failure flag
 * and yields zeros, so a parser can read a whole header and check rd_ok() once.
 */
#ifndef MOSHC_UTIL_BYTES_H
#define MOSHC_UTIL_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void be16_put(uint8_t *p, uint16_t v);
void be32_put(uint8_t *p, uint32_t v);
void be64_put(uint8_t *p, uint64_t v);
uint16_t be16_get(const uint8_t *p);
uint32_t be32_get(const uint8_t *p);
uint64_t be64_get(const uint8_t *p);

struct rd {
	const uint8_t *p;
	size_t left;
	bool failed;
};

void rd_init(struct rd *r, const void *data, size_t len);
uint8_t rd_u8(struct rd *r);
uint16_t rd_u16(struct rd *r);
uint32_t rd_u32(struct rd *r);
uint64_t rd_u64(struct rd *r);
/* Borrow the next n bytes (NULL and failure when fewer remain). */
const uint8_t *rd_bytes(struct rd *r, size_t n);
bool rd_ok(const struct rd *r);

/* One complete, well-formed multi-byte UTF-8 character at s (shortest form,
 * not a surrogate, at most U+10FFFF): its length (2..4), with the code point
 * in *cp; 0 for anything else (incomplete, invalid or ASCII). Shared by the
 * emulator's decoder and the launcher's output filter. */
size_t bytes_utf8_char(const uint8_t *s, size_t len, uint32_t *cp);

#endif
