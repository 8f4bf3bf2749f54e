/* The session's child on a pty; see ptychild.h for the model. */
#include "server/ptychild.h"

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/coredump.h"
#include "util/log.h"
#include "util/winsize.h"
#include "util/xmalloc.h"

struct pty_child {
	int master;
	int release_fd; /* write end of the release pipe; -1 once released */
	pid_t pid;      /* -1 once reaped */
	int exit_status;
	struct buf queue; /* bytes for the child not yet accepted by the pty */
	uint64_t dropped;
};

void pty_login_shell(char **path, char **argv0)
{
	const char *shell = getenv("SHELL");
	const char *base;

	if (shell == NULL || shell[0] == '\0') {
		struct passwd *pw = getpwuid(getuid());

		shell = pw != NULL ? pw->pw_shell : NULL;
	}
	if (shell == NULL || shell[0] == '\0')
		shell = "/bin/sh";
	base = strrchr(shell, '/');
	base = base != NULL ? base + 1 : shell;
	*path = xstrdup(shell);
	*argv0 = xasprintf("-%s", base);
}

/* ---- the child, between fork and exec ---- */

static void child_copy_file(const char *path)
{
	char chunk[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	while ((n = read(fd, chunk, sizeof chunk)) > 0) {
		if (fwrite(chunk, 1, (size_t)n, stdout) != (size_t)n)
			break;
	}
	close(fd);
}

static void child_motd(const char *home, const char *notice)
{
	char *hush = xasprintf("%s/.hushlogin", home != NULL ? home : "/");
	struct stat st;
	bool hushed = stat(hush, &st) == 0;

	free(hush);
	if (hushed)
		return;
	if (access("/run/motd.dynamic", R_OK) == 0)
		child_copy_file("/run/motd.dynamic");
	else
		child_copy_file("/var/run/motd.dynamic");
	child_copy_file("/etc/motd");
	if (notice != NULL)
		fputs(notice, stdout);
	fflush(stdout);
}

/* Nothing of the server's may leak into the user's command. */
static void child_close_inherited(const struct pty_spec *spec)
{
	for (size_t i = 0; i < spec->n_close_fds; i++)
		close(spec->close_fds[i]);
#ifdef CLOSE_RANGE_CLOEXEC
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
#endif
	long max = sysconf(_SC_OPEN_MAX);

	if (max < 0 || max > 65536)
		max = 65536;
	for (int fd = 3; fd < max; fd++) {
		int flags = fcntl(fd, F_GETFD);

		if (flags >= 0)
			fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
	}
}

_Noreturn static void child_main(const struct pty_spec *spec, int wait_fd)
{
	struct termios tio;
	sigset_t none;
	const char *home;
	char *file, *login_argv0 = NULL;
	char *const *argv;
	char *login_argv[2];
	char c;
	ssize_t n;

	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	child_close_inherited(spec);

	if (tcgetattr(STDIN_FILENO, &tio) == 0) {
		tio.c_iflag |= IUTF8;
		tcsetattr(STDIN_FILENO, TCSANOW, &tio);
	}
	setenv("TERM", spec->term != NULL ? spec->term : "xterm", 1);
	setenv("NCURSES_NO_UTF8_ACS", "1", 1);
	unsetenv("STY");

	home = getenv("HOME");
	if (home == NULL || home[0] == '\0') {
		struct passwd *pw = getpwuid(getuid());

		home = pw != NULL ? pw->pw_dir : NULL;
	}
	if (home != NULL && chdir(home) == 0)
		setenv("PWD", home, 1);

	if (spec->command != NULL && spec->command[0] != NULL) {
		file = spec->command[0];
		argv = spec->command;
	} else {
		pty_login_shell(&file, &login_argv0);
		login_argv[0] = login_argv0;
		login_argv[1] = NULL;
		argv = login_argv;
		child_motd(home, spec->login_notice);
	}

	do {
		n = read(wait_fd, &c, 1);
	} while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(1); /* the server went away before a client arrived */
	close(wait_fd);

	coredump_restore();
	execvp(file, argv);
	fprintf(stderr, "mosh-server: cannot run \"%s\": %s\n", file, strerror(errno));
	fflush(stderr);
	_exit(127);
}

/* ---- the server's side ---- */

int pty_spawn(struct pty_child **out, const struct pty_spec *spec, char err[ERR_LEN])
{
	struct winsize ws = {.ws_row = spec->rows, .ws_col = spec->cols};
	int release[2];
	int master;
	pid_t pid;
	struct pty_child *p;

	if (ws.ws_row == 0 || ws.ws_col == 0) {
		ws.ws_row = WINSIZE_DEFAULT_ROWS;
		ws.ws_col = WINSIZE_DEFAULT_COLS;
	}
	if (pipe2(release, O_CLOEXEC) < 0)
		return err_set(err, ERR_IO, "pipe: %s", strerror(errno));
	fflush(NULL); /* the child must not flush the parent's buffered output again */
	pid = forkpty(&master, NULL, NULL, &ws);
	if (pid < 0) {
		int e = errno;

		close(release[0]);
		close(release[1]);
		return err_set(err, ERR_IO, "forkpty: %s", strerror(e));
	}
	if (pid == 0) {
		close(release[1]);
		child_main(spec, release[0]);
	}
	close(release[0]);
	if (fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK) < 0 ||
	    fcntl(master, F_SETFD, FD_CLOEXEC) < 0) {
		int e = errno;

		close(master);
		close(release[1]);
		return err_set(err, ERR_IO, "fcntl on the pty master: %s", strerror(e));
	}
	p = xcalloc(1, sizeof *p);
	p->master = master;
	p->release_fd = release[1];
	p->pid = pid;
	buf_init(&p->queue);
	*out = p;
	log_info("child %ld on pty fd %d, %ux%u", (long)pid, master, ws.ws_col, ws.ws_row);
	return 0;
}

