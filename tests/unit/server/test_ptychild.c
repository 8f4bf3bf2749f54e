/* server/ptychild: spawn, release, environment, login shell, non-blocking I/O, resize. */
#include "../test.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server/ptychild.h"
#include "util/coredump.h"
#include "util/buf.h"
#include "util/clock.h"

static struct buf got;
static char home[64];

/* Collect the child's output until needle appears (true) or timeout_ms or EOF (false). */
static bool read_until(struct pty_child *p, const char *needle, int timeout_ms)
{
	uint64_t deadline = clock_ms() + (uint64_t)timeout_ms;

	for (;;) {
		char chunk[4096];
		struct pollfd pfd = {.fd = pty_master_fd(p), .events = POLLIN};
		uint64_t now = clock_ms();
		long n;

		if (needle != NULL && got.len > 0 && strstr((const char *)got.data, needle) != NULL)
			return true;
		if (now >= deadline)
			return false;
		if (poll(&pfd, 1, (int)(deadline - now)) <= 0)
			continue;
		n = pty_read(p, chunk, sizeof chunk);
		if (n == ERR_CLOSED)
			return needle == NULL;
		if (n > 0)
			buf_append(&got, chunk, (size_t)n);
	}
}

static struct pty_child *spawn(char *const *cmd, uint16_t rows, uint16_t cols)
{
	struct pty_spec spec = {
	    .command = cmd, .term = "xterm-256color", .rows = rows, .cols = cols};
	struct pty_child *p = NULL;
	char err[ERR_LEN];

	buf_clear(&got);
	if (pty_spawn(&p, &spec, err) < 0) {
		printf("# spawn: %s\n", err);
		return NULL;
	}
	return p;
}

static int finish(struct pty_child *p)
{
	int status = -1;

	for (int i = 0; i < 500 && pty_reap(p, &status) == 0; i++)
		usleep(10000);
	if (pty_reap(p, &status) == 0) {
		kill(pty_pid(p), SIGKILL);
		waitpid(pty_pid(p), &status, 0);
	}
	pty_free(p);
	return status;
}

TEST(child_waits_for_release)
{
	struct pty_child *p = spawn((char *[]){"sh", "-c", "echo hello-from-child", NULL}, 24, 80);
	struct pollfd pfd;

	CHECK(p != NULL);
	pfd.fd = pty_master_fd(p);
	pfd.events = POLLIN;
	/* Before the release the command has not run: the pty stays silent. */
	CHECK_EQ_INT(poll(&pfd, 1, 300), 0);
	CHECK(!pty_released(p));
	CHECK_EQ_INT(pty_release(p), 0);
	CHECK(pty_released(p));
	CHECK_EQ_INT(pty_release(p), 0); /* idempotent */
	CHECK(read_until(p, "hello-from-child\r\n", 5000));
	/* No empty first line, unlike mosh 1.4's "\n" release. */
	CHECK(strncmp((const char *)got.data, "hello-from-child", 16) == 0);
	CHECK(read_until(p, NULL, 5000)); /* EOF/EIO once it exits */
	CHECK_EQ_INT(finish(p), 0);
}

TEST(unreleased_child_exits_when_freed)
{
	struct pty_child *p = spawn((char *[]){"sh", "-c", "echo never", NULL}, 24, 80);
	pid_t pid;
	int status;

	CHECK(p != NULL);
	pid = pty_pid(p);
	pty_free(p);
	CHECK_EQ_INT(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) || WIFSIGNALED(status));
	CHECK(!(WIFEXITED(status) && WEXITSTATUS(status) == 0));
}

TEST(environment_and_window_size)
{
	struct pty_child *p;
	char want[256];

	setenv("STY", "screen-session", 1);
	setenv("HOME", home, 1);
	p = spawn((char *[]){"sh", "-c",
	                     "stty size; stty -a | grep -o -- '-*iutf8'; "
	                     "echo \"T=$TERM A=$NCURSES_NO_UTF8_ACS S=${STY-unset} P=$PWD\"; pwd",
	                     NULL},
	          30, 100);
	CHECK(p != NULL);
	CHECK_EQ_INT(pty_release(p), 0);
	CHECK(read_until(p, NULL, 5000));
	CHECK_EQ_INT(finish(p), 0);
	snprintf(want, sizeof want,
	         "30 100\r\niutf8\r\nT=xterm-256color A=1 S=unset P=%s\r\n%s\r\n", home, home);
	CHECK_EQ_STR((const char *)got.data, want);
	unsetenv("STY");
}

