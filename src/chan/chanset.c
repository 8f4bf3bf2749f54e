/*
 * The channel part of a synchronised state (chanset.h, doc/PROTOCOL.md 15.10).
 *
 * A log holds its stream's bytes [base, base + len). Every state copy that
 * knows the channel points at the same log with its own end, so a log may hold
 * bytes beyond some states' ends; all of them are the same stream, so a diff
 * applied to an older state writes bytes the log may already hold (they are
 * written again, which also repairs what a rejected message left there).
 */
#include "chan/chanset.h"

#include <stdlib.h>
#include <string.h>

#include "net/msg.h"
#include "util/err.h"
#include "util/xmalloc.h"

struct chanlog {
	unsigned refs;
	bool local; /* this end's own stream: subtract() frees it */
	uint64_t base;
	uint8_t *data;
	size_t len, cap;
};

struct chanset {
	struct chan_entry *ent;
	size_t n;
	struct chan_req *req;
	size_t nreq;
	uint32_t top[2]; /* receiver: the highest id opened by the peer, per parity */
};

static struct chanlog *log_new(bool local)
{
	struct chanlog *l = xcalloc(1, sizeof *l);

	l->refs = 1;
	l->local = local;
	return l;
}

static void log_unref(struct chanlog *l)
{
	if (l != NULL && --l->refs == 0) {
		free(l->data);
		free(l);
	}
}

static uint64_t log_top(const struct chanlog *l)
{
	return l->base + l->len;
}

/* Forget everything below upto (and keep at least nothing below base). */
static void log_trim(struct chanlog *l, uint64_t upto)
{
	size_t drop;

	if (upto <= l->base)
		return;
	if (upto >= log_top(l)) {
		l->base = upto;
		l->len = 0;
		if (l->cap > 65536) {
			free(l->data);
			l->data = NULL;
			l->cap = 0;
		}
		return;
	}
	drop = (size_t)(upto - l->base);
	memmove(l->data, l->data + drop, l->len - drop);
	l->len -= drop;
	l->base = upto;
}

/* Write bytes at offset off (base <= off <= top is not required: bytes below
 * base are already delivered and skipped). */
static void log_put(struct chanlog *l, uint64_t off, const uint8_t *p, size_t n)
{
	uint64_t end = off + n;

	if (end <= l->base)
		return;
	if (off < l->base) {
		p += l->base - off;
		n -= (size_t)(l->base - off);
		off = l->base;
	}
	if (off > log_top(l)) /* a gap: cannot happen for a valid message */
		return;
	if (end > log_top(l)) {
		size_t need = (size_t)(end - l->base);

		if (need > l->cap) {
			size_t cap = l->cap ? l->cap : 4096;

			while (cap < need)
				cap *= 2;
			l->data = xrealloc(l->data, cap);
			l->cap = cap;
		}
		l->len = need;
	}
	memcpy(l->data + (off - l->base), p, n);
}

static void entry_copy(struct chan_entry *dst, const struct chan_entry *src)
{
	*dst = *src;
	dst->target = src->target ? xstrdup(src->target) : NULL;
	dst->reason = src->reason ? xstrdup(src->reason) : NULL;
	if (dst->log != NULL)
		dst->log->refs++;
}

static void entry_fini(struct chan_entry *e)
{
	free(e->target);
	free(e->reason);
	log_unref(e->log);
}

static void req_copy(struct chan_req *dst, const struct chan_req *src)
{
	*dst = *src;
	dst->bind = src->bind ? xstrdup(src->bind) : NULL;
	dst->reason = src->reason ? xstrdup(src->reason) : NULL;
}

struct chanset *chanset_new(void)
{
	return xcalloc(1, sizeof(struct chanset));
}

struct chanset *chanset_copy(const struct chanset *s)
{
	struct chanset *c = xcalloc(1, sizeof *c);

	c->n = s->n;
	c->ent = xcalloc(s->n ? s->n : 1, sizeof *c->ent);
	for (size_t i = 0; i < s->n; i++)
		entry_copy(&c->ent[i], &s->ent[i]);
	c->nreq = s->nreq;
	c->req = xcalloc(s->nreq ? s->nreq : 1, sizeof *c->req);
	for (size_t i = 0; i < s->nreq; i++)
		req_copy(&c->req[i], &s->req[i]);
	c->top[0] = s->top[0];
	c->top[1] = s->top[1];
	return c;
}

void chanset_free(struct chanset *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++)
		entry_fini(&s->ent[i]);
	for (size_t i = 0; i < s->nreq; i++) {
		free(s->req[i].bind);
		free(s->req[i].reason);
	}
	free(s->ent);
	free(s->req);
	free(s);
}

