/*
 * server/ctldir: where the directory is, every refusal (pure checks on a
 * struct stat, and the same refusals on real files), creation with mode 0700
 * whatever the umask, and stale-socket removal with a real dead socket.
 */
#include "../test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "server/ctl.h"
#include "server/ctldir.h"

static struct stat fake(mode_t mode, uid_t uid)
{
	struct stat st;

	memset(&st, 0, sizeof st);
	st.st_mode = mode;
	st.st_uid = uid;
	return st;
}

TEST(choose_the_directory)
{
	struct stat mine = fake(S_IFDIR | 0700, 1000), theirs = fake(S_IFDIR | 0700, 0);
	struct stat file = fake(S_IFREG | 0600, 1000);
	char out[CTLDIR_PATH_MAX], longer[200];

	CHECK_EQ_INT(ctldir_choose(out, sizeof out, "/run/user/1000", &mine, 1000), 0);
	CHECK_EQ_STR(out, "/run/user/1000/mosh-c");
	CHECK_EQ_INT(ctldir_choose(out, sizeof out, "/run/user/1000/", &mine, 1000), 0);
	CHECK_EQ_STR(out, "/run/user/1000/mosh-c");
	/* unset, relative, unreadable, not ours, not a directory: /tmp */
	static const char *const xdgs[] = {NULL, "run/user", "/x", "/x", "/x"};
	const struct stat *sts[] = {&mine, &mine, NULL, &theirs, &file};
	for (size_t i = 0; i < sizeof xdgs / sizeof xdgs[0]; i++) {
		CHECK_EQ_INT(ctldir_choose(out, sizeof out, xdgs[i], sts[i], 1000), 0);
		CHECK_EQ_STR(out, "/tmp/mosh-c-1000");
	}
	memset(longer, 'a', sizeof longer - 1);
	longer[0] = '/';
	longer[sizeof longer - 1] = '\0';
	CHECK_EQ_INT(ctldir_choose(out, sizeof out, longer, &mine, 1000), ERR_RANGE);
}

TEST(every_directory_refusal)
{
	struct {
		struct stat st;
		const char *says;
	} cases[] = {
	    {fake(S_IFLNK | 0777, 1000), "symbolic link"},
	    {fake(S_IFREG | 0700, 1000), "not a directory"},
	    {fake(S_IFDIR | 0700, 0), "belongs to uid 0"},
	    {fake(S_IFDIR | 0755, 1000), "chmod 700"},
	    {fake(S_IFDIR | 0770, 1000), "mode 0770"},
	    {fake(S_IFDIR | 0600, 1000), "mode 0600"},
	    {fake(S_IFDIR | 02700, 1000), "mode 2700"},
	};
	struct stat ok = fake(S_IFDIR | 0700, 1000);
	char err[ERR_LEN];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		err[0] = '\0';
		CHECK(ctldir_check_dir(&cases[i].st, 1000, "/tmp/mosh-c-1000", err) < 0);
		if (strstr(err, cases[i].says) == NULL || strstr(err, "/tmp/mosh-c-1000") == NULL)
			TEST_FAIL("case %zu: \"%s\" lacks \"%s\"", i, err, cases[i].says);
	}
	CHECK_EQ_INT(ctldir_check_dir(&ok, 1000, "/d", err), 0);
}

TEST(every_socket_refusal)
{
	struct stat sock = fake(S_IFSOCK | 0600, 1000), theirs = fake(S_IFSOCK | 0600, 1001);
	struct stat file = fake(S_IFREG | 0600, 1000), link = fake(S_IFLNK | 0777, 1000);
	char err[ERR_LEN];

	CHECK_EQ_INT(ctldir_check_socket(&sock, 1000, "/d/s", err), 0);
	CHECK(ctldir_check_socket(&theirs, 1000, "/d/s", err) < 0);
	CHECK(strstr(err, "uid 1001") != NULL);
	CHECK(ctldir_check_socket(&file, 1000, "/d/s", err) < 0);
	CHECK(strstr(err, "not a socket") != NULL);
	CHECK(ctldir_check_socket(&link, 1000, "/d/s", err) < 0);
}

