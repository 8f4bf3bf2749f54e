/*
 * tools/relay/impair: the impairment model under a fake clock and fixed seeds.
 *
 * Rate checks count events over N = 100,000 datagrams and accept the count
 * within 5 standard deviations of its expectation: for a Bernoulli(p) count
 * sigma = sqrt(N p (1-p)), so a correct model fails such a check with a
 * probability below 6e-7 for a random seed (and, the seed being fixed, the
 * result never changes between runs), while a model off by a tenth of p is
 * caught (for p = 5 %: sigma = 69 datagrams, 5 sigma = 0.34 points).
 */
#include "../unit/test.h"

#include <math.h>
#include <stdlib.h>

#include "impair.h"

#define N 100000

static uint8_t out[IMPAIR_MAX_DGRAM];

static void put_id(uint8_t *p, uint32_t id)
{
	memcpy(p, &id, sizeof id);
}

static uint32_t get_id(const uint8_t *p)
{
	uint32_t id;

	memcpy(&id, p, sizeof id);
	return id;
}

/* Push datagram `id` (4 bytes, or len bytes) at now. */
static int push_id(struct impair *im, uint64_t now, uint32_t id, size_t len)
{
	static uint8_t data[IMPAIR_MAX_DGRAM];

	put_id(data, id);
	return impair_push(im, now, data, len < 4 ? 4 : len);
}

static void check_within_5_sigma(uint64_t count, uint64_t n, double p)
{
	double mean = (double)n * p, sigma = sqrt((double)n * p * (1.0 - p));

	printf("# %s: %llu of %llu (expected %.0f, 5 sigma %.0f)\n", test_name,
	       (unsigned long long)count, (unsigned long long)n, mean, 5.0 * sigma);

	if (fabs((double)count - mean) > 5.0 * sigma)
		TEST_FAIL("count %llu, expected %.1f +- %.1f (5 sigma)", (unsigned long long)count,
		          mean, 5.0 * sigma);
}

/* Each copy is counted exactly once (impair.h). */
static void check_conservation(const struct impair *im)
{
	const struct impair_stats *s = impair_stats(im);

	CHECK_EQ_U64(s->received + s->duplicated, s->dropped_blackout + s->dropped_loss +
	                                              s->dropped_queue + s->dropped_overflow +
	                                              s->forwarded + s->queued);
}

/* Drain everything, advancing the fake clock 1 ms at a time up to limit. */
static size_t drain(struct impair *im, uint64_t from, uint64_t limit, uint32_t *ids, uint64_t *dues,
                    size_t cap)
{
	size_t n = 0;
	uint64_t due;
	ssize_t len;

	for (uint64_t t = from; t <= limit; t++) {
		while ((len = impair_pop(im, t, out, sizeof out, &due)) >= 0) {
			CHECK(due <= t);
			if (n < cap) {
				ids[n] = get_id(out);
				dues[n] = due;
			}
			n++;
		}
	}
	return n;
}

TEST(no_impairment_delivers_at_once)
{
	struct impair_cfg c;
	struct impair *im;
	uint64_t due;

	impair_cfg_default(&c);
	im = impair_new(&c, 1, 0);
	CHECK_EQ_INT(push_id(im, 10, 7, 100), IMPAIR_QUEUED);
	CHECK_EQ_U64(impair_next_due(im), 10);
	CHECK_EQ_INT(impair_pop(im, 10, out, sizeof out, &due), 100);
	CHECK_EQ_INT(get_id(out), 7);
	CHECK_EQ_U64(due, 10);
	CHECK_EQ_INT(impair_pop(im, 10, out, sizeof out, NULL), ERR_AGAIN);
	CHECK_EQ_U64(impair_next_due(im), UINT64_MAX);
	CHECK_EQ_INT(impair_push(im, 11, out, IMPAIR_MAX_DGRAM + 1), ERR_RANGE);
	check_conservation(im);
	impair_free(im);
}

