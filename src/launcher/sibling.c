/* Finding the programs beside the launcher; see sibling.h. */
#include "launcher/sibling.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/xmalloc.h"

char *sibling_join(const char *exe, const char *name)
{
	const char *slash = strrchr(exe, '/');

	if (exe[0] != '/')
		return NULL;
	return xasprintf("%.*s/%s", (int)(slash - exe), exe, name);
}

char *sibling_find(const char *exe, const char *name)
{
	char *path = sibling_join(exe, name);
	struct stat st;

	if (path != NULL && stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0)
		return path;
	free(path);
	return NULL;
}
