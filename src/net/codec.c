/*
 * The instruction pipeline (see codec.h). Scratch buffers live in the codec
 * and are reused, so a steady stream of instructions allocates nothing new
 * once the buffers have reached the size of the largest instruction.
 */
#include "net/codec.h"

#include <stdlib.h>

#include "net/compress.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/xmalloc.h"

struct codec {
	struct compress *z;
	struct frag_sender *sender;
	struct frag_assembly *assembly;
	struct buf plain;  /* serialized instruction */
	struct buf packed; /* compressed instruction */
	struct codec_stats stats;
};

struct codec *codec_new(void)
{
	struct codec *c = xcalloc(1, sizeof *c);

	c->z = compress_new();
	c->sender = frag_sender_new();
	c->assembly = frag_assembly_new();
	buf_init(&c->plain);
	buf_init(&c->packed);
	return c;
}

void codec_free(struct codec *c)
{
	if (c == NULL)
		return;
	compress_free(c->z);
	frag_sender_free(c->sender);
	frag_assembly_free(c->assembly);
	buf_fini(&c->plain);
	buf_fini(&c->packed);
	free(c);
}

int codec_send(struct codec *c, const struct msg_instruction *in, size_t chunk_max,
               frag_emit_fn emit, void *user)
{
	int rc;

	msg_instruction_encode(in, &c->plain);
	rc = compress_deflate(c->z, c->plain.data, c->plain.len, &c->packed);
	if (rc < 0)
		return rc;
	rc = frag_split(c->sender, c->packed.data, c->packed.len, chunk_max, emit, user);
	if (rc >= 0)
		c->stats.sent++;
	return rc;
}

int codec_receive(struct codec *c, const uint8_t *payload, size_t len, struct msg_instruction *out)
{
	int rc;

	*out = (struct msg_instruction){0};
	rc = frag_add(c->assembly, payload, len, &c->packed);
	if (rc < 0) {
		c->stats.bad_fragment++;
		return rc;
	}
	if (rc == 0)
		return 0;
	rc = compress_inflate(c->z, c->packed.data, c->packed.len, &c->plain);
	if (rc < 0) {
		if (rc == ERR_RANGE)
			c->stats.too_big++;
		else
			c->stats.bad_zlib++;
		return rc;
	}
	rc = msg_instruction_decode(c->plain.data, c->plain.len, out);
	if (rc < 0) {
		if (rc == ERR_PROTO)
			c->stats.bad_version++;
		else
			c->stats.bad_protobuf++;
		return rc;
	}
	c->stats.received++;
	return 1;
}

const struct codec_stats *codec_get_stats(const struct codec *c)
{
	return &c->stats;
}

const struct frag_stats *codec_frag_stats(const struct codec *c)
{
	return frag_get_stats(c->assembly);
}
