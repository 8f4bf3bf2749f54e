/*
 * A forwarding spec as ssh's -L and -R take it: [bind_address:]port:host:hostport.
 *
 * Model. Fields are separated by ':'; an IPv6 address (bind or host) goes in
 * brackets, "[::1]", and is stored without them. Ports are decimal numbers
 * 1..65535 (no service names; ssh's -R port 0, "pick one", is refused: the
 * client could not tell the user which port the server picked). bind and
 * host are kept as given, at most FWDSPEC_NAME_MAX bytes of printable ASCII
 * with no spaces; names are resolved by whoever binds or connects, never
 * here. As in ssh, an absent bind address means loopback only (bind NULL),
 * while an empty one or "*" means every address (stored as "*").
 *
 * The parser is pure and sees user bytes (the command line): it never
 * asserts on them and its messages show a value only with every byte outside
 * printable ASCII replaced by '?'.
 */
#ifndef MOSHC_CHAN_FWDSPEC_H
#define MOSHC_CHAN_FWDSPEC_H

#include <stddef.h>
#include <stdint.h>

#define FWDSPEC_NAME_MAX 255
/* Long enough for fwdspec_format of any spec fwdspec_parse accepts. */
#define FWDSPEC_FORMAT_LEN (2 * (FWDSPEC_NAME_MAX + 2) + 2 * 6 + 4)

struct fwdspec {
	char *bind; /* NULL: loopback only; "*": every address */
	uint16_t port;
	char *host;
	uint16_t hostport;
};

/*
 * 0 with out filled (release with fwdspec_free), or ERR_INVAL with a
 * one-line reason in err (e.g. "port 0 is out of range 1..65535") and out
 * zeroed.
 */
int fwdspec_parse(const char *arg, struct fwdspec *out, char *err, size_t errlen);
/* Release what fwdspec_parse allocated; safe on a zeroed struct and twice. */
void fwdspec_free(struct fwdspec *f);
/* "bind:port:host:hostport" as ssh would print it (for messages); truncated to len. */
void fwdspec_format(const struct fwdspec *f, char *out, size_t len);

#endif
