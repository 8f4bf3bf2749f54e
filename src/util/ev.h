/*
 * The single-threaded event loop every program runs on.
 *
 * One iteration: run every ticker (each does its due work and says how many
 * ms until it must run again), sleep in poll(2) for the smallest of those, the
 * first timer deadline and the caller's cap, then dispatch ready descriptors,
 * then fire due timers. Nothing busy-waits: an idle session sleeps until the
 * nearest deadline.
 *
 * Timers live in a binary min-heap ordered by (deadline, creation order), so
 * timers due at the same millisecond fire in the order they were added.
 * Signals are turned into ordinary events through a self-pipe: the handler
 * only writes the signal number to a non-blocking pipe, and the callback runs
 * later from the loop, never in signal context. Only one loop per process may
 * watch signals.
 */
#ifndef MOSHC_UTIL_EV_H
#define MOSHC_UTIL_EV_H

#include <stdbool.h>
#include <stdint.h>

struct ev_loop;

enum {
	EV_READ = 1,
	EV_WRITE = 2,
	EV_ERROR = 4, /* reported only: POLLERR, POLLHUP or POLLNVAL */
};

typedef void ev_fd_fn(struct ev_loop *loop, int fd, int events, void *arg);
typedef void ev_timer_fn(struct ev_loop *loop, void *arg);
typedef void ev_signal_fn(struct ev_loop *loop, int signo, void *arg);
/* Does due work; returns ms until it must run again, or a negative value for "no deadline". */
typedef int64_t ev_tick_fn(struct ev_loop *loop, uint64_t now, void *arg);

struct ev_loop *ev_loop_new(void);
void ev_loop_free(struct ev_loop *loop);

/* The clock reading taken when the current iteration woke up. */
uint64_t ev_now(const struct ev_loop *loop);

/* Watch fd; events is a mask of EV_READ/EV_WRITE (0 pauses). One watcher per fd. */
int ev_fd_add(struct ev_loop *loop, int fd, int events, ev_fd_fn *fn, void *arg);
void ev_fd_set_events(struct ev_loop *loop, int fd, int events);
void ev_fd_del(struct ev_loop *loop, int fd);

/* One-shot timer delay_ms from now; returns an id (never 0) for ev_timer_cancel. */
uint64_t ev_timer_add(struct ev_loop *loop, uint64_t delay_ms, ev_timer_fn *fn, void *arg);
/* Returns whether the timer was still pending. */
bool ev_timer_cancel(struct ev_loop *loop, uint64_t id);

/* Deliver signo as an event (replaces any earlier handler for it). */
int ev_signal_add(struct ev_loop *loop, int signo, ev_signal_fn *fn, void *arg);

/* The sooner of two waits in ms, where a negative wait means "none". */
int64_t ev_wait_min(int64_t a, int64_t b);

void ev_ticker_add(struct ev_loop *loop, ev_tick_fn *fn, void *arg);
void ev_ticker_del(struct ev_loop *loop, ev_tick_fn *fn, void *arg);

/*
 * One iteration, sleeping at most max_wait_ms (negative: no cap). Returns the
 * number of callbacks run, or ERR_IO if poll failed for a reason other than
 * a signal.
 */
int ev_run_once(struct ev_loop *loop, int64_t max_wait_ms);
/* Iterate until ev_stop(). */
int ev_run(struct ev_loop *loop);
void ev_stop(struct ev_loop *loop);

#endif
