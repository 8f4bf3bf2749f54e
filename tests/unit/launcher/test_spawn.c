/* launcher/spawn: output on a pipe, exec failures reported, environment and directory set. */
#include "../test.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launcher/spawn.h"
#include "util/err.h"

/* Run s to completion; its output into out, its wait status returned. */
static int run(const struct spawn_opts *s, char *out, size_t cap)
{
	char err[ERR_LEN];
	size_t n = 0;
	int fd, status;
	pid_t pid;

	CHECK_EQ_INT(spawn_pipe(s, &pid, &fd, err), 0);
	for (;;) {
		ssize_t r = read(fd, out + n, cap - 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	out[n] = '\0';
	close(fd);
	CHECK_EQ_INT(spawn_wait(pid, &status), 0);
	return status;
}

TEST(stdout_only_or_both)
{
	char *argv[] = {"sh", "-c", "echo out; echo err >&2", NULL};
	struct spawn_opts s = {.argv = argv};
	char out[128];
	int st;

	fflush(stderr);
	st = run(&s, out, sizeof out);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ_STR(out, "out\n");
	s.stderr_too = true;
	run(&s, out, sizeof out);
	CHECK_EQ_STR(out, "out\nerr\n");
}

TEST(exec_failure_is_an_error_not_a_child)
{
	char *argv[] = {"/nonexistent/program", NULL};
	struct spawn_opts s = {.argv = argv};
	char err[ERR_LEN];
	pid_t pid;
	int fd;

	CHECK_EQ_INT(spawn_pipe(&s, &pid, &fd, err), ERR_IO);
	CHECK_EQ_STR(err, "cannot run /nonexistent/program: No such file or directory");
	CHECK(waitpid(-1, NULL, WNOHANG) < 0); /* the failed child was reaped */
}

TEST(environment_and_directory)
{
	static const char *const unset[] = {"SPAWN_TEST_GONE", NULL};
	static const char *const set[] = {"SPAWN_TEST_NEW=a b", "SHELL=/bin/sh", NULL};
	char *argv[] = {"sh", "-c", "echo \"[$SPAWN_TEST_GONE][$SPAWN_TEST_NEW][$SHELL]\"; pwd",
	                NULL};
	struct spawn_opts s = {.argv = argv, .env_unset = unset, .env_set = set, .dir = "/"};
	char out[256];
	int st;

	setenv("SPAWN_TEST_GONE", "still here", 1);
	setenv("SHELL", "/bin/fancy", 1);
	st = run(&s, out, sizeof out);
	CHECK(WIFEXITED(st));
	CHECK_EQ_STR(out, "[][a b][/bin/sh]\n/\n");
	CHECK_EQ_STR(getenv("SPAWN_TEST_GONE"), "still here"); /* only the child changed */
}

TEST(status_strings)
{
	char *argv[] = {"sh", "-c", "exit 7", NULL};
	char *argv2[] = {"sh", "-c", "kill -9 $$", NULL};
	struct spawn_opts s = {.argv = argv};
	char out[16], why[64];

	spawn_status_str(run(&s, out, sizeof out), why, sizeof why);
	CHECK_EQ_STR(why, "exit status 7");
	s.argv = argv2;
	spawn_status_str(run(&s, out, sizeof out), why, sizeof why);
	CHECK_EQ_STR(why, "signal 9");
}

int main(void)
{
	RUN(stdout_only_or_both);
	RUN(exec_failure_is_an_error_not_a_child);
	RUN(environment_and_directory);
	RUN(status_strings);
	return test_done();
}
