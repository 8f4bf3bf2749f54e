/*
 * The instruction pipeline between SSP and the datagram layer, both ways:
 *   send:    Instruction → protobuf → zlib → fragments (→ pkt_seal by the caller)
 *   receive: datagram payload → fragment assembly → inflate → protobuf → Instruction
 * One codec per connection end; it owns the fragment id counter, the single
 * reassembly buffer and the zlib contexts, and counts every dropped input by
 * kind (frag, zlib, protobuf, version) so no failure goes unnoticed.
 */
#ifndef MOSHC_NET_CODEC_H
#define MOSHC_NET_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "net/frag.h"
#include "net/msg.h"

struct codec_stats {
	uint64_t sent;         /* instructions sent */
	uint64_t received;     /* instructions decoded and returned */
	uint64_t bad_fragment; /* fragments dropped (details in frag_stats) */
	uint64_t too_big;      /* inflated size over WIRE_INFLATE_MAX */
	uint64_t bad_zlib;     /* corrupt compressed stream */
	uint64_t bad_protobuf; /* inflated bytes are not an Instruction */
	uint64_t bad_version;  /* protocol_version != 2 */
};

struct codec;

struct codec *codec_new(void);
void codec_free(struct codec *c);

/*
 * Encode, compress and fragment in (its protocol_version is ignored: 2 is
 * sent) with chunks of at most chunk_max bytes — WIRE_FRAG_CHUNK_MAX(mtu) —
 * passing each fragment to emit (which typically seals and sends it). Returns
 * the number of fragments or a negative error (see frag_split). emit must
 * not call back into the same codec (its scratch buffers are in use).
 */
int codec_send(struct codec *c, const struct msg_instruction *in, size_t chunk_max,
               frag_emit_fn emit, void *user);

/*
 * Feed one datagram payload (from pkt_open). 1: an instruction is complete and
 * *out filled (release it with msg_instruction_release); 0: more fragments
 * needed; negative: the input was dropped and counted.
 */
int codec_receive(struct codec *c, const uint8_t *payload, size_t len, struct msg_instruction *out);

/* Borrowed, valid while the codec lives. */
const struct codec_stats *codec_get_stats(const struct codec *c);
const struct frag_stats *codec_frag_stats(const struct codec *c);

#endif
