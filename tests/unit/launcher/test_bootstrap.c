/* launcher/bootstrap: the MOSH line protocol, well-formed and not, and the reader. */
#include "../test.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launcher/bootstrap.h"
#include "util/buf.h"
#include "util/err.h"

#define KEY "x0tBXfJGJRuhblYadtF42A"

static struct boot_state b;
static char err[ERR_LEN];

static int line(const char *s)
{
	return boot_line(&b, s, strlen(s), err);
}

TEST(connect_line)
{
	boot_init(&b, false);
	CHECK_EQ_INT(line("MOSH CONNECT 60011 " KEY), BOOT_CONNECT);
	CHECK(b.connected);
	CHECK_EQ_STR(b.port, "60011");
	CHECK_EQ_STR(b.key, KEY);
	boot_init(&b, false);
	CHECK_EQ_INT(line("MOSH CONNECT 1 " KEY "\r"), BOOT_CONNECT); /* from the remote pty */
	CHECK_EQ_STR(b.port, "1");
	boot_init(&b, false);
	CHECK_EQ_INT(line("MOSH CONNECT 65535 a+/0123456789ABCDEFGHI \t\r"), BOOT_CONNECT);
	CHECK_EQ_STR(b.key, "a+/0123456789ABCDEFGHI");
	boot_fini(&b);
	CHECK_EQ_STR(b.key, "");
}

TEST(malformed_connect_lines)
{
	static const char *const bad[] = {
	    "MOSH CONNECT ",
	    "MOSH CONNECT 60001",
	    "MOSH CONNECT 60001 ",
	    "MOSH CONNECT x " KEY,
	    "MOSH CONNECT 0 " KEY,
	    "MOSH CONNECT 65536 " KEY,
	    "MOSH CONNECT 000060001 " KEY,
	    "MOSH CONNECT -1 " KEY,
	    "MOSH CONNECT 60001  " KEY,
	    "MOSH CONNECT 60001 " KEY "A",
	    "MOSH CONNECT 60001 " KEY " junk",
	    "MOSH CONNECT 60001 x0tBXfJGJRuhblYadtF42",
	    "MOSH CONNECT 60001 x0tBXfJGJRuhblYadtF4=A",
	    "MOSH CONNECT 60001 x0tBXfJGJRuhblYadtF4-A",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		boot_init(&b, false);
		if (line(bad[i]) != ERR_PROTO)
			TEST_FAIL("accepted \"%s\"", bad[i]);
		CHECK(!b.connected);
		CHECK(strstr(err, "bad MOSH CONNECT line") != NULL);
		CHECK(strstr(err, "x0tBXf") == NULL); /* a key is never echoed */
	}
}

TEST(connect_line_with_nul_is_rejected)
{
	char l[] = "MOSH CONNECT 60001 " KEY;

	boot_init(&b, false);
	l[25] = '\0';
	CHECK_EQ_INT(boot_line(&b, l, sizeof l - 1, err), ERR_PROTO);
}

TEST(ip_line)
{
	boot_init(&b, false);
	CHECK_EQ_INT(line("MOSH IP 192.0.2.7"), BOOT_MOSH);
	CHECK(b.have_ip);
	CHECK_EQ_STR(b.ip, "192.0.2.7");
	CHECK_EQ_INT(line("MOSH IP 192.0.2.8"), ERR_PROTO); /* no second opinion */
	CHECK_EQ_STR(b.ip, "192.0.2.7");
	boot_init(&b, false);
	CHECK_EQ_INT(line("MOSH IP 2001:db8::1 \r"), BOOT_MOSH);
	CHECK_EQ_STR(b.ip, "2001:db8::1");
}

TEST(malformed_ip_lines)
{
	static const char *const bad[] = {"MOSH IP ", "MOSH IP  1.2.3.4", "MOSH IP 1.2.3.4 x",
	                                  "MOSH IP example.com", "MOSH IP 1.2.3.4;rm"};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		boot_init(&b, false);
		if (line(bad[i]) != ERR_PROTO)
			TEST_FAIL("accepted \"%s\"", bad[i]);
		CHECK(!b.have_ip);
	}
}

