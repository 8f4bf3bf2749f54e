/*
 * The channel table (chan.h). Each record pairs this end's entry in the local
 * part with what was last seen of the peer's entry; settle() moves records
 * through their states after every change on either side.
 */
#include "chan/chan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/xmalloc.h"

struct rec {
	uint32_t id;
	uint8_t kind;
	enum chan_state state;
	bool mine;      /* opened here */
	bool peer_seen; /* the peer's entry has appeared */
	bool peer_fin;  /* ... with fin, at peer_end */
	bool left;      /* our entry is gone */
	bool reset;
	bool forgotten; /* the shell is done with it */
	bool discard;   /* aborted by us, the answering side: see chan_abort */
	uint64_t peer_end, peer_consumed;
	char *target;
	char *reason; /* the peer's refusal */
};

struct chan {
	struct chanset *local;
	/* Our own copies: the states SSP lends may go on its next receive. */
	struct chanset *remote;
	struct chanset *acked;
	bool client;
	uint32_t next_id; /* the next id we open */
	uint32_t top_in;  /* the highest id the peer opened that we took in */
	struct rec *rec;
	size_t n;
	struct chan_stats stats;
	uint64_t flight_max; /* the in-flight window */
	/* TCP bytes sent and acknowledged so far; after a loss, only bytes
	 * sent after it (beyond grow_from) grow the window again, or the
	 * resend's acknowledgement would give back what the loss took. */
	uint64_t sent_total, acked_total, grow_from;
};

struct chan *chan_new(struct chanset *local, bool client)
{
	struct chan *c = xcalloc(1, sizeof *c);

	c->local = local;
	c->client = client;
	c->next_id = client ? 1 : 2;
	c->flight_max = CHAN_IN_FLIGHT_START;
	return c;
}

void chan_free(struct chan *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->rec[i].target);
		free(c->rec[i].reason);
	}
	free(c->rec);
	chanset_free(c->remote);
	chanset_free(c->acked);
	free(c);
}

static struct rec *find(const struct chan *c, uint32_t id)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->rec[i].id == id)
			return &c->rec[i];
	return NULL;
}

static struct rec *add(struct chan *c, uint32_t id, uint8_t kind, const char *target)
{
	struct rec *r;

	c->rec = xreallocarray(c->rec, c->n + 1, sizeof *c->rec);
	r = &c->rec[c->n++];
	*r = (struct rec){.id = id, .kind = kind};
	r->target = target ? xstrndup(target, CHAN_TEXT_MAX) : NULL;
	return r;
}

static void drop(struct chan *c, struct rec *r)
{
	size_t i = (size_t)(r - c->rec);

	free(r->target);
	free(r->reason);
	memmove(&c->rec[i], &c->rec[i + 1], (c->n - i - 1) * sizeof *c->rec);
	c->n--;
}

static void leave(struct chan *c, struct rec *r)
{
	if (!r->left)
		chanset_remove(c->local, r->id);
	r->left = true;
}

static void close_rec(struct chan *c, struct rec *r, bool reset)
{
	if (r->state == CHAN_CLOSED)
		return;
	r->state = CHAN_CLOSED;
	r->reset = reset;
	if (reset)
		c->stats.reset++;
	else
		c->stats.finished++;
}

/* Everything delivered both ways and both streams ended. */
static bool complete(const struct chan_entry *l, const struct rec *r)
{
	return l->fin && r->peer_consumed >= l->end && r->peer_fin && l->consumed >= r->peer_end;
}

/* The peer holds our final entry (fin, everything of its delivered), so that
 * our leaving reads as a clean close rather than a reset. */
static bool final_acked(const struct chan *c, const struct chan_entry *l, const struct rec *r)
{
	const struct chan_entry *a = c->acked ? chanset_find(c->acked, r->id) : NULL;

	return a != NULL && a->fin && a->end == l->end && a->consumed >= r->peer_end;
}

