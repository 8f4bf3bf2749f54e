/*
 * User stream state; see userstream.h for the model.
 *
 * A log holds the events [base, base + len) of one history and knows every
 * state that refers to it (an intrusive list), so it can drop events no
 * holder needs (those before every holder's start). Invariant for each
 * holder s: log->base <= s->start <= s->end <= log->base + log->len, and the
 * events of s are the log's first s->end events. An append to a state that
 * ends before the log does first walks along the log while the new events
 * match it (a retransmitted diff from an older base); only a real mismatch
 * forks a private log.
 */
#include "state/userstream.h"

#include <stdlib.h>
#include <string.h>

#include "net/msg.h"
#include "util/err.h"
#include "chan/chanset.h"
#include "util/xmalloc.h"

struct us_log {
	uint64_t base;
	struct userstream_event *ev;
	size_t len, cap;
	struct userstream *holders;
};

struct userstream {
	struct us_log *log;
	uint64_t start, end;
	struct userstream *prev, *next; /* the log's holders */
	bool has_hello;                 /* the client's hello is part of the state */
	uint32_t hello_version;
	uint64_t hello_features;
	struct chanset *chans; /* field 44; NULL until the server said it speaks it */
};

/* Trim a log only when this many events (and half of it) are unneeded. */
#define US_TRIM_MIN 256

static uint64_t log_end(const struct us_log *log)
{
	return log->base + log->len;
}

static void hold(struct userstream *s, struct us_log *log)
{
	s->log = log;
	s->prev = NULL;
	s->next = log->holders;
	if (log->holders)
		log->holders->prev = s;
	log->holders = s;
}

/* Detach s from its log; frees the log when s was its last holder. */
static void release(struct userstream *s)
{
	struct us_log *log = s->log;

	if (s->prev)
		s->prev->next = s->next;
	else
		log->holders = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->log = NULL;
	if (!log->holders) {
		free(log->ev);
		free(log);
	}
}

static struct us_log *log_new(uint64_t base)
{
	struct us_log *log = xcalloc(1, sizeof(*log));

	log->base = base;
	return log;
}

static void log_reserve(struct us_log *log, size_t extra)
{
	size_t cap;

	if (log->len + extra <= log->cap)
		return;
	cap = log->cap ? log->cap : 64;
	while (cap < log->len + extra)
		cap *= 2;
	log->ev = xreallocarray(log->ev, cap, sizeof(*log->ev));
	log->cap = cap;
}

/* Drop the events every holder has forgotten. */
static void log_trim(struct us_log *log)
{
	uint64_t low = log_end(log);
	size_t drop;

	for (const struct userstream *h = log->holders; h; h = h->next)
		if (h->start < low)
			low = h->start;
	drop = (size_t)(low - log->base);
	if (drop < US_TRIM_MIN || drop < log->len / 2)
		return;
	memmove(log->ev, log->ev + drop, (log->len - drop) * sizeof(*log->ev));
	log->len -= drop;
	log->base += drop;
}

struct userstream *userstream_new(void)
{
	struct userstream *s = xcalloc(1, sizeof(*s));

	hold(s, log_new(0));
	return s;
}

struct userstream *userstream_copy(const struct userstream *src)
{
	struct userstream *s = xcalloc(1, sizeof(*s));

	s->start = src->start;
	s->end = src->end;
	s->has_hello = src->has_hello;
	s->hello_version = src->hello_version;
	s->hello_features = src->hello_features;
	if (src->chans != NULL)
		s->chans = chanset_copy(src->chans);
	hold(s, src->log);
	return s;
}

void userstream_free(struct userstream *s)
{
	if (!s)
		return;
	release(s);
	chanset_free(s->chans);
	free(s);
}

static bool event_eq(const struct userstream_event *a, const struct userstream_event *b)
{
	return a->kind == b->kind && a->byte == b->byte && a->width == b->width &&
	       a->height == b->height;
}

/* Give s a log of its own holding its events, so it can grow differently. */
static void fork_log(struct userstream *s)
{
	struct us_log *old = s->log, *log;
	size_t n = (size_t)(s->end - s->start);

	if (!s->prev && !s->next) {
		/* Sole holder: just cut the log back. */
		old->len = (size_t)(s->end - old->base);
		return;
	}
	log = log_new(s->start);
	log_reserve(log, n);
	if (n)
		memcpy(log->ev, old->ev + (s->start - old->base), n * sizeof(*log->ev));
	log->len = n;
	release(s);
	hold(s, log);
}

static void append(struct userstream *s, const struct userstream_event *ev, size_t n)
{
	struct us_log *log = s->log;
	size_t i = 0;

	while (i < n && s->end < log_end(log) && event_eq(&log->ev[s->end - log->base], &ev[i])) {
		s->end++;
		i++;
	}
	if (i == n)
		return;
	if (s->end < log_end(log)) {
		fork_log(s);
		log = s->log;
	}
	log_reserve(log, n - i);
	memcpy(log->ev + log->len, ev + i, (n - i) * sizeof(*ev));
	log->len += n - i;
	s->end += n - i;
}

