/*
 * SSP sender and receiver (doc/PROTOCOL.md 5.3, 5.4, 5.7); see ssp.h for the model.
 *
 * Timers follow mosh 1.4: next_ack_time and next_send_time are recomputed
 * before every decision from the current state, the sent states and the RTT
 * estimates; a tick acts when either has passed. The assumed receiver state
 * is an index into sent_states, recomputed before each use.
 */
#include "ssp/ssp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "crypto/random.h"
#include "util/err.h"
#include "util/xmalloc.h"

struct ssp_entry {
	uint64_t num;
	uint64_t time;  /* when last transmitted */
	uint64_t first; /* when first transmitted */
	void *state;
};

/* A received state: as ssp_entry, plus its size() when last measured. */
struct ssp_received {
	uint64_t num;
	uint64_t time;
	void *state;
	size_t size;
};

struct ssp {
	const struct ssp_state_ops *lops, *rops;
	ssp_send_fn *send;
	void *send_arg;
	ssp_random_fn *random;
	void *random_arg;
	uint64_t send_mindelay;

	/* sender */
	void *current;
	bool current_borrowed; /* cfg.local_live: not ours to free */
	struct ssp_entry sent[SSP_SENT_STATES_MAX + 1];
	size_t nsent;
	size_t assumed; /* index into sent */
	uint64_t next_ack_time, next_send_time, mindelay_clock;
	bool pending_data_ack;
	uint64_t ack_num;       /* newest received state number, sent as ack_num */
	uint64_t last_sent_ack; /* ack_num of the last instruction sent */
	bool sent_any;
	uint64_t last_heard; /* when the newest remote state arrived */
	bool peer_known;
	double srtt;
	uint64_t rto;
	bool shutdown;
	uint64_t shutdown_start;
	unsigned shutdown_tries;

	/* receiver */
	struct ssp_received *recv;
	size_t nrecv, recv_cap;
	size_t recv_bytes; /* sum of recv[].size */
	uint64_t quench_until;
	bool roundtrip_known;
	uint64_t roundtrip;

	struct ssp_stats stats;
	/* A resend episode: the first state that expired and the resend's
	 * number; expired_first 0: none pending. An acknowledgement of any
	 * state from expired_first on shows they were only late; one of the
	 * resend or later without it counts as a loss. */
	uint64_t expired_first, resend_num;
	uint64_t fg_sent; /* when a frame with a foreground change last went (ops.background) */
	bool loss_probe;  /* ssp_set_loss_probe */
};

static void random_default(void *arg, void *out, size_t len)
{
	crypto_random(out, len);
}

static size_t remote_size(const struct ssp *s, const void *state)
{
	return s->rops->size ? s->rops->size(state) : 0;
}

struct ssp *ssp_new(const struct ssp_config *cfg, uint64_t now)
{
	struct ssp *s = xcalloc(1, sizeof(*s));

	ASSERT(cfg->local_ops && cfg->remote_ops && cfg->send);
	ASSERT(cfg->local_initial && cfg->remote_initial);
	s->lops = cfg->local_ops;
	s->rops = cfg->remote_ops;
	s->send = cfg->send;
	s->send_arg = cfg->send_arg;
	s->random = cfg->random ? cfg->random : random_default;
	s->random_arg = cfg->random_arg;
	s->send_mindelay = cfg->send_mindelay;

	if (cfg->local_live != NULL) {
		s->current = cfg->local_live;
		s->current_borrowed = true;
		s->sent[0] = (struct ssp_entry){0, now, now, cfg->local_initial};
	} else {
		s->current = cfg->local_initial;
		s->sent[0] = (struct ssp_entry){0, now, now, s->lops->copy(s->current)};
	}
	s->nsent = 1;
	s->next_ack_time = now;
	s->next_send_time = now;
	s->mindelay_clock = SSP_NEVER;
	s->last_heard = SSP_NEVER;
	s->peer_known = true;
	s->srtt = 1000;
	s->rto = 1000;

	s->recv_cap = 16;
	s->recv = xreallocarray(NULL, s->recv_cap, sizeof(*s->recv));
	s->recv[0] = (struct ssp_received){0, now, cfg->remote_initial, 0};
	s->nrecv = 1;
	s->recv[0].size = s->recv_bytes = remote_size(s, cfg->remote_initial);
	return s;
}

void ssp_free(struct ssp *s)
{
	if (!s)
		return;
	if (!s->current_borrowed)
		s->lops->free(s->current);
	for (size_t i = 0; i < s->nsent; i++)
		s->lops->free(s->sent[i].state);
	for (size_t i = 0; i < s->nrecv; i++)
		s->rops->free(s->recv[i].state);
	free(s->recv);
	free(s);
}

