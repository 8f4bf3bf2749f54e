/*
 * The launcher's procedure (doc/PROTOCOL.md §9.1), step by step; the pieces live
 * in opts, clientcmd, remote, spawn, bootstrap and proxy. Nothing here is
 * retried: every failure ends the launcher with a message naming the cause.
 */
#include "launcher/launcher.h"

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launcher/bootstrap.h"
#include "launcher/clientcmd.h"
#include "launcher/explain.h"
#include "launcher/opts.h"
#include "launcher/proxy.h"
#include "launcher/remote.h"
#include "launcher/shell.h"
#include "launcher/sibling.h"
#include "launcher/spawn.h"
#include "term/localterm.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/version.h"
#include "util/xmalloc.h"

extern char **environ;

/* How long to keep reading the server's banner after MOSH CONNECT. */
#define DRAIN_MS 10000

static int fail(const char *msg)
{
	fprintf(stderr, "mosh: %s\n", msg);
	return LAUNCHER_EXIT_FAILURE;
}

/* Our own executable, for ssh's ProxyCommand; argv[0] if /proc is unavailable. */
static char *self_path(const char *argv0)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);

	if (n <= 0)
		return xstrdup(argv0);
	buf[n] = '\0';
	return xstrdup(buf);
}

/* --experimental-remote-ip=local: resolve here, ssh to the number. */
static int resolve_locally(const struct opts *o, char **userhost, struct boot_state *b, char *err)
{
	const char *at = strrchr(o->userhost, '@');
	const char *host = at ? at + 1 : o->userhost;
	struct resolve_addr *a;
	size_t n;
	int rc;

	rc = resolve_host(host, "22", o->family, &a, &n, err);
	if (rc < 0)
		return rc;
	rc = resolve_numeric(&a[0], b->ip, sizeof b->ip);
	free(a);
	if (rc < 0)
		return err_set(err, rc, "could not use the address found for %s", host);
	b->have_ip = true;
	*userhost = xasprintf("%.*s%s", at ? (int)(at + 1 - o->userhost) : 0, o->userhost, b->ip);
	return 0;
}

/* Start ssh (or the local server) with its output on *fd. */
static int start_server(const struct opts *o, const char *argv0, const char *userhost,
                        const char *command, pid_t *pid, int *fd, char *err)
{
	static const char *const no_ssh_connection[] = {"SSH_CONNECTION", NULL};
	static const char *const plain_shell[] = {"SHELL=/bin/sh", NULL};
	struct spawn_opts s = {.stderr_too = true};
	struct strv argv;
	char *self = NULL;
	int rc;

	strv_init(&argv);
	if (o->local) {
		strv_push(&argv, "/bin/sh");
		strv_push(&argv, "-c");
		strv_push(&argv, command);
		s.env_unset = no_ssh_connection;
		s.dir = getenv("HOME");
	} else {
		self = self_path(argv0);
		remote_ssh_argv(&argv, o, self, userhost, command);
		/* A non-POSIX login shell or a noisy rc file would break the ProxyCommand. */
		if (o->remote_ip == OPTS_RIP_PROXY)
			s.env_set = plain_shell;
	}
	s.argv = argv.v;
	rc = spawn_pipe(&s, pid, fd, err);
	strv_fini(&argv);
	free(self);
	return rc;
}

/* After the conversation: explain why there is no session, or fill in the IP. */
static int diagnose(const struct opts *o, struct boot_state *b, int status)
{
	const struct explain_ctx ctx = {
	    .local = o->local,
	    .host = o->userhost,
	    .server = o->server,
	    .bad_udp_port = b->bad_udp_port,
	};
	char why[ERR_LEN];

	if (!b->connected) {
		explain_no_server(&ctx, status, why, sizeof why);
		return fail(why);
	}
	if (!b->have_ip) {
		if (!b->have_sship)
			return fail(
			    "Did not find remote IP address (is SSH ProxyCommand disabled?).");
		fprintf(stderr, "mosh: Using remote IP address %s from $SSH_CONNECTION for %s\n",
		        b->sship, o->userhost);
		memcpy(b->ip, b->sship, sizeof b->ip);
		b->have_ip = true;
	}
	return 0;
}

