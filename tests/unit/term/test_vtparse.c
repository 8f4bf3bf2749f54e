/* term/vtparse: actions in order, parameter bounds, OSC cap, CAN/SUB, ESC
 * inside strings, C1 code points, DCS hooks. A recorder turns actions into a
 * readable log that each case compares. */
#include "../test.h"

#include <stdlib.h>
#include <string.h>

#include "term/vtparse.h"
#include "util/buf.h"

static struct buf log_;

static void rec_cp(const char *what, uint32_t cp)
{
	if (cp >= 0x21 && cp < 0x7F)
		buf_appendf(&log_, "%s(%c) ", what, (char)cp);
	else
		buf_appendf(&log_, "%s(%x) ", what, cp);
}

static void rec_dispatch(const char *what, const struct vtparse *p, uint32_t final)
{
	size_t n;
	const char *c = vtparse_collected(p, &n);

	buf_appendf(&log_, "%s[%.*s|", what, (int)n, c);
	for (int i = 0; i < vtparse_nparams(p); i++)
		buf_appendf(&log_, "%s%d",
		            i == 0                    ? ""
		            : vtparse_param_sub(p, i) ? ":"
		                                      : ";",
		            vtparse_param(p, i, -1));
	buf_appendf(&log_, "|%c] ", final < 0x80 ? (char) final : '?');
}

static void on_print(void *u, uint32_t cp)
{
	rec_cp("p", cp);
}
static void on_execute(void *u, uint32_t cp)
{
	rec_cp("x", cp);
}
static void on_esc(void *u, const struct vtparse *p, uint32_t f)
{
	rec_dispatch("esc", p, f);
}
static void on_csi(void *u, const struct vtparse *p, uint32_t f)
{
	rec_dispatch("csi", p, f);
}
static void on_osc_start(void *u)
{
	buf_append_str(&log_, "osc< ");
}
static void on_osc_end(void *u, const uint32_t *s, size_t len)
{
	buf_append_str(&log_, "osc>");
	for (size_t i = 0; i < len && i < 40; i++)
		buf_append_byte(&log_, s[i] < 0x80 ? (uint8_t)s[i] : '?');
	buf_appendf(&log_, "(%zu) ", len);
}
static void on_hook(void *u, const struct vtparse *p, uint32_t f)
{
	rec_dispatch("hook", p, f);
}
static void on_put(void *u, uint32_t cp)
{
	rec_cp("put", cp);
}
static void on_unhook(void *u)
{
	buf_append_str(&log_, "unhook ");
}

static const struct vtparse_cb cbs = {
    .print = on_print,
    .execute = on_execute,
    .esc_dispatch = on_esc,
    .csi_dispatch = on_csi,
    .osc_start = on_osc_start,
    .osc_end = on_osc_end,
    .hook = on_hook,
    .put = on_put,
    .unhook = on_unhook,
};

static struct vtparse *parser(void)
{
	static struct vtparse p;

	vtparse_init(&p, &cbs, NULL);
	buf_clear(&log_);
	return &p;
}

static void feed_str(struct vtparse *p, const char *s)
{
	for (; *s; s++)
		vtparse_feed(p, (unsigned char)*s);
}

static const char *logged(void)
{
	return log_.data ? (const char *)log_.data : "";
}

TEST(vtparse_print_and_execute)
{
	struct vtparse *p = parser();

	feed_str(p, "a\rb\x7f");
	vtparse_feed(p, 0x4E2D);
	CHECK_EQ_STR(logged(), "p(a) x(d) p(b) p(7f) p(4e2d) ");
}

TEST(vtparse_csi_params)
{
	struct vtparse *p = parser();

	feed_str(p, "\033[1;22;333m\033[m\033[;5H\033[0A\033[?25h\033[>c\033[!p");
	CHECK_EQ_STR(logged(), "csi[|1;22;333|m] csi[|-1|m] csi[|-1;5|H] csi[|-1|A] "
	                       "csi[?|25|h] csi[>|-1|c] csi[!|-1|p] ");
	/* An explicit 0 means default; 65535 is the largest value; beyond is missing. */
	p = parser();
	feed_str(p, "\033[0;65535;65536;99999999999999999999;007x");
	CHECK_EQ_STR(logged(), "csi[|-1;65535;-1;-1;7|x] ");
	CHECK_EQ_INT(vtparse_param(p, 0, 9), 9);
}