TEST(ssh_connection_line)
{
	boot_init(&b, false);
	CHECK_EQ_INT(line("MOSH SSH_CONNECTION 192.0.2.1 5555 192.0.2.2 22\r"), BOOT_MOSH);
	CHECK(b.have_sship);
	CHECK_EQ_STR(b.sship, "192.0.2.2");
	CHECK(!b.have_ip);
	boot_init(&b, false);
	CHECK_EQ_INT(line("MOSH SSH_CONNECTION 1 2 3"), ERR_PROTO);
	CHECK_EQ_INT(line("MOSH SSH_CONNECTION 1 2 3 4 5"), ERR_PROTO);
	CHECK_EQ_INT(line("MOSH SSH_CONNECTION "), ERR_PROTO);
	CHECK(!b.have_sship);
}

TEST(other_lines)
{
	boot_init(&b, false);
	CHECK_EQ_INT(line(""), BOOT_OTHER);
	CHECK_EQ_INT(line("\r"), BOOT_OTHER);
	CHECK_EQ_INT(line("Welcome to Debian"), BOOT_OTHER);
	CHECK_EQ_INT(line("MOSH"), BOOT_OTHER);
	CHECK_EQ_INT(line(" MOSH CONNECT 60001 " KEY), BOOT_OTHER);
	CHECK_EQ_INT(line("MOSH CONNECTED"), BOOT_OTHER);
	CHECK_EQ_INT(line("MOSH CONNECT"), BOOT_OTHER);
	CHECK_EQ_INT(line("MOSH IP"), BOOT_OTHER);
	CHECK_EQ_INT(line("Bad UDP port range"), BOOT_OTHER);
	CHECK(!b.bad_udp_port); /* only noted when a range was asked for */
	boot_init(&b, true);
	CHECK_EQ_INT(line("mosh-server: Bad UDP port range (1:0)"), BOOT_OTHER);
	CHECK(b.bad_udp_port);
}

/* Feed text through a pipe to boot_read; what it printed goes to *printed. */
static int read_text(const char *text, size_t len, char *printed, size_t cap)
{
	int in[2], out[2], rc;
	ssize_t n;

	CHECK(pipe(in) == 0 && pipe(out) == 0);
	CHECK(fcntl(out[1], F_SETPIPE_SZ, 1 << 20) >= 0);
	if (fork() == 0) {
		size_t off = 0;

		close(in[0]);
		while (off < len) {
			n = write(in[1], text + off, len - off);
			if (n <= 0)
				_exit(1);
			off += (size_t)n;
		}
		_exit(0);
	}
	close(in[1]);
	rc = boot_read(&b, in[0], out[1], err);
	close(in[0]);
	close(out[1]);
	n = read(out[0], printed, cap - 1);
	printed[n > 0 ? n : 0] = '\0';
	close(out[0]);
	wait(NULL);
	return rc;
}

TEST(reader_stops_at_connect_and_passes_the_rest_through)
{
	static const char text[] = "MOSH IP 127.0.0.1\n"
	                           "motd line\r\n"
	                           "\r\n\n"
	                           "MOSH CONNECT 60001 " KEY "\r\n"
	                           "mosh-server (mosh 1.4.0)\r\n";
	char printed[256];

	boot_init(&b, false);
	CHECK_EQ_INT(read_text(text, sizeof text - 1, printed, sizeof printed), 0);
	CHECK(b.connected);
	CHECK_EQ_STR(b.ip, "127.0.0.1");
	CHECK_EQ_STR(b.port, "60001");
	CHECK_EQ_STR(printed, "motd line\r\n\r\n\n");
}

static const char *clean(const char *s, size_t len)
{
	static char out[256];
	struct buf o;

	buf_init(&o);
	boot_clean(s, len, &o);
	snprintf(out, sizeof out, "%.*s", (int)o.len, o.len ? (const char *)o.data : "");
	buf_fini(&o);
	return out;
}

#define CLEAN(lit) clean(lit, sizeof lit - 1)

/* What the remote host prints before MOSH CONNECT reaches the user's terminal
 * only as text: every sequence that could act on the terminal is removed. */
