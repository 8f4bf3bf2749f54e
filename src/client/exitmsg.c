/* mosh-client's parting words; see exitmsg.h. */
#include "client/exitmsg.h"

#include "net/wire.h"

/* The last row that shows text, -1 when none does. */
static int last_text_row(const struct fb *fb)
{
	for (int y = fb->ds.height - 1; y >= 0; y--)
		for (int x = 0; x < fb->ds.width; x++)
			if (!fb_cell_blank(fb_cell(fb, y, x)))
				return y;
	return -1;
}

/* One past the row's last non-blank cell. */
static int text_end(const struct fb_row *row)
{
	int end = row->width;

	while (end > 0 && fb_cell_blank(&row->cells[end - 1]))
		end--;
	return end;
}

/* C0, DEL or a C1 control (UTF-8 C2 80..C2 9F): never written from a cell. */
static bool has_control(const struct fb_cell *c)
{
	for (int i = 0; i < c->len; i++) {
		uint8_t b = (uint8_t)c->text[i];

		if (b < 0x20 || b == 0x7F)
			return true;
		if (b == 0xC2 && i + 1 < c->len && (uint8_t)c->text[i + 1] < 0xA0)
			return true;
	}
	return false;
}

static void paint_row(struct buf *out, const struct fb_row *row)
{
	const struct fb_rend plain = {0};
	struct fb_rend cur = plain;
	int end = text_end(row);

	for (int x = 0; x < end; x++) {
		const struct fb_cell *c = &row->cells[x];

		if (!fb_rend_equal(&c->rend, &cur)) {
			fb_rend_sgr(&c->rend, out);
			cur = c->rend;
		}
		if (c->len == 0 || has_control(c))
			buf_append_byte(out, c->len == 0 ? ' ' : '?');
		else
			buf_append(out, c->text, c->len);
		if (c->flags & FB_CELL_WIDE)
			x++; /* the right half, which the character covers */
	}
	if (!fb_rend_equal(&cur, &plain))
		buf_append_str(out, "\033[0m");
	buf_append_byte(out, '\n');
}

void exitmsg_screen(struct buf *out, const struct fb *fb)
{
	int first = 0, last = last_text_row(fb);

	while (first <= last && text_end(fb_row(fb, first)) == 0)
		first++;
	for (int y = first; y <= last; y++)
		paint_row(out, fb_row(fb, y));
}

void exitmsg_park(struct buf *out, const struct fb *fb)
{
	int last = last_text_row(fb);

	if (fb->ds.cur_row > last) {
		buf_appendf(out, "\033[%d;1H", fb->ds.cur_row + 1);
		return;
	}
	/* From the last line the line feed scrolls the screen up. */
	buf_appendf(out, "\033[%d;1H\r\n", last + 1);
}

void exitmsg_diagnostic(struct buf *out, bool connected, bool clean_shutdown, const char *ip,
                        uint16_t port)
{
	if (!connected) {
		buf_appendf(out,
		            "\nmosh did not make a successful connection to %s:%u.\n"
		            "Please verify that UDP port %u is not firewalled and can reach the "
		            "server.\n\n"
		            "(By default, mosh uses a UDP port between 60001 and 60999. The -p "
		            "option\n"
		            "selects a specific UDP port number.)\n",
		            ip, (unsigned)port, (unsigned)port);
	} else if (!clean_shutdown) {
		buf_append_str(out, "\n\nmosh did not shut down cleanly. Please note that the\n"
		                    "mosh-server process may still be running on the server.\n");
	}
}

void exitmsg_final(struct buf *out, uint32_t notice, const char *text)
{
	switch (notice) {
	case WIRE_NOTICE_ATTACHED:
		buf_appendf(out, "[mosh is exiting: session attached from %s]\n", text);
		return;
	case WIRE_NOTICE_KILLED:
		buf_append_str(out, "[mosh is exiting: session ended by mosh-server kill]\n");
		return;
	default:
		buf_append_str(out, "[mosh is exiting.]\n");
	}
}

/* "0".."255" without sign or leading zeros (the server's text): the number, else -1. */
static int parse_status(const char *text)
{
	int v = 0;

	if (text[0] == '\0' || (text[0] == '0' && text[1] != '\0'))
		return -1;
	for (const char *p = text; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
		if (v > 255)
			return -1;
	}
	return v;
}

int exitmsg_status(bool clean_shutdown, uint32_t notice, const char *text)
{
	int code;

	if (!clean_shutdown)
		return 1;
	if (notice != WIRE_NOTICE_EXITED)
		return 0;
	code = parse_status(text);
	return code < 0 ? 0 : code;
}
