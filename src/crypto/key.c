/*
 * The printable key: RFC 4648 base64 of 16 bytes with the "==" padding
 * dropped. 16 bytes are 128 bits = 21 full characters (126 bits) plus one
 * character holding the last 2 bits in its top bits, so the 22nd character's
 * low 4 bits must be zero (A, Q, g or w). key_parse enforces that, which makes
 * the text of a key unique; mosh 1.4 applies the same rule by re-encoding.
 */
#include "crypto/key.h"

#include <openssl/crypto.h>
#include <string.h>

#include "crypto/random.h"
#include "util/err.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int key_generate(uint8_t key[KEY_LEN])
{
	return crypto_random_fill(key, KEY_LEN);
}

void key_encode(const uint8_t key[KEY_LEN], char out[KEY_TEXT_LEN + 1])
{
	unsigned acc = 0, bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < KEY_LEN; i++) {
		acc = (acc << 8) | key[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			out[o++] = b64_alphabet[(acc >> bits) & 63];
		}
	}
	/* 2 bits left over: they become the top of the last character. */
	out[o++] = b64_alphabet[(acc << (6 - bits)) & 63];
	out[o] = '\0';
}

/* The 6-bit value of a base64 character, or -1. */
static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int key_parse(const char *s, uint8_t key[KEY_LEN])
{
	uint8_t tmp[KEY_LEN];
	char again[KEY_TEXT_LEN + 1];
	unsigned acc = 0, bits = 0;
	size_t o = 0;

	if (s == NULL || strnlen(s, KEY_TEXT_LEN + 1) != KEY_TEXT_LEN)
		return ERR_INVAL;
	for (size_t i = 0; i < KEY_TEXT_LEN; i++) {
		int v = b64_value(s[i]);

		if (v < 0) {
			OPENSSL_cleanse(tmp, sizeof tmp);
			return ERR_INVAL;
		}
		acc = ((acc << 6) | (unsigned)v) & 0xFFFF;
		bits += 6;
		if (bits >= 8 && o < KEY_LEN) {
			bits -= 8;
			tmp[o++] = (uint8_t)(acc >> bits);
		}
	}
	/* Exactly 4 bits remain; any of them set would not re-encode to s. */
	if ((acc & ((1u << bits) - 1)) != 0) {
		OPENSSL_cleanse(tmp, sizeof tmp);
		return ERR_INVAL;
	}
	key_encode(tmp, again);
	if (memcmp(again, s, KEY_TEXT_LEN) != 0) {
		OPENSSL_cleanse(tmp, sizeof tmp);
		OPENSSL_cleanse(again, sizeof again);
		return ERR_INVAL;
	}
	memcpy(key, tmp, KEY_LEN);
	OPENSSL_cleanse(tmp, sizeof tmp);
	OPENSSL_cleanse(again, sizeof again);
	return 0;
}
