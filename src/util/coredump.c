/* Core dumps off while a key is in memory; see coredump.h for the model. */
#include "util/coredump.h"

#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "util/err.h"

static struct rlimit saved_limit;
static bool limit_saved;

int coredump_disable(void)
{
	struct rlimit rl;
	int rc = 0;

	/* Not dumpable first: it holds even if the limit cannot be read. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		rc = ERR_IO;
	if (getrlimit(RLIMIT_CORE, &rl) < 0)
		return ERR_IO;
	if (!limit_saved) {
		saved_limit = rl;
		limit_saved = true;
	}
	rl.rlim_cur = 0;
	if (setrlimit(RLIMIT_CORE, &rl) < 0)
		rc = ERR_IO;
	return rc;
}

void coredump_restore(void)
{
	if (limit_saved)
		setrlimit(RLIMIT_CORE, &saved_limit);
}
