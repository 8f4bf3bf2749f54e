/* The user's terminal side of mosh-client and its main loop; see frontend.h. */
#include "client/frontend.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/ctty.h"
#include "client/exitmsg.h"
#include "client/forward.h"
#include "client/link.h"
#include "client/notify.h"
#include "client/overlay.h"
#include "client/predict.h"
#include "client/scrollback.h"
#include "net/wire.h"
#include "state/history.h"
#include "state/terminal.h"
#include "term/disp.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/ev.h"
#include "util/log.h"
#include "util/winsize.h"

enum {
	STDIN_READ_MAX = 16384,
	PUSH_ROWS_MAX = 4096,    /* history rows put into the scrollback per frame */
	CONNECTING_WAKEUP = 250, /* ms between checks until the first state */
};

struct frontend {
	const struct frontend_config *cfg;
	struct tcaps sb_caps; /* cfg->caps, keeping the terminal's scrollback ours */
	struct ev_loop *loop;
	struct clink *link;
	struct esc_state esc;
	struct notify notify;
	struct pred *pred;
	char help[160];
	char silent_msg[NOTIFY_MSG_MAX + 1]; /* the bar's text while the server is silent */

	struct fb *drawn; /* what the terminal shows; NULL: nothing yet */
	/* The user's scrollback (client/scrollback.h): decided on the first
	 * server state, on when the server's hello offers it. We then draw on the
	 * terminal's primary screen instead of the alternate one. */
	bool sb_decided;
	bool sb_mode;
	uint64_t pushed; /* the next history line to put into the scrollback */
	bool local_alt;  /* we mirror the server's alternate screen with ours */
	bool repaint;
	bool final_frame; /* draw without overlays: the session is over */
	uint64_t remote_num;
	bool connected; /* a server state has arrived */
	uint64_t start;
	uint64_t send_errors;

	bool stdin_open;
	bool leave;
	bool clean;
	int signals;
	struct buf out;

	bool fwd_decided;       /* the server's first state said whether it forwards */
	bool fwd_unsupported;   /* ... and it does not */
	uint64_t fwd_msg_until; /* the forwarding message shows until then */
	char fwd_msg[1024];
};

static void write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return; /* the terminal is gone; nothing more to show */
		}
		p += w;
		n -= (size_t)w;
	}
}

static void start_shutdown(struct frontend *s, uint64_t now, const char *msg)
{
	if (clink_shutting_down(s->link))
		return;
	notify_set(&s->notify, msg, true, true, now);
	clink_start_shutdown(s->link, now);
}

/* The alternate screen is ours to use: not when the user's scrollback is. */
static bool use_alt(const struct frontend *s)
{
	return s->cfg->term_init && !s->sb_mode;
}

/* On the first server state: a server that offers scrollback gets the
 * primary screen, whose rows are pushed up into the scrollback first. */
static void decide_scrollback(struct frontend *s)
{
	const struct termstate *remote = clink_remote(s->link);
	const struct fb *rfb = termstate_fb(remote);
	uint32_t version;
	uint64_t features;

	if (s->sb_decided || clink_remote_num(s->link) == 0)
		return;
	s->sb_decided = true;
	if (!s->cfg->scrollback || !termstate_hello(remote, &version, &features) ||
	    !(features & WIRE_FEATURE_SCROLLBACK))
		return;
	s->sb_mode = true;
	if (s->cfg->term_init)
		buf_append_str(&s->out, s->cfg->caps->rmcup);
	buf_appendf(&s->out, "\033[r\033[0m\033[%d;1H", rfb->ds.height);
	for (int y = 0; y < rfb->ds.height; y++)
		buf_append_byte(&s->out, '\n');
	fb_free(s->drawn);
	s->drawn = fb_new(rfb->ds.width, rfb->ds.height);
	s->drawn->ds.cur_row = rfb->ds.height - 1;
}