void userstream_push_bytes(struct userstream *s, const void *data, size_t len)
{
	const uint8_t *p = data;
	struct userstream_event ev[256];

	while (len > 0) {
		size_t n = len < 256 ? len : 256;

		for (size_t i = 0; i < n; i++)
			ev[i] = (struct userstream_event){USERSTREAM_BYTE, p[i], 0, 0};
		append(s, ev, n);
		p += n;
		len -= n;
	}
}

static bool size_ok(int64_t v)
{
	return v >= 1 && v <= USERSTREAM_MAX_SIZE;
}

int userstream_push_resize(struct userstream *s, int width, int height)
{
	struct userstream_event ev;

	REQUIRE(size_ok(width) && size_ok(height), ERR_RANGE);
	ev = (struct userstream_event){USERSTREAM_RESIZE, 0, (uint16_t)width, (uint16_t)height};
	append(s, &ev, 1);
	return 0;
}

const struct userstream_event *userstream_event(const struct userstream *s, uint64_t i)
{
	if (i < s->start || i >= s->end)
		return NULL;
	return &s->log->ev[i - s->log->base];
}

bool userstream_equal(const struct userstream *a, const struct userstream *b)
{
	uint64_t from;

	if (a->end != b->end || a->has_hello != b->has_hello)
		return false;
	if ((a->chans == NULL || b->chans == NULL) ? a->chans != b->chans
	                                           : !chanset_equal(a->chans, b->chans))
		return false;
	if (a->log == b->log)
		return true;
	/* Different histories: compare what both still hold. */
	from = a->start > b->start ? a->start : b->start;
	for (uint64_t i = from; i < a->end; i++)
		if (!event_eq(userstream_event(a, i), userstream_event(b, i)))
			return false;
	return true;
}

void userstream_diff(const struct userstream *from, const struct userstream *to, struct buf *out)
{
	struct msg_user_event *ev;
	struct buf msg, chans;
	uint8_t *bytes;
	size_t n, nev = 0, nbytes = 0;
	uint64_t i;

	ASSERT(to->start <= from->end && from->end <= to->end);
	n = (size_t)(to->end - from->end);
	buf_init(&chans);
	if (to->chans != NULL)
		chanset_diff(from->chans, to->chans, &chans);
	if (n == 0 && (from->has_hello || !to->has_hello) && chans.len == 0) {
		buf_fini(&chans);
		return;
	}

	/* The hello first, then one instruction per resize and per run of
	 * bytes, then the channels. */
	ev = xcalloc(n + 2, sizeof(*ev));
	bytes = xmalloc(n ? n : 1);
	if (to->has_hello && !from->has_hello)
		ev[nev++] = (struct msg_user_event){.kind = MSG_USER_HELLO,
		                                    .version = to->hello_version,
		                                    .features = to->hello_features};
	for (i = from->end; i < to->end;) {
		const struct userstream_event *e = userstream_event(to, i);
		size_t first = nbytes;

		if (e->kind == USERSTREAM_RESIZE) {
			ev[nev++] = (struct msg_user_event){
			    .kind = MSG_USER_RESIZE, .width = e->width, .height = e->height};
			i++;
			continue;
		}
		while (i < to->end && (e = userstream_event(to, i))->kind == USERSTREAM_BYTE) {
			bytes[nbytes++] = e->byte;
			i++;
		}
		ev[nev++] = (struct msg_user_event){
		    .kind = MSG_USER_KEYS, .keys = bytes + first, .keys_len = nbytes - first};
	}
	if (chans.len > 0)
		ev[nev++] = (struct msg_user_event){
		    .kind = MSG_USER_CHANNELS, .chans = chans.data, .chans_len = chans.len};
	buf_init(&msg);
	msg_user_encode(ev, nev, &msg);
	buf_append(out, msg.data, msg.len);
	buf_fini(&msg);
	buf_fini(&chans);
	free(bytes);
	free(ev);
}

