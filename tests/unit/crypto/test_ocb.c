/*
 * crypto/ocb: RFC 7253 Appendix A (all 16 AEAD_AES_128_OCB_TAGLEN128 samples),
 * the RFC 7253 iterated test, the iterated validation of Krovetz's reference
 * code (draft-krovetz-ocb-03, the code mosh ships), tamper rejection, in-place
 * operation and the 2^47-block limit.
 */
#include "../test.h"
#include "../hex.h"

#include "crypto/ocb.h"
#include "util/err.h"

/* Appendix A: nonce BBAA99887766554433221100 + n; A and P are prefixes of 00 01 02 ... */
static const struct {
	uint8_t n;
	size_t alen, plen;
	const char *c;
} rfc_vectors[] = {
    {0x0, 0, 0, "785407BFFFC8AD9EDCC5520AC9111EE6"},
    {0x1, 8, 8, "6820B3657B6F615A5725BDA0D3B4EB3A257C9AF1F8F03009"},
    {0x2, 8, 0, "81017F8203F081277152FADE694A0A00"},
    {0x3, 0, 8, "45DD69F8F5AAE72414054CD1F35D82760B2CD00D2F99BFA9"},
    {0x4, 16, 16, "571D535B60B277188BE5147170A9A22C3AD7A4FF3835B8C5701C1CCEC8FC3358"},
    {0x5, 16, 0, "8CF761B6902EF764462AD86498CA6B97"},
    {0x6, 0, 16, "5CE88EC2E0692706A915C00AEB8B2396F40E1C743F52436BDF06D8FA1ECA343D"},
    {0x7, 24, 24,
     "1CA2207308C87C010756104D8840CE1952F09673A448A122C92C62241051F57356D7F3C90BB0E07F"},
    {0x8, 24, 0, "6DC225A071FC1B9F7C69F93B0F1E10DE"},
    {0x9, 0, 24,
     "221BD0DE7FA6FE993ECCD769460A0AF2D6CDED0C395B1C3CE725F32494B9F914D85C0B1EB38357FF"},
    {0xA, 32, 32,
     "BD6F6C496201C69296C11EFD138A467ABD3C707924B964DEAFFC40319AF5A485"
     "40FBBA186C5553C68AD9F592A79A4240"},
    {0xB, 32, 0, "FE80690BEE8A485D11F32965BC9D2A32"},
    {0xC, 0, 32,
     "2942BFC773BDA23CABC6ACFD9BFD5835BD300F0973792EF46040C53F1432BCDF"
     "B5E1DDE3BC18A5F840B52E653444D5DF"},
    {0xD, 40, 40,
     "D5CA91748410C1751FF8A2F618255B68A0A12E093FF454606E59F9C1D0DDC54B"
     "65E8628E568BAD7AED07BA06A4A69483A7035490C5769E60"},
    {0xE, 40, 0, "C5CD9D1850C141E358649994EE701B68"},
    {0xF, 0, 40,
     "4412923493C57D5DE0D700F753CCE0D1D2D95060122E9F15A5DDBFC5787E50B5"
     "CC55EE507BCB084E479AD363AC366B95A98CA5F3000B1479"},
};

static void seq_bytes(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)i;
}

