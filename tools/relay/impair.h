/*
 * The impairment model of one direction of an emulated link: a pure module
 * with injected time (ms) and its own seeded PRNG, so the same seed and the
 * same arrivals always give the same drops and delivery times.
 *
 * A datagram pushed at time `now` goes through these stages, in order:
 *  1. blackout: dropped if `now` lies in a configured window [start, start+len)
 *     (relative to the model's start time) or while a toggled blackout is on;
 *  2. loss: dropped with probability `loss`, or by the Gilbert–Elliott chain
 *     when `burst` is on (the state steps once per datagram, then the datagram
 *     is lost with the loss probability of the new state: `loss` in Good,
 *     `burst_loss` in Bad);
 *  3. duplication: with probability `dup` a second copy follows; each copy
 *     goes through the stages below on its own (own jitter, own link time);
 *  4. rate limit (rate_kbps > 0): a FIFO bottleneck serialising len*8/rate ms
 *     per copy; the queue holds at most queue_bytes not yet serialised
 *     (including the copy being sent); a copy that does not fit is tail-dropped;
 *  5. propagation: delay_ms plus jitter (uniform integer in [-jitter, +jitter],
 *     or normal with sigma jitter/2 clipped to +-jitter), never below zero;
 *     with no_reorder the delivery time is raised to the previous one so the
 *     order of arrival is kept;
 *  6. reordering: with probability `reorder` a copy is held reorder_ms longer
 *     (exempt from no_reorder), so copies pushed within that time overtake it.
 * Copies then wait in a min-heap ordered by (delivery time, push order) until
 * impair_pop() hands them out. The heap is bounded by max_pkts and max_bytes:
 * a copy that would exceed either is dropped ("overflow"), so memory stays
 * bounded whatever the offered load.
 *
 * Invariants: received + duplicated == dropped_blackout + dropped_loss +
 * dropped_queue + dropped_overflow + forwarded + queued (each copy is counted
 * once); every accepted copy is popped exactly once, at or after its delivery
 * time, and never before an earlier-due copy.
 */
#ifndef MOSHC_TOOLS_IMPAIR_H
#define MOSHC_TOOLS_IMPAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/err.h"

#define IMPAIR_MAX_BLACKOUTS 32
#define IMPAIR_MAX_DGRAM 65535

enum impair_jitter_dist {
	IMPAIR_JITTER_UNIFORM = 0,
	IMPAIR_JITTER_NORMAL = 1,
};

struct impair_window {
	uint64_t start_ms;
	uint64_t len_ms;
};

struct impair_cfg {
	uint32_t delay_ms;
	uint32_t jitter_ms;
	enum impair_jitter_dist jitter_dist;
	bool no_reorder;
	double loss; /* probabilities in [0, 1] */
	bool burst;  /* Gilbert–Elliott instead of independent loss */
	double burst_enter, burst_exit, burst_loss;
	double dup;
	double reorder;
	uint32_t reorder_ms;
	uint32_t rate_kbps; /* 0: unlimited */
	uint32_t queue_bytes;
	size_t max_pkts, max_bytes;
	struct impair_window blackouts[IMPAIR_MAX_BLACKOUTS];
	size_t nblackouts;
};

struct impair_stats {
	uint64_t received, received_bytes;
	uint64_t forwarded, forwarded_bytes;      /* copies popped, duplicates included */
	uint64_t dropped_blackout, dropped_loss;  /* datagrams */
	uint64_t dropped_queue, dropped_overflow; /* copies */
	uint64_t duplicated;                      /* extra copies made */
	uint64_t reordered;                       /* copies held back */
	uint64_t queued;                          /* copies waiting now */
};

/* What impair_push() did with a datagram. */
enum impair_verdict {
	IMPAIR_QUEUED = 0, /* at least one copy waits for delivery */
	IMPAIR_DROP_BLACKOUT,
	IMPAIR_DROP_LOSS,
	IMPAIR_DROP_QUEUE,
	IMPAIR_DROP_OVERFLOW,
};

struct impair;

/* No impairment, a 64 kB bottleneck queue and a 4096-copy / 16 MiB heap. */
void impair_cfg_default(struct impair_cfg *cfg);
/* 0, or ERR_RANGE with a sentence in err naming the bad value. */
int impair_cfg_check(const struct impair_cfg *cfg, char *err);

/* cfg is copied; blackout windows count from start_ms. */
struct impair *impair_new(const struct impair_cfg *cfg, uint64_t seed, uint64_t start_ms);
void impair_free(struct impair *im);

/*
 * Offer a datagram arriving at now (times must not go back). Returns an
 * impair_verdict, or ERR_RANGE for a datagram longer than IMPAIR_MAX_DGRAM.
 */
int impair_push(struct impair *im, uint64_t now, const void *data, size_t len);

/* Delivery time of the earliest waiting copy, or UINT64_MAX when none waits. */
uint64_t impair_next_due(const struct impair *im);

/*
 * Hand out the earliest copy due at or before now: copies it into buf (cap
 * must be at least IMPAIR_MAX_DGRAM) and returns its length, setting *due to
 * its delivery time when due is not NULL. ERR_AGAIN when nothing is due.
 */
ssize_t impair_pop(struct impair *im, uint64_t now, void *buf, size_t cap, uint64_t *due);

/* A manual blackout on top of the configured windows (SIGUSR1). */
void impair_set_blackout(struct impair *im, bool on);
bool impair_blackout(const struct impair *im);

/* Borrowed, valid until impair_free(). */
const struct impair_stats *impair_stats(const struct impair *im);

#endif