int userstream_apply(struct userstream *s, const uint8_t *diff, size_t len)
{
	struct userstream_event *ev;
	struct msg_user m;
	size_t n = 0, k = 0;
	int rc = 0;
	const struct msg_user_event *hello = NULL;
	struct chanset *chans = NULL;

	REQUIRE(len <= USERSTREAM_MAX_DIFF, ERR_RANGE);
	REQUIRE(msg_user_decode(diff, len, &m) == 0, ERR_INVAL);

	/* Validate everything first so a bad diff leaves the state untouched. */
	for (size_t i = 0; i < m.n_events; i++) {
		const struct msg_user_event *e = &m.events[i];

		if (e->kind == MSG_USER_KEYS) {
			n += e->keys_len;
		} else if (e->kind == MSG_USER_RESIZE) {
			if (!size_ok(e->width) || !size_ok(e->height)) {
				rc = ERR_RANGE;
				goto out;
			}
			n++;
		} else if (e->kind == MSG_USER_HELLO && hello == NULL) {
			hello = e;
		} else if (e->kind == MSG_USER_CHANNELS) {
			/* Applied to a copy, swapped in once all of it is checked. */
			if (chans == NULL)
				chans = s->chans ? chanset_copy(s->chans) : chanset_new();
			if ((rc = chanset_apply(chans, e->chans, e->chans_len, true)) < 0)
				goto out;
		}
	}
	if (s->end - s->start > USERSTREAM_MAX_HELD ||
	    n > USERSTREAM_MAX_HELD - (s->end - s->start)) {
		rc = ERR_RANGE;
		goto out;
	}
	if (chans != NULL) {
		chanset_free(s->chans);
		s->chans = chans;
		chans = NULL;
	}
	if (hello != NULL && !s->has_hello)
		userstream_set_hello(s, hello->version, hello->features);
	if (n == 0)
		goto out;

	ev = xreallocarray(NULL, n, sizeof(*ev));
	for (size_t i = 0; i < m.n_events; i++) {
		const struct msg_user_event *e = &m.events[i];

		if (e->kind == MSG_USER_KEYS) {
			for (size_t j = 0; j < e->keys_len; j++)
				ev[k++] =
				    (struct userstream_event){USERSTREAM_BYTE, e->keys[j], 0, 0};
		} else if (e->kind == MSG_USER_RESIZE) {
			ev[k++] = (struct userstream_event){
			    USERSTREAM_RESIZE, 0, (uint16_t)e->width, (uint16_t)e->height};
		}
	}
	ASSERT(k == n);
	append(s, ev, n);
	free(ev);
out:
	chanset_free(chans);
	msg_user_release(&m);
	return rc;
}

void userstream_subtract(struct userstream *s, const struct userstream *prefix)
{
	if (s->chans != NULL && prefix->chans != NULL)
		chanset_subtract(s->chans, prefix->chans);
	if (prefix->log != s->log || prefix->end > s->end || prefix->end <= s->start)
		return;
	s->start = prefix->end;
	log_trim(s->log);
}

void userstream_set_hello(struct userstream *s, uint32_t version, uint64_t features)
{
	s->has_hello = true;
	s->hello_version = version;
	s->hello_features = features;
}

bool userstream_hello(const struct userstream *s, uint32_t *version, uint64_t *features)
{
	if (s->has_hello) {
		*version = s->hello_version;
		*features = s->hello_features;
	}
	return s->has_hello;
}

struct chanset *userstream_enable_chans(struct userstream *s)
{
	if (s->chans == NULL)
		s->chans = chanset_new();
	return s->chans;
}

struct chanset *userstream_chans(const struct userstream *s)
{
	return s->chans;
}

int userstream_extend_to(struct userstream *s, const struct userstream *newer)
{
	if (newer->log != s->log || newer->end < s->end)
		return ERR_PROTO;
	s->end = newer->end;
	return 0;
}

uint64_t userstream_end(const struct userstream *s)
{
	return s->end;
}

uint64_t userstream_held(const struct userstream *s)
{
	return s->end - s->start;
}

int userstream_since(const struct userstream *newest, const struct userstream *prev,
                     uint64_t *first, uint64_t *end)
{
	REQUIRE(prev->end <= newest->end && prev->end >= newest->start, ERR_PROTO);
	if (prev->log != newest->log) {
		uint64_t from = prev->start > newest->start ? prev->start : newest->start;

		for (uint64_t i = from; i < prev->end; i++)
			REQUIRE(event_eq(userstream_event(prev, i), userstream_event(newest, i)),
			        ERR_PROTO);
	}
	*first = prev->end;
	*end = newest->end;
	return 0;
}

static void *ops_copy(const void *s)
{
	return userstream_copy(s);
}

static void ops_free(void *s)
{
	userstream_free(s);
}

static bool ops_equal(const void *a, const void *b)
{
	return userstream_equal(a, b);
}

static void ops_diff(const void *from, const void *to, struct buf *out)
{
	userstream_diff(from, to, out);
}

static int ops_apply(void *s, const uint8_t *diff, size_t len)
{
	return userstream_apply(s, diff, len);
}

/* Only the channel part differs: forwarded bytes, not keystrokes. */
static bool ops_background(const void *from, const void *to)
{
	const struct userstream *a = from, *b = to;

	if (a->end != b->end || a->has_hello != b->has_hello)
		return false;
	return (a->chans == NULL || b->chans == NULL) ? a->chans != b->chans
	                                              : !chanset_equal(a->chans, b->chans);
}

static void ops_subtract(void *s, const void *prefix)
{
	userstream_subtract(s, prefix);
}

const struct ssp_state_ops userstream_ops = {
    .copy = ops_copy,
    .free = ops_free,
    .equal = ops_equal,
    .diff = ops_diff,
    .apply = ops_apply,
    .subtract = ops_subtract,
    .background = ops_background,
};
