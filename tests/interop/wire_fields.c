/*
 * Which fields travel in recorded mosh datagrams (tests/lib/udp_record.py's
 * record format: a 4-byte big-endian length, then the datagram). Used by
 * tests/e2e/scrollback_interop.sh to prove that a mosh 1.4 peer never gets a
 * mosh-c extension (doc/PROTOCOL.md §15.1: fields 40-63) it did not ask for.
 *
 * Usage: MOSH_KEY=<22 chars> wire_fields up|down RECORD
 *   up:   the client's datagrams (the diffs are UserMessages);
 *   down: the server's datagrams (HostMessages).
 * Prints one "field N COUNT" line per field number of the inner
 * instructions (ClientBuffers/HostBuffers.Instruction) seen in any diff,
 * then "instructions N", "diffs N" and "dropped N" (datagrams or fragments
 * that did not open or decode). The key comes from the environment, never
 * from argv, so it stays out of process listings and logs.
 *
 * The diff is walked as raw protobuf wire format, not through protobuf-c,
 * because protobuf-c keeps unknown fields out of reach: every tag counts,
 * known or not. A message that does not parse counts as dropped, and the
 * exit status is then 1, so a broken capture cannot look clean.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/key.h"
#include "net/codec.h"
#include "net/msg.h"
#include "net/pkt.h"
#include "util/buf.h"
#include "util/clock.h"

enum { FIELD_MAX = 1 << 12 };

struct tally {
	uint64_t field[FIELD_MAX + 1]; /* the last slot counts numbers above FIELD_MAX */
	uint64_t instructions, diffs, dropped;
};

struct cursor {
	const uint8_t *p, *end;
};

static bool read_varint(struct cursor *c, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 64 && c->p < c->end; shift += 7) {
		uint8_t b = *c->p++;

		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return true;
	}
	return false;
}

/* Skip one field's value of wire type wt; a length-delimited one is returned in *sub. */
static bool skip_value(struct cursor *c, unsigned wt, struct cursor *sub)
{
	uint64_t v;

	switch (wt) {
	case 0:
		return read_varint(c, &v);
	case 1:
	case 5: {
		size_t n = wt == 1 ? 8 : 4;

		if ((size_t)(c->end - c->p) < n)
			return false;
		c->p += n;
		return true;
	}
	case 2:
		if (!read_varint(c, &v) || v > (uint64_t)(c->end - c->p))
			return false;
		sub->p = c->p;
		sub->end = c->p + v;
		c->p += v;
		return true;
	default:
		return false;
	}
}

/* One inner Instruction: count each field number. */
static bool walk_instruction(struct cursor c, struct tally *t)
{
	while (c.p < c.end) {
		struct cursor sub;
		uint64_t tag;

		if (!read_varint(&c, &tag) || !skip_value(&c, (unsigned)(tag & 7), &sub))
			return false;
		t->field[tag >> 3 > FIELD_MAX ? FIELD_MAX : tag >> 3]++;
	}
	t->instructions++;
	return true;
}

/* A UserMessage or HostMessage: repeated Instruction instruction = 1. */
static bool walk_message(struct cursor c, struct tally *t)
{
	while (c.p < c.end) {
		struct cursor sub = {NULL, NULL};
		uint64_t tag;

		if (!read_varint(&c, &tag) || !skip_value(&c, (unsigned)(tag & 7), &sub))
			return false;
		if (tag != (1 << 3 | 2) || !walk_instruction(sub, t))
			return false;
	}
	t->diffs++;
	return true;
}

/* One recorded datagram: open it, assemble, and walk each complete diff. */
static void feed(struct pkt_session *pkt, struct codec *codec, const uint8_t *d, size_t n,
                 struct buf *payload, struct tally *t)
{
	struct msg_instruction in;
	bool in_order;
	int rc;

	if (pkt_open(pkt, clock_ms(), d, n, payload, &in_order) < 0) {
		t->dropped++;
		return;
	}
	rc = codec_receive(codec, payload->data, payload->len, &in);
	if (rc < 0)
		t->dropped++;
	if (rc != 1)
		return;
	if (in.diff_len == 0)
		t->diffs++;
	else if (!walk_message((struct cursor){in.diff, in.diff + in.diff_len}, t))
		t->dropped++;
	msg_instruction_release(&in);
}

int main(int argc, char **argv)
{
	const char *keytext = getenv("MOSH_KEY");
	static struct tally t;
	uint8_t key[KEY_LEN];
	struct pkt_session *pkt;
	struct codec *codec;
	struct buf payload;
	uint8_t hdr[4], *d;
	bool up;
	FILE *f;

	if (argc != 3 || (strcmp(argv[1], "up") != 0 && strcmp(argv[1], "down") != 0)) {
		fprintf(stderr, "usage: MOSH_KEY=KEY %s up|down RECORD\n", argv[0]);
		return 2;
	}
	if (keytext == NULL || key_parse(keytext, key) < 0) {
		fprintf(stderr, "wire_fields: MOSH_KEY is missing or malformed\n");
		return 2;
	}
	f = fopen(argv[2], "rb");
	if (f == NULL) {
		perror(argv[2]);
		return 2;
	}
	up = strcmp(argv[1], "up") == 0;
	/* Open a direction's datagrams as the end that receives them. */
	pkt = pkt_session_new(key, up ? PKT_TO_CLIENT : PKT_TO_SERVER);
	codec = codec_new();
	buf_init(&payload);
	d = malloc(1 << 16);
	while (fread(hdr, 1, 4, f) == 4) {
		size_t n =
		    (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3];

		if (n > 1 << 16 || fread(d, 1, n, f) != n) {
			t.dropped++;
			break;
		}
		feed(pkt, codec, d, n, &payload, &t);
	}
	for (size_t i = 0; i < FIELD_MAX + 1; i++)
		if (t.field[i] != 0)
			printf("field %zu %llu\n", i, (unsigned long long)t.field[i]);
	printf("instructions %llu\ndiffs %llu\ndropped %llu\n", (unsigned long long)t.instructions,
	       (unsigned long long)t.diffs, (unsigned long long)t.dropped);
	free(d);
	buf_fini(&payload);
	codec_free(codec);
	pkt_session_free(pkt);
	fclose(f);
	return t.dropped == 0 ? 0 : 1;
}
