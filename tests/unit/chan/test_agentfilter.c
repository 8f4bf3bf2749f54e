/*
 * chan/agentfilter: only list and sign reach the agent, byte for byte; every
 * other request is answered with SSH_AGENT_FAILURE in its place in the reply
 * order; any split of either stream gives the same bytes; bad lengths and
 * unsolicited replies are protocol errors; a flood fills at most the bound.
 */
#include "../test.h"

#include <stdlib.h>

#include "chan/agentfilter.h"
#include "util/buf.h"
#include "util/bytes.h"
#include "util/err.h"

enum { LIST = 11, SIGN = 13 };

static const uint8_t failure[] = {0, 0, 0, 1, 5};

/* The filter with both output buffers and a fake agent on to_agent. */
struct rig {
	struct agentfilter *f;
	struct buf to_agent, to_server;
	size_t answered; /* bytes of to_agent the fake agent has replied to */
	unsigned replies;
	size_t rcut; /* the fake agent writes each reply in two pieces cut here */
};

static void rig_init(struct rig *r)
{
	memset(r, 0, sizeof *r);
	r->f = agentfilter_new();
	buf_init(&r->to_agent);
	buf_init(&r->to_server);
}

static void rig_fini(struct rig *r)
{
	agentfilter_free(r->f);
	buf_fini(&r->to_agent);
	buf_fini(&r->to_server);
}

/* Append one message of the given type with body_len - 1 pattern bytes after it. */
static void msg(struct buf *b, uint8_t type, uint32_t body_len)
{
	uint8_t len[4];

	be32_put(len, body_len);
	buf_append(b, len, 4);
	buf_append_byte(b, type);
	for (uint32_t i = 1; i < body_len; i++)
		buf_append_byte(b, (uint8_t)(i * 7 + type));
}

/* The fake agent's n-th reply (from 0) to a request of this type: a
 * well-formed answer carrying n, so a reply out of order shows. */
static void reply(struct buf *b, uint8_t type, unsigned n)
{
	static const uint8_t ids[] = {0, 0, 0, 5, 12, 0, 0, 0};
	static const uint8_t sig[] = {0, 0, 0, 9, 14, 0, 0, 0, 4, 'S', 'I', 'G'};

	if (type == LIST)
		buf_append(b, ids, sizeof ids);
	else
		buf_append(b, sig, sizeof sig);
	buf_append_byte(b, (uint8_t)n);
}

static void pump(struct rig *r)
{
	agentfilter_pump(r->f, &r->to_agent, &r->to_server);
}

/* The fake agent answers every complete request it has been handed. */
static void serve(struct rig *r)
{
	while (r->to_agent.len - r->answered >= 5) {
		const uint8_t *m = r->to_agent.data + r->answered;
		size_t len = 4 + be32_get(m);
		struct buf rep;
		size_t cut;

		if (r->to_agent.len - r->answered < len)
			return;
		buf_init(&rep);
		reply(&rep, m[4], r->replies++);
		r->answered += len;
		cut = r->rcut < rep.len ? r->rcut : rep.len;
		CHECK_EQ_INT(agentfilter_from_agent(r->f, rep.data, cut, &r->to_server), 0);
		CHECK_EQ_INT(
		    agentfilter_from_agent(r->f, rep.data + cut, rep.len - cut, &r->to_server), 0);
		buf_fini(&rep);
		pump(r);
	}
}

/* Feed server bytes (within room), pump, and let the agent answer. */
static void feed(struct rig *r, const uint8_t *p, size_t n)
{
	CHECK(n <= agentfilter_room(r->f));
	CHECK_EQ_INT(agentfilter_from_server(r->f, p, n), 0);
	pump(r);
	serve(r);
}

/* What the agent must see and the server must get for a run of requests. */
static void expect(const struct buf *reqs, struct buf *agent, struct buf *server)
{
	unsigned n = 0;

	for (size_t off = 0; off < reqs->len;) {
		size_t len = 4 + be32_get(reqs->data + off);
		uint8_t type = reqs->data[off + 4];

		if (type == LIST || type == SIGN) {
			buf_append(agent, reqs->data + off, len);
			reply(server, type, n++);
		} else {
			buf_append(server, failure, sizeof failure);
		}
		off += len;
	}
}

