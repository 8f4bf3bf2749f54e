/* mosh-client's parting words; see exitmsg.h. */
#include "client/exitmsg.h"

#include "net/wire.h"

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

int exitmsg_status(bool clean_shutdown)
{
	return clean_shutdown ? 0 : 1;
}