static bool str_eq(const char *a, const char *b)
{
	return (a == NULL || b == NULL) ? a == b : strcmp(a, b) == 0;
}

static bool entry_eq(const struct chan_entry *a, const struct chan_entry *b)
{
	return a->id == b->id && a->kind == b->kind && a->reply == b->reply && a->fin == b->fin &&
	       a->end == b->end && a->consumed == b->consumed && str_eq(a->target, b->target) &&
	       str_eq(a->reason, b->reason);
}

static bool req_eq(const struct chan_req *a, const struct chan_req *b)
{
	return a->id == b->id && a->kind == b->kind && a->status == b->status &&
	       a->port == b->port && str_eq(a->bind, b->bind) && str_eq(a->reason, b->reason);
}

bool chanset_equal(const struct chanset *a, const struct chanset *b)
{
	if (a->n != b->n || a->nreq != b->nreq)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!entry_eq(&a->ent[i], &b->ent[i]))
			return false;
	for (size_t i = 0; i < a->nreq; i++)
		if (!req_eq(&a->req[i], &b->req[i]))
			return false;
	return true;
}

static size_t slen(const char *s)
{
	return s ? strlen(s) : 0;
}

/* What changed in one channel between f (NULL: new) and t; false if nothing. */
static bool entry_diff(const struct chan_entry *f, const struct chan_entry *t, struct msg_chan *m)
{
	uint64_t from_end = f ? f->end : 0;
	bool any = false;

	*m = (struct msg_chan){.id = t->id};
	if (f == NULL && t->kind != 0) {
		m->kind = t->kind;
		m->has_target = t->target != NULL;
		m->target = (const uint8_t *)t->target;
		m->target_len = slen(t->target);
		any = true;
	}
	if (t->reply != 0 && (f == NULL || f->reply != t->reply)) {
		m->reply = t->reply;
		m->has_reason = t->reason != NULL;
		m->reason = (const uint8_t *)t->reason;
		m->reason_len = slen(t->reason);
		any = true;
	}
	if (t->end != from_end) {
		const uint8_t *p = NULL;

		m->has_data = true;
		m->offset = from_end;
		m->data_len = chanset_read(t, from_end, &p);
		m->data = p;
		ASSERT(m->data_len == t->end - from_end);
		any = true;
	}
	if (t->fin && (f == NULL || !f->fin)) {
		m->fin = true;
		any = true;
	}
	if (t->consumed != (f ? f->consumed : 0)) {
		m->has_consumed = true;
		m->consumed = t->consumed;
		any = true;
	}
	return any;
}

void chanset_diff(const struct chanset *from, const struct chanset *to, struct buf *out)
{
	static const struct chanset empty;
	struct msg_chans m = {0};
	struct buf b;
	size_t i = 0, j = 0;

	if (from == NULL)
		from = &empty;
	m.chans = xcalloc(from->n + to->n + 1, sizeof *m.chans);
	m.reqs = xcalloc(to->nreq + 1, sizeof *m.reqs);
	while (i < from->n || j < to->n) {
		const struct chan_entry *f = i < from->n ? &from->ent[i] : NULL;
		const struct chan_entry *t = j < to->n ? &to->ent[j] : NULL;

		if (t == NULL || (f != NULL && f->id < t->id)) {
			m.chans[m.n_chans++] = (struct msg_chan){.id = f->id, .gone = true};
			i++;
		} else if (f == NULL || t->id < f->id) {
			if (entry_diff(NULL, t, &m.chans[m.n_chans]))
				m.n_chans++;
			j++;
		} else {
			if (entry_diff(f, t, &m.chans[m.n_chans]))
				m.n_chans++;
			i++;
			j++;
		}
	}
	for (size_t k = 0; k < to->nreq; k++) {
		const struct chan_req *r = &to->req[k];
		const struct chan_req *old = chanset_req_find(from, r->id);

		if (old != NULL && req_eq(old, r))
			continue;
		m.reqs[m.n_reqs++] = (struct msg_chan_req){
		    .id = r->id,
		    .kind = r->kind,
		    .port = r->port,
		    .status = r->status,
		    .has_bind = r->bind != NULL,
		    .bind = (const uint8_t *)r->bind,
		    .bind_len = slen(r->bind),
		    .has_reason = r->reason != NULL,
		    .reason = (const uint8_t *)r->reason,
		    .reason_len = slen(r->reason),
		};
	}
	if (m.n_chans > 0 || m.n_reqs > 0) {
		buf_init(&b);
		msg_chans_encode(&m, &b);
		buf_append(out, b.data, b.len);
		buf_fini(&b);
	}
	free(m.chans);
	free(m.reqs);
}