TEST(rfc7253_appendix_a)
{
	uint8_t key[16], nonce[12], data[40], want[56], got[56], back[40];
	struct ocb *o;

	seq_bytes(key, 16);
	seq_bytes(data, 40);
	hex_decode("BBAA99887766554433221100", nonce, sizeof nonce);
	/* One object for all vectors: keyed once, re-nonced per call, as pkt does. */
	o = ocb_new(key);
	for (size_t i = 0; i < sizeof rfc_vectors / sizeof rfc_vectors[0]; i++) {
		size_t clen = hex_decode(rfc_vectors[i].c, want, sizeof want);
		size_t plen = rfc_vectors[i].plen, alen = rfc_vectors[i].alen;

		CHECK_EQ_INT(clen, plen + 16);
		nonce[11] = rfc_vectors[i].n;
		CHECK_EQ_INT(ocb_seal_ad(o, nonce, data, alen, data, plen, got), 0);
		CHECK_EQ_MEM(got, want, clen);
		CHECK_EQ_INT(ocb_open_ad(o, nonce, data, alen, got, clen, back), 0);
		CHECK_EQ_MEM(back, data, plen);
		/* Any change to the tag, the ciphertext or the data must be caught. */
		got[clen - 1] ^= 1;
		CHECK_EQ_INT(ocb_open_ad(o, nonce, data, alen, got, clen, back), ERR_CRYPTO);
		got[clen - 1] ^= 1;
		if (plen > 0) {
			got[0] ^= 0x80;
			CHECK_EQ_INT(ocb_open_ad(o, nonce, data, alen, got, clen, back),
			             ERR_CRYPTO);
			got[0] ^= 0x80;
		}
		if (alen > 0)
			CHECK_EQ_INT(ocb_open_ad(o, nonce, data, alen - 1, got, clen, back),
			             ERR_CRYPTO);
		/* Without associated data ocb_seal must agree with ocb_seal_ad. */
		if (alen == 0) {
			CHECK_EQ_INT(ocb_seal(o, nonce, data, plen, got), 0);
			CHECK_EQ_MEM(got, want, clen);
			CHECK_EQ_INT(ocb_open(o, nonce, got, clen, back), 0);
			CHECK_EQ_MEM(back, data, plen);
		}
	}
	ocb_free(o);
}

/* RFC 7253 §A iterated test for AEAD_AES_128_OCB_TAGLEN128. */
TEST(rfc7253_iterated)
{
	static uint8_t c[22400];
	uint8_t key[16] = {0}, zeros[128] = {0}, nonce[12] = {0}, tag[16], want[16];
	size_t n = 0;
	struct ocb *o;

	key[15] = 128; /* num2str(TAGLEN, 8) */
	o = ocb_new(key);
	for (unsigned i = 0; i < 128; i++) {
		nonce[10] = (uint8_t)((3 * i + 1) >> 8);
		nonce[11] = (uint8_t)(3 * i + 1);
		CHECK_EQ_INT(ocb_seal_ad(o, nonce, zeros, i, zeros, i, c + n), 0);
		n += i + 16;
		nonce[10] = (uint8_t)((3 * i + 2) >> 8);
		nonce[11] = (uint8_t)(3 * i + 2);
		CHECK_EQ_INT(ocb_seal_ad(o, nonce, NULL, 0, zeros, i, c + n), 0);
		n += i + 16;
		nonce[10] = (uint8_t)((3 * i + 3) >> 8);
		nonce[11] = (uint8_t)(3 * i + 3);
		CHECK_EQ_INT(ocb_seal_ad(o, nonce, zeros, i, NULL, 0, c + n), 0);
		n += 16;
	}
	CHECK_EQ_INT(n, sizeof c);
	nonce[10] = 385 >> 8;
	nonce[11] = 385 & 0xFF;
	CHECK_EQ_INT(ocb_seal_ad(o, nonce, c, n, NULL, 0, tag), 0);
	hex_decode("67E944D23256C5E0B6C61FA22FDF1EA2", want, sizeof want);
	CHECK_EQ_MEM(tag, want, 16);
	ocb_free(o);
}

/*
 * The validation of Krovetz's OCB reference code (the ocb.c of
 * draft-krovetz-ocb-03 that mosh ships as ocb_internal.cc): all-zero key,
 * 12-byte nonce 00..00 i, for i in 0..127 append E(P=A=0^i), E(P=0^i, A=""),
 * E(P="", A=0^i), then the tag of E(N=0, P="", A=everything).
 */
TEST(krovetz_iterated)
{
	static uint8_t c[22400];
	uint8_t key[16] = {0}, zeros[128] = {0}, nonce[12] = {0}, tag[16], want[16];
	size_t n = 0;
	struct ocb *o = ocb_new(key);

	for (unsigned i = 0; i < 128; i++) {
		nonce[11] = (uint8_t)i;
		CHECK_EQ_INT(ocb_seal_ad(o, nonce, zeros, i, zeros, i, c + n), 0);
		n += i + 16;
		CHECK_EQ_INT(ocb_seal_ad(o, nonce, NULL, 0, zeros, i, c + n), 0);
		n += i + 16;
		CHECK_EQ_INT(ocb_seal_ad(o, nonce, zeros, i, NULL, 0, c + n), 0);
		n += 16;
	}
	nonce[11] = 0;
	CHECK_EQ_INT(ocb_seal_ad(o, nonce, c, n, NULL, 0, tag), 0);
	hex_decode("B2B41CBF9B05037DA7F16C24A35C1C94", want, sizeof want);
	CHECK_EQ_MEM(tag, want, 16);
	ocb_free(o);
}

