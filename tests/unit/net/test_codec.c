/*
 * net/codec: instructions through the whole pipeline and back (encode,
 * compress, fragment, seal, open, reassemble, inflate, decode), and the
 * counters for each kind of bad input.
 */
#include "../test.h"
#include "../rng.h"

#include <stdlib.h>

#include "net/codec.h"
#include "net/compress.h"
#include "net/pkt.h"
#include "net/wire.h"
#include "util/bytes.h"
#include "util/err.h"

static const uint8_t key[16] = "0123456789abcdef";

struct link {
	struct pkt_session *tx, *rx;
	struct codec *dst;
	uint64_t now;
	int complete;
	struct buf diff; /* the last diff received */
	uint64_t new_num;
};

/* emit callback: seal the fragment, open it on the other side, feed the codec. */
static int deliver(void *user, const uint8_t *frag, size_t len)
{
	struct link *l = user;
	struct buf d, p;
	struct msg_instruction in;
	bool in_order;
	int rc;

	buf_init(&d);
	buf_init(&p);
	rc = pkt_seal(l->tx, l->now, frag, len, &d);
	if (rc == 0 && d.len > WIRE_MTU_IPV4)
		rc = ERR_RANGE;
	if (rc == 0)
		rc = pkt_open(l->rx, l->now, d.data, d.len, &p, &in_order);
	if (rc == 0)
		rc = codec_receive(l->dst, p.data, p.len, &in);
	if (rc == 1) {
		l->complete++;
		l->new_num = in.new_num;
		buf_clear(&l->diff);
		buf_append(&l->diff, in.diff, in.diff_len);
		msg_instruction_release(&in);
		rc = 0;
	}
	buf_fini(&d);
	buf_fini(&p);
	return rc;
}

TEST(pipeline_round_trip)
{
	struct codec *src = codec_new();
	struct link l = {.tx = pkt_session_new(key, PKT_TO_CLIENT),
	                 .rx = pkt_session_new(key, PKT_TO_SERVER),
	                 .dst = codec_new()};
	static uint8_t diff[200000];
	struct rng r;

	buf_init(&l.diff);
	rng_seed(&r, 1);
	for (int i = 0; i < 30; i++) {
		size_t len = rng_below(&r, sizeof diff);
		uint8_t chaff[16];
		struct msg_instruction in = {.old_num = (uint64_t)i,
		                             .new_num = (uint64_t)i + 1,
		                             .ack_num = 5,
		                             .diff = diff,
		                             .diff_len = len,
		                             .chaff = chaff,
		                             .chaff_len = (size_t)i % 17};
		int n;

		rng_fill(&r, diff, len / 2); /* half noise, half zeros */
		rng_fill(&r, chaff, sizeof chaff);
		n = codec_send(src, &in, WIRE_FRAG_CHUNK_MAX(WIRE_MTU_IPV4), deliver, &l);
		CHECK(n >= 1);
		CHECK_EQ_INT(l.complete, i + 1);
		CHECK_EQ_U64(l.new_num, (uint64_t)i + 1);
		CHECK_EQ_INT(l.diff.len, len);
		CHECK_EQ_MEM(l.diff.data, diff, len);
	}
	CHECK_EQ_U64(codec_get_stats(src)->sent, 30);
	CHECK_EQ_U64(codec_get_stats(l.dst)->received, 30);
	buf_fini(&l.diff);
	codec_free(src);
	codec_free(l.dst);
	pkt_session_free(l.tx);
	pkt_session_free(l.rx);
}

/* A one-fragment instruction carrying arbitrary (already compressed) bytes. */
static size_t raw_fragment(uint8_t *out, uint64_t id, const uint8_t *z, size_t n)
{
	be64_put(out, id);
	be16_put(out + 8, 0x8000);
	memcpy(out + 10, z, n);
	return 10 + n;
}

TEST(bad_inputs_are_counted)
{
	struct codec *c = codec_new();
	struct compress *z = compress_new();
	struct msg_instruction in;
	static uint8_t frag[64 + 20000];
	static uint8_t zeros[5 * 1024 * 1024];
	struct buf zb;
	size_t n;

	buf_init(&zb);
	CHECK_EQ_INT(codec_receive(c, frag, 3, &in), ERR_INVAL);
	CHECK_EQ_U64(codec_get_stats(c)->bad_fragment, 1);
	CHECK_EQ_U64(codec_frag_stats(c)->too_short, 1);

	n = raw_fragment(frag, 1, (const uint8_t *)"not zlib", 8);
	CHECK_EQ_INT(codec_receive(c, frag, n, &in), ERR_INVAL);
	CHECK_EQ_U64(codec_get_stats(c)->bad_zlib, 1);

	compress_deflate(z, zeros, sizeof zeros, &zb);
	CHECK(zb.len < 20000);
	n = raw_fragment(frag, 2, zb.data, zb.len);
	CHECK_EQ_INT(codec_receive(c, frag, n, &in), ERR_RANGE);
	CHECK_EQ_U64(codec_get_stats(c)->too_big, 1);

	compress_deflate(z, (const uint8_t *)"\xff\xff\xff", 3, &zb);
	n = raw_fragment(frag, 3, zb.data, zb.len);
	CHECK_EQ_INT(codec_receive(c, frag, n, &in), ERR_INVAL);
	CHECK_EQ_U64(codec_get_stats(c)->bad_protobuf, 1);

	compress_deflate(z, (const uint8_t *)"\x08\x01\x18\x01", 4, &zb);
	n = raw_fragment(frag, 4, zb.data, zb.len);
	CHECK_EQ_INT(codec_receive(c, frag, n, &in), ERR_PROTO);
	CHECK_EQ_U64(codec_get_stats(c)->bad_version, 1);

	compress_deflate(z, (const uint8_t *)"\x08\x02\x18\x07", 4, &zb);
	n = raw_fragment(frag, 5, zb.data, zb.len);
	CHECK_EQ_INT(codec_receive(c, frag, n, &in), 1);
	CHECK_EQ_U64(in.new_num, 7);
	msg_instruction_release(&in);
	CHECK_EQ_U64(codec_get_stats(c)->received, 1);
	buf_fini(&zb);
	compress_free(z);
	codec_free(c);
}

int main(void)
{
	RUN(pipeline_round_trip);
	RUN(bad_inputs_are_counted);
	return test_done();
}
