/* The remote command string and the ssh argv; see remote.h. */
#include "launcher/remote.h"

#include <stdio.h>
#include <string.h>

#include "launcher/shell.h"
#include "util/buf.h"

static const char *const locale_names[] = {
    "LANG",       "LANGUAGE",     "LC_CTYPE",       "LC_NUMERIC",        "LC_TIME",
    "LC_COLLATE", "LC_MONETARY",  "LC_MESSAGES",    "LC_PAPER",          "LC_NAME",
    "LC_ADDRESS", "LC_TELEPHONE", "LC_MEASUREMENT", "LC_IDENTIFICATION", "LC_ALL",
};

/*
 * Run by the remote login shell before the server in remote-ip mode. The
 * user's shell may not be POSIX, hence the explicit sh; the leading newline
 * keeps the line apart from anything printed before it.
 */
static const char ssh_connection_probe[] =
    "if [ -n \"$SSH_CONNECTION\" ]; then printf '\\nMOSH SSH_CONNECTION %s\\n' "
    "\"$SSH_CONNECTION\"; fi";

const char *remote_env_get(char *const *env, const char *name)
{
	size_t len = strlen(name);

	for (; env && *env; env++)
		if (strncmp(*env, name, len) == 0 && (*env)[len] == '=')
			return *env + len + 1;
	return NULL;
}

void remote_server_args(struct strv *out, const struct opts *o, const char *colors,
                        char *const *env)
{
	strv_push(out, o->attach ? "attach" : "new");
	if (o->attach_target != NULL)
		strv_push(out, o->attach_target);
	strv_push(out, "-c");
	strv_push(out, colors);
	switch (o->bind) {
	case OPTS_BIND_SSH:
		strv_push(out, "-s");
		break;
	case OPTS_BIND_ANY:
		break;
	case OPTS_BIND_IP:
		strv_push(out, "-i");
		strv_push(out, o->bind_ip);
		break;
	}
	if (o->port) {
		strv_push(out, "-p");
		strv_push(out, o->port);
	}
	for (size_t i = 0; i < sizeof locale_names / sizeof locale_names[0]; i++) {
		const char *v = remote_env_get(env, locale_names[i]);

		if (v == NULL)
			continue;
		strv_push(out, "-l");
		strv_pushf(out, "%s=%s", locale_names[i], v);
	}
	if (o->forward_agent && !o->attach) {
		/* mosh 1.4 only sets it in the shell's environment; ours makes the agent socket. */
		strv_push(out, "-l");
		strv_push(out, "MOSH_FORWARD_AGENT=1");
	}
	if (o->command.n > 0) {
		strv_push(out, "--");
		strv_push_all(out, o->command.v, o->command.n);
	}
}

char *remote_command(const struct opts *o, const char *colors, char *const *env)
{
	struct strv args;
	struct buf b;
	size_t len;

	strv_init(&args);
	remote_server_args(&args, o, colors, env);
	buf_init(&b);
	if (o->remote_ip == OPTS_RIP_REMOTE && !o->local) {
		buf_append_str(&b, "sh -c ");
		shell_quote(&b, ssh_connection_probe);
		buf_append_str(&b, " ; ");
	}
	buf_append_str(&b, o->server);
	buf_append_byte(&b, ' ');
	shell_quote_list(&b, args.v, args.n);
	strv_fini(&args);
	return (char *)buf_detach(&b, &len);
}

void remote_ssh_argv(struct strv *out, const struct opts *o, const char *self_exe,
                     const char *userhost, const char *command)
{
	strv_push_all(out, o->ssh.v, o->ssh.n);
	strv_push(out, "-n");
	if (o->ssh_pty)
		strv_push(out, "-tt");
	if (o->remote_ip == OPTS_RIP_REMOTE) {
		/* Only here does ssh's own address choice decide the server IP. */
		if (o->family == RESOLVE_INET)
			strv_push(out, "-4");
		else if (o->family == RESOLVE_INET6)
			strv_push(out, "-6");
	}
	if (o->remote_ip == OPTS_RIP_PROXY) {
		struct buf q, pc;
		char fam[64];
		size_t len;

		snprintf(fam, sizeof fam, "--family=%s", resolve_family_name(o->family));
		buf_init(&q);
		shell_quote(&q, self_exe);
		buf_append_byte(&q, ' ');
		shell_quote(&q, fam);
		/* ssh expands %-tokens in ProxyCommand, so a % in our path must be doubled. */
		buf_init(&pc);
		buf_append_str(&pc, "ProxyCommand=");
		for (size_t i = 0; i < q.len; i++) {
			if (q.data[i] == '%')
				buf_append_byte(&pc, '%');
			buf_append_byte(&pc, q.data[i]);
		}
		/*
		 * ssh pastes the host name into this shell command as it is: quoted, a
		 * host like "h;cmd" or "$(cmd)" stays one word (opts refuses a host
		 * with a single quote, the one character that could end the quoting).
		 */
		buf_append_str(&pc, " --fake-proxy -- '%h' %p");
		buf_fini(&q);
		strv_push(out, "-S");
		strv_push(out, "none");
		strv_push(out, "-o");
		strv_push_owned(out, (char *)buf_detach(&pc, &len));
	}
	strv_push(out, userhost);
	strv_push(out, "--");
	strv_push(out, command);
}
