/* term/utf8: every boundary, the maximal-subpart rule, and agreement with
 * what mosh gets from glibc's mbrtowc (reference below) on exhaustive 1-, 2-
 * and 3-byte inputs and on random streams. */
#include "../test.h"

#include <locale.h>
#include <stdlib.h>
#include <wchar.h>

#include "term/fb.h"
#include "term/utf8.h"

/* mosh 1.4's byte-at-a-time use of mbrtowc, as a reference (needs C.UTF-8). */
struct ref {
	char buf[8];
	size_t len;
};

static int ref_feed(struct ref *r, unsigned char c, uint32_t *out)
{
	size_t total = 0, orig;
	int n = 0;

	if (r->len == 0 && c <= 0x7F) {
		out[n++] = c;
		return n;
	}
	r->buf[r->len++] = (char)c;
	orig = r->len;
	while (total != orig) {
		mbstate_t ps;
		wchar_t w = 0;
		size_t k;

		memset(&ps, 0, sizeof ps);
		k = mbrtowc(&w, r->buf, r->len, &ps);
		if (k == 0) {
			r->len = 0;
			w = 0;
			k = 1;
		} else if (k == (size_t)-1) {
			if (r->len > 1) {
				r->buf[0] = r->buf[r->len - 1];
				k = r->len - 1;
				r->len = 1;
			} else {
				r->len = 0;
				k = 1;
			}
			w = 0xFFFD;
		} else if (k == (size_t)-2) {
			total += r->len;
			continue;
		} else {
			memmove(r->buf, r->buf + k, r->len - k);
			r->len -= k;
		}
		if ((uint32_t)w > 0x10FFFF || ((uint32_t)w >= 0xD800 && (uint32_t)w <= 0xDFFF))
			w = 0xFFFD;
		out[n++] = (uint32_t)w;
		total += k;
	}
	return n;
}

/* Decode bytes with ours; returns the number of code points. */
static size_t decode(const unsigned char *s, size_t len, uint32_t *out)
{
	struct utf8_dec d;
	size_t n = 0;

	utf8_init(&d);
	for (size_t i = 0; i < len; i++)
		n += (size_t)utf8_feed(&d, s[i], out + n);
	return n;
}

static size_t decode_ref(const unsigned char *s, size_t len, uint32_t *out)
{
	struct ref r = {{0}, 0};
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += (size_t)ref_feed(&r, s[i], out + n);
	return n;
}

#define CHECK_DECODES(bytes, ...)                                                                  \
	do {                                                                                       \
		static const uint32_t want_[] = {__VA_ARGS__};                                     \
		uint32_t got_[64];                                                                 \
		size_t n_ = decode((const unsigned char *)(bytes), sizeof(bytes) - 1, got_);       \
		CHECK_EQ_INT(n_, sizeof want_ / sizeof want_[0]);                                  \
		for (size_t i_ = 0; i_ < n_; i_++)                                                 \
			CHECK_EQ_U64(got_[i_], want_[i_]);                                         \
	} while (0)

TEST(utf8_boundaries)
{
	CHECK_DECODES("\x00", 0);
	CHECK_DECODES("\x7f", 0x7F);
	CHECK_DECODES("\xc2\x80", 0x80);
	CHECK_DECODES("\xdf\xbf", 0x7FF);
	CHECK_DECODES("\xe0\xa0\x80", 0x800);
	CHECK_DECODES("\xef\xbf\xbf", 0xFFFF);
	CHECK_DECODES("\xf0\x90\x80\x80", 0x10000);
	CHECK_DECODES("\xf4\x8f\xbf\xbf", 0x10FFFF);
	CHECK_DECODES("\xf4\x90\x80\x80", 0xFFFD);
	CHECK_DECODES("\xed\x9f\xbf", 0xD7FF);
	CHECK_DECODES("\xee\x80\x80", 0xE000);
}

TEST(utf8_invalid)
{
	/* Lone continuation bytes and bytes that never start a sequence. */
	CHECK_DECODES("\x80", 0xFFFD);
	CHECK_DECODES("\xbf", 0xFFFD);
	CHECK_DECODES("\xc0\x80", 0xFFFD, 0xFFFD);
	CHECK_DECODES("\xc1\xbf", 0xFFFD, 0xFFFD);
	CHECK_DECODES("\xfe", 0xFFFD);
	CHECK_DECODES("\xff", 0xFFFD);
	/* Maximal subpart: the offending byte starts afresh. */
	CHECK_DECODES("\xe1\x80"
	              "A",
	              0xFFFD, 'A');
	CHECK_DECODES("\xe1\x80\xc3\xa9", 0xFFFD, 0xE9);
	CHECK_DECODES("\xf0\x9f\x98"
	              "x",
	              0xFFFD, 'x');
	CHECK_DECODES("\xc3\x1b", 0xFFFD, 0x1B);
	CHECK_DECODES("\xc3\x00", 0xFFFD, 0);
	/* Overlong and surrogate forms are rejected when complete; the last byte then
	 * stands alone (a second U+FFFD). */
	CHECK_DECODES("\xe0\x80\x80", 0xFFFD, 0xFFFD);
	CHECK_DECODES("\xe0\x9f\xbf", 0xFFFD, 0xFFFD);
	CHECK_DECODES("\xf0\x8f\xbf\xbf", 0xFFFD, 0xFFFD);
	CHECK_DECODES("\xed\xa0\x80", 0xFFFD, 0xFFFD);
	CHECK_DECODES("\xed\xbf\xbf", 0xFFFD, 0xFFFD);
	/* 5- and 6-byte forms decode (glibc) to values above U+10FFFF: one U+FFFD. */
	CHECK_DECODES("\xf8\x88\x80\x80\x80", 0xFFFD);
	CHECK_DECODES("\xfc\x84\x80\x80\x80\x80", 0xFFFD);
	CHECK_DECODES("\xf7\xbf\xbf\xbf", 0xFFFD);
}