/* Put the history rows the server sent since the last frame into the scrollback. */
static void push_history(struct frontend *s, const struct fb *rfb)
{
	const struct fb_row *rows[PUSH_ROWS_MAX];
	struct fb_row *gaps[PUSH_ROWS_MAX];
	size_t n = 0, ngaps = 0;
	uint64_t end, at;
	struct history *h = termstate_history(clink_remote(s->link), &end);

	if (h == NULL || s->pushed >= end)
		return;
	while (s->pushed < end && n < PUSH_ROWS_MAX) {
		const struct fb_row *row = history_find(h, s->pushed, &at);

		/* Lost lines wait for the row after them, so losses that span
		 * several diffs make one marker, not one per diff. */
		if (row == NULL || at >= end)
			break;
		if (at > s->pushed) {
			if (n + 2 > PUSH_ROWS_MAX)
				break;
			gaps[ngaps] = scrollback_gap_row(rfb->ds.width, at - s->pushed);
			rows[n++] = gaps[ngaps++];
		}
		rows[n++] = row;
		s->pushed = at + 1;
	}
	if (n == 0)
		return;
	s->drawn = scrollback_push(&s->sb_caps, s->drawn, rows, n, &s->out);
	for (size_t i = 0; i < ngaps; i++)
		fb_row_release(gaps[i]);
	history_trim(h, s->pushed);
}

/* Start from a known blank screen (never ED 2 on the primary screen: some
 * terminals keep what it erases). */
static void reset_drawn(struct frontend *s, const struct fb *fb)
{
	fb_free(s->drawn);
	s->drawn = scrollback_blank(fb->ds.width, fb->ds.height, &s->out);
	s->repaint = false;
}

/*
 * Scrollback mode, before a frame: follow the server between its screens
 * with our own alternate screen (so less and vim never reach the
 * scrollback), and put new history rows into the scrollback while the
 * primary screen shows.
 */
static void prepare_primary(struct frontend *s, const struct fb *fb, bool remote_alt)
{
	const struct tcaps *caps = s->cfg->caps;
	bool can_alt = s->cfg->term_init && caps->smcup[0] != '\0' && caps->rmcup[0] != '\0';

	if (!remote_alt && s->local_alt) {
		buf_append_str(&s->out, caps->rmcup);
		s->local_alt = false;
		reset_drawn(s, fb);
	}
	if (s->drawn == NULL || s->repaint || s->drawn->ds.width != fb->ds.width ||
	    s->drawn->ds.height != fb->ds.height)
		reset_drawn(s, fb);
	if (!s->local_alt)
		push_history(s, fb);
	if (remote_alt && !s->local_alt && can_alt) {
		buf_append_str(&s->out, caps->smcup);
		s->local_alt = true;
		reset_drawn(s, fb);
	}
}

static void draw(struct frontend *s, uint64_t now)
{
	const struct termstate *remote = clink_remote(s->link);
	struct fb *fb = fb_copy(termstate_fb(remote));
	struct buf bar;

	buf_clear(&s->out);
	decide_scrollback(s);
	if (s->sb_mode)
		prepare_primary(s, fb, termstate_alternate(remote));

	if (!s->final_frame) {
		pred_cull(s->pred, termstate_fb(remote), termstate_echo_ack(remote),
		          clink_frame_interval(s->link), now);
		pred_apply(s->pred, fb);
		buf_init(&bar);
		if (notify_text(&s->notify, now, &bar))
			overlay_bar(fb, (const char *)bar.data, bar.len);
		buf_fini(&bar);
		overlay_title(fb, s->cfg->title_prefix);
	}
	disp_frame(s->sb_mode ? &s->sb_caps : s->cfg->caps, s->drawn, fb,
	           s->drawn != NULL && !s->repaint, &s->out);
	write_all(STDOUT_FILENO, s->out.data, s->out.len);
	fb_free(s->drawn);
	s->drawn = fb;
	s->repaint = false;
}

