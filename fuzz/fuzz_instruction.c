/*
 * The receive path after reassembly: inflate (bounded), decode the
 * Instruction, then decode its diff both as a UserMessage and as a
 * HostMessage. Input: one mode byte (bit 0 set = the rest is an uncompressed
 * protobuf, so the fuzzer reaches the decoders without solving zlib), then
 * the bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "net/compress.h"
#include "net/msg.h"
#include "net/wire.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode_diffs(const uint8_t *p, size_t n)
{
	struct msg_user u;
	struct msg_host h;

	if (msg_user_decode(p, n, &u) == 0) {
		for (size_t i = 0; i < u.n_events; i++)
			if (u.events[i].kind == MSG_USER_KEYS && u.events[i].keys_len > n)
				abort();
	}
	msg_user_release(&u);
	if (msg_host_decode(p, n, &h) == 0) {
		for (size_t i = 0; i < h.n_events; i++)
			if (h.events[i].kind == MSG_HOST_BYTES && h.events[i].bytes_len > n)
				abort();
	}
	msg_host_release(&h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct compress *z;
	struct msg_instruction in;
	struct buf plain;
	const uint8_t *p;
	size_t n;

	if (size < 1)
		return 0;
	if (z == NULL)
		z = compress_new();
	buf_init(&plain);
	if (data[0] & 1) {
		p = data + 1;
		n = size - 1;
	} else {
		if (compress_inflate(z, data + 1, size - 1, &plain) != 0) {
			buf_fini(&plain);
			return 0;
		}
		if (plain.len > WIRE_INFLATE_MAX)
			abort();
		p = plain.data;
		n = plain.len;
	}
	if (msg_instruction_decode(p, n, &in) == 0) {
		if (in.protocol_version != WIRE_PROTOCOL_VERSION)
			abort();
		decode_diffs(in.diff, in.diff_len);
	}
	msg_instruction_release(&in);
	decode_diffs(p, n);
	buf_fini(&plain);
	return 0;
}
