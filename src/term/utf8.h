/*
 * Incremental UTF-8 decoder (doc/PROTOCOL.md §8.1), byte at a time, independent
 * of the process locale.
 *
 * It reproduces what mosh gets from glibc's mbrtowc in a UTF-8 locale:
 *  - a byte <= 0x7F with nothing pending is passed straight through (NUL too);
 *  - lead bytes C2–DF, E0–EF, F0–F7, F8–FB, FC–FD start 2- to 6-byte forms
 *    (glibc still accepts the 5- and 6-byte forms; their values are > U+10FFFF);
 *    any other byte alone is invalid;
 *  - a byte that is not a continuation where one is expected ends the pending
 *    sequence with U+FFFD and is then examined afresh (maximal subpart);
 *  - a complete sequence that is overlong or a surrogate is rejected as a whole
 *    only when its last byte arrives: U+FFFD, then that last byte is examined
 *    afresh (a lone continuation byte: a second U+FFFD);
 *  - a complete value above U+10FFFF becomes a single U+FFFD.
 */
#ifndef MOSHC_TERM_UTF8_H
#define MOSHC_TERM_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UTF8_REPLACEMENT 0xFFFDu

struct utf8_dec {
	uint32_t cp;  /* value accumulated so far */
	uint8_t need; /* total bytes of the pending sequence; 0 = idle */
	uint8_t got;  /* bytes of it seen */
};

void utf8_init(struct utf8_dec *d);
/* Feed one byte; stores 0, 1 or 2 code points in out and returns how many. */
int utf8_feed(struct utf8_dec *d, uint8_t b, uint32_t out[2]);
/*
 * Decode one complete, well-formed multi-byte sequence at s (shortest form,
 * not a surrogate, at most U+10FFFF): returns its length (2..4) and stores the
 * code point, or returns 0 when the bytes are anything else (incomplete,
 * invalid or ASCII). For well-formed input this agrees with utf8_feed; it is
 * the emulator's fast path, which leaves every other case to utf8_feed.
 */
size_t utf8_decode_valid(const uint8_t *s, size_t len, uint32_t *cp);

/* Nothing pending: the next byte starts a new sequence. */
static inline bool utf8_idle(const struct utf8_dec *d)
{
	return d->need == 0;
}

#endif
