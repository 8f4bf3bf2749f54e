/*
 * The user stream (doc/PROTOCOL.md 5.5): the client-to-server SSP state, an
 * append-only list of events, each one user byte or one window resize.
 *
 * Every event has an absolute index (0 = the first event ever). A state is
 * the events [0, end); it holds only [start, end) in memory, because
 * subtract() drops what both sides already have. States made from one
 * another share a single reference-counted event log, so a copy costs O(1)
 * and an append O(appended); only two states that really diverge (a peer
 * breaking the prefix rule) get separate logs.
 *
 * diff(from, to) is a ClientBuffers.UserMessage with the events of `to`
 * beyond from's end: runs of bytes packed into one Keystroke, each Resize its
 * own instruction. A mosh-c client's stream also carries its hello
 * (doc/PROTOCOL.md, "Extensions"), sent first until the server has a state
 * holding it; mosh 1.4 servers skip it. apply() appends; it rejects malformed messages, resizes
 * outside 1..USERSTREAM_MAX_SIZE and oversized diffs, leaving the state
 * unchanged.
 */
#ifndef MOSHC_STATE_USERSTREAM_H
#define MOSHC_STATE_USERSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ssp/ssp.h"
#include "util/buf.h"

enum userstream_kind {
	USERSTREAM_BYTE = 0,
	USERSTREAM_RESIZE = 1,
};

struct userstream_event {
	uint8_t kind;           /* enum userstream_kind */
	uint8_t byte;           /* USERSTREAM_BYTE */
	uint16_t width, height; /* USERSTREAM_RESIZE, 1..USERSTREAM_MAX_SIZE */
};

enum {
	USERSTREAM_MAX_SIZE = 10000,    /* largest accepted width or height */
	USERSTREAM_MAX_DIFF = 4 << 20,  /* largest diff accepted, bytes */
	USERSTREAM_MAX_HELD = 16 << 20, /* most events one state may hold */
};

struct userstream;

/* A new empty stream (state 0). */
struct userstream *userstream_new(void);
struct userstream *userstream_copy(const struct userstream *s);
void userstream_free(struct userstream *s);

/* Local input: append bytes / one resize (ERR_RANGE unless 1..MAX_SIZE). */
void userstream_push_bytes(struct userstream *s, const void *data, size_t len);
int userstream_push_resize(struct userstream *s, int width, int height);

bool userstream_equal(const struct userstream *a, const struct userstream *b);
/* Append to out the UserMessage turning from into to (nothing if equal);
 * from must be an earlier state of to (a bug otherwise). */
void userstream_diff(const struct userstream *from, const struct userstream *to, struct buf *out);
/* Append a peer's UserMessage: 0, ERR_INVAL (malformed) or ERR_RANGE. */
int userstream_apply(struct userstream *s, const uint8_t *diff, size_t len);
/* Forget the events prefix already contains (no-op unless it is an earlier
 * state of s). */
void userstream_subtract(struct userstream *s, const struct userstream *prefix);

/* Announce our version and features in this state and every later one. */
void userstream_set_hello(struct userstream *s, uint32_t version, uint64_t features);
/* Whether the state holds a hello; if so, fills version and features. */
bool userstream_hello(const struct userstream *s, uint32_t *version, uint64_t *features);

/* The channel part (field 44, doc/PROTOCOL.md 15.10): the client turns it
 * on in its current state once the server's hello announced
 * WIRE_FEATURE_CHANNELS. NULL while off. */
struct chanset;
struct chanset *userstream_enable_chans(struct userstream *s);
struct chanset *userstream_chans(const struct userstream *s);

/*
 * Grow s to end where newer ends, keeping what s still holds: a consumer that
 * applies events at its own pace keeps its unconsumed events, whatever the
 * receiver has since forgotten. ERR_PROTO unless newer extends s (same log).
 */
int userstream_extend_to(struct userstream *s, const struct userstream *newer);

/* Number of events in the state, counting forgotten ones: its end index. */
uint64_t userstream_end(const struct userstream *s);
/* Events held in memory (end - start). */
uint64_t userstream_held(const struct userstream *s);
/*
 * The events newest has beyond prev, as indexes [*first, *end) for
 * userstream_event(). ERR_PROTO if prev is not an earlier state of newest
 * or newest no longer holds those events.
 */
int userstream_since(const struct userstream *newest, const struct userstream *prev,
                     uint64_t *first, uint64_t *end);
/* The event at absolute index i (borrowed), or NULL if not held. */
const struct userstream_event *userstream_event(const struct userstream *s, uint64_t i);

/* The SSP state interface over struct userstream. */
extern const struct ssp_state_ops userstream_ops;

#endif