static void settle_one(struct chan *c, struct rec *r)
{
	const struct chan_entry *p = c->remote ? chanset_find(c->remote, r->id) : NULL;
	struct chan_entry *l = r->left ? NULL : chanset_get(c->local, r->id);

	if (p != NULL) {
		r->peer_seen = true;
		r->peer_end = p->end;
		r->peer_fin = p->fin;
		if (p->consumed > r->peer_consumed)
			r->peer_consumed = p->consumed;
	}
	if (r->state == CHAN_OPENING && p != NULL && p->reply == CHAN_ACCEPTED) {
		r->state = CHAN_OPEN;
		c->stats.accepted++;
	} else if (r->state == CHAN_OPENING && p != NULL && p->reply == CHAN_REFUSED) {
		free(r->reason);
		r->reason = p->reason ? xstrdup(p->reason) : xstrdup("refused");
		close_rec(c, r, true);
		leave(c, r);
		return;
	}
	if (p == NULL && r->peer_seen) {
		/* The peer left: cleanly only if it had finished and we delivered it all. */
		bool clean = l != NULL && r->state == CHAN_OPEN && complete(l, r);

		if (r->state != CHAN_CLOSED)
			close_rec(c, r, !clean);
		leave(c, r);
		return;
	}
	if (r->discard && l != NULL) {
		struct chan_entry *e = c->remote ? chanset_get(c->remote, r->id) : NULL;

		if (l->consumed < r->peer_end) {
			l->consumed = r->peer_end;
			if (e != NULL)
				chanset_release(e, l->consumed);
		}
		if (complete(l, r) && final_acked(c, l, r))
			leave(c, r);
		return;
	}
	if (l != NULL && r->state == CHAN_OPEN && complete(l, r))
		close_rec(c, r, false);
	if (l != NULL && r->state == CHAN_CLOSED && !r->reset && final_acked(c, l, r))
		leave(c, r);
}

/* Move every record on, take in new channels of the peer, drop finished ones. */
static void settle(struct chan *c)
{
	if (c->remote != NULL) {
		size_t n = chanset_count(c->remote);

		for (size_t i = 0; i < n; i++) {
			const struct chan_entry *p = chanset_at(c->remote, i);
			bool theirs = (p->id & 1) == (c->client ? 0u : 1u);

			if (!theirs || p->kind == 0 || p->id <= c->top_in)
				continue;
			c->top_in = p->id;
			if (c->n >= CHAN_MAX) {
				/* Answer and forget: the peer sees a refusal. */
				struct chan_entry *l = chanset_add(c->local, p->id);
				struct rec *r;

				l->reply = CHAN_REFUSED;
				chanset_set_text(&l->reason, "too many channels");
				r = add(c, p->id, p->kind, NULL);
				r->state = CHAN_CLOSED;
				r->forgotten = true;
				c->stats.refused++;
				continue;
			}
			add(c, p->id, p->kind, p->target)->state = CHAN_INCOMING;
		}
	}
	for (size_t i = 0; i < c->n;) {
		struct rec *r = &c->rec[i];

		settle_one(c, r);
		if (r->forgotten && r->state == CHAN_CLOSED && r->left) {
			drop(c, r);
			continue;
		}
		if (r->forgotten && r->state == CHAN_CLOSED && !r->peer_seen) {
			/* The peer never knew it: nothing to tell. */
			leave(c, r);
			drop(c, r);
			continue;
		}
		i++;
	}
}

/* Bytes of our TCP streams the state acked holds that c->acked did not. */
static uint64_t newly_acked(const struct chan *c, const struct chanset *acked)
{
	uint64_t n = 0;

	for (size_t i = 0; acked != NULL && i < c->n; i++) {
		const struct chan_entry *a = chanset_find(acked, c->rec[i].id);
		const struct chan_entry *o = c->acked ? chanset_find(c->acked, c->rec[i].id) : NULL;

		if (a != NULL && c->rec[i].kind != CHAN_KIND_AGENT && a->end > (o ? o->end : 0))
			n += a->end - (o ? o->end : 0);
	}
	return n;
}

void chan_loss(struct chan *c)
{
	c->grow_from = c->sent_total;
	c->flight_max /= 2;
	if (c->flight_max < CHAN_IN_FLIGHT_MIN)
		c->flight_max = CHAN_IN_FLIGHT_MIN;
}

size_t chan_in_flight_max(const struct chan *c)
{
	return (size_t)c->flight_max;
}

void chan_sync(struct chan *c, const struct chanset *remote, const struct chanset *acked)
{
	uint64_t before = c->acked_total;

	c->acked_total += newly_acked(c, acked);
	if (c->acked_total > c->grow_from)
		c->flight_max += c->acked_total - (before > c->grow_from ? before : c->grow_from);
	if (c->flight_max > CHAN_IN_FLIGHT_MAX)
		c->flight_max = CHAN_IN_FLIGHT_MAX;
	chanset_free(c->remote);
	chanset_free(c->acked);
	c->remote = remote ? chanset_copy(remote) : NULL;
	c->acked = acked ? chanset_copy(acked) : NULL;
	settle(c);
}

