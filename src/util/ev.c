/*
 * poll(2) loop with a timer min-heap, tickers and self-pipe signals; see ev.h.
 * Callbacks may add or remove watchers, timers and tickers while the loop is
 * dispatching: fd watchers are looked up afresh for every ready descriptor,
 * and timers created during the timer phase wait for the next iteration.
 */
#include "util/ev.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/err.h"
#include "util/xmalloc.h"

struct ev_fdw {
	int fd;
	int events;
	ev_fd_fn *fn;
	void *arg;
};

struct ev_timer {
	uint64_t when;
	uint64_t seq; /* creation order: the tie-break, and the id */
	ev_timer_fn *fn;
	void *arg;
};

struct ev_ticker {
	ev_tick_fn *fn;
	void *arg;
};

struct ev_sig {
	ev_signal_fn *fn;
	void *arg;
	struct sigaction old;
	bool installed;
};

struct ev_loop {
	struct ev_fdw *fds;
	size_t nfds, capfds;
	struct pollfd *pfds;
	size_t cappfds;

	struct ev_timer *heap;
	size_t nheap, capheap;
	uint64_t next_seq;

	struct ev_ticker *tickers;
	size_t ntickers, captickers;

	struct ev_sig sigs[NSIG];
	int sigpipe[2];

	uint64_t now;
	bool stop;
};

/* The write end of the one signal-watching loop's pipe, for the handler. */
static volatile sig_atomic_t sig_write_fd = -1;

struct ev_loop *ev_loop_new(void)
{
	struct ev_loop *loop = xcalloc(1, sizeof *loop);

	loop->next_seq = 1;
	loop->sigpipe[0] = loop->sigpipe[1] = -1;
	loop->now = clock_ms();
	return loop;
}

void ev_loop_free(struct ev_loop *loop)
{
	if (loop == NULL)
		return;
	for (int s = 1; s < NSIG; s++) {
		if (loop->sigs[s].installed)
			sigaction(s, &loop->sigs[s].old, NULL);
	}
	if (loop->sigpipe[0] >= 0) {
		sig_write_fd = -1;
		close(loop->sigpipe[0]);
		close(loop->sigpipe[1]);
	}
	free(loop->fds);
	free(loop->pfds);
	free(loop->heap);
	free(loop->tickers);
	free(loop);
}

uint64_t ev_now(const struct ev_loop *loop)
{
	return loop->now;
}

static struct ev_fdw *fd_find(struct ev_loop *loop, int fd)
{
	for (size_t i = 0; i < loop->nfds; i++) {
		if (loop->fds[i].fd == fd)
			return &loop->fds[i];
	}
	return NULL;
}

int ev_fd_add(struct ev_loop *loop, int fd, int events, ev_fd_fn *fn, void *arg)
{
	struct ev_fdw *w;

	if (fd < 0 || fd_find(loop, fd) != NULL)
		return ERR_INVAL;
	if (loop->nfds == loop->capfds) {
		loop->capfds = loop->capfds ? loop->capfds * 2 : 8;
		loop->fds = xreallocarray(loop->fds, loop->capfds, sizeof *loop->fds);
	}
	w = &loop->fds[loop->nfds++];
	w->fd = fd;
	w->events = events;
	w->fn = fn;
	w->arg = arg;
	return 0;
}

void ev_fd_set_events(struct ev_loop *loop, int fd, int events)
{
	struct ev_fdw *w = fd_find(loop, fd);

	ASSERT(w != NULL);
	w->events = events;
}

void ev_fd_del(struct ev_loop *loop, int fd)
{
	struct ev_fdw *w = fd_find(loop, fd);

	if (w == NULL)
		return;
	*w = loop->fds[--loop->nfds];
}

static bool timer_before(const struct ev_timer *a, const struct ev_timer *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void heap_swap(struct ev_loop *loop, size_t i, size_t j)
{
	struct ev_timer t = loop->heap[i];

	loop->heap[i] = loop->heap[j];
	loop->heap[j] = t;
}

static void heap_up(struct ev_loop *loop, size_t i)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!timer_before(&loop->heap[i], &loop->heap[parent]))
			break;
		heap_swap(loop, i, parent);
		i = parent;
	}
}

