/*
 * Socket addresses for mosh-relay: IPv4 and IPv6 literals with a port,
 * written "127.0.0.1:6000" or "[::1]:6000". No name lookup: a test must say
 * exactly which loopback it means.
 */
#ifndef MOSHC_TOOLS_ADDR_H
#define MOSHC_TOOLS_ADDR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct relay_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* 0, or ERR_INVAL with the reason in err. */
int relay_addr_parse(const char *text, struct relay_addr *out, char *err);
uint16_t relay_addr_port(const struct relay_addr *a);
bool relay_addr_equal(const struct relay_addr *a, const struct relay_addr *b);
/* "ADDR:PORT" / "[ADDR]:PORT" in a static buffer, valid until the next call. */
const char *relay_addr_str(const struct relay_addr *a);

/*
 * A non-blocking, close-on-exec UDP socket of a's family. With bind_to, it
 * is bound there and bind_to is updated to the bound address (so port 0
 * becomes the chosen port). Returns the descriptor or an ERR_* with err set.
 */
int relay_addr_socket(const struct relay_addr *a, struct relay_addr *bind_to, char *err);

#endif