static void suspend(struct frontend *s)
{
	buf_clear(&s->out);
	disp_close(s->cfg->caps, use_alt(s), &s->out);
	write_all(STDOUT_FILENO, s->out.data, s->out.len);
	ctty_suspend(STDOUT_FILENO);
	buf_clear(&s->out);
	disp_open(s->cfg->caps, use_alt(s), &s->out);
	write_all(STDOUT_FILENO, s->out.data, s->out.len);
	s->repaint = true;
}

static void on_stdin(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct frontend *s = arg;
	uint8_t data[STDIN_READ_MAX];
	uint64_t now = ev_now(loop);
	struct buf send;
	ssize_t n = read(fd, data, sizeof data);
	size_t off = 0;
	/* The first client state that can carry these keystrokes. */
	uint64_t frame = clink_next_state_num(s->link);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		s->stdin_open = false;
		ev_fd_set_events(loop, fd, 0);
		start_shutdown(s, now, NOTIFY_TEXT_EOF);
		return;
	}
	/* A paste (one read of more than PRED_PASTE_MAX bytes) resets the
	 * engine and is not predicted; typed bytes are predicted as sent. */
	if ((size_t)n > PRED_PASTE_MAX)
		pred_new_user_bytes(s->pred, termstate_fb(clink_remote(s->link)), data, (size_t)n,
		                    now, frame);
	buf_init(&send);
	while (off < (size_t)n) {
		struct esc_result r = esc_feed(&s->esc, data + off, (size_t)n - off, &send);

		off += r.consumed;
		if (send.len > 0 && !clink_shutting_down(s->link)) {
			if ((size_t)n <= PRED_PASTE_MAX)
				pred_new_user_bytes(s->pred, termstate_fb(clink_remote(s->link)),
				                    send.data, send.len, now, frame);
			clink_push_bytes(s->link, send.data, send.len);
		}
		buf_clear(&send);
		if (r.help_on)
			notify_set(&s->notify, s->help, true, false, now);
		if (r.help_off)
			notify_clear_if(&s->notify, s->help);
		if (r.repaint)
			s->repaint = true;
		if (r.event == ESC_EV_QUIT) {
			/* A server never heard from would not answer the handshake either. */
			if (clink_shutting_down(s->link) || !s->connected)
				s->leave = true;
			start_shutdown(s, now, NOTIFY_TEXT_USER_QUIT);
		} else if (r.event == ESC_EV_SUSPEND) {
			suspend(s);
		}
		if (r.consumed == 0)
			break;
	}
	buf_fini(&send);
}

static void on_signal(struct ev_loop *loop, int signo, void *arg)
{
	struct frontend *s = arg;
	uint64_t now = ev_now(loop);
	uint16_t rows, cols;

	switch (signo) {
	case SIGWINCH:
		if (clink_shutting_down(s->link))
			return;
		winsize_get(STDIN_FILENO, &rows, &cols);
		clink_push_resize(s->link, cols, rows);
		pred_reset(s->pred);
		return;
	case SIGCONT:
		ctty_resume();
		buf_clear(&s->out);
		disp_open(s->cfg->caps, use_alt(s), &s->out);
		write_all(STDOUT_FILENO, s->out.data, s->out.len);
		s->repaint = true;
		return;
	default:
		if (++s->signals > 1 && clink_shutting_down(s->link)) {
			s->leave = true;
			return;
		}
		start_shutdown(s, now, NOTIFY_TEXT_SIGNAL);
	}
}

/* The bar adds its own "mosh: ". */
#define FWD_UNSUPPORTED "the server does not support forwarding; continuing without -A/-L/-R"
enum { FWD_MSG_SHOW = 5000 }; /* ms a forwarding message stays in the bar */

