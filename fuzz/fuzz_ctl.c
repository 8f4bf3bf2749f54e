/*
 * The control protocol's decoders on arbitrary bytes (a session reads
 * requests from any process of the user; `mosh-server list` reads replies).
 * Whatever either decoder accepts must encode back to the very same bytes:
 * the layout is canonical, so nothing a decoder lets through can carry
 * smuggled bytes. The input is tried whole and as its leading request- and
 * reply-sized windows, so seeds with trailing bytes still reach the fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void try_request(const uint8_t *data, size_t size)
{
	struct ctl_request rq;
	uint8_t out[CTL_REQUEST_SIZE];

	if (ctl_request_decode(data, size, &rq) != 0)
		return;
	if (ctl_request_encode(&rq, out, sizeof out) != size || memcmp(out, data, size) != 0)
		abort();
}

static void try_reply(const uint8_t *data, size_t size)
{
	struct ctl_reply rp;
	uint8_t out[CTL_REPLY_SIZE];

	if (ctl_reply_decode(data, size, &rp) != 0)
		return;
	if (ctl_reply_encode(&rp, out, sizeof out) != size || memcmp(out, data, size) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	try_request(data, size);
	try_reply(data, size);
	if (size > CTL_REQUEST_SIZE)
		try_request(data, CTL_REQUEST_SIZE);
	if (size > CTL_REPLY_SIZE)
		try_reply(data, CTL_REPLY_SIZE);
	return 0;
}