void *ssp_current(struct ssp *s)
{
	return s->current;
}

const void *ssp_remote(const struct ssp *s)
{
	return s->recv[s->nrecv - 1].state;
}

uint64_t ssp_remote_num(const struct ssp *s)
{
	return s->recv[s->nrecv - 1].num;
}

uint64_t ssp_last_heard(const struct ssp *s)
{
	return s->last_heard;
}

void ssp_set_rtt(struct ssp *s, double srtt, uint64_t rto)
{
	s->srtt = srtt;
	s->rto = rto;
}

void ssp_set_peer_known(struct ssp *s, bool known)
{
	s->peer_known = known;
}

void ssp_set_send_mindelay(struct ssp *ssp, uint64_t ms)
{
	ssp->send_mindelay = ms;
}

void ssp_set_loss_probe(struct ssp *s, bool on)
{
	s->loss_probe = on;
}

uint64_t ssp_send_interval(const struct ssp *s)
{
	double half = ceil(s->srtt / 2.0);

	if (!(half >= SSP_SEND_INTERVAL_MIN))
		return SSP_SEND_INTERVAL_MIN;
	if (half > SSP_SEND_INTERVAL_MAX)
		return SSP_SEND_INTERVAL_MAX;
	return (uint64_t)half;
}

/* a - b without wrapping below zero (a fake or coarse clock may tie). */
static uint64_t since(uint64_t now, uint64_t then)
{
	return now > then ? now - then : 0;
}

static bool heard_recently(const struct ssp *s, uint64_t now)
{
	return s->last_heard != SSP_NEVER && since(now, s->last_heard) < SSP_ACTIVE_RETRY_TIMEOUT;
}

/* States sent less than RTO + ACK_DELAY ago are given the benefit of the doubt. */
static void update_assumed(struct ssp *s, uint64_t now)
{
	s->assumed = 0;
	for (size_t i = 1; i < s->nsent; i++) {
		if (since(now, s->sent[i].time) >= s->rto + SSP_ACK_DELAY)
			break;
		s->assumed = i;
	}
}

static void rationalize(struct ssp *s)
{
	const void *known = s->sent[0].state;

	if (!s->lops->subtract)
		return;
	s->lops->subtract(s->current, known);
	/* The head last: it is the prefix the others are cut by. */
	for (size_t i = s->nsent; i-- > 0;)
		s->lops->subtract(s->sent[i].state, known);
}

static void calculate_timers(struct ssp *s, uint64_t now)
{
	const struct ssp_state_ops *o = s->lops;
	uint64_t interval = ssp_send_interval(s);
	uint64_t last_sent = s->sent[s->nsent - 1].time;
	uint64_t paced = last_sent;

	update_assumed(s, now);
	rationalize(s);

	if (s->pending_data_ack && s->next_ack_time > now + SSP_ACK_DELAY)
		s->next_ack_time = now + SSP_ACK_DELAY;

	if (!o->equal(s->current, s->sent[s->nsent - 1].state)) {
		if (o->background != NULL &&
		    !o->background(s->sent[s->nsent - 1].state, s->current))
			paced = s->fg_sent;
		if (s->mindelay_clock == SSP_NEVER)
			s->mindelay_clock = now;
		s->next_send_time = s->mindelay_clock + s->send_mindelay;
		if (paced + interval > s->next_send_time)
			s->next_send_time = paced + interval;
	} else if (!o->equal(s->current, s->sent[s->assumed].state) && heard_recently(s, now)) {
		s->next_send_time = last_sent + interval;
		if (s->mindelay_clock != SSP_NEVER &&
		    s->mindelay_clock + s->send_mindelay > s->next_send_time)
			s->next_send_time = s->mindelay_clock + s->send_mindelay;
	} else if (!o->equal(s->current, s->sent[0].state) && heard_recently(s, now)) {
		s->next_send_time = last_sent + s->rto + SSP_ACK_DELAY;
	} else {
		s->next_send_time = SSP_NEVER;
	}

	if (s->shutdown || s->ack_num == SSP_NUM_SHUTDOWN)
		s->next_ack_time = last_sent + interval;
}

/* Append a sent state; past the cap, drop one from the middle (5.1). */
static void add_sent(struct ssp *s, uint64_t now, uint64_t num)
{
	s->sent[s->nsent++] = (struct ssp_entry){num, now, now, s->lops->copy(s->current)};
	if (s->nsent > SSP_SENT_STATES_MAX) {
		size_t victim = s->nsent - SSP_SENT_STATES_CULL;

		s->lops->free(s->sent[victim].state);
		memmove(&s->sent[victim], &s->sent[victim + 1],
		        (s->nsent - victim - 1) * sizeof(s->sent[0]));
		s->nsent--;
		if (s->assumed >= victim && s->assumed > 0)
			s->assumed--;
	}
}

