/*
 * One end's part of the forwarded channels (doc/PROTOCOL.md 15.10). It rides
 * the synchronised state of its direction (the user stream from the client,
 * the terminal state from the server) as field 44, so SSP's "diff from what
 * the peer acknowledged" gives each channel reliable, ordered, exactly-once
 * delivery across loss, roaming and outages.
 *
 * The part holds, for every channel this end is in, its entry: how it opened
 * the channel (kind, target) or answered it (accepted, refused and why), the
 * byte stream it sends (an append-only log with absolute offsets), whether
 * that stream has ended (fin), and how many of the other end's bytes it has
 * delivered (consumed: the credit the other end may send beyond). An end
 * leaves a channel by dropping its entry; the diff then says "gone". The
 * client's part also lists its user's requests (a listening port on the
 * server, -R; an agent it offers, -A); the server's part answers each.
 *
 * Copies share each entry's log (reference counted), so SSP's sent and
 * received copies cost O(channels). A sender's log forgets the bytes the
 * acknowledged state holds (subtract); a receiver's log forgets what its
 * consumer delivered (chanset_release). Entries are sorted by id.
 *
 * apply() checks the whole message on a copy and swaps it in only when all of
 * it is valid: ids of the right parity and never reused, data continuing
 * exactly where the entry ends, no data after fin, consumed never going back,
 * at most CHAN_MAX entries, text printable ASCII of at most CHAN_TEXT_MAX
 * bytes, and no more than 2 * CHAN_WINDOW bytes held per log.
 */
#ifndef MOSHC_CHAN_CHANSET_H
#define MOSHC_CHAN_CHANSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

enum chan_kind {
	CHAN_KIND_AGENT = 1, /* the client's ssh-agent (-A) */
	CHAN_KIND_TCP = 2,   /* a forwarded TCP connection (-L, -R) */
};

enum chan_reply {
	CHAN_REPLY_NONE = 0,
	CHAN_ACCEPTED = 1,
	CHAN_REFUSED = 2,
};

enum chan_req_status {
	CHAN_REQ_PENDING = 0,
	CHAN_REQ_OK = 1,     /* the server listens */
	CHAN_REQ_FAILED = 2, /* it could not (reason says why) */
};

enum {
	CHAN_MAX = 64,                 /* live channels per session */
	CHAN_WINDOW = 256 << 10,       /* bytes sent beyond what the peer delivered, per channel */
	CHAN_SESSION_WINDOW = 4 << 20, /* ... and over all channels */
	CHAN_TEXT_MAX = 255,           /* target, bind address, reason */
	CHAN_REQS_MAX = 33,            /* requests in the client's part */
	CHAN_LOG_HELD_MAX = 2 * CHAN_WINDOW, /* bytes a received log may hold */
};

struct chanlog;

struct chan_entry {
	uint32_t id;   /* odd: the client opened it; even: the server */
	uint8_t kind;  /* enum chan_kind when this end opened it, else 0 */
	uint8_t reply; /* enum chan_reply when this end answered it, else 0 */
	bool fin;      /* this end's stream ends at `end` */
	char *target;  /* the opener's "host:port" or request id; NULL if none */
	char *reason;  /* with a refusal; NULL if none */
	struct chanlog *log;
	uint64_t end;      /* bytes of this end's stream in the state */
	uint64_t consumed; /* bytes of the other end's stream delivered here */
};

struct chan_req {
	uint32_t id;    /* 1.. in the order the user gave them */
	uint8_t kind;   /* enum chan_kind: agent offered, or a TCP listener */
	uint8_t status; /* enum chan_req_status (the server's part) */
	uint16_t port;  /* TCP */
	char *bind;     /* TCP; NULL: loopback */
	char *reason;   /* with CHAN_REQ_FAILED */
};

struct chanset;

struct chanset *chanset_new(void);
struct chanset *chanset_copy(const struct chanset *s);
void chanset_free(struct chanset *s);

bool chanset_equal(const struct chanset *a, const struct chanset *b);
/* Append to out the serialized Channels message turning from (NULL: an empty
 * part) into to; nothing when they are equal. */
void chanset_diff(const struct chanset *from, const struct chanset *to, struct buf *out);
/* Apply the peer's message (sent by the client when from_client). 0, or
 * ERR_INVAL / ERR_RANGE / ERR_PROTO with s unchanged. */
int chanset_apply(struct chanset *s, const uint8_t *msg, size_t len, bool from_client);
/* A sender's state forgets the bytes prefix (a state the peer holds) has. */
void chanset_subtract(struct chanset *s, const struct chanset *prefix);
/* Memory s does not share with its copies (logs are shared and bounded). */
size_t chanset_size(const struct chanset *s);

size_t chanset_count(const struct chanset *s);
struct chan_entry *chanset_at(struct chanset *s, size_t i);
struct chan_entry *chanset_get(struct chanset *s, uint32_t id);
const struct chan_entry *chanset_find(const struct chanset *s, uint32_t id);
/* A new entry with an empty stream (id not present: a bug otherwise). */
struct chan_entry *chanset_add(struct chanset *s, uint32_t id);
void chanset_remove(struct chanset *s, uint32_t id);
/* Texts are copied (NULL clears). */
void chanset_set_text(char **field, const char *text);

/* Append n bytes to the entry's stream (this end's own entry). */
void chanset_write(struct chan_entry *e, const void *p, size_t n);
/* The bytes of e's stream from offset off that are held contiguously
 * (*p borrowed until the log next changes); 0 if none. */
size_t chanset_read(const struct chan_entry *e, uint64_t off, const uint8_t **p);
/* A received entry's consumer delivered everything below upto: forget it. */
void chanset_release(struct chan_entry *e, uint64_t upto);

size_t chanset_nreqs(const struct chanset *s);
const struct chan_req *chanset_req_at(const struct chanset *s, size_t i);
const struct chan_req *chanset_req_find(const struct chanset *s, uint32_t id);
/* A new request with this id (absent, and below CHAN_REQS_MAX entries). */
struct chan_req *chanset_req_add(struct chanset *s, uint32_t id);

#endif