/* Forwarding starts once the server's first state shows it speaks channels. */
static void watch_forwarding(struct frontend *s, uint64_t now)
{
	const struct termstate *remote = clink_remote(s->link);
	const char *msg;
	uint32_t version;
	uint64_t features;

	if (s->cfg->fwd == NULL)
		return;
	if (!s->fwd_decided && clink_remote_num(s->link) > 0) {
		s->fwd_decided = true;
		if (termstate_hello(remote, &version, &features) &&
		    (features & WIRE_FEATURE_CHANNELS)) {
			cfwd_start(s->cfg->fwd, s->loop, clink_enable_chans(s->link));
		} else {
			s->fwd_unsupported = true;
			cfwd_stop(s->cfg->fwd);
			snprintf(s->fwd_msg, sizeof s->fwd_msg, "%s", FWD_UNSUPPORTED);
			notify_set(&s->notify, s->fwd_msg, true, false, now);
			s->fwd_msg_until = now + FWD_MSG_SHOW;
		}
	}
	cfwd_sync(s->cfg->fwd, termstate_chans(remote), clink_acked_chans(s->link),
	          clink_losses(s->link));
	if ((msg = cfwd_message(s->cfg->fwd)) != NULL) {
		snprintf(s->fwd_msg, sizeof s->fwd_msg, "%s", msg);
		notify_set(&s->notify, s->fwd_msg, true, false, now);
		s->fwd_msg_until = now + FWD_MSG_SHOW;
	}
	if (s->fwd_msg_until != 0 && now >= s->fwd_msg_until) {
		notify_clear_if(&s->notify, s->fwd_msg);
		s->fwd_msg_until = 0;
	}
}

static void watch_connection(struct frontend *s, uint64_t now)
{
	int last_errno;
	uint64_t send_errors = clink_send_errors(s->link, &last_errno);
	uint64_t when;

	if (clink_remote_num(s->link) != s->remote_num) {
		s->remote_num = clink_remote_num(s->link);
		s->connected = true;
		notify_server_heard(&s->notify, clink_last_heard(s->link));
		notify_clear_if(&s->notify, s->silent_msg);
	}
	if (clink_last_roundtrip(s->link, &when))
		notify_server_acked(&s->notify, when);
	if (send_errors != s->send_errors) {
		char msg[96];

		s->send_errors = send_errors;
		snprintf(msg, sizeof msg, "sendto: %s", strerror(last_errno));
		notify_network_error(&s->notify, msg, now);
	} else if (send_errors > 0) {
		notify_network_ok(&s->notify, now);
	}
	if (!s->connected && now - s->start >= NOTIFY_NO_REPLY_AFTER_MS &&
	    !clink_shutting_down(s->link)) {
		notify_silent_text(s->silent_msg, sizeof s->silent_msg, s->cfg->ip, s->cfg->port,
		                   now - s->start);
		notify_set(&s->notify, s->silent_msg, true, true, now);
	}
	if (!s->connected && now - s->start >= NOTIFY_GIVE_UP_AFTER_MS)
		start_shutdown(s, now, NOTIFY_TEXT_TIMED_OUT);
	notify_expire(&s->notify, now);
}

static int64_t on_tick(struct ev_loop *loop, uint64_t now, void *arg)
{
	struct frontend *s = arg;
	int64_t wait;

	watch_connection(s, now);
	watch_forwarding(s, now);
	if (clink_done(s->link, now, &s->clean))
		s->leave = true;
	if (s->leave) {
		ev_stop(loop);
		return 0;
	}
	draw(s, now);
	wait = ev_wait_min((int64_t)notify_wait_ms(&s->notify, now), pred_wait_ms(s->pred, now));
	if (!s->connected)
		wait = ev_wait_min(wait, CONNECTING_WAKEUP);
	if (s->fwd_msg_until != 0)
		wait = ev_wait_min(wait, (int64_t)(s->fwd_msg_until - now));
	return wait;
}