TEST(delay_is_exact)
{
	struct impair_cfg c;
	struct impair *im;
	uint64_t due;

	impair_cfg_default(&c);
	c.delay_ms = 100;
	im = impair_new(&c, 1, 0);
	for (uint32_t i = 0; i < 50; i++)
		CHECK_EQ_INT(push_id(im, 1000 + i * 3, i, 4), IMPAIR_QUEUED);
	for (uint32_t i = 0; i < 50; i++) {
		uint64_t t = 1000 + i * 3 + 100;

		CHECK_EQ_U64(impair_next_due(im), t);
		CHECK_EQ_INT(impair_pop(im, t - 1, out, sizeof out, NULL), ERR_AGAIN);
		CHECK_EQ_INT(impair_pop(im, t, out, sizeof out, &due), 4);
		CHECK_EQ_INT(get_id(out), i);
		CHECK_EQ_U64(due, t);
	}
	check_conservation(im);
	impair_free(im);
}

static void jitter_within_bounds(enum impair_jitter_dist dist)
{
	struct impair_cfg c;
	struct impair *im;
	uint64_t lo = UINT64_MAX, hi = 0, sum = 0;
	bool reordered = false;
	static uint32_t ids[N];
	static uint64_t dues[N];
	size_t n;

	impair_cfg_default(&c);
	c.delay_ms = 50;
	c.jitter_ms = 20;
	c.jitter_dist = dist;
	c.max_pkts = N;
	im = impair_new(&c, 42, 0);
	for (uint32_t i = 0; i < N; i++)
		push_id(im, i, i, 4); /* one per ms: jitter of 20 ms must reorder some */
	n = drain(im, 0, N + 100, ids, dues, N);
	CHECK_EQ_INT(n, N);
	for (size_t k = 0; k < n; k++) {
		uint64_t d = dues[k] - ids[k];

		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
		sum += d;
		if (k > 0 && ids[k] < ids[k - 1])
			reordered = true;
	}
	CHECK(lo >= 30);
	CHECK(hi <= 70);
	/* Both distributions reach the bounds in 100,000 draws and are centred. */
	if (dist == IMPAIR_JITTER_UNIFORM) {
		CHECK_EQ_U64(lo, 30);
		CHECK_EQ_U64(hi, 70);
	}
	CHECK(fabs((double)sum / N - 50.0) < 0.2);
	CHECK(reordered);
	check_conservation(im);
	impair_free(im);
}

TEST(jitter_uniform_within_bounds)
{
	jitter_within_bounds(IMPAIR_JITTER_UNIFORM);
}

TEST(jitter_normal_within_bounds)
{
	jitter_within_bounds(IMPAIR_JITTER_NORMAL);
}

TEST(no_reorder_keeps_fifo_despite_jitter)
{
	struct impair_cfg c;
	struct impair *im;
	static uint32_t ids[20000];
	static uint64_t dues[20000];
	size_t n;

	impair_cfg_default(&c);
	c.delay_ms = 50;
	c.jitter_ms = 40;
	c.no_reorder = true;
	c.max_pkts = 20000;
	im = impair_new(&c, 7, 0);
	for (uint32_t i = 0; i < 20000; i++)
		push_id(im, i / 4, i, 4);
	n = drain(im, 0, 20000, ids, dues, 20000);
	CHECK_EQ_INT(n, 20000);
	for (size_t k = 0; k < n; k++) {
		CHECK_EQ_INT(ids[k], k);
		CHECK(dues[k] >= k / 4 + 10);
		/* The FIFO raise only ever adds to a delay already within bounds. */
		if (k > 0)
			CHECK(dues[k] >= dues[k - 1]);
	}
	impair_free(im);
}

TEST(loss_rate_close_to_configured)
{
	struct impair_cfg c;
	struct impair *im;

	impair_cfg_default(&c);
	c.loss = 0.05;
	im = impair_new(&c, 1234, 0);
	for (uint32_t i = 0; i < N; i++) {
		int v = push_id(im, i, i, 4);

		CHECK(v == IMPAIR_QUEUED || v == IMPAIR_DROP_LOSS);
		while (impair_pop(im, i, out, sizeof out, NULL) >= 0)
			;
	}
	check_within_5_sigma(impair_stats(im)->dropped_loss, N, 0.05);
	CHECK_EQ_U64(impair_stats(im)->forwarded + impair_stats(im)->dropped_loss, N);
	check_conservation(im);
	impair_free(im);
}