TEST(zero_size_falls_back_and_resize_reaches_child)
{
	struct pty_child *p =
	    spawn((char *[]){"sh", "-c", "stty size; read x; stty size", NULL}, 0, 0);

	CHECK(p != NULL);
	CHECK_EQ_INT(pty_release(p), 0);
	CHECK(read_until(p, "24 80\r\n", 5000));
	CHECK_EQ_INT(pty_resize(p, 40, 120), 0);
	CHECK_EQ_INT(pty_resize(p, 0, 120), ERR_INVAL);
	CHECK_EQ_INT(pty_write(p, "\n", 1), 0);
	CHECK(read_until(p, "40 120\r\n", 5000));
	CHECK_EQ_INT(finish(p), 0);
}

TEST(login_shell_gets_dash_argv0_and_motd_notice)
{
	struct pty_child *p;
	char *path, *argv0;
	struct pty_spec spec = {
	    .term = "xterm", .rows = 24, .cols = 80, .login_notice = "NOTICE-LINE\n"};
	char err[ERR_LEN];
	char hush[96];

	setenv("SHELL", "/bin/sh", 1);
	setenv("HOME", home, 1);
	pty_login_shell(&path, &argv0);
	CHECK_EQ_STR(path, "/bin/sh");
	CHECK_EQ_STR(argv0, "-sh");
	free(path);
	free(argv0);

	/* Without ~/.hushlogin the motd and the notice come before the release. */
	buf_clear(&got);
	CHECK_EQ_INT(pty_spawn(&p, &spec, err), 0);
	CHECK(read_until(p, "NOTICE-LINE\r\n", 5000));
	CHECK_EQ_INT(pty_release(p), 0);
	CHECK_EQ_INT(pty_write(p, "echo zero=$0; exit\n", 19), 0);
	CHECK(read_until(p, "zero=-sh", 5000));
	CHECK_EQ_INT(finish(p), 0);

	/* With it, nothing is printed before the shell runs. */
	snprintf(hush, sizeof hush, "%s/.hushlogin", home);
	fclose(fopen(hush, "w"));
	buf_clear(&got);
	CHECK_EQ_INT(pty_spawn(&p, &spec, err), 0);
	CHECK_EQ_INT(pty_release(p), 0);
	CHECK_EQ_INT(pty_write(p, "echo zero=$0; exit\n", 19), 0);
	CHECK(read_until(p, "zero=-sh", 5000));
	CHECK(strstr((const char *)got.data, "NOTICE-LINE") == NULL);
	CHECK_EQ_INT(finish(p), 0);
	unlink(hush);
}

TEST(server_descriptors_do_not_reach_the_command)
{
	int a[2], b[2];
	struct pty_child *p;
	struct pty_spec spec = {.command = (char *[]){"sh", "-c", "echo fds: /proc/$$/fd/*", NULL},
	                        .term = "xterm",
	                        .rows = 24,
	                        .cols = 80};
	char err[ERR_LEN], name[32];

	/*
	 * a: the "UDP socket", closed at once; b: anything else the server left
	 * open. Numbered from 100 so the shell's own descriptors cannot be confused
	 * with them.
	 */
	CHECK_EQ_INT(pipe(a), 0);
	CHECK_EQ_INT(pipe(b), 0);
	for (int i = 0; i < 2; i++) {
		int x = fcntl(a[i], F_DUPFD, 100), y = fcntl(b[i], F_DUPFD, 100);

		close(a[i]);
		close(b[i]);
		a[i] = x;
		b[i] = y;
	}
	spec.close_fds = a;
	spec.n_close_fds = 2;
	buf_clear(&got);
	CHECK_EQ_INT(pty_spawn(&p, &spec, err), 0);
	CHECK_EQ_INT(pty_release(p), 0);
	CHECK(read_until(p, NULL, 5000));
	CHECK_EQ_INT(finish(p), 0);
	CHECK(strstr((const char *)got.data, "fds: ") != NULL);
	CHECK(strstr((const char *)got.data, "/fd/0 ") != NULL);
	for (int i = 0; i < 4; i++) {
		int fd = i == 0 ? a[0] : i == 1 ? a[1] : i == 2 ? b[0] : b[1];

		snprintf(name, sizeof name, "/fd/%d ", fd);
		CHECK(strstr((const char *)got.data, name) == NULL);
		snprintf(name, sizeof name, "/fd/%d\r", fd);
		CHECK(strstr((const char *)got.data, name) == NULL);
	}
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
}