static int run(const struct opts *o, int argc, char **argv)
{
	char colors[CLIENTCMD_COLORS_LEN], err[ERR_LEN], pidstr[32];
	struct boot_state b;
	struct tcaps caps;
	char *userhost, *command;
	int fd, rc, status = 0;
	pid_t pid;

	/*
	 * Our client would refuse this terminal: say so before a server starts and
	 * waits for it. Another --client has its own rules, which we cannot know.
	 */
	if (!o->client_given &&
	    localterm_check("mosh", STDIN_FILENO, getenv("TERM"), &caps, stderr) < 0)
		return LAUNCHER_EXIT_FAILURE;
	rc = clientcmd_colors(o->client, colors, err);
	if (rc < 0)
		return fail(err);
	/* The client will have this PID after the exec; useful for tests and debugging. */
	snprintf(pidstr, sizeof pidstr, "%ld", (long)getpid());
	setenv("MOSH_CLIENT_PID", pidstr, 1);

	boot_init(&b, o->port_is_range);
	userhost = xstrdup(o->userhost);
	if (o->local) {
		snprintf(b.ip, sizeof b.ip, "%s", o->userhost);
		b.have_ip = true;
	} else if (o->remote_ip == OPTS_RIP_LOCAL) {
		free(userhost);
		userhost = NULL;
		if (resolve_locally(o, &userhost, &b, err) < 0)
			return fail(err);
	}
	command = remote_command(o, colors, environ);
	rc = start_server(o, argv[0], userhost, command, &pid, &fd, err);
	free(command);
	free(userhost);
	if (rc < 0)
		return fail(err);

	rc = boot_read(&b, fd, STDOUT_FILENO, err);
	if (rc < 0) {
		close(fd);
		kill(pid, SIGTERM);
		spawn_wait(pid, &status);
		boot_fini(&b);
		return fail(err);
	}
	if (b.connected && !boot_drain(fd, DRAIN_MS)) {
		/* ssh is still talking: let it be rather than block; it ends with the session. */
		close(fd);
		waitpid(pid, &status, WNOHANG);
	} else {
		close(fd);
		spawn_wait(pid, &status);
	}
	rc = diagnose(o, &b, status);
	if (rc != 0) {
		boot_fini(&b);
		return rc;
	}
	clientcmd_exec(o, argc, argv, b.ip, b.port, b.key, err);
	boot_fini(&b);
	return fail(err);
}

/*
 * The client (and with --local the server) from beside the launcher unless
 * named; see sibling.h. *client and *server own what o now points to.
 */
static void use_siblings(struct opts *o, const char *argv0, char **client, char **server)
{
	char *self = self_path(argv0);
	char *found;

	if (!o->client_given) {
		*client = sibling_find(self, "mosh-client");
		if (*client != NULL)
			o->client = *client;
	}
	/* The server string reaches a shell: quote the path. */
	if (o->local && !o->server_given && (found = sibling_find(self, "mosh-server")) != NULL) {
		struct buf q;
		size_t len;

		buf_init(&q);
		shell_quote(&q, found);
		buf_append_byte(&q, '\0');
		*server = (char *)buf_detach(&q, &len);
		o->server = *server;
		free(found);
	}
	free(self);
}

int launcher_main(int argc, char **argv)
{
	const char *env = getenv("MOSH_PREDICTION_DISPLAY");
	char *env_predict = env ? xstrdup(env) : NULL;
	char *client = NULL, *server = NULL;
	char err[ERR_LEN];
	struct opts o;
	bool usage;
	int rc;

	rc = opts_parse(&o, argc, argv, env_predict, err, &usage);
	if (rc == OPTS_HELP) {
		fputs(opts_usage(), stdout);
		version_bug_report(stdout);
		rc = 0;
	} else if (rc == OPTS_VERSION) {
		version_banner(stdout, "mosh");
		rc = 0;
	} else if (rc < 0) {
		fprintf(stderr, "mosh: %s\n", err);
		if (usage)
			fprintf(stderr, "\n%s", opts_usage());
		rc = LAUNCHER_EXIT_FAILURE;
	} else if (o.fake_proxy) {
		rc = proxy_main(o.userhost, o.proxy_port, o.family);
	} else {
		/* The client gets the validated mode from us; ssh and the server need not see it.
		 */
		unsetenv("MOSH_PREDICTION_DISPLAY");
		use_siblings(&o, argv[0], &client, &server);
		rc = run(&o, argc, argv);
	}
	opts_fini(&o);
	free(client);
	free(server);
	free(env_predict);
	return rc;
}
