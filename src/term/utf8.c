/* UTF-8 decoding with mbrtowc-in-mosh replacement rules; see utf8.h. */
#include "term/utf8.h"

#include "util/bytes.h"

void utf8_init(struct utf8_dec *d)
{
	d->cp = 0;
	d->need = 0;
	d->got = 0;
}

/* Examine b with nothing pending; returns code points emitted (0 or 1). */
static int start(struct utf8_dec *d, uint8_t b, uint32_t *out)
{
	if (b < 0x80) {
		*out = b;
		return 1;
	}
	if (b >= 0xC2 && b <= 0xDF) {
		d->need = 2;
		d->cp = b & 0x1F;
	} else if (b >= 0xE0 && b <= 0xEF) {
		d->need = 3;
		d->cp = b & 0x0F;
	} else if (b >= 0xF0 && b <= 0xF7) {
		d->need = 4;
		d->cp = b & 0x07;
	} else if (b >= 0xF8 && b <= 0xFB) {
		d->need = 5;
		d->cp = b & 0x03;
	} else if (b >= 0xFC && b <= 0xFD) {
		d->need = 6;
		d->cp = b & 0x01;
	} else {
		*out = UTF8_REPLACEMENT;
		return 1;
	}
	d->got = 1;
	return 0;
}

int utf8_feed(struct utf8_dec *d, uint8_t b, uint32_t out[2])
{
	uint32_t cp;
	int n;

	if (d->need == 0)
		return start(d, b, out);
	if ((b & 0xC0) != 0x80) {
		d->need = 0;
		out[0] = UTF8_REPLACEMENT;
		return 1 + start(d, b, out + 1);
	}
	d->cp = (d->cp << 6) | (b & 0x3F);
	if (++d->got < d->need)
		return 0;
	cp = d->cp;
	n = d->need;
	d->need = 0;
	/* glibc's shortest-form test: the value needs more than the bits of n-1 bytes. */
	if ((n > 2 && (cp >> (5 * n - 4)) == 0) || (cp >= 0xD800 && cp <= 0xDFFF)) {
		out[0] = UTF8_REPLACEMENT;
		out[1] = UTF8_REPLACEMENT; /* the last byte again, alone */
		return 2;
	}
	out[0] = cp > 0x10FFFF ? UTF8_REPLACEMENT : cp;
	return 1;
}

size_t utf8_decode_valid(const uint8_t *s, size_t len, uint32_t *cp)
{
	return bytes_utf8_char(s, len, cp);
}
