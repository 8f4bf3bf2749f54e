/*
 * One direction of an impaired link; the model and its invariants are in
 * impair.h. Randomness is xoshiro256** seeded through splitmix64, drawn in a
 * fixed order per datagram (loss, duplication, then per copy jitter and
 * reordering), so a seed reproduces a run exactly. The bottleneck is kept in
 * nanoseconds: serialisation times are floored, so a sum of per-copy times
 * never exceeds the time of the summed bytes and a queue of N bytes always
 * admits N bytes.
 */
#include "impair.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

struct impair_entry {
	uint64_t due;
	uint64_t seq; /* push order: the tie-break that keeps equal-due copies FIFO */
	size_t len;
	uint8_t *data;
};

struct impair {
	struct impair_cfg cfg;
	uint64_t start_ms;
	uint64_t rng[4];
	bool bad; /* Gilbert–Elliott state */
	bool manual_blackout;
	uint64_t link_free_ns; /* when the bottleneck finishes its backlog */
	uint64_t last_due;     /* for no_reorder */
	uint64_t next_seq;
	struct impair_entry *heap;
	size_t nheap, capheap;
	size_t heap_bytes;
	struct impair_stats st;
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct impair *im)
{
	uint64_t *s = im->rng;
	uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

/* Uniform in [0, 1) with 53 bits. */
static double rng_unit(struct impair *im)
{
	return (double)(rng_next(im) >> 11) * 0x1.0p-53;
}

static bool rng_chance(struct impair *im, double p)
{
	/* p == 0 draws nothing, so switching an impairment off does not shift the others. */
	if (p <= 0.0)
		return false;
	return rng_unit(im) < p;
}

/* Uniform integer in [0, n) without modulo bias. */
static uint64_t rng_below(struct impair *im, uint64_t n)
{
	uint64_t limit = UINT64_MAX - UINT64_MAX % n, x;

	do
		x = rng_next(im);
	while (x >= limit);
	return x % n;
}

void impair_cfg_default(struct impair_cfg *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->burst_loss = 1.0;
	cfg->reorder_ms = 30;
	cfg->queue_bytes = 64 * 1024;
	cfg->max_pkts = 4096;
	cfg->max_bytes = 16u * 1024 * 1024;
}

static bool prob_ok(double p)
{
	return p >= 0.0 && p <= 1.0; /* false for NaN too */
}

int impair_cfg_check(const struct impair_cfg *cfg, char *err)
{
	if (!prob_ok(cfg->loss) || !prob_ok(cfg->dup) || !prob_ok(cfg->reorder) ||
	    !prob_ok(cfg->burst_enter) || !prob_ok(cfg->burst_exit) || !prob_ok(cfg->burst_loss))
		return err_set(err, ERR_RANGE, "percentages must lie between 0 and 100");
	if (cfg->burst && cfg->burst_enter > 0.0 && cfg->burst_exit <= 0.0)
		return err_set(err, ERR_RANGE,
		               "a burst-loss exit probability of 0 never leaves the bad state: "
		               "give it a value above 0");
	if (cfg->max_pkts == 0 || cfg->max_bytes == 0)
		return err_set(err, ERR_RANGE, "the in-flight limits must be above 0");
	if (cfg->nblackouts > IMPAIR_MAX_BLACKOUTS)
		return err_set(err, ERR_RANGE, "at most %d blackout windows", IMPAIR_MAX_BLACKOUTS);
	return 0;
}

struct impair *impair_new(const struct impair_cfg *cfg, uint64_t seed, uint64_t start_ms)
{
	struct impair *im = xcalloc(1, sizeof *im);

	ASSERT(impair_cfg_check(cfg, NULL) == 0);
	im->cfg = *cfg;
	im->start_ms = start_ms;
	for (int i = 0; i < 4; i++)
		im->rng[i] = splitmix64(&seed);
	return im;
}

void impair_free(struct impair *im)
{
	if (im == NULL)
		return;
	for (size_t i = 0; i < im->nheap; i++)
		free(im->heap[i].data);
	free(im->heap);
	free(im);
}

static bool entry_before(const struct impair_entry *a, const struct impair_entry *b)
{
	return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void heap_swap(struct impair *im, size_t i, size_t j)
{
	struct impair_entry t = im->heap[i];

	im->heap[i] = im->heap[j];
	im->heap[j] = t;
}

static void heap_push(struct impair *im, struct impair_entry e)
{
	size_t i;

	if (im->nheap == im->capheap) {
		im->capheap = im->capheap ? im->capheap * 2 : 16;
		im->heap = xreallocarray(im->heap, im->capheap, sizeof *im->heap);
	}
	i = im->nheap++;
	im->heap[i] = e;
	while (i > 0 && entry_before(&im->heap[i], &im->heap[(i - 1) / 2])) {
		heap_swap(im, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static struct impair_entry heap_pop(struct impair *im)
{
	struct impair_entry top = im->heap[0];
	size_t i = 0;

	im->heap[0] = im->heap[--im->nheap];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < im->nheap && entry_before(&im->heap[l], &im->heap[m]))
			m = l;
		if (r < im->nheap && entry_before(&im->heap[r], &im->heap[m]))
			m = r;
		if (m == i)
			break;
		heap_swap(im, i, m);
		i = m;
	}
	return top;
}

static bool in_blackout(const struct impair *im, uint64_t now)
{
	uint64_t t;

	if (im->manual_blackout)
		return true;
	if (now < im->start_ms)
		return false;
	t = now - im->start_ms;
	for (size_t i = 0; i < im->cfg.nblackouts; i++) {
		const struct impair_window *w = &im->cfg.blackouts[i];

		if (t >= w->start_ms && t - w->start_ms < w->len_ms)
			return true;
	}
	return false;
}

static bool lost(struct impair *im)
{
	const struct impair_cfg *c = &im->cfg;

	if (!c->burst)
		return rng_chance(im, c->loss);
	if (im->bad ? rng_chance(im, c->burst_exit) : rng_chance(im, c->burst_enter))
		im->bad = !im->bad;
	return rng_chance(im, im->bad ? c->burst_loss : c->loss);
}

static uint64_t ser_ns(const struct impair *im, size_t len)
{
	return (uint64_t)len * 8u * 1000000u / im->cfg.rate_kbps;
}

/* The time the bottleneck has finished sending this copy, or false for a tail drop. */
static bool bottleneck(struct impair *im, uint64_t now, size_t len, uint64_t *depart)
{
	uint64_t now_ns = now * 1000000u, backlog;

	if (im->cfg.rate_kbps == 0) {
		*depart = now;
		return true;
	}
	if (im->link_free_ns < now_ns)
		im->link_free_ns = now_ns;
	backlog = im->link_free_ns - now_ns;
	if (backlog + ser_ns(im, len) > ser_ns(im, im->cfg.queue_bytes))
		return false;
	im->link_free_ns += ser_ns(im, len);
	*depart = (im->link_free_ns + 999999u) / 1000000u;
	return true;
}

static int64_t jitter(struct impair *im)
{
	int64_t j = im->cfg.jitter_ms;
	double u1, u2, g;

	if (j == 0)
		return 0;
	if (im->cfg.jitter_dist == IMPAIR_JITTER_UNIFORM)
		return (int64_t)rng_below(im, (uint64_t)(2 * j + 1)) - j;
	/* Box–Muller; 1 - u keeps the logarithm's argument in (0, 1]. */
	u1 = 1.0 - rng_unit(im);
	u2 = rng_unit(im);
	g = sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2) * (double)j / 2.0;
	if (g > (double)j)
		g = (double)j;
	if (g < (double)-j)
		g = (double)-j;
	return (int64_t)llround(g);
}

/* Schedule one copy; returns 0 or the verdict of its drop. */
static int schedule(struct impair *im, uint64_t now, const void *data, size_t len)
{
	struct impair_entry e;
	uint64_t depart;
	int64_t d;

	if (!bottleneck(im, now, len, &depart)) {
		im->st.dropped_queue++;
		return IMPAIR_DROP_QUEUE;
	}
	d = (int64_t)im->cfg.delay_ms + jitter(im);
	e.due = depart + (uint64_t)(d > 0 ? d : 0);
	if (rng_chance(im, im->cfg.reorder)) {
		e.due += im->cfg.reorder_ms;
		im->st.reordered++;
	} else if (im->cfg.no_reorder) {
		if (e.due < im->last_due)
			e.due = im->last_due;
		im->last_due = e.due;
	}
	if (im->nheap >= im->cfg.max_pkts || im->heap_bytes + len > im->cfg.max_bytes) {
		im->st.dropped_overflow++;
		return IMPAIR_DROP_OVERFLOW;
	}
	e.seq = im->next_seq++;
	e.len = len;
	e.data = xmemdup(data, len ? len : 1);
	heap_push(im, e);
	im->heap_bytes += len;
	im->st.queued++;
	return 0;
}

int impair_push(struct impair *im, uint64_t now, const void *data, size_t len)
{
	int copies = 1, drop = 0;
	bool queued = false;

	REQUIRE(len <= IMPAIR_MAX_DGRAM, ERR_RANGE);
	im->st.received++;
	im->st.received_bytes += len;
	if (in_blackout(im, now)) {
		im->st.dropped_blackout++;
		return IMPAIR_DROP_BLACKOUT;
	}
	if (lost(im)) {
		im->st.dropped_loss++;
		return IMPAIR_DROP_LOSS;
	}
	if (rng_chance(im, im->cfg.dup)) {
		copies = 2;
		im->st.duplicated++;
	}
	for (int i = 0; i < copies; i++) {
		int r = schedule(im, now, data, len);

		if (r == 0)
			queued = true;
		else
			drop = r;
	}
	return queued ? IMPAIR_QUEUED : drop;
}

uint64_t impair_next_due(const struct impair *im)
{
	return im->nheap ? im->heap[0].due : UINT64_MAX;
}

ssize_t impair_pop(struct impair *im, uint64_t now, void *buf, size_t cap, uint64_t *due)
{
	struct impair_entry e;

	if (im->nheap == 0 || im->heap[0].due > now)
		return ERR_AGAIN;
	ASSERT(cap >= im->heap[0].len);
	e = heap_pop(im);
	memcpy(buf, e.data, e.len);
	free(e.data);
	im->heap_bytes -= e.len;
	im->st.queued--;
	im->st.forwarded++;
	im->st.forwarded_bytes += e.len;
	if (due != NULL)
		*due = e.due;
	return (ssize_t)e.len;
}

void impair_set_blackout(struct impair *im, bool on)
{
	im->manual_blackout = on;
}

bool impair_blackout(const struct impair *im)
{
	return im->manual_blackout;
}

const struct impair_stats *impair_stats(const struct impair *im)
{
	return &im->st;
}
