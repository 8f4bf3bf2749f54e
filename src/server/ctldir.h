/*
 * The per-user directory that holds the sessions' control sockets.
 *
 * Where: $XDG_RUNTIME_DIR/mosh-c when XDG_RUNTIME_DIR is an absolute path to
 * a directory owned by us, else /tmp/mosh-c-<uid>. The directory is the only
 * thing that keeps other users away from the sockets, so it is trusted only
 * after lstat shows a real directory (not a symlink), owned by us, with mode
 * exactly 0700; anything else is refused with a message naming the path and
 * the fix, never repaired silently (in /tmp another user may have planted it).
 * The same goes for a socket before it is removed as stale.
 *
 * The decisions are pure functions of a struct stat and a uid, so tests reach
 * every refusal; the rest is a thin shell of lstat, mkdir and unlink.
 */
#ifndef MOSHC_SERVER_CTLDIR_H
#define MOSHC_SERVER_CTLDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "util/err.h"

/* Room for any path we use: a unix socket's sun_path. */
#define CTLDIR_PATH_MAX 108

/*
 * Pure: the directory for uid, given XDG_RUNTIME_DIR's value (or NULL) and
 * the result of stat on it (NULL when stat failed). 0, or ERR_RANGE when the
 * path does not fit in cap.
 */
int ctldir_choose(char *out, size_t cap, const char *xdg, const struct stat *xdg_st, uid_t uid);
/* Pure: whether an lstat of our directory at path is acceptable; err says why not and the fix. */
int ctldir_check_dir(const struct stat *st, uid_t uid, const char *path, char err[ERR_LEN]);
/* Pure: whether an lstat of a control socket at path shows one of ours. */
int ctldir_check_socket(const struct stat *st, uid_t uid, const char *path, char err[ERR_LEN]);

/*
 * Find (and with create, make) this user's directory and check it. 0 with
 * out filled; ERR_NOTFOUND when it does not exist and create is false (no
 * session ever ran: not an error for `list`); another ERR_* with err filled.
 */
int ctldir_get(char *out, size_t cap, bool create, char err[ERR_LEN]);
/* dir + "/" + id, or ERR_RANGE (err filled) when it does not fit a socket address. */
int ctldir_socket_path(char *out, size_t cap, const char *dir, const char *id, char err[ERR_LEN]);
/* Remove the stale socket at path after checking it is one of ours (lstat). */
int ctldir_remove_stale(const char *path, char err[ERR_LEN]);

#endif