TEST(seed_reproduces_a_run_and_another_seed_differs)
{
	struct impair_cfg c;
	struct impair *a, *b, *x;
	bool differ = false;

	impair_cfg_default(&c);
	c.loss = 0.3;
	c.jitter_ms = 10;
	a = impair_new(&c, 99, 0);
	b = impair_new(&c, 99, 0);
	x = impair_new(&c, 100, 0);
	for (uint32_t i = 0; i < 1000; i++) {
		int va = push_id(a, i, i, 4), vb = push_id(b, i, i, 4), vx = push_id(x, i, i, 4);

		CHECK_EQ_INT(va, vb);
		CHECK_EQ_U64(impair_next_due(a), impair_next_due(b));
		differ = differ || va != vx;
	}
	CHECK(differ);
	impair_free(a);
	impair_free(b);
	impair_free(x);
}

/*
 * Gilbert–Elliott with enter 1 %, exit 25 %, bad-state loss 100 %: stationary
 * bad fraction pi = 0.01 / 0.26, mean burst 4. Successive datagrams are
 * correlated (lambda = 1 - 0.26), which widens the count's sigma by
 * sqrt((1 + lambda) / (1 - lambda)) = 2.59 against the Bernoulli bound.
 */
TEST(burst_loss_matches_gilbert_elliott)
{
	struct impair_cfg c;
	struct impair *im;
	uint64_t bursts = 0, lost = 0;
	bool prev = false;
	double pi = 0.01 / 0.26, sigma;

	impair_cfg_default(&c);
	c.burst = true;
	c.burst_enter = 0.01;
	c.burst_exit = 0.25;
	c.burst_loss = 1.0;
	im = impair_new(&c, 5, 0);
	for (uint32_t i = 0; i < N; i++) {
		bool l = push_id(im, i, i, 4) == IMPAIR_DROP_LOSS;

		if (l && !prev)
			bursts++;
		lost += l;
		prev = l;
		while (impair_pop(im, i, out, sizeof out, NULL) >= 0)
			;
	}
	sigma = sqrt(N * pi * (1 - pi) * (2 - 0.26) / 0.26);
	if (fabs((double)lost - N * pi) > 5 * sigma)
		TEST_FAIL("lost %llu, expected %.0f +- %.0f", (unsigned long long)lost, N * pi,
		          5 * sigma);
	printf("# lost %llu (expected %.0f, 5 sigma %.0f) in %llu bursts\n",
	       (unsigned long long)lost, N * pi, 5 * sigma, (unsigned long long)bursts);
	/* Mean burst length 1 / exit = 4; about 960 bursts make it good to +-0.7. */
	CHECK(bursts > 0);
	CHECK(fabs((double)lost / (double)bursts - 4.0) < 0.7);
	impair_free(im);
}

TEST(duplication_rate_and_copies)
{
	struct impair_cfg c;
	struct impair *im;
	uint64_t copies = 0;
	uint32_t last = UINT32_MAX;
	ssize_t len;

	impair_cfg_default(&c);
	c.dup = 0.1;
	im = impair_new(&c, 77, 0);
	for (uint32_t i = 0; i < N; i++) {
		CHECK_EQ_INT(push_id(im, i, i, 4), IMPAIR_QUEUED);
		while ((len = impair_pop(im, i, out, sizeof out, NULL)) >= 0) {
			CHECK_EQ_INT(len, 4);
			/* A duplicate is the same datagram, right behind the original. */
			if (get_id(out) == last)
				copies++;
			else
				CHECK_EQ_INT(get_id(out), i);
			last = get_id(out);
		}
	}
	check_within_5_sigma(impair_stats(im)->duplicated, N, 0.1);
	CHECK_EQ_U64(copies, impair_stats(im)->duplicated);
	CHECK_EQ_U64(impair_stats(im)->forwarded, N + copies);
	check_conservation(im);
	impair_free(im);
}

