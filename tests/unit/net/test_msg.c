/*
 * net/msg: the exact bytes of doc/PROTOCOL.md §4 (first client diff, first
 * Instruction, shutdown Instruction), round trips, extension priority, and
 * garbage that must be refused without a crash.
 */
#include "../test.h"
#include "../hex.h"
#include "../rng.h"

#include <stdint.h>

#include "net/msg.h"
#include "net/wire.h"
#include "util/err.h"

static const uint8_t first_diff[] = {0x0A, 0x06, 0x1A, 0x04, 0x28, 0x50, 0x30, 0x18};

TEST(first_client_diff)
{
	struct msg_user_event ev = {.kind = MSG_USER_RESIZE, .width = 80, .height = 24};
	struct msg_user u;
	struct buf out;

	buf_init(&out);
	msg_user_encode(&ev, 1, &out);
	CHECK_EQ_INT(out.len, sizeof first_diff);
	CHECK_EQ_MEM(out.data, first_diff, sizeof first_diff);
	CHECK_EQ_INT(msg_user_decode(out.data, out.len, &u), 0);
	CHECK_EQ_INT(u.n_events, 1);
	CHECK_EQ_INT(u.events[0].kind, MSG_USER_RESIZE);
	CHECK_EQ_INT(u.events[0].width, 80);
	CHECK_EQ_INT(u.events[0].height, 24);
	msg_user_release(&u);
	msg_user_release(&u);
	buf_fini(&out);
}

TEST(first_instruction)
{
	struct msg_instruction in = {
	    .old_num = 0, .new_num = 1, .diff = first_diff, .diff_len = sizeof first_diff};
	uint8_t want[64];
	size_t n = hex_decode("08 02 10 00 18 01 20 00 28 00 32 08 0A 06 1A 04 28 50 30 18 3A 00",
	                      want, sizeof want);
	struct msg_instruction back;
	struct buf out;

	buf_init(&out);
	msg_instruction_encode(&in, &out);
	CHECK_EQ_INT(out.len, n);
	CHECK_EQ_MEM(out.data, want, n);
	CHECK_EQ_INT(msg_instruction_decode(out.data, out.len, &back), 0);
	CHECK_EQ_INT(back.protocol_version, 2);
	CHECK_EQ_U64(back.old_num, 0);
	CHECK_EQ_U64(back.new_num, 1);
	CHECK_EQ_INT(back.diff_len, sizeof first_diff);
	CHECK_EQ_MEM(back.diff, first_diff, sizeof first_diff);
	CHECK_EQ_INT(back.chaff_len, 0);
	msg_instruction_release(&back);
	buf_fini(&out);
}

TEST(shutdown_instruction)
{
	struct msg_instruction in = {.protocol_version = 99, /* ignored: 2 is always sent */
	                             .old_num = 6,
	                             .new_num = WIRE_STATE_SHUTDOWN,
	                             .ack_num = 7,
	                             .throwaway_num = 6};
	uint8_t want[64];
	size_t n =
	    hex_decode("08 02 10 06 18 FF FF FF FF FF FF FF FF FF 01 20 07 28 06 32 00 3A 00", want,
	               sizeof want);
	struct msg_instruction back;
	struct buf out;

	buf_init(&out);
	msg_instruction_encode(&in, &out);
	CHECK_EQ_INT(out.len, n);
	CHECK_EQ_MEM(out.data, want, n);
	CHECK_EQ_INT(msg_instruction_decode(out.data, out.len, &back), 0);
	CHECK_EQ_U64(back.new_num, UINT64_MAX);
	CHECK_EQ_U64(back.ack_num, 7);
	CHECK_EQ_U64(back.throwaway_num, 6);
	CHECK_EQ_INT(back.diff_len, 0);
	msg_instruction_release(&back);
	buf_fini(&out);
}