static void heap_down(struct ev_loop *loop, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < loop->nheap && timer_before(&loop->heap[l], &loop->heap[m]))
			m = l;
		if (r < loop->nheap && timer_before(&loop->heap[r], &loop->heap[m]))
			m = r;
		if (m == i)
			break;
		heap_swap(loop, i, m);
		i = m;
	}
}

static void heap_remove(struct ev_loop *loop, size_t i)
{
	loop->nheap--;
	if (i == loop->nheap)
		return;
	loop->heap[i] = loop->heap[loop->nheap];
	heap_down(loop, i);
	heap_up(loop, i);
}

uint64_t ev_timer_add(struct ev_loop *loop, uint64_t delay_ms, ev_timer_fn *fn, void *arg)
{
	struct ev_timer *t;
	uint64_t now = clock_ms();

	if (loop->nheap == loop->capheap) {
		loop->capheap = loop->capheap ? loop->capheap * 2 : 16;
		loop->heap = xreallocarray(loop->heap, loop->capheap, sizeof *loop->heap);
	}
	t = &loop->heap[loop->nheap];
	t->when = delay_ms > UINT64_MAX - now ? UINT64_MAX : now + delay_ms;
	t->seq = loop->next_seq++;
	t->fn = fn;
	t->arg = arg;
	heap_up(loop, loop->nheap++);
	return t->seq;
}

bool ev_timer_cancel(struct ev_loop *loop, uint64_t id)
{
	for (size_t i = 0; i < loop->nheap; i++) {
		if (loop->heap[i].seq == id) {
			heap_remove(loop, i);
			return true;
		}
	}
	return false;
}

static void sig_handler(int signo)
{
	int saved = errno;
	unsigned char c = (unsigned char)signo;

	if (sig_write_fd >= 0) {
		/* A full pipe already holds a wake-up; losing a duplicate byte is harmless. */
		ssize_t r = write(sig_write_fd, &c, 1);
		(void)r;
	}
	errno = saved;
}

static void sig_pipe_read(struct ev_loop *loop, int fd, int events, void *arg)
{
	unsigned char c[64];
	ssize_t n;

	while ((n = read(fd, c, sizeof c)) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			struct ev_sig *s = &loop->sigs[c[i] < NSIG ? c[i] : 0];

			if (s->fn != NULL)
				s->fn(loop, c[i], s->arg);
		}
	}
}

static int set_nonblock_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return ERR_IO;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return ERR_IO;
	return 0;
}

int ev_signal_add(struct ev_loop *loop, int signo, ev_signal_fn *fn, void *arg)
{
	struct sigaction sa;
	struct ev_sig *s;

	if (signo <= 0 || signo >= NSIG || signo > 255)
		return ERR_INVAL;
	if (loop->sigpipe[0] < 0) {
		if (sig_write_fd >= 0)
			return ERR_INVAL; /* another loop owns signals */
		if (pipe(loop->sigpipe) < 0)
			return ERR_IO;
		if (set_nonblock_cloexec(loop->sigpipe[0]) < 0 ||
		    set_nonblock_cloexec(loop->sigpipe[1]) < 0)
			return ERR_IO;
		ev_fd_add(loop, loop->sigpipe[0], EV_READ, sig_pipe_read, NULL);
		sig_write_fd = loop->sigpipe[1];
	}
	s = &loop->sigs[signo];
	s->fn = fn;
	s->arg = arg;
	if (!s->installed) {
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = sig_handler;
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = SA_RESTART;
		if (sigaction(signo, &sa, &s->old) < 0)
			return ERR_IO;
		s->installed = true;
	}
	return 0;
}

