/*
 * The DEC parser alone. The first byte picks how the rest becomes code
 * points: UTF-8 decoded (as the emulator does) or each byte as a code point
 * (so C1 controls U+0080–U+009F reach every state). The callbacks check the
 * parser's bounds on every dispatch.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "term/utf8.h"
#include "term/vtparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct vtparse *p)
{
	size_t n;

	vtparse_collected(p, &n);
	if (n > VTPARSE_MAX_COLLECT || vtparse_nparams(p) < 1 ||
	    vtparse_nparams(p) > VTPARSE_MAX_PARAMS)
		abort();
	for (int i = 0; i < vtparse_nparams(p); i++) {
		int v = vtparse_param(p, i, 1);

		if (v < 1 || v > VTPARSE_PARAM_MAX)
			abort();
	}
}

static void on_dispatch(void *user, const struct vtparse *p, uint32_t final)
{
	check(p);
}

static void on_osc_end(void *user, const uint32_t *osc, size_t len)
{
	if (len > VTPARSE_OSC_MAX)
		abort();
}

static const struct vtparse_cb cbs = {
    .esc_dispatch = on_dispatch,
    .csi_dispatch = on_dispatch,
    .hook = on_dispatch,
    .osc_end = on_osc_end,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vtparse p;
	struct utf8_dec d;

	if (size == 0)
		return 0;
	vtparse_init(&p, &cbs, NULL);
	utf8_init(&d);
	for (size_t i = 1; i < size; i++) {
		if (data[0] & 1) {
			vtparse_feed(&p, data[i]);
		} else {
			uint32_t cps[2];
			int n = utf8_feed(&d, data[i], cps);

			for (int k = 0; k < n; k++)
				vtparse_feed(&p, cps[k]);
		}
	}
	if (p.state >= VTP_NSTATES)
		abort();
	return 0;
}
