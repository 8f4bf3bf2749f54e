/*
 * The version banner the three programs print for --version (and mosh-server
 * after detaching): the shape of mosh's, naming mosh-c and its version.
 */
#ifndef MOSHC_UTIL_VERSION_H
#define MOSHC_UTIL_VERSION_H

#include <stdio.h>

/* "PROG (mosh-c X) [build mosh-c X]" and the copyright and licence lines. */
void version_banner(FILE *f, const char *prog);

/* The last line of every program's --help: where to report bugs. */
void version_bug_report(FILE *f);

#endif
