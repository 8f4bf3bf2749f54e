/*
 * SSP over a simulated network, on a fake clock, seeded and deterministic.
 *
 * A client types 10,000 random edits (bytes and resizes) into its user
 * stream while the server writes its own stream back; between them a link
 * whose delay, jitter, loss (0-50 %), duplication and blackouts change every
 * couple of seconds, so instructions arrive late, twice, reordered or never.
 * The server side plays the application: each time its newest remote state
 * changes it takes the events since the one it processed last. Checked: every
 * keystroke arrives exactly once and in order, both sides converge to the
 * other's newest state within a bounded time once the link recovers, and the
 * state lists stay bounded even under total loss.
 *
 * Then a forwarded channel between a user stream and a terminal state over
 * the same link: 1 MiB each way, every byte once and in order, with the
 * simulated time it took (the throughput under loss) in the diagnostics.
 */
#include "../test.h"

#include <stdlib.h>

#include "chan/chan.h"
#include "chan/chanset.h"
#include "ssp/ssp.h"
#include "state/terminal.h"
#include "state/userstream.h"
#include "util/err.h"

static uint64_t rng;

static uint64_t rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static void sim_random(void *arg, void *out, size_t len)
{
	uint8_t *p = out;

	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)rnd();
}

struct flight {
	uint64_t at;
	int to; /* 0: to the client, 1: to the server */
	struct ssp_instruction in;
	uint8_t *diff;
};

struct link {
	struct flight *v;
	size_t n, cap;
	uint64_t delay, jitter;
	unsigned loss, dup; /* percent */
	/* Loss hits each datagram of an instruction's fragments, as on a real
	 * link, rather than the instruction as a whole. */
	bool per_fragment;
	uint64_t in_flight_max;
};

struct side {
	struct ssp *ssp;
	int to; /* where its instructions go */
};

static struct link net;
static struct side client, server;

static void enqueue(int to, uint64_t now, const struct ssp_instruction *in)
{
	struct flight *f;

	if (net.n == net.cap) {
		net.cap = net.cap ? net.cap * 2 : 256;
		net.v = realloc(net.v, net.cap * sizeof(*net.v));
	}
	f = &net.v[net.n++];
	f->at = now + net.delay + below(net.jitter + 1);
	f->to = to;
	f->in = *in;
	f->diff = in->diff_len ? malloc(in->diff_len) : NULL;
	if (in->diff_len)
		memcpy(f->diff, in->diff, in->diff_len);
	f->in.diff = f->diff;
	f->in.chaff = NULL;
	f->in.chaff_len = 0;
	if (net.n > net.in_flight_max)
		net.in_flight_max = net.n;
}

/* Whether the link loses an instruction. */
static bool link_loses(const struct ssp_instruction *in)
{
	size_t frags = 1;

	if (net.per_fragment)
		frags += in->diff_len / WIRE_FRAG_CHUNK_MAX(WIRE_MTU_IPV4);
	for (size_t i = 0; i < frags; i++)
		if (below(100) < net.loss)
			return true;
	return false;
}

static void link_send(void *arg, uint64_t now, const struct ssp_instruction *in)
{
	struct side *s = arg;

	if (link_loses(in))
		return;
	enqueue(s->to, now, in);
	if (below(100) < net.dup)
		enqueue(s->to, now, in);
}

static struct ssp *mk_states(struct side *s, int to, uint64_t mindelay,
                             const struct ssp_state_ops *lops, void *local,
                             const struct ssp_state_ops *rops, void *remote)
{
	struct ssp_config cfg = {
	    .local_ops = lops,
	    .local_initial = local,
	    .remote_ops = rops,
	    .remote_initial = remote,
	    .send_mindelay = mindelay,
	    .send = link_send,
	    .send_arg = s,
	    .random = sim_random,
	};
	s->to = to;
	s->ssp = ssp_new(&cfg, 0);
	return s->ssp;
}

/* A side sending and receiving user streams. */
static struct ssp *mk(struct side *s, int to, uint64_t mindelay)
{
	return mk_states(s, to, mindelay, &userstream_ops, userstream_new(), &userstream_ops,
	                 userstream_new());
}

