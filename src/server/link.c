/* One client link of a session; see link.h. */
#include "server/link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/wire.h"
#include "server/forward.h"
#include "ssp/ssp.h"
#include "ssp/transport.h"
#include "state/history.h"
#include "state/terminal.h"
#include "state/userstream.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/xmalloc.h"

enum {
	ECHO_TIMEOUT = 50,           /* ms an application gets to echo a keystroke (5.6) */
	ECHO_HISTORY_MAX = 1024,     /* pending echo-ack entries kept */
	PTY_BACKLOG_MAX = 64 * 1024, /* stop taking user input while this much is queued */
	HISTORY_IN_FLIGHT = 512,     /* rows published beyond what the client acknowledged */
	HISTORY_FLOOD_QUIET = 250,   /* ms the log must stand still before a gap is sent */
};

struct echo_entry {
	uint64_t num;  /* client state number */
	uint64_t when; /* when its events reached the pty */
};

struct link {
	struct ssp_transport *transport;
	struct ssp *ssp;
	struct termstate *view; /* the live state SSP sends (borrowed by SSP) */
	struct emu *emu;
	struct pty_child *child;
	void (*on_heard)(void *arg, struct link *l, uint64_t now);
	void *on_heard_arg;

	struct userstream *input; /* copy of the newest client state being applied */
	uint64_t input_num;       /* its state number */
	uint64_t input_done;      /* absolute index of the next event to apply */
	int esc_state;            /* ESC O x translation: 0, 1 after ESC, 2 after ESC O */
	bool heard;
	uint64_t last_heard; /* when the newest client state arrived */
	bool moshc;          /* the client's hello arrived */
	uint64_t features;   /* the WIRE_FEATURE_* bits of its hello */
	bool ending;
	bool child_gone; /* a pty write found the child gone */

	struct history *history; /* the session's, borrowed; NULL: none */
	bool scrollback;         /* the client wants history: it is published */
	bool flood;              /* lines were lost: waiting for the log to stand still */
	uint64_t flood_end;      /* the log's end when last seen moving */
	uint64_t flood_since;

	struct echo_entry *echo;
	size_t n_echo;

	struct ev_loop *loop;
	struct sfwd *fwd; /* forwarded channels: NULL unless the client speaks them */
};

/* Bytes the user typed, with the cursor-key fix-up of 5.5: the client always
 * sends arrows as ESC O x; an application in normal cursor mode wants ESC [ x. */
static void user_bytes(struct link *l, const uint8_t *p, size_t n)
{
	bool app = emu_app_cursor_keys(l->emu);
	struct buf out;

	buf_init(&out);
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];

		if (l->esc_state == 2) {
			l->esc_state = 0;
			buf_append_byte(&out, (!app && c >= 'A' && c <= 'D') ? '[' : 'O');
			buf_append_byte(&out, c);
			continue;
		}
		if (l->esc_state == 1 && c == 'O') {
			/* Held back until the next byte decides between SS3 and CSI. */
			l->esc_state = 2;
			continue;
		}
		l->esc_state = c == 0x1b ? 1 : 0;
		buf_append_byte(&out, c);
	}
	if (out.len > 0 && pty_write(l->child, out.data, out.len) == ERR_CLOSED)
		l->child_gone = true;
	buf_fini(&out);
}

static void apply_resize(struct link *l, int w, int h)
{
	const struct fb *fb;

	emu_resize(l->emu, w, h);
	/* The pty gets the size the emulator really has (it clamps). */
	fb = emu_fb(l->emu);
	pty_resize(l->child, (uint16_t)fb->ds.height, (uint16_t)fb->ds.width);
}

/* A run of resizes: only the last matters. Returns it; advances input_done. */
static const struct userstream_event *last_resize(struct link *l, uint64_t end)
{
	const struct userstream_event *e = userstream_event(l->input, l->input_done), *next = e;

	while (next != NULL && next->kind == USERSTREAM_RESIZE) {
		e = next;
		l->input_done++;
		next = l->input_done < end ? userstream_event(l->input, l->input_done) : NULL;
	}
	return e;
}

