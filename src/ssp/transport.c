/*
 * SSP over the wire modules; see transport.h for the pipeline. The only
 * state kept here is what joins the layers: the "now" of the send in
 * progress (fragments are sealed from a callback), scratch buffers, and the
 * sockets registered with an event loop.
 */
#include "ssp/transport.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/wire.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/xmalloc.h"

struct ssp_transport {
	struct conn *conn;
	struct pkt_session *pkt;
	struct codec *codec;
	struct ssp *ssp;
	void (*on_receive)(void *arg, uint64_t now);
	void *on_receive_arg;

	uint64_t send_now;
	struct buf dgram, payload;
	uint8_t rxbuf[WIRE_RECEIVE_MTU + 1];

	struct ev_loop *loop;
	int fds[WIRE_MAX_PORTS_OPEN];
	size_t nfds;
	uint64_t fds_version;

	struct ssp_transport_stats stats;
};

static int emit_fragment(void *user, const uint8_t *frag, size_t len)
{
	struct ssp_transport *t = user;
	int rc;

	rc = pkt_seal(t->pkt, t->send_now, frag, len, &t->dgram);
	if (rc == 0)
		rc = conn_send(t->conn, t->dgram.data, t->dgram.len, t->send_now);
	if (rc < 0 && rc != ERR_AGAIN) {
		t->stats.send_errors++;
		t->stats.last_send_errno = rc == ERR_IO ? errno : 0;
	}
	/* Keep sending the other fragments: SSP retransmits what is lost. */
	return 0;
}

static void ssp_out(void *arg, uint64_t now, const struct ssp_instruction *in)
{
	struct ssp_transport *t = arg;
	struct msg_instruction mi = {
	    .protocol_version = WIRE_PROTOCOL_VERSION,
	    .old_num = in->old_num,
	    .new_num = in->new_num,
	    .ack_num = in->ack_num,
	    .throwaway_num = in->throwaway_num,
	    .diff = in->diff,
	    .diff_len = in->diff_len,
	    .chaff = in->chaff,
	    .chaff_len = in->chaff_len,
	};
	int rc;

	t->send_now = now;
	rc = codec_send(t->codec, &mi, WIRE_FRAG_CHUNK_MAX(conn_mtu(t->conn)), emit_fragment, t);
	if (rc < 0) {
		t->stats.send_errors++;
		log_error("instruction not sent: %s", err_str(rc));
	}
}

struct ssp_transport *ssp_transport_new(const struct ssp_transport_config *cfg, uint64_t now)
{
	struct ssp_transport *t = xcalloc(1, sizeof(*t));
	struct ssp_config sc = {
	    .local_ops = cfg->local_ops,
	    .local_initial = cfg->local_initial,
	    .local_live = cfg->local_live,
	    .remote_ops = cfg->remote_ops,
	    .remote_initial = cfg->remote_initial,
	    .send_mindelay = cfg->send_mindelay,
	    .send = ssp_out,
	    .send_arg = t,
	};

	t->conn = cfg->conn;
	t->pkt = pkt_session_new(cfg->key, cfg->send_dir);
	t->codec = codec_new();
	t->ssp = ssp_new(&sc, now);
	t->on_receive = cfg->on_receive;
	t->on_receive_arg = cfg->on_receive_arg;
	buf_init(&t->dgram);
	buf_init(&t->payload);
	ssp_set_peer_known(t->ssp, conn_has_remote(t->conn));
	return t;
}

void ssp_transport_free(struct ssp_transport *t)
{
	if (!t)
		return;
	ssp_transport_detach(t);
	ssp_free(t->ssp);
	codec_free(t->codec);
	pkt_session_free(t->pkt);
	conn_free(t->conn);
	buf_fini(&t->dgram);
	buf_fini(&t->payload);
	free(t);
}

struct ssp *ssp_transport_ssp(struct ssp_transport *t)
{
	return t->ssp;
}

struct conn *ssp_transport_conn(struct ssp_transport *t)
{
	return t->conn;
}

const struct pkt_session *ssp_transport_pkt(const struct ssp_transport *t)
{
	return t->pkt;
}