static size_t find_index(const struct chanset *s, uint32_t id, bool *found)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->ent[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < s->n && s->ent[lo].id == id;
	return lo;
}

struct chan_entry *chanset_get(struct chanset *s, uint32_t id)
{
	bool found;
	size_t i = find_index(s, id, &found);

	return found ? &s->ent[i] : NULL;
}

const struct chan_entry *chanset_find(const struct chanset *s, uint32_t id)
{
	return chanset_get((struct chanset *)s, id);
}

struct chan_entry *chanset_add(struct chanset *s, uint32_t id)
{
	bool found;
	size_t i = find_index(s, id, &found);

	ASSERT(!found);
	s->ent = xreallocarray(s->ent, s->n + 1, sizeof *s->ent);
	memmove(&s->ent[i + 1], &s->ent[i], (s->n - i) * sizeof *s->ent);
	s->n++;
	s->ent[i] = (struct chan_entry){.id = id};
	return &s->ent[i];
}

void chanset_remove(struct chanset *s, uint32_t id)
{
	bool found;
	size_t i = find_index(s, id, &found);

	if (!found)
		return;
	entry_fini(&s->ent[i]);
	memmove(&s->ent[i], &s->ent[i + 1], (s->n - i - 1) * sizeof *s->ent);
	s->n--;
}

size_t chanset_count(const struct chanset *s)
{
	return s->n;
}

struct chan_entry *chanset_at(struct chanset *s, size_t i)
{
	return i < s->n ? &s->ent[i] : NULL;
}

void chanset_set_text(char **field, const char *text)
{
	free(*field);
	*field = text ? xstrndup(text, CHAN_TEXT_MAX) : NULL;
}

void chanset_write(struct chan_entry *e, const void *p, size_t n)
{
	if (e->log == NULL)
		e->log = log_new(true);
	log_put(e->log, e->end, p, n);
	e->end += n;
}

size_t chanset_read(const struct chan_entry *e, uint64_t off, const uint8_t **p)
{
	const struct chanlog *l = e->log;

	*p = NULL;
	if (l == NULL || off < l->base || off >= e->end || off >= log_top(l))
		return 0;
	*p = l->data + (off - l->base);
	return (size_t)((e->end < log_top(l) ? e->end : log_top(l)) - off);
}

void chanset_release(struct chan_entry *e, uint64_t upto)
{
	if (e->log != NULL && !e->log->local)
		log_trim(e->log, upto < e->end ? upto : e->end);
}

void chanset_subtract(struct chanset *s, const struct chanset *prefix)
{
	for (size_t i = 0; i < s->n; i++) {
		struct chan_entry *e = &s->ent[i];
		const struct chan_entry *p = chanset_find(prefix, e->id);

		if (p != NULL && e->log != NULL && e->log == p->log && e->log->local)
			log_trim(e->log, p->end < e->end ? p->end : e->end);
	}
}

size_t chanset_size(const struct chanset *s)
{
	size_t n = sizeof *s + s->n * sizeof *s->ent + s->nreq * sizeof *s->req;

	for (size_t i = 0; i < s->n; i++)
		n += slen(s->ent[i].target) + slen(s->ent[i].reason);
	return n;
}

size_t chanset_nreqs(const struct chanset *s)
{
	return s->nreq;
}

const struct chan_req *chanset_req_at(const struct chanset *s, size_t i)
{
	return i < s->nreq ? &s->req[i] : NULL;
}

const struct chan_req *chanset_req_find(const struct chanset *s, uint32_t id)
{
	for (size_t i = 0; i < s->nreq; i++)
		if (s->req[i].id == id)
			return &s->req[i];
	return NULL;
}

struct chan_req *chanset_req_add(struct chanset *s, uint32_t id)
{
	ASSERT(chanset_req_find(s, id) == NULL && s->nreq < CHAN_REQS_MAX);
	s->req = xreallocarray(s->req, s->nreq + 1, sizeof *s->req);
	s->req[s->nreq] = (struct chan_req){.id = id};
	return &s->req[s->nreq++];
}

