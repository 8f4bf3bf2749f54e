/*
 * Whether this process can drive its terminal the way mosh-client does.
 *
 * The checks mosh-client makes before it touches the terminal, kept in one
 * place so the launcher makes exactly the same ones before it starts a
 * server: a client that cannot start would otherwise leave that server
 * waiting for it. In order:
 *   1. a UTF-8 locale (util/locale_check: its explanation and locale(1)'s
 *      output, as mosh-client prints them);
 *   2. a TERM that terminfo knows (tcaps_load, whose capabilities the client
 *      then paints with);
 *   3. a terminal on the given descriptor (the client's standard input, which
 *      it puts in raw mode).
 * The first failure is explained on diag, each line starting "PROG: " except
 * the locale report, which is the client's own text.
 */
#ifndef MOSHC_TERM_LOCALTERM_H
#define MOSHC_TERM_LOCALTERM_H

#include <stdio.h>

#include "term/tcaps.h"

/* 0 with caps filled, or a negative error code after the explanation went to diag. */
int localterm_check(const char *prog, int fd, const char *term, struct tcaps *caps, FILE *diag);

#endif