TEST(instruction_chaff_and_version)
{
	uint8_t chaff[16], buf[64];
	struct msg_instruction in = {.new_num = 3, .chaff = chaff, .chaff_len = 16}, back;
	struct buf out;
	size_t n;

	for (int i = 0; i < 16; i++)
		chaff[i] = (uint8_t)(0xF0 + i);
	buf_init(&out);
	msg_instruction_encode(&in, &out);
	CHECK_EQ_INT(msg_instruction_decode(out.data, out.len, &back), 0);
	CHECK_EQ_INT(back.chaff_len, 16);
	CHECK_EQ_MEM(back.chaff, chaff, 16);
	msg_instruction_release(&back);
	/* Version 3, a missing version (reads as 0), garbage. */
	n = hex_decode("08 03 10 00 18 01", buf, sizeof buf);
	CHECK_EQ_INT(msg_instruction_decode(buf, n, &back), ERR_PROTO);
	n = hex_decode("10 00 18 01 20 00", buf, sizeof buf);
	CHECK_EQ_INT(msg_instruction_decode(buf, n, &back), ERR_PROTO);
	CHECK_EQ_INT(msg_instruction_decode((const uint8_t *)"\xff\xff\xff", 3, &back), ERR_INVAL);
	CHECK_EQ_INT(msg_instruction_decode((const uint8_t *)"\x32\x05\x01", 3, &back), ERR_INVAL);
	msg_instruction_release(&back);
	/* Unknown fields are ignored (a future mosh-c capability field, say). */
	n = hex_decode("08 02 18 05 F8 01 01 3A 00", buf, sizeof buf);
	CHECK_EQ_INT(msg_instruction_decode(buf, n, &back), 0);
	CHECK_EQ_U64(back.new_num, 5);
	msg_instruction_release(&back);
	buf_fini(&out);
}

TEST(user_message_keys_and_resizes)
{
	struct msg_user_event ev[] = {
	    {.kind = MSG_USER_KEYS, .keys = (const uint8_t *)"echo hi there", .keys_len = 13},
	    {.kind = MSG_USER_NONE},
	    {.kind = MSG_USER_RESIZE, .width = 132, .height = 50},
	    {.kind = MSG_USER_KEYS, .keys = (const uint8_t *)"\r", .keys_len = 1},
	};
	uint8_t want[64];
	size_t n = hex_decode("0A 11 12 0F 22 0D", want, sizeof want);
	struct msg_user u;
	struct buf out;

	buf_init(&out);
	msg_user_encode(ev, 1, &out);
	CHECK_EQ_INT(out.len, n + 13);
	CHECK_EQ_MEM(out.data, want, n);
	CHECK_EQ_MEM(out.data + n, "echo hi there", 13);
	msg_user_encode(ev, 4, &out);
	CHECK_EQ_INT(msg_user_decode(out.data, out.len, &u), 0);
	CHECK_EQ_INT(u.n_events, 3); /* the NONE event is not sent */
	CHECK_EQ_INT(u.events[0].kind, MSG_USER_KEYS);
	CHECK_EQ_INT(u.events[0].keys_len, 13);
	CHECK_EQ_MEM(u.events[0].keys, "echo hi there", 13);
	CHECK_EQ_INT(u.events[1].kind, MSG_USER_RESIZE);
	CHECK_EQ_INT(u.events[1].width, 132);
	CHECK_EQ_INT(u.events[2].kind, MSG_USER_KEYS);
	CHECK_EQ_MEM(u.events[2].keys, "\r", 1);
	msg_user_release(&u);
	/* An empty diff is an empty message. */
	msg_user_encode(NULL, 0, &out);
	CHECK_EQ_INT(out.len, 0);
	CHECK_EQ_INT(msg_user_decode(out.data, 0, &u), 0);
	CHECK_EQ_INT(u.n_events, 0);
	msg_user_release(&u);
	buf_fini(&out);
}

TEST(user_message_priority)
{
	/* One instruction with both keystroke and resize: keystroke wins; one with neither. */
	uint8_t buf[64];
	size_t n =
	    hex_decode("0A 0B 1A 04 28 01 30 02 12 03 22 01 41 0A 02 08 01", buf, sizeof buf);
	struct msg_user u;

	CHECK_EQ_INT(msg_user_decode(buf, n, &u), 0);
	CHECK_EQ_INT(u.n_events, 2);
	CHECK_EQ_INT(u.events[0].kind, MSG_USER_KEYS);
	CHECK_EQ_INT(u.events[0].keys_len, 1);
	CHECK_EQ_INT(u.events[0].keys[0], 'A');
	CHECK_EQ_INT(u.events[1].kind, MSG_USER_NONE);
	msg_user_release(&u);
}

