/* The mosh-server main loop; see session.h. */
#include "server/session.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server/utmprec.h"
#include "ssp/ssp.h"
#include "ssp/transport.h"
#include "state/terminal.h"
#include "state/userstream.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/ev.h"
#include "util/log.h"
#include "util/xmalloc.h"

enum {
	ECHO_TIMEOUT = 50,           /* ms an application gets to echo a keystroke (5.6) */
	ECHO_HISTORY_MAX = 1024,     /* pending echo-ack entries kept */
	CONNECT_TIMEOUT = 60000,     /* ms to wait for the first client state */
	UTMP_DETACH_AFTER = 30000,   /* ms without client input before utmp says detached */
	PTY_BACKLOG_MAX = 64 * 1024, /* stop taking user input while this much is queued */
	PTY_READS_PER_WAKEUP = 16,   /* 16 × 16 KiB per wake-up, then let the network run */
};

struct echo_entry {
	uint64_t num;  /* client state number */
	uint64_t when; /* when its events reached the pty */
};

struct session {
	struct ev_loop *loop;
	struct ssp_transport *transport;
	struct ssp *ssp;
	struct pty_child *child;
	struct utmprec utmp;
	const struct server_session_config *cfg;

	struct userstream *input;   /* copy of the newest client state being applied */
	uint64_t input_num;         /* its state number */
	uint64_t input_done;        /* absolute index of the next event to apply */
	int esc_state;              /* ESC O x translation: 0, 1 after ESC, 2 after ESC O */
	bool have_client;           /* a client state has arrived */
	uint64_t last_client_input; /* when the newest client state arrived */

	struct echo_entry *echo;
	size_t n_echo;

	uint64_t start;
	bool child_gone;
	bool utmp_attached;
	char utmp_ip[128]; /* the client address utmp shows while attached */
	bool leave;
	int status;
	int signals_seen;
	bool usr1;
};

static struct termstate *current(struct session *s)
{
	return ssp_current(s->ssp);
}

static void start_shutdown_or_leave(struct session *s, uint64_t now, const char *why)
{
	struct conn *c = ssp_transport_conn(s->transport);

	if (ssp_shutdown_in_progress(s->ssp))
		return;
	log_info("%s", why);
	if (!conn_has_remote(c)) {
		s->leave = true;
		return;
	}
	ssp_start_shutdown(s->ssp, now);
}

/* Bytes the user typed, with the cursor-key fix-up of 5.5: the client always
 * sends arrows as ESC O x; an application in normal cursor mode wants ESC [ x. */
static void user_bytes(struct session *s, const uint8_t *p, size_t n)
{
	bool app = emu_app_cursor_keys(termstate_emu(current(s)));
	struct buf out;

	buf_init(&out);
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];

		if (s->esc_state == 2) {
			s->esc_state = 0;
			buf_append_byte(&out, (!app && c >= 'A' && c <= 'D') ? '[' : 'O');
			buf_append_byte(&out, c);
			continue;
		}
		if (s->esc_state == 1 && c == 'O') {
			/* Held back until the next byte decides between SS3 and CSI. */
			s->esc_state = 2;
			continue;
		}
		s->esc_state = c == 0x1b ? 1 : 0;
		buf_append_byte(&out, c);
	}
	if (out.len > 0 && pty_write(s->child, out.data, out.len) == ERR_CLOSED)
		s->child_gone = true;
	buf_fini(&out);
}

static void apply_resize(struct session *s, int w, int h)
{
	emu_resize(termstate_emu(current(s)), w, h);
	pty_resize(s->child, (uint16_t)h, (uint16_t)w);
}

/* Apply the newest client state's events while the pty has room. */
static void apply_input(struct session *s, uint64_t now)
{
	uint64_t end = userstream_end(s->input);
	bool any = false;

	while (s->input_done < end && pty_queued(s->child) < PTY_BACKLOG_MAX && !s->child_gone) {
		const struct userstream_event *e = userstream_event(s->input, s->input_done);
		uint8_t bytes[512];
		size_t n = 0;

		if (e == NULL) {
			/* Cannot happen while we hold our own copy; never spin on it. */
			log_error("client event %llu is not held",
			          (unsigned long long)s->input_done);
			s->input_done = end;
			break;
		}
		if (e->kind == USERSTREAM_RESIZE) {
			const struct userstream_event *next = e;

			/* Only the last of a run of resizes matters. */
			while (next != NULL && next->kind == USERSTREAM_RESIZE) {
				e = next;
				s->input_done++;
				next = s->input_done < end
				           ? userstream_event(s->input, s->input_done)
				           : NULL;
			}
			apply_resize(s, e->width, e->height);
			any = true;
			continue;
		}
		while (s->input_done < end && n < sizeof bytes) {
			e = userstream_event(s->input, s->input_done);
			if (e == NULL || e->kind != USERSTREAM_BYTE)
				break;
			bytes[n++] = e->byte;
			s->input_done++;
		}
		user_bytes(s, bytes, n);
		any = true;
	}
	/* Our copy would otherwise pin every event of the session in the shared log. */
	if (s->input_done == end)
		userstream_subtract(s->input, s->input);
	if (any && s->n_echo < ECHO_HISTORY_MAX) {
		s->echo[s->n_echo].num = s->input_num;
		s->echo[s->n_echo].when = now;
		s->n_echo++;
	}
}