/* Apply the newest client state's events while the pty has room. */
static void apply_input(struct link *l, uint64_t now)
{
	uint64_t end = userstream_end(l->input);
	bool any = false;

	while (l->input_done < end && pty_queued(l->child) < PTY_BACKLOG_MAX && !l->child_gone) {
		const struct userstream_event *e = userstream_event(l->input, l->input_done);
		uint8_t bytes[512];
		size_t n = 0;

		if (e == NULL) {
			/* Cannot happen while we hold our own copy; never spin on it. */
			log_error("client event %llu is not held",
			          (unsigned long long)l->input_done);
			l->input_done = end;
			break;
		}
		if (e->kind == USERSTREAM_RESIZE) {
			e = last_resize(l, end);
			apply_resize(l, e->width, e->height);
			any = true;
			continue;
		}
		while (l->input_done < end && n < sizeof bytes) {
			e = userstream_event(l->input, l->input_done);
			if (e == NULL || e->kind != USERSTREAM_BYTE)
				break;
			bytes[n++] = e->byte;
			l->input_done++;
		}
		user_bytes(l, bytes, n);
		any = true;
	}
	/* Our copy would otherwise pin every event of the session in the shared log. */
	if (l->input_done == end)
		userstream_subtract(l->input, l->input);
	if (any && l->n_echo < ECHO_HISTORY_MAX) {
		l->echo[l->n_echo].num = l->input_num;
		l->echo[l->n_echo].when = now;
		l->n_echo++;
	}
}

/* A mosh-c client said hello: answer in our state (never before, so a mosh
 * 1.4 client gets mosh 1.4's diffs). */
static void note_hello(struct link *l, const struct userstream *remote)
{
	uint32_t version;
	uint64_t features;

	if (l->moshc || !userstream_hello(remote, &version, &features))
		return;
	l->moshc = true;
	l->features = features;
	/* The extensions this server offers (doc/PROTOCOL.md, "Extensions"). */
	termstate_set_hello(l->view, WIRE_MOSHC_VERSION,
	                    WIRE_FEATURE_NOTICE | WIRE_FEATURE_RENDITIONS | WIRE_FEATURE_CHANNELS |
	                        (l->history != NULL ? WIRE_FEATURE_SCROLLBACK : 0));
	if (features & WIRE_FEATURE_CHANNELS) {
		l->fwd = sfwd_new(l->loop, termstate_enable_chans(l->view));
		ssp_set_loss_probe(l->ssp, true);
	}
	termstate_set_renditions(l->view, (features & WIRE_FEATURE_RENDITIONS) != 0);
	if ((features & WIRE_FEATURE_SCROLLBACK) && l->history != NULL) {
		l->scrollback = true;
		termstate_enable_history(l->view, l->history);
	}
	log_info("client speaks mosh-c %u, features %#llx", version, (unsigned long long)features);
}

/* Every instruction may acknowledge channel bytes, not only a new state. */
static void sync_channels(struct link *l)
{
	if (l->fwd != NULL && !l->ending)
		sfwd_sync(l->fwd, userstream_chans(ssp_remote(l->ssp)),
		          termstate_chans(ssp_acked_state(l->ssp)), ssp_stats(l->ssp)->losses);
}

static void on_receive(void *arg, uint64_t now)
{
	struct link *l = arg;
	uint64_t num = ssp_remote_num(l->ssp);

	if (num == l->input_num || ssp_remote_shutdown(l->ssp) || l->ending) {
		sync_channels(l);
		return;
	}
	/* Keep the events not yet applied: the receiver may already have dropped them. */
	if (userstream_extend_to(l->input, ssp_remote(l->ssp)) < 0) {
		userstream_free(l->input);
		l->input = userstream_copy(ssp_remote(l->ssp));
	}
	l->input_num = num;
	l->last_heard = now;
	note_hello(l, ssp_remote(l->ssp));
	if (!l->heard) {
		l->heard = true;
		if (l->on_heard != NULL)
			l->on_heard(l->on_heard_arg, l, now);
	}
	/* After on_heard: a reattaching client's -R ports are free once the
	 * link it displaces has closed its listeners. */
	sync_channels(l);
	if (!l->ending)
		apply_input(l, now);
}

