/*
 * The client's own terminal (doc/PROTOCOL.md 9.3, 7.9): raw mode and its undoing.
 *
 * Model: one terminal per process (module state, because signal handlers
 * need it). ctty_init() saves the terminal's settings once; ctty_raw()
 * switches to cfmakeraw() + IUTF8; ctty_restore() puts the saved settings
 * back. The restore runs on every way out: normal exit (atexit), and the
 * fatal signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGQUIT, SIGSYS),
 * whose handler restores the terminal, reinstates the previous disposition
 * and lets the signal take its course; one the process was started with
 * ignored stays ignored. SIGTERM/SIGINT/SIGHUP/SIGPIPE are the
 * main loop's (they start a clean shutdown) and are not touched here.
 *
 * Invariant: when the process exits, dies of one of those signals or
 * suspends itself (ctty_suspend), the terminal has its saved settings.
 * (SIGKILL and an outside SIGSTOP cannot be caught; nothing can restore then.)
 */
#ifndef MOSHC_CLIENT_CTTY_H
#define MOSHC_CLIENT_CTTY_H

#include <stdbool.h>

#include "util/err.h"

/* Save fd's settings and install the restore paths. ERR_IO if fd is not a terminal. */
int ctty_init(int fd, char err[ERR_LEN]);
/* Raw mode: cfmakeraw() plus IUTF8. */
int ctty_raw(void);
/* Put the saved settings back (safe to repeat; async-signal-safe). */
int ctty_restore(void);
bool ctty_is_raw(void);
/* Restore, and remove the signal handlers. */
void ctty_fini(void);

/*
 * Escape Ctrl-Z: the caller has written the display's close string. Restore
 * the terminal, write "[mosh is suspended.]" (white on blue) to out_fd, stop
 * the whole process group, and after SIGCONT return in raw mode again; the
 * caller then re-sends the init string and repaints.
 */
int ctty_suspend(int out_fd);

/* After a SIGCONT from job control: raw mode again (if it was on). */
int ctty_resume(void);

#endif
