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
 */
#include "../test.h"

#include <stdlib.h>

#include "ssp/ssp.h"
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

static void link_send(void *arg, uint64_t now, const struct ssp_instruction *in)
{
	struct side *s = arg;

	if (below(100) < net.loss)
		return;
	enqueue(s->to, now, in);
	if (below(100) < net.dup)
		enqueue(s->to, now, in);
}

static struct ssp *mk(struct side *s, int to, uint64_t mindelay)
{
	struct ssp_config cfg = {
	    .local_ops = &userstream_ops,
	    .local_initial = userstream_new(),
	    .remote_ops = &userstream_ops,
	    .remote_initial = userstream_new(),
	    .send_mindelay = mindelay,
	    .send = link_send,
	    .send_arg = s,
	    .random = sim_random,
	};
	s->to = to;
	s->ssp = ssp_new(&cfg, 0);
	return s->ssp;
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

/* Deliver what is due; returns the earliest pending arrival (or SSP_NEVER). */
static uint64_t deliver(uint64_t now, struct app *app)
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
			if (f->to)
				app_poll(app, dst);
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

		next_net = deliver(now, &app);
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

int main(void)
{
	RUN(converges_over_a_lossy_reordering_link);
	RUN(bounded_under_total_loss);
	return test_done();
}