static char base[64], dir[128];

static void temp_xdg(void)
{
	snprintf(base, sizeof base, "/tmp/moshc-dir-XXXXXX");
	CHECK(mkdtemp(base) != NULL);
	setenv("XDG_RUNTIME_DIR", base, 1);
	snprintf(dir, sizeof dir, "%s/mosh-c", base);
}

static void cleanup(void)
{
	char cmd[160];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
	CHECK_EQ_INT(system(cmd), 0);
}

TEST(created_0700_whatever_the_umask_and_refused_when_wrong)
{
	char out[CTLDIR_PATH_MAX], err[ERR_LEN];
	struct stat st;
	mode_t old;

	temp_xdg();
	CHECK_EQ_INT(ctldir_get(out, sizeof out, false, err), ERR_NOTFOUND);
	old = umask(0777);
	CHECK_EQ_INT(ctldir_get(out, sizeof out, true, err), 0);
	umask(old);
	CHECK_EQ_STR(out, dir);
	CHECK(lstat(dir, &st) == 0);
	CHECK_EQ_INT(st.st_mode & 07777, 0700);
	CHECK_EQ_INT(ctldir_get(out, sizeof out, false, err), 0);

	/* loosened by hand: refused, never repaired */
	CHECK(chmod(dir, 0755) == 0);
	CHECK(ctldir_get(out, sizeof out, true, err) < 0);
	CHECK(strstr(err, "chmod 700") != NULL);
	CHECK(lstat(dir, &st) == 0);
	CHECK_EQ_INT(st.st_mode & 07777, 0755);

	/* a symlink in its place, even to a good directory */
	{
		char target[160];

		snprintf(target, sizeof target, "%s/real", base);
		CHECK(rename(dir, target) == 0);
		CHECK(chmod(target, 0700) == 0);
		CHECK(symlink(target, dir) == 0);
	}
	CHECK(ctldir_get(out, sizeof out, true, err) < 0);
	CHECK(strstr(err, "symbolic link") != NULL);
	CHECK(unlink(dir) == 0);

	/* a regular file */
	CHECK(close(creat(dir, 0600)) == 0);
	CHECK(ctldir_get(out, sizeof out, true, err) < 0);
	CHECK(strstr(err, "not a directory") != NULL);
	cleanup();
}

TEST(stale_socket_removed_other_files_kept)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct ctl_request rq = {.op = CTL_OP_INFO};
	struct ctl_reply rp;
	char out[CTLDIR_PATH_MAX], path[CTLDIR_PATH_MAX], err[ERR_LEN];
	struct stat st;
	int fd;

	temp_xdg();
	CHECK_EQ_INT(ctldir_get(out, sizeof out, true, err), 0);
	CHECK_EQ_INT(ctldir_socket_path(path, sizeof path, out, "dead0001", err), 0);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	CHECK(bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0);
	close(fd);
	CHECK_EQ_INT(ctl_call(path, &rq, &rp, 1000, err), ERR_CLOSED);
	CHECK_EQ_INT(ctldir_remove_stale(path, err), 0);
	CHECK(lstat(path, &st) < 0 && errno == ENOENT);
	/* gone already: fine */
	CHECK_EQ_INT(ctldir_remove_stale(path, err), 0);
	/* not a socket: left alone */
	CHECK(close(creat(path, 0600)) == 0);
	CHECK(ctldir_remove_stale(path, err) < 0);
	CHECK(lstat(path, &st) == 0);
	/* a path too long for a socket address */
	CHECK(ctldir_socket_path(
	          path, sizeof path,
	          "/tmp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	          "dead0001", err) < 0);
	cleanup();
}

int main(void)
{
	RUN(choose_the_directory);
	RUN(every_directory_refusal);
	RUN(every_socket_refusal);
	RUN(created_0700_whatever_the_umask_and_refused_when_wrong);
	RUN(stale_socket_removed_other_files_kept);
	return test_done();
}
