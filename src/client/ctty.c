/* The client's terminal: raw mode, restored on every exit path; see ctty.h. */
#include "client/ctty.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGQUIT, SIGSYS};
#define N_FATAL (sizeof fatal_signals / sizeof fatal_signals[0])

static int tty_fd = -1;
static struct termios saved;
static volatile sig_atomic_t raw_on;
static bool wanted_raw; /* raw mode was chosen by the program (for resume) */
static bool handlers_installed, atexit_registered;
static struct sigaction previous[N_FATAL];

int ctty_restore(void)
{
	int rc = 0;

	if (tty_fd >= 0 && raw_on) {
		while ((rc = tcsetattr(tty_fd, TCSANOW, &saved)) < 0 && errno == EINTR)
			;
		if (rc == 0)
			raw_on = 0;
	}
	return rc < 0 ? ERR_IO : 0;
}

static void fatal_handler(int sig)
{
	int saved_errno = errno;

	ctty_restore();
	for (size_t i = 0; i < N_FATAL; i++) {
		if (fatal_signals[i] == sig)
			sigaction(sig, &previous[i], NULL);
	}
	/* Faults repeat on return; raised signals are re-raised, now with the old action. */
	if (sig == SIGABRT || sig == SIGQUIT || sig == SIGSYS)
		raise(sig);
	errno = saved_errno;
}

static void restore_at_exit(void)
{
	ctty_restore();
}

int ctty_init(int fd, char err[ERR_LEN])
{
	struct sigaction sa;

	if (tcgetattr(fd, &saved) < 0)
		return err_set(err, ERR_IO, "tcgetattr: %s", strerror(errno));
	tty_fd = fd;
	raw_on = 0;
	wanted_raw = false;
	if (!atexit_registered) {
		atexit(restore_at_exit);
		atexit_registered = true;
	}
	if (!handlers_installed) {
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = fatal_handler;
		sigemptyset(&sa.sa_mask);
		for (size_t i = 0; i < N_FATAL; i++) {
			/* Ignored, it never ends us: catching it would only drop raw mode. */
			sigaction(fatal_signals[i], NULL, &previous[i]);
			if ((previous[i].sa_flags & SA_SIGINFO) ||
			    previous[i].sa_handler != SIG_IGN)
				sigaction(fatal_signals[i], &sa, NULL);
		}
		handlers_installed = true;
	}
	return 0;
}

void ctty_fini(void)
{
	ctty_restore();
	if (handlers_installed) {
		for (size_t i = 0; i < N_FATAL; i++)
			sigaction(fatal_signals[i], &previous[i], NULL);
		handlers_installed = false;
	}
	wanted_raw = false;
	tty_fd = -1;
}

int ctty_raw(void)
{
	struct termios t = saved;

	if (tty_fd < 0)
		return ERR_INVAL;
	cfmakeraw(&t);
	t.c_iflag |= IUTF8;
	/* Mark first: a signal between the two must still restore. */
	raw_on = 1;
	wanted_raw = true;
	if (tcsetattr(tty_fd, TCSANOW, &t) < 0)
		return ERR_IO;
	return 0;
}

bool ctty_is_raw(void)
{
	return raw_on != 0;
}

int ctty_resume(void)
{
	return wanted_raw ? ctty_raw() : 0;
}

int ctty_suspend(int out_fd)
{
	static const char msg[] = "\n\033[37;44m[mosh is suspended.]\033[m\n";
	bool was_raw = wanted_raw;
	ssize_t n;

	if (ctty_restore() < 0)
		return ERR_IO;
	do {
		n = write(out_fd, msg, sizeof msg - 1);
	} while (n < 0 && errno == EINTR);
	kill(0, SIGSTOP);
	/* Here after SIGCONT. */
	return was_raw ? ctty_raw() : 0;
}
