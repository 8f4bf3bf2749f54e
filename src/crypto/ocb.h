/*
 * AES-128-OCB3 (RFC 7253) with a 96-bit nonce, a 128-bit tag appended to the
 * ciphertext and no associated data — the cipher of every mosh datagram
 * (doc/PROTOCOL.md §1.3). OpenSSL's EVP_aes_128_ocb does the work; one encrypt and
 * one decrypt context are keyed once in ocb_new() and only re-nonced per call.
 * The object counts the 16-byte blocks it has sealed and refuses to seal past
 * 2^47 of them (the key-usage limit mosh enforces).
 */
#ifndef MOSHC_CRYPTO_OCB_H
#define MOSHC_CRYPTO_OCB_H

#include <stddef.h>
#include <stdint.h>

#define OCB_KEY_LEN 16
#define OCB_NONCE_LEN 12
#define OCB_TAG_LEN 16
/* Blocks one key may seal (doc/PROTOCOL.md §1.3). */
#define OCB_BLOCK_LIMIT (UINT64_C(1) << 47)

struct ocb;

/* A cipher keyed with key (copied; wiped by ocb_free). Aborts only if OpenSSL lacks OCB. */
struct ocb *ocb_new(const uint8_t key[16]);
void ocb_free(struct ocb *o);

/*
 * Encrypt len bytes of pt into out, which receives len + 16 bytes (ciphertext
 * then tag). 0, or ERR_RANGE past the block limit, ERR_CRYPTO if OpenSSL fails.
 * pt and out may be the same buffer.
 */
int ocb_seal(struct ocb *o, const uint8_t nonce[12], const uint8_t *pt, size_t len, uint8_t *out);

/*
 * Authenticate and decrypt ct (len bytes including the 16-byte tag) into out
 * (len - 16 bytes). 0, or ERR_CRYPTO when len < 16 or the tag does not match;
 * on failure out holds no plaintext worth reading. ct and out may be the same buffer.
 */
int ocb_open(struct ocb *o, const uint8_t nonce[12], const uint8_t *ct, size_t len, uint8_t *out);

/*
 * The same with associated data (authenticated, not encrypted). mosh uses
 * none; these exist so the RFC 7253 vectors, which mostly have some, can be
 * checked against the code path mosh uses.
 */
int ocb_seal_ad(struct ocb *o, const uint8_t nonce[12], const uint8_t *ad, size_t ad_len,
                const uint8_t *pt, size_t len, uint8_t *out);
int ocb_open_ad(struct ocb *o, const uint8_t nonce[12], const uint8_t *ad, size_t ad_len,
                const uint8_t *ct, size_t len, uint8_t *out);

/* 16-byte blocks sealed so far (a partial block counts as one). */
uint64_t ocb_blocks_sealed(const struct ocb *o);
/* Tests only: pretend n blocks were already sealed, to exercise the limit. */
void ocb_test_set_blocks_sealed(struct ocb *o, uint64_t n);

#endif
