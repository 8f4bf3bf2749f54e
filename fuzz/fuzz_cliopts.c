/*
 * mosh-client's command line and environment. Input: NUL-separated strings,
 * the first five the values of MOSH_KEY, MOSH_PREDICTION_DISPLAY,
 * MOSH_PREDICTION_OVERWRITE, MOSH_ESCAPE_KEY and MOSH_TITLE_NOPREFIX (set when
 * present), the rest argv. On CLIOPTS_RUN there is a numeric address of a
 * known family; clienv_read always removes MOSH_KEY from the environment.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "client/cliopts.h"
#include "fuzz_args.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const env_names[] = {"MOSH_KEY", "MOSH_PREDICTION_DISPLAY",
                                        "MOSH_PREDICTION_OVERWRITE", "MOSH_ESCAPE_KEY",
                                        "MOSH_TITLE_NOPREFIX"};
#define NENV (int)(sizeof env_names / sizeof env_names[0])

/*
 * Set through putenv from one buffer per variable, not setenv: glibc's setenv
 * keeps every value it was ever given (a caller may still hold one), ~50
 * bytes an execution, and a 10-minute run grew past 1 GB toward libFuzzer's
 * RSS limit. A value longer than the buffer is cut, which no parser minds.
 */
static void set_env(int i, const char *value)
{
	static char slot[NENV][4200];

	snprintf(slot[i], sizeof slot[i], "%s=%s", env_names[i], value);
	putenv(slot[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_args a;
	struct cliopts o;
	struct clienv e;
	char err[ERR_LEN];
	enum cliopts_action rc;

	fuzz_args_split(&a, data, size, NENV, "mosh-client");
	for (int i = 0; i < NENV; i++) {
		if (a.env[i] != NULL)
			set_env(i, a.env[i]);
		else
			unsetenv(env_names[i]);
	}
	if (clienv_read(&e, err) < 0 && err[0] == '\0')
		abort();
	if (getenv("MOSH_KEY") != NULL)
		abort();
	clienv_fini(&e);
	rc = cliopts_parse(&o, a.argc, a.argv, "mosh-client", fuzz_args_null(), fuzz_args_null());
	if (rc == CLIOPTS_RUN &&
	    (o.ip == NULL || (o.family != AF_INET && o.family != AF_INET6) || o.port == 0))
		abort();
	if (rc != CLIOPTS_RUN && (o.ip != NULL || o.n_local != 0 || o.n_remote != 0))
		abort();
	if (o.n_local > CLIOPTS_FWD_MAX || o.n_remote > CLIOPTS_FWD_MAX)
		abort();
	cliopts_fini(&o);
	fuzz_args_free(&a);
	return 0;
}