const struct codec *ssp_transport_codec(const struct ssp_transport *t)
{
	return t->codec;
}

const struct ssp_transport_stats *ssp_transport_stats(const struct ssp_transport *t)
{
	return &t->stats;
}

static void process_datagram(struct ssp_transport *t, const struct conn_dgram *d, uint64_t now)
{
	struct msg_instruction mi;
	struct ssp_instruction in;
	bool in_order = false;
	uint64_t rt;
	int rc;

	rc = pkt_open_ecn(t->pkt, now, t->rxbuf, d->len, d->ce, &t->payload, &in_order);
	if (rc < 0) {
		t->stats.pkt_dropped++;
		return;
	}
	conn_accept(t->conn, d, in_order, now);
	rc = codec_receive(t->codec, t->payload.data, t->payload.len, &mi);
	if (rc < 0) {
		t->stats.codec_dropped++;
		return;
	}
	if (rc == 0)
		return;
	in = (struct ssp_instruction){mi.old_num, mi.new_num,  mi.ack_num, mi.throwaway_num,
	                              mi.diff,    mi.diff_len, mi.chaff,   mi.chaff_len};
	t->stats.instructions++;
	if (ssp_receive(t->ssp, now, &in) < 0)
		t->stats.ssp_rejected++;
	msg_instruction_release(&mi);
	if (ssp_last_roundtrip(t->ssp, &rt))
		conn_set_last_roundtrip(t->conn, rt);
}

int ssp_transport_recv(struct ssp_transport *t, uint64_t now, int max)
{
	struct conn_dgram d;
	int n = 0;

	while (n < max) {
		int rc = conn_recv(t->conn, t->rxbuf, sizeof(t->rxbuf), &d);

		if (rc == 0)
			break;
		n++;
		if (rc < 0) {
			t->stats.pkt_dropped++;
			if (rc == ERR_IO)
				break;
			continue;
		}
		t->stats.datagrams++;
		process_datagram(t, &d, now);
	}
	if (n > 0 && t->on_receive)
		t->on_receive(t->on_receive_arg, now);
	return n;
}

int64_t ssp_transport_tick(struct ssp_transport *t, uint64_t now)
{
	ssp_set_rtt(t->ssp, pkt_srtt(t->pkt), pkt_rto(t->pkt));
	ssp_set_peer_known(t->ssp, conn_has_remote(t->conn));
	return ssp_tick(t->ssp, now);
}

static void unwatch(struct ssp_transport *t)
{
	for (size_t i = 0; i < t->nfds; i++)
		ev_fd_del(t->loop, t->fds[i]);
	t->nfds = 0;
}

static void on_readable(struct ev_loop *loop, int fd, int events, void *arg);

/* (Re-)register the sockets when the set changed (a hop or a prune). */
static void watch(struct ssp_transport *t)
{
	if (t->nfds && t->fds_version == conn_fds_version(t->conn))
		return;
	unwatch(t);
	t->nfds = conn_fds(t->conn, t->fds, WIRE_MAX_PORTS_OPEN);
	t->fds_version = conn_fds_version(t->conn);
	for (size_t i = 0; i < t->nfds; i++)
		ev_fd_add(t->loop, t->fds[i], EV_READ, on_readable, t);
}

static void on_readable(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct ssp_transport *t = arg;

	ssp_transport_recv(t, ev_now(loop), 64);
	watch(t);
}

static int64_t on_tick(struct ev_loop *loop, uint64_t now, void *arg)
{
	struct ssp_transport *t = arg;
	int64_t wait = ssp_transport_tick(t, now);

	watch(t);
	return wait;
}

void ssp_transport_attach(struct ssp_transport *t, struct ev_loop *loop)
{
	ASSERT(!t->loop);
	t->loop = loop;
	watch(t);
	ev_ticker_add(loop, on_tick, t);
}

void ssp_transport_detach(struct ssp_transport *t)
{
	if (!t->loop)
		return;
	unwatch(t);
	ev_ticker_del(t->loop, on_tick, t);
	t->loop = NULL;
}
