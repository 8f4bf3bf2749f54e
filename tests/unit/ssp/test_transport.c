/*
 * ssp/transport on loopback with real sockets and the real wire modules: a
 * client and a server transport exchange user streams both ways and shut
 * down cleanly; the server follows a client that moves only for authentic
 * in-order datagrams (not for forgeries or replays); an event loop drives a
 * session through ssp_transport_attach. Every wait is bounded.
 */
#include "../test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include "net/pkt.h"
#include "net/wire.h"
#include "ssp/transport.h"
#include "state/userstream.h"
#include "util/clock.h"

static const uint8_t key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

struct pair {
	struct ssp_transport *client, *server;
	uint16_t port;
};

static void make_pair(struct pair *p)
{
	char err[ERR_LEN], port[8];
	struct conn *sc, *cc;
	uint64_t now = clock_ms();
	struct ssp_transport_config cfg = {
	    .key = key,
	    .local_ops = &userstream_ops,
	    .remote_ops = &userstream_ops,
	};

	sc = conn_server_new("127.0.0.1", 0, 0, now, err);
	if (!sc)
		TEST_FAIL("%s", err);
	p->port = conn_local_port(sc);
	snprintf(port, sizeof(port), "%u", p->port);
	cc = conn_client_new("127.0.0.1", port, now, err);
	if (!cc)
		TEST_FAIL("%s", err);

	cfg.conn = sc;
	cfg.send_dir = PKT_TO_CLIENT;
	cfg.local_initial = userstream_new();
	cfg.remote_initial = userstream_new();
	cfg.send_mindelay = SSP_SEND_MINDELAY_SERVER;
	p->server = ssp_transport_new(&cfg, now);

	cfg.conn = cc;
	cfg.send_dir = PKT_TO_SERVER;
	cfg.local_initial = userstream_new();
	cfg.remote_initial = userstream_new();
	cfg.send_mindelay = SSP_SEND_MINDELAY_CLIENT;
	p->client = ssp_transport_new(&cfg, now);
}

static void free_pair(struct pair *p)
{
	ssp_transport_free(p->client);
	ssp_transport_free(p->server);
}

/* One round of both loops: tick, then wait (at most 20 ms) for datagrams. */
static void step(struct pair *p)
{
	int fds[2 * WIRE_MAX_PORTS_OPEN];
	struct pollfd pf[2 * WIRE_MAX_PORTS_OPEN];
	size_t n;
	int64_t w1, w2, w;

	w1 = ssp_transport_tick(p->client, clock_ms());
	w2 = ssp_transport_tick(p->server, clock_ms());
	w = w1 < 0 ? w2 : (w2 < 0 || w1 < w2) ? w1 : w2;
	if (w < 0 || w > 20)
		w = 20;
	n = conn_fds(ssp_transport_conn(p->client), fds, WIRE_MAX_PORTS_OPEN);
	n += conn_fds(ssp_transport_conn(p->server), fds + n, WIRE_MAX_PORTS_OPEN);
	for (size_t i = 0; i < n; i++)
		pf[i] = (struct pollfd){fds[i], POLLIN, 0};
	poll(pf, n, (int)w);
	ssp_transport_recv(p->client, clock_ms(), 64);
	ssp_transport_recv(p->server, clock_ms(), 64);
}

static bool synced(struct pair *p)
{
	struct ssp *c = ssp_transport_ssp(p->client), *s = ssp_transport_ssp(p->server);

	return userstream_equal(ssp_remote(s), ssp_current(c)) &&
	       userstream_equal(ssp_remote(c), ssp_current(s)) &&
	       ssp_acked_num(c) == ssp_sent_num(c);
}

static void run_until_synced(struct pair *p)
{
	uint64_t end = clock_ms() + 5000;

	while (!synced(p)) {
		if (clock_ms() > end)
			TEST_FAIL("not synchronised within 5 s");
		step(p);
	}
}

TEST(user_streams_both_ways_and_clean_shutdown)
{
	struct pair p;
	struct ssp *c, *s;
	uint64_t end;
	char big[20000];

	make_pair(&p);
	c = ssp_transport_ssp(p.client);
	s = ssp_transport_ssp(p.server);
	userstream_push_resize(ssp_current(c), 80, 24);
	userstream_push_bytes(ssp_current(c), "hello", 5);
	run_until_synced(&p);
	CHECK_EQ_U64(userstream_end(ssp_remote(s)), 6);
	CHECK(conn_has_remote(ssp_transport_conn(p.server)));

	/* a state larger than one datagram: several fragments */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(' ' + (i * 7919) % 95);
	userstream_push_bytes(ssp_current(s), big, sizeof(big));
	userstream_push_bytes(ssp_current(c), " world", 6);
	run_until_synced(&p);
	CHECK_EQ_U64(userstream_end(ssp_remote(c)), sizeof(big));
	CHECK_EQ_INT(userstream_event(ssp_remote(c), 12345)->byte, (uint8_t)big[12345]);
	CHECK_EQ_U64(userstream_end(ssp_remote(s)), 12);
	CHECK(pkt_get_stats(ssp_transport_pkt(p.server))->rtt_samples > 0);
	CHECK(pkt_srtt(ssp_transport_pkt(p.client)) < 100);

	ssp_start_shutdown(c, clock_ms());
	end = clock_ms() + 5000;
	while (!ssp_shutdown_acknowledged(c) || !ssp_counterparty_shutdown_acknowledged(s)) {
		if (clock_ms() > end)
			TEST_FAIL("shutdown not acknowledged within 5 s");
		step(&p);
	}
	CHECK(ssp_remote_shutdown(s));
	CHECK(!ssp_shutdown_timed_out(c, clock_ms()));
	CHECK_EQ_INT(ssp_transport_stats(p.server)->pkt_dropped, 0);
	CHECK_EQ_INT(ssp_transport_stats(p.server)->codec_dropped, 0);
	free_pair(&p);
}