/* The client's address without its port, for utmp ("[::1]:5" -> "::1"). */
static void client_ip(struct session *s, char *out, size_t len)
{
	char *end;

	conn_remote_str(ssp_transport_conn(s->transport), out, len);
	if (out[0] == '[') {
		end = strchr(out, ']');
		if (end != NULL)
			*end = '\0';
		memmove(out, out + 1, strlen(out));
	} else if ((end = strrchr(out, ':')) != NULL) {
		*end = '\0';
	}
}

static void on_receive(void *arg, uint64_t now)
{
	struct session *s = arg;
	uint64_t num = ssp_remote_num(s->ssp);
	char host[128];

	if (num == s->input_num || ssp_remote_shutdown(s->ssp))
		return;
	/* Keep the events not yet applied: the receiver may already have dropped them. */
	if (userstream_extend_to(s->input, ssp_remote(s->ssp)) < 0) {
		userstream_free(s->input);
		s->input = userstream_copy(ssp_remote(s->ssp));
	}
	s->input_num = num;
	s->last_client_input = now;
	if (!s->have_client) {
		s->have_client = true;
		pty_release(s->child);
	}
	client_ip(s, host, sizeof host);
	if (!s->utmp_attached || strcmp(host, s->utmp_ip) != 0) {
		utmprec_set(&s->utmp, host);
		snprintf(s->utmp_ip, sizeof s->utmp_ip, "%s", host);
		s->utmp_attached = true;
	}
	if (!ssp_shutdown_in_progress(s->ssp))
		apply_input(s, now);
}

static void on_pty(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct session *s = arg;
	uint8_t data[PTY_READ_MAX];
	struct buf replies;

	if (events & EV_WRITE) {
		if (pty_flush(s->child) == ERR_CLOSED)
			s->child_gone = true;
	}
	if (!(events & (EV_READ | EV_ERROR)))
		return;
	buf_init(&replies);
	for (int i = 0; i < PTY_READS_PER_WAKEUP; i++) {
		long n = pty_read(s->child, data, sizeof data);

		if (n == ERR_AGAIN)
			break;
		if (n <= 0) {
			s->child_gone = true;
			break;
		}
		emu_write(termstate_emu(current(s)), data, (size_t)n);
		if (emu_take_replies(termstate_emu(current(s)), &replies) > 0) {
			pty_write(s->child, replies.data, replies.len);
			buf_clear(&replies);
		}
	}
	buf_fini(&replies);
}

static void on_signal(struct ev_loop *loop, int signo, void *arg)
{
	struct session *s = arg;

	if (signo == SIGUSR1) {
		s->usr1 = true;
		return;
	}
	if (signo == SIGCHLD)
		return; /* the ticker reaps */
	/* A second SIGTERM/SIGINT during shutdown means now. */
	if (++s->signals_seen > 1 && ssp_shutdown_in_progress(s->ssp)) {
		s->leave = true;
		ev_stop(loop);
		return;
	}
	start_shutdown_or_leave(s, ev_now(loop), "signal received, shutting down");
}

