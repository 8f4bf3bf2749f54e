/* The long-lived part of mosh-server; see session.h. */
#include "server/session.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto/key.h"
#include "net/wire.h"
#include "server/agentsock.h"
#include "server/ctl.h"
#include "server/daemon.h"
#include "server/link.h"
#include "server/synchold.h"
#include "server/utmprec.h"
#include "state/history.h"
#include "ssp/ssp.h"
#include "term/emu.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/ev.h"
#include "util/log.h"
#include "util/xmalloc.h"

enum {
	UTMP_DETACH_AFTER = 30000, /* ms without client input before utmp says detached */
	PTY_READS_PER_WAKEUP = 16, /* 16 × 16 KiB per wake-up, then let the network run */
	PTY_QUIET = 1,             /* ms of pty silence that ends the collection delay */
	SESSION_LINKS_MAX = 8,     /* the driving link, ending ones and pending attaches */
	DETACHED_AFTER = 10000,    /* ms of client silence after which list says detached */
	REAP_GRACE = 500,          /* ms the pty's end may precede the child's exit status */
};

struct session {
	struct ev_loop *loop;
	struct pty_child *child;
	struct emu *emu;         /* the live screen */
	struct history *history; /* rows scrolled off it; NULL: none kept */
	struct utmprec utmp;
	const struct session_config *cfg;

	struct link *links[SESSION_LINKS_MAX];
	size_t n_links;
	struct link *driver; /* the link whose client was heard last (NULL: none yet) */
	struct ctl_server *ctl;
	char client_ip[CTL_ADDR_MAX + 1]; /* the driving client's, as last known */

	uint64_t start;
	uint64_t last_pty_data; /* when the child's output last arrived */
	struct synchold sync;   /* synchronized output (mode 2026) */
	bool had_client;        /* some link's client was ever heard */
	bool child_gone;
	uint64_t child_gone_at; /* when child_gone was first seen; 0: not yet */
	bool reaped;
	int exit_code; /* the command's, as a shell reports it; valid once reaped */
	bool ending;   /* every link told to end; leave once they are finished */
	bool leave;
	bool utmp_attached;
	char utmp_ip[128]; /* the client address utmp shows while attached */
	int signals_seen;
	bool usr1;
};

/* The newest client input over every link: what the timeouts measure. */
static uint64_t last_client_input(const struct session *s)
{
	return s->driver != NULL ? link_last_heard(s->driver) : 0;
}

static void end_session(struct session *s, uint64_t now, const char *why, uint32_t notice,
                        const char *text)
{
	if (s->ending)
		return;
	log_info("%s", why);
	s->ending = true;
	for (size_t i = 0; i < s->n_links; i++)
		link_end(s->links[i], now, notice, text);
}

/* A program on the server wants the agent: the driving client's, if offered. */
static void on_agent(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct session *s = arg;
	int c = agentsock_accept(fd);

	(void)loop;
	(void)events;
	if (c < 0)
		return;
	if (s->driver == NULL || !link_forward_agent(s->driver, c))
		log_info("agent socket: no attached client forwards its agent");
}

/* A link's client spoke for the first time: it drives the session now. */
static void on_link_heard(void *arg, struct link *l, uint64_t now)
{
	struct session *s = arg;
	char ip[CTL_ADDR_MAX + 1];

	if (!s->had_client) {
		s->had_client = true;
		pty_release(s->child);
	}
	link_client_ip(l, ip, sizeof ip);
	snprintf(s->client_ip, sizeof s->client_ip, "%s", ip);
	for (size_t i = 0; i < s->n_links; i++)
		if (s->links[i] != l)
			link_displace(s->links[i], now, ip);
	if (s->driver != NULL && s->driver != l)
		log_info("session attached from %s", ip);
	s->driver = l;
}

static struct link *add_link(struct session *s, struct conn *conn, const uint8_t *key, int width,
                             int height, uint64_t now)
{
	struct link_config lc;
	struct link *l;

	memset(&lc, 0, sizeof lc);
	lc.loop = s->loop;
	lc.conn = conn;
	lc.key = key;
	lc.emu = s->emu;
	lc.child = s->child;
	lc.width = width;
	lc.height = height;
	lc.history = s->history;
	lc.on_heard = on_link_heard;
	lc.on_heard_arg = s;
	l = link_new(&lc, now);
	s->links[s->n_links++] = l;
	return l;
}