TEST(reordering_holds_datagrams_back)
{
	struct impair_cfg c;
	struct impair *im;
	static uint32_t ids[N];
	static uint64_t dues[N];
	uint64_t overtaken = 0;
	size_t n;

	impair_cfg_default(&c);
	c.reorder = 0.02;
	c.reorder_ms = 10;
	c.delay_ms = 5;
	c.max_pkts = N;
	im = impair_new(&c, 3, 0);
	for (uint32_t i = 0; i < N; i++)
		push_id(im, i, i, 4);
	n = drain(im, 0, N + 20, ids, dues, N);
	CHECK_EQ_INT(n, N);
	for (size_t k = 0; k < n; k++) {
		uint64_t d = dues[k] - ids[k];

		/* Either the plain delay or delay + reorder_ms, nothing else. */
		CHECK(d == 5 || d == 15);
		if (d == 15)
			overtaken++;
	}
	check_within_5_sigma(impair_stats(im)->reordered, N, 0.02);
	CHECK_EQ_U64(overtaken, impair_stats(im)->reordered);
	impair_free(im);
}

TEST(rate_limit_spaces_datagrams)
{
	struct impair_cfg c;
	struct impair *im;
	uint64_t due;

	/* 800 kbit/s = 100 bytes per ms: a 1000-byte datagram takes 10 ms. */
	impair_cfg_default(&c);
	c.rate_kbps = 800;
	c.queue_bytes = 5000;
	c.delay_ms = 20;
	im = impair_new(&c, 1, 0);
	for (uint32_t i = 0; i < 8; i++) {
		int v = push_id(im, 100, i, 1000);

		/* The queue holds 5000 bytes, the one being sent included. */
		CHECK_EQ_INT(v, i < 5 ? IMPAIR_QUEUED : IMPAIR_DROP_QUEUE);
	}
	CHECK_EQ_U64(impair_stats(im)->dropped_queue, 3);
	for (uint32_t i = 0; i < 5; i++) {
		uint64_t t = 100 + 10 * (i + 1) + 20;

		CHECK_EQ_INT(impair_pop(im, t - 1, out, sizeof out, NULL), ERR_AGAIN);
		CHECK_EQ_INT(impair_pop(im, t, out, sizeof out, &due), 1000);
		CHECK_EQ_INT(get_id(out), i);
		CHECK_EQ_U64(due, t);
	}
	/* At 125 ms the link has sent 2.5 datagrams: room for 2 more, not 3. */
	CHECK_EQ_INT(push_id(im, 125, 10, 1000), IMPAIR_QUEUED);
	CHECK_EQ_INT(push_id(im, 125, 11, 1000), IMPAIR_QUEUED);
	CHECK_EQ_INT(push_id(im, 125, 12, 1000), IMPAIR_DROP_QUEUE);
	CHECK_EQ_U64(impair_next_due(im), 160 + 20);
	/* An idle link starts afresh: no credit is saved up. */
	CHECK_EQ_INT(push_id(im, 1000, 13, 500), IMPAIR_QUEUED);
	drain(im, 0, 999, NULL, NULL, 0);
	CHECK_EQ_U64(impair_next_due(im), 1000 + 5 + 20);
	check_conservation(im);
	impair_free(im);
}

TEST(rate_limit_throughput_over_a_long_run)
{
	struct impair_cfg c;
	struct impair *im;
	uint64_t due = 0, t;

	/* 1 Mbit/s, 1200-byte datagrams offered at 2 Mbit/s for 10 s. */
	impair_cfg_default(&c);
	c.rate_kbps = 1000;
	c.queue_bytes = 12000;
	im = impair_new(&c, 1, 0);
	for (t = 0; t < 10000; t++) {
		if (t % 5 == 0) /* 1200 bytes every 4.8 ms ~ 2 Mbit/s */
			push_id(im, t, (uint32_t)t, 1200);
		while (impair_pop(im, t, out, sizeof out, &due) >= 0)
			;
	}
	/* 1 Mbit/s for 10 s = 1.25 MB, give or take the queue. */
	CHECK(impair_stats(im)->forwarded_bytes >= 1250000 - 12000);
	CHECK(impair_stats(im)->forwarded_bytes <= 1250000);
	CHECK(impair_stats(im)->dropped_queue > 900);
	check_conservation(im);
	impair_free(im);
}

