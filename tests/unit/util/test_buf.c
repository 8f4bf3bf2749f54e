/* util/buf and util/bytes: growth, bounds, the NUL terminator, the checked reader. */
#include "../test.h"

#include <stdlib.h>

#include "util/buf.h"
#include "util/bytes.h"

TEST(buf_starts_empty)
{
	struct buf b;

	buf_init(&b);
	CHECK(b.data == NULL);
	CHECK_EQ_INT(b.len, 0);
	buf_fini(&b);
}

TEST(buf_grows_and_keeps_content)
{
	struct buf b;

	buf_init(&b);
	for (int i = 0; i < 100000; i++)
		buf_append_byte(&b, (uint8_t)i);
	CHECK_EQ_INT(b.len, 100000);
	CHECK(b.cap > b.len);
	for (int i = 0; i < 100000; i++)
		CHECK_EQ_INT(b.data[i], (uint8_t)i);
	CHECK_EQ_INT(b.data[b.len], 0);
	buf_fini(&b);
}

TEST(buf_appendf_and_consume)
{
	struct buf b;

	buf_init(&b);
	buf_appendf(&b, "%s-%d", "abc", 42);
	CHECK_EQ_STR((char *)b.data, "abc-42");
	buf_append_str(&b, "xyz");
	buf_consume(&b, 4);
	CHECK_EQ_STR((char *)b.data, "42xyz");
	buf_consume(&b, 1000);
	CHECK_EQ_INT(b.len, 0);
	CHECK_EQ_STR((char *)b.data, "");
	buf_fini(&b);
}

TEST(buf_appendf_large)
{
	struct buf b;
	char big[5000];

	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	buf_init(&b);
	buf_appendf(&b, "<%s>", big);
	CHECK_EQ_INT(b.len, sizeof big + 1);
	CHECK_EQ_INT(b.data[0], '<');
	CHECK_EQ_INT(b.data[b.len - 1], '>');
	buf_fini(&b);
}

TEST(buf_truncate_and_detach)
{
	struct buf b;
	uint8_t *p;
	size_t n;

	buf_init(&b);
	buf_append(&b, "hello", 5);
	buf_truncate(&b, 10);
	CHECK_EQ_INT(b.len, 5);
	buf_truncate(&b, 2);
	CHECK_EQ_STR((char *)b.data, "he");
	p = buf_detach(&b, &n);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_MEM(p, "he", 2);
	CHECK(b.data == NULL && b.len == 0);
	free(p);
	p = buf_detach(&b, &n);
	CHECK(p != NULL);
	CHECK_EQ_INT(n, 0);
	free(p);
}

TEST(bytes_big_endian)
{
	uint8_t p[8];

	be16_put(p, 0xabcd);
	CHECK_EQ_INT(p[0], 0xab);
	CHECK_EQ_INT(p[1], 0xcd);
	CHECK_EQ_INT(be16_get(p), 0xabcd);
	be64_put(p, 0x8000000000000001ull);
	CHECK_EQ_INT(p[0], 0x80);
	CHECK_EQ_INT(p[7], 0x01);
	CHECK_EQ_U64(be64_get(p), 0x8000000000000001ull);
}

TEST(reader_stops_at_end)
{
	static const uint8_t d[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
	struct rd r;

	rd_init(&r, d, sizeof d);
	CHECK_EQ_U64(rd_u64(&r), 0x0102030405060708ull);
	CHECK_EQ_INT(rd_u16(&r), 0x090a);
	CHECK(rd_ok(&r));
	CHECK_EQ_INT(rd_u16(&r), 0); /* only one byte left */
	CHECK(!rd_ok(&r));
	/* Failure is sticky: the remaining byte is not handed out afterwards. */
	CHECK_EQ_INT(rd_u8(&r), 0);
	CHECK(rd_bytes(&r, 0) == NULL);
}

int main(void)
{
	RUN(buf_starts_empty);
	RUN(buf_grows_and_keeps_content);
	RUN(buf_appendf_and_consume);
	RUN(buf_appendf_large);
	RUN(buf_truncate_and_detach);
	RUN(bytes_big_endian);
	RUN(reader_stops_at_end);
	return test_done();
}
