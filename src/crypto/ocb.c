/*
 * AES-128-OCB3 through OpenSSL EVP. Each struct ocb owns two cipher contexts
 * keyed once (key schedule and OCB's L table are computed then); a seal or
 * open only installs the nonce, so the per-packet cost is the cipher itself.
 * Invariant: blocks never exceeds OCB_BLOCK_LIMIT; a seal that would
 * cross it is refused before any output.
 */
#include "crypto/ocb.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/xmalloc.h"

struct ocb {
	EVP_CIPHER_CTX *enc;
	EVP_CIPHER_CTX *dec;
	uint64_t blocks;
};

/* Prepare ctx for AES-128-OCB, 12-byte nonces, 16-byte tags, and key it. */
static EVP_CIPHER_CTX *keyed_ctx(const uint8_t key[16], int encrypt)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	if (ctx == NULL ||
	    EVP_CipherInit_ex(ctx, EVP_aes_128_ocb(), NULL, NULL, NULL, encrypt) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, OCB_NONCE_LEN, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, OCB_TAG_LEN, NULL) != 1 ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, key, NULL, encrypt) != 1) {
		/* An OpenSSL without AES-OCB cannot speak mosh at all. */
		fprintf(stderr, "mosh-c: OpenSSL does not provide AES-128-OCB\n");
		abort();
	}
	return ctx;
}

struct ocb *ocb_new(const uint8_t key[16])
{
	struct ocb *o = xcalloc(1, sizeof *o);

	o->enc = keyed_ctx(key, 1);
	o->dec = keyed_ctx(key, 0);
	return o;
}

void ocb_free(struct ocb *o)
{
	if (o == NULL)
		return;
	/* EVP_CIPHER_CTX_free cleanses the key schedule it holds. */
	EVP_CIPHER_CTX_free(o->enc);
	EVP_CIPHER_CTX_free(o->dec);
	OPENSSL_cleanse(o, sizeof *o);
	free(o);
}

/* Feed associated data (no output) into an initialised context. */
static int feed_ad(EVP_CIPHER_CTX *ctx, const uint8_t *ad, size_t ad_len)
{
	int outl;

	if (ad_len == 0)
		return 0;
	if (ad_len > INT_MAX || EVP_CipherUpdate(ctx, NULL, &outl, ad, (int)ad_len) != 1)
		return ERR_CRYPTO;
	return 0;
}

int ocb_seal_ad(struct ocb *o, const uint8_t nonce[12], const uint8_t *ad, size_t ad_len,
                const uint8_t *pt, size_t len, uint8_t *out)
{
	uint64_t blocks = (uint64_t)len / 16 + (len % 16 != 0);
	int outl = 0, finl = 0;

	if (len > INT_MAX - OCB_TAG_LEN || blocks > OCB_BLOCK_LIMIT - o->blocks)
		return ERR_RANGE;
	if (EVP_EncryptInit_ex(o->enc, NULL, NULL, NULL, nonce) != 1 ||
	    feed_ad(o->enc, ad, ad_len) < 0)
		return ERR_CRYPTO;
	if (len > 0 && EVP_EncryptUpdate(o->enc, out, &outl, pt, (int)len) != 1)
		return ERR_CRYPTO;
	if (EVP_EncryptFinal_ex(o->enc, out + outl, &finl) != 1 || (size_t)outl + finl != len ||
	    EVP_CIPHER_CTX_ctrl(o->enc, EVP_CTRL_AEAD_GET_TAG, OCB_TAG_LEN, out + len) != 1)
		return ERR_CRYPTO;
	o->blocks += blocks;
	return 0;
}

int ocb_open_ad(struct ocb *o, const uint8_t nonce[12], const uint8_t *ad, size_t ad_len,
                const uint8_t *ct, size_t len, uint8_t *out)
{
	uint8_t tag[OCB_TAG_LEN];
	size_t body;
	int outl = 0, finl = 0;

	if (len < OCB_TAG_LEN || len > INT_MAX)
		return ERR_CRYPTO;
	body = len - OCB_TAG_LEN;
	/* Copied first: with ct == out the tag must survive the decryption. */
	memcpy(tag, ct + body, OCB_TAG_LEN);
	if (EVP_DecryptInit_ex(o->dec, NULL, NULL, NULL, nonce) != 1 ||
	    feed_ad(o->dec, ad, ad_len) < 0)
		return ERR_CRYPTO;
	if (body > 0 && EVP_DecryptUpdate(o->dec, out, &outl, ct, (int)body) != 1)
		return ERR_CRYPTO;
	if (EVP_CIPHER_CTX_ctrl(o->dec, EVP_CTRL_AEAD_SET_TAG, OCB_TAG_LEN, tag) != 1 ||
	    EVP_DecryptFinal_ex(o->dec, out + outl, &finl) != 1 || (size_t)outl + finl != body)
		return ERR_CRYPTO;
	return 0;
}

int ocb_seal(struct ocb *o, const uint8_t nonce[12], const uint8_t *pt, size_t len, uint8_t *out)
{
	return ocb_seal_ad(o, nonce, NULL, 0, pt, len, out);
}

int ocb_open(struct ocb *o, const uint8_t nonce[12], const uint8_t *ct, size_t len, uint8_t *out)
{
	return ocb_open_ad(o, nonce, NULL, 0, ct, len, out);
}

uint64_t ocb_blocks_sealed(const struct ocb *o)
{
	return o->blocks;
}

void ocb_test_set_blocks_sealed(struct ocb *o, uint64_t n)
{
	o->blocks = n;
}
