/* Child processes with a pipe on their output; see spawn.h. */
#include "launcher/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/coredump.h"
#include "util/err.h"

/* Runs in the child between fork and exec; reports errno on st_fd and exits on failure. */
static _Noreturn void child(const struct spawn_opts *s, int out_fd, int st_fd)
{
	int e;

	if (dup2(out_fd, STDOUT_FILENO) < 0 || (s->stderr_too && dup2(out_fd, STDERR_FILENO) < 0))
		goto fail;
	if (out_fd == STDOUT_FILENO || out_fd == STDERR_FILENO)
		fcntl(out_fd, F_SETFD, 0); /* dup2 onto itself keeps close-on-exec */
	else
		close(out_fd);
	for (const char *const *u = s->env_unset; u && *u; u++)
		unsetenv(*u);
	for (const char *const *p = s->env_set; p && *p; p++) {
		const char *eq = strchr(*p, '=');
		char name[128];

		if (eq == NULL || (size_t)(eq - *p) >= sizeof name)
			continue;
		memcpy(name, *p, (size_t)(eq - *p));
		name[eq - *p] = '\0';
		setenv(name, eq + 1, 1);
	}
	if (s->dir && chdir(s->dir) < 0) {
		/* Like mosh 1.4: a missing home directory does not stop the session. */
	}
	coredump_restore();
	execvp(s->argv[0], s->argv);
fail:
	e = errno;
	if (write(st_fd, &e, sizeof e) < 0) {
		/* Nothing left to report through. */
	}
	_exit(127);
}

int spawn_pipe(const struct spawn_opts *s, pid_t *pid, int *fd, char *err)
{
	int out[2], st[2], e = 0;
	ssize_t n;
	pid_t p;

	if (pipe2(out, O_CLOEXEC) < 0)
		return err_set(err, ERR_IO, "pipe: %s", strerror(errno));
	if (pipe2(st, O_CLOEXEC) < 0) {
		e = errno;
		close(out[0]);
		close(out[1]);
		return err_set(err, ERR_IO, "pipe: %s", strerror(e));
	}
	fflush(NULL);
	p = fork();
	if (p < 0) {
		e = errno;
		close(out[0]);
		close(out[1]);
		close(st[0]);
		close(st[1]);
		return err_set(err, ERR_IO, "fork: %s", strerror(e));
	}
	if (p == 0) {
		close(out[0]);
		close(st[0]);
		child(s, out[1], st[1]);
	}
	close(out[1]);
	close(st[1]);
	do
		n = read(st[0], &e, sizeof e);
	while (n < 0 && errno == EINTR);
	close(st[0]);
	if (n == (ssize_t)sizeof e) {
		int status;

		close(out[0]);
		spawn_wait(p, &status);
		return err_set(err, ERR_IO, "cannot run %s: %s", s->argv[0], strerror(e));
	}
	*pid = p;
	*fd = out[0];
	return 0;
}

int spawn_wait(pid_t pid, int *status)
{
	pid_t r;

	do
		r = waitpid(pid, status, 0);
	while (r < 0 && errno == EINTR);
	return r == pid ? 0 : ERR_IO;
}

void spawn_status_str(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "signal %d", WTERMSIG(status));
	else
		snprintf(buf, len, "wait status %d", status);
}