/* The echo ack: the newest client state whose input is at least ECHO_TIMEOUT old. */
static int64_t update_echo_ack(struct link *l, uint64_t now)
{
	size_t done = 0;
	uint64_t ack = 0;
	bool found = false;

	while (done < l->n_echo && l->echo[done].when + ECHO_TIMEOUT <= now) {
		ack = l->echo[done].num;
		found = true;
		done++;
	}
	if (found)
		termstate_set_echo_ack(l->view, ack);
	if (done > 0) {
		memmove(l->echo, l->echo + done, (l->n_echo - done) * sizeof *l->echo);
		l->n_echo -= done;
	}
	return l->n_echo > 0 ? (int64_t)(l->echo[0].when + ECHO_TIMEOUT - now) : -1;
}

struct link *link_new(const struct link_config *cfg, uint64_t now)
{
	struct link *l = xcalloc(1, sizeof *l);
	struct ssp_transport_config tc;

	l->emu = cfg->emu;
	l->child = cfg->child;
	l->on_heard = cfg->on_heard;
	l->on_heard_arg = cfg->on_heard_arg;
	l->history = cfg->history;
	l->loop = cfg->loop;
	l->input = userstream_new();
	l->echo = xcalloc(ECHO_HISTORY_MAX, sizeof *l->echo);
	l->view = termstate_new_view(cfg->emu);

	memset(&tc, 0, sizeof tc);
	tc.conn = cfg->conn;
	tc.key = cfg->key;
	tc.send_dir = PKT_TO_CLIENT;
	tc.local_ops = &termstate_ops;
	tc.local_initial = termstate_new(cfg->width, cfg->height);
	tc.local_live = l->view;
	tc.remote_ops = &userstream_ops;
	tc.remote_initial = userstream_new();
	tc.send_mindelay = SSP_SEND_MINDELAY_SERVER;
	tc.on_receive = on_receive;
	tc.on_receive_arg = l;
	l->transport = ssp_transport_new(&tc, now);
	l->ssp = ssp_transport_ssp(l->transport);
	ssp_transport_attach(l->transport, cfg->loop);
	return l;
}

void link_free(struct link *l)
{
	if (l == NULL)
		return;
	sfwd_free(l->fwd);
	ssp_transport_free(l->transport);
	termstate_free(l->view);
	userstream_free(l->input);
	free(l->echo);
	free(l);
}

int64_t link_tick(struct link *l, uint64_t now, bool *child_gone)
{
	int64_t wait;

	if (l->heard && !l->ending && !ssp_shutdown_in_progress(l->ssp))
		apply_input(l, now);
	wait = update_echo_ack(l, now);
	if (l->child_gone)
		*child_gone = true;
	return wait;
}

/* Whether the log outran us and is still moving: then wait (returns the wait). */
static int64_t flood_wait(struct link *l, uint64_t published, uint64_t now)
{
	uint64_t end = history_end(l->history);

	if (published >= history_start(l->history)) {
		l->flood = false;
		return 0;
	}
	if (!l->flood || end != l->flood_end) {
		l->flood = true;
		l->flood_end = end;
		l->flood_since = now;
	}
	if (now - l->flood_since < HISTORY_FLOOD_QUIET)
		return (int64_t)(l->flood_since + HISTORY_FLOOD_QUIET - now);
	return 0;
}