static void check_run(struct rig *r, const struct buf *reqs)
{
	struct buf agent, server;

	buf_init(&agent);
	buf_init(&server);
	expect(reqs, &agent, &server);
	CHECK_EQ_INT(r->to_agent.len, agent.len);
	CHECK_EQ_MEM(r->to_agent.data, agent.data, agent.len);
	CHECK_EQ_INT(r->to_server.len, server.len);
	CHECK_EQ_MEM(r->to_server.data, server.data, server.len);
	CHECK(!agentfilter_pending(r->f));
	buf_fini(&agent);
	buf_fini(&server);
}

/* A mix of allowed and refused requests, some with long bodies. */
static void mixed(struct buf *reqs)
{
	msg(reqs, LIST, 1);
	msg(reqs, 17, 40); /* add identity */
	msg(reqs, SIGN, 70);
	msg(reqs, 22, 9); /* lock */
	msg(reqs, SIGN, 300);
	msg(reqs, 27, 30); /* extension */
	msg(reqs, 99, 1);  /* unknown */
	msg(reqs, LIST, 1);
}

TEST(list_passes_byte_exact)
{
	static const uint8_t req[] = {0, 0, 0, 1, LIST};
	static const uint8_t rep[] = {0, 0, 0, 5, 12, 0, 0, 0, 0};
	struct agentfilter_stats st;
	struct rig r;

	rig_init(&r);
	CHECK_EQ_INT(agentfilter_from_server(r.f, req, sizeof req), 0);
	pump(&r);
	CHECK_EQ_INT(r.to_agent.len, sizeof req);
	CHECK_EQ_MEM(r.to_agent.data, req, sizeof req);
	CHECK_EQ_INT(r.to_server.len, 0);
	CHECK(agentfilter_pending(r.f));
	CHECK_EQ_INT(agentfilter_from_agent(r.f, rep, sizeof rep, &r.to_server), 0);
	CHECK_EQ_INT(r.to_server.len, sizeof rep);
	CHECK_EQ_MEM(r.to_server.data, rep, sizeof rep);
	CHECK(!agentfilter_pending(r.f));
	agentfilter_stats(r.f, &st);
	CHECK_EQ_U64(st.passed, 1);
	CHECK_EQ_U64(st.refused, 0);
	rig_fini(&r);
}

TEST(sign_passes_byte_exact)
{
	struct buf reqs;
	struct rig r;

	rig_init(&r);
	buf_init(&reqs);
	msg(&reqs, SIGN, 1000);
	feed(&r, reqs.data, reqs.len);
	check_run(&r, &reqs);
	buf_fini(&reqs);
	rig_fini(&r);
}

TEST(other_requests_refused)
{
	/* add, remove, remove-all, add-smartcard, lock, unlock, add-constrained,
	 * extension, SSH1-era and reply types, unknown ones */
	static const uint8_t types[] = {17, 18, 19, 20, 22, 23, 25, 27, 0, 1, 5, 12, 14, 255};
	struct agentfilter_stats st;

	for (size_t i = 0; i < sizeof types; i++) {
		struct buf reqs;
		struct rig r;

		rig_init(&r);
		buf_init(&reqs);
		msg(&reqs, types[i], 1 + (uint32_t)i * 13);
		feed(&r, reqs.data, reqs.len);
		CHECK_EQ_INT(r.to_agent.len, 0);
		CHECK_EQ_INT(r.to_server.len, sizeof failure);
		CHECK_EQ_MEM(r.to_server.data, failure, sizeof failure);
		CHECK(!agentfilter_pending(r.f));
		agentfilter_stats(r.f, &st);
		CHECK_EQ_U64(st.passed, 0);
		CHECK_EQ_U64(st.refused, 1);
		buf_fini(&reqs);
		rig_fini(&r);
	}
}