TEST(host_message)
{
	static const char text[] = "\x1b[?25l\nmosh-c\x1b[?25h";
	struct msg_host_event ev[] = {
	    {.kind = MSG_HOST_ECHOACK, .echo_ack = 3},
	    {.kind = MSG_HOST_RESIZE, .width = 80, .height = 24},
	    {.kind = MSG_HOST_BYTES, .bytes = (const uint8_t *)text, .bytes_len = sizeof text - 1},
	};
	uint8_t want[64], buf[64];
	size_t n = hex_decode("0A 04 3A 02 40 03", want, sizeof want);
	struct msg_host h;
	struct buf out;

	buf_init(&out);
	msg_host_encode(ev, 1, &out);
	CHECK_EQ_INT(out.len, n);
	CHECK_EQ_MEM(out.data, want, n);
	msg_host_encode(ev, 3, &out);
	CHECK_EQ_INT(msg_host_decode(out.data, out.len, &h), 0);
	CHECK_EQ_INT(h.n_events, 3);
	CHECK_EQ_INT(h.events[0].kind, MSG_HOST_ECHOACK);
	CHECK_EQ_U64(h.events[0].echo_ack, 3);
	CHECK_EQ_INT(h.events[1].kind, MSG_HOST_RESIZE);
	CHECK_EQ_INT(h.events[1].height, 24);
	CHECK_EQ_INT(h.events[2].kind, MSG_HOST_BYTES);
	CHECK_EQ_INT(h.events[2].bytes_len, sizeof text - 1);
	CHECK_EQ_MEM(h.events[2].bytes, text, sizeof text - 1);
	msg_host_release(&h);
	/* Priority hostbytes > resize > echoack inside one instruction. */
	n = hex_decode("0A 0D 3A 02 40 09 1A 02 28 05 12 03 22 01 7A"
	               "0A 08 3A 02 40 09 1A 02 28 05",
	               buf, sizeof buf);
	CHECK_EQ_INT(msg_host_decode(buf, n, &h), 0);
	CHECK_EQ_INT(h.n_events, 2);
	CHECK_EQ_INT(h.events[0].kind, MSG_HOST_BYTES);
	CHECK_EQ_INT(h.events[0].bytes[0], 'z');
	CHECK_EQ_INT(h.events[1].kind, MSG_HOST_RESIZE);
	CHECK_EQ_INT(h.events[1].width, 5);
	CHECK_EQ_INT(h.events[1].height, 0);
	msg_host_release(&h);
	CHECK_EQ_INT(msg_host_decode((const uint8_t *)"\x0a\x05\x12", 3, &h), ERR_INVAL);
	msg_host_release(&h);
	buf_fini(&out);
}

TEST(garbage_never_crashes)
{
	uint8_t buf[256];
	struct rng r;
	int ok = 0;

	rng_seed(&r, 99);
	for (int i = 0; i < 20000; i++) {
		size_t n = rng_below(&r, sizeof buf);
		struct msg_instruction in;
		struct msg_user u;
		struct msg_host h;

		rng_fill(&r, buf, n);
		/* Bias towards plausible tags so the parsers go deep. */
		if (n > 0 && i % 2)
			buf[0] = 0x0A;
		if (msg_instruction_decode(buf, n, &in) == 0)
			ok++;
		msg_instruction_release(&in);
		if (msg_user_decode(buf, n, &u) == 0)
			ok++;
		msg_user_release(&u);
		if (msg_host_decode(buf, n, &h) == 0)
			ok++;
		msg_host_release(&h);
	}
	CHECK(ok > 0);
}

/* out = prefix, then count copies of the 2-byte field rep. */
static void repeat(struct buf *out, const char *prefix, size_t plen, const char rep[2],
                   size_t count)
{
	buf_clear(out);
	buf_append(out, prefix, plen);
	for (size_t i = 0; i < count; i++)
		buf_append(out, rep, 2);
}