static void transmit(struct ssp *s, uint64_t now, const struct buf *diff, uint64_t new_num)
{
	uint8_t chaff[SSP_CHAFF_MAX];
	uint8_t lenbyte;
	struct ssp_instruction inst;

	s->random(s->random_arg, &lenbyte, 1);
	inst.chaff_len = lenbyte % (SSP_CHAFF_MAX + 1);
	if (inst.chaff_len)
		s->random(s->random_arg, chaff, inst.chaff_len);
	inst.chaff = chaff;
	inst.old_num = s->sent[s->assumed].num;
	inst.new_num = new_num;
	inst.ack_num = s->ack_num;
	inst.throwaway_num = s->sent[0].num;
	inst.diff = diff->data;
	inst.diff_len = diff->len;
	ASSERT(inst.old_num >= inst.throwaway_num);

	if (new_num == SSP_NUM_SHUTDOWN)
		s->shutdown_tries++;
	s->stats.sent++;
	if (diff->len == 0)
		s->stats.sent_empty++;
	s->last_sent_ack = s->ack_num;
	s->sent_any = true;
	s->pending_data_ack = false;
	s->send(s->send_arg, now, &inst);
}

static void send_empty_ack(struct ssp *s, uint64_t now, const struct buf *empty)
{
	uint64_t num = s->shutdown ? SSP_NUM_SHUTDOWN : s->sent[s->nsent - 1].num + 1;

	add_sent(s, now, num);
	transmit(s, now, empty, num);
	s->fg_sent = now;
	s->next_ack_time = now + SSP_ACK_INTERVAL;
	s->next_send_time = SSP_NEVER;
}

/* fresh: a new number even for the state last sent. */
static void send_diff(struct ssp *s, uint64_t now, const struct buf *diff, bool fresh)
{
	struct ssp_entry *last = &s->sent[s->nsent - 1];
	uint64_t num;
	bool same = !fresh && s->lops->equal(s->current, last->state);

	if (s->lops->background == NULL || !s->lops->background(last->state, s->current))
		s->fg_sent = now;

	num = same ? last->num : last->num + 1;
	if (s->shutdown)
		num = SSP_NUM_SHUTDOWN;
	if (num == last->num)
		last->time = now;
	else
		add_sent(s, now, num);
	transmit(s, now, diff, num);
	s->assumed = s->nsent - 1;
	s->next_ack_time = now + SSP_ACK_INTERVAL;
	s->next_send_time = SSP_NEVER;
}

/*
 * If the peer is only assumed to hold a newer state, a diff from the
 * acknowledged head repairs any loss; prefer it when it costs little.
 */
static void prospective_resend(struct ssp *s, struct buf *diff)
{
	struct buf alt;

	if (s->assumed == 0)
		return;
	buf_init(&alt);
	s->lops->diff(s->sent[0].state, s->current, &alt);
	if (alt.len <= diff->len ||
	    (alt.len < SSP_RESEND_SHORT && alt.len - diff->len <= SSP_RESEND_EXTRA)) {
		s->assumed = 0;
		buf_fini(diff);
		*diff = alt;
	} else {
		buf_fini(&alt);
	}
}

static int64_t wait_from_timers(const struct ssp *s, uint64_t now)
{
	uint64_t next = s->next_ack_time < s->next_send_time ? s->next_ack_time : s->next_send_time;

	if (!s->peer_known || next == SSP_NEVER)
		return -1;
	if (next <= now)
		return 0;
	return (int64_t)(next - now);
}

int64_t ssp_wait_ms(struct ssp *s, uint64_t now)
{
	calculate_timers(s, now);
	return wait_from_timers(s, now);
}

/*
 * The first state after the assumed one that holds more than it, when one
 * holding more went unacknowledged past RTO + ACK_DELAY since it was first
 * sent (resends under its number refresh only its send time); 0 otherwise.
 * Empty acks do not count: the peer acknowledges them only at leisure.
 */
static uint64_t expired_data(const struct ssp *s, uint64_t now)
{
	const void *base = s->sent[s->assumed].state;
	size_t i, last = s->assumed;

	for (i = s->assumed + 1; i < s->nsent; i++)
		if (since(now, s->sent[i].first) >= s->rto + SSP_ACK_DELAY)
			last = i;
	if (last == s->assumed || s->lops->equal(base, s->sent[last].state))
		return 0;
	for (i = s->assumed + 1; s->lops->equal(base, s->sent[i].state); i++)
		;
	return s->sent[i].num;
}

