/*
 * The ssh-agent request filter driven from both sides by the input, read as
 * operations: 0 n bytes (server bytes, cut to the room), 1 n bytes (agent
 * bytes), 2 (pump), 3 (the agent answers the oldest request with a
 * well-formed reply when one is owed). Until the filter reports a protocol
 * error, what it handed on must equal a model worked out from everything fed:
 * the agent sees exactly the list and sign requests reached so far, the
 * server exactly their replies and a failure frame per other request, in
 * order. The buffered bytes never exceed the bound, and an error is sticky.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chan/agentfilter.h"
#include "util/buf.h"
#include "util/bytes.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct run {
	struct agentfilter *f;
	struct buf srv, agt;            /* everything fed from each side */
	struct buf to_agent, to_server; /* everything the filter handed on */
};

/* Complete frames at the start of b, and whether they end exactly at b's end. */
static size_t frames(const struct buf *b, int *at_boundary)
{
	size_t off = 0, n = 0;

	while (b->len - off >= 4 && b->len - off - 4 >= be32_get(b->data + off)) {
		off += 4 + (size_t)be32_get(b->data + off);
		n++;
	}
	*at_boundary = off == b->len;
	return n;
}

/* Whether every length wholly in b, read as a run of frames, is allowed. */
static int lengths_ok(const struct buf *b)
{
	size_t off = 0;

	while (b->len - off >= 4) {
		uint32_t len = be32_get(b->data + off);

		if (len == 0 || len > AGENTFILTER_MAX_MSG)
			return 0;
		if (len > b->len - off - 4)
			return 1;
		off += 4 + (size_t)len;
	}
	return 1;
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* The filter's output worked out from the inputs alone. */
static void model(const struct run *r, struct buf *exp_agent, struct buf *exp_server)
{
	static const uint8_t failure[] = {0, 0, 0, 1, 5};
	size_t off = 0, aoff = 0;

	while (r->srv.len - off >= 5) {
		size_t total = 4 + (size_t)be32_get(r->srv.data + off);
		size_t avail = min_size(total, r->srv.len - off);
		uint8_t type = r->srv.data[off + 4];

		if (type == 11 || type == 13) {
			size_t rtotal, ravail;

			buf_append(exp_agent, r->srv.data + off, avail);
			if (avail < total || r->agt.len - aoff < 4)
				return;
			rtotal = 4 + (size_t)be32_get(r->agt.data + aoff);
			ravail = min_size(rtotal, r->agt.len - aoff);
			buf_append(exp_server, r->agt.data + aoff, ravail);
			if (ravail < rtotal)
				return;
			aoff += rtotal;
		} else {
			if (avail < total)
				return;
			buf_append(exp_server, failure, sizeof failure);
		}
		off += total;
	}
}

static int prefix(const struct buf *a, const struct buf *b)
{
	return a->len <= b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

/* What the filter handed on so far is where the model says it would be once
 * pumped, or on the way there: a prefix. Pumping brings it all the way. */
static void check_model(struct run *r, int pumped)
{
	struct buf exp_agent, exp_server;

	if (!lengths_ok(&r->srv) || !lengths_ok(&r->agt))
		abort();
	buf_init(&exp_agent);
	buf_init(&exp_server);
	model(r, &exp_agent, &exp_server);
	if (!prefix(&r->to_agent, &exp_agent) || !prefix(&r->to_server, &exp_server))
		abort();
	if (pumped && (r->to_agent.len != exp_agent.len || r->to_server.len != exp_server.len))
		abort();
	buf_fini(&exp_agent);
	buf_fini(&exp_server);
}

/* An error must stick: nothing is taken or moved afterwards. */
static void check_failed(struct run *r)
{
	static const uint8_t b[] = {0, 0, 0, 1, 11};
	size_t a = r->to_agent.len, s = r->to_server.len;

	if (agentfilter_room(r->f) != 0 || agentfilter_from_server(r->f, b, 0) != ERR_PROTO ||
	    agentfilter_from_agent(r->f, b, sizeof b, &r->to_server) != ERR_PROTO ||
	    agentfilter_pending(r->f))
		abort();
	agentfilter_pump(r->f, &r->to_agent, &r->to_server);
	if (r->to_agent.len != a || r->to_server.len != s)
		abort();
}

/* One operation at data[*off]; non-zero once the filter failed. */
static int step(struct run *r, const uint8_t *data, size_t size, size_t *off)
{
	static const uint8_t success[] = {0, 0, 0, 1, 6};
	uint8_t op = data[(*off)++] & 3;
	size_t n = *off < size ? data[(*off)++] : 0;
	int rc = 0, agent_idle, unused;

	n = min_size(n, size - *off);
	switch (op) {
	case 0:
		n = min_size(n, agentfilter_room(r->f));
		buf_append(&r->srv, data + *off, n);
		rc = agentfilter_from_server(r->f, data + *off, n);
		*off += n;
		break;
	case 1:
		buf_append(&r->agt, data + *off, n);
		rc = agentfilter_from_agent(r->f, data + *off, n, &r->to_server);
		*off += n;
		break;
	case 2:
		agentfilter_pump(r->f, &r->to_agent, &r->to_server);
		break;
	default:
		if (frames(&r->to_agent, &unused) > frames(&r->agt, &agent_idle) && agent_idle) {
			buf_append(&r->agt, success, sizeof success);
			rc = agentfilter_from_agent(r->f, success, sizeof success, &r->to_server);
		}
		break;
	}
	if (agentfilter_room(r->f) > AGENTFILTER_BUF_MAX)
		abort();
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct agentfilter_stats st;
	struct run r;
	size_t off = 0;
	int rc = 0;

	r.f = agentfilter_new();
	buf_init(&r.srv);
	buf_init(&r.agt);
	buf_init(&r.to_agent);
	buf_init(&r.to_server);
	while (off < size && rc == 0) {
		rc = step(&r, data, size, &off);
		if (rc == 0)
			check_model(&r, 0);
	}
	if (rc == 0) {
		agentfilter_pump(r.f, &r.to_agent, &r.to_server);
		check_model(&r, 1);
		agentfilter_stats(r.f, &st);
		if (st.passed + st.refused > r.srv.len / 5)
			abort();
	} else if (rc == ERR_PROTO) {
		check_failed(&r);
	} else {
		abort();
	}
	agentfilter_free(r.f);
	buf_fini(&r.srv);
	buf_fini(&r.agt);
	buf_fini(&r.to_agent);
	buf_fini(&r.to_server);
	return 0;
}