TEST(exec_failure_is_reported)
{
	struct pty_child *p = spawn((char *[]){"/nonexistent/prog", NULL}, 24, 80);
	int status;

	CHECK(p != NULL);
	CHECK_EQ_INT(pty_release(p), 0);
	CHECK(read_until(p, NULL, 5000));
	CHECK(strstr((const char *)got.data,
	             "mosh-server: cannot run \"/nonexistent/prog\": No such file or directory") !=
	      NULL);
	status = finish(p);
	CHECK(WIFEXITED(status));
	CHECK_EQ_INT(WEXITSTATUS(status), 127);
}

TEST(queue_keeps_order_through_partial_writes)
{
	enum { TOTAL = 200000 };
	struct pty_child *p =
	    spawn((char *[]){"sh", "-c", "stty raw -echo; printf R; exec cat", NULL}, 24, 80);
	struct buf sent;
	uint64_t deadline = clock_ms() + 20000;

	CHECK(p != NULL);
	buf_init(&sent);
	for (size_t i = 0; i < TOTAL; i++)
		buf_append_byte(&sent, (uint8_t)('a' + (i * 7 + i / 26) % 26));
	CHECK_EQ_INT(pty_release(p), 0);
	CHECK(read_until(p, "R", 5000));
	buf_clear(&got);
	/* All at once: far more than the pty takes, so most of it is queued. */
	CHECK_EQ_INT(pty_write(p, sent.data, sent.len), 0);
	CHECK(pty_wants_write(p));
	while (got.len < TOTAL && clock_ms() < deadline) {
		struct pollfd pfd = {.fd = pty_master_fd(p),
		                     .events = POLLIN | (pty_wants_write(p) ? POLLOUT : 0)};
		char chunk[PTY_READ_MAX];
		long n;

		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		if (pfd.revents & POLLOUT)
			CHECK_EQ_INT(pty_flush(p), 0);
		n = pty_read(p, chunk, sizeof chunk);
		if (n > 0)
			buf_append(&got, chunk, (size_t)n);
	}
	CHECK_EQ_INT(got.len, TOTAL);
	CHECK_EQ_MEM(got.data, sent.data, TOTAL);
	CHECK_EQ_U64(pty_dropped(p), 0);
	buf_fini(&sent);
	kill(pty_pid(p), SIGTERM);
	finish(p);
}

TEST(child_that_stops_reading_never_blocks_us)
{
	struct pty_child *p =
	    spawn((char *[]){"sh", "-c", "printf R; exec sleep 30", NULL}, 24, 80);
	static char chunk[64 * 1024];
	size_t total = 0;
	int rc = 0;
	uint64_t start;

	CHECK(p != NULL);
	memset(chunk, 'k', sizeof chunk);
	CHECK_EQ_INT(pty_release(p), 0);
	CHECK(read_until(p, "R", 5000));
	alarm(20); /* a blocking write would hang here: fail loudly instead */
	start = clock_ms();
	while (total < 2 * PTY_QUEUE_MAX) {
		rc = pty_write(p, chunk, sizeof chunk);
		total += sizeof chunk;
		CHECK(rc == 0 || rc == ERR_RANGE);
	}
	alarm(0);
	printf("# 2 MiB offered in %llu ms\n", (unsigned long long)(clock_ms() - start));
	CHECK_EQ_INT(rc, ERR_RANGE);
	CHECK(pty_queued(p) <= PTY_QUEUE_MAX);
	CHECK(pty_queued(p) > PTY_QUEUE_MAX - sizeof chunk);
	/* The kernel's pty buffers take some (tens of KiB); everything else was dropped. */
	CHECK(pty_dropped(p) >= total - PTY_QUEUE_MAX - 256 * 1024);
	CHECK(pty_dropped(p) < total);
	CHECK(pty_wants_write(p));
	CHECK_EQ_INT(pty_flush(p), 0); /* still nothing taken, still no blocking */
	kill(pty_pid(p), SIGKILL);
	finish(p);
}

