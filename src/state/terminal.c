/* The complete terminal state and its SSP operations; see terminal.h. */
#include "state/terminal.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "chan/chanset.h"
#include "net/msg.h"
#include "net/wire.h"
#include "state/history.h"
#include "term/disp.h"
#include "term/fb.h"
#include "util/err.h"
#include "util/xmalloc.h"

struct termstate {
	struct emu *emu;
	bool borrowed; /* a view: emu belongs to the session */
	uint64_t echo_ack;
	uint64_t replies_dropped;
	bool has_hello;
	uint32_t hello_version;
	uint64_t hello_features;
	uint32_t notice; /* 0: none */
	char notice_text[WIRE_NOTICE_TEXT_MAX + 1];
	/* The scrollback part: NULL unless both sides want it (the peer's hello). */
	struct history *hist;
	uint64_t hist_end; /* lines of it this state reaches */
	/* Client: the server said its alternate screen shows (field 43); a
	 * server's own states read it from the framebuffer instead. */
	bool alternate;
	bool renditions; /* diffs in the extended display flavour */
	/* The channel part (field 44): NULL until both sides said they speak it. */
	struct chanset *chans;
};

struct termstate *termstate_new(int width, int height)
{
	struct termstate *s = xcalloc(1, sizeof *s);

	s->emu = emu_new(width, height);
	return s;
}

struct termstate *termstate_new_view(struct emu *emu)
{
	struct termstate *s = xcalloc(1, sizeof *s);

	s->emu = emu;
	s->borrowed = true;
	return s;
}

struct termstate *termstate_copy(const struct termstate *s)
{
	struct termstate *c = xmalloc(sizeof *c);

	*c = *s;
	c->emu = emu_copy(s->emu);
	c->borrowed = false;
	if (c->hist != NULL)
		history_ref(c->hist);
	if (s->chans != NULL)
		c->chans = chanset_copy(s->chans);
	return c;
}

void termstate_freeze(struct termstate *s)
{
	if (!s->borrowed)
		return;
	s->emu = emu_copy(s->emu);
	s->borrowed = false;
}

void termstate_free(struct termstate *s)
{
	if (s == NULL)
		return;
	if (!s->borrowed)
		emu_free(s->emu);
	history_unref(s->hist);
	chanset_free(s->chans);
	free(s);
}

void termstate_set_hello(struct termstate *s, uint32_t version, uint64_t features)
{
	s->has_hello = true;
	s->hello_version = version;
	s->hello_features = features;
}

void termstate_set_renditions(struct termstate *s, bool on)
{
	s->renditions = on;
}

bool termstate_hello(const struct termstate *s, uint32_t *version, uint64_t *features)
{
	if (s->has_hello) {
		*version = s->hello_version;
		*features = s->hello_features;
	}
	return s->has_hello;
}

void termstate_enable_history(struct termstate *s, struct history *h)
{
	if (s->hist != NULL)
		return;
	history_ref(h);
	s->hist = h;
}

void termstate_publish_history(struct termstate *s, uint64_t end)
{
	if (end > s->hist_end)
		s->hist_end = end;
}

struct history *termstate_history(const struct termstate *s, uint64_t *end)
{
	*end = s->hist_end;
	return s->hist;
}

bool termstate_alternate(const struct termstate *s)
{
	return s->alternate || emu_fb(s->emu)->ds.alt_screen;
}

void termstate_set_notice(struct termstate *s, uint32_t kind, const char *text)
{
	s->notice = kind;
	snprintf(s->notice_text, sizeof s->notice_text, "%s", text);
}

uint32_t termstate_notice(const struct termstate *s, const char **text)
{
	*text = s->notice_text;
	return s->notice;
}

struct emu *termstate_emu(struct termstate *s)
{
	return s->emu;
}

const struct fb *termstate_fb(const struct termstate *s)
{
	return emu_fb(s->emu);
}

uint64_t termstate_echo_ack(const struct termstate *s)
{
	return s->echo_ack;
}

bool termstate_set_echo_ack(struct termstate *s, uint64_t echo_ack)
{
	if (echo_ack <= s->echo_ack)
		return false;
	s->echo_ack = echo_ack;
	return true;
}

struct chanset *termstate_enable_chans(struct termstate *s)
{
	if (s->chans == NULL)
		s->chans = chanset_new();
	return s->chans;
}

struct chanset *termstate_chans(const struct termstate *s)
{
	return s->chans;
}

static bool chans_equal(const struct chanset *a, const struct chanset *b)
{
	return (a == NULL || b == NULL) ? a == b : chanset_equal(a, b);
}

uint64_t termstate_replies_dropped(const struct termstate *s)
{
	return s->replies_dropped;
}

/* The screens differ as the link's flavour shows them: for a client without
 * our renditions (a mosh 1.4 one never says hello) a change only in them is
 * none, so SSP makes no state and sends no empty frame, as mosh 1.4. Either
 * side with renditions counts, so turning them on shows what was hidden. */
static bool screens_equal(const struct termstate *a, const struct termstate *b)
{
	return disp_server_equal(emu_fb(a->emu), emu_fb(b->emu), a->renditions || b->renditions);
}