int frontend_run(const struct frontend_config *cfg)
{
	struct clink_config lc;
	struct frontend s;
	char err[ERR_LEN], hint[40];
	uint16_t rows, cols;
	uint64_t now = clock_ms();
	struct buf diag;
	const char *notice;
	uint32_t notice_kind;
	int status;

	memset(&s, 0, sizeof s);
	s.cfg = cfg;
	s.sb_caps = *cfg->caps;
	s.sb_caps.keep_scrollback = true;
	s.start = now;
	s.stdin_open = true;
	winsize_get(STDIN_FILENO, &rows, &cols);
	memset(&lc, 0, sizeof lc);
	lc.ip = cfg->ip;
	lc.port = cfg->port;
	lc.key = cfg->key;
	lc.width = cols;
	lc.height = rows;
	lc.scrollback = cfg->scrollback;
	lc.channels = cfg->fwd != NULL;
	s.link = clink_new(&lc, now, err);
	if (s.link == NULL) {
		fprintf(stderr, "mosh-client: %s\n", err);
		return 1;
	}
	buf_init(&s.out);
	esc_init(&s.esc, cfg->esc);
	esc_help_text(cfg->esc, s.help, sizeof s.help);
	esc_quit_hint(cfg->esc, hint, sizeof hint);
	notify_init(&s.notify, hint, now);
	s.pred = pred_new(cfg->predict, cfg->predict_overwrite);

	disp_open(cfg->caps, cfg->term_init, &s.out);
	write_all(STDOUT_FILENO, s.out.data, s.out.len);

	s.loop = ev_loop_new();
	ev_signal_add(s.loop, SIGWINCH, on_signal, &s);
	ev_signal_add(s.loop, SIGCONT, on_signal, &s);
	ev_signal_add(s.loop, SIGTERM, on_signal, &s);
	ev_signal_add(s.loop, SIGINT, on_signal, &s);
	ev_signal_add(s.loop, SIGHUP, on_signal, &s);
	ev_signal_add(s.loop, SIGPIPE, on_signal, &s);
	ev_fd_add(s.loop, STDIN_FILENO, EV_READ, on_stdin, &s);
	/* Before the transport's ticker: draw what arrived, then send what was typed. */
	ev_ticker_add(s.loop, on_tick, &s);
	clink_attach(s.link, s.loop);

	ev_run(s.loop);

	/* The last frame shows the screen as the server left it, without our overlays. */
	s.final_frame = true;
	draw(&s, clock_ms());
	buf_clear(&s.out);
	if (s.sb_mode && !s.local_alt)
		exitmsg_park(&s.out, s.drawn);
	disp_close(cfg->caps, use_alt(&s) || s.local_alt, &s.out);
	/* Back from our alternate screen, the cursor is where the program was
	 * started (after a prompt, say): the last words get a line of their own. */
	if (s.sb_mode && s.local_alt)
		buf_append_str(&s.out, "\r\n");
	write_all(STDOUT_FILENO, s.out.data, s.out.len);
	ctty_restore();
	/* Leaving the alternate screen took the last frame away: show its text again. */
	if (s.connected && use_alt(&s) && cfg->caps->rmcup[0] != '\0') {
		buf_clear(&s.out);
		exitmsg_screen(&s.out, termstate_fb(clink_remote(s.link)));
		write_all(STDOUT_FILENO, s.out.data, s.out.len);
	}

	buf_init(&diag);
	exitmsg_diagnostic(&diag, s.connected, s.clean, cfg->ip, cfg->port);
	if (diag.len > 0)
		fputs((const char *)diag.data, stderr);
	buf_fini(&diag);
	if (s.fwd_unsupported)
		fprintf(stderr, "mosh: %s\n", FWD_UNSUPPORTED);
	notice_kind = termstate_notice(clink_remote(s.link), &notice);
	buf_clear(&s.out);
	exitmsg_final(&s.out, notice_kind, notice);
	fputs((const char *)s.out.data, stdout);
	fflush(stdout);
	/* Before the link goes: the notice text lives in its state. */
	status = exitmsg_status(s.clean, notice_kind, notice);

	clink_free(s.link);
	ev_loop_free(s.loop);
	pred_free(s.pred);
	fb_free(s.drawn);
	buf_fini(&s.out);
	return status;
}
