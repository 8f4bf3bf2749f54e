/*
 * Run a program and capture what it prints, for tests that compare our
 * messages with a reference binary's (Debian's mosh 1.4). The child never
 * sees MOSH_KEY.
 */
#ifndef MOSHC_TESTS_RUNPROG_H
#define MOSHC_TESTS_RUNPROG_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Run argv[0] with argv; its stderr (and stdout too when with_stdout) goes
 * into *text (allocated, at most 8 KiB, NUL-terminated). Returns the exit
 * status, or -1 if the program could not run or did not exit normally.
 */
static inline int run_capture(char *const *argv, bool with_stdout, char **text)
{
	int p[2], status;
	pid_t pid;
	size_t len = 0, cap = 8192;
	ssize_t n;

	*text = calloc(1, cap);
	if (access(argv[0], X_OK) != 0 || pipe(p) < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 2);
		if (with_stdout)
			dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		unsetenv("MOSH_KEY");
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	while (len + 1 < cap && (n = read(p[0], *text + len, cap - len - 1)) > 0)
		len += (size_t)n;
	close(p[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#endif
