/* mosh-client: entry point; the program lives in src/client/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/cliopts.h"
#include "client/ctty.h"
#include "client/escape.h"
#include "client/forward.h"
#include "client/frontend.h"
#include "client/title.h"
#include "crypto/key.h"
#include "term/localterm.h"
#include "term/tcaps.h"
#include "util/coredump.h"
#include "util/err.h"
#include "util/log.h"

static enum pred_mode pred_mode_of(enum cli_predict p)
{
	switch (p) {
	case CLI_PREDICT_ALWAYS:
		return PRED_ALWAYS;
	case CLI_PREDICT_NEVER:
		return PRED_NEVER;
	case CLI_PREDICT_EXPERIMENTAL:
		return PRED_EXPERIMENTAL;
	case CLI_PREDICT_ADAPTIVE:
		break;
	}
	return PRED_ADAPTIVE;
}

int main(int argc, char **argv)
{
	struct frontend_config sc;
	struct cliopts o;
	struct clienv env;
	struct esc_cfg esc;
	struct tcaps caps;
	struct cfwd_config fc;
	uint8_t key[16];
	char err[ERR_LEN];
	const char *term = getenv("TERM");
	int status;

	/* First, as mosh 1.4 does: the key must never reach a core dump. */
	coredump_disable();
	switch (cliopts_parse(&o, argc, argv, "mosh-client", stdout, stderr)) {
	case CLIOPTS_HELP:
	case CLIOPTS_VERSION:
		return 0;
	case CLIOPTS_COLORS:
		return cliopts_print_colors(stdout, stderr);
	case CLIOPTS_FAIL:
		return 1;
	case CLIOPTS_RUN:
		break;
	}
	if (o.verbose > 0)
		log_open(stderr, o.verbose > 1 ? LOG_DEBUG : LOG_INFO);
	if (clienv_read(&env, err) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (key_parse(env.key, key) < 0) {
		fprintf(stderr, "mosh-client: MOSH_KEY must be 22 letters, digits, '+' or '/' "
		                "(the key mosh-server printed)\n");
		clienv_fini(&env);
		return 1;
	}
	esc_cfg_init(&esc, env.escape_key_set ? env.escape_key : NULL);
	memset(&sc, 0, sizeof sc);
	sc.term_init = !env.no_term_init;
	sc.title_prefix = title_prefix(env.title_noprefix);
	sc.predict = pred_mode_of(env.predict);
	sc.predict_overwrite = env.predict_overwrite;
	sc.scrollback = !env.no_scrollback;
	clienv_fini(&env);
	if (localterm_check("mosh-client", STDIN_FILENO, term, &caps, stderr) < 0)
		return 1;
	if (ctty_init(STDIN_FILENO, err) < 0) {
		fprintf(stderr, "mosh-client: %s\n", err);
		return 1;
	}
	/* -L ports are bound before the screen is ours, so that errors show. */
	fc = (struct cfwd_config){.agent = o.forward_agent,
	                          .agent_sock = getenv("SSH_AUTH_SOCK"),
	                          .local = o.local,
	                          .n_local = o.n_local,
	                          .remote = o.remote,
	                          .n_remote = o.n_remote};
	if (fc.agent && fc.agent_sock == NULL)
		fprintf(stderr, "mosh-client: -A: SSH_AUTH_SOCK is not set, so there is no agent "
		                "to forward\n");
	if (cfwd_wanted(&fc))
		sc.fwd = cfwd_new(&fc, stderr);
	ctty_raw();

	sc.ip = o.ip;
	sc.port = o.port;
	sc.key = key;
	sc.caps = &caps;
	sc.esc = &esc;
	status = frontend_run(&sc);
	cfwd_free(sc.fwd);
	explicit_bzero(key, sizeof key);
	ctty_fini();
	cliopts_fini(&o);
	return status;
}
