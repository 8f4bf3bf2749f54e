/*
 * A terminal's window size, as both programs read it at start-up: the server
 * from its stdin (the ssh pty) for the first emulator, the client from the
 * user's terminal. A failure or a zero dimension means 80x24, the size a
 * terminal that cannot tell is assumed to have.
 */
#ifndef MOSHC_UTIL_WINSIZE_H
#define MOSHC_UTIL_WINSIZE_H

#include <stdbool.h>
#include <stdint.h>

#define WINSIZE_DEFAULT_ROWS 24
#define WINSIZE_DEFAULT_COLS 80

/* Fill rows and cols from fd (TIOCGWINSZ); false when the 80x24 fallback was used. */
bool winsize_get(int fd, uint16_t *rows, uint16_t *cols);

#endif
