/* Running mosh-client: the colour query and the final exec; see clientcmd.h. */
#include "launcher/clientcmd.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launcher/spawn.h"
#include "util/buf.h"
#include "util/coredump.h"
#include "util/err.h"

extern char **environ;

void clientcmd_parse_colors(const char *out, size_t n, char colors[CLIENTCMD_COLORS_LEN])
{
	if (n > 0 && out[n - 1] == '\n')
		n--;
	snprintf(colors, CLIENTCMD_COLORS_LEN, "0");
	if (n == 0 || n >= CLIENTCMD_COLORS_LEN)
		return;
	for (size_t i = 0; i < n; i++)
		if (out[i] < '0' || out[i] > '9')
			return;
	memcpy(colors, out, n);
	colors[n] = '\0';
}

int clientcmd_colors(const char *client, char colors[CLIENTCMD_COLORS_LEN], char *err)
{
	char *argv[] = {(char *)client, (char *)"-c", NULL};
	struct spawn_opts s = {.argv = argv};
	const char *term = getenv("TERM");
	char out[64], why[ERR_LEN];
	size_t n = 0;
	int fd, status, rc;
	pid_t pid;

	rc = spawn_pipe(&s, &pid, &fd, why);
	if (rc < 0)
		return err_set(err, rc, "cannot count the terminal's colours: %s", why);
	for (;;) {
		char discard[256];
		ssize_t r = n < sizeof out ? read(fd, out + n, sizeof out - n)
		                           : read(fd, discard, sizeof discard);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (n < sizeof out)
			n += (size_t)r;
	}
	close(fd);
	if (spawn_wait(pid, &status) < 0)
		return err_set(err, ERR_IO, "waiting for %s -c: %s", client, strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		spawn_status_str(status, why, sizeof why);
		return err_set(err, ERR_IO,
		               "%s -c (the colour count for TERM=%s) failed (%s): see its message "
		               "above",
		               client, term ? term : "(unset)", why);
	}
	clientcmd_parse_colors(out, n < sizeof out ? n : sizeof out, colors);
	return 0;
}

static bool is_var(const char *entry, const char *name)
{
	size_t len = strlen(name);

	return strncmp(entry, name, len) == 0 && entry[len] == '=';
}

void clientcmd_env(struct strv *env, char *const *base, const struct opts *o, const char *key)
{
	for (; base && *base; base++) {
		if (is_var(*base, "MOSH_KEY") || is_var(*base, "MOSH_PREDICTION_DISPLAY"))
			continue;
		if (o->overwrite != OPTS_UNSET && is_var(*base, "MOSH_PREDICTION_OVERWRITE"))
			continue;
		if (o->init != OPTS_UNSET && is_var(*base, "MOSH_NO_TERM_INIT"))
			continue;
		if (o->scrollback != OPTS_UNSET && is_var(*base, "MOSH_NO_SCROLLBACK"))
			continue;
		strv_push(env, *base);
	}
	strv_pushf(env, "MOSH_KEY=%s", key);
	strv_pushf(env, "MOSH_PREDICTION_DISPLAY=%s", o->predict);
	if (o->overwrite == OPTS_YES)
		strv_push(env, "MOSH_PREDICTION_OVERWRITE=yes");
	if (o->init == OPTS_NO)
		strv_push(env, "MOSH_NO_TERM_INIT=1");
	if (o->scrollback == OPTS_NO)
		strv_push(env, "MOSH_NO_SCROLLBACK=1");
}

/* Each forwarding as the option and the canonical spec, e.g. "-L" "8080:h:80". */
static void push_forwards(struct strv *out, const char *flag, const struct fwdspec *f, size_t n)
{
	char spec[FWDSPEC_FORMAT_LEN];

	for (size_t i = 0; i < n; i++) {
		fwdspec_format(&f[i], spec, sizeof spec);
		strv_push(out, flag);
		strv_push(out, spec);
	}
}

void clientcmd_argv(struct strv *out, const struct opts *o, int argc, char **argv, const char *ip,
                    const char *port)
{
	struct buf b;
	size_t len;

	buf_init(&b);
	buf_append_str(&b, "-# ");
	for (int i = 1; i < argc; i++) {
		if (i > 1)
			buf_append_byte(&b, ' ');
		buf_append_str(&b, argv[i]);
	}
	buf_append_str(&b, " |");
	strv_push(out, o->client);
	strv_push_owned(out, (char *)buf_detach(&b, &len));
	if (o->forward_agent)
		strv_push(out, "-A");
	push_forwards(out, "-L", o->local_fwd, o->n_local_fwd);
	push_forwards(out, "-R", o->remote_fwd, o->n_remote_fwd);
	strv_push(out, ip);
	strv_push(out, port);
}

int clientcmd_exec(const struct opts *o, int argc, char **argv, const char *ip, const char *port,
                   const char *key, char *err)
{
	struct strv env, args;
	int e;

	strv_init(&env);
	strv_init(&args);
	clientcmd_env(&env, environ, o, key);
	clientcmd_argv(&args, o, argc, argv, ip, port);
	fflush(NULL);
	/* Still not dumpable until the exec; the client disables core dumps itself. */
	coredump_restore();
	execvpe(args.v[0], args.v, strv_array(&env));
	e = errno;
	strv_fini(&env); /* wipes the MOSH_KEY entry */
	strv_fini(&args);
	return err_set(err, ERR_IO, "cannot run %s: %s", o->client, strerror(e));
}