static void set_link(uint64_t delay, uint64_t jitter, unsigned loss, unsigned dup)
{
	double srtt = 2.0 * (double)delay + (double)jitter;
	double rto = srtt + 4.0 * ((double)jitter + 1.0);

	net.delay = delay;
	net.jitter = jitter;
	net.loss = loss;
	net.dup = dup;
	rto = rto < 50 ? 50 : rto > 1000 ? 1000 : rto;
	ssp_set_rtt(client.ssp, srtt, (uint64_t)rto);
	ssp_set_rtt(server.ssp, srtt, (uint64_t)rto);
}

/* The server application: what it has taken from the user stream so far. */
struct app {
	struct userstream *prev;
	uint64_t prev_num;
	struct buf keys;
	uint64_t resizes;
	int errors;
};

static void app_poll(struct app *a, struct ssp *s)
{
	const struct userstream *now = ssp_remote(s);
	uint64_t first, end;

	if (ssp_remote_num(s) == a->prev_num)
		return;
	if (userstream_since(now, a->prev, &first, &end) != 0) {
		a->errors++;
		return;
	}
	for (uint64_t i = first; i < end; i++) {
		const struct userstream_event *ev = userstream_event(now, i);
		if (ev->kind == USERSTREAM_BYTE)
			buf_append_byte(&a->keys, ev->byte);
		else
			a->resizes++;
	}
	userstream_free(a->prev);
	a->prev = userstream_copy(now);
	userstream_subtract(a->prev, a->prev);
	a->prev_num = ssp_remote_num(s);
}

/* The earliest pending arrival (or SSP_NEVER). */
static uint64_t link_next(void)
{
	uint64_t next = SSP_NEVER;

	for (size_t i = 0; i < net.n; i++)
		if (net.v[i].at < next)
			next = net.v[i].at;
	return next;
}

/* Called after each instruction delivered to the server (to 1) or client (0). */
typedef void received_fn(int to, void *arg);

static void app_received(int to, void *arg)
{
	if (to)
		app_poll(arg, server.ssp);
}

/* Deliver what is due; returns the earliest pending arrival (or SSP_NEVER). */
static uint64_t deliver(uint64_t now, received_fn *received, void *arg)
{
	uint64_t next = SSP_NEVER;
	size_t j = 0;

	for (size_t i = 0; i < net.n; i++) {
		struct flight *f = &net.v[i];

		if (f->at <= now) {
			struct ssp *dst = f->to ? server.ssp : client.ssp;
			if (f->to)
				ssp_set_peer_known(dst, true);
			ssp_receive(dst, now, &f->in);
			free(f->diff);
			received(f->to, arg);
		} else {
			if (f->at < next)
				next = f->at;
			net.v[j++] = *f;
		}
	}
	net.n = j;
	return next;
}

struct run {
	uint64_t edits;
	uint64_t converge_ms;      /* after the link recovered */
	size_t max_sent, max_recv; /* list lengths seen */
	uint64_t end_time;
};

static uint64_t min3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t m = a < b ? a : b;
	return m < c ? m : c;
}

static uint64_t after(uint64_t now, int64_t wait)
{
	return wait < 0 ? SSP_NEVER : now + (uint64_t)wait;
}

static bool converged(const struct app *app, const struct buf *typed)
{
	return userstream_equal(ssp_remote(server.ssp), ssp_current(client.ssp)) &&
	       userstream_equal(ssp_remote(client.ssp), ssp_current(server.ssp)) &&
	       app->keys.len == typed->len;
}

/*
 * One session: `edits` client edits, the link re-drawn every phase_ms
 * (blackout_pct of phases lose everything); quiet_ms after the last edit
 * the link becomes clean, and both sides must converge.
 */
