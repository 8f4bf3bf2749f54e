/*
 * The SSP transport: the SSP core (ssp.h) joined to the network.
 *
 *   send:    ssp instruction -> net/codec (protobuf, zlib, fragments of
 *            WIRE_FRAG_CHUNK_MAX(conn_mtu)) -> pkt_seal -> conn_send
 *   receive: conn_recv -> pkt_open (authentic? in order?) -> conn_accept
 *            (roaming, last heard) -> codec (assembly, inflate, decode,
 *            version) -> ssp_receive
 *
 * Before every tick the RTT estimates of the datagram layer are handed to
 * SSP and the server's "peer address known" follows the connection; after
 * every received instruction the round-trip time goes back to the
 * connection for port hopping. Every dropped input is counted where it
 * failed (pkt, codec, ssp stats); nothing a peer sends is fatal.
 *
 * One transport per session end; it owns its conn, pkt session, codec and ssp.
 */
#ifndef MOSHC_SSP_TRANSPORT_H
#define MOSHC_SSP_TRANSPORT_H

#include <stdint.h>

#include "net/codec.h"
#include "net/conn.h"
#include "net/pkt.h"
#include "ssp/ssp.h"
#include "util/ev.h"

struct ssp_transport_config {
	struct conn *conn;     /* taken over */
	const uint8_t *key;    /* 16 bytes, copied */
	enum pkt_dir send_dir; /* client: PKT_TO_SERVER, server: PKT_TO_CLIENT */
	const struct ssp_state_ops *local_ops;
	void *local_initial; /* taken over */
	void *local_live;    /* optional, borrowed: see ssp_config */
	const struct ssp_state_ops *remote_ops;
	void *remote_initial;   /* taken over */
	uint64_t send_mindelay; /* SSP_SEND_MINDELAY_CLIENT / _SERVER */
	/* Optional: called after datagrams were processed (e.g. to read the new remote state). */
	void (*on_receive)(void *arg, uint64_t now);
	void *on_receive_arg;
};

struct ssp_transport_stats {
	uint64_t datagrams;     /* read from the sockets */
	uint64_t pkt_dropped;   /* failed pkt_open (details: pkt_get_stats) */
	uint64_t codec_dropped; /* failed assembly/inflate/decode (details: codec stats) */
	uint64_t instructions;  /* complete instructions given to SSP */
	uint64_t ssp_rejected;  /* of which ssp_receive returned an error */
	uint64_t send_errors;   /* failed seals or sends */
	int last_send_errno;    /* errno of the last failed send (0: none) */
};

struct ssp_transport;

struct ssp_transport *ssp_transport_new(const struct ssp_transport_config *cfg, uint64_t now);
void ssp_transport_free(struct ssp_transport *t);

/* Borrowed parts, valid while the transport lives. */
struct ssp *ssp_transport_ssp(struct ssp_transport *t);
struct conn *ssp_transport_conn(struct ssp_transport *t);
const struct pkt_session *ssp_transport_pkt(const struct ssp_transport *t);
const struct codec *ssp_transport_codec(const struct ssp_transport *t);
const struct ssp_transport_stats *ssp_transport_stats(const struct ssp_transport *t);

/* Read and process up to max pending datagrams; returns how many were read. */
int ssp_transport_recv(struct ssp_transport *t, uint64_t now, int max);
/* Send what is due; returns ms until the next deadline (-1: none). */
int64_t ssp_transport_tick(struct ssp_transport *t, uint64_t now);

/*
 * Run on an event loop: watch the sockets (re-registered when the client
 * hops), read datagrams when they arrive and tick as a ticker.
 * ssp_transport_detach undoes it (ssp_transport_free does too).
 */
void ssp_transport_attach(struct ssp_transport *t, struct ev_loop *loop);
void ssp_transport_detach(struct ssp_transport *t);

#endif