static int64_t min_wait(int64_t a, int64_t b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

/* The echo ack: the newest client state whose input is at least ECHO_TIMEOUT old. */
static int64_t update_echo_ack(struct session *s, uint64_t now)
{
	size_t done = 0;
	uint64_t ack = 0;
	bool found = false;

	while (done < s->n_echo && s->echo[done].when + ECHO_TIMEOUT <= now) {
		ack = s->echo[done].num;
		found = true;
		done++;
	}
	if (found)
		termstate_set_echo_ack(current(s), ack);
	if (done > 0) {
		memmove(s->echo, s->echo + done, (s->n_echo - done) * sizeof *s->echo);
		s->n_echo -= done;
	}
	return s->n_echo > 0 ? (int64_t)(s->echo[0].when + ECHO_TIMEOUT - now) : -1;
}

static int64_t on_tick(struct ev_loop *loop, uint64_t now, void *arg)
{
	struct session *s = arg;
	const struct server_session_config *cfg = s->cfg;
	int64_t wait = -1;
	int status;

	if (s->have_client && !ssp_shutdown_in_progress(s->ssp) && !s->child_gone)
		apply_input(s, now);
	ev_fd_set_events(loop, pty_master_fd(s->child),
	                 s->child_gone ? 0 : EV_READ | (pty_wants_write(s->child) ? EV_WRITE : 0));
	wait = min_wait(wait, update_echo_ack(s, now));

	if (pty_reap(s->child, &status) == 1)
		s->child_gone = true;
	if (s->child_gone)
		start_shutdown_or_leave(s, now, "the session's command has exited");

	if (!s->have_client) {
		if (now - s->start >= CONNECT_TIMEOUT) {
			fprintf(stderr, "No connection within %d seconds.\n",
			        CONNECT_TIMEOUT / 1000);
			s->leave = true;
		} else {
			wait = min_wait(wait, (int64_t)(s->start + CONNECT_TIMEOUT - now));
		}
	}
	if (s->have_client && cfg->network_timeout > 0) {
		uint64_t limit = s->last_client_input + cfg->network_timeout * 1000;

		if (now >= limit)
			start_shutdown_or_leave(s, now, "network timeout");
		else
			wait = min_wait(wait, (int64_t)(limit - now));
	}
	if (s->usr1) {
		s->usr1 = false;
		if (cfg->signal_timeout == 0 || !s->have_client ||
		    now - s->last_client_input >= cfg->signal_timeout * 1000)
			start_shutdown_or_leave(s, now, "SIGUSR1 idle shutdown");
	}
	if (s->utmp_attached && now - s->last_client_input >= UTMP_DETACH_AFTER) {
		utmprec_set(&s->utmp, NULL);
		s->utmp_attached = false;
	}
	if (s->utmp_attached)
		wait = min_wait(wait, (int64_t)(s->last_client_input + UTMP_DETACH_AFTER - now));

	if (ssp_shutdown_in_progress(s->ssp) &&
	    (ssp_shutdown_acknowledged(s->ssp) || ssp_shutdown_timed_out(s->ssp, now)))
		s->leave = true;
	if (ssp_remote_shutdown(s->ssp) && ssp_counterparty_shutdown_acknowledged(s->ssp))
		s->leave = true;
	if (s->leave) {
		log_info("leaving the main loop");
		ev_stop(loop);
		return 0;
	}
	return wait;
}

int server_session_run(const struct server_session_config *cfg)
{
	struct ssp_transport_config tc;
	struct session s;
	uint64_t now = clock_ms();

	memset(&s, 0, sizeof s);
	s.cfg = cfg;
	s.child = cfg->child;
	s.start = now;
	s.input = userstream_new();
	s.echo = xcalloc(ECHO_HISTORY_MAX, sizeof *s.echo);
	s.loop = ev_loop_new();

	memset(&tc, 0, sizeof tc);
	tc.conn = cfg->conn;
	tc.key = cfg->key;
	tc.send_dir = PKT_TO_CLIENT;
	tc.local_ops = &termstate_ops;
	tc.local_initial = termstate_new(cfg->width, cfg->height);
	tc.remote_ops = &userstream_ops;
	tc.remote_initial = userstream_new();
	tc.send_mindelay = SSP_SEND_MINDELAY_SERVER;
	tc.on_receive = on_receive;
	tc.on_receive_arg = &s;
	s.transport = ssp_transport_new(&tc, now);
	s.ssp = ssp_transport_ssp(s.transport);

	utmprec_init(&s.utmp, pty_master_fd(s.child), getpid());
	utmprec_set(&s.utmp, NULL);

	ev_signal_add(s.loop, SIGTERM, on_signal, &s);
	ev_signal_add(s.loop, SIGINT, on_signal, &s);
	ev_signal_add(s.loop, SIGUSR1, on_signal, &s);
	ev_signal_add(s.loop, SIGCHLD, on_signal, &s);
	ev_fd_add(s.loop, pty_master_fd(s.child), EV_READ, on_pty, &s);
	/* Registered before the transport's, so input is applied before frames go out. */
	ev_ticker_add(s.loop, on_tick, &s);
	ssp_transport_attach(s.transport, s.loop);

	ev_run(s.loop);

	ssp_transport_free(s.transport);
	utmprec_fini(&s.utmp);
	ev_loop_free(s.loop);
	pty_free(s.child);
	userstream_free(s.input);
	free(s.echo);
	printf("\n[mosh-server is exiting.]\n");
	fflush(stdout);
	return s.status;
}