/* Absent, or printable ASCII of at most CHAN_TEXT_MAX bytes. */
static bool text_ok(bool has, const uint8_t *p, size_t n)
{
	if (!has)
		return true;
	if (n > CHAN_TEXT_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	return true;
}

static void set_bytes(char **field, const uint8_t *p, size_t n)
{
	free(*field);
	*field = xmalloc(n + 1);
	if (n > 0) /* an empty field may come as NULL */
		memcpy(*field, p, n);
	(*field)[n] = '\0';
}

/* One channel message onto s (a scratch copy); 0 or an error. */
static int apply_chan(struct chanset *s, const struct msg_chan *m, bool from_client)
{
	unsigned peer_parity = from_client ? 1 : 0; /* ids the sender opens */
	struct chan_entry *e;

	if (m->id == 0)
		return ERR_PROTO;
	e = chanset_get(s, m->id);
	if (m->gone) {
		chanset_remove(s, m->id);
		return 0;
	}
	if (!text_ok(m->has_target, m->target, m->target_len) ||
	    !text_ok(m->has_reason, m->reason, m->reason_len))
		return ERR_INVAL;
	if (m->kind > CHAN_KIND_TCP || m->reply > CHAN_REFUSED)
		return ERR_INVAL;
	if (e == NULL) {
		bool opener = (m->id & 1) == peer_parity;

		if (opener ? (m->kind == 0 || m->id <= s->top[m->id & 1]) : m->reply == 0)
			return ERR_PROTO;
		if (s->n >= CHAN_MAX)
			return ERR_RANGE;
		if (opener)
			s->top[m->id & 1] = m->id;
		e = chanset_add(s, m->id);
		e->kind = (uint8_t)m->kind;
		/* Only an opening names a target (an answer's would not round-trip). */
		if (m->has_target && e->kind != 0)
			set_bytes(&e->target, m->target, m->target_len);
	} else if (m->kind != 0 && m->kind != e->kind) {
		return ERR_PROTO;
	}
	if (m->reply != 0 && m->reply != e->reply) {
		if (e->reply != 0)
			return ERR_PROTO;
		e->reply = (uint8_t)m->reply;
		if (m->has_reason)
			set_bytes(&e->reason, m->reason, m->reason_len);
	}
	if (m->has_data && m->data_len > 0) {
		if (m->offset != e->end || e->fin)
			return ERR_PROTO;
		if (e->log == NULL) {
			e->log = log_new(false);
			e->log->base = e->end;
		}
		if (e->end + m->data_len > e->log->base &&
		    e->end + m->data_len - e->log->base > CHAN_LOG_HELD_MAX)
			return ERR_RANGE;
		log_put(e->log, e->end, m->data, m->data_len);
		e->end += m->data_len;
	}
	if (m->fin)
		e->fin = true;
	if (m->has_consumed) {
		if (m->consumed < e->consumed)
			return ERR_PROTO;
		e->consumed = m->consumed;
	}
	return 0;
}

static int apply_req(struct chanset *s, const struct msg_chan_req *m, bool from_client)
{
	struct chan_req *r;

	if (m->id == 0 || !text_ok(m->has_bind, m->bind, m->bind_len) ||
	    !text_ok(m->has_reason, m->reason, m->reason_len) || m->kind > CHAN_KIND_TCP ||
	    m->status > CHAN_REQ_FAILED || m->port > 65535)
		return ERR_INVAL;
	r = (struct chan_req *)chanset_req_find(s, m->id);
	if (r == NULL) {
		if (s->nreq >= CHAN_REQS_MAX)
			return ERR_RANGE;
		if (from_client && (m->kind == 0 || (m->kind == CHAN_KIND_TCP && m->port == 0)))
			return ERR_PROTO;
		r = chanset_req_add(s, m->id);
	}
	r->kind = (uint8_t)m->kind;
	r->port = (uint16_t)m->port;
	r->status = (uint8_t)m->status;
	if (m->has_bind)
		set_bytes(&r->bind, m->bind, m->bind_len);
	if (m->has_reason)
		set_bytes(&r->reason, m->reason, m->reason_len);
	return 0;
}

int chanset_apply(struct chanset *s, const uint8_t *msg, size_t len, bool from_client)
{
	struct msg_chans m;
	struct chanset *c;
	int rc;

	if ((rc = msg_chans_decode(msg, len, &m)) < 0)
		return rc;
	c = chanset_copy(s);
	for (size_t i = 0; i < m.n_chans && rc == 0; i++)
		rc = apply_chan(c, &m.chans[i], from_client);
	for (size_t i = 0; i < m.n_reqs && rc == 0; i++)
		rc = apply_req(c, &m.reqs[i], from_client);
	msg_chans_release(&m);
	if (rc == 0) {
		/* Swap the contents so that s stays the caller's pointer. */
		struct chanset tmp = *s;

		*s = *c;
		*c = tmp;
	}
	chanset_free(c);
	return rc;
}
