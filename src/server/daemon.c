/* Announce and detach; see daemon.h. */
#include "server/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "server/opts.h"

void daemon_announce(uint16_t port, const char *key)
{
	char line[128];
	size_t off = 0, len;
	int n;

	if (isatty(STDIN_FILENO))
		fputs("\r\n\n", stdout);
	fflush(stdout);
	/* Not through stdio: its buffer would keep the key for the daemon's life. */
	n = snprintf(line, sizeof line, "MOSH CONNECT %u %s\n", (unsigned)port, key);
	len = n > 0 && (size_t)n < sizeof line ? (size_t)n : 0;
	while (off < len) {
		ssize_t w = write(STDOUT_FILENO, line + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break; /* ssh went away: the launcher reports the missing line */
		off += (size_t)w;
	}
	explicit_bzero(line, sizeof line);
}

static void drain(int fd)
{
	if (isatty(fd))
		tcdrain(fd);
}

/* The daemon's end of the readiness pipe (-1: told already, or none). */
static int ready_fd = -1;

/* Wait until the daemon says it is ready, or exits, or the bound passes. */
static void wait_ready(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char c;

	if (poll(&p, 1, DAEMON_READY_WAIT_MS) > 0)
		(void)!read(fd, &c, 1);
	close(fd);
}

int daemon_detach(bool verbose, char err[ERR_LEN])
{
	pid_t pid;
	int ready[2];

	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	fflush(NULL);
	if (pipe2(ready, O_CLOEXEC) < 0)
		return err_set(err, ERR_IO, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		return err_set(err, ERR_IO, "fork: %s", strerror(errno));
	if (pid > 0) {
		close(ready[1]);
		fputs("\n", stderr);
		srvopts_version(stderr);
		fprintf(stderr, "\n[mosh-server detached, pid = %ld]\n", (long)pid);
		fflush(NULL);
		drain(STDOUT_FILENO);
		drain(STDERR_FILENO);
		wait_ready(ready[0]);
		/* _exit: the daemon owns everything this process allocated. */
		_exit(0);
	}
	close(ready[0]);
	ready_fd = ready[1];
	if (setsid() < 0)
		return err_set(err, ERR_IO, "setsid: %s", strerror(errno));
	if (!verbose) {
		int null = open("/dev/null", O_RDWR);

		if (null < 0)
			return err_set(err, ERR_IO, "/dev/null: %s", strerror(errno));
		for (int fd = 0; fd <= 2; fd++) {
			if (dup2(null, fd) < 0)
				return err_set(err, ERR_IO, "dup2: %s", strerror(errno));
		}
		if (null > 2)
			close(null);
	}
	return 0;
}

void daemon_ready(void)
{
	if (ready_fd < 0)
		return;
	(void)!write(ready_fd, "", 1);
	close(ready_fd);
	ready_fd = -1;
}