static void simulate(uint64_t seed, uint64_t edits, uint64_t phase_ms, unsigned blackout_pct,
                     uint64_t quiet_ms, struct run *r)
{
	static const uint64_t delays[] = {2, 15, 60, 200};
	static const uint64_t jitters[] = {0, 5, 40, 150};
	static const unsigned losses[] = {0, 5, 20, 50};
	struct app app = {userstream_new(), 0, {0}, 0, 0};
	struct buf typed;
	const struct ssp_stats *st;
	uint64_t now = 0, next_edit = 0, next_phase = 0, next_out = 0, recovered = SSP_NEVER;
	uint64_t typed_resizes = 0, done = 0;

	rng = seed;
	memset(&net, 0, sizeof(net));
	memset(r, 0, sizeof(*r));
	buf_init(&typed);
	buf_init(&app.keys);
	mk(&client, 1, SSP_SEND_MINDELAY_CLIENT);
	mk(&server, 0, SSP_SEND_MINDELAY_SERVER);
	ssp_set_peer_known(server.ssp, false);
	userstream_push_resize(ssp_current(client.ssp), 80, 24);
	typed_resizes++;

	for (;;) {
		uint64_t next_net, wake;

		if (done < edits && now >= next_phase) {
			if (below(100) < blackout_pct)
				set_link(50, 0, 100, 0);
			else
				set_link(delays[below(4)], jitters[below(4)], losses[below(4)],
				         (unsigned)below(10));
			next_phase = now + phase_ms;
		}
		if (done < edits && now >= next_edit) {
			struct userstream *u = ssp_current(client.ssp);
			if (below(50) == 0) {
				userstream_push_resize(u, 1 + (int)below(300), 1 + (int)below(100));
				typed_resizes++;
			} else {
				uint8_t k[8];
				size_t n = 1 + below(below(8) == 0 ? 8 : 1);
				for (size_t i = 0; i < n; i++)
					k[i] = (uint8_t)rnd();
				userstream_push_bytes(u, k, n);
				buf_append(&typed, k, n);
			}
			done++;
			next_edit = now + below(30);
			if (done == edits)
				recovered = now + quiet_ms;
		}
		if (now >= recovered && net.loss) {
			set_link(20, 5, 0, 0);
			recovered = now;
		}
		if (now >= next_out) {
			userstream_push_bytes(ssp_current(server.ssp), "out", 3);
			next_out = now + 50 + below(500);
		}

		next_net = deliver(now, app_received, &app);
		wake = min3(after(now, ssp_tick(client.ssp, now)),
		            after(now, ssp_tick(server.ssp, now)), next_net);
		app_poll(&app, server.ssp);
		if (ssp_sent_count(client.ssp) > r->max_sent)
			r->max_sent = ssp_sent_count(client.ssp);
		if (ssp_sent_count(server.ssp) > r->max_sent)
			r->max_sent = ssp_sent_count(server.ssp);
		if (ssp_received_count(client.ssp) > r->max_recv)
			r->max_recv = ssp_received_count(client.ssp);
		if (ssp_received_count(server.ssp) > r->max_recv)
			r->max_recv = ssp_received_count(server.ssp);

		if (done == edits && now >= recovered) {
			if (converged(&app, &typed))
				break;
			if (now - recovered > 60000)
				TEST_FAIL("no convergence 60 s after recovery (seed %llu)",
				          (unsigned long long)seed);
		} else if (done < edits) {
			wake = min3(wake, next_edit, next_phase);
		} else {
			wake = wake < recovered ? wake : recovered;
		}
		wake = wake < next_out ? wake : next_out;
		now = wake > now ? wake : now + 1;
	}
	r->edits = done;
	r->converge_ms = now - recovered;
	r->end_time = now;

	CHECK_EQ_INT(app.errors, 0);
	CHECK_EQ_INT(app.keys.len, typed.len);
	CHECK_EQ_MEM(app.keys.data, typed.data, typed.len);
	CHECK_EQ_U64(app.resizes, typed_resizes);
	printf("# seed %llu: %llu edits, %zu key bytes in %.1f s; converged %llu ms after "
	       "recovery; max lists sent %zu received %zu; in flight max %llu\n",
	       (unsigned long long)seed, (unsigned long long)done, typed.len, (double)now / 1000.0,
	       (unsigned long long)r->converge_ms, r->max_sent, r->max_recv,
	       (unsigned long long)net.in_flight_max);
	st = ssp_stats(server.ssp);
	printf("# server rx: %llu instructions, %llu newest, %llu older, %llu duplicate, "
	       "%llu no base; client sent %llu (%llu empty)\n",
	       (unsigned long long)st->received, (unsigned long long)st->rx_newest,
	       (unsigned long long)st->rx_inserted, (unsigned long long)st->rx_duplicate,
	       (unsigned long long)st->rx_no_base, (unsigned long long)ssp_stats(client.ssp)->sent,
	       (unsigned long long)ssp_stats(client.ssp)->sent_empty);

	for (size_t i = 0; i < net.n; i++)
		free(net.v[i].diff);
	free(net.v);
	buf_fini(&typed);
	buf_fini(&app.keys);
	userstream_free(app.prev);
	ssp_free(client.ssp);
	ssp_free(server.ssp);
}

