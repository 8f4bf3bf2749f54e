/*
 * The SSP receive path with the user stream as the remote state: a sequence
 * of instructions from a hostile peer (any numbers, any diff bytes) must never
 * crash, must keep the received list non-empty and bounded, and ticks in
 * between must keep the sender's invariants. Input: records of
 *   old(1) new(1) ack(1) throwaway(1) difflen(2, big-endian) diff(difflen)
 * where a number byte 0xFF stands for the shutdown state 2^64-1; the clock
 * advances 7 ms per record.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "ssp/ssp.h"
#include "state/userstream.h"
#include "util/bytes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void no_send(void *arg, uint64_t now, const struct ssp_instruction *in)
{
	if (in->old_num < in->throwaway_num || in->chaff_len > SSP_CHAFF_MAX)
		abort();
}

static void zero_random(void *arg, void *out, size_t len)
{
	for (size_t i = 0; i < len; i++)
		((uint8_t *)out)[i] = (uint8_t)i;
}

static uint64_t num(uint8_t b)
{
	return b == 0xFF ? SSP_NUM_SHUTDOWN : b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ssp_config cfg = {
	    .local_ops = &userstream_ops,
	    .local_initial = userstream_new(),
	    .remote_ops = &userstream_ops,
	    .remote_initial = userstream_new(),
	    .send_mindelay = SSP_SEND_MINDELAY_SERVER,
	    .send = no_send,
	    .random = zero_random,
	};
	struct ssp *s = ssp_new(&cfg, 0);
	struct userstream *prev = userstream_new();
	struct rd r;
	uint64_t now = 0, first, end;

	rd_init(&r, data, size);
	while (r.left >= 6) {
		struct ssp_instruction in = {0};
		const uint8_t *h = rd_bytes(&r, 4);
		size_t n = rd_u16(&r);

		in.old_num = num(h[0]);
		in.new_num = num(h[1]);
		in.ack_num = num(h[2]);
		in.throwaway_num = num(h[3]);
		if (n > r.left)
			n = r.left;
		in.diff = rd_bytes(&r, n);
		in.diff_len = n;
		now += 7;
		ssp_receive(s, now, &in);
		if (ssp_received_count(s) == 0 || ssp_received_count(s) > 300)
			abort();
		/* The server application's view: prefix or a detected violation. */
		if (userstream_since(ssp_remote(s), prev, &first, &end) == 0) {
			userstream_free(prev);
			prev = userstream_copy(ssp_remote(s));
		}
		userstream_push_bytes(ssp_current(s), h, 1);
		ssp_tick(s, now);
		if (ssp_sent_count(s) == 0 || ssp_sent_count(s) > SSP_SENT_STATES_MAX)
			abort();
	}
	userstream_free(prev);
	ssp_free(s);
	return 0;
}
