/* launcher/sibling: the path beside the launcher, and when it counts. */
#include "../test.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launcher/sibling.h"

static char *joined(const char *exe, const char *name)
{
	static char out[256];
	char *p = sibling_join(exe, name);

	if (p == NULL)
		return NULL;
	snprintf(out, sizeof out, "%s", p);
	free(p);
	return out;
}

TEST(join)
{
	CHECK_EQ_STR(joined("/work/build/mosh", "mosh-client"), "/work/build/mosh-client");
	CHECK_EQ_STR(joined("/mosh", "mosh-client"), "/mosh-client");
	CHECK_EQ_STR(joined("/a b/mosh", "mosh-server"), "/a b/mosh-server");
	/* Relative: the meaning would change with the directory; PATH decides. */
	CHECK(joined("build/mosh", "mosh-client") == NULL);
	CHECK(joined("mosh", "mosh-client") == NULL);
}

static void make_file(const char *path, mode_t mode)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	fputs("#!/bin/sh\n", f);
	fclose(f);
	CHECK_EQ_INT(chmod(path, mode), 0);
}

TEST(find_only_executable_files)
{
	char dir[] = "/tmp/moshc-sibling.XXXXXX", exe[128], path[128];
	char *found;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(exe, sizeof exe, "%s/mosh", dir);
	make_file(exe, 0755);

	CHECK(sibling_find(exe, "mosh-client") == NULL); /* absent */
	snprintf(path, sizeof path, "%s/mosh-client", dir);
	make_file(path, 0644);
	CHECK(sibling_find(exe, "mosh-client") == NULL); /* not executable */
	CHECK_EQ_INT(chmod(path, 0755), 0);
	found = sibling_find(exe, "mosh-client");
	CHECK(found != NULL);
	CHECK_EQ_STR(found, path);
	free(found);
	unlink(path);

	snprintf(path, sizeof path, "%s/mosh-server", dir);
	CHECK_EQ_INT(mkdir(path, 0755), 0); /* a directory is not a program */
	CHECK(sibling_find(exe, "mosh-server") == NULL);
	rmdir(path);
	unlink(exe);
	rmdir(dir);
}

int main(void)
{
	RUN(join);
	RUN(find_only_executable_files);
	return test_done();
}
