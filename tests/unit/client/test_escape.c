/* client/escape: MOSH_ESCAPE_KEY parsing and the state machine, as tables. */
#include "../test.h"

#include "client/escape.h"

TEST(configuration_from_environment)
{
	static const struct {
		const char *env;
		bool enabled;
		int key, pass, pass2;
		bool nl;
		const char *name;
	} cases[] = {
	    {NULL, true, 0x1E, '^', '^', false, "Ctrl-^"},
	    {"", false, 0, 0, 0, false, ""},
	    {"\x02", true, 0x02, 'B', 'b', false, "Ctrl-B"},
	    {"\x1d", true, 0x1D, ']', ']', false, "Ctrl-]"},
	    {"~", true, '~', '~', '~', true, "\"~\""},
	    {"X", true, 'X', 'X', 'x', true, "\"X\""},
	    {"\x7f", true, 0x7F, 0x7F, 0x7F, true, "\"\x7f\""},
	    {"\x03", true, 0x1E, '^', '^', false, "Ctrl-^"},
	    {"\x04", true, 0x1E, '^', '^', false, "Ctrl-^"},
	    {"\n", true, 0x1E, '^', '^', false, "Ctrl-^"},
	    {"\x0c", true, 0x1E, '^', '^', false, "Ctrl-^"},
	    {"\r", true, 0x1E, '^', '^', false, "Ctrl-^"},
	    {"\x80", true, 0x1E, '^', '^', false, "Ctrl-^"},
	    {"ab", true, 0x1E, '^', '^', false, "Ctrl-^"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct esc_cfg c;

		esc_cfg_init(&c, cases[i].env);
		CHECK_EQ_INT(c.enabled, cases[i].enabled);
		if (!c.enabled)
			continue;
		CHECK_EQ_INT(c.key, cases[i].key);
		CHECK_EQ_INT(c.pass, cases[i].pass);
		CHECK_EQ_INT(c.pass2, cases[i].pass2);
		CHECK_EQ_INT(c.requires_newline, cases[i].nl);
		CHECK_EQ_STR(c.key_name, cases[i].name);
	}
}

TEST(help_and_hint_texts)
{
	struct esc_cfg c;
	char text[128];

	esc_cfg_init(&c, NULL);
	esc_help_text(&c, text, sizeof text);
	CHECK_EQ_STR(text, "Commands: Ctrl-Z suspends, \".\" quits, \"^\" gives literal Ctrl-^");
	esc_quit_hint(&c, text, sizeof text);
	CHECK_EQ_STR(text, " [To quit: Ctrl-^ .]");
	esc_cfg_init(&c, "\x02");
	esc_help_text(&c, text, sizeof text);
	CHECK_EQ_STR(text, "Commands: Ctrl-Z suspends, \".\" quits, \"B\" gives literal Ctrl-B");
	esc_cfg_init(&c, "~");
	esc_help_text(&c, text, sizeof text);
	CHECK_EQ_STR(text, "Commands: Ctrl-Z suspends, \".\" quits, \"~\" gives literal \"~\"");
	esc_quit_hint(&c, text, sizeof text);
	CHECK_EQ_STR(text, " [To quit: \"~\" .]");
	esc_cfg_init(&c, "");
	esc_quit_hint(&c, text, sizeof text);
	CHECK_EQ_STR(text, "");
}

/*
 * Feed all of in, as the main loop does, and describe what happened as a
 * string: sent bytes verbatim, events as <Q> <Z> <H+> <H-> <L>.
 */
static void feed_all(struct esc_state *s, const char *in, struct buf *trace)
{
	const uint8_t *p = (const uint8_t *)in;
	size_t n = strlen(in);
	struct buf send;

	buf_init(&send);
	buf_clear(trace);
	while (n > 0) {
		struct esc_result r = esc_feed(s, p, n, &send);

		if (r.consumed == 0 || r.consumed > n)
			break;
		buf_append(trace, send.data, send.len);
		buf_clear(&send);
		if (r.help_on)
			buf_append_str(trace, "<H+>");
		if (r.help_off)
			buf_append_str(trace, "<H->");
		if (r.repaint)
			buf_append_str(trace, "<L>");
		if (r.event == ESC_EV_QUIT)
			buf_append_str(trace, "<Q>");
		if (r.event == ESC_EV_SUSPEND)
			buf_append_str(trace, "<Z>");
		p += r.consumed;
		n -= r.consumed;
	}
	buf_fini(&send);
}

TEST(state_machine_table)
{
	static const struct {
		const char *env;
		const char *in;
		const char *trace;
	} cases[] = {
	    /* default Ctrl-^ */
	    {NULL, "abc", "abc"},
	    {NULL, "ab\x1e.cd", "ab<H+><H-><Q>cd"},
	    {NULL,
	     "\x1e\x1a"
	     "x",
	     "<H+><H-><Z>x"},
	    {NULL, "\x1e^", "<H+>\x1e<H->"},
	    {NULL, "\x1e\x1e", "<H+>\x1e\x1e<H->"},
	    {NULL, "\x1ex", "<H+>\x1ex<H->"},
	    {NULL, "\x1e", "<H+>"},
	    {NULL,
	     "a\x0c"
	     "b",
	     "a\x0c"
	     "b<L>"},
	    {NULL, "\r\x1e.", "\r<H+><H-><Q>"},
	    /* Ctrl-B: "B" and "b" both pass it */
	    {"\x02",
	     "\x02"
	     "b\x02"
	     "B\x02"
	     "c",
	     "<H+>\x02<H-><H+>\x02<H-><H+>\x02"
	     "c<H->"},
	    {"\x02", "\x1e.", "\x1e."},
	    /* printable "~": only right after CR or LF */
	    {"~", "~.", "~."},
	    {"~", "a\r~.", "a\r<H+><H-><Q>"},
	    {"~", "a\n~~", "a\n<H+>~<H->"},
	    {"~", "\r~x~.", "\r<H+>~x<H->~."},
	    {"~", "\r~\r~.", "\r<H+>~\r<H->~."},
	    /* disabled */
	    {"", "\x1e.\x1a", "\x1e.\x1a"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct esc_cfg c;
		struct esc_state s;
		struct buf trace;

		buf_init(&trace);
		esc_cfg_init(&c, cases[i].env);
		esc_init(&s, &c);
		feed_all(&s, cases[i].in, &trace);
		buf_append_byte(&trace, 0);
		if (strcmp((const char *)trace.data, cases[i].trace) != 0) {
			printf("# case %zu\n", i);
			CHECK_EQ_STR((const char *)trace.data, cases[i].trace);
		}
		buf_fini(&trace);
	}
}

TEST(escape_split_across_reads)
{
	struct esc_cfg c;
	struct esc_state s;
	struct buf send;
	struct esc_result r;

	buf_init(&send);
	esc_cfg_init(&c, NULL);
	esc_init(&s, &c);
	r = esc_feed(&s, (const uint8_t *)"x\x1e", 2, &send);
	CHECK_EQ_INT(r.consumed, 2);
	CHECK(r.help_on);
	CHECK(s.pending);
	r = esc_feed(&s, (const uint8_t *)".", 1, &send);
	CHECK_EQ_INT(r.event, ESC_EV_QUIT);
	CHECK(r.help_off);
	CHECK(!s.pending);
	CHECK_EQ_INT(send.len, 1);
	buf_fini(&send);
}

int main(void)
{
	RUN(configuration_from_environment);
	RUN(help_and_hint_texts);
	RUN(state_machine_table);
	RUN(escape_split_across_reads);
	return test_done();
}
