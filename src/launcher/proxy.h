/*
 * The fake ProxyCommand: `mosh --family=F --fake-proxy -- HOST PORT`, run by
 * ssh in place of its own TCP connect.
 *
 * It resolves HOST under the family policy, connects to PORT trying the
 * addresses in policy order, announces the address that answered as
 * "MOSH IP <numeric address>" on stderr (ssh passes its ProxyCommand's stderr
 * through, so the line reaches the launcher's pipe: that is how the launcher
 * learns exactly which address ssh reached, and so where to send UDP), then
 * relays bytes both ways between stdin/stdout and the socket until both
 * directions have ended. Each direction ends on its own: end of input is
 * passed on as a TCP half-close (or by closing stdout), so neither side loses
 * the last bytes of the other.
 */
#ifndef MOSHC_LAUNCHER_PROXY_H
#define MOSHC_LAUNCHER_PROXY_H

#include <stddef.h>

#include "launcher/resolve.h"

/* Connect to host:port; the socket, or a negative ERR_* with err filled. ip gets the address. */
int proxy_connect(const char *host, const char *port, enum resolve_family f, char *ip, size_t iplen,
                  char *err);

/*
 * Relay in_fd -> sock and sock -> out_fd until both directions are done.
 * The descriptors are made non-blocking; out_fd is closed when the socket's
 * data has all been delivered. 0, or ERR_IO if the event loop failed.
 */
int proxy_relay(int in_fd, int out_fd, int sock);

/* The whole --fake-proxy mode; returns the process exit status. */
int proxy_main(const char *host, const char *port, enum resolve_family f);

#endif