/* A plain UDP socket on 127.0.0.1. */
static int raw_socket(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		TEST_FAIL("socket: %s", strerror(errno));
	return fd;
}

static void raw_send(int fd, uint16_t port, const uint8_t *d, size_t len)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	                        .sin_port = htons(port)};

	if (sendto(fd, d, len, 0, (struct sockaddr *)&a, sizeof(a)) < 0)
		TEST_FAIL("sendto: %s", strerror(errno));
}

/* Did the server send anything to fd within ms? */
static bool raw_hears(int fd, int ms)
{
	struct pollfd pf = {fd, POLLIN, 0};
	uint8_t b[4096];
	bool got = false;

	while (poll(&pf, 1, ms) == 1) {
		recv(fd, b, sizeof(b), 0);
		got = true;
		ms = 0;
	}
	return got;
}

TEST(server_roams_only_for_authentic_in_order_datagrams)
{
	struct pair p;
	struct pkt_session *forger = pkt_session_new(key, PKT_TO_SERVER);
	struct buf d;
	uint8_t junk[64];
	int raw = raw_socket();
	const struct conn_stats *cs;
	uint64_t end;

	buf_init(&d);
	make_pair(&p);
	cs = conn_get_stats(ssp_transport_conn(p.server));
	userstream_push_bytes(ssp_current(ssp_transport_ssp(p.client)), "x", 1);
	run_until_synced(&p);

	/* garbage, and an authentic but old datagram (sequence 0), from a new port */
	memset(junk, 0xa5, sizeof(junk));
	raw_send(raw, p.port, junk, sizeof(junk));
	pkt_seal(forger, clock_ms(), (const uint8_t *)"0123456789ab", 12, &d);
	raw_send(raw, p.port, d.data, d.len);
	end = clock_ms() + 300;
	while (clock_ms() < end)
		step(&p);
	CHECK_EQ_INT(cs->roams, 0);
	CHECK(pkt_get_stats(ssp_transport_pkt(p.server))->bad_tag >= 1);
	CHECK(pkt_get_stats(ssp_transport_pkt(p.server))->out_of_order >= 1);

	/* a newer sequence number: the server follows */
	for (int i = 0; i < 1000; i++)
		pkt_seal(forger, clock_ms(), (const uint8_t *)"0123456789ab", 12, &d);
	raw_send(raw, p.port, d.data, d.len);
	end = clock_ms() + 2000;
	while (cs->roams == 0 && clock_ms() < end)
		step(&p);
	CHECK_EQ_INT(cs->roams, 1);
	/* its keep-alives now go to the new address */
	userstream_push_bytes(ssp_current(ssp_transport_ssp(p.server)), "y", 1);
	end = clock_ms() + 3000;
	while (!raw_hears(raw, 0) && clock_ms() < end)
		step(&p);
	CHECK(clock_ms() < end);

	buf_fini(&d);
	pkt_session_free(forger);
	close(raw);
	free_pair(&p);
}

struct evsess {
	struct pair p;
	struct ev_loop *loop;
	uint64_t deadline;
	bool ok;
};

static int64_t ev_check(struct ev_loop *loop, uint64_t now, void *arg)
{
	struct evsess *e = arg;

	if (synced(&e->p) && userstream_end(ssp_remote(ssp_transport_ssp(e->p.server))) == 3) {
		e->ok = true;
		ev_stop(loop);
	} else if (now > e->deadline) {
		ev_stop(loop);
	}
	return 50;
}

TEST(runs_on_the_event_loop)
{
	static struct evsess e;

	make_pair(&e.p);
	e.loop = ev_loop_new();
	e.deadline = clock_ms() + 5000;
	ssp_transport_attach(e.p.client, e.loop);
	ssp_transport_attach(e.p.server, e.loop);
	ev_ticker_add(e.loop, ev_check, &e);
	userstream_push_bytes(ssp_current(ssp_transport_ssp(e.p.client)), "abc", 3);
	ev_run(e.loop);
	CHECK(e.ok);
	free_pair(&e.p);
	ev_loop_free(e.loop);
}

int main(void)
{
	RUN(user_streams_both_ways_and_clean_shutdown);
	RUN(server_roams_only_for_authentic_in_order_datagrams);
	RUN(runs_on_the_event_loop);
	return test_done();
}