/* The failure for a refused request waits for the reply to the allowed one
 * before it, and the request after it waits for both. */
TEST(order_kept)
{
	static const uint8_t rep[] = {0, 0, 0, 5, 12, 0, 0, 0, 0};
	struct buf reqs;
	struct rig r;

	rig_init(&r);
	buf_init(&reqs);
	msg(&reqs, LIST, 1);
	msg(&reqs, 22, 9);
	msg(&reqs, SIGN, 20);
	CHECK_EQ_INT(agentfilter_from_server(r.f, reqs.data, reqs.len), 0);
	pump(&r);
	CHECK_EQ_INT(r.to_agent.len, 5);
	CHECK_EQ_INT(r.to_server.len, 0);
	CHECK_EQ_INT(agentfilter_from_agent(r.f, rep, sizeof rep - 1, &r.to_server), 0);
	pump(&r);
	CHECK_EQ_INT(r.to_server.len, sizeof rep - 1);
	CHECK_EQ_INT(r.to_agent.len, 5);
	CHECK_EQ_INT(agentfilter_from_agent(r.f, rep + sizeof rep - 1, 1, &r.to_server), 0);
	CHECK_EQ_INT(r.to_server.len, sizeof rep);
	pump(&r);
	CHECK_EQ_INT(r.to_server.len, sizeof rep + sizeof failure);
	CHECK_EQ_MEM(r.to_server.data + sizeof rep, failure, sizeof failure);
	CHECK_EQ_INT(r.to_agent.len, 5 + 24);
	CHECK_EQ_MEM(r.to_agent.data + 5, reqs.data + 5 + 13, 24);
	buf_fini(&reqs);
	rig_fini(&r);
}

/* Every two-piece cut of the request stream and of each reply, then both
 * streams a byte at a time, give the same bytes to the agent and the server. */
TEST(splits_at_every_boundary)
{
	struct buf reqs;

	buf_init(&reqs);
	mixed(&reqs);
	for (size_t cut = 0; cut <= reqs.len; cut++) {
		struct rig r;

		rig_init(&r);
		r.rcut = cut % 14;
		feed(&r, reqs.data, cut);
		feed(&r, reqs.data + cut, reqs.len - cut);
		check_run(&r, &reqs);
		rig_fini(&r);
	}
	for (size_t rcut = 0; rcut <= 14; rcut++) {
		struct rig r;

		rig_init(&r);
		r.rcut = rcut;
		for (size_t i = 0; i < reqs.len; i++)
			feed(&r, reqs.data + i, 1);
		check_run(&r, &reqs);
		rig_fini(&r);
	}
	buf_fini(&reqs);
}

/* A reply fed a byte at a time: its length is held back until whole. */
TEST(reply_byte_at_a_time)
{
	static const uint8_t req[] = {0, 0, 0, 1, LIST};
	static const uint8_t rep[] = {0, 0, 0, 5, 12, 0, 0, 0, 0};
	struct rig r;

	rig_init(&r);
	CHECK_EQ_INT(agentfilter_from_server(r.f, req, sizeof req), 0);
	pump(&r);
	for (size_t i = 0; i < sizeof rep; i++) {
		CHECK_EQ_INT(agentfilter_from_agent(r.f, rep + i, 1, &r.to_server), 0);
		CHECK_EQ_INT(r.to_server.len, i < 3 ? 0 : i + 1);
		CHECK(agentfilter_pending(r.f) == (i + 1 < sizeof rep));
	}
	CHECK_EQ_MEM(r.to_server.data, rep, sizeof rep);
	rig_fini(&r);
}

/* Server lengths of 0 and over the maximum fail, also split, also queued
 * behind a request in flight; after that nothing moves. The maximum passes. */
