/*
 * mosh's (the launcher's) option parser on arbitrary command lines. Input:
 * NUL-separated strings, the first the value of MOSH_PREDICTION_DISPLAY, the
 * rest argv. Whatever the words, the parser returns one of its results, fills
 * err on failure, and on OPTS_RUN names a host (possibly empty, as in
 * mosh 1.4, where ssh then rejects it).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_args.h"
#include "launcher/opts.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_args a;
	struct opts o;
	char err[ERR_LEN] = "";
	bool usage = false;
	int rc;

	fuzz_args_split(&a, data, size, 1, "mosh");
	rc = opts_parse(&o, a.argc, a.argv, a.env[0], err, &usage);
	if (rc == OPTS_RUN && o.userhost == NULL)
		abort();
	if (rc < 0 && err[0] == '\0')
		abort();
	if (rc != OPTS_RUN && rc != OPTS_HELP && rc != OPTS_VERSION && rc >= 0)
		abort();
	opts_fini(&o);
	fuzz_args_free(&a);
	return 0;
}