/* Which buffer shows is sent with the history part only (field 43, as diff()
 * does): without it, switching buffers alone is no change. */
static bool buffers_equal(const struct termstate *a, const struct termstate *b)
{
	if (a->hist == NULL || b->hist == NULL)
		return a->hist == b->hist;
	return termstate_alternate(a) == termstate_alternate(b);
}

/* Everything but the channel part, which is background (ops.background). */
static bool foreground_equal(const struct termstate *a, const struct termstate *b)
{
	return a->echo_ack == b->echo_ack && a->has_hello == b->has_hello &&
	       a->notice == b->notice && strcmp(a->notice_text, b->notice_text) == 0 &&
	       a->hist_end == b->hist_end && buffers_equal(a, b) && screens_equal(a, b);
}

bool termstate_equal(const struct termstate *a, const struct termstate *b)
{
	return chans_equal(a->chans, b->chans) && foreground_equal(a, b);
}

void termstate_diff(const struct termstate *from, const struct termstate *to, struct buf *out)
{
	const struct fb *ofb = emu_fb(from->emu), *nfb = emu_fb(to->emu);
	struct msg_host_event ev[8];
	struct msg_history_chunk chunks[WIRE_HISTORY_DIFF_ROWS / WIRE_HISTORY_CHUNK_ROWS];
	struct buf hoststring, msg, rows, chans;
	size_t n = 0;

	buf_init(&hoststring);
	buf_init(&rows);
	buf_init(&chans);
	/* Our extensions first: a 1.4 client never gets them (the link sets
	 * them only after the client's hello), ours learns before it draws. */
	if (to->has_hello && !from->has_hello)
		ev[n++] = (struct msg_host_event){.kind = MSG_HOST_HELLO,
		                                  .version = to->hello_version,
		                                  .features = to->hello_features};
	if (to->notice != from->notice || strcmp(to->notice_text, from->notice_text) != 0)
		ev[n++] = (struct msg_host_event){.kind = MSG_HOST_NOTICE,
		                                  .notice = to->notice,
		                                  .bytes = (const uint8_t *)to->notice_text,
		                                  .bytes_len = strlen(to->notice_text)};
	if (to->hist != NULL && to->hist_end != from->hist_end) {
		size_t k = history_encode(to->hist, from->hist_end, to->hist_end, chunks,
		                          sizeof chunks / sizeof chunks[0], &rows);

		ev[n++] = (struct msg_host_event){.kind = MSG_HOST_HISTORY,
		                                  .hist_end = to->hist_end,
		                                  .chunks = chunks,
		                                  .n_chunks = k};
	}
	if (to->hist != NULL &&
	    (from->hist == NULL || termstate_alternate(from) != termstate_alternate(to)))
		ev[n++] = (struct msg_host_event){.kind = MSG_HOST_SCREEN,
		                                  .alternate = termstate_alternate(to)};
	if (from->echo_ack != to->echo_ack)
		ev[n++] =
		    (struct msg_host_event){.kind = MSG_HOST_ECHOACK, .echo_ack = to->echo_ack};
	if (!screens_equal(from, to)) {
		if (ofb->ds.width != nfb->ds.width || ofb->ds.height != nfb->ds.height)
			ev[n++] = (struct msg_host_event){.kind = MSG_HOST_RESIZE,
			                                  .width = nfb->ds.width,
			                                  .height = nfb->ds.height};
		disp_server(ofb, nfb, true, to->renditions, &hoststring);
		if (hoststring.len > 0)
			ev[n++] = (struct msg_host_event){.kind = MSG_HOST_BYTES,
			                                  .bytes = hoststring.data,
			                                  .bytes_len = hoststring.len};
	}
	if (to->chans != NULL)
		chanset_diff(from->chans, to->chans, &chans);
	if (chans.len > 0)
		ev[n++] = (struct msg_host_event){
		    .kind = MSG_HOST_CHANNELS, .bytes = chans.data, .bytes_len = chans.len};
	if (n > 0) {
		buf_init(&msg);
		msg_host_encode(ev, n, &msg);
		buf_append(out, msg.data, msg.len);
		buf_fini(&msg);
	}
	buf_fini(&hoststring);
	buf_fini(&rows);
	buf_fini(&chans);
}

/* A notice's text reaches the user's terminal: printable ASCII only, capped. */
static bool notice_ok(const struct msg_host_event *e)
{
	if (e->bytes_len > WIRE_NOTICE_TEXT_MAX)
		return false;
	for (size_t i = 0; i < e->bytes_len; i++)
		if (e->bytes[i] < 0x20 || e->bytes[i] > 0x7e)
			return false;
	return true;
}

