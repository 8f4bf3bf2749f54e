/*
 * A host name lookup that does not stop the event loop: getaddrinfo() on a
 * thread of its own, its end signalled by a readable descriptor. A forwarded
 * port's target is looked up while the screen keeps moving; the resolver may
 * take seconds (or its timeout) and nothing else waits for it.
 *
 * One lookup, one short-lived detached thread (all signals blocked in it).
 * The caller either finishes a lookup once lookup_fd() is readable or cancels
 * it at any time; the thread frees what is left when it ends after a cancel.
 */
#ifndef MOSHC_UTIL_LOOKUP_H
#define MOSHC_UTIL_LOOKUP_H

#include <netdb.h>

struct lookup;

/* Look up host and port (a number) for a TCP connection; NULL with errno set
 * when no thread could be started. */
struct lookup *lookup_start(const char *host, const char *port);
/* Readable once the result is there. */
int lookup_fd(const struct lookup *l);
/* Once lookup_fd() is readable: getaddrinfo()'s return (errno set as the
 * lookup left it for EAI_SYSTEM), the list in *res (the caller's, for
 * freeaddrinfo) when 0. Frees l and closes its fd. */
int lookup_finish(struct lookup *l, struct addrinfo **res);
/* Give the lookup up, done or not. Closes its fd; l is not used again. */
void lookup_cancel(struct lookup *l);

#endif