uint32_t chan_open(struct chan *c, enum chan_kind kind, const char *target)
{
	struct chan_entry *l;
	struct rec *r;

	if (c->n >= CHAN_MAX || c->next_id > UINT32_MAX - 2)
		return 0;
	r = add(c, c->next_id, (uint8_t)kind, target);
	r->mine = true;
	r->state = CHAN_OPENING;
	l = chanset_add(c->local, r->id);
	l->kind = (uint8_t)kind;
	chanset_set_text(&l->target, target);
	c->next_id += 2;
	c->stats.opened++;
	return r->id;
}

uint32_t chan_next_incoming(const struct chan *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->rec[i].state == CHAN_INCOMING)
			return c->rec[i].id;
	return 0;
}

void chan_accept(struct chan *c, uint32_t id)
{
	struct rec *r = find(c, id);

	if (r == NULL || r->state != CHAN_INCOMING)
		return;
	chanset_add(c->local, id)->reply = CHAN_ACCEPTED;
	r->state = CHAN_OPEN;
	c->stats.accepted++;
	settle(c);
}

void chan_refuse(struct chan *c, uint32_t id, const char *reason)
{
	struct rec *r = find(c, id);
	struct chan_entry *l;

	if (r == NULL || r->state != CHAN_INCOMING)
		return;
	l = chanset_add(c->local, id);
	l->reply = CHAN_REFUSED;
	chanset_set_text(&l->reason, reason);
	r->state = CHAN_CLOSED;
	r->reset = true;
	r->forgotten = true;
	c->stats.refused++;
}

/* Bytes sent on r beyond what the peer delivered. */
static uint64_t unconsumed(const struct chan *c, const struct rec *r)
{
	const struct chan_entry *l = r->left ? NULL : chanset_find(c->local, r->id);

	return l != NULL && l->end > r->peer_consumed ? l->end - r->peer_consumed : 0;
}

/* Bytes sent on r beyond the state the peer acknowledged. */
static uint64_t unacked(const struct chan *c, const struct rec *r)
{
	const struct chan_entry *l = r->left ? NULL : chanset_find(c->local, r->id);
	const struct chan_entry *a = c->acked ? chanset_find(c->acked, r->id) : NULL;
	uint64_t base = a != NULL ? a->end : 0;

	return l != NULL && l->end > base ? l->end - base : 0;
}

static size_t room(const struct chan *c, const struct rec *r)
{
	const struct chan_entry *l = r->left ? NULL : chanset_find(c->local, r->id);
	uint64_t mine, session = 0, flight = 0, left;
	size_t sending = 0;

	if (l == NULL || l->fin || (r->state != CHAN_OPEN && r->state != CHAN_OPENING))
		return 0;
	mine = unconsumed(c, r);
	if (mine >= CHAN_WINDOW)
		return 0;
	left = CHAN_WINDOW - mine;
	for (size_t i = 0; i < c->n; i++) {
		session += unconsumed(c, &c->rec[i]);
		if (c->rec[i].kind != CHAN_KIND_AGENT) {
			flight += unacked(c, &c->rec[i]);
			sending += c->rec[i].state == CHAN_OPEN || c->rec[i].state == CHAN_OPENING;
		}
	}
	if (session >= CHAN_SESSION_WINDOW)
		return 0;
	if (CHAN_SESSION_WINDOW - session < left)
		left = CHAN_SESSION_WINDOW - session;
	if (r->kind != CHAN_KIND_AGENT) {
		/* A fair share of what may be in flight, so no channel starves another. */
		uint64_t share = c->flight_max / (sending ? sending : 1);
		uint64_t own = unacked(c, r);

		if (flight >= c->flight_max || own >= share)
			return 0;
		if (share - own < left)
			left = share - own;
		if (c->flight_max - flight < left)
			left = c->flight_max - flight;
	}
	return (size_t)left;
}

