/*
 * The client's side of the server-to-client state: a HostMessage applied to a
 * terminal state (termstate_apply). Input: two bytes of initial size, then a
 * HostMessage. A message the state rejects must leave it unchanged; one it
 * accepts must leave a well-formed framebuffer whose title and clipboard pass
 * the oscsafe rules, and a copy must compare equal to it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "state/terminal.h"
#include "term/oscsafe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct termstate *s)
{
	const struct fb *fb = termstate_fb(s);
	const struct fb_ds *ds = &fb->ds;

	if (ds->width < 1 || ds->height < 1 || ds->cur_row < 0 || ds->cur_row >= ds->height ||
	    ds->cur_col < 0 || ds->cur_col >= ds->width)
		abort();
	if (!oscsafe_text(fb_str_data(fb->title), fb_str_len(fb->title)) ||
	    !oscsafe_text(fb_str_data(fb->icon), fb_str_len(fb->icon)) ||
	    !oscsafe_clipboard(fb_str_data(fb->clipboard), fb_str_len(fb->clipboard)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct termstate *s, *before, *copy;

	if (size < 2)
		return 0;
	s = termstate_new(1 + data[0] % 120, 1 + data[1] % 60);
	before = termstate_copy(s);
	if (termstate_apply(s, data + 2, size - 2) < 0) {
		if (!termstate_equal(s, before) ||
		    termstate_echo_ack(s) != termstate_echo_ack(before))
			abort();
	} else {
		check(s);
		copy = termstate_copy(s);
		if (!termstate_equal(s, copy))
			abort();
		termstate_free(copy);
	}
	termstate_free(before);
	termstate_free(s);
	return 0;
}
