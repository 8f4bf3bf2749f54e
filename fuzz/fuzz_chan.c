/*
 * The channel part as a receiver sees it (chan/chanset.h) and the channel
 * table reading it (chan/chan.h). Input: one byte choosing who sent it (bit
 * 0: the client), then messages, each a two-byte big-endian length and a
 * serialized Channels message. Each is applied to the received part: a
 * rejected one must leave it unchanged; an accepted one must survive a
 * diff/apply round trip onto a copy of the part before it. After each, the
 * table takes the part in, answers every new channel (accepting odd-numbered
 * ones), delivers everything it can and sends a little, within its room.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "chan/chan.h"
#include "chan/chanset.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(struct chan *c, const struct chanset *remote)
{
	uint32_t id;

	chan_sync(c, remote, NULL);
	while ((id = chan_next_incoming(c)) != 0) {
		if (id % 4 == 1 || id % 4 == 2)
			chan_accept(c, id);
		else
			chan_refuse(c, id, "fuzz");
	}
	for (size_t i = 0; i < chan_count(c); i++) {
		uint32_t cid = chan_id_at(c, i);
		struct chan_status st;
		const uint8_t *p;
		size_t n;

		if (!chan_status(c, cid, &st))
			abort();
		if (st.room > CHAN_WINDOW)
			abort();
		if ((n = chan_peek(c, cid, &p)) > 0) {
			if (n > CHAN_LOG_HELD_MAX)
				abort();
			chan_delivered(c, cid, n);
		}
		if (st.room > 0)
			chan_send(c, cid, "x", 1);
	}
	if (chan_count(c) > 2 * CHAN_MAX)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chanset *part, *local;
	struct chan *c;
	bool from_client;
	size_t at = 1;

	if (size < 1)
		return 0;
	from_client = data[0] & 1;
	part = chanset_new();
	local = chanset_new();
	c = chan_new(local, !from_client);
	while (at + 2 <= size) {
		size_t len = (size_t)data[at] << 8 | data[at + 1];
		struct chanset *before = chanset_copy(part);

		at += 2;
		if (len > size - at)
			len = size - at;
		if (chanset_apply(part, data + at, len, from_client) < 0) {
			if (!chanset_equal(part, before))
				abort();
		} else {
			struct chanset *again = chanset_copy(before);
			struct buf d;

			buf_init(&d);
			chanset_diff(before, part, &d);
			if (chanset_apply(again, d.data, d.len, from_client) < 0 ||
			    !chanset_equal(again, part))
				abort();
			buf_fini(&d);
			chanset_free(again);
			exercise(c, part);
		}
		chanset_free(before);
		at += len;
	}
	chan_free(c);
	chanset_free(local);
	chanset_free(part);
	return 0;
}
