/*
 * The per-user socket directory; see ctldir.h. The checks are pure, the
 * shell only gathers struct stat values and acts on the verdicts.
 */
#include "server/ctldir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ctldir_choose(char *out, size_t cap, const char *xdg, const struct stat *xdg_st, uid_t uid)
{
	int n;

	if (xdg != NULL && xdg[0] == '/' && xdg_st != NULL && S_ISDIR(xdg_st->st_mode) &&
	    xdg_st->st_uid == uid)
		n = snprintf(out, cap, "%s%smosh-c", xdg, xdg[strlen(xdg) - 1] == '/' ? "" : "/");
	else
		n = snprintf(out, cap, "/tmp/mosh-c-%lu", (unsigned long)uid);
	return n < 0 || (size_t)n >= cap ? ERR_RANGE : 0;
}

int ctldir_check_dir(const struct stat *st, uid_t uid, const char *path, char err[ERR_LEN])
{
	if (S_ISLNK(st->st_mode))
		return err_set(err, ERR_PROTO,
		               "%s is a symbolic link, not a directory: remove it (rm %s) and try "
		               "again",
		               path, path);
	if (!S_ISDIR(st->st_mode))
		return err_set(err, ERR_PROTO,
		               "%s is not a directory: remove it (rm %s) and try again", path,
		               path);
	if (st->st_uid != uid)
		return err_set(err, ERR_PROTO,
		               "%s belongs to uid %lu, not to you (uid %lu): someone else made it; "
		               "have it removed, or set XDG_RUNTIME_DIR to a directory of yours",
		               path, (unsigned long)st->st_uid, (unsigned long)uid);
	if ((st->st_mode & 07777) != 0700)
		return err_set(err, ERR_PROTO,
		               "%s has mode %04o, not 0700: others could reach your sessions; run "
		               "chmod 700 %s",
		               path, (unsigned)(st->st_mode & 07777), path);
	return 0;
}

int ctldir_check_socket(const struct stat *st, uid_t uid, const char *path, char err[ERR_LEN])
{
	if (!S_ISSOCK(st->st_mode))
		return err_set(err, ERR_PROTO, "%s is not a socket: leaving it alone", path);
	if (st->st_uid != uid)
		return err_set(err, ERR_PROTO,
		               "%s belongs to uid %lu, not to you: leaving it alone", path,
		               (unsigned long)st->st_uid);
	return 0;
}

int ctldir_get(char *out, size_t cap, bool create, char err[ERR_LEN])
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat xst, st;
	uid_t uid = getuid();

	if (ctldir_choose(out, cap, xdg, xdg != NULL && stat(xdg, &xst) == 0 ? &xst : NULL, uid) <
	    0)
		return err_set(err, ERR_RANGE,
		               "XDG_RUNTIME_DIR is too long for a socket path: unset it or use a "
		               "shorter one");
	if (lstat(out, &st) < 0) {
		if (errno != ENOENT)
			return err_set(err, ERR_IO, "cannot examine %s: %s", out, strerror(errno));
		if (!create)
			return ERR_NOTFOUND;
		/* The umask may have taken bits away; the check below catches a failed chmod. */
		if (mkdir(out, 0700) == 0)
			(void)chmod(out, 0700);
		else if (errno != EEXIST)
			return err_set(err, ERR_IO, "cannot create %s: %s", out, strerror(errno));
		if (lstat(out, &st) < 0)
			return err_set(err, ERR_IO, "cannot examine %s: %s", out, strerror(errno));
	}
	return ctldir_check_dir(&st, uid, out, err);
}

int ctldir_socket_path(char *out, size_t cap, const char *dir, const char *id, char err[ERR_LEN])
{
	int n = snprintf(out, cap, "%s/%s", dir, id);

	if (n < 0 || (size_t)n >= cap || (size_t)n >= CTLDIR_PATH_MAX)
		return err_set(err, ERR_RANGE,
		               "the control socket path in %s is too long: set XDG_RUNTIME_DIR to "
		               "a shorter directory",
		               dir);
	return 0;
}

int ctldir_remove_stale(const char *path, char err[ERR_LEN])
{
	struct stat st;
	int rc;

	if (lstat(path, &st) < 0)
		return errno == ENOENT
		           ? 0
		           : err_set(err, ERR_IO, "cannot examine %s: %s", path, strerror(errno));
	if ((rc = ctldir_check_socket(&st, getuid(), path, err)) < 0)
		return rc;
	if (unlink(path) < 0 && errno != ENOENT)
		return err_set(err, ERR_IO, "cannot remove the stale socket %s: %s", path,
		               strerror(errno));
	return 0;
}