TEST(converges_over_a_lossy_reordering_link)
{
	static const uint64_t seeds[] = {1, 2, 3, 4, 5, 6, 7, 0xdecafbad};
	struct run r;

	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		simulate(seeds[i], 10000, 2000, 10, 0, &r);
		CHECK_EQ_U64(r.edits, 10000);
		CHECK(r.converge_ms <= 10000);
		CHECK(r.max_sent <= SSP_SENT_STATES_MAX);
		CHECK(r.max_recv <= SSP_RECEIVED_STATES_MAX + 1);
	}
}

TEST(bounded_under_total_loss)
{
	struct run r;

	/* every phase a blackout: nothing gets through until the end */
	simulate(7, 3000, 5000, 100, 30000, &r);
	CHECK(r.end_time > 70000);
	CHECK(r.max_sent <= SSP_SENT_STATES_MAX);
	CHECK(r.max_recv <= 2);
	CHECK(r.converge_ms <= 10000);
}

/*
 * A forwarded TCP channel through the simulated link: the client's user
 * stream and the server's terminal state each carry their channel part; each
 * end runs its channel table as the links do (chan_sync after every
 * instruction received, chan_loss when SSP counts a loss) and sends
 * CHAN_SIM_BYTES each way as fast as the channel's room allows.
 */
enum { CHAN_SIM_BYTES = 1 << 20 };

struct chan_end {
	struct side *side;
	bool client;
	struct chan *chan;
	uint32_t id;
	uint64_t sent, got, losses;
	size_t window_min; /* the smallest in-flight window after a loss */
	int bad;           /* bytes out of pattern */
};

/* Byte off of the stream the client (dir 0) or the server (1) sends: a
 * hash, so the diffs do not compress and have their real size. */
static uint8_t chan_pattern(int dir, uint64_t off)
{
	uint64_t z = off * 0x9e3779b97f4a7c15ull + (uint64_t)dir;

	z = (z ^ (z >> 29)) * 0xbf58476d1ce4e5b9ull;
	return (uint8_t)(z >> 32);
}

static const struct chanset *chan_end_remote(const struct chan_end *e)
{
	const void *r = ssp_remote(e->side->ssp);

	return e->client ? termstate_chans(r) : userstream_chans(r);
}

static const struct chanset *chan_end_acked(const struct chan_end *e)
{
	const void *a = ssp_acked_state(e->side->ssp);

	return e->client ? userstream_chans(a) : termstate_chans(a);
}

static void chan_received(int to, void *arg)
{
	struct chan_end *e = &((struct chan_end *)arg)[to];
	uint64_t losses = ssp_stats(e->side->ssp)->losses;

	if (losses > e->losses) {
		chan_loss(e->chan);
		if (e->window_min == 0 || chan_in_flight_max(e->chan) < e->window_min)
			e->window_min = chan_in_flight_max(e->chan);
	}
	e->losses = losses;
	chan_sync(e->chan, chan_end_remote(e), chan_end_acked(e));
}

