/* client/ctty: raw mode on a pty, restored exactly on every exit path; window size; suspend. */
#include "../test.h"

#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "client/ctty.h"
#include "util/winsize.h"

static int master = -1, slave = -1;
static struct termios original;

static bool same_termios(const struct termios *a, const struct termios *b)
{
	return a->c_iflag == b->c_iflag && a->c_oflag == b->c_oflag && a->c_cflag == b->c_cflag &&
	       a->c_lflag == b->c_lflag && memcmp(a->c_cc, b->c_cc, sizeof a->c_cc) == 0 &&
	       cfgetispeed(a) == cfgetispeed(b) && cfgetospeed(a) == cfgetospeed(b);
}

static bool slave_is_original(void)
{
	struct termios now;

	return tcgetattr(slave, &now) == 0 && same_termios(&now, &original);
}

/* Run body in a child (core dumps off) and return its wait status. */
static int in_child(void (*body)(void))
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct rlimit none = {0, 0};

		setrlimit(RLIMIT_CORE, &none);
		body();
		_exit(0);
	}
	waitpid(pid, &status, 0);
	return status;
}

TEST(raw_round_trip)
{
	struct termios t;
	char err[ERR_LEN];

	CHECK_EQ_INT(ctty_init(slave, err), 0);
	CHECK(!ctty_is_raw());
	CHECK_EQ_INT(ctty_raw(), 0);
	CHECK(ctty_is_raw());
	CHECK_EQ_INT(tcgetattr(slave, &t), 0);
	CHECK(!(t.c_lflag & (ICANON | ECHO | ISIG | IEXTEN)));
	CHECK(!(t.c_iflag & (ICRNL | IXON | ISTRIP)));
	CHECK(t.c_iflag & IUTF8);
	CHECK(!(t.c_oflag & OPOST));
	CHECK_EQ_INT(t.c_cc[VMIN], 1);
	CHECK_EQ_INT(t.c_cc[VTIME], 0);
	CHECK_EQ_INT(ctty_restore(), 0);
	CHECK(!ctty_is_raw());
	CHECK(slave_is_original());
	CHECK_EQ_INT(ctty_restore(), 0); /* repeatable */
	CHECK(slave_is_original());
	ctty_fini();
}

TEST(not_a_terminal)
{
	char err[ERR_LEN];
	int p[2];

	CHECK_EQ_INT(pipe(p), 0);
	CHECK_EQ_INT(ctty_init(p[0], err), ERR_IO);
	CHECK(strncmp(err, "tcgetattr: ", 11) == 0);
	close(p[0]);
	close(p[1]);
}

static void raw_then_exit(void)
{
	char err[ERR_LEN];

	if (ctty_init(slave, err) < 0 || ctty_raw() < 0)
		_exit(2);
	exit(3); /* atexit restores */
}

static void raw_then_abort(void)
{
	char err[ERR_LEN];

	if (ctty_init(slave, err) < 0 || ctty_raw() < 0)
		_exit(2);
	abort();
}

static void raw_then_sigquit(void)
{
	char err[ERR_LEN];

	/* The default action, whatever the test inherited: sh runs `cmd &` with SIGQUIT ignored. */
	signal(SIGQUIT, SIG_DFL);
	if (ctty_init(slave, err) < 0 || ctty_raw() < 0)
		_exit(2);
	kill(getpid(), SIGQUIT);
	_exit(4); /* not reached: the default action ends the process */
}

/* Exits 5 if raw mode survives an ignored SIGQUIT, 6 if it was dropped. */
static void raw_then_ignored_sigquit(void)
{
	struct termios t;
	char err[ERR_LEN];

	signal(SIGQUIT, SIG_IGN);
	if (ctty_init(slave, err) < 0 || ctty_raw() < 0)
		_exit(2);
	kill(getpid(), SIGQUIT);
	_exit(ctty_is_raw() && tcgetattr(slave, &t) == 0 && !(t.c_lflag & ICANON) ? 5 : 6);
}