TEST(vtparse_raw_params_capped_at_100)
{
	struct vtparse *p = parser();
	char s[400];
	int n = 0;

	/* 99 characters of "1;" pairs then "23": the 100th character is '2', the '3' is lost. */
	n += snprintf(s + n, sizeof s - (size_t)n, "\033[");
	for (int i = 0; i < 49; i++)
		n += snprintf(s + n, sizeof s - (size_t)n, "1;");
	n += snprintf(s + n, sizeof s - (size_t)n, "12345;9m");
	feed_str(p, s);
	CHECK_EQ_INT(vtparse_nparams(p), 50);
	CHECK_EQ_INT(vtparse_param(p, 48, -1), 1);
	CHECK_EQ_INT(vtparse_param(p, 49, -1), 12);
	/* 300 semicolons: at most 101 parameters. */
	p = parser();
	feed_str(p, "\033[");
	for (int i = 0; i < 300; i++)
		vtparse_feed(p, ';');
	vtparse_feed(p, 'm');
	CHECK_EQ_INT(vtparse_nparams(p), 101);
}

TEST(vtparse_collect_bounded)
{
	struct vtparse *p = parser();
	size_t n;

	feed_str(p, "\033[?!!!!!!!!!!!!q");
	vtparse_collected(p, &n);
	CHECK_EQ_INT(n, 8);
	feed_str(p, "\033#8");
	CHECK(strstr(logged(), "esc[#|-1|8]") != NULL);
}

TEST(vtparse_colon_sub_params)
{
	struct vtparse *p = parser();

	/* ':' separates sub-parameters (marked); '<' after parameters still ignores. */
	feed_str(p, "\033[38:2::1:2:3mX\033[:5mY\033[1;<mZ");
	CHECK_EQ_STR(logged(), "csi[|38:2:-1:1:2:3|m] p(X) csi[|-1:5|m] p(Y) p(Z) ");
	p = parser();
	feed_str(p, "\033[4:3;1m");
	CHECK(vtparse_has_subs(p));
	CHECK(vtparse_param_sub(p, 1));
	CHECK(!vtparse_param_sub(p, 2));
	feed_str(p, "\033[1;2m");
	CHECK(!vtparse_has_subs(p));
}

TEST(vtparse_can_sub_abort)
{
	struct vtparse *p = parser();

	feed_str(p, "\033[12\030A\033[3\032B\033(\030C");
	CHECK_EQ_STR(logged(), "x(18) p(A) x(1a) p(B) x(18) p(C) ");
}

TEST(vtparse_c0_inside_csi_executes)
{
	struct vtparse *p = parser();

	feed_str(p, "\033[1\n;2H");
	CHECK_EQ_STR(logged(), "x(a) csi[|1;2|H] ");
}

TEST(vtparse_osc)
{
	struct vtparse *p = parser();

	feed_str(p, "\033]0;hi\007\033]2;t\033\\x");
	CHECK_EQ_STR(logged(), "osc< osc>0;hi(4) osc< osc>2;t(3) esc[|-1|\\] p(x) ");
	/* C0 other than BEL is ignored inside the string; CAN ends (and dispatches) it. */
	p = parser();
	feed_str(p, "\033]1;a\nb\030c");
	CHECK_EQ_STR(logged(), "osc< osc>1;ab(4) x(18) p(c) ");
	/* C1 ST and 8-bit OSC introducer as code points. */
	p = parser();
	vtparse_feed(p, 0x9D);
	feed_str(p, "2;z");
	vtparse_feed(p, 0x9C);
	CHECK_EQ_STR(logged(), "osc< osc>2;z(3) ");
}

TEST(vtparse_osc_capped)
{
	struct vtparse *p = parser();

	feed_str(p, "\033]2;");
	for (int i = 0; i < 20000; i++)
		vtparse_feed(p, 'a');
	vtparse_feed(p, 7);
	CHECK(strstr(logged(), "(16384) ") != NULL);
}

