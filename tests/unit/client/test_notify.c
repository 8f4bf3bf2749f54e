/* client/notify and client/title: bar texts and timing on a fake clock; the title prefix. */
#include "../test.h"

#include "client/notify.h"
#include "client/title.h"

#define HINT " [To quit: Ctrl-^ .]"
#define T0 1000000u /* the fake clock's start */

static struct buf text;

static const char *bar(const struct notify *n, uint64_t now)
{
	if (!notify_text(n, now, &text))
		return "(none)";
	return (const char *)text.data;
}

TEST(durations)
{
	static const struct {
		uint64_t s;
		const char *unit, *want;
	} cases[] = {
	    {0, "seconds", "0 seconds"}, {7, "seconds", "7 seconds"}, {59, "s", "59 s"},
	    {60, "s", "1:00"},           {61, "s", "1:01"},           {3599, "s", "59:59"},
	    {3600, "s", "1:00:00"},      {3723, "s", "1:02:03"},      {90061, "s", "25:01:01"},
	};
	char out[32];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		notify_format_duration(out, sizeof out, cases[i].s, cases[i].unit);
		CHECK_EQ_STR(out, cases[i].want);
	}
}

TEST(quiet_until_late)
{
	struct notify n;

	notify_init(&n, HINT, T0);
	CHECK_EQ_STR(bar(&n, T0), "(none)");
	CHECK_EQ_STR(bar(&n, T0 + 6500), "(none)"); /* "more than" 6500 ms */
	CHECK_EQ_U64(notify_wait_ms(&n, T0 + 6500), NOTIFY_NEVER);
	CHECK_EQ_STR(bar(&n, T0 + 6501), "mosh: Last contact 6 seconds ago." HINT);
	CHECK_EQ_U64(notify_wait_ms(&n, T0 + 6501), 1000);
	CHECK_EQ_STR(bar(&n, T0 + 59999), "mosh: Last contact 59 seconds ago." HINT);
	CHECK_EQ_STR(bar(&n, T0 + 60000), "mosh: Last contact 1:00 ago." HINT);
	CHECK_EQ_U64(notify_wait_ms(&n, T0 + 60000), 1000);
	CHECK_EQ_U64(notify_wait_ms(&n, T0 + 60001), 3000); /* save power after a minute */
	CHECK_EQ_STR(bar(&n, T0 + 3723000), "mosh: Last contact 1:02:03 ago." HINT);
	notify_server_heard(&n, T0 + 3723000);
	/* the reply clock is still old: now only the reply is late */
	CHECK_EQ_STR(bar(&n, T0 + 3723500), "mosh: Last reply 1:02:03 ago." HINT);
	CHECK_EQ_U64(notify_wait_ms(&n, T0 + 3723500), 1000);
	notify_server_acked(&n, T0 + 3723000);
	CHECK_EQ_STR(bar(&n, T0 + 3723500), "(none)");
	CHECK(!notify_server_late(&n, T0 + 3723500));
	CHECK(!notify_reply_late(&n, T0 + 3723500));
}

TEST(reply_late_threshold)
{
	struct notify n;

	notify_init(&n, HINT, T0);
	notify_server_heard(&n, T0 + 9000);
	CHECK_EQ_STR(bar(&n, T0 + 10000), "(none)");
	CHECK(notify_reply_late(&n, T0 + 10001));
	CHECK(!notify_server_late(&n, T0 + 10001));
	CHECK_EQ_STR(bar(&n, T0 + 10001), "mosh: Last reply 10 seconds ago." HINT);
}

TEST(messages_expire)
{
	struct notify n;
	char msg[64];

	notify_init(&n, HINT, T0);
	snprintf(msg, sizeof msg, NOTIFY_TEXT_NOTHING_RECEIVED, 60001u);
	notify_set(&n, msg, false, true, T0);
	CHECK_EQ_STR(bar(&n, T0 + 999),
	             "mosh: Nothing received from server on UDP port 60001." HINT);
	CHECK_EQ_U64(notify_wait_ms(&n, T0 + 400), 600);
	CHECK_EQ_STR(bar(&n, T0 + 1000), "(none)");
	CHECK_EQ_U64(notify_wait_ms(&n, T0 + 1000), NOTIFY_NEVER);
	CHECK_EQ_STR(notify_message(&n, T0 + 1000), "");
	notify_expire(&n, T0 + 1000);
	CHECK_EQ_STR(n.message, "");

	notify_set(&n, NOTIFY_TEXT_USER_QUIT, true, true, T0);
	CHECK_EQ_STR(bar(&n, T0 + 5000), "mosh: Exiting on user request..." HINT);
	CHECK_EQ_U64(notify_wait_ms(&n, T0 + 5000), NOTIFY_NEVER);
	/* message and late: the short form of the duration */
	CHECK_EQ_STR(bar(&n, T0 + 20000),
	             "mosh: Exiting on user request... (20 s without contact.)" HINT);
	CHECK_EQ_U64(notify_wait_ms(&n, T0 + 20000), 1000);
	notify_set(&n, "", false, true, T0 + 20000);
	CHECK_EQ_STR(bar(&n, T0 + 20000), "mosh: Last contact 20 seconds ago." HINT);
}