/* Rows the emulator saw leave the top of the primary screen go to the history. */
static void collect_history(struct session *s)
{
	struct fb_row *rows[256];
	size_t n;
	uint64_t lost;

	if (s->history == NULL)
		return;
	/* The emulator drops its oldest rows when full: the gap comes first. */
	lost = emu_take_scrolled_dropped(s->emu);
	if (lost > 0)
		history_skip(s->history, lost);
	while ((n = emu_take_scrolled(s->emu, rows, sizeof rows / sizeof rows[0])) > 0)
		for (size_t i = 0; i < n; i++)
			history_push(s->history, rows[i]);
}

/* Feed what the pty holds (a bounded number of reads) to the emulator. */
static void read_pty(struct session *s, uint64_t now)
{
	uint8_t data[PTY_READ_MAX];
	struct buf replies;

	buf_init(&replies);
	for (int i = 0; i < PTY_READS_PER_WAKEUP; i++) {
		long n = pty_read(s->child, data, sizeof data);

		if (n == ERR_AGAIN)
			break;
		if (n <= 0) {
			s->child_gone = true;
			break;
		}
		s->last_pty_data = now;
		emu_write(s->emu, data, (size_t)n);
		collect_history(s);
		if (emu_take_replies(s->emu, &replies) > 0) {
			pty_write(s->child, replies.data, replies.len);
			buf_clear(&replies);
		}
	}
	buf_fini(&replies);
}

static void on_pty(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct session *s = arg;

	if (events & EV_WRITE) {
		if (pty_flush(s->child) == ERR_CLOSED)
			s->child_gone = true;
	}
	if (events & (EV_READ | EV_ERROR))
		read_pty(s, ev_now(loop));
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
	if (++s->signals_seen > 1 && s->ending) {
		s->leave = true;
		ev_stop(loop);
		return;
	}
	end_session(s, ev_now(loop), "signal received, shutting down", 0, "");
}

/* Run every link; free the finished ones. */
static int64_t links_tick(struct session *s, uint64_t now)
{
	int64_t wait = -1;
	/*
	 * mosh 1.4 always collects output for SEND_MINDELAY (8 ms) before a frame,
	 * which is most of its keystroke-to-echo time on a fast link. We collect
	 * only while the child is still writing: once the pty has been quiet for
	 * PTY_QUIET the frame is complete and may go (frame pacing still applies).
	 */
	bool quiet = now >= s->last_pty_data + PTY_QUIET;

	bool hold;

	if (!quiet)
		wait = (int64_t)(s->last_pty_data + PTY_QUIET - now);
	hold = synchold_update(&s->sync, emu_sync_held(s->emu), now, &wait);
	for (size_t i = 0; i < s->n_links;) {
		struct link *l = s->links[i];

		/* Before the tick: a hold must stop a frame the output just began. */
		link_set_send_mindelay(l, hold    ? SYNCHOLD_MAX
		                          : quiet ? 0
		                                  : SSP_SEND_MINDELAY_SERVER);
		wait = ev_wait_min(wait, link_tick(l, now, &s->child_gone));
		wait = ev_wait_min(wait, link_publish_history(l, now));
		if (link_client_quit(l) && l == s->driver)
			end_session(s, now, "the client quit", 0, "");
		if (link_finished(l, now)) {
			if (s->driver == l) {
				link_client_ip(l, s->client_ip, sizeof s->client_ip);
				s->driver = NULL;
			}
			link_free(l);
			memmove(&s->links[i], &s->links[i + 1], (s->n_links - i - 1) * sizeof l);
			s->n_links--;
			continue;
		}
		i++;
	}
	return wait;
}

static int64_t timeouts_tick(struct session *s, uint64_t now)
{
	const struct session_config *cfg = s->cfg;
	int64_t wait = -1;

	if (!s->had_client) {
		if (now - s->start >= cfg->connect_timeout) {
			fprintf(stderr, "No connection within %llu seconds.\n",
			        (unsigned long long)(cfg->connect_timeout / 1000));
			end_session(s, now, "no client came", 0, "");
		} else {
			wait = (int64_t)(s->start + cfg->connect_timeout - now);
		}
	}
	if (s->had_client && cfg->network_timeout > 0) {
		uint64_t limit = last_client_input(s) + cfg->network_timeout * 1000;

		if (now >= limit)
			end_session(s, now, "network timeout", 0, "");
		else
			wait = ev_wait_min(wait, (int64_t)(limit - now));
	}
	if (s->usr1) {
		s->usr1 = false;
		if (cfg->signal_timeout == 0 || !s->had_client ||
		    now - last_client_input(s) >= cfg->signal_timeout * 1000)
			end_session(s, now, "SIGUSR1 idle shutdown", 0, "");
	}
	return wait;
}

