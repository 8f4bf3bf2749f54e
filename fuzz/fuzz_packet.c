/*
 * pkt_open on arbitrary datagrams under a fixed key, server side (accepts
 * direction 0, seals direction 1). Input: one flag byte (bit 0 = ECN CE), then the datagram.
 * Seeds are real sealed datagrams so mutations explore the authenticated
 * path's neighbourhood; every outcome must be a clean accept or a counted drop.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "net/pkt.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The key every seed in fuzz/corpus/fuzz_packet was sealed with. */
static const uint8_t fuzz_key[16] = "mosh-c fuzz key!";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt_session *s;
	struct buf payload;
	bool in_order;
	const struct pkt_stats *st;
	int rc;

	if (size < 1)
		return 0;
	/* A fresh session per input keeps every run reproducible. */
	s = pkt_session_new(fuzz_key, PKT_TO_CLIENT);
	buf_init(&payload);
	rc = pkt_open_ecn(s, 1000, data + 1, size - 1, data[0] & 1, &payload, &in_order);
	st = pkt_get_stats(s);
	/* Either accepted with its payload, or dropped, counted once and empty. */
	if (rc == 0 ? payload.len + 28 != size - 1 || !in_order
	            : payload.len != 0 || st->too_short + st->oversize + st->bad_tag +
	                                          st->wrong_dir + st->short_plain !=
	                                      1)
		abort();
	buf_fini(&payload);
	pkt_session_free(s);
	return 0;
}
