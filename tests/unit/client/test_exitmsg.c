/* client/exitmsg: the parting words and the exit status. */
#include "../test.h"

#include "client/exitmsg.h"
#include "net/wire.h"

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
	CHECK_EQ_INT(exitmsg_status(false), 1);
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
	CHECK_EQ_INT(exitmsg_status(true), 0);
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

int main(void)
{
	RUN(never_connected);
	RUN(unclean_and_clean);
	RUN(notices_say_why);
	return test_done();
}