/* The login record follows the driving client: its address, or detached. */
static int64_t utmp_tick(struct session *s, uint64_t now)
{
	char ip[128];

	if (s->driver != NULL && now - link_last_heard(s->driver) < UTMP_DETACH_AFTER) {
		link_client_ip(s->driver, ip, sizeof ip);
		if (!s->utmp_attached || strcmp(ip, s->utmp_ip) != 0) {
			utmprec_set(&s->utmp, ip);
			snprintf(s->utmp_ip, sizeof s->utmp_ip, "%s", ip);
			s->utmp_attached = true;
		}
		return (int64_t)(link_last_heard(s->driver) + UTMP_DETACH_AFTER - now);
	}
	if (s->utmp_attached) {
		utmprec_set(&s->utmp, NULL);
		s->utmp_attached = false;
	}
	return -1;
}

static uint8_t state_now(const struct session *s, uint64_t now)
{
	if (!s->had_client)
		return CTL_STATE_CONNECTING;
	if (s->driver != NULL && now - link_last_heard(s->driver) < DETACHED_AFTER)
		return CTL_STATE_ATTACHED;
	return CTL_STATE_DETACHED;
}

static void fill_info(const struct session *s, uint64_t now, struct ctl_info *info)
{
	const struct fb *fb = emu_fb(s->emu);
	uint64_t heard = last_client_input(s);

	snprintf(info->name, sizeof info->name, "%s", s->cfg->name);
	info->state = state_now(s, now);
	/* The driving client may have roamed since it was first heard. */
	if (s->driver != NULL)
		link_client_ip(s->driver, info->client_addr, sizeof info->client_addr);
	else
		snprintf(info->client_addr, sizeof info->client_addr, "%s", s->client_ip);
	info->idle_s = (uint32_t)((now - (s->had_client ? heard : s->start)) / 1000);
	info->age_s = (uint32_t)((now - s->start) / 1000);
	info->rows = (uint16_t)fb->ds.height;
	info->cols = (uint16_t)fb->ds.width;
	ctl_info_set_command(info, s->cfg->command);
}

/* Room for one more link: a pending attach nobody came for makes way. */
static bool make_room(struct session *s)
{
	if (s->n_links < SESSION_LINKS_MAX)
		return true;
	for (size_t i = 0; i < s->n_links; i++) {
		if (!link_heard(s->links[i])) {
			link_free(s->links[i]);
			memmove(&s->links[i], &s->links[i + 1],
			        (s->n_links - i - 1) * sizeof s->links[0]);
			s->n_links--;
			return true;
		}
	}
	return false;
}

/* A new link with a fresh key (a key is never reused: OCB nonces would repeat). */
static void attach(struct session *s, const struct ctl_request *rq, struct ctl_reply *rp,
                   uint64_t now)
{
	const struct fb *fb = emu_fb(s->emu);
	char err[ERR_LEN], key_text[KEY_TEXT_LEN + 1];
	uint8_t key[KEY_LEN];
	struct conn *conn;
	struct link *l;

	if (s->ending || !make_room(s)) {
		rp->status = ERR_AGAIN;
		snprintf(rp->err, sizeof rp->err, "%s",
		         s->ending ? "the session is ending" : "too many clients are connecting");
		return;
	}
	conn = conn_server_new(rq->bind_ip[0] != '\0' ? rq->bind_ip : NULL, rq->port_low,
	                       rq->port_high, now, err);
	if (conn == NULL) {
		rp->status = ERR_IO;
		ctl_text_copy(rp->err, sizeof rp->err, err);
		return;
	}
	if (key_generate(key) < 0) {
		conn_free(conn);
		rp->status = ERR_IO;
		snprintf(rp->err, sizeof rp->err, "cannot get random bytes for a key");
		return;
	}
	l = add_link(s, conn, key, rq->cols > 0 ? rq->cols : fb->ds.width,
	             rq->rows > 0 ? rq->rows : fb->ds.height, now);
	key_encode(key, key_text);
	explicit_bzero(key, sizeof key);
	rp->port = link_port(l);
	snprintf(rp->key, sizeof rp->key, "%s", key_text);
	explicit_bzero(key_text, sizeof key_text);
	log_info("new link on port %u", (unsigned)rp->port);
}

static void on_ctl(void *arg, const struct ctl_request *rq, struct ctl_reply *rp)
{
	struct session *s = arg;
	uint64_t now = clock_ms();

	switch (rq->op) {
	case CTL_OP_ATTACH:
		attach(s, rq, rp, now);
		break;
	case CTL_OP_KILL:
		end_session(s, now, "killed through the control socket", WIRE_NOTICE_KILLED, "");
		break;
	default:
		break;
	}
	fill_info(s, now, &rp->info);
}

