/* The client's start-up checks on its own terminal; see localterm.h. */
#include "term/localterm.h"

#include <unistd.h>

#include "util/err.h"
#include "util/locale_check.h"

int localterm_check(const char *prog, int fd, const char *term, struct tcaps *caps, FILE *diag)
{
	char err[ERR_LEN];
	int rc;

	rc = locale_require_utf8_client(diag);
	if (rc < 0)
		return rc;
	rc = tcaps_load(caps, term, err);
	if (rc < 0) {
		fprintf(diag, "%s: %s\n", prog, err);
		return rc;
	}
	if (!isatty(fd)) {
		fprintf(diag,
		        "%s: standard input is not a terminal: mosh-client draws on one and reads "
		        "keys from it (run mosh from a terminal, not from a pipe or a script)\n",
		        prog);
		return ERR_UNSUPP;
	}
	return 0;
}
