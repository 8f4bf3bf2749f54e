/* util/ev: timer order and ties, cancellation, fds, tickers, signals while blocked in poll. */
#include "../test.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/ev.h"

static char order[64];
static size_t norder;

static void note(struct ev_loop *loop, void *arg)
{
	order[norder++] = *(const char *)arg;
	order[norder] = '\0';
}

static void run_until_idle(struct ev_loop *loop, int iterations)
{
	for (int i = 0; i < iterations; i++)
		ev_run_once(loop, 200);
}

TEST(timers_fire_in_deadline_order_ties_by_creation)
{
	struct ev_loop *loop = ev_loop_new();
	static const char a = 'a', b = 'b', c = 'c', d = 'd', e = 'e';

	norder = 0;
	ev_timer_add(loop, 30, note, (void *)&c);
	ev_timer_add(loop, 10, note, (void *)&a);
	ev_timer_add(loop, 30, note, (void *)&d);
	ev_timer_add(loop, 10, note, (void *)&b);
	ev_timer_add(loop, 30, note, (void *)&e);
	for (int i = 0; i < 50 && norder < 5; i++)
		ev_run_once(loop, 100);
	CHECK_EQ_STR(order, "abcde");
	ev_loop_free(loop);
}

TEST(many_equal_timers_keep_creation_order)
{
	struct ev_loop *loop = ev_loop_new();
	static const char letters[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV";

	norder = 0;
	for (int i = 0; i < 32; i++)
		ev_timer_add(loop, 0, note, (void *)&letters[i]);
	run_until_idle(loop, 2);
	CHECK_EQ_STR(order, letters);
	ev_loop_free(loop);
}

TEST(cancelled_timer_never_fires)
{
	struct ev_loop *loop = ev_loop_new();
	static const char a = 'a', b = 'b', c = 'c';
	uint64_t id;

	norder = 0;
	ev_timer_add(loop, 0, note, (void *)&a);
	id = ev_timer_add(loop, 0, note, (void *)&b);
	ev_timer_add(loop, 0, note, (void *)&c);
	CHECK(ev_timer_cancel(loop, id));
	CHECK(!ev_timer_cancel(loop, id));
	run_until_idle(loop, 2);
	CHECK_EQ_STR(order, "ac");
	ev_loop_free(loop);
}

static void rearm(struct ev_loop *loop, void *arg)
{
	int *count = arg;

	if (++*count < 3)
		ev_timer_add(loop, 0, rearm, arg);
}

TEST(timer_added_from_timer_waits_for_next_iteration)
{
	struct ev_loop *loop = ev_loop_new();
	int count = 0;

	ev_timer_add(loop, 0, rearm, &count);
	ev_run_once(loop, 0);
	CHECK_EQ_INT(count, 1);
	ev_run_once(loop, 0);
	CHECK_EQ_INT(count, 2);
	ev_loop_free(loop);
}

static void on_readable(struct ev_loop *loop, int fd, int events, void *arg)
{
	char c;
	int *got = arg;

	CHECK(events & EV_READ);
	CHECK_EQ_INT(read(fd, &c, 1), 1);
	*got = c;
	ev_fd_del(loop, fd);
}

TEST(fd_callback_gets_data)
{
	struct ev_loop *loop = ev_loop_new();
	int p[2], got = 0;

	CHECK_EQ_INT(pipe(p), 0);
	CHECK_EQ_INT(ev_fd_add(loop, p[0], EV_READ, on_readable, &got), 0);
	CHECK(ev_fd_add(loop, p[0], EV_READ, on_readable, &got) < 0); /* one watcher per fd */
	CHECK_EQ_INT(write(p[1], "z", 1), 1);
	ev_run_once(loop, 1000);
	CHECK_EQ_INT(got, 'z');
	/* The watcher removed itself: more data is not dispatched. */
	CHECK_EQ_INT(write(p[1], "y", 1), 1);
	got = 0;
	ev_run_once(loop, 0);
	CHECK_EQ_INT(got, 0);
	close(p[0]);
	close(p[1]);
	ev_loop_free(loop);
}

static int ticks;

static int64_t ticker(struct ev_loop *loop, uint64_t now, void *arg)
{
	ticks++;
	return 20;
}

TEST(ticker_bounds_the_sleep)
{
	struct ev_loop *loop = ev_loop_new();
	uint64_t t0 = clock_ms();

	ticks = 0;
	ev_ticker_add(loop, ticker, NULL);
	ev_run_once(loop, 60000);
	/* Without the ticker's 20 ms this would sleep a minute. */
	CHECK(clock_ms() - t0 < 30000);
	CHECK_EQ_INT(ticks, 1);
	ev_ticker_del(loop, ticker, NULL);
	ev_run_once(loop, 0);
	CHECK_EQ_INT(ticks, 1);
	ev_loop_free(loop);
}

static int got_signal;

static void on_signal(struct ev_loop *loop, int signo, void *arg)
{
	got_signal = signo;
	ev_stop(loop);
}

TEST(signal_wakes_loop_blocked_in_poll)
{
	struct ev_loop *loop = ev_loop_new();
	uint64_t t0;
	pid_t parent = getpid(), child;
	int status;

	got_signal = 0;
	CHECK_EQ_INT(ev_signal_add(loop, SIGUSR1, on_signal, NULL), 0);
	child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		struct timespec ts = {0, 100 * 1000 * 1000};

		nanosleep(&ts, NULL);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	t0 = clock_ms();
	/* Bounded: ev_run returns on the signal, or this test's 60 s cap catches a hang. */
	for (int i = 0; i < 10 && got_signal == 0; i++)
		ev_run_once(loop, 6000);
	CHECK_EQ_INT(got_signal, SIGUSR1);
	CHECK(clock_ms() - t0 < 6000);
	CHECK_EQ_INT(waitpid(child, &status, 0), child);
	ev_loop_free(loop);
	/* The previous disposition (default) is back. */
	struct sigaction sa;
	CHECK_EQ_INT(sigaction(SIGUSR1, NULL, &sa), 0);
	CHECK(sa.sa_handler == SIG_DFL);
}

TEST(second_loop_cannot_steal_signals)
{
	struct ev_loop *a = ev_loop_new(), *b = ev_loop_new();

	CHECK_EQ_INT(ev_signal_add(a, SIGUSR2, on_signal, NULL), 0);
	CHECK(ev_signal_add(b, SIGUSR2, on_signal, NULL) < 0);
	ev_loop_free(a);
	CHECK_EQ_INT(ev_signal_add(b, SIGUSR2, on_signal, NULL), 0);
	ev_loop_free(b);
}

TEST(wait_min_treats_negative_as_none)
{
	CHECK_EQ_INT(ev_wait_min(-1, -1), -1);
	CHECK_EQ_INT(ev_wait_min(-1, 30), 30);
	CHECK_EQ_INT(ev_wait_min(20, -5), 20);
	CHECK_EQ_INT(ev_wait_min(20, 0), 0);
	CHECK_EQ_INT(ev_wait_min(7, 9), 7);
}

int main(void)
{
	RUN(timers_fire_in_deadline_order_ties_by_creation);
	RUN(many_equal_timers_keep_creation_order);
	RUN(cancelled_timer_never_fires);
	RUN(timer_added_from_timer_waits_for_next_iteration);
	RUN(fd_callback_gets_data);
	RUN(ticker_bounds_the_sleep);
	RUN(signal_wakes_loop_blocked_in_poll);
	RUN(second_loop_cannot_steal_signals);
	RUN(wait_min_treats_negative_as_none);
	return test_done();
}