TEST(clean_keeps_text_and_drops_sequences)
{
	CHECK_EQ_STR(CLEAN("Welcome\tto caf\xc3\xa9 \xe4\xb8\xad\n"),
	             "Welcome\tto caf\xc3\xa9 \xe4\xb8\xad\n");
	CHECK_EQ_STR(CLEAN("a\033]52;c;?\007b"), "ab");        /* clipboard query */
	CHECK_EQ_STR(CLEAN("a\033]0;pwned\033\\b"), "ab");     /* title, ST-ended */
	CHECK_EQ_STR(CLEAN("a\033[2J\033[1;1Hb"), "ab");       /* redraw */
	CHECK_EQ_STR(CLEAN("a\033[?1049h\033[6nb"), "ab");     /* alt screen, DSR */
	CHECK_EQ_STR(CLEAN("a\033Pq#0;2;0;0;0\033\\b"), "ab"); /* DCS */
	CHECK_EQ_STR(CLEAN("a\033(0b\033cc\0337d"),
	             "abcd"); /* ESC with and without intermediates */
	CHECK_EQ_STR(CLEAN("a\033]2;unterminated"), "a");
	CHECK_EQ_STR(CLEAN("a\033"), "a");
	CHECK_EQ_STR(CLEAN("a\rb\bc\007d\x7f\x05"
	                   "e"),
	             "abcde"); /* C0, DEL */
	CHECK_EQ_STR(CLEAN("a\xc2\x9b"
	                   "2Jb\x9b"
	                   "2J"),
	             "a2Jb2J");                                    /* C1 as UTF-8 and raw */
	CHECK_EQ_STR(CLEAN("a\xc0\xaf\xed\xa0\x80\xe4\xb8"), "a"); /* invalid UTF-8 */
	CHECK_EQ_STR(CLEAN("a\0b"), "ab");
}

TEST(reader_cleans_what_it_passes_through)
{
	static const char text[] = "\033]52;c;?\007motd \033[31mred\033[0m\r\n"
	                           "MOSH CONNECT 60001 " KEY "\r\n";
	char printed[256];

	boot_init(&b, false);
	CHECK_EQ_INT(read_text(text, sizeof text - 1, printed, sizeof printed), 0);
	CHECK(b.connected);
	CHECK_EQ_STR(printed, "motd red\r\n");
}

TEST(reader_handles_end_without_connect)
{
	static const char text[] = "bash: mosh-server: command not found\r\nlast line, no newline";
	char printed[256];

	boot_init(&b, false);
	CHECK_EQ_INT(read_text(text, sizeof text - 1, printed, sizeof printed), 0);
	CHECK(!b.connected);
	CHECK_EQ_STR(printed, "bash: mosh-server: command not found\r\nlast line, no newline\n");
}

TEST(reader_reports_malformed_lines)
{
	static const char text[] = "MOSH CONNECT 60001 short\r\n";
	char printed[64];

	boot_init(&b, false);
	CHECK_EQ_INT(read_text(text, sizeof text - 1, printed, sizeof printed), ERR_PROTO);
	CHECK(!b.connected);
}

TEST(reader_passes_overlong_lines_without_parsing_them)
{
	size_t big = BOOT_LINE_MAX + 100, tail = strlen("MOSH CONNECT 60001 " KEY "\n");
	char *text = malloc(big + tail + 64), *printed = malloc(big + 64);
	static const char real[] = "MOSH CONNECT 60002 " KEY "\n";

	memset(text, 'x', big);
	/* A CONNECT glued to the end of an over-long line is part of that line. */
	memcpy(text + big, "MOSH CONNECT 60001 " KEY "\n", tail);
	memcpy(text + big + tail, real, sizeof real - 1);
	boot_init(&b, false);
	CHECK_EQ_INT(read_text(text, big + tail + sizeof real - 1, printed, big + 64), 0);
	CHECK(b.connected);
	CHECK_EQ_STR(b.port, "60002");
	CHECK_EQ_INT(strlen(printed), big + tail);
	free(text);
	free(printed);
}

TEST(drain_reads_to_end_of_file)
{
	int p[2];

	CHECK(pipe(p) == 0);
	CHECK(write(p[1], "banner\n", 7) == 7);
	close(p[1]);
	CHECK(boot_drain(p[0], 1000));
	close(p[0]);
	CHECK(pipe(p) == 0);
	CHECK(!boot_drain(p[0], 50)); /* writer still open: times out */
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	RUN(connect_line);
	RUN(malformed_connect_lines);
	RUN(connect_line_with_nul_is_rejected);
	RUN(ip_line);
	RUN(malformed_ip_lines);
	RUN(ssh_connection_line);
	RUN(other_lines);
	RUN(reader_stops_at_connect_and_passes_the_rest_through);
	RUN(clean_keeps_text_and_drops_sequences);
	RUN(reader_cleans_what_it_passes_through);
	RUN(reader_handles_end_without_connect);
	RUN(reader_reports_malformed_lines);
	RUN(reader_passes_overlong_lines_without_parsing_them);
	RUN(drain_reads_to_end_of_file);
	return test_done();
}
