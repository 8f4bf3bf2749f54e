/* The mosh-client main loop; see session.h. */
#include "client/session.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/ctty.h"
#include "client/exitmsg.h"
#include "client/notify.h"
#include "client/overlay.h"
#include "client/predict.h"
#include "net/conn.h"
#include "ssp/ssp.h"
#include "ssp/transport.h"
#include "state/terminal.h"
#include "state/userstream.h"
#include "term/disp.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/ev.h"
#include "util/log.h"
#include "util/winsize.h"

enum {
	STDIN_READ_MAX = 16384,
	NOTHING_RECEIVED_AFTER = 250, /* ms: say the server is silent */
	GIVE_UP_AFTER = 15000,        /* ms without any server state: shut down */
	CONNECTING_WAKEUP = 250,      /* ms between checks until the first state */
};

struct csession {
	const struct client_session_config *cfg;
	struct ev_loop *loop;
	struct ssp_transport *transport;
	struct ssp *ssp;
	struct esc_state esc;
	struct notify notify;
	struct pred *pred;
	char help[160];
	char silent_msg[80];

	struct fb *drawn; /* what the terminal shows; NULL: nothing yet */
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

static void start_shutdown(struct csession *s, uint64_t now, const char *msg)
{
	if (ssp_shutdown_in_progress(s->ssp))
		return;
	notify_set(&s->notify, msg, true, true, now);
	ssp_start_shutdown(s->ssp, now);
}

static void draw(struct csession *s, uint64_t now)
{
	const struct termstate *remote = ssp_remote(s->ssp);
	struct fb *fb = fb_copy(termstate_fb(remote));
	struct buf bar;

	if (!s->final_frame) {
		pred_cull(s->pred, termstate_fb(remote), termstate_echo_ack(remote),
		          ssp_send_interval(s->ssp), now);
		pred_apply(s->pred, fb);
		buf_init(&bar);
		if (notify_text(&s->notify, now, &bar))
			overlay_bar(fb, (const char *)bar.data, bar.len);
		buf_fini(&bar);
		overlay_title(fb, s->cfg->title_prefix);
	}
	buf_clear(&s->out);
	disp_frame(s->cfg->caps, s->drawn, fb, s->drawn != NULL && !s->repaint, &s->out);
	write_all(STDOUT_FILENO, s->out.data, s->out.len);
	fb_free(s->drawn);
	s->drawn = fb;
	s->repaint = false;
}

static void suspend(struct csession *s)
{
	buf_clear(&s->out);
	disp_close(s->cfg->caps, s->cfg->term_init, &s->out);
	write_all(STDOUT_FILENO, s->out.data, s->out.len);
	ctty_suspend(STDOUT_FILENO);
	buf_clear(&s->out);
	disp_open(s->cfg->caps, s->cfg->term_init, &s->out);
	write_all(STDOUT_FILENO, s->out.data, s->out.len);
	s->repaint = true;
}

static void on_stdin(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct csession *s = arg;
	uint8_t data[STDIN_READ_MAX];
	uint64_t now = ev_now(loop);
	struct buf send;
	ssize_t n = read(fd, data, sizeof data);
	size_t off = 0;
	/* The first client state that can carry these keystrokes. */
	uint64_t frame = ssp_sent_num(s->ssp) + 1;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		s->stdin_open = false;
		ev_fd_set_events(loop, fd, 0);
		start_shutdown(s, now, "Exiting...");
		return;
	}
	/* A paste (one read of more than PRED_PASTE_MAX bytes) resets the
	 * engine and is not predicted; typed bytes are predicted as sent. */
	if ((size_t)n > PRED_PASTE_MAX)
		pred_new_user_bytes(s->pred, termstate_fb(ssp_remote(s->ssp)), data, (size_t)n, now,
		                    frame);
	buf_init(&send);
	while (off < (size_t)n) {
		struct esc_result r = esc_feed(&s->esc, data + off, (size_t)n - off, &send);

		off += r.consumed;
		if (send.len > 0 && !ssp_shutdown_in_progress(s->ssp)) {
			if ((size_t)n <= PRED_PASTE_MAX)
				pred_new_user_bytes(s->pred, termstate_fb(ssp_remote(s->ssp)),
				                    send.data, send.len, now, frame);
			userstream_push_bytes(ssp_current(s->ssp), send.data, send.len);
		}
		buf_clear(&send);
		if (r.help_on)
			notify_set(&s->notify, s->help, true, false, now);
		if (r.help_off)
			notify_clear_if(&s->notify, s->help);
		if (r.repaint)
			s->repaint = true;
		if (r.event == ESC_EV_QUIT) {
			if (ssp_shutdown_in_progress(s->ssp))
				s->leave = true;
			start_shutdown(s, now, "Exiting on user request...");
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
	struct csession *s = arg;
	uint64_t now = ev_now(loop);
	uint16_t rows, cols;

	switch (signo) {
	case SIGWINCH:
		if (ssp_shutdown_in_progress(s->ssp))
			return;
		winsize_get(STDIN_FILENO, &rows, &cols);
		userstream_push_resize(ssp_current(s->ssp), cols, rows);
		pred_reset(s->pred);
		return;
	case SIGCONT:
		ctty_resume();
		buf_clear(&s->out);
		disp_open(s->cfg->caps, s->cfg->term_init, &s->out);
		write_all(STDOUT_FILENO, s->out.data, s->out.len);
		s->repaint = true;
		return;
	default:
		if (++s->signals > 1 && ssp_shutdown_in_progress(s->ssp)) {
			s->leave = true;
			return;
		}
		start_shutdown(s, now, "Signal received, shutting down...");
	}
}

static void watch_connection(struct csession *s, uint64_t now)
{
	const struct ssp_transport_stats *st = ssp_transport_stats(s->transport);
	uint64_t when;

	if (ssp_remote_num(s->ssp) != s->remote_num) {
		s->remote_num = ssp_remote_num(s->ssp);
		s->connected = true;
		notify_server_heard(&s->notify, ssp_last_heard(s->ssp));
		notify_clear_if(&s->notify, s->silent_msg);
	}
	if (ssp_last_roundtrip(s->ssp, &when))
		notify_server_acked(&s->notify, when);
	if (st->send_errors != s->send_errors) {
		char msg[96];

		s->send_errors = st->send_errors;
		snprintf(msg, sizeof msg, "sendto: %s", strerror(st->last_send_errno));
		notify_network_error(&s->notify, msg, now);
	} else if (st->send_errors > 0) {
		notify_network_ok(&s->notify, now);
	}
	if (!s->connected && now - s->start >= NOTHING_RECEIVED_AFTER &&
	    !ssp_shutdown_in_progress(s->ssp))
		notify_set(&s->notify, s->silent_msg, true, true, now);
	if (!s->connected && now - s->start >= GIVE_UP_AFTER)
		start_shutdown(s, now, "Timed out waiting for server...");
	notify_expire(&s->notify, now);
}

static int64_t on_tick(struct ev_loop *loop, uint64_t now, void *arg)
{
	struct csession *s = arg;
	int64_t wait;

	watch_connection(s, now);
	if (ssp_shutdown_in_progress(s->ssp)) {
		if (ssp_shutdown_acknowledged(s->ssp)) {
			s->clean = true;
			s->leave = true;
		} else if (ssp_shutdown_timed_out(s->ssp, now)) {
			s->leave = true;
		}
	}
	if (ssp_remote_shutdown(s->ssp) && ssp_counterparty_shutdown_acknowledged(s->ssp)) {
		s->clean = true;
		s->leave = true;
	}
	if (s->leave) {
		ev_stop(loop);
		return 0;
	}
	draw(s, now);
	wait = ev_wait_min((int64_t)notify_wait_ms(&s->notify, now), pred_wait_ms(s->pred, now));
	if (!s->connected)
		wait = ev_wait_min(wait, CONNECTING_WAKEUP);
	return wait;
}

int client_session_run(const struct client_session_config *cfg)
{
	struct ssp_transport_config tc;
	struct userstream *user;
	struct csession s;
	struct conn *conn;
	char err[ERR_LEN], port[8], hint[40];
	uint16_t rows, cols;
	uint64_t now = clock_ms();
	struct buf diag;

	memset(&s, 0, sizeof s);
	s.cfg = cfg;
	s.start = now;
	s.stdin_open = true;
	buf_init(&s.out);
	snprintf(port, sizeof port, "%u", (unsigned)cfg->port);
	conn = conn_client_new(cfg->ip, port, now, err);
	if (conn == NULL) {
		fprintf(stderr, "mosh-client: %s\n", err);
		return 1;
	}
	esc_init(&s.esc, cfg->esc);
	esc_help_text(cfg->esc, s.help, sizeof s.help);
	esc_quit_hint(cfg->esc, hint, sizeof hint);
	notify_init(&s.notify, hint, now);
	s.pred = pred_new(cfg->predict, cfg->predict_overwrite);
	snprintf(s.silent_msg, sizeof s.silent_msg, "Nothing received from server on UDP port %u.",
	         (unsigned)cfg->port);

	winsize_get(STDIN_FILENO, &rows, &cols);
	user = userstream_new();
	userstream_push_resize(user, cols, rows);
	memset(&tc, 0, sizeof tc);
	tc.conn = conn;
	tc.key = cfg->key;
	tc.send_dir = PKT_TO_SERVER;
	tc.local_ops = &userstream_ops;
	tc.local_initial = user;
	tc.remote_ops = &termstate_ops;
	tc.remote_initial = termstate_new(cols, rows);
	tc.send_mindelay = SSP_SEND_MINDELAY_CLIENT;
	s.transport = ssp_transport_new(&tc, now);
	s.ssp = ssp_transport_ssp(s.transport);

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
	ssp_transport_attach(s.transport, s.loop);

	ev_run(s.loop);

	/* The last frame shows the screen as the server left it, without our overlays. */
	s.final_frame = true;
	draw(&s, clock_ms());
	buf_clear(&s.out);
	disp_close(cfg->caps, cfg->term_init, &s.out);
	write_all(STDOUT_FILENO, s.out.data, s.out.len);
	ctty_restore();

	buf_init(&diag);
	exitmsg_diagnostic(&diag, s.connected, s.clean, cfg->ip, cfg->port);
	if (diag.len > 0)
		fputs((const char *)diag.data, stderr);
	buf_fini(&diag);
	fputs(exitmsg_final(), stdout);
	fflush(stdout);

	ssp_transport_free(s.transport);
	ev_loop_free(s.loop);
	pred_free(s.pred);
	fb_free(s.drawn);
	buf_fini(&s.out);
	return exitmsg_status(s.clean);
}