/* 0x0A 0x00 is one empty instruction (field 1, length 0); 0x10 0x00 an unknown varint. */
TEST(field_count_is_capped_before_unpacking)
{
	struct msg_instruction in;
	struct msg_user u;
	struct msg_host h;
	struct buf b;
	uint8_t hdr[8];

	buf_init(&b);
	repeat(&b, "", 0, "\x0a\x00", MSG_FIELDS_MAX);
	CHECK_EQ_INT(msg_user_decode(b.data, b.len, &u), 0);
	CHECK_EQ_INT(u.n_events, MSG_FIELDS_MAX);
	msg_user_release(&u);
	repeat(&b, "", 0, "\x0a\x00", MSG_FIELDS_MAX + 1);
	CHECK_EQ_INT(msg_user_decode(b.data, b.len, &u), ERR_RANGE);
	msg_user_release(&u);
	CHECK_EQ_INT(msg_host_decode(b.data, b.len, &h), ERR_RANGE);
	msg_host_release(&h);
	/* The 224 MB case: a whole inflated instruction (4 MiB) of empty instructions. */
	repeat(&b, "", 0, "\x0a\x00", WIRE_INFLATE_MAX / 2);
	CHECK_EQ_INT(msg_host_decode(b.data, b.len, &h), ERR_RANGE);
	msg_host_release(&h);
	/* Unknown fields cost the same: at the top and inside one instruction... */
	repeat(&b, "", 0, "\x10\x00", MSG_FIELDS_MAX + 1);
	CHECK_EQ_INT(msg_user_decode(b.data, b.len, &u), ERR_RANGE);
	msg_user_release(&u);
	CHECK_EQ_INT(msg_instruction_decode(b.data, b.len, &in), ERR_RANGE);
	msg_instruction_release(&in);
	hdr[0] = 0x0a; /* one instruction of 2 * (MSG_FIELDS_MAX + 1) bytes: a 3-byte varint */
	hdr[1] = (uint8_t)(0x80 | ((2 * (MSG_FIELDS_MAX + 1)) & 0x7f));
	hdr[2] = (uint8_t)(0x80 | (((2 * (MSG_FIELDS_MAX + 1)) >> 7) & 0x7f));
	hdr[3] = (uint8_t)((2 * (MSG_FIELDS_MAX + 1)) >> 14);
	repeat(&b, (const char *)hdr, 4, "\x48\x00", MSG_FIELDS_MAX + 1);
	CHECK_EQ_INT(msg_host_decode(b.data, b.len, &h), ERR_RANGE);
	msg_host_release(&h);
	/* ...and inside a keystroke, two levels down. */
	hdr[1] = 0x80 | ((2 * MSG_FIELDS_MAX + 4) & 0x7f);
	hdr[2] = 0x80 | (((2 * MSG_FIELDS_MAX + 4) >> 7) & 0x7f);
	hdr[3] = (uint8_t)((2 * MSG_FIELDS_MAX + 4) >> 14);
	hdr[4] = 0x12; /* keystroke, length 2 * MSG_FIELDS_MAX */
	hdr[5] = 0x80 | ((2 * MSG_FIELDS_MAX) & 0x7f);
	hdr[6] = 0x80 | (((2 * MSG_FIELDS_MAX) >> 7) & 0x7f);
	hdr[7] = (uint8_t)((2 * MSG_FIELDS_MAX) >> 14);
	repeat(&b, (const char *)hdr, 8, "\x38\x00", MSG_FIELDS_MAX);
	CHECK_EQ_INT(msg_user_decode(b.data, b.len, &u), ERR_RANGE);
	msg_user_release(&u);
	buf_fini(&b);
}

/* Real messages carry their bytes in few fields, however large: they still decode. */
TEST(large_real_messages_decode)
{
	static uint8_t big[WIRE_INFLATE_MAX - 64];
	struct msg_user_event ue[3] = {
	    {.kind = MSG_USER_KEYS, .keys = big, .keys_len = sizeof big},
	    {.kind = MSG_USER_RESIZE, .width = 80, .height = 24},
	    {.kind = MSG_USER_KEYS, .keys = (const uint8_t *)"x", .keys_len = 1}};
	struct msg_host_event he = {.kind = MSG_HOST_BYTES, .bytes = big, .bytes_len = sizeof big};
	struct msg_instruction in = {.diff = big, .diff_len = sizeof big}, got;
	struct msg_user u;
	struct msg_host h;
	struct buf b;

	memset(big, 0x0a, sizeof big); /* bytes that look like tags must not be counted */
	buf_init(&b);
	msg_user_encode(ue, 3, &b);
	CHECK_EQ_INT(msg_user_decode(b.data, b.len, &u), 0);
	CHECK_EQ_INT(u.n_events, 3);
	CHECK_EQ_INT(u.events[0].keys_len, sizeof big);
	msg_user_release(&u);
	msg_host_encode(&he, 1, &b);
	CHECK_EQ_INT(msg_host_decode(b.data, b.len, &h), 0);
	CHECK_EQ_INT(h.events[0].bytes_len, sizeof big);
	msg_host_release(&h);
	msg_instruction_encode(&in, &b);
	CHECK_EQ_INT(msg_instruction_decode(b.data, b.len, &got), 0);
	CHECK_EQ_INT(got.diff_len, sizeof big);
	msg_instruction_release(&got);
	buf_fini(&b);
}

int main(void)
{
	RUN(first_client_diff);
	RUN(first_instruction);
	RUN(shutdown_instruction);
	RUN(instruction_chaff_and_version);
	RUN(user_message_keys_and_resizes);
	RUN(user_message_priority);
	RUN(host_message);
	RUN(garbage_never_crashes);
	RUN(field_count_is_capped_before_unpacking);
	RUN(large_real_messages_decode);
	return test_done();
}
