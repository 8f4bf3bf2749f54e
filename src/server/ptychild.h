/*
 * The session's child: the user's command or login shell on a pseudo-terminal
 * (doc/PROTOCOL.md 9.2, startup step 8).
 *
 * Model. pty_spawn() forks with a new pty. The child prepares its terminal and
 * environment (IUTF8, TERM, NCURSES_NO_UTF8_ACS=1, no STY, default SIGHUP and
 * SIGPIPE, an empty signal mask, cwd = home and PWD, the motd for login
 * shells) and then waits on a pipe: it execs the command only after the
 * daemon calls pty_release() when the first client state arrives, so nothing
 * the shell prints is lost before anyone is looking. (mosh 1.4 wrote a "\n"
 * into the pty instead, which every session showed as an empty first line.)
 * If the daemon dies or frees the child before releasing it, the pipe reads
 * end-of-file and the child exits without running the command.
 *
 * The master is non-blocking and the server never waits on it: pty_read()
 * takes what is there; pty_write() queues bytes and writes what the pty
 * accepts now, the rest when poll() reports POLLOUT (pty_wants_write() says
 * when to ask). A child that stops reading (XOFF, a stopped job) therefore
 * never stalls the loop. Memory policy: the queue holds at most
 * PTY_QUEUE_MAX bytes; bytes beyond that are dropped and counted
 * (pty_dropped()). They are the user's keystrokes, which a shell that has not
 * read a megabyte of typed input would not act on anyway.
 *
 * Invariants: the master fd is valid from pty_spawn() to pty_free(); the
 * child is released at most once; the pid is reaped at most once.
 */
#ifndef MOSHC_SERVER_PTYCHILD_H
#define MOSHC_SERVER_PTYCHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/err.h"

#define PTY_READ_MAX 16384          /* bytes per pty_read(), as mosh reads */
#define PTY_QUEUE_MAX (1024 * 1024) /* bound on bytes queued for the child */

struct pty_spec {
	/* The command (argv[0] searched in PATH); NULL: the user's login shell. */
	char *const *command;
	const char *term;    /* value of TERM for the child */
	uint16_t rows, cols; /* initial window size; 0 is replaced by 24x80 */
	/* Text printed after the motd for a login shell (may be NULL). */
	const char *login_notice;
	/* Descriptors the child must close at once (the UDP socket). */
	const int *close_fds;
	size_t n_close_fds;
};

struct pty_child;

/* Start the child. err names the failing step; the child waits for pty_release(). */
int pty_spawn(struct pty_child **out, const struct pty_spec *spec, char err[ERR_LEN]);

/* Close the master and the release pipe (an unreleased child exits); no kill, no wait. */
void pty_free(struct pty_child *p);

int pty_master_fd(const struct pty_child *p);
/* The child's pid, or -1 once pty_reap() has reaped it. */
pid_t pty_pid(const struct pty_child *p);

/* Let the child exec its command; later calls do nothing. */
int pty_release(struct pty_child *p);
bool pty_released(const struct pty_child *p);

/*
 * Read at most cap bytes (cap is clamped to PTY_READ_MAX): the count, ERR_AGAIN
 * when nothing is there now, ERR_CLOSED when the child side is gone (EIO or
 * end-of-file).
 */
long pty_read(struct pty_child *p, void *buf, size_t cap);

/*
 * Queue bytes for the child and write what the pty takes now. 0, ERR_RANGE
 * when some bytes were dropped because the queue is full, ERR_CLOSED when the
 * pty is gone.
 */
int pty_write(struct pty_child *p, const void *data, size_t len);
/* Write queued bytes (call on POLLOUT): 0 or ERR_CLOSED. */
int pty_flush(struct pty_child *p);
/* Whether bytes are queued, i.e. whether to poll for POLLOUT. */
bool pty_wants_write(const struct pty_child *p);
size_t pty_queued(const struct pty_child *p);
/* Bytes dropped so far because the queue was full. */
uint64_t pty_dropped(const struct pty_child *p);

/* Set the window size (the child's foreground job gets SIGWINCH). */
int pty_resize(struct pty_child *p, uint16_t rows, uint16_t cols);

/*
 * Reap the child without blocking: 1 and *status (waitpid form) when it has
 * exited, 0 while it runs, ERR_IO on error. After 1, later calls return 1.
 */
int pty_reap(struct pty_child *p, int *status);

/*
 * The login shell: $SHELL, else the passwd entry's shell, else /bin/sh; *path
 * is what to exec and *argv0 is "-" + its basename. Both allocated.
 */
void pty_login_shell(char **path, char **argv0);

#endif
