/*
 * Starting a helper program with its output on a pipe: `mosh-client -c`,
 * ssh, or the server in --local mode.
 *
 * The child's stdout (and, if asked, its stderr) is the write end of a pipe
 * whose read end the caller gets. A failed exec is reported to the parent
 * through a close-on-exec status pipe, so spawn_pipe() itself fails with the
 * child's errno ("cannot run ssh: No such file or directory") instead of the
 * caller having to guess from missing output. The child's stdin is inherited.
 */
#ifndef MOSHC_LAUNCHER_SPAWN_H
#define MOSHC_LAUNCHER_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct spawn_opts {
	char *const *argv;            /* argv[0] is looked up on PATH */
	bool stderr_too;              /* stderr joins stdout on the pipe */
	const char *dir;              /* chdir here before exec if not NULL (failure ignored) */
	const char *const *env_unset; /* NULL-terminated names to remove, or NULL */
	const char *const *env_set;   /* NULL-terminated "NAME=VALUE" to set, or NULL */
};

/* Start the child; 0 with *pid and *fd (read end, close-on-exec), or ERR_IO with err filled. */
int spawn_pipe(const struct spawn_opts *s, pid_t *pid, int *fd, char *err);
/* waitpid that retries on EINTR; 0 with *status, or ERR_IO. */
int spawn_wait(pid_t pid, int *status);
/* "exit status N" or "signal N" for a wait status. */
void spawn_status_str(int status, char *buf, size_t len);

#endif