int termstate_apply(struct termstate *s, const uint8_t *diff, size_t len)
{
	struct msg_host m;
	uint64_t ack = s->echo_ack;
	struct buf replies;
	struct chanset *chans = NULL;
	int rc, resizes = 0;

	rc = msg_host_decode(diff, len, &m);
	if (rc < 0)
		return rc;
	/* Check everything first so that a bad message changes nothing. */
	for (size_t i = 0; i < m.n_events; i++) {
		const struct msg_host_event *e = &m.events[i];
		int w = e->width, h = e->height;

		if (e->kind == MSG_HOST_RESIZE) {
			/* One is all a diff needs; many would cost a screen each. */
			if (++resizes > 1) {
				msg_host_release(&m);
				return ERR_RANGE;
			}
			fb_clamp_size(&w, &h);
			if (e->width <= 0 || e->height <= 0 || w != e->width || h != e->height) {
				msg_host_release(&m);
				return ERR_RANGE;
			}
		} else if (e->kind == MSG_HOST_ECHOACK) {
			if (e->echo_ack < ack) {
				msg_host_release(&m);
				return ERR_PROTO;
			}
			ack = e->echo_ack;
		} else if (e->kind == MSG_HOST_NOTICE && !notice_ok(e)) {
			msg_host_release(&m);
			return ERR_RANGE;
		} else if (e->kind == MSG_HOST_HISTORY &&
		           (rc = history_check(e->chunks, e->n_chunks, s->hist_end, e->hist_end)) <
		               0) {
			msg_host_release(&m);
			chanset_free(chans);
			return rc;
		} else if (e->kind == MSG_HOST_CHANNELS) {
			/* Applied to a copy, swapped in with the rest. */
			if (chans == NULL)
				chans = s->chans ? chanset_copy(s->chans) : chanset_new();
			if ((rc = chanset_apply(chans, e->bytes, e->bytes_len, false)) < 0) {
				msg_host_release(&m);
				chanset_free(chans);
				return rc;
			}
		}
	}
	if (chans != NULL) {
		chanset_free(s->chans);
		s->chans = chans;
	}
	buf_init(&replies);
	/* All of the message's terminal output shares one work budget. */
	emu_budget_begin(s->emu);
	for (size_t i = 0; i < m.n_events; i++) {
		const struct msg_host_event *e = &m.events[i];

		switch (e->kind) {
		case MSG_HOST_BYTES:
			emu_write(s->emu, e->bytes, e->bytes_len);
			if (emu_has_replies(s->emu)) {
				s->replies_dropped += emu_take_replies(s->emu, &replies);
				buf_clear(&replies);
			}
			break;
		case MSG_HOST_RESIZE:
			emu_resize(s->emu, e->width, e->height);
			break;
		case MSG_HOST_ECHOACK:
			s->echo_ack = e->echo_ack;
			break;
		case MSG_HOST_HELLO:
			termstate_set_hello(s, e->version, e->features);
			break;
		case MSG_HOST_NOTICE:
			s->notice = e->notice;
			memcpy(s->notice_text, e->bytes, e->bytes_len);
			s->notice_text[e->bytes_len] = '\0';
			break;
		case MSG_HOST_HISTORY:
			if (s->hist == NULL)
				s->hist = history_new(HISTORY_DEFAULT_LINES);
			history_apply(s->hist, e->chunks, e->n_chunks, e->hist_end);
			s->hist_end = e->hist_end;
			break;
		case MSG_HOST_SCREEN:
			s->alternate = e->alternate;
			break;
		case MSG_HOST_CHANNELS:
		case MSG_HOST_NONE:
			break;
		}
	}
	buf_fini(&replies);
	msg_host_release(&m);
	return 0;
}

/* What a state holds that no other state shares: its unshared rows (a hostile
 * server's resize diffs make each received state a fresh full screen). */
static size_t ops_size(const void *state)
{
	const struct fb *fb = termstate_fb(state);
	size_t bytes = sizeof(struct termstate) + (size_t)fb->ds.height * sizeof fb->rows[0];

	for (int y = 0; y < fb->ds.height; y++)
		if (fb->rows[y]->refs == 1)
			bytes += sizeof(struct fb_row) +
			         (size_t)fb->rows[y]->width * sizeof(struct fb_cell);
	if (termstate_chans(state) != NULL)
		bytes += chanset_size(termstate_chans(state));
	return bytes;
}

static void *ops_copy(const void *state)
{
	return termstate_copy(state);
}

static void ops_free(void *state)
{
	termstate_free(state);
}

static bool ops_equal(const void *a, const void *b)
{
	return termstate_equal(a, b);
}

static void ops_diff(const void *from, const void *to, struct buf *out)
{
	termstate_diff(from, to, out);
}

static int ops_apply(void *state, const uint8_t *diff, size_t len)
{
	return termstate_apply(state, diff, len);
}

static bool ops_background(const void *from, const void *to)
{
	const struct termstate *a = from, *b = to;

	return !chans_equal(a->chans, b->chans) && foreground_equal(a, b);
}

static void ops_subtract(void *state, const void *prefix)
{
	struct chanset *c = termstate_chans(state), *p = termstate_chans(prefix);

	if (c != NULL && p != NULL)
		chanset_subtract(c, p);
}

const struct ssp_state_ops termstate_ops = {
    .copy = ops_copy,
    .free = ops_free,
    .equal = ops_equal,
    .diff = ops_diff,
    .apply = ops_apply,
    .subtract = ops_subtract,
    .size = ops_size,
    .background = ops_background,
};
