/* The client's link to its server; see link.h. */
#include "client/link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/conn.h"
#include "net/wire.h"
#include "ssp/ssp.h"
#include "ssp/transport.h"
#include "state/userstream.h"
#include "util/xmalloc.h"

struct clink {
	struct ssp_transport *transport;
	struct ssp *ssp;
};

struct clink *clink_new(const struct clink_config *cfg, uint64_t now, char err[ERR_LEN])
{
	struct ssp_transport_config tc;
	struct clink *l;
	struct conn *conn;
	char port[8];

	snprintf(port, sizeof port, "%u", (unsigned)cfg->port);
	conn = conn_client_new(cfg->ip, port, now, err);
	if (conn == NULL)
		return NULL;
	l = xcalloc(1, sizeof *l);
	memset(&tc, 0, sizeof tc);
	tc.conn = conn;
	tc.key = cfg->key;
	tc.send_dir = PKT_TO_SERVER;
	tc.local_ops = &userstream_ops;
	tc.local_initial = userstream_new();
	tc.remote_ops = &termstate_ops;
	tc.remote_initial = termstate_new(cfg->width, cfg->height);
	tc.send_mindelay = SSP_SEND_MINDELAY_CLIENT;
	l->transport = ssp_transport_new(&tc, now);
	l->ssp = ssp_transport_ssp(l->transport);
	/* After state 0, so that the first diff carries them. */
	/* The extensions this client understands (doc/PROTOCOL.md, "Extensions"). */
	userstream_set_hello(ssp_current(l->ssp), WIRE_MOSHC_VERSION,
	                     WIRE_FEATURE_NOTICE | WIRE_FEATURE_RENDITIONS |
	                         (cfg->scrollback ? WIRE_FEATURE_SCROLLBACK : 0) |
	                         (cfg->channels ? WIRE_FEATURE_CHANNELS : 0));
	userstream_push_resize(ssp_current(l->ssp), cfg->width, cfg->height);
	return l;
}

void clink_free(struct clink *l)
{
	if (l == NULL)
		return;
	ssp_transport_free(l->transport);
	free(l);
}

void clink_attach(struct clink *l, struct ev_loop *loop)
{
	ssp_transport_attach(l->transport, loop);
}

void clink_push_bytes(struct clink *l, const void *data, size_t len)
{
	userstream_push_bytes(ssp_current(l->ssp), data, len);
}

void clink_push_resize(struct clink *l, int width, int height)
{
	userstream_push_resize(ssp_current(l->ssp), width, height);
}

uint64_t clink_next_state_num(const struct clink *l)
{
	return ssp_sent_num(l->ssp) + 1;
}

const struct termstate *clink_remote(const struct clink *l)
{
	return ssp_remote(l->ssp);
}

uint64_t clink_remote_num(const struct clink *l)
{
	return ssp_remote_num(l->ssp);
}

uint64_t clink_last_heard(const struct clink *l)
{
	return ssp_last_heard(l->ssp);
}

bool clink_last_roundtrip(const struct clink *l, uint64_t *when)
{
	return ssp_last_roundtrip(l->ssp, when);
}

uint64_t clink_frame_interval(const struct clink *l)
{
	return ssp_send_interval(l->ssp);
}

uint64_t clink_send_errors(const struct clink *l, int *last_errno)
{
	const struct ssp_transport_stats *st = ssp_transport_stats(l->transport);

	*last_errno = st->last_send_errno;
	return st->send_errors;
}

struct chanset *clink_enable_chans(struct clink *l)
{
	ssp_set_loss_probe(l->ssp, true);
	return userstream_enable_chans(ssp_current(l->ssp));
}

uint64_t clink_losses(const struct clink *l)
{
	return ssp_stats(l->ssp)->losses;
}

const struct chanset *clink_acked_chans(const struct clink *l)
{
	return userstream_chans(ssp_acked_state(l->ssp));
}

void clink_start_shutdown(struct clink *l, uint64_t now)
{
	ssp_start_shutdown(l->ssp, now);
}

bool clink_shutting_down(const struct clink *l)
{
	return ssp_shutdown_in_progress(l->ssp);
}

bool clink_done(const struct clink *l, uint64_t now, bool *clean)
{
	*clean = false;
	if (ssp_shutdown_in_progress(l->ssp)) {
		if (ssp_shutdown_acknowledged(l->ssp)) {
			*clean = true;
			return true;
		}
		if (ssp_shutdown_timed_out(l->ssp, now))
			return true;
	}
	if (ssp_remote_shutdown(l->ssp) && ssp_counterparty_shutdown_acknowledged(l->ssp)) {
		*clean = true;
		return true;
	}
	return false;
}
