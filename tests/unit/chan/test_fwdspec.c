/* chan/fwdspec: ssh's [bind_address:]port:host:hostport, good and bad, and printing it back. */
#include "../test.h"

#include <stdbool.h>

#include "chan/fwdspec.h"
#include "util/err.h"

static struct fwdspec f;
static char err[ERR_LEN];

static int parse(const char *arg)
{
	fwdspec_free(&f);
	err[0] = '\0';
	return fwdspec_parse(arg, &f, err, sizeof err);
}

/* Parse arg, expect success with these fields (bind NULL: none). */
#define GOOD(arg, want_bind, want_port, want_host, want_hostport)                                  \
	do {                                                                                       \
		const char *wb_ = (want_bind);                                                     \
		if (parse(arg) != 0)                                                               \
			TEST_FAIL("\"%s\" refused: %s", arg, err);                                 \
		if (wb_ == NULL)                                                                   \
			CHECK(f.bind == NULL);                                                     \
		else                                                                               \
			CHECK(f.bind != NULL && strcmp(f.bind, wb_) == 0);                         \
		CHECK_EQ_INT(f.port, want_port);                                                   \
		CHECK_EQ_STR(f.host, want_host);                                                   \
		CHECK_EQ_INT(f.hostport, want_hostport);                                           \
	} while (0)

/* Parse arg, expect ERR_INVAL, a message containing want, and nothing allocated. */
#define BAD(arg, want)                                                                             \
	do {                                                                                       \
		CHECK_EQ_INT(parse(arg), ERR_INVAL);                                               \
		if (strstr(err, want) == NULL)                                                     \
			TEST_FAIL("\"%s\": message \"%s\" lacks \"%s\"", arg, err, want);          \
		CHECK(f.bind == NULL && f.host == NULL && f.port == 0 && f.hostport == 0);         \
	} while (0)

TEST(three_fields_mean_loopback)
{
	GOOD("8080:localhost:80", NULL, 8080, "localhost", 80);
	GOOD("1:h:65535", NULL, 1, "h", 65535);
	GOOD("65535:10.0.0.1:1", NULL, 65535, "10.0.0.1", 1);
	GOOD("0080:example.org:022", NULL, 80, "example.org", 22);
}

TEST(four_fields_name_the_bind_address)
{
	GOOD("127.0.0.1:8080:db:5432", "127.0.0.1", 8080, "db", 5432);
	GOOD("localhost:2222:h:22", "localhost", 2222, "h", 22);
	GOOD("0.0.0.0:80:h:80", "0.0.0.0", 80, "h", 80);
}

TEST(empty_or_star_bind_means_every_address)
{
	GOOD(":8080:h:80", "*", 8080, "h", 80);
	GOOD("*:8080:h:80", "*", 8080, "h", 80);
}

TEST(ipv6_in_brackets)
{
	GOOD("8080:[::1]:80", NULL, 8080, "::1", 80);
	GOOD("[::1]:8080:[fe80::1%eth0]:80", "::1", 8080, "fe80::1%eth0", 80);
	GOOD("[::]:9000:h:9", "::", 9000, "h", 9);
	GOOD("[127.0.0.1]:1:[h]:2", "127.0.0.1", 1, "h", 2);
}

TEST(ports_out_of_range)
{
	BAD("0:h:80", "port 0 is out of range 1..65535");
	BAD("80:h:0", "hostport 0 is out of range 1..65535");
	BAD("65536:h:80", "port 65536 is out of range 1..65535");
	BAD("80:h:99999999999999999999", "hostport 99999999999999999999 is out of range");
	BAD("000:h:80", "port 000 is out of range");
}

TEST(ports_are_numbers)
{
	BAD("http:h:80", "port \"http\" is not a number 1..65535");
	BAD("80:h:ssh", "hostport \"ssh\" is not a number");
	BAD("-1:h:80", "port \"-1\" is not a number");
	BAD("+80:h:80", "is not a number");
	BAD(" 80:h:80", "is not a number");
	BAD("[80]:h:80", "port \"80\" is not a number");
	BAD(":h:80", "port is empty");
	BAD("80:h:", "hostport is empty");
}

TEST(field_count)
{
	BAD("", "expected [bind_address:]port:host:hostport");
	BAD("8080", "expected");
	BAD("8080:h", "expected");
	BAD("a:1:h:2:3", "too many ':'");
	BAD("8080:::1:80", "too many ':'");
	BAD("8080:fe80::1:80", "too many ':'");
}

TEST(brackets)
{
	BAD("8080:[::1:80", "'[' without a matching ']'");
	BAD("8080:[::1]x:80", "']' must be followed by ':'");
	BAD("8080:[]:80", "host is empty");
	BAD("[]:8080:h:80", "bind address is empty");
	BAD("8080:a]b:80", "host has a stray ']'");
	BAD("x[y:8080:h:80", "bind address has a stray '['");
}

