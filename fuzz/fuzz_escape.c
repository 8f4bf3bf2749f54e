/*
 * The client's escape-key state machine on arbitrary keystrokes (user input),
 * under a configuration chosen by the first byte (default Ctrl-^, a printable
 * key, disabled). It must always make progress, consume everything it is
 * given, and never send more than two bytes for one typed byte.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "client/escape.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const envs[] = {NULL, "~", "", "\x02", "\x7f", "too long", "\x0d"};
	struct esc_cfg cfg;
	struct esc_state st;
	struct buf send;
	size_t off = 1;

	if (size == 0)
		return 0;
	esc_cfg_init(&cfg, envs[data[0] % (sizeof envs / sizeof envs[0])]);
	esc_init(&st, &cfg);
	buf_init(&send);
	while (off < size) {
		struct esc_result r = esc_feed(&st, data + off, size - off, &send);

		if (r.consumed == 0 || r.consumed > size - off)
			abort();
		off += r.consumed;
	}
	if (send.len > 2 * (size - 1))
		abort();
	buf_fini(&send);
	return 0;
}
