/*
 * mosh-server's option parser on arbitrary command lines. Input:
 * NUL-separated strings, the first the value of SSH_CONNECTION (used by -s),
 * the rest argv. On SRVOPTS_RUN the result must be consistent: a port range
 * low <= high when one was given (0 alone: any port), the command NULL-terminated with its count.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_args.h"
#include "server/opts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_args a;
	struct srvopts o;
	enum srvopts_action rc;

	fuzz_args_split(&a, data, size, 1, "mosh-server");
	rc = srvopts_parse(&o, a.argc, a.argv, a.env[0], "mosh-server", fuzz_args_null(),
	                   fuzz_args_null());
	if (rc == SRVOPTS_RUN) {
		if (o.port_spec != NULL &&
		    (o.port_low > o.port_high || (o.port_low == 0 && o.port_high != 0)))
			abort();
		if (o.command != NULL && o.command[o.n_command] != NULL)
			abort();
	}
	srvopts_fini(&o);
	fuzz_args_free(&a);
	return 0;
}
