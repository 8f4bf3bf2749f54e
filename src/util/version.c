/* The version banner; see version.h. */
#include "util/version.h"

void version_banner(FILE *f, const char *prog)
{
	fprintf(f,
	        "%s (mosh-c %s) [build mosh-c %s]\n"
	        "Copyright 2026 the mosh-c authors (a reimplementation of mosh 1.4).\n"
	        "License GPLv3+: GNU GPL version 3 or later <http://gnu.org/licenses/gpl.html>.\n"
	        "This is free software: you are free to change and redistribute it.\n"
	        "There is NO WARRANTY, to the extent permitted by law.\n",
	        prog, MOSHC_VERSION, MOSHC_VERSION);
}

void version_bug_report(FILE *f)
{
	fprintf(f, "\nReport bugs at %s\n", MOSHC_BUG_URL);
}