TEST(utf8_pending_is_not_idle)
{
	struct utf8_dec d;
	uint32_t out[2];

	utf8_init(&d);
	CHECK(utf8_idle(&d));
	CHECK_EQ_INT(utf8_feed(&d, 0xE2, out), 0);
	CHECK(!utf8_idle(&d));
	CHECK_EQ_INT(utf8_feed(&d, 0x82, out), 0);
	CHECK_EQ_INT(utf8_feed(&d, 0xAC, out), 1);
	CHECK_EQ_U64(out[0], 0x20AC);
	CHECK(utf8_idle(&d));
}

static void compare_with_ref(const unsigned char *s, size_t len)
{
	static uint32_t a[1 << 16], b[1 << 16];
	size_t na = decode(s, len, a), nb = decode_ref(s, len, b);

	if (na != nb)
		TEST_FAIL("input of %zu bytes starting %02x: %zu code points, reference %zu", len,
		          s[0], na, nb);
	for (size_t i = 0; i < na; i++) {
		if (a[i] != b[i])
			TEST_FAIL("input starting %02x %02x: cp %zu is %x, reference %x", s[0],
			          len > 1 ? s[1] : 0, i, a[i], b[i]);
	}
}

TEST(utf8_matches_mbrtowc_exhaustive)
{
	unsigned char s[4];

	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		TEST_FAIL("C.UTF-8 locale missing");
	for (unsigned a = 0; a < 256; a++) {
		s[0] = (unsigned char)a;
		compare_with_ref(s, 1);
		for (unsigned b = 0; b < 256; b++) {
			s[1] = (unsigned char)b;
			compare_with_ref(s, 2);
			if (a < 0xC2)
				continue;
			for (unsigned c = 0; c < 256; c += (a >= 0xE0 && a <= 0xF4) ? 1 : 17) {
				s[2] = (unsigned char)c;
				s[3] = 'z';
				compare_with_ref(s, 4);
			}
		}
	}
}

TEST(utf8_matches_mbrtowc_random)
{
	static unsigned char s[4096];

	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		TEST_FAIL("C.UTF-8 locale missing");
	srand(12345);
	for (int round = 0; round < 300; round++) {
		for (size_t i = 0; i < sizeof s; i++) {
			int k = rand() % 8;

			/* Bias towards lead and continuation bytes so sequences form. */
			s[i] = (unsigned char)(k < 3   ? 0x80 + rand() % 0x40
			                       : k < 6 ? 0xC0 + rand() % 0x40
			                               : rand() % 256);
		}
		compare_with_ref(s, sizeof s);
	}
}

/* The fast-path decoder accepts exactly the well-formed sequences, with the
 * same value utf8_feed gives. */
TEST(utf8_decode_valid_agrees)
{
	unsigned char s[4];

	for (unsigned a = 0x80; a < 256; a++) {
		for (unsigned b = 0; b < 256; b++) {
			for (unsigned c = 0; c < 256; c += (a >= 0xE0) ? 1 : 255) {
				for (unsigned d = 0x7F; d <= 0xC0; d += (a >= 0xF0) ? 1 : 0x41) {
					uint32_t ref[8], cp = 0;
					size_t nref, n;

					s[0] = (unsigned char)a;
					s[1] = (unsigned char)b;
					s[2] = (unsigned char)c;
					s[3] = (unsigned char)d;
					n = utf8_decode_valid(s, 4, &cp);
					if (n == 0)
						continue;
					nref = decode(s, n, ref);
					if (nref != 1 || ref[0] != cp || cp < 0x80)
						TEST_FAIL("%02x %02x %02x %02x: fast %x/%zu, "
						          "decoder %x/%zu",
						          a, b, c, d, cp, n, ref[0], nref);
				}
			}
		}
	}
	/* And every valid scalar value round-trips. */
	for (uint32_t v = 0x80; v <= 0x10FFFF; v++) {
		char enc[4];
		uint32_t cp = 0;
		int n;

		if (v >= 0xD800 && v <= 0xDFFF)
			continue;
		n = fb_utf8_encode(v, enc);
		if (utf8_decode_valid((const uint8_t *)enc, (size_t)n, &cp) != (size_t)n || cp != v)
			TEST_FAIL("U+%04X does not round-trip", v);
		if (utf8_decode_valid((const uint8_t *)enc, (size_t)n - 1, &cp) != 0)
			TEST_FAIL("U+%04X accepted when truncated", v);
	}
}

int main(void)
{
	RUN(utf8_boundaries);
	RUN(utf8_invalid);
	RUN(utf8_pending_is_not_idle);
	RUN(utf8_matches_mbrtowc_exhaustive);
	RUN(utf8_matches_mbrtowc_random);
	RUN(utf8_decode_valid_agrees);
	return test_done();
}