TEST(blackout_windows_drop_everything_inside)
{
	struct impair_cfg c;
	struct impair *im;

	impair_cfg_default(&c);
	c.blackouts[0] = (struct impair_window){.start_ms = 100, .len_ms = 50};
	c.blackouts[1] = (struct impair_window){.start_ms = 300, .len_ms = 1};
	c.nblackouts = 2;
	im = impair_new(&c, 1, 5000); /* windows count from the start time */
	for (uint64_t t = 5000; t < 5400; t++) {
		uint64_t rel = t - 5000;
		bool dark = (rel >= 100 && rel < 150) || rel == 300;

		CHECK_EQ_INT(push_id(im, t, (uint32_t)t, 4),
		             dark ? IMPAIR_DROP_BLACKOUT : IMPAIR_QUEUED);
		while (impair_pop(im, t, out, sizeof out, NULL) >= 0)
			;
	}
	CHECK_EQ_U64(impair_stats(im)->dropped_blackout, 51);
	/* The manual switch (SIGUSR1) overrides, and turns off again. */
	impair_set_blackout(im, true);
	CHECK(impair_blackout(im));
	CHECK_EQ_INT(push_id(im, 6000, 1, 4), IMPAIR_DROP_BLACKOUT);
	impair_set_blackout(im, false);
	CHECK_EQ_INT(push_id(im, 6001, 1, 4), IMPAIR_QUEUED);
	check_conservation(im);
	impair_free(im);
}

TEST(in_flight_memory_is_bounded)
{
	struct impair_cfg c;
	struct impair *im;

	impair_cfg_default(&c);
	c.delay_ms = 1000;
	c.max_pkts = 100;
	c.max_bytes = 50000;
	im = impair_new(&c, 1, 0);
	for (uint32_t i = 0; i < 200; i++)
		push_id(im, i, i, 4);
	CHECK_EQ_U64(impair_stats(im)->queued, 100);
	CHECK_EQ_U64(impair_stats(im)->dropped_overflow, 100);
	drain(im, 0, 2000, NULL, NULL, 0);
	for (uint32_t i = 0; i < 20; i++)
		push_id(im, 3000, i, 10000);
	CHECK_EQ_U64(impair_stats(im)->queued, 5);
	check_conservation(im);
	impair_free(im);
}

TEST(config_check_rejects_bad_values)
{
	struct impair_cfg c;
	char err[ERR_LEN];

	impair_cfg_default(&c);
	CHECK_EQ_INT(impair_cfg_check(&c, err), 0);
	c.loss = 1.5;
	CHECK_EQ_INT(impair_cfg_check(&c, err), ERR_RANGE);
	c.loss = NAN;
	CHECK_EQ_INT(impair_cfg_check(&c, err), ERR_RANGE);
	impair_cfg_default(&c);
	c.burst = true;
	c.burst_enter = 0.1;
	c.burst_exit = 0;
	CHECK_EQ_INT(impair_cfg_check(&c, err), ERR_RANGE);
	impair_cfg_default(&c);
	c.max_pkts = 0;
	CHECK_EQ_INT(impair_cfg_check(&c, err), ERR_RANGE);
}

int main(void)
{
	RUN(no_impairment_delivers_at_once);
	RUN(delay_is_exact);
	RUN(jitter_uniform_within_bounds);
	RUN(jitter_normal_within_bounds);
	RUN(no_reorder_keeps_fifo_despite_jitter);
	RUN(loss_rate_close_to_configured);
	RUN(seed_reproduces_a_run_and_another_seed_differs);
	RUN(burst_loss_matches_gilbert_elliott);
	RUN(duplication_rate_and_copies);
	RUN(reordering_holds_datagrams_back);
	RUN(rate_limit_spaces_datagrams);
	RUN(rate_limit_throughput_over_a_long_run);
	RUN(blackout_windows_drop_everything_inside);
	RUN(in_flight_memory_is_bounded);
	RUN(config_check_rejects_bad_values);
	return test_done();
}