void ev_ticker_add(struct ev_loop *loop, ev_tick_fn *fn, void *arg)
{
	if (loop->ntickers == loop->captickers) {
		loop->captickers = loop->captickers ? loop->captickers * 2 : 4;
		loop->tickers =
		    xreallocarray(loop->tickers, loop->captickers, sizeof *loop->tickers);
	}
	loop->tickers[loop->ntickers].fn = fn;
	loop->tickers[loop->ntickers].arg = arg;
	loop->ntickers++;
}

void ev_ticker_del(struct ev_loop *loop, ev_tick_fn *fn, void *arg)
{
	for (size_t i = 0; i < loop->ntickers; i++) {
		if (loop->tickers[i].fn == fn && loop->tickers[i].arg == arg) {
			memmove(&loop->tickers[i], &loop->tickers[i + 1],
			        (loop->ntickers - i - 1) * sizeof *loop->tickers);
			loop->ntickers--;
			return;
		}
	}
}

int64_t ev_wait_min(int64_t a, int64_t b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

int ev_run_once(struct ev_loop *loop, int64_t max_wait_ms)
{
	int64_t wait = max_wait_ms;
	uint64_t fire_before;
	int ran = 0, n;
	size_t npfd;

	loop->now = clock_ms();
	for (size_t i = 0; i < loop->ntickers; i++) {
		struct ev_ticker t = loop->tickers[i];

		wait = ev_wait_min(wait, t.fn(loop, loop->now, t.arg));
		ran++;
		if (loop->stop)
			return ran;
	}
	if (loop->nheap > 0) {
		uint64_t when = loop->heap[0].when;

		wait = ev_wait_min(wait, when <= loop->now ? 0 : (int64_t)(when - loop->now));
	}
	if (wait > INT32_MAX)
		wait = INT32_MAX;

	if (loop->cappfds < loop->nfds) {
		loop->cappfds = loop->nfds;
		loop->pfds = xreallocarray(loop->pfds, loop->cappfds, sizeof *loop->pfds);
	}
	npfd = loop->nfds;
	for (size_t i = 0; i < npfd; i++) {
		struct ev_fdw *w = &loop->fds[i];

		loop->pfds[i].fd = w->events ? w->fd : -1;
		loop->pfds[i].events = (short)(((w->events & EV_READ) ? POLLIN : 0) |
		                               ((w->events & EV_WRITE) ? POLLOUT : 0));
		loop->pfds[i].revents = 0;
	}
	n = poll(loop->pfds, npfd, (int)wait);
	loop->now = clock_ms();
	if (n < 0 && errno != EINTR)
		return ERR_IO;

	for (size_t i = 0; n > 0 && i < npfd && !loop->stop; i++) {
		struct pollfd *p = &loop->pfds[i];
		struct ev_fdw *w;
		int ev = 0;

		if (p->fd < 0 || p->revents == 0)
			continue;
		if (p->revents & (POLLIN | POLLHUP))
			ev |= EV_READ;
		if (p->revents & POLLOUT)
			ev |= EV_WRITE;
		if (p->revents & (POLLERR | POLLHUP | POLLNVAL))
			ev |= EV_ERROR;
		/* The watcher may have been removed or changed by an earlier callback. */
		w = fd_find(loop, p->fd);
		if (w == NULL || w->events == 0)
			continue;
		w->fn(loop, w->fd, ev, w->arg);
		ran++;
	}

	fire_before = loop->next_seq;
	while (loop->nheap > 0 && !loop->stop) {
		struct ev_timer t = loop->heap[0];

		if (t.when > loop->now || t.seq >= fire_before)
			break;
		heap_remove(loop, 0);
		t.fn(loop, t.arg);
		ran++;
	}
	return ran;
}

int ev_run(struct ev_loop *loop)
{
	int rc = 0;

	loop->stop = false;
	while (!loop->stop) {
		rc = ev_run_once(loop, -1);
		if (rc < 0)
			break;
	}
	loop->stop = false;
	return rc < 0 ? rc : 0;
}

void ev_stop(struct ev_loop *loop)
{
	loop->stop = true;
}