TEST(vtparse_c1_code_points)
{
	struct vtparse *p = parser();

	vtparse_feed(p, 0x9B);
	feed_str(p, "5A");
	vtparse_feed(p, 0x84);
	vtparse_feed(p, 0x90);
	feed_str(p, "1$qm");
	vtparse_feed(p, 0x9C);
	vtparse_feed(p, 0x98);
	feed_str(p, "junk\007more");
	vtparse_feed(p, 0x9C);
	feed_str(p, "k");
	CHECK_EQ_STR(logged(), "csi[|5|A] x(84) hook[$|1|q] put(m) unhook p(k) ");
}

TEST(vtparse_high_code_points_classified_as_A)
{
	struct vtparse *p = parser();

	feed_str(p, "\033[1");
	vtparse_feed(p, 0xE9);
	CHECK_EQ_STR(logged(), "csi[|1|?] ");
}

TEST(vtparse_copy_keeps_partial_sequence)
{
	struct vtparse *p = parser();
	static struct vtparse q;

	feed_str(p, "\033[12;3");
	vtparse_init(&q, &cbs, NULL);
	vtparse_copy_state(&q, p);
	feed_str(&q, "4H");
	CHECK_EQ_STR(logged(), "csi[|12;34|H] ");
}

/* vtparse_csi_run against feeding the same bytes one at a time, on random
 * CSI-like strings: same log, same parser fields after; and when it declines
 * (returns 0) it has changed nothing. */
TEST(vtparse_csi_run_equivalent)
{
	static const char alphabet[] = "0123456789;;;:?><=!$ mHJKhl@~\x7f\x18\x1b\x07[a";
	static struct vtparse ref, fast, before;
	static struct buf ref_log;

	buf_init(&ref_log);
	srand(31);
	for (int round = 0; round < 20000; round++) {
		uint8_t s[160];
		size_t len = 2 + (size_t)rand() % 150, n;

		s[0] = 0x1B;
		s[1] = '[';
		for (size_t i = 2; i < len; i++) {
			int r = rand() % 8;

			s[i] = r < 5 ? (uint8_t)('0' + rand() % 10)
			             : (uint8_t)alphabet[(size_t)rand() % (sizeof alphabet - 1)];
		}
		vtparse_init(&ref, &cbs, NULL);
		buf_clear(&log_);
		for (size_t i = 0; i < len; i++)
			vtparse_feed(&ref, s[i]);
		buf_clear(&ref_log);
		buf_append(&ref_log, log_.data, log_.len);

		vtparse_init(&fast, &cbs, NULL);
		memcpy(&before, &fast, sizeof fast);
		buf_clear(&log_);
		n = vtparse_csi_run(&fast, s, len);
		if (n == 0) {
			CHECK(memcmp(&fast, &before, sizeof fast) == 0);
			CHECK_EQ_INT(log_.len, 0);
			continue;
		}
		/* The rest of the bytes one at a time, as the emulator does. */
		for (size_t i = n; i < len; i++)
			vtparse_feed(&fast, s[i]);
		CHECK_EQ_INT(log_.len, ref_log.len);
		CHECK(memcmp(log_.data, ref_log.data, log_.len) == 0);
		CHECK_EQ_INT(fast.state, ref.state);
		CHECK_EQ_INT(fast.nraw, ref.nraw);
		CHECK_EQ_INT(fast.ncollect, ref.ncollect);
		CHECK(memcmp(fast.collect, ref.collect, ref.ncollect) == 0);
		CHECK_EQ_INT(fast.nparams, ref.nparams);
		CHECK(memcmp(fast.params, ref.params, (size_t)ref.nparams * sizeof ref.params[0]) ==
		      0);
	}
	buf_fini(&ref_log);
}

int main(void)
{
	buf_init(&log_);
	RUN(vtparse_print_and_execute);
	RUN(vtparse_csi_params);
	RUN(vtparse_raw_params_capped_at_100);
	RUN(vtparse_collect_bounded);
	RUN(vtparse_colon_sub_params);
	RUN(vtparse_can_sub_abort);
	RUN(vtparse_c0_inside_csi_executes);
	RUN(vtparse_osc);
	RUN(vtparse_osc_capped);
	RUN(vtparse_c1_code_points);
	RUN(vtparse_high_code_points_classified_as_A);
	RUN(vtparse_copy_keeps_partial_sequence);
	RUN(vtparse_csi_run_equivalent);
	buf_fini(&log_);
	return test_done();
}
