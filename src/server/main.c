/* mosh-server start-up: options, socket, key, announcement, daemon, child; see main.h. */
#include "server/main.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/key.h"
#include "net/conn.h"
#include "net/wire.h"
#include "server/admin.h"
#include "server/agentsock.h"
#include "server/ctl.h"
#include "server/ctldir.h"
#include "server/daemon.h"
#include "server/opts.h"
#include "server/ptychild.h"
#include "server/session.h"
#include "server/utmprec.h"
#include "util/clock.h"
#include "util/coredump.h"
#include "util/err.h"
#include "util/locale_check.h"
#include "util/log.h"
#include "util/winsize.h"
#include "util/xmalloc.h"

enum {
	CONNECT_TIMEOUT = 60000, /* ms to wait for the first client */
};

/* What a login shell prints first: mosh's utmp warning, then our sessions'. */
static char *login_notice(const char *sessions)
{
	struct passwd *pw = getpwuid(getuid());
	char own[64], *utmp = NULL, *both;

	if (pw != NULL) {
		snprintf(own, sizeof own, "mosh [%ld]", (long)getpid());
		utmp = utmprec_detached_notice(NULL, pw->pw_name, own);
	}
	if (sessions == NULL)
		return utmp;
	both = xasprintf("%s%s", utmp != NULL ? utmp : "", sessions);
	free(utmp);
	return both;
}

int server_main(int argc, char **argv)
{
	struct session_config sc;
	struct pty_child *child = NULL;
	struct pty_spec spec;
	struct srvopts o;
	struct conn *conn;
	uint8_t key[16];
	char key_text[23], err[ERR_LEN];
	uint16_t lo = WIRE_PORT_RANGE_LOW, hi = WIRE_PORT_RANGE_HIGH;
	uint16_t rows, cols;
	int fds[16], status;
	size_t nfds;
	char *notice, *sessions, id[CTL_ID_LEN + 1];
	char *login_shell[2] = {NULL, NULL}, *argv0 = NULL;
	char agent_path[CTLDIR_PATH_MAX];

	/* First: keys (ours, or one attach receives) must never reach a core dump. */
	coredump_disable();
	if (argc > 1 && admin_is_verb(argv[1]))
		return admin_main(argc - 1, argv + 1, stdout, stderr);

	switch (srvopts_parse(&o, argc, argv, getenv("SSH_CONNECTION"), "mosh-server", stdout,
	                      stderr)) {
	case SRVOPTS_HELP:
	case SRVOPTS_VERSION:
		return 0;
	case SRVOPTS_FAIL:
		return 1;
	case SRVOPTS_RUN:
		break;
	}
	if (o.verbose > 0)
		log_open(stderr, o.verbose > 1 ? LOG_DEBUG : LOG_INFO);
	if (locale_require_utf8_server(o.locale_assign, o.n_locale_assign, stderr) < 0) {
		srvopts_fini(&o);
		return 1;
	}
	memset(&sc, 0, sizeof sc);
	sc.agent_fd = -1;
	/* mosh-c: settable, so tests need not wait a minute; unset or 0: 60 s. */
	sc.connect_timeout = srvopts_timeout_secs("MOSH_SERVER_CONNECT_TMOUT",
	                                          getenv("MOSH_SERVER_CONNECT_TMOUT"), stderr) *
	                     1000;
	if (sc.connect_timeout == 0)
		sc.connect_timeout = CONNECT_TIMEOUT;
	sc.network_timeout = srvopts_timeout_secs("MOSH_SERVER_NETWORK_TMOUT",
	                                          getenv("MOSH_SERVER_NETWORK_TMOUT"), stderr);
	sc.signal_timeout = srvopts_timeout_secs("MOSH_SERVER_SIGNAL_TMOUT",
	                                         getenv("MOSH_SERVER_SIGNAL_TMOUT"), stderr);
	winsize_get(STDIN_FILENO, &rows, &cols);

	if (o.port_spec != NULL) {
		lo = o.port_low;
		hi = o.port_high;
	}
	conn = conn_server_new(o.bind_ip, lo, hi, clock_ms(), err);
	if (conn == NULL) {
		fprintf(stderr, "mosh-server: %s\n", err);
		srvopts_fini(&o);
		return 1;
	}
	if (conn_warning(conn) != NULL)
		fprintf(stderr, "mosh-server: %s\n", conn_warning(conn));
	if (key_generate(key) < 0) {
		fprintf(stderr, "mosh-server: cannot get random bytes for the session key\n");
		return 1;
	}
	ctl_new_id(id);
	/* mosh -A: the shell's SSH_AUTH_SOCK is the session's own socket, which
	 * lives as long as the session, whichever client is attached. */
	if (o.forward_agent) {
		sc.agent_fd = agentsock_open(id, agent_path, sizeof agent_path, err);
		if (sc.agent_fd < 0) {
			fprintf(stderr, "mosh-server: no agent forwarding: %s\n", err);
		} else {
			sc.agent_path = agent_path;
			setenv("SSH_AUTH_SOCK", agent_path, 1);
		}
	}
	/* Before the announcement, so that it shows while the launcher runs. */
	sessions = admin_detached_notice();
	if (sessions != NULL)
		fputs(sessions, stderr);
	key_encode(key, key_text);
	daemon_announce(conn_local_port(conn), key_text);
	explicit_bzero(key_text, sizeof key_text);
	if (daemon_detach(o.verbose > 0, err) < 0) {
		fprintf(stderr, "mosh-server: %s\n", err);
		return 1;
	}

	nfds = conn_fds(conn, fds, sizeof fds / sizeof fds[0]);
	notice = o.command == NULL ? login_notice(sessions) : NULL;
	free(sessions);
	memset(&spec, 0, sizeof spec);
	spec.command = o.command;
	spec.term = srvopts_term(&o);
	spec.rows = rows;
	spec.cols = cols;
	spec.login_notice = notice;
	spec.close_fds = fds;
	spec.n_close_fds = nfds;
	if (pty_spawn(&child, &spec, err) < 0) {
		fprintf(stderr, "mosh-server: %s\n", err);
		return 1;
	}
	free(notice);

	sc.conn = conn;
	sc.key = key;
	sc.child = child;
	sc.width = cols;
	sc.height = rows;
	sc.verbose = o.verbose;
	sc.scrollback = o.scrollback;
	sc.id = id;
	sc.name = o.name != NULL ? o.name : "";
	if (o.command != NULL) {
		sc.command = o.command;
	} else {
		pty_login_shell(&login_shell[0], &argv0);
		sc.command = login_shell;
	}
	status = session_run(&sc);
	free(login_shell[0]);
	free(argv0);
	explicit_bzero(key, sizeof key);
	srvopts_fini(&o);
	return status;
}