TEST(bad_request_lengths)
{
	static const uint32_t bad[] = {0, AGENTFILTER_MAX_MSG + 1, 0x80000000u, 0xffffffffu};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t hdr[5];
		struct rig r;

		be32_put(hdr, bad[i]);
		hdr[4] = LIST;
		rig_init(&r);
		CHECK_EQ_INT(agentfilter_from_server(r.f, hdr, 2), 0);
		CHECK_EQ_INT(agentfilter_from_server(r.f, hdr + 2, 3), ERR_PROTO);
		CHECK_EQ_INT(agentfilter_room(r.f), 0);
		CHECK_EQ_INT(agentfilter_from_server(r.f, hdr, 0), ERR_PROTO);
		pump(&r);
		CHECK_EQ_INT(r.to_agent.len + r.to_server.len, 0);
		CHECK(!agentfilter_pending(r.f));
		rig_fini(&r);

		rig_init(&r);
		{
			static const uint8_t list[] = {0, 0, 0, 1, LIST};

			CHECK_EQ_INT(agentfilter_from_server(r.f, list, sizeof list), 0);
		}
		pump(&r);
		CHECK_EQ_INT(agentfilter_from_server(r.f, hdr, sizeof hdr), ERR_PROTO);
		rig_fini(&r);
	}
	{
		struct buf reqs;
		struct rig r;

		rig_init(&r);
		buf_init(&reqs);
		msg(&reqs, SIGN, AGENTFILTER_MAX_MSG);
		feed(&r, reqs.data, reqs.len);
		check_run(&r, &reqs);
		buf_fini(&reqs);
		rig_fini(&r);
	}
}

/* Agent replies with a bad length, before a request went out in full, or
 * beyond the reply owed are errors; a failed filter takes nothing more. */
TEST(bad_replies)
{
	static const uint8_t list[] = {0, 0, 0, 1, LIST};
	static const uint8_t zero[] = {0, 0, 0, 0};
	static const uint8_t huge[] = {0, 4, 0, 1, 12};
	static const uint8_t rep_extra[] = {0, 0, 0, 1, 5, 0};
	struct rig r;

	rig_init(&r);
	CHECK_EQ_INT(agentfilter_from_agent(r.f, list, 1, &r.to_server), ERR_PROTO);
	rig_fini(&r);

	rig_init(&r);
	CHECK_EQ_INT(agentfilter_from_server(r.f, list, 4), 0);
	pump(&r);
	CHECK_EQ_INT(agentfilter_from_agent(r.f, failure, 1, &r.to_server), ERR_PROTO);
	rig_fini(&r);

	rig_init(&r);
	CHECK_EQ_INT(agentfilter_from_server(r.f, list, sizeof list), 0);
	pump(&r);
	CHECK_EQ_INT(agentfilter_from_agent(r.f, zero, sizeof zero, &r.to_server), ERR_PROTO);
	CHECK_EQ_INT(r.to_server.len, 0);
	rig_fini(&r);

	rig_init(&r);
	CHECK_EQ_INT(agentfilter_from_server(r.f, list, sizeof list), 0);
	pump(&r);
	CHECK_EQ_INT(agentfilter_from_agent(r.f, huge, sizeof huge, &r.to_server), ERR_PROTO);
	CHECK_EQ_INT(r.to_server.len, 0);
	rig_fini(&r);

	rig_init(&r);
	CHECK_EQ_INT(agentfilter_from_server(r.f, list, sizeof list), 0);
	pump(&r);
	CHECK_EQ_INT(agentfilter_from_agent(r.f, rep_extra, sizeof rep_extra, &r.to_server),
	             ERR_PROTO);
	CHECK_EQ_INT(agentfilter_from_server(r.f, list, sizeof list), ERR_PROTO);
	CHECK_EQ_INT(agentfilter_from_agent(r.f, list, 1, &r.to_server), ERR_PROTO);
	rig_fini(&r);
}

/* Requests pipelined behind one the agent has not answered fill at most the
 * bound; room reaches 0 there, and every request still gets its reply. */
