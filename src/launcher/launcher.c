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
#include "launcher/opts.h"
#include "launcher/proxy.h"
#include "launcher/remote.h"
#include "launcher/spawn.h"
#include "util/err.h"
#include "util/xmalloc.h"

extern char **environ;

/* How long to keep reading the server's banner after MOSH CONNECT. */
#define DRAIN_MS 10000

static const char version_text[] =
    "mosh (mosh-c " MOSHC_VERSION "), compatible with mosh 1.4\n"
    "License GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>.\n"
    "This is free software: you are free to change and redistribute it.\n"
    "There is NO WARRANTY, to the extent permitted by law.\n";

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
	char why[64];
	bool failed = !WIFEXITED(status) || WEXITSTATUS(status) != 0;

	if (!b->connected && failed) {
		spawn_status_str(status, why, sizeof why);
		fprintf(stderr, "mosh: %s failed (%s).\n", o->local ? "the server command" : "ssh",
		        why);
		if (!b->have_ip && !b->have_sship)
			return LAUNCHER_EXIT_FAILURE;
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
	if (!b->connected) {
		if (b->bad_udp_port)
			return fail("Server does not support UDP port range option.");
		return fail("Did not find mosh server startup message. (Have you installed mosh on "
		            "your server?)");
	}
	return 0;
}

static int run(const struct opts *o, int argc, char **argv)
{
	char colors[CLIENTCMD_COLORS_LEN], err[ERR_LEN], pidstr[32];
	struct boot_state b;
	char *userhost, *command;
	int fd, rc, status = 0;
	pid_t pid;

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

int launcher_main(int argc, char **argv)
{
	const char *env = getenv("MOSH_PREDICTION_DISPLAY");
	char *env_predict = env ? xstrdup(env) : NULL;
	char err[ERR_LEN];
	struct opts o;
	bool usage;
	int rc;

	rc = opts_parse(&o, argc, argv, env_predict, err, &usage);
	if (rc == OPTS_HELP) {
		fputs(opts_usage(), stdout);
		rc = 0;
	} else if (rc == OPTS_VERSION) {
		fputs(version_text, stdout);
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
		rc = run(&o, argc, argv);
	}
	opts_fini(&o);
	free(env_predict);
	return rc;
}