TEST(network_errors)
{
	struct notify n;

	notify_init(&n, HINT, T0);
	notify_network_error(&n, "sendto: Network is unreachable", T0);
	CHECK_EQ_STR(bar(&n, T0 + 3099), "mosh: sendto: Network is unreachable" HINT);
	CHECK_EQ_STR(bar(&n, T0 + 3100), "(none)");
	notify_network_error(&n, "sendto: Network is unreachable", T0);
	notify_network_ok(&n, T0 + 500); /* shortened to 1 s from now */
	CHECK_EQ_U64(notify_wait_ms(&n, T0 + 500), 1000);
	CHECK_EQ_STR(bar(&n, T0 + 1499), "mosh: sendto: Network is unreachable" HINT);
	CHECK_EQ_STR(bar(&n, T0 + 1500), "(none)");
	/* never lengthened, and ordinary messages are left alone */
	notify_network_error(&n, "sendto: x", T0);
	notify_network_ok(&n, T0 + 2900);
	CHECK_EQ_STR(bar(&n, T0 + 3100), "(none)");
	notify_set(&n, "plain", false, true, T0);
	notify_network_ok(&n, T0);
	CHECK_EQ_STR(bar(&n, T0 + 999), "mosh: plain" HINT);
}

TEST(escape_help_hides_hint_and_clears_itself)
{
	struct notify n;
	const char *help = "Commands: Ctrl-Z suspends, \".\" quits, \"^\" gives literal Ctrl-^";

	notify_init(&n, HINT, T0);
	notify_set(&n, help, true, false, T0);
	CHECK_EQ_STR(bar(&n, T0), "mosh: Commands: Ctrl-Z suspends, \".\" quits, \"^\" gives "
	                          "literal Ctrl-^");
	notify_clear_if(&n, "something else");
	CHECK_EQ_STR(notify_message(&n, T0), help);
	notify_clear_if(&n, help);
	CHECK_EQ_STR(bar(&n, T0), "(none)");
	CHECK(n.show_quit_hint);
	/* without an escape key there is no hint */
	notify_init(&n, "", T0);
	CHECK_EQ_STR(bar(&n, T0 + 7000), "mosh: Last contact 7 seconds ago.");
}

TEST(long_messages_cut_on_utf8_boundary)
{
	struct notify n;
	char msg[400];
	size_t i;

	for (i = 0; i + 2 <= 300; i += 2)
		memcpy(msg + i, "\xc3\xa9", 2); /* é */
	msg[i] = '\0';
	notify_init(&n, "", T0);
	notify_set(&n, msg + 1, false, true, T0); /* odd start: cut falls inside a sequence */
	CHECK(strlen(n.message) <= NOTIFY_MSG_MAX);
	CHECK(((unsigned char)n.message[strlen(n.message) - 1]) == 0xa9);
}

TEST(title_prefix_overlay)
{
	struct buf t, i;

	buf_init(&t);
	buf_init(&i);
	CHECK_EQ_STR(title_prefix(false), "[mosh] ");
	CHECK_EQ_STR(title_prefix(true), "");
	title_apply(title_prefix(false), (const uint8_t *)"vim", 3, (const uint8_t *)"vim", 3, &t,
	            &i);
	CHECK_EQ_INT(t.len, 10);
	CHECK_EQ_MEM(t.data, "[mosh] vim", 10);
	CHECK_EQ_MEM(i.data, "[mosh] vim", 10);
	title_apply(title_prefix(false), (const uint8_t *)"vim", 3, (const uint8_t *)"v", 1, &t,
	            &i);
	CHECK_EQ_MEM(t.data, "[mosh] vim", 10);
	CHECK_EQ_INT(i.len, 1);
	CHECK_EQ_MEM(i.data, "v", 1);
	title_apply(title_prefix(true), (const uint8_t *)"vim", 3, (const uint8_t *)"vim", 3, &t,
	            &i);
	CHECK_EQ_INT(t.len, 3);
	CHECK_EQ_INT(i.len, 3);
	title_apply(title_prefix(false), NULL, 0, NULL, 0, &t, &i);
	CHECK_EQ_INT(t.len, 7);
	CHECK_EQ_INT(i.len, 7);
	buf_fini(&t);
	buf_fini(&i);
}

TEST(silent_server_names_host_and_port)
{
	char msg[NOTIFY_MSG_MAX + 1];

	notify_silent_text(msg, sizeof msg, "192.0.2.4", 60001, NOTIFY_NO_REPLY_AFTER_MS);
	CHECK_EQ_STR(msg, "Nothing received from server on UDP port 60001.");
	notify_silent_text(msg, sizeof msg, "192.0.2.4", 60001, NOTIFY_FIREWALL_AFTER_MS - 1);
	CHECK_EQ_STR(msg, "Nothing received from server on UDP port 60001.");
	notify_silent_text(msg, sizeof msg, "2001:db8::1", 60001, NOTIFY_FIREWALL_AFTER_MS);
	CHECK_EQ_STR(msg,
	             "nothing received from 2001:db8::1 on UDP port 60001 in 10 s: is the port "
	             "open on the server (firewall)?");
}

int main(void)
{
	buf_init(&text);
	RUN(durations);
	RUN(quiet_until_late);
	RUN(reply_late_threshold);
	RUN(messages_expire);
	RUN(network_errors);
	RUN(escape_help_hides_hint_and_clears_itself);
	RUN(long_messages_cut_on_utf8_boundary);
	RUN(title_prefix_overlay);
	RUN(silent_server_names_host_and_port);
	buf_fini(&text);
	return test_done();
}