TEST(flood_is_bounded)
{
	struct buf reqs;
	struct rig r;
	size_t fed = 0, rounds = 0;

	rig_init(&r);
	buf_init(&reqs);
	for (size_t i = 0; reqs.len < 3 * (size_t)AGENTFILTER_BUF_MAX; i++)
		msg(&reqs, i % 3 == 2 ? 17 : LIST, 1);
	CHECK_EQ_INT(agentfilter_room(r.f), AGENTFILTER_BUF_MAX);
	CHECK_EQ_INT(agentfilter_from_server(r.f, reqs.data, 5), 0);
	pump(&r);
	fed = 5;
	while (agentfilter_room(r.f) > 0 && fed < reqs.len) {
		size_t n = agentfilter_room(r.f);

		if (n > reqs.len - fed)
			n = reqs.len - fed;
		CHECK_EQ_INT(agentfilter_from_server(r.f, reqs.data + fed, n), 0);
		fed += n;
		pump(&r);
	}
	CHECK_EQ_INT(fed, 5 + (size_t)AGENTFILTER_BUF_MAX);
	CHECK_EQ_INT(r.to_agent.len, 5);
	CHECK_EQ_INT(r.to_server.len, 0);
	while (fed < reqs.len && rounds++ < 10 * reqs.len) {
		size_t n = agentfilter_room(r.f);

		serve(&r);
		if (n > reqs.len - fed)
			n = reqs.len - fed;
		feed(&r, reqs.data + fed, n);
		fed += n;
	}
	serve(&r);
	check_run(&r, &reqs);
	buf_fini(&reqs);
	rig_fini(&r);
}

/* Refused requests never queue (at most a cut header waits), and the bytes
 * answered never exceed those read. */
TEST(refused_flood_never_fills)
{
	struct buf reqs;
	struct rig r;

	rig_init(&r);
	buf_init(&reqs);
	while (reqs.len < 2 * (size_t)AGENTFILTER_BUF_MAX)
		msg(&reqs, 19, 1);
	for (size_t off = 0; off < reqs.len; off += 4096) {
		size_t n = reqs.len - off < 4096 ? reqs.len - off : 4096;

		feed(&r, reqs.data + off, n);
		CHECK(agentfilter_room(r.f) >= AGENTFILTER_BUF_MAX - 4); /* a cut header */
		CHECK(r.to_server.len <= off + n);
	}
	check_run(&r, &reqs);
	rig_fini(&r);
	buf_fini(&reqs);
}

/* pending: a complete request not yet answered; a partial one is not, also
 * once its start has been taken. */
TEST(pending_ignores_partial_request)
{
	static const uint8_t req[] = {0, 0, 0, 5, 22, 1, 2, 3, 4};
	struct rig r;

	rig_init(&r);
	CHECK_EQ_INT(agentfilter_from_server(r.f, req, 4), 0);
	CHECK(!agentfilter_pending(r.f));
	CHECK_EQ_INT(agentfilter_from_server(r.f, req + 4, 1), 0);
	CHECK(!agentfilter_pending(r.f));
	pump(&r);
	CHECK(!agentfilter_pending(r.f));
	CHECK_EQ_INT(agentfilter_from_server(r.f, req + 5, 3), 0);
	CHECK(!agentfilter_pending(r.f));
	CHECK_EQ_INT(agentfilter_from_server(r.f, req + 8, 1), 0);
	CHECK(agentfilter_pending(r.f));
	CHECK_EQ_INT(r.to_server.len, 0);
	pump(&r);
	CHECK(!agentfilter_pending(r.f));
	CHECK_EQ_INT(r.to_server.len, sizeof failure);
	CHECK_EQ_INT(agentfilter_from_server(r.f, req, sizeof req), 0);
	CHECK(agentfilter_pending(r.f));
	rig_fini(&r);
}

int main(void)
{
	RUN(list_passes_byte_exact);
	RUN(sign_passes_byte_exact);
	RUN(other_requests_refused);
	RUN(order_kept);
	RUN(splits_at_every_boundary);
	RUN(reply_byte_at_a_time);
	RUN(bad_request_lengths);
	RUN(bad_replies);
	RUN(flood_is_bounded);
	RUN(refused_flood_never_fills);
	RUN(pending_ignores_partial_request);
	return test_done();
}