void pty_free(struct pty_child *p)
{
	if (p == NULL)
		return;
	if (p->release_fd >= 0)
		close(p->release_fd);
	close(p->master);
	buf_fini(&p->queue);
	free(p);
}

int pty_master_fd(const struct pty_child *p)
{
	return p->master;
}

pid_t pty_pid(const struct pty_child *p)
{
	return p->pid;
}

int pty_release(struct pty_child *p)
{
	ssize_t n;

	if (p->release_fd < 0)
		return 0;
	do {
		n = write(p->release_fd, "x", 1);
	} while (n < 0 && errno == EINTR);
	close(p->release_fd);
	p->release_fd = -1;
	/* EPIPE: the child is already gone; the pty read will say so. */
	return n == 1 || errno == EPIPE ? 0 : ERR_IO;
}

bool pty_released(const struct pty_child *p)
{
	return p->release_fd < 0;
}

long pty_read(struct pty_child *p, void *buf, size_t cap)
{
	ssize_t n;

	if (cap > PTY_READ_MAX)
		cap = PTY_READ_MAX;
	do {
		n = read(p->master, buf, cap);
	} while (n < 0 && errno == EINTR);
	if (n > 0)
		return (long)n;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return ERR_AGAIN;
	return ERR_CLOSED; /* 0, or EIO once the last slave descriptor closed */
}

int pty_flush(struct pty_child *p)
{
	while (p->queue.len > 0) {
		ssize_t n = write(p->master, p->queue.data, p->queue.len);

		if (n > 0) {
			buf_consume(&p->queue, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		return ERR_CLOSED;
	}
	return 0;
}

int pty_write(struct pty_child *p, const void *data, size_t len)
{
	size_t room = PTY_QUEUE_MAX - p->queue.len;
	size_t take = len < room ? len : room;
	int rc;

	buf_append(&p->queue, data, take);
	if (take < len) {
		p->dropped += len - take;
		log_error("child not reading: dropped %zu bytes of input", len - take);
	}
	rc = pty_flush(p);
	if (rc < 0)
		return rc;
	return take < len ? ERR_RANGE : 0;
}

bool pty_wants_write(const struct pty_child *p)
{
	return p->queue.len > 0;
}

size_t pty_queued(const struct pty_child *p)
{
	return p->queue.len;
}

uint64_t pty_dropped(const struct pty_child *p)
{
	return p->dropped;
}

int pty_resize(struct pty_child *p, uint16_t rows, uint16_t cols)
{
	struct winsize ws = {.ws_row = rows, .ws_col = cols};

	REQUIRE(rows > 0 && cols > 0, ERR_INVAL);
	return ioctl(p->master, TIOCSWINSZ, &ws) < 0 ? ERR_IO : 0;
}

int pty_reap(struct pty_child *p, int *status)
{
	pid_t r;

	if (p->pid < 0) {
		if (status != NULL)
			*status = p->exit_status;
		return 1;
	}
	do {
		r = waitpid(p->pid, &p->exit_status, WNOHANG);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return ERR_IO;
	if (r == 0)
		return 0;
	p->pid = -1;
	if (status != NULL)
		*status = p->exit_status;
	return 1;
}