TEST(names_are_printable_ascii_without_spaces)
{
	BAD("8080::80", "host is empty");
	BAD("8080:a b:80", "host has a space");
	BAD("8080:a\tb:80", "(at byte 2)");
	BAD("8080:caf\xc3\xa9:80", "not printable ASCII (at byte 4)");
	BAD("8080:\x7f:80", "not printable ASCII");
	BAD("b d:8080:h:80", "bind address has a space");
}

TEST(names_up_to_255_bytes)
{
	char arg[600], name[300];

	memset(name, 'a', 255);
	name[255] = '\0';
	snprintf(arg, sizeof arg, "1:%s:2", name);
	GOOD(arg, NULL, 1, name, 2);
	snprintf(arg, sizeof arg, "%s:1:h:2", name);
	GOOD(arg, name, 1, "h", 2);
	name[255] = 'a';
	name[256] = '\0';
	snprintf(arg, sizeof arg, "1:%s:2", name);
	BAD(arg, "host is longer than 255 bytes");
	snprintf(arg, sizeof arg, "%s:1:h:2", name);
	BAD(arg, "bind address is longer than 255 bytes");
}

/* A message shows a bad value with non-printable bytes as '?' and cut short. */
TEST(messages_are_safe_to_print)
{
	char arg[200];

	BAD("\x1b[2J:h:80", "port \"?[2J\" is not a number");
	BAD("8\x1b"
	    "0:h:80",
	    "port \"8?0\" is not a number");
	memset(arg, 'x', 150);
	memcpy(arg + 150, ":h:80", 6);
	BAD(arg, "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\"");
	for (const char *c = err; *c; c++)
		CHECK(*c >= ' ' && *c < 0x7f);
}

TEST(a_short_error_buffer_is_filled_safely)
{
	char small[8];

	CHECK_EQ_INT(fwdspec_parse("0:h:80", &f, small, sizeof small), ERR_INVAL);
	CHECK_EQ_STR(small, "port 0 ");
	CHECK_EQ_INT(fwdspec_parse("0:h:80", &f, NULL, 0), ERR_INVAL);
}

static void check_format(const char *arg, const char *want)
{
	char out[FWDSPEC_FORMAT_LEN];
	struct fwdspec again = {0};

	if (parse(arg) != 0)
		TEST_FAIL("\"%s\" refused: %s", arg, err);
	fwdspec_format(&f, out, sizeof out);
	CHECK_EQ_STR(out, want);
	/* what is printed parses back to the same spec */
	CHECK_EQ_INT(fwdspec_parse(out, &again, err, sizeof err), 0);
	CHECK((again.bind == NULL) == (f.bind == NULL));
	CHECK(again.bind == NULL || strcmp(again.bind, f.bind) == 0);
	CHECK_EQ_STR(again.host, f.host);
	CHECK_EQ_INT(again.port, f.port);
	CHECK_EQ_INT(again.hostport, f.hostport);
	fwdspec_free(&again);
}

TEST(format_prints_what_parses_back)
{
	check_format("8080:localhost:80", "8080:localhost:80");
	check_format("0080:h:022", "80:h:22");
	check_format(":8080:h:80", "*:8080:h:80");
	check_format("8080:[::1]:80", "8080:[::1]:80");
	check_format("[::]:1:[fe80::1]:2", "[::]:1:[fe80::1]:2");
	check_format("[h]:1:[h]:2", "h:1:h:2");
}

TEST(format_truncates)
{
	char out[6];

	CHECK_EQ_INT(parse("[::1]:8080:host:80"), 0);
	fwdspec_format(&f, out, sizeof out);
	CHECK_EQ_STR(out, "[::1]");
	fwdspec_format(&f, out, 0);
	fwdspec_format(&f, out, 1);
	CHECK_EQ_STR(out, "");
}

TEST(free_is_idempotent)
{
	struct fwdspec z = {0};

	fwdspec_free(&z);
	CHECK_EQ_INT(parse("1:h:2"), 0);
	fwdspec_free(&f);
	fwdspec_free(&f);
	CHECK(f.host == NULL && f.bind == NULL);
}

int main(void)
{
	RUN(three_fields_mean_loopback);
	RUN(four_fields_name_the_bind_address);
	RUN(empty_or_star_bind_means_every_address);
	RUN(ipv6_in_brackets);
	RUN(ports_out_of_range);
	RUN(ports_are_numbers);
	RUN(field_count);
	RUN(brackets);
	RUN(names_are_printable_ascii_without_spaces);
	RUN(names_up_to_255_bytes);
	RUN(messages_are_safe_to_print);
	RUN(a_short_error_buffer_is_filled_safely);
	RUN(format_prints_what_parses_back);
	RUN(format_truncates);
	RUN(free_is_idempotent);
	fwdspec_free(&f);
	return test_done();
}