int64_t link_publish_history(struct link *l, uint64_t now)
{
	uint64_t published, acked, from, rows, wait, in_flight;
	struct history *h;

	if (!l->scrollback || l->ending)
		return -1;
	h = termstate_history(l->view, &published);
	if (published >= history_end(h))
		return -1;
	if ((wait = (uint64_t)flood_wait(l, published, now)) > 0)
		return (int64_t)wait;
	/* Rows a diff may carry: those held between the acknowledged state and ours. */
	termstate_history(ssp_acked_state(l->ssp), &acked);
	if (acked < history_start(h))
		acked = history_start(h);
	in_flight = published > acked ? published - acked : 0;
	if (in_flight >= HISTORY_IN_FLIGHT)
		return -1; /* the client's next ack wakes the loop */
	/*
	 * Publish what the window allows now, not on a clock of our own: rows
	 * then ride the same frame as the screen that scrolled them off, so the
	 * client never sees the screen scroll ahead of its history.
	 */
	from = published > history_start(h) ? published : history_start(h);
	rows = history_end(h) - from;
	if (rows > HISTORY_IN_FLIGHT - in_flight)
		rows = HISTORY_IN_FLIGHT - in_flight;
	termstate_publish_history(l->view, from + rows);
	return -1;
}

void link_set_send_mindelay(struct link *l, uint64_t ms)
{
	ssp_set_send_mindelay(l->ssp, ms);
}

bool link_heard(const struct link *l)
{
	return l->heard;
}

uint64_t link_last_heard(const struct link *l)
{
	return l->last_heard;
}

void link_client_ip(const struct link *l, char *out, size_t len)
{
	char *end;

	if (!l->heard) {
		snprintf(out, len, "%s", "");
		return;
	}
	conn_remote_str(ssp_transport_conn(l->transport), out, len);
	if (out[0] == '[') {
		end = strchr(out, ']');
		if (end != NULL)
			*end = '\0';
		memmove(out, out + 1, strlen(out));
	} else if ((end = strrchr(out, ':')) != NULL) {
		*end = '\0';
	}
}

bool link_peer_is_moshc(const struct link *l)
{
	return l->moshc;
}

uint16_t link_port(const struct link *l)
{
	return conn_local_port(ssp_transport_conn(l->transport));
}

void link_end(struct link *l, uint64_t now, uint32_t notice, const char *text)
{
	if (l->ending)
		return;
	l->ending = true;
	/* Its forwarded connections end with it (their peers see resets). */
	sfwd_free(l->fwd);
	l->fwd = NULL;
	/* A client that is quitting only needs our acknowledgement (5.7). */
	if (ssp_remote_shutdown(l->ssp))
		return;
	if (notice != 0 && (l->features & WIRE_FEATURE_NOTICE))
		termstate_set_notice(l->view, notice, text);
	ssp_start_shutdown(l->ssp, now);
}

void link_displace(struct link *l, uint64_t now, const char *by_ip)
{
	if (l->ending)
		return;
	/* Whatever the new client does is no business of this one's screen. */
	termstate_freeze(l->view);
	l->emu = NULL;
	link_end(l, now, WIRE_NOTICE_ATTACHED, by_ip);
}

bool link_forward_agent(struct link *l, int fd)
{
	if (l->fwd == NULL || !sfwd_agent_offered(l->fwd)) {
		close(fd);
		return false;
	}
	return sfwd_agent(l->fwd, fd);
}

bool link_ending(const struct link *l)
{
	return l->ending;
}

bool link_client_quit(const struct link *l)
{
	return ssp_remote_shutdown(l->ssp);
}

bool link_finished(const struct link *l, uint64_t now)
{
	if (ssp_remote_shutdown(l->ssp) && ssp_counterparty_shutdown_acknowledged(l->ssp))
		return true;
	if (!l->ending)
		return false;
	return !conn_has_remote(ssp_transport_conn(l->transport)) ||
	       ssp_shutdown_acknowledged(l->ssp) || ssp_shutdown_timed_out(l->ssp, now);
}