/* Drain what the pty has now (up to limit bytes); returns the count. */
static size_t drain_now(struct pty_child *p, size_t limit, int wait_ms)
{
	size_t total = 0;
	char chunk[PTY_READ_MAX];
	struct pollfd pfd = {.fd = pty_master_fd(p), .events = POLLIN};

	while (total < limit && poll(&pfd, 1, wait_ms) > 0) {
		long n = pty_read(p, chunk, sizeof chunk);

		if (n <= 0)
			break;
		total += (size_t)n;
	}
	return total;
}

TEST(xoff_stops_output_without_stalling_us)
{
	struct pty_child *p = spawn((char *[]){"sh", "-c", "stty ixon; exec yes", NULL}, 24, 80);
	char chunk[PTY_READ_MAX];

	CHECK(p != NULL);
	CHECK_EQ_INT(pty_release(p), 0);
	CHECK(drain_now(p, 65536, 5000) > 0);
	alarm(20);
	CHECK_EQ_INT(pty_write(p, "\x13", 1), 0); /* XOFF typed by the user */
	drain_now(p, SIZE_MAX, 200);              /* what was already on its way */
	/* Output has stopped; reading must say "nothing now", not block. */
	CHECK_EQ_INT(pty_read(p, chunk, sizeof chunk), ERR_AGAIN);
	CHECK_EQ_INT(pty_write(p, "\x11", 1), 0); /* XON */
	CHECK(drain_now(p, 65536, 5000) > 0);
	alarm(0);
	kill(pty_pid(p), SIGKILL);
	finish(p);
}

TEST(core_dumps_disabled_here_restored_in_child)
{
	struct rlimit rl;
	struct pty_child *p;

	/* Give the process a non-zero limit to remember (when the hard limit allows one). */
	CHECK_EQ_INT(getrlimit(RLIMIT_CORE, &rl), 0);
	rl.rlim_cur = rl.rlim_max;
	CHECK_EQ_INT(setrlimit(RLIMIT_CORE, &rl), 0);
	CHECK_EQ_INT(coredump_disable(), 0);
	CHECK_EQ_INT(getrlimit(RLIMIT_CORE, &rl), 0);
	CHECK_EQ_U64(rl.rlim_cur, 0);
	p = spawn((char *[]){"sh", "-c", "ulimit -c", NULL}, 24, 80);
	CHECK(p != NULL);
	CHECK_EQ_INT(pty_release(p), 0);
	CHECK(read_until(p, NULL, 5000));
	finish(p);
	if (rl.rlim_max != 0)
		CHECK(strncmp((const char *)got.data, "0\r\n", 3) != 0);
}

int main(void)
{
	char tmpl[] = "/tmp/moshc-home-XXXXXX";

	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(tmpl) == NULL)
		return 1;
	snprintf(home, sizeof home, "%s", tmpl);
	buf_init(&got);
	RUN(child_waits_for_release);
	RUN(unreleased_child_exits_when_freed);
	RUN(environment_and_window_size);
	RUN(zero_size_falls_back_and_resize_reaches_child);
	RUN(login_shell_gets_dash_argv0_and_motd_notice);
	RUN(server_descriptors_do_not_reach_the_command);
	RUN(exec_failure_is_reported);
	RUN(queue_keeps_order_through_partial_writes);
	RUN(child_that_stops_reading_never_blocks_us);
	RUN(xoff_stops_output_without_stalling_us);
	RUN(core_dumps_disabled_here_restored_in_child);
	buf_fini(&got);
	rmdir(home);
	return test_done();
}
