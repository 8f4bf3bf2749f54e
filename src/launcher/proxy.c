/*
 * The fake ProxyCommand; see proxy.h.
 *
 * The relay keeps one buffer per direction and watches, on the util event
 * loop, only what can make progress: a source is read only while its
 * direction's buffer is empty, a destination is written only while there is
 * something to write. So the relay never holds more than one buffer per
 * direction, and a slow reader slows its writer down instead of growing
 * memory.
 */
#include "launcher/proxy.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/err.h"
#include "util/ev.h"
#include "util/xmalloc.h"

#define RELAY_BUF 16384

struct half {
	char buf[RELAY_BUF];
	size_t len, off; /* unsent bytes are buf[off .. len) */
	bool eof;        /* the source has ended */
	bool done;       /* the end has been passed on (or the destination failed) */
};

struct relay {
	struct ev_loop *loop;
	int in, out, sock;
	struct half up;   /* in -> sock */
	struct half down; /* sock -> out */
};

int proxy_connect(const char *host, const char *port, enum resolve_family f, char *ip, size_t iplen,
                  char *err)
{
	struct resolve_addr *a;
	size_t n;
	int rc, e = 0;

	rc = resolve_host(host, port, f, &a, &n, err);
	if (rc < 0)
		return rc;
	snprintf(ip, iplen, "?");
	for (size_t i = 0; i < n; i++) {
		int fd;

		if (resolve_numeric(&a[i], ip, iplen) < 0)
			continue;
		fd = socket(a[i].ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			e = errno;
			continue;
		}
		if (connect(fd, (const struct sockaddr *)&a[i].ss, a[i].len) == 0) {
			free(a);
			return fd;
		}
		e = errno;
		close(fd);
	}
	free(a);
	return err_set(err, ERR_IO, "could not connect to %s port %s (last tried %s): %s", host,
	               port, ip, strerror(e));
}

/* Read src into an empty half; end of input or a read error ends the direction. */
static void fill(struct half *h, int src)
{
	ssize_t n = read(src, h->buf, sizeof h->buf);

	if (n > 0) {
		h->len = (size_t)n;
		h->off = 0;
	} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		h->eof = true;
	}
}

/* Write what is pending; a write error ends the direction and drops the rest. */
static void flush(struct half *h, int dst)
{
	ssize_t n = write(dst, h->buf + h->off, h->len - h->off);

	if (n > 0) {
		h->off += (size_t)n;
		if (h->off == h->len)
			h->len = h->off = 0;
	} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
		h->len = h->off = 0;
		h->eof = true;
	}
}

static void update(struct relay *r);

static void on_in(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct relay *r = arg;

	fill(&r->up, fd);
	update(r);
}

static void on_sock(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct relay *r = arg;

	if (r->up.len > 0 && !r->up.done)
		flush(&r->up, fd);
	if (r->down.len == 0 && !r->down.eof)
		fill(&r->down, fd);
	update(r);
}

static void on_out(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct relay *r = arg;

	flush(&r->down, fd);
	update(r);
}

/* Pass on finished directions and set what each descriptor waits for. */
static void update(struct relay *r)
{
	int sock_ev = 0;

	if (r->up.eof && r->up.len == 0 && !r->up.done) {
		shutdown(r->sock, SHUT_WR);
		r->up.done = true;
	}
	if (r->down.eof && r->down.len == 0 && !r->down.done) {
		ev_fd_del(r->loop, r->out);
		close(r->out);
		shutdown(r->sock, SHUT_RD);
		r->down.done = true;
	}
	ev_fd_set_events(r->loop, r->in, !r->up.done && !r->up.eof && r->up.len == 0 ? EV_READ : 0);
	if (!r->down.done)
		ev_fd_set_events(r->loop, r->out, r->down.len > 0 ? EV_WRITE : 0);
	if (!r->down.eof && r->down.len == 0)
		sock_ev |= EV_READ;
	if (!r->up.done && r->up.len > 0)
		sock_ev |= EV_WRITE;
	ev_fd_set_events(r->loop, r->sock, sock_ev);
	if (r->up.done && r->down.done)
		ev_stop(r->loop);
}

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int proxy_relay(int in_fd, int out_fd, int sock)
{
	struct relay *r = xcalloc(1, sizeof *r);
	int rc;

	r->in = in_fd;
	r->out = out_fd;
	r->sock = sock;
	r->loop = ev_loop_new();
	set_nonblock(in_fd);
	set_nonblock(out_fd);
	set_nonblock(sock);
	ev_fd_add(r->loop, in_fd, EV_READ, on_in, r);
	ev_fd_add(r->loop, out_fd, 0, on_out, r);
	ev_fd_add(r->loop, sock, EV_READ, on_sock, r);
	rc = ev_run(r->loop);
	ev_loop_free(r->loop);
	free(r);
	return rc < 0 ? ERR_IO : 0;
}

int proxy_main(const char *host, const char *port, enum resolve_family f)
{
	char ip[NI_MAXHOST], err[ERR_LEN];
	int sock;

	/* ssh hangs up on us when it exits; finish relaying what is in flight instead. */
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	sock = proxy_connect(host, port, f, ip, sizeof ip, err);
	if (sock < 0) {
		fprintf(stderr, "mosh: %s\n", err);
		return 255;
	}
	fprintf(stderr, "MOSH IP %s\n", ip);
	if (proxy_relay(STDIN_FILENO, STDOUT_FILENO, sock) < 0) {
		fprintf(stderr, "mosh: the proxy's event loop failed: %s\n", strerror(errno));
		close(sock);
		return 255;
	}
	close(sock);
	return 0;
}
