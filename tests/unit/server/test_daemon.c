/* server/daemon: the foreground announces and exits 0 while the daemon lives on. */
#include "../test.h"

#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server/daemon.h"
#include "util/buf.h"

static const char *helper;
static struct buf out, err;
static pid_t daemon_pid;

/* Both the daemon's report and the foreground's complete "detached" line are in. */
static bool saw_both(const char *needle)
{
	const char *text = (const char *)err.data;
	const char *d;

	if (err.len == 0 || strstr(text, needle) == NULL)
		return false;
	d = strstr(text, "[mosh-server detached, pid = ");
	return d != NULL && strchr(d, '\n') != NULL;
}

static void drain_both(int ofd, int efd, bool until_eof_on_err, const char *err_needle)
{
	struct pollfd pfd[2] = {{.fd = ofd, .events = POLLIN}, {.fd = efd, .events = POLLIN}};
	int open_fds = 2;

	for (int rounds = 0; rounds < 200 && open_fds > 0; rounds++) {
		char chunk[1024];

		if (!until_eof_on_err && saw_both(err_needle))
			return;
		if (poll(pfd, 2, 100) <= 0)
			continue;
		for (int i = 0; i < 2; i++) {
			ssize_t n;

			if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP)))
				continue;
			n = read(pfd[i].fd, chunk, sizeof chunk);
			if (n <= 0) {
				pfd[i].fd = -1;
				open_fds--;
			} else {
				buf_append(i == 0 ? &out : &err, chunk, (size_t)n);
			}
		}
	}
}

/* Run the helper; returns the foreground's exit status and sets daemon_pid. */
static int run_helper(bool verbose, int stdin_fd)
{
	int o[2], e[2];
	pid_t pid;
	int status;
	const char *p;

	buf_clear(&out);
	buf_clear(&err);
	daemon_pid = -1;
	if (pipe(o) < 0 || pipe(e) < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(stdin_fd, 0);
		dup2(o[1], 1);
		dup2(e[1], 2);
		close(o[0]);
		close(e[0]);
		close(o[1]);
		close(e[1]);
		execl(helper, helper, "60123", "abcdefghijklmnopqrstuv", verbose ? "-v" : NULL,
		      (char *)NULL);
		_exit(99);
	}
	close(o[1]);
	close(e[1]);
	drain_both(o[0], e[0], !verbose, "daemon-alive");
	close(o[0]);
	close(e[0]);
	waitpid(pid, &status, 0);
	p = err.len ? strstr((const char *)err.data, "[mosh-server detached, pid = ") : NULL;
	if (p != NULL)
		daemon_pid = (pid_t)atol(p + 29);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void kill_daemon(void)
{
	int status;

	if (daemon_pid > 0) {
		kill(daemon_pid, SIGKILL);
		waitpid(daemon_pid, &status, 0); /* we are its subreaper */
	}
	daemon_pid = -1;
}

TEST(foreground_announces_and_exits_daemon_lives)
{
	int null = open("/dev/null", O_RDONLY);
	char want[64];

	CHECK_EQ_INT(run_helper(false, null), 0);
	close(null);
	CHECK_EQ_STR((const char *)out.data, "MOSH CONNECT 60123 abcdefghijklmnopqrstuv\n");
	CHECK(strncmp((const char *)err.data, "\nmosh-server (mosh-c ", 21) == 0);
	CHECK(strstr((const char *)err.data, "There is NO WARRANTY, to the extent permitted by "
	                                     "law.\n\n[mosh-server detached, pid = ") != NULL);
	CHECK(daemon_pid > 1);
	snprintf(want, sizeof want, "[mosh-server detached, pid = %ld]\n", (long)daemon_pid);
	CHECK(strstr((const char *)err.data, want) != NULL);
	/* stdio went to /dev/null: the daemon's report never reached us */
	CHECK(strstr((const char *)err.data, "daemon-alive") == NULL);
	CHECK_EQ_INT(kill(daemon_pid, 0), 0);
	CHECK_EQ_INT(getsid(daemon_pid), daemon_pid);
	kill_daemon();
}

/* `new` returns only once the daemon is ready (its control socket listens). */
TEST(foreground_waits_for_the_daemon_to_be_ready)
{
	char path[] = "/tmp/daemon-ready-XXXXXX";
	int null = open("/dev/null", O_RDONLY);
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	close(fd);
	unlink(path);
	setenv("DAEMON_HELPER_READY_FILE", path, 1);
	CHECK_EQ_INT(run_helper(false, null), 0);
	unsetenv("DAEMON_HELPER_READY_FILE");
	/* The foreground has exited: the daemon had already said it was ready. */
	CHECK_EQ_INT(access(path, F_OK), 0);
	kill_daemon();
	unlink(path);
	close(null);
}

TEST(verbose_daemon_keeps_stderr)
{
	int null = open("/dev/null", O_RDONLY);
	char want[64];

	CHECK_EQ_INT(run_helper(true, null), 0);
	close(null);
	snprintf(want, sizeof want, "daemon-alive sid=%ld\n", (long)daemon_pid);
	CHECK(strstr((const char *)err.data, want) != NULL);
	kill_daemon();
}

TEST(terminal_stdin_gets_blank_lines_first)
{
	int master, slave;

	CHECK_EQ_INT(openpty(&master, &slave, NULL, NULL, NULL), 0);
	CHECK_EQ_INT(run_helper(false, slave), 0);
	close(slave);
	close(master);
	CHECK_EQ_STR((const char *)out.data, "\r\n\nMOSH CONNECT 60123 abcdefghijklmnopqrstuv\n");
	kill_daemon();
}

/* After the announcement, stdout's stdio buffer must not hold the key (glibc's FILE). */
TEST(announce_leaves_no_key_in_stdio)
{
	static const char key[] = "Zk9s1LqXq0Pz5nVb7T2mYA";
	char line[128] = "";
	int p[2], saved;
	ssize_t n;

	fflush(stdout);
	CHECK_EQ_INT(pipe(p), 0);
	saved = dup(STDOUT_FILENO);
	dup2(p[1], STDOUT_FILENO);
	close(p[1]);
	fputs("# before\n", stdout); /* stdout has its buffer before the key comes */
	daemon_announce(60999, key);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	n = read(p[0], line, sizeof line - 1);
	close(p[0]);
	CHECK(n > 0);
	CHECK_EQ_STR(line, "# before\nMOSH CONNECT 60999 Zk9s1LqXq0Pz5nVb7T2mYA\n");
	CHECK(stdout->_IO_buf_base != NULL);
	CHECK(memmem(stdout->_IO_buf_base, (size_t)(stdout->_IO_buf_end - stdout->_IO_buf_base),
	             key, sizeof key - 1) == NULL);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		printf("Bail out! usage: test_daemon PATH-TO-daemon_helper\n");
		return 1;
	}
	helper = argv[1];
	/* The daemon is our grandchild: adopt it so it can be reaped after the kill. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	buf_init(&out);
	buf_init(&err);
	RUN(foreground_announces_and_exits_daemon_lives);
	RUN(foreground_waits_for_the_daemon_to_be_ready);
	RUN(verbose_daemon_keeps_stderr);
	RUN(terminal_stdin_gets_blank_lines_first);
	RUN(announce_leaves_no_key_in_stdio);
	kill_daemon();
	buf_fini(&out);
	buf_fini(&err);
	return test_done();
}