int64_t ssp_tick(struct ssp *s, uint64_t now)
{
	struct buf diff;
	uint64_t expired = 0;

	calculate_timers(s, now);
	if (!s->peer_known)
		return -1;
	if (now < s->next_ack_time && now < s->next_send_time)
		return wait_from_timers(s, now);

	buf_init(&diff);
	if (s->expired_first == 0)
		expired = expired_data(s, now);
	s->lops->diff(s->sent[s->assumed].state, s->current, &diff);
	prospective_resend(s, &diff);

	if (diff.len == 0) {
		if (now >= s->next_ack_time) {
			send_empty_ack(s, now, &diff);
			s->mindelay_clock = SSP_NEVER;
		}
		if (now >= s->next_send_time) {
			s->next_send_time = SSP_NEVER;
			s->mindelay_clock = SSP_NEVER;
		}
	} else {
		/* A resend episode starts: its first resend takes a new number
		 * even for an unchanged state (a sender held by a window), so
		 * that the peer's ack tells it from the expired states'. */
		send_diff(s, now, &diff, expired != 0 && s->loss_probe);
		if (expired != 0) {
			s->expired_first = expired;
			s->resend_num = s->sent[s->nsent - 1].num;
			s->stats.timeouts++;
		}
		s->mindelay_clock = SSP_NEVER;
	}
	buf_fini(&diff);
	return ssp_wait_ms(s, now);
}

/* The peer acknowledged ack_num: states before it are no longer needed. */
static void process_ack(struct ssp *s, uint64_t ack)
{
	size_t i, drop = 0;

	for (i = 0; i < s->nsent; i++)
		if (s->sent[i].num == ack)
			break;
	if (i == s->nsent)
		return; /* culled from the middle, or never sent: ignore */
	if (s->expired_first != 0 && ack >= s->expired_first) {
		if (ack >= s->resend_num)
			s->stats.losses++;
		s->expired_first = 0;
	}
	while (drop < s->nsent && s->sent[drop].num < ack)
		drop++;
	for (i = 0; i < drop; i++)
		s->lops->free(s->sent[i].state);
	memmove(&s->sent[0], &s->sent[drop], (s->nsent - drop) * sizeof(s->sent[0]));
	s->nsent -= drop;
	s->assumed = s->assumed >= drop ? s->assumed - drop : 0;
	ASSERT(s->nsent > 0);
}

static ssize_t find_received(const struct ssp *s, uint64_t num)
{
	for (size_t i = 0; i < s->nrecv; i++)
		if (s->recv[i].num == num)
			return (ssize_t)i;
	return -1;
}

/* Free the first n received states (n < nrecv). */
static void drop_oldest_received(struct ssp *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		s->recv_bytes -= s->recv[i].size;
		s->rops->free(s->recv[i].state);
	}
	memmove(&s->recv[0], &s->recv[n], (s->nrecv - n) * sizeof(s->recv[0]));
	s->nrecv -= n;
}

/* Drop received states numbered below throwaway; old_num >= throwaway keeps one. */
static void throw_away(struct ssp *s, uint64_t throwaway)
{
	size_t drop = 0;

	while (drop < s->nrecv - 1 && s->recv[drop].num < throwaway)
		drop++;
	drop_oldest_received(s, drop);
	if (drop && s->rops->subtract) {
		s->recv_bytes = 0;
		for (size_t i = s->nrecv; i-- > 0;) {
			s->rops->subtract(s->recv[i].state, s->recv[0].state);
			s->recv[i].size = remote_size(s, s->recv[i].state);
			s->recv_bytes += s->recv[i].size;
		}
	}
}

/* Over the memory budget: drop the oldest received states, never the newest. */
static void evict_over_budget(struct ssp *s)
{
	size_t drop = 0, bytes = s->recv_bytes;

	while (bytes > SSP_RECEIVED_BYTES_MAX && drop < s->nrecv - 1)
		bytes -= s->recv[drop++].size;
	s->stats.rx_evicted += drop;
	drop_oldest_received(s, drop);
}

