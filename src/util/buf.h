/*
 * A growable byte buffer. The struct is public so callers can embed it and
 * read data/len directly; data is always NUL-terminated one byte past len
 * (not counted), so text can be handed to C string functions. Capacity grows
 * geometrically; every size computation is overflow-checked.
 */
#ifndef MOSHC_UTIL_BUF_H
#define MOSHC_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
	uint8_t *data; /* NULL until the first append */
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b);
void buf_fini(struct buf *b);
/* Make room for at least extra more bytes beyond len. */
void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *data, size_t len);
void buf_append_byte(struct buf *b, uint8_t c);
void buf_append_str(struct buf *b, const char *s);
void buf_appendf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vappendf(struct buf *b, const char *fmt, va_list ap);
/* Drop the first n bytes (n is clamped to len). */
void buf_consume(struct buf *b, size_t n);
/* Shorten to len (never lengthens). */
void buf_truncate(struct buf *b, size_t len);
void buf_clear(struct buf *b);
/* Take ownership of the bytes; the buffer is left empty. */
uint8_t *buf_detach(struct buf *b, size_t *len);

#endif
