/*
 * The display differ's round-trip law on fuzzer-chosen screens. Input:
 * [width][height] bytes-for-A [0xFE][width2][height2] bytes-for-B. The server
 * emulator runs A's bytes (screen A), optionally resizes (width2 != 0), then
 * runs B's bytes (screen B). A client emulator is brought to A by a full
 * repaint and then to B by disp_server(A, B), as mosh-client would be by the
 * hoststrings; both steps must reproduce the server's screen exactly
 * (dt_fb_same), stay inside the §6.1 vocabulary and never make the client
 * emulator reply. A terminal painted by the client flavour with screen's
 * capabilities must look like A, then B (dt_fb_looks_same). Any violation
 * aborts, so the fuzzer reports it. data[0] / 100 odd picks the extended
 * server flavour (our renditions, exact); else the plain one, whose diffs stay
 * in mosh 1.4's vocabulary and reproduce B with our renditions masked.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disp_testlib.h"
#include "term/disp.h"
#include "term/emu.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void apply(struct emu *client, unsigned from_bell, const struct fb *want,
                  const struct buf *diff, bool ext, const char *what)
{
	char why[512];
	unsigned before = emu_fb(client)->bell;
	struct tcaps caps;

	/* Compared with every rendition when ext, not through tcaps_server_ext:
	 * the check must not share what it checks. */
	tcaps_server(&caps);
	caps.faint = caps.strike = caps.ul_style = caps.ul_color = caps.links = ext;
	if (!dt_vocab_ok(diff->data, diff->len, ext, why, sizeof(why))) {
		fprintf(stderr, "fuzz_roundtrip: %s: vocabulary: %s\n", what, why);
		abort();
	}
	if (emu_fb(client)->ds.width != want->ds.width ||
	    emu_fb(client)->ds.height != want->ds.height)
		emu_resize(client, want->ds.width, want->ds.height);
	emu_write(client, diff->data, diff->len);
	if (emu_has_replies(client)) {
		fprintf(stderr, "fuzz_roundtrip: %s: the diff made the client reply\n", what);
		abort();
	}
	if ((emu_fb(client)->bell != before) != (from_bell != want->bell)) {
		fprintf(stderr, "fuzz_roundtrip: %s: bell\n", what);
		abort();
	}
	emu_fb_mut(client)->bell = want->bell;
	if (!dt_fb_same(&caps, want, emu_fb(client), why, sizeof(why))) {
		fprintf(stderr, "fuzz_roundtrip: %s: %s\n", what, why);
		abort();
	}
}

/* The client flavour: a terminal with screen's capabilities (no ech, no bce) must look right. */
static void paint(struct emu *term, const struct fb *from, const struct fb *want, const char *what)
{
	static struct tcaps caps;
	static bool loaded;
	char why[512] = "the frame made the terminal reply";
	struct buf d;

	if (!loaded) {
		if (tcaps_load(&caps, "screen", NULL) != 0)
			tcaps_server(&caps);
		caps.exact = false;
		loaded = true;
	}
	buf_init(&d);
	disp_frame(&caps, from, want, from != NULL, &d);
	if (emu_fb(term)->ds.width != want->ds.width || emu_fb(term)->ds.height != want->ds.height)
		emu_resize(term, want->ds.width, want->ds.height);
	emu_write(term, d.data, d.len);
	buf_fini(&d);
	emu_fb_mut(term)->bell = want->bell;
	if (emu_has_replies(term) ||
	    !dt_fb_looks_same(&caps, want, emu_fb(term), why, sizeof(why))) {
		fprintf(stderr, "fuzz_roundtrip: paint %s: %s\n", what, why);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *sep;
	size_t alen;
	int w, h;
	bool ext;
	struct emu *server, *client, *term;
	struct fb *a;
	struct buf d;

	if (size < 2)
		return 0;
	w = 1 + data[0] % 100;
	ext = (data[0] / 100) % 2 == 1;
	h = 1 + data[1] % 40;
	data += 2;
	size -= 2;
	sep = memchr(data, 0xFE, size);
	alen = sep ? (size_t)(sep - data) : size;

	server = emu_new(w, h);
	client = emu_new(w, h);
	buf_init(&d);
	emu_write(server, data, alen);
	a = fb_copy(emu_fb(server));
	disp_server(emu_fb(client), a, false, ext, &d);
	apply(client, emu_fb(client)->bell, a, &d, ext, "repaint A");
	term = emu_new(w, h);
	paint(term, NULL, a, "A");

	if (sep != NULL) {
		const uint8_t *rest = sep + 1;
		size_t rlen = size - alen - 1;

		if (rlen >= 2) {
			if (rest[0] != 0)
				emu_resize(server, 1 + rest[0] % 100, 1 + rest[1] % 40);
			rest += 2;
			rlen -= 2;
		}
		emu_write(server, rest, rlen);
		buf_clear(&d);
		disp_server(a, emu_fb(server), true, ext, &d);
		apply(client, a->bell, emu_fb(server), &d, ext, "diff A->B");
		paint(term, a, emu_fb(server), "A->B");
	}
	fb_free(a);
	buf_fini(&d);
	emu_free(server);
	emu_free(client);
	emu_free(term);
	return 0;
}