int ssp_receive(struct ssp *s, uint64_t now, const struct ssp_instruction *in)
{
	ssize_t ref;
	size_t pos, size;
	void *state;
	bool newest;
	int rc;

	s->stats.received++;
	process_ack(s, in->ack_num);
	s->roundtrip_known = true;
	s->roundtrip = s->sent[0].time;

	if (find_received(s, in->new_num) >= 0) {
		s->stats.rx_duplicate++;
		return SSP_RX_DUPLICATE;
	}
	ref = find_received(s, in->old_num);
	if (ref < 0) {
		s->stats.rx_no_base++;
		return SSP_RX_NO_BASE;
	}
	if (in->throwaway_num > in->old_num) {
		/* The peer promised never to do this; obeying could empty the list. */
		s->stats.rx_bad_throwaway++;
		return ERR_PROTO;
	}
	/* The base survives: its number is old_num >= throwaway_num. */
	throw_away(s, in->throwaway_num);
	ref = find_received(s, in->old_num);
	ASSERT(ref >= 0);
	if (s->nrecv > SSP_RECEIVED_STATES_MAX) {
		if (now < s->quench_until) {
			s->stats.rx_quenched++;
			return SSP_RX_QUENCHED;
		}
		s->quench_until = now + SSP_QUENCH_INTERVAL;
	}

	state = s->rops->copy(s->recv[ref].state);
	if (in->diff_len > 0) {
		rc = s->rops->apply(state, in->diff, in->diff_len);
		if (rc < 0) {
			s->rops->free(state);
			s->stats.rx_bad_diff++;
			return rc;
		}
	}
	size = remote_size(s, state);
	newest = in->new_num > s->recv[s->nrecv - 1].num;
	if (!newest && (s->recv_bytes > SSP_RECEIVED_BYTES_MAX ||
	                size > SSP_RECEIVED_BYTES_MAX - s->recv_bytes)) {
		/* Evicting for it could drop the newest state: drop it instead. */
		s->rops->free(state);
		s->stats.rx_quenched++;
		return SSP_RX_QUENCHED;
	}

	if (s->nrecv == s->recv_cap) {
		s->recv_cap *= 2;
		s->recv = xreallocarray(s->recv, s->recv_cap, sizeof(*s->recv));
	}
	for (pos = s->nrecv; pos > 0 && s->recv[pos - 1].num > in->new_num; pos--)
		;
	memmove(&s->recv[pos + 1], &s->recv[pos], (s->nrecv - pos) * sizeof(s->recv[0]));
	s->recv[pos] = (struct ssp_received){in->new_num, now, state, size};
	s->nrecv++;
	s->recv_bytes += size;
	if (!newest) {
		s->stats.rx_inserted++;
		return SSP_RX_INSERTED;
	}
	evict_over_budget(s);
	s->ack_num = in->new_num;
	s->last_heard = now;
	if (in->diff_len > 0)
		s->pending_data_ack = true;
	s->stats.rx_newest++;
	return SSP_RX_NEWEST;
}

bool ssp_last_roundtrip(const struct ssp *s, uint64_t *when)
{
	if (s->roundtrip_known && when)
		*when = s->roundtrip;
	return s->roundtrip_known;
}

void ssp_start_shutdown(struct ssp *s, uint64_t now)
{
	if (s->shutdown)
		return;
	s->shutdown = true;
	s->shutdown_start = now;
}

bool ssp_shutdown_in_progress(const struct ssp *s)
{
	return s->shutdown;
}

bool ssp_shutdown_acknowledged(const struct ssp *s)
{
	return s->sent[0].num == SSP_NUM_SHUTDOWN;
}

bool ssp_shutdown_timed_out(const struct ssp *s, uint64_t now)
{
	return s->shutdown && (s->shutdown_tries >= SSP_SHUTDOWN_RETRIES ||
	                       since(now, s->shutdown_start) >= SSP_ACTIVE_RETRY_TIMEOUT);
}

bool ssp_remote_shutdown(const struct ssp *s)
{
	return ssp_remote_num(s) == SSP_NUM_SHUTDOWN;
}

bool ssp_counterparty_shutdown_acknowledged(const struct ssp *s)
{
	return s->sent_any && s->last_sent_ack == SSP_NUM_SHUTDOWN;
}

const struct ssp_stats *ssp_stats(const struct ssp *s)
{
	return &s->stats;
}

size_t ssp_sent_count(const struct ssp *s)
{
	return s->nsent;
}

size_t ssp_received_count(const struct ssp *s)
{
	return s->nrecv;
}

size_t ssp_received_bytes(const struct ssp *s)
{
	return s->recv_bytes;
}

uint64_t ssp_sent_num(const struct ssp *s)
{
	return s->sent[s->nsent - 1].num;
}

uint64_t ssp_acked_num(const struct ssp *s)
{
	return s->sent[0].num;
}

const void *ssp_acked_state(const struct ssp *s)
{
	return s->sent[0].state;
}
