/* The launcher's explanation of a failed start; see explain.h. */
#include "launcher/explain.h"

#include <stdio.h>
#include <sys/wait.h>

/* What ssh exits with when it, not the remote command, failed. */
#define SSH_OWN_FAILURE 255
/* What POSIX shells exit with when the command is missing / not executable. */
#define SHELL_NOT_FOUND 127
#define SHELL_CANNOT_RUN 126

/* "on HOST" or "on this machine", for the remote-side messages. */
static const char *where(const struct explain_ctx *c, char *buf, size_t len)
{
	if (c->local)
		return "on this machine";
	snprintf(buf, len, "on %s", c->host);
	return buf;
}

void explain_no_server(const struct explain_ctx *c, int status, char *out, size_t len)
{
	char at[300];
	int code;

	if (c->bad_udp_port) {
		snprintf(out, len, "Server does not support UDP port range option.");
		return;
	}
	if (WIFSIGNALED(status)) {
		if (c->local)
			snprintf(out, len, "the server command was killed by signal %d",
			         WTERMSIG(status));
		else
			snprintf(out, len, "ssh to %s was killed by signal %d", c->host,
			         WTERMSIG(status));
		return;
	}
	code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (!c->local && code == SSH_OWN_FAILURE) {
		snprintf(out, len, "ssh to %s failed (status %d): see ssh's message above", c->host,
		         code);
	} else if (code == SHELL_NOT_FOUND) {
		snprintf(out, len, "%s not found %s: install mosh%s, or pass --server=PATH",
		         c->server, where(c, at, sizeof at), c->local ? "" : " there");
	} else if (code == SHELL_CANNOT_RUN) {
		snprintf(out, len,
		         "%s %s cannot be run (status 126): check its permissions, or pass "
		         "--server=PATH",
		         c->server, where(c, at, sizeof at));
	} else if (code == 0) {
		snprintf(out, len,
		         "%s %s exited without printing MOSH CONNECT: is it a mosh server? (pass "
		         "--server=PATH)",
		         c->server, where(c, at, sizeof at));
	} else {
		snprintf(out, len, "%s exited with status %d %s: see its message above", c->server,
		         code, where(c, at, sizeof at));
	}
}