TEST(restored_on_exit_and_fatal_signals)
{
	int status;

	status = in_child(raw_then_exit);
	CHECK(WIFEXITED(status));
	CHECK_EQ_INT(WEXITSTATUS(status), 3);
	CHECK(slave_is_original());

	status = in_child(raw_then_abort);
	CHECK(WIFSIGNALED(status));
	CHECK_EQ_INT(WTERMSIG(status), SIGABRT);
	CHECK(slave_is_original());

	status = in_child(raw_then_sigquit);
	CHECK(WIFSIGNALED(status));
	CHECK_EQ_INT(WTERMSIG(status), SIGQUIT);
	CHECK(slave_is_original());
}

TEST(ignored_sigquit_leaves_raw_mode_alone)
{
	int status = in_child(raw_then_ignored_sigquit);

	CHECK(WIFEXITED(status));
	CHECK_EQ_INT(WEXITSTATUS(status), 5);
	CHECK_EQ_INT(tcsetattr(slave, TCSANOW, &original), 0); /* _exit skipped the restore */
}

TEST(window_size_with_fallback)
{
	struct winsize ws = {.ws_row = 30, .ws_col = 100};
	uint16_t rows, cols;
	int p[2];

	CHECK_EQ_INT(ioctl(master, TIOCSWINSZ, &ws), 0);
	CHECK(winsize_get(slave, &rows, &cols));
	CHECK_EQ_INT(rows, 30);
	CHECK_EQ_INT(cols, 100);
	ws.ws_row = 0;
	CHECK_EQ_INT(ioctl(master, TIOCSWINSZ, &ws), 0);
	CHECK(!winsize_get(slave, &rows, &cols));
	CHECK_EQ_INT(rows, 24);
	CHECK_EQ_INT(cols, 80);
	CHECK_EQ_INT(pipe(p), 0);
	CHECK(!winsize_get(p[0], &rows, &cols));
	CHECK_EQ_INT(rows, 24);
	CHECK_EQ_INT(cols, 80);
	close(p[0]);
	close(p[1]);
}

static int msg_pipe[2];

static void suspend_and_report(void)
{
	char err[ERR_LEN];
	struct termios t;

	setpgid(0, 0); /* stop only ourselves, not the test runner */
	if (ctty_init(slave, err) < 0 || ctty_raw() < 0)
		_exit(2);
	if (ctty_suspend(msg_pipe[1]) < 0)
		_exit(3);
	/* resumed: raw again */
	if (tcgetattr(slave, &t) < 0 || (t.c_lflag & ICANON) || !ctty_is_raw())
		_exit(4);
	_exit(0);
}

TEST(suspend_restores_stops_and_resumes_raw)
{
	pid_t pid;
	int status;
	char msg[128] = {0};
	ssize_t n;

	CHECK_EQ_INT(pipe(msg_pipe), 0);
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		suspend_and_report();
	CHECK_EQ_INT(waitpid(pid, &status, WUNTRACED), pid);
	CHECK(WIFSTOPPED(status));
	CHECK(slave_is_original()); /* while stopped the shell sees a sane terminal */
	n = read(msg_pipe[0], msg, sizeof msg - 1);
	CHECK(n > 0);
	CHECK_EQ_STR(msg, "\n\033[37;44m[mosh is suspended.]\033[m\n");
	CHECK_EQ_INT(kill(pid, SIGCONT), 0);
	CHECK_EQ_INT(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status));
	CHECK_EQ_INT(WEXITSTATUS(status), 0);
	close(msg_pipe[0]);
	close(msg_pipe[1]);
	/* _exit skipped atexit: put the pty back for the next tests */
	tcsetattr(slave, TCSANOW, &original);
}

int main(void)
{
	if (openpty(&master, &slave, NULL, NULL, NULL) < 0 || tcgetattr(slave, &original) < 0) {
		printf("Bail out! openpty\n");
		return 1;
	}
	RUN(raw_round_trip);
	RUN(not_a_terminal);
	RUN(restored_on_exit_and_fatal_signals);
	RUN(ignored_sigquit_leaves_raw_mode_alone);
	RUN(window_size_with_fallback);
	RUN(suspend_restores_stops_and_resumes_raw);
	close(slave);
	close(master);
	return test_done();
}
