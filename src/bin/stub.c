/* See stub.h. */
#include "stub.h"

#include <stdio.h>
#include <string.h>

int stub_main(int argc, char **argv, const char *prog, const char *usage)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("Usage: %s\n", usage);
			return 0;
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("%s (mosh-c %s), compatible with mosh 1.4\n", prog, MOSHC_VERSION);
			return 0;
		}
	}
	fprintf(stderr,
	        "%s: mosh-c cannot run a session yet; this build only answers --help and "
	        "--version (see the status table in README.md)\n",
	        prog);
	return 2;
}
