/* crypto/key: the 22-character key text, strict parsing, generation. */
#include "../test.h"

#include <stdint.h>

#include "crypto/key.h"
#include "util/err.h"

TEST(known_encoding)
{
	uint8_t key[16], back[16];
	char text[23];

	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	key_encode(key, text);
	/* base64(00 01 .. 0F) = "AAECAwQFBgcICQoLDA0ODw==" minus the padding */
	CHECK_EQ_STR(text, "AAECAwQFBgcICQoLDA0ODw");
	CHECK_EQ_INT(key_parse(text, back), 0);
	CHECK_EQ_MEM(back, key, 16);
	memset(key, 0xFF, 16);
	key_encode(key, text);
	CHECK_EQ_STR(text, "/////////////////////w");
}

/* Every value of the last key byte encodes to text that parses back to it. */
TEST(every_last_byte_round_trips)
{
	uint8_t key[16], back[16];
	char text[23];

	for (int v = 0; v < 256; v++) {
		for (int i = 0; i < 15; i++)
			key[i] = (uint8_t)(v * 31 + i);
		key[15] = (uint8_t)v;
		key_encode(key, text);
		CHECK_EQ_INT(strlen(text), 22);
		CHECK_EQ_INT(key_parse(text, back), 0);
		CHECK_EQ_MEM(back, key, 16);
	}
}

/* Of all 256 possible final characters only A, Q, g, w re-encode identically. */
TEST(every_last_char)
{
	char text[23] = "AAECAwQFBgcICQoLDA0ODw";
	uint8_t key[16];
	int accepted = 0;

	for (int c = 1; c < 256; c++) {
		int rc;

		text[21] = (char)c;
		rc = key_parse(text, key);
		if (c == 'A' || c == 'Q' || c == 'g' || c == 'w') {
			CHECK_EQ_INT(rc, 0);
			accepted++;
		} else {
			CHECK_EQ_INT(rc, ERR_INVAL);
		}
	}
	CHECK_EQ_INT(accepted, 4);
}

TEST(malformed_rejected)
{
	static const char *bad[] = {
	    "",
	    "AAECAwQFBgcICQoLDA0OD",    /* 21 */
	    "AAECAwQFBgcICQoLDA0ODwA",  /* 23 */
	    "AAECAwQFBgcICQoLDA0ODw==", /* padded */
	    "AAECAwQFBgcICQoLDA0OD=",   /* padding inside */
	    " AAECAwQFBgcICQoLDA0ODw",  /* whitespace */
	    "AAECAwQFBgcICQoLDA0ODw\n",
	    "AAECAwQFBgcICQoLDA0OD w",
	    "AAECAwQFBgcICQoLDA0O-w", /* base64url alphabet */
	    "AAECAwQFBgcICQoLDA0O_w",
	    "AAECAwQFBgcICQoLDA0ODx", /* low bits set */
	    "AAECAwQFBgcICQoLDA0OD/",
	};
	uint8_t key[16], orig[16];

	memset(key, 0x5A, 16);
	memcpy(orig, key, 16);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK_EQ_INT(key_parse(bad[i], key), ERR_INVAL);
		CHECK_EQ_MEM(key, orig, 16);
	}
	CHECK_EQ_INT(key_parse(NULL, key), ERR_INVAL);
}

TEST(every_char_position)
{
	/* A non-alphabet byte anywhere is refused. */
	char text[23] = "AAECAwQFBgcICQoLDA0ODw";
	uint8_t key[16];

	for (int pos = 0; pos < 22; pos++) {
		char saved = text[pos];

		text[pos] = '.';
		CHECK_EQ_INT(key_parse(text, key), ERR_INVAL);
		text[pos] = saved;
	}
	CHECK_EQ_INT(key_parse(text, key), 0);
}

TEST(generate)
{
	uint8_t a[16], b[16], back[16];
	char text[23];

	CHECK_EQ_INT(key_generate(a), 0);
	CHECK_EQ_INT(key_generate(b), 0);
	CHECK(memcmp(a, b, 16) != 0);
	key_encode(a, text);
	CHECK_EQ_INT(key_parse(text, back), 0);
	CHECK_EQ_MEM(back, a, 16);
}

int main(void)
{
	RUN(known_encoding);
	RUN(every_last_byte_round_trips);
	RUN(every_last_char);
	RUN(malformed_rejected);
	RUN(every_char_position);
	RUN(generate);
	return test_done();
}
