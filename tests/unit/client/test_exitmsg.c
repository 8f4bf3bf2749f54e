/* client/exitmsg: the parting words and the exit status. */
#include "../test.h"

#include "client/exitmsg.h"
#include "net/wire.h"
#include "term/emu.h"

#include <string.h>

TEST(never_connected)
{
	struct buf b;

	buf_init(&b);
	exitmsg_diagnostic(&b, false, false, "127.0.0.1", 9);
	CHECK_EQ_STR((const char *)b.data,
	             "\nmosh did not make a successful connection to 127.0.0.1:9.\n"
	             "Please verify that UDP port 9 is not firewalled and can reach the server.\n\n"
	             "(By default, mosh uses a UDP port between 60001 and 60999. The -p option\n"
	             "selects a specific UDP port number.)\n");
	CHECK_EQ_INT(exitmsg_status(false, 0, ""), 1);
	buf_fini(&b);
}

TEST(unclean_and_clean)
{
	struct buf b;

	buf_init(&b);
	exitmsg_diagnostic(&b, true, false, "::1", 60001);
	CHECK_EQ_STR((const char *)b.data,
	             "\n\nmosh did not shut down cleanly. Please note that the\n"
	             "mosh-server process may still be running on the server.\n");
	buf_clear(&b);
	exitmsg_diagnostic(&b, true, true, "::1", 60001);
	CHECK_EQ_INT(b.len, 0);
	CHECK_EQ_INT(exitmsg_status(true, 0, ""), 0);
	exitmsg_final(&b, 0, "");
	CHECK_EQ_STR((const char *)b.data, "[mosh is exiting.]\n");
	buf_fini(&b);
}

TEST(notices_say_why)
{
	struct buf b;

	buf_init(&b);
	exitmsg_final(&b, WIRE_NOTICE_ATTACHED, "192.0.2.9");
	CHECK_EQ_STR((const char *)b.data, "[mosh is exiting: session attached from 192.0.2.9]\n");
	buf_clear(&b);
	exitmsg_final(&b, WIRE_NOTICE_KILLED, "");
	CHECK_EQ_STR((const char *)b.data,
	             "[mosh is exiting: session ended by mosh-server kill]\n");
	buf_clear(&b);
	/* A kind from a newer server: the plain line. */
	exitmsg_final(&b, 99, "x");
	CHECK_EQ_STR((const char *)b.data, "[mosh is exiting.]\n");
	buf_fini(&b);
}

TEST(status_is_the_commands)
{
	CHECK_EQ_INT(exitmsg_status(true, WIRE_NOTICE_EXITED, "0"), 0);
	CHECK_EQ_INT(exitmsg_status(true, WIRE_NOTICE_EXITED, "3"), 3);
	CHECK_EQ_INT(exitmsg_status(true, WIRE_NOTICE_EXITED, "127"), 127);
	CHECK_EQ_INT(exitmsg_status(true, WIRE_NOTICE_EXITED, "255"), 255);
	/* Not a status: a clean shutdown still says 0. */
	CHECK_EQ_INT(exitmsg_status(true, WIRE_NOTICE_EXITED, "256"), 0);
	CHECK_EQ_INT(exitmsg_status(true, WIRE_NOTICE_EXITED, "-1"), 0);
	CHECK_EQ_INT(exitmsg_status(true, WIRE_NOTICE_EXITED, "007"), 0);
	CHECK_EQ_INT(exitmsg_status(true, WIRE_NOTICE_EXITED, "3x"), 0);
	CHECK_EQ_INT(exitmsg_status(true, WIRE_NOTICE_EXITED, ""), 0);
	CHECK_EQ_INT(exitmsg_status(true, WIRE_NOTICE_EXITED, "99999999999999999999"), 0);
	/* Other notices carry no status; an unclean shutdown is 1 whatever was said. */
	CHECK_EQ_INT(exitmsg_status(true, WIRE_NOTICE_ATTACHED, "3"), 0);
	CHECK_EQ_INT(exitmsg_status(false, WIRE_NOTICE_EXITED, "3"), 1);
}

/* The screen the emulator makes of bytes, painted. */
static void paint(const char *bytes, int w, int h, struct buf *out, bool park)
{
	struct emu *e = emu_new(w, h);

	emu_write(e, (const uint8_t *)bytes, strlen(bytes));
	buf_clear(out);
	if (park)
		exitmsg_park(out, emu_fb(e));
	else
		exitmsg_screen(out, emu_fb(e));
	buf_append_byte(out, '\0');
	emu_free(e);
}

TEST(screen_text_survives)
{
	struct buf b;

	buf_init(&b);
	paint("", 20, 5, &b, false);
	CHECK_EQ_STR((const char *)b.data, "");
	/* Leading blank rows go, blank rows between stay, trailing blanks go. */
	paint("\r\nmosh-server: cannot run\r\n\r\nend   \r\n", 30, 6, &b, false);
	CHECK_EQ_STR((const char *)b.data, "mosh-server: cannot run\n\nend\n");
	/* Renditions as SGR, reset at the end of the row. */
	paint("a\033[1;31mbc\033[0md\r\n\033[7mx", 10, 3, &b, false);
	CHECK_EQ_STR((const char *)b.data, "a\033[0;1;31mbc\033[0md\n\033[0;7mx\033[0m\n");
	/* A wide character once; a gap inside a row is a space. */
	paint("\xe7\x8c\xabz\033[1;8Hq", 10, 2, &b, false);
	CHECK_EQ_STR((const char *)b.data, "\xe7\x8c\xabz    q\n");
	/* The last row of a full screen too. */
	paint("1\r\n2\r\n3", 5, 3, &b, false);
	CHECK_EQ_STR((const char *)b.data, "1\n2\n3\n");
	buf_fini(&b);
}

TEST(park_below_text_and_cursor)
{
	struct buf b;

	buf_init(&b);
	/* The cursor on a fresh line below the text: stay there. */
	paint("visible\r\n", 20, 5, &b, true);
	CHECK_EQ_STR((const char *)b.data, "\033[2;1H");
	/* The cursor within the text: the line after the last row of text. */
	paint("one\r\ntwo\r\nthree\033[1;1H", 20, 5, &b, true);
	CHECK_EQ_STR((const char *)b.data, "\033[3;1H\r\n");
	/* Text on the last line: the line feed scrolls. */
	paint("\033[5;1Hbottom\033[1;1H", 20, 5, &b, true);
	CHECK_EQ_STR((const char *)b.data, "\033[5;1H\r\n");
	buf_fini(&b);
}

int main(void)
{
	RUN(never_connected);
	RUN(unclean_and_clean);
	RUN(notices_say_why);
	RUN(status_is_the_commands);
	RUN(screen_text_survives);
	RUN(park_below_text_and_cursor);
	return test_done();
}
