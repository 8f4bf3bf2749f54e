/* The session's agent socket; see agentsock.h. */
#include "server/agentsock.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "server/ctldir.h"
#include "util/log.h"

int agentsock_path(char *path, size_t cap, const char *dir, const char *id, char err[ERR_LEN])
{
	char name[64];

	snprintf(name, sizeof name, "%s.agent", id);
	return ctldir_socket_path(path, cap, dir, name, err);
}

int agentsock_open(const char *id, char *path, size_t cap, char err[ERR_LEN])
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char dir[CTLDIR_PATH_MAX];
	mode_t old;
	int fd, rc;

	if ((rc = ctldir_get(dir, sizeof dir, true, err)) < 0)
		return rc;
	if ((rc = agentsock_path(path, cap, dir, id, err)) < 0)
		return rc;
	if (strlen(path) >= sizeof sa.sun_path)
		return err_set(err, ERR_RANGE, "the agent socket path %s is too long", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((rc = ctldir_remove_stale(path, err)) < 0)
		return rc;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(err, ERR_IO, "agent socket: %s", strerror(errno));
	/* The directory is 0700 already; the socket is the user's alone too. */
	old = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
	umask(old);
	if (rc < 0 || listen(fd, 16) < 0) {
		err_set(err, ERR_IO, "agent socket %s: %s", path, strerror(errno));
		close(fd);
		return ERR_IO;
	}
	return fd;
}

int agentsock_accept(int lfd)
{
	struct ucred cred;
	socklen_t len = sizeof cred;
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != getuid()) {
		log_info("agent socket: refused a connection from uid %ld",
		         len == sizeof cred ? (long)cred.uid : -1L);
		close(fd);
		return -1;
	}
	return fd;
}
