/*
 * The per-user control socket: how `mosh-server list / attach / kill` talk to
 * running sessions (DESIGN.md, issue 10).
 *
 * Model: every session listens on a unix stream socket named after its ID in
 * the per-user directory (ctldir.h). A caller connects, writes one request,
 * reads one reply and the session closes the connection. Both messages have a
 * fixed size and a fixed layout, so neither side ever reads a length from the
 * other:
 *
 *   request (CTL_REQUEST_SIZE bytes, integers big-endian)
 *     0  magic "mcRQ"   4  version u16   6  op u8   7  reserved u8 = 0
 *     8  rows u16      10  cols u16     12  port_low u16   14  port_high u16
 *    16  bind_ip[CTL_ADDR_MAX + 1]
 *   reply (CTL_REPLY_SIZE bytes)
 *     0  magic "mcRP"   4  version u16   6  op u8   7  reserved u8 = 0
 *     8  status i32    12  port u16     14  key[CTL_KEY_LEN + 1]
 *    37  err[CTL_ERR_MAX + 1]           then the info: pid i32, state u8,
 *        idle_s u32, age_s u32, rows u16, cols u16, id[], name[],
 *        client_addr[], command[] (each string field is its maximum + 1)
 *
 * Invariants the decoders enforce, so that decode followed by encode gives the
 * input back byte for byte: every string ends with a NUL inside its field and
 * every byte after that NUL is zero; reserved bytes are zero; strings shown to
 * a person hold no control characters (C0, DEL, C1) and are valid UTF-8;
 * addresses are printable ASCII; a reply's fields agree with its status and op
 * (a key and a port exactly on a successful ATTACH, an err exactly on failure).
 *
 * Only our own uid may talk to a session: the directory is 0700 and both ends
 * check SO_PEERCRED. The server side is bounded: at most CTL_MAX_CONNS
 * connections at once, each dropped CTL_CONN_TIMEOUT_MS after it was accepted
 * unless its exchange is done; refusals are counted, never asserted on.
 */
#ifndef MOSHC_SERVER_CTL_H
#define MOSHC_SERVER_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/err.h"

struct ev_loop;

#define CTL_PROTO_VERSION 1
enum {
	CTL_ID_LEN = 8,
	CTL_NAME_MAX = 32,
	CTL_ADDR_MAX = 64,
	CTL_CMD_MAX = 128,
	CTL_KEY_LEN = 22,
	CTL_ERR_MAX = 128
};
enum ctl_op { CTL_OP_INFO = 1, CTL_OP_ATTACH = 2, CTL_OP_KILL = 3 };
enum ctl_state { CTL_STATE_CONNECTING = 1, CTL_STATE_ATTACHED = 2, CTL_STATE_DETACHED = 3 };

enum {
	CTL_REQUEST_SIZE = 16 + CTL_ADDR_MAX + 1,
	CTL_REPLY_SIZE = 14 + (CTL_KEY_LEN + 1) + (CTL_ERR_MAX + 1) + 17 + (CTL_ID_LEN + 1) +
	                 (CTL_NAME_MAX + 1) + (CTL_ADDR_MAX + 1) + (CTL_CMD_MAX + 1),
	CTL_MAX_CONNS = 8,
	CTL_CONN_TIMEOUT_MS = 5000,
};

struct ctl_request {
	uint8_t op;
	uint16_t rows, cols;            /* ATTACH: the new client's window, 0 = unknown */
	char bind_ip[CTL_ADDR_MAX + 1]; /* ATTACH: "" = any interface */
	uint16_t port_low, port_high;   /* ATTACH: as new's -p (0,0 = any port) */
};
struct ctl_info { /* a session, as INFO reports it */
	char id[CTL_ID_LEN + 1];
	char name[CTL_NAME_MAX + 1]; /* "" = no name */
	int32_t pid;
	uint8_t state;                      /* enum ctl_state */
	char client_addr[CTL_ADDR_MAX + 1]; /* last client address, "" = none yet */
	uint32_t idle_s, age_s;             /* since the client was last heard / since start */
	uint16_t rows, cols;
	char command[CTL_CMD_MAX + 1]; /* the session's command line, truncated */
};
struct ctl_reply {
	uint8_t op;
	int32_t status;            /* 0 ok, else a negative ERR_* */
	struct ctl_info info;      /* every reply carries the session's info */
	uint16_t port;             /* ATTACH: the new link's UDP port */
	char key[CTL_KEY_LEN + 1]; /* ATTACH: the new link's key, base64 */
	char err[CTL_ERR_MAX + 1]; /* status != 0: a sentence for the user */
};