bool chan_status(const struct chan *c, uint32_t id, struct chan_status *st)
{
	const struct rec *r = find(c, id);
	const struct chan_entry *l;

	if (r == NULL)
		return false;
	l = r->left ? NULL : chanset_find(c->local, id);
	*st = (struct chan_status){
	    .state = r->state,
	    .kind = (enum chan_kind)r->kind,
	    .target = r->target,
	    .reason = r->reason,
	    .reset = r->reset,
	    .eof = r->peer_fin && (l == NULL ? !r->reset : l->consumed >= r->peer_end),
	    .room = room(c, r),
	};
	return true;
}

size_t chan_peek(const struct chan *c, uint32_t id, const uint8_t **p)
{
	const struct rec *r = find(c, id);
	const struct chan_entry *l, *e;

	*p = NULL;
	if (r == NULL || r->state != CHAN_OPEN || r->left || c->remote == NULL)
		return 0;
	l = chanset_find(c->local, id);
	e = chanset_find(c->remote, id);
	return l != NULL && e != NULL ? chanset_read(e, l->consumed, p) : 0;
}

void chan_delivered(struct chan *c, uint32_t id, size_t n)
{
	struct rec *r = find(c, id);
	struct chan_entry *l = r && !r->left ? chanset_get(c->local, id) : NULL;
	struct chan_entry *e;

	if (l == NULL || n == 0)
		return;
	l->consumed += n;
	c->stats.bytes_delivered += n;
	if (c->remote != NULL && (e = chanset_get(c->remote, id)) != NULL)
		chanset_release(e, l->consumed);
	settle(c);
}

void chan_send(struct chan *c, uint32_t id, const void *p, size_t n)
{
	struct rec *r = find(c, id);
	struct chan_entry *l = r && !r->left ? chanset_get(c->local, id) : NULL;

	if (l == NULL || n == 0)
		return;
	ASSERT(n <= room(c, r));
	chanset_write(l, p, n);
	if (r->kind != CHAN_KIND_AGENT)
		c->sent_total += n;
	c->stats.bytes_sent += n;
}

void chan_finish(struct chan *c, uint32_t id)
{
	struct rec *r = find(c, id);
	struct chan_entry *l = r && !r->left ? chanset_get(c->local, id) : NULL;

	if (l == NULL || l->fin)
		return;
	l->fin = true;
	settle(c);
}

void chan_abort(struct chan *c, uint32_t id)
{
	struct rec *r = find(c, id);

	if (r == NULL)
		return;
	if (r->state == CHAN_INCOMING) {
		chan_refuse(c, id, "aborted");
		return;
	}
	close_rec(c, r, true);
	r->forgotten = true;
	if (!r->mine && !r->left) {
		/*
		 * The opener may not have seen our answer yet, and an entry that
		 * goes before it is seen leaves the opener waiting for ever. So
		 * stay, end our stream and throw away what comes until the opener
		 * ends too: it sees an end of file rather than a reset.
		 */
		struct chan_entry *l = chanset_get(c->local, id);

		l->fin = true;
		r->discard = true;
		settle(c);
		return;
	}
	leave(c, r);
	drop(c, r);
}

void chan_forget(struct chan *c, uint32_t id)
{
	struct rec *r = find(c, id);

	if (r == NULL)
		return;
	r->forgotten = true;
	settle(c);
}

size_t chan_count(const struct chan *c)
{
	return c->n;
}

uint32_t chan_id_at(const struct chan *c, size_t i)
{
	return i < c->n ? c->rec[i].id : 0;
}

uint32_t chan_request(struct chan *c, enum chan_kind kind, const char *bind, uint16_t port)
{
	struct chan_req *q;
	uint32_t id = (uint32_t)chanset_nreqs(c->local) + 1;

	if (chanset_nreqs(c->local) >= CHAN_REQS_MAX)
		return 0;
	q = chanset_req_add(c->local, id);
	q->kind = (uint8_t)kind;
	q->port = port;
	chanset_set_text(&q->bind, bind);
	return id;
}

void chan_answer(struct chan *c, uint32_t req, enum chan_req_status status, const char *reason)
{
	struct chan_req *q = (struct chan_req *)chanset_req_find(c->local, req);

	if (q == NULL)
		q = chanset_req_add(c->local, req);
	q->status = (uint8_t)status;
	chanset_set_text(&q->reason, reason);
}

const struct chanset *chan_remote(const struct chan *c)
{
	return c->remote;
}

const struct chan_stats *chan_stats(const struct chan *c)
{
	return &c->stats;
}
