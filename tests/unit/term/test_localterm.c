/*
 * term/localterm: the client's start-up checks, in their order, each failure
 * explained with the program's name. (A non-UTF-8 locale is exercised end to
 * end in tests/launcher/launcher_errors.sh: its report runs locale(1) on
 * standard output, which is this program's TAP stream.)
 */
#include "../test.h"

#include <fcntl.h>
#include <pty.h>
#include <stdlib.h>
#include <unistd.h>

#include "term/localterm.h"
#include "util/err.h"

static char *text;
static size_t text_len;

static int check(const char *term, int fd)
{
	struct tcaps caps;
	FILE *diag;
	int rc;

	free(text);
	text = NULL;
	diag = open_memstream(&text, &text_len);
	CHECK(diag != NULL);
	rc = localterm_check("prog", fd, term, &caps, diag);
	fclose(diag);
	return rc;
}

TEST(a_terminal_passes)
{
	int master, slave;

	CHECK_EQ_INT(openpty(&master, &slave, NULL, NULL, NULL), 0);
	CHECK_EQ_INT(check("xterm-256color", slave), 0);
	CHECK_EQ_STR(text, "");
	close(master);
	close(slave);
}

TEST(not_a_terminal)
{
	int fd = open("/dev/null", O_RDONLY);

	CHECK(fd >= 0);
	CHECK_EQ_INT(check("xterm", fd), ERR_UNSUPP);
	CHECK(strncmp(text, "prog: standard input is not a terminal: ", 40) == 0);
	close(fd);
}

TEST(unknown_term_is_named_first)
{
	int fd = open("/dev/null", O_RDONLY);

	CHECK(fd >= 0);
	CHECK_EQ_INT(check("no-such-terminal", fd), ERR_NOTFOUND);
	CHECK(strncmp(text, "prog: no terminfo entry for TERM=no-such-terminal: ", 51) == 0);
	CHECK_EQ_INT(check(NULL, fd), ERR_INVAL);
	CHECK(strncmp(text, "prog: TERM is not set", 21) == 0);
	close(fd);
}

int main(void)
{
	setenv("LANG", "C.UTF-8", 1);
	unsetenv("LC_ALL");
	unsetenv("LC_CTYPE");
	RUN(a_terminal_passes);
	RUN(not_a_terminal);
	RUN(unknown_term_is_named_first);
	free(text);
	return test_done();
}