/*
 * Pure codecs. The encoders write exactly CTL_REQUEST_SIZE / CTL_REPLY_SIZE
 * bytes and return that size, or 0 when cap is too small or the struct breaks
 * an invariant above (a bug in the caller). The decoders need exactly that
 * many bytes and return 0 or a negative ERR_*: ERR_RANGE for a wrong length,
 * ERR_UNSUPP for another version, ERR_PROTO/ERR_INVAL for anything else.
 */
size_t ctl_request_encode(const struct ctl_request *rq, uint8_t *out, size_t cap);
int ctl_request_decode(const uint8_t *in, size_t len, struct ctl_request *rq);
size_t ctl_reply_encode(const struct ctl_reply *rp, uint8_t *out, size_t cap);
int ctl_reply_decode(const uint8_t *in, size_t len, struct ctl_reply *rp);

/* A fresh random session ID: CTL_ID_LEN characters of [a-z0-9] from crypto_random(). */
void ctl_new_id(char out[CTL_ID_LEN + 1]);
/* Whether s has an ID's shape: exactly CTL_ID_LEN characters of [a-z0-9]. */
bool ctl_id_valid(const char *s);
/*
 * Whether NAME is acceptable for --name: 1..CTL_NAME_MAX of [A-Za-z0-9._-],
 * not starting with '-' (it would read as an option), not all digits, not of
 * an ID's shape (so a name never reads as an ID), not "new"; err says why not.
 */
int ctl_name_check(const char *name, char err[ERR_LEN]);
/* The word `list` shows for a state: "connecting", "attached", "detached" or "unknown". */
const char *ctl_state_name(uint8_t state);

/*
 * Copy src into dst (cap bytes) so that it passes the decoders' text check:
 * control characters and invalid UTF-8 become '?', and a cut never splits a
 * character. For the session's command line and error sentences.
 */
void ctl_text_copy(char *dst, size_t cap, const char *src);
/* The words of argv joined by spaces, through ctl_text_copy, into info->command. */
void ctl_info_set_command(struct ctl_info *info, char *const *argv);

/* The uid check both ends make on SO_PEERCRED: only the same user may talk. */
bool ctl_peer_allowed(uid_t peer, uid_t self);

/*
 * The client side: connect to the socket at path, send rq, wait for the reply,
 * all within timeout_ms. 0 with rp filled (its status may still be an error),
 * ERR_CLOSED when nobody listens there (a stale socket: ECONNREFUSED),
 * ERR_NOTFOUND when the path is gone, else ERR_IO/ERR_PROTO with err filled.
 * The reply's bytes are wiped from our buffers; the caller wipes rp.
 */
int ctl_call(const char *path, const struct ctl_request *rq, struct ctl_reply *rp, int timeout_ms,
             char err[ERR_LEN]);

/*
 * The server side, on the session's event loop. The handler fills rp
 * synchronously (the session makes the new link inside it); rp arrives zeroed
 * with op, info.id and info.pid set. peer_uid was checked already: only our
 * own uid gets here. The handler must not free the server; to end the
 * session after a KILL, stop the loop (the reply is written before the
 * handler's caller returns to the loop, unless the peer stopped reading).
 */
typedef void ctl_handler_fn(void *arg, const struct ctl_request *rq, struct ctl_reply *rp);
struct ctl_server;
struct ctl_server *ctl_server_new(struct ev_loop *loop, const char *id, ctl_handler_fn *fn,
                                  void *arg, char err[ERR_LEN]);
void ctl_server_free(struct ctl_server *s);    /* stops listening and unlinks the socket */
int ctl_server_fd(const struct ctl_server *s); /* the listening fd (for the child's close list) */
/* The socket's path; borrowed, valid until ctl_server_free. */
const char *ctl_server_path(const struct ctl_server *s);

struct ctl_server_stats {
	uint64_t served;    /* requests that reached the handler */
	uint64_t wrong_uid; /* connections from another user, closed at once */
	uint64_t busy;      /* connections beyond CTL_MAX_CONNS, closed at once */
	uint64_t timed_out; /* connections dropped after CTL_CONN_TIMEOUT_MS */
	uint64_t malformed; /* requests the decoder refused (answered with an error) */
	uint64_t io_errors; /* connections lost to a read or write error */
};
void ctl_server_stats(const struct ctl_server *s, struct ctl_server_stats *out);
/* Connections open right now (accepted, not yet closed). */
size_t ctl_server_connections(const struct ctl_server *s);

#endif