/* A wait status as a shell's $? shows it: the exit code, or 128 + the signal. */
static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

/*
 * The command is over once it has exited or its pty has closed. The pty
 * usually closes first, so its exit status is waited for a little: the
 * clients' last frames carry it (WIRE_NOTICE_EXITED).
 */
static int64_t child_tick(struct session *s, uint64_t now)
{
	char code[16];
	int status;

	if (!s->reaped && pty_reap(s->child, &status) == 1) {
		s->reaped = true;
		s->exit_code = exit_code(status);
		/* The exit may be seen before the pty is read: what the command
		 * wrote last (an error, say) is still there, and the last frame
		 * must show it. */
		if (!s->child_gone)
			read_pty(s, now);
		s->child_gone = true;
	}
	if (!s->child_gone || s->ending)
		return -1;
	if (s->child_gone_at == 0)
		s->child_gone_at = now;
	if (!s->reaped && now - s->child_gone_at < REAP_GRACE)
		return (int64_t)(s->child_gone_at + REAP_GRACE - now);
	if (!s->reaped) {
		end_session(s, now, "the session's command closed its terminal", 0, "");
		return -1;
	}
	snprintf(code, sizeof code, "%d", s->exit_code);
	log_info("the session's command exited with status %s", code);
	end_session(s, now, "the session's command has exited", WIRE_NOTICE_EXITED, code);
	return -1;
}

static int64_t on_tick(struct ev_loop *loop, uint64_t now, void *arg)
{
	struct session *s = arg;
	int64_t wait;

	wait = links_tick(s, now);
	ev_fd_set_events(loop, pty_master_fd(s->child),
	                 s->child_gone ? 0 : EV_READ | (pty_wants_write(s->child) ? EV_WRITE : 0));
	wait = ev_wait_min(wait, child_tick(s, now));
	wait = ev_wait_min(wait, timeouts_tick(s, now));
	wait = ev_wait_min(wait, utmp_tick(s, now));
	if (s->ending && s->n_links == 0)
		s->leave = true;
	if (s->leave) {
		log_info("leaving the main loop");
		ev_stop(loop);
		return 0;
	}
	return wait;
}

int session_run(const struct session_config *cfg)
{
	struct session s;
	uint64_t now = clock_ms();
	char err[ERR_LEN];

	memset(&s, 0, sizeof s);
	s.cfg = cfg;
	s.child = cfg->child;
	s.start = now;
	s.loop = ev_loop_new();
	s.emu = emu_new(cfg->width, cfg->height);
	if (cfg->scrollback > 0) {
		s.history = history_new(cfg->scrollback);
		emu_set_history(s.emu, true);
	}

	utmprec_init(&s.utmp, pty_master_fd(s.child), getpid());
	utmprec_set(&s.utmp, NULL);

	ev_signal_add(s.loop, SIGTERM, on_signal, &s);
	ev_signal_add(s.loop, SIGINT, on_signal, &s);
	ev_signal_add(s.loop, SIGUSR1, on_signal, &s);
	ev_signal_add(s.loop, SIGCHLD, on_signal, &s);
	ev_fd_add(s.loop, pty_master_fd(s.child), EV_READ, on_pty, &s);
	/* Registered before the links' transports, so input is applied before frames go out. */
	ev_ticker_add(s.loop, on_tick, &s);
	add_link(&s, cfg->conn, cfg->key, cfg->width, cfg->height, now);
	/* Without it the session still works; it only cannot be listed or reattached. */
	s.ctl = ctl_server_new(s.loop, cfg->id, on_ctl, &s, err);
	if (s.ctl == NULL)
		log_error("no control socket: %s", err);
	if (cfg->agent_fd >= 0)
		ev_fd_add(s.loop, cfg->agent_fd, EV_READ, on_agent, &s);
	daemon_ready();

	ev_run(s.loop);

	if (cfg->agent_fd >= 0) {
		ev_fd_del(s.loop, cfg->agent_fd);
		close(cfg->agent_fd);
		unlink(cfg->agent_path);
	}
	ctl_server_free(s.ctl);

	for (size_t i = 0; i < s.n_links; i++)
		link_free(s.links[i]);
	utmprec_fini(&s.utmp);
	ev_loop_free(s.loop);
	pty_free(s.child);
	emu_free(s.emu);
	history_unref(s.history);
	printf("\n[mosh-server is exiting.]\n");
	fflush(stdout);
	return 0;
}
