/* util/log and util/err: escaping, level gating, error messages. */
#include "../test.h"

#include <stdlib.h>

#include "util/err.h"
#include "util/log.h"

static int formatted;

static const char *count_formatting(void)
{
	formatted++;
	return "x";
}

TEST(escape_controls_and_high_bytes)
{
	char out[128];

	log_escape(out, sizeof out,
	           "a\x1b[2J\r\n\x07\\\xff"
	           "z",
	           11);
	CHECK_EQ_STR(out, "a\\e[2J\\r\\n\\x07\\\\\\xffz");
}

TEST(escape_truncates_whole_escapes)
{
	char out[6];

	log_escape(out, sizeof out, "ab\x1b\x1b", 4);
	/* "ab\e" fits in 5 chars + NUL; the second escape would not. */
	CHECK_EQ_STR(out, "ab\\e");
}

TEST(disabled_log_formats_nothing)
{
	log_open(NULL, LOG_DEBUG);
	formatted = 0;
	log_debug("%s", count_formatting());
	CHECK_EQ_INT(formatted, 0);
}

TEST(log_line_is_escaped_and_names_function)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	CHECK(f != NULL);
	log_open(f, LOG_INFO);
	log_info("got %s", "\x1b]0;pwned\x07");
	formatted = 0;
	log_debug("%s", count_formatting()); /* above the level: not formatted */
	CHECK_EQ_INT(formatted, 0);
	log_open(NULL, LOG_OFF);
	fclose(f);
	CHECK(strstr(text, "log_line_is_escaped_and_names_function: got \\e]0;pwned\\x07\n") !=
	      NULL);
	CHECK(strchr(text, 0x1b) == NULL);
	free(text);
}

TEST(err_set_fills_buffer)
{
	char err[ERR_LEN];

	CHECK_EQ_INT(err_set(err, ERR_RANGE, "port %d is too large", 70000), ERR_RANGE);
	CHECK_EQ_STR(err, "port 70000 is too large");
	CHECK_EQ_INT(err_set(NULL, ERR_INVAL, "ignored"), ERR_INVAL);
	CHECK_EQ_STR(err_str(ERR_CRYPTO), "authentication failure");
	CHECK_EQ_STR(err_str(12345), "unknown error");
}

int main(void)
{
	RUN(escape_controls_and_high_bytes);
	RUN(escape_truncates_whole_escapes);
	RUN(disabled_log_formats_nothing);
	RUN(log_line_is_escaped_and_names_function);
	RUN(err_set_fills_buffer);
	return test_done();
}