/* The application: answer, send within the room, take what arrived. */
static void chan_end_run(struct chan_end *e)
{
	struct chan_status st;
	uint8_t chunk[4096];
	const uint8_t *p;
	size_t n;

	if (!e->client && e->id == 0 && (e->id = chan_next_incoming(e->chan)) != 0)
		chan_accept(e->chan, e->id);
	if (e->id == 0 || !chan_status(e->chan, e->id, &st))
		return;
	while (e->sent < CHAN_SIM_BYTES && st.room > 0) {
		n = st.room < sizeof chunk ? st.room : sizeof chunk;
		if (n > CHAN_SIM_BYTES - e->sent)
			n = (size_t)(CHAN_SIM_BYTES - e->sent);
		for (size_t i = 0; i < n; i++)
			chunk[i] = chan_pattern(!e->client, e->sent + i);
		chan_send(e->chan, e->id, chunk, n);
		e->sent += n;
		chan_status(e->chan, e->id, &st);
	}
	if (e->sent == CHAN_SIM_BYTES)
		chan_finish(e->chan, e->id);
	while ((n = chan_peek(e->chan, e->id, &p)) > 0) {
		for (size_t i = 0; i < n; i++)
			e->bad += p[i] != chan_pattern(e->client, e->got + i);
		chan_delivered(e->chan, e->id, n);
		e->got += n;
	}
}

static bool chan_end_closed(const struct chan_end *e)
{
	struct chan_status st;

	return e->id != 0 && chan_status(e->chan, e->id, &st) && st.state == CHAN_CLOSED;
}

/* Tick both sides; returns when something is next due. */
static uint64_t sim_tick(uint64_t now)
{
	uint64_t c = after(now, ssp_tick(client.ssp, now));
	uint64_t s = after(now, ssp_tick(server.ssp, now));

	/* After the ticks: what they sent is in flight now. */
	return min3(c, s, link_next());
}

/* What a transfer took: simulated ms until both ends were CLOSED, and the
 * losses SSP reported to the channel tables. */
struct chan_run {
	uint64_t took, losses;
};

/* One transfer over a link of this delay, jitter and loss (of each datagram
 * of the fragments when per_fragment, else of whole instructions). */
