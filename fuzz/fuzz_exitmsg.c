/*
 * The client's parting words on a server's input: the notice text of an
 * exit status (remote bytes) and the last screen painted again from a
 * framebuffer the server's output made. Input: one byte n, then n bytes of
 * notice text, then terminal output for a small emulator. The status must be
 * 0..255, and the painted screen may hold only text (no C0, DEL or C1
 * controls), SGR sequences (sub-parameters included) and line feeds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/exitmsg.h"
#include "net/wire.h"
#include "term/emu.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * One SGR sequence at p (ESC [ digits, ';' and ':' then m): its length, else
 * 0. ':' separates sub-parameters, as in the underline styles ("4:3", curly).
 */
static size_t sgr_len(const uint8_t *p, size_t n)
{
	size_t i = 2;

	if (n < 3 || p[0] != 0x1B || p[1] != '[')
		return 0;
	while (i < n && ((p[i] >= '0' && p[i] <= '9') || p[i] == ';' || p[i] == ':'))
		i++;
	return i < n && p[i] == 'm' ? i + 1 : 0;
}

static void check_painted(const struct buf *b)
{
	for (size_t i = 0; i < b->len;) {
		uint8_t c = b->data[i];
		size_t sgr = sgr_len(b->data + i, b->len - i);

		if (sgr > 0) {
			i += sgr;
			continue;
		}
		if ((c < 0x20 && c != '\n') || c == 0x7F)
			abort();
		if (c == 0xC2 && i + 1 < b->len && b->data[i + 1] >= 0x80 && b->data[i + 1] < 0xA0)
			abort();
		i++;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[WIRE_NOTICE_TEXT_MAX + 1];
	size_t n;
	struct emu *e;
	struct buf out;
	int status;

	if (size == 0)
		return 0;
	n = data[0] < size - 1 ? data[0] : size - 1;
	if (n > WIRE_NOTICE_TEXT_MAX)
		n = WIRE_NOTICE_TEXT_MAX;
	memcpy(text, data + 1, n);
	text[n] = '\0';
	status = exitmsg_status(true, WIRE_NOTICE_EXITED, text);
	if (status < 0 || status > 255 || exitmsg_status(false, WIRE_NOTICE_EXITED, text) != 1)
		abort();

	e = emu_new(24, 6);
	emu_write(e, data + 1 + n, size - 1 - n);
	buf_init(&out);
	exitmsg_screen(&out, emu_fb(e));
	check_painted(&out);
	buf_clear(&out);
	exitmsg_park(&out, emu_fb(e));
	buf_fini(&out);
	emu_free(e);
	return 0;
}