TEST(in_place_and_lengths)
{
	uint8_t key[16], nonce[12] = {0}, buf[1100], orig[1100];
	struct ocb *o;

	seq_bytes(key, 16);
	o = ocb_new(key);
	for (size_t len = 0; len <= 1084; len += 17) {
		for (size_t i = 0; i < len; i++)
			orig[i] = buf[i] = (uint8_t)(i * 7 + len);
		nonce[0] = (uint8_t)len;
		CHECK_EQ_INT(ocb_seal(o, nonce, buf, len, buf), 0);
		CHECK_EQ_INT(ocb_open(o, nonce, buf, len + 16, buf), 0);
		CHECK_EQ_MEM(buf, orig, len);
	}
	CHECK_EQ_INT(ocb_open(o, nonce, buf, 15, buf), ERR_CRYPTO);
	ocb_free(o);
}

TEST(wrong_key_or_nonce_rejected)
{
	uint8_t k1[16] = {1}, k2[16] = {2}, nonce[12] = {0}, pt[20] = "hello", ct[36], out[20];
	struct ocb *a = ocb_new(k1), *b = ocb_new(k2);

	CHECK_EQ_INT(ocb_seal(a, nonce, pt, sizeof pt, ct), 0);
	CHECK_EQ_INT(ocb_open(b, nonce, ct, sizeof ct, out), ERR_CRYPTO);
	nonce[11] = 1;
	CHECK_EQ_INT(ocb_open(a, nonce, ct, sizeof ct, out), ERR_CRYPTO);
	/* A failure leaves the object usable. */
	nonce[11] = 0;
	CHECK_EQ_INT(ocb_open(a, nonce, ct, sizeof ct, out), 0);
	CHECK_EQ_MEM(out, pt, sizeof pt);
	ocb_free(a);
	ocb_free(b);
}

TEST(block_limit)
{
	uint8_t key[16] = {0}, nonce[12] = {0}, pt[33] = {0}, ct[49];
	struct ocb *o = ocb_new(key);

	CHECK_EQ_INT(ocb_seal(o, nonce, pt, 33, ct), 0);
	CHECK_EQ_U64(ocb_blocks_sealed(o), 3); /* a partial block counts as one */
	CHECK_EQ_INT(ocb_seal(o, nonce, pt, 0, ct), 0);
	CHECK_EQ_U64(ocb_blocks_sealed(o), 3);
	ocb_test_set_blocks_sealed(o, OCB_BLOCK_LIMIT - 2);
	CHECK_EQ_INT(ocb_seal(o, nonce, pt, 17, ct), 0);
	CHECK_EQ_U64(ocb_blocks_sealed(o), OCB_BLOCK_LIMIT);
	CHECK_EQ_INT(ocb_seal(o, nonce, pt, 1, ct), ERR_RANGE);
	CHECK_EQ_U64(ocb_blocks_sealed(o), OCB_BLOCK_LIMIT);
	/* Opening is not limited. */
	ocb_test_set_blocks_sealed(o, 0);
	CHECK_EQ_INT(ocb_seal(o, nonce, pt, 5, ct), 0);
	ocb_test_set_blocks_sealed(o, OCB_BLOCK_LIMIT);
	CHECK_EQ_INT(ocb_open(o, nonce, ct, 21, pt), 0);
	ocb_free(o);
}

int main(void)
{
	RUN(rfc7253_appendix_a);
	RUN(rfc7253_iterated);
	RUN(krovetz_iterated);
	RUN(in_place_and_lengths);
	RUN(wrong_key_or_nonce_rejected);
	RUN(block_limit);
	return test_done();
}