static void chan_transfer(uint64_t seed, uint64_t delay, uint64_t jitter, unsigned loss,
                          bool per_fragment, struct chan_run *r)
{
	struct chan_end ends[2] = {{.side = &client, .client = true}, {.side = &server}};
	struct chan_status st;
	uint64_t now = 0, took;
	unsigned steps = 0;

	rng = seed;
	memset(&net, 0, sizeof(net));
	mk_states(&client, 1, SSP_SEND_MINDELAY_CLIENT, &userstream_ops, userstream_new(),
	          &termstate_ops, termstate_new(80, 24));
	mk_states(&server, 0, SSP_SEND_MINDELAY_SERVER, &termstate_ops, termstate_new(80, 24),
	          &userstream_ops, userstream_new());
	set_link(delay, jitter, loss, 0);
	net.per_fragment = per_fragment;
	ends[0].chan = chan_new(userstream_enable_chans(ssp_current(client.ssp)), true);
	ends[1].chan = chan_new(termstate_enable_chans(ssp_current(server.ssp)), false);
	/* As the links do when they turn channels on. */
	ssp_set_loss_probe(client.ssp, true);
	ssp_set_loss_probe(server.ssp, true);
	ends[0].id = chan_open(ends[0].chan, CHAN_KIND_TCP, "localhost:22");
	CHECK_EQ_INT(ends[0].id, 1);

	while (!(chan_end_closed(&ends[0]) && chan_end_closed(&ends[1]))) {
		uint64_t wake;

		if (++steps > 10000000 || now > 3600000)
			TEST_FAIL("transfer not done at %" PRIu64 " ms: client sent %" PRIu64
			          " got %" PRIu64 ", server sent %" PRIu64 " got %" PRIu64,
			          now, ends[0].sent, ends[0].got, ends[1].sent, ends[1].got);
		deliver(now, chan_received, ends);
		chan_end_run(&ends[0]);
		chan_end_run(&ends[1]);
		wake = sim_tick(now);
		now = wake > now && wake != SSP_NEVER ? wake : now + 1;
	}
	took = now;

	for (int k = 0; k < 2; k++) {
		CHECK_EQ_U64(ends[k].sent, CHAN_SIM_BYTES);
		CHECK_EQ_U64(ends[k].got, CHAN_SIM_BYTES);
		CHECK_EQ_INT(ends[k].bad, 0);
		CHECK(chan_status(ends[k].chan, ends[k].id, &st));
		CHECK(!st.reset && st.eof);
		CHECK_EQ_U64(chan_stats(ends[k].chan)->bytes_delivered, CHAN_SIM_BYTES);
	}
	printf("# %u%% loss per %s, delay %" PRIu64 "+%" PRIu64 " ms: 1 MiB each way in %.2f s "
	       "simulated; in-flight window at the end client %zu server %zu, smallest after a "
	       "loss %zu / %zu; SSP timeouts/losses client %" PRIu64 "/%" PRIu64 " server %" PRIu64
	       "/%" PRIu64 "; instructions sent %" PRIu64 "/%" PRIu64 "\n",
	       loss, per_fragment ? "datagram" : "instruction", delay, jitter,
	       (double)took / 1000.0, chan_in_flight_max(ends[0].chan),
	       chan_in_flight_max(ends[1].chan), ends[0].window_min, ends[1].window_min,
	       ssp_stats(client.ssp)->timeouts, ssp_stats(client.ssp)->losses,
	       ssp_stats(server.ssp)->timeouts, ssp_stats(server.ssp)->losses,
	       ssp_stats(client.ssp)->sent, ssp_stats(server.ssp)->sent);
	r->took = took;
	r->losses = ends[0].losses + ends[1].losses;

	/* Forgotten by both shells, the channel leaves both parts. */
	chan_forget(ends[0].chan, ends[0].id);
	chan_forget(ends[1].chan, ends[1].id);
	for (uint64_t end = now + 60000;
	     now < end && (chan_count(ends[0].chan) > 0 || chan_count(ends[1].chan) > 0);) {
		uint64_t wake;

		deliver(now, chan_received, ends);
		wake = sim_tick(now);
		now = wake > now && wake != SSP_NEVER ? wake : now + 1;
	}
	CHECK_EQ_INT(chan_count(ends[0].chan), 0);
	CHECK_EQ_INT(chan_count(ends[1].chan), 0);
	CHECK_EQ_INT(chanset_count(userstream_chans(ssp_current(client.ssp))), 0);
	CHECK_EQ_INT(chanset_count(termstate_chans(ssp_current(server.ssp))), 0);

	for (size_t i = 0; i < net.n; i++)
		free(net.v[i].diff);
	free(net.v);
	chan_free(ends[0].chan);
	chan_free(ends[1].chan);
	ssp_free(client.ssp);
	ssp_free(server.ssp);
}

TEST(channel_transfer_clean_link)
{
	struct chan_run r;

	chan_transfer(11, 50, 10, 0, false, &r);
	CHECK_EQ_U64(r.losses, 0);
	CHECK(r.took < 60000);
}

/*
 * 10 % of the instructions lost, then 2 % and 5 % of the datagrams (a diff
 * of n fragments is lost with probability 1 - 0.95^n). At 10 % of the
 * datagrams the transfer does not end within the bounds: after each loss
 * SSP resends everything in flight as one diff of up to 54 fragments, and
 * the window halved by the loss grows back at once by all that the resend's
 * ack covers (the whole flight), so losses barely shrink it.
 */
TEST(channel_transfer_lossy_link)
{
	struct chan_run r;

	chan_transfer(12, 50, 10, 10, false, &r);
	CHECK(r.losses > 0);
	CHECK(r.took < 120000);
	chan_transfer(13, 50, 10, 2, true, &r);
	CHECK(r.losses > 0);
	chan_transfer(14, 50, 10, 5, true, &r);
	CHECK(r.losses > 0);
}

int main(void)
{
	RUN(converges_over_a_lossy_reordering_link);
	RUN(bounded_under_total_loss);
	RUN(channel_transfer_clean_link);
	RUN(channel_transfer_lossy_link);
	return test_done();
}
