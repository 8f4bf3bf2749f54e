/*
 * The ssh-agent request filter (see agentfilter.h for the contract).
 *
 * Model: `in` from in_off on holds the server's bytes not yet moved on (the
 * moved ones before in_off are cut off only once they outnumber the rest, so
 * a flood of small requests costs linear time). Its head is either
 * the start of a message or, while head_left > 0, the rest of the head
 * request, which goes to the agent (head_allowed) or is dropped. Once an
 * allowed request went out in full, `awaiting` holds the queue still until the
 * agent's reply has passed through: that is what keeps replies in order.
 *
 * Invariants:
 *  - every length field wholly inside `in` has been checked: `scan` is the
 *    offset from in_off of the first one not yet checked (it may lie past the
 *    end while a message is still arriving), so the head's length is valid;
 *  - in_off <= the bytes after it, so `in` holds at most 2 * BUF_MAX;
 *  - head_left > 0 and awaiting are never both true: a request is in flight
 *    only once all of it went to the agent;
 *  - reply bytes are accepted only while awaiting; rhdr collects a reply's
 *    length, reply_left counts its body still to pass;
 *  - failed is sticky: nothing moves after a protocol error.
 */
#include "chan/agentfilter.h"

#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"
#include "util/err.h"
#include "util/xmalloc.h"

/* Message types (draft-miller-ssh-agent, section 6.1). */
enum {
	AGENT_FAILURE = 5,
	AGENTC_REQUEST_IDENTITIES = 11,
	AGENTC_SIGN_REQUEST = 13,
};

/* The length field in front of every message. */
#define LEN_SIZE 4

struct agentfilter {
	struct buf in;
	size_t in_off;
	size_t scan;
	size_t head_left;
	bool head_allowed;
	bool awaiting;
	uint8_t rhdr[LEN_SIZE];
	size_t rhdr_len;
	size_t reply_left;
	bool failed;
	struct agentfilter_stats stats;
};

static const uint8_t failure_frame[] = {0, 0, 0, 1, AGENT_FAILURE};

struct agentfilter *agentfilter_new(void)
{
	struct agentfilter *f = xcalloc(1, sizeof *f);

	buf_init(&f->in);
	return f;
}

void agentfilter_free(struct agentfilter *f)
{
	if (f == NULL)
		return;
	buf_fini(&f->in);
	free(f);
}

static bool length_ok(uint32_t len)
{
	return len >= 1 && len <= AGENTFILTER_MAX_MSG;
}

static bool type_allowed(uint8_t type)
{
	return type == AGENTC_REQUEST_IDENTITIES || type == AGENTC_SIGN_REQUEST;
}

static int fail(struct agentfilter *f)
{
	f->failed = true;
	return ERR_PROTO;
}

/* The server's bytes not yet moved on. */
static const uint8_t *live(const struct agentfilter *f)
{
	return f->in.data + f->in_off;
}

static size_t live_len(const struct agentfilter *f)
{
	return f->in.len - f->in_off;
}

size_t agentfilter_room(const struct agentfilter *f)
{
	if (f->failed)
		return 0;
	ASSERT(live_len(f) <= AGENTFILTER_BUF_MAX);
	return AGENTFILTER_BUF_MAX - live_len(f);
}

int agentfilter_from_server(struct agentfilter *f, const uint8_t *p, size_t n)
{
	if (f->failed)
		return ERR_PROTO;
	ASSERT(n <= agentfilter_room(f));
	buf_append(&f->in, p, n);
	while (live_len(f) >= LEN_SIZE && f->scan <= live_len(f) - LEN_SIZE) {
		uint32_t len = be32_get(live(f) + f->scan);

		if (!length_ok(len))
			return fail(f);
		f->scan += LEN_SIZE + len;
	}
	return 0;
}

/* Pass one reply's length once all of it is here and valid. */
static int reply_length(struct agentfilter *f, struct buf *to_server)
{
	uint32_t len = be32_get(f->rhdr);

	if (!length_ok(len))
		return fail(f);
	buf_append(to_server, f->rhdr, LEN_SIZE);
	f->reply_left = len;
	return 0;
}

int agentfilter_from_agent(struct agentfilter *f, const uint8_t *p, size_t n, struct buf *to_server)
{
	if (f->failed)
		return ERR_PROTO;
	while (n > 0) {
		size_t k;

		if (!f->awaiting)
			return fail(f);
		if (f->rhdr_len < LEN_SIZE) {
			k = LEN_SIZE - f->rhdr_len < n ? LEN_SIZE - f->rhdr_len : n;
			memcpy(f->rhdr + f->rhdr_len, p, k);
			f->rhdr_len += k;
			if (f->rhdr_len == LEN_SIZE && reply_length(f, to_server) != 0)
				return ERR_PROTO;
		} else {
			k = f->reply_left < n ? f->reply_left : n;
			buf_append(to_server, p, k);
			f->reply_left -= k;
			if (f->reply_left == 0) {
				f->awaiting = false;
				f->rhdr_len = 0;
			}
		}
		p += k;
		n -= k;
	}
	return 0;
}

/* Drop the first n live bytes, all of them inside checked messages. */
static void in_consume(struct agentfilter *f, size_t n)
{
	ASSERT(n <= live_len(f) && n <= f->scan);
	f->in_off += n;
	f->scan -= n;
	if (f->in_off > live_len(f)) {
		buf_consume(&f->in, f->in_off);
		f->in_off = 0;
	}
}

/* Move what is here of the head request; true once all of it has moved. */
static bool move_head(struct agentfilter *f, struct buf *to_agent)
{
	size_t k = f->head_left < live_len(f) ? f->head_left : live_len(f);

	if (f->head_allowed)
		buf_append(to_agent, live(f), k);
	in_consume(f, k);
	f->head_left -= k;
	return f->head_left == 0;
}

/* Take the message at the head of `in` as the next request. */
static void start_head(struct agentfilter *f)
{
	uint32_t len = be32_get(live(f));

	ASSERT(length_ok(len) && f->scan >= LEN_SIZE + (size_t)len);
	f->head_left = LEN_SIZE + (size_t)len;
	f->head_allowed = type_allowed(live(f)[LEN_SIZE]);
	if (f->head_allowed)
		f->stats.passed++;
}

void agentfilter_pump(struct agentfilter *f, struct buf *to_agent, struct buf *to_server)
{
	if (f->failed)
		return;
	for (;;) {
		if (f->head_left > 0) {
			if (!move_head(f, to_agent))
				return;
			if (f->head_allowed) {
				f->awaiting = true;
			} else {
				buf_append(to_server, failure_frame, sizeof failure_frame);
				f->stats.refused++;
			}
		}
		if (f->awaiting || live_len(f) < LEN_SIZE + 1)
			return;
		start_head(f);
	}
}

bool agentfilter_pending(const struct agentfilter *f)
{
	if (f->failed)
		return false;
	if (f->awaiting)
		return true;
	if (f->head_left > 0)
		return f->head_left <= live_len(f);
	return live_len(f) >= LEN_SIZE && LEN_SIZE + (size_t)be32_get(live(f)) <= live_len(f);
}

void agentfilter_stats(const struct agentfilter *f, struct agentfilter_stats *out)
{
	*out = f->stats;
}
