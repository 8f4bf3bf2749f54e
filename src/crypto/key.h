/*
 * Session keys: 16 random bytes, printed as the 22-character unpadded base64
 * string of the MOSH CONNECT line and MOSH_KEY (doc/PROTOCOL.md §1.4). Parsing is
 * strict: only a string that re-encodes to itself is a key, so there is
 * exactly one text for every key.
 */
#ifndef MOSHC_CRYPTO_KEY_H
#define MOSHC_CRYPTO_KEY_H

#include <stdint.h>

#define KEY_LEN 16
#define KEY_TEXT_LEN 22

/* Fill key from the OS random source. 0 or ERR_IO. */
int key_generate(uint8_t key[KEY_LEN]);
/* The 22 characters plus NUL. */
void key_encode(const uint8_t key[KEY_LEN], char out[KEY_TEXT_LEN + 1]);
/*
 * Parse exactly 22 characters of A-Z a-z 0-9 + / (no padding, no whitespace)
 * whose last character is one of A Q g w. 0, or ERR_INVAL (key untouched).
 */
int key_parse(const char *s, uint8_t key[KEY_LEN]);

#endif
