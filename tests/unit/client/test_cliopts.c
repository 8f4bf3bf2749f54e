/* client/cliopts: mosh-client's command line and environment, checked against Debian's where
 * present. */
#include "../test.h"
#include "../runprog.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client/cliopts.h"

static char *out_text, *diag_text;
static size_t out_len, diag_len;
static struct cliopts o;

static enum cliopts_action parse_words(const char *prog, const char **words)
{
	char *argv[64];
	int argc = 0;
	FILE *out, *diag;
	enum cliopts_action a;

	argv[argc++] = (char *)prog;
	while (*words != NULL)
		argv[argc++] = (char *)*words++;
	argv[argc] = NULL;
	free(out_text);
	free(diag_text);
	out = open_memstream(&out_text, &out_len);
	diag = open_memstream(&diag_text, &diag_len);
	cliopts_fini(&o);
	a = cliopts_parse(&o, argc, argv, prog, out, diag);
	fclose(out);
	fclose(diag);
	return a;
}

#define PARSE(...) parse_words("mosh-client", (const char *[]){__VA_ARGS__, NULL})

/* The usage without the banner, which names the implementation. */
static const char *after_banner(const char *s)
{
	const char *u = strstr(s, "\nUsage: ");
	return u != NULL ? u : "";
}

TEST(help_version_anywhere)
{
	CHECK_EQ_INT(PARSE("1.2.3.4", "5", "--help"), CLIOPTS_HELP);
	CHECK(strncmp(out_text, "mosh-client (mosh-c ", 20) == 0);
	CHECK_EQ_STR(after_banner(out_text),
	             "\nUsage: mosh-client [-# 'ARGS'] IP PORT\n       mosh-client -c\n"
	             "\nReport bugs at " MOSHC_BUG_URL "\n");
	CHECK_EQ_INT(PARSE("-v", "--version"), CLIOPTS_VERSION);
	CHECK(strstr(out_text, "Usage") == NULL);
	CHECK_EQ_STR(diag_text, "");
}

TEST(operands_and_options)
{
	CHECK_EQ_INT(PARSE("-v", "-#", "host -p 1 | ", "127.0.0.1", "60001"), CLIOPTS_RUN);
	CHECK_EQ_INT(o.verbose, 1);
	CHECK_EQ_STR(o.ip, "127.0.0.1");
	CHECK_EQ_INT(o.family, AF_INET);
	CHECK_EQ_INT(o.port, 60001);
	CHECK_EQ_INT(PARSE("::1", "-vv", "65535", "-#x"), CLIOPTS_RUN);
	CHECK_EQ_INT(o.verbose, 2);
	CHECK_EQ_INT(o.family, AF_INET6);
	CHECK_EQ_INT(o.port, 65535);
	CHECK_EQ_INT(PARSE("--", "10.0.0.1", "1"), CLIOPTS_RUN);
	CHECK_EQ_INT(o.port, 1);
	CHECK_EQ_INT(PARSE("-c"), CLIOPTS_COLORS);
	CHECK_EQ_INT(PARSE("-vc", "x"), CLIOPTS_COLORS);
}

TEST(usage_errors_exit_1)
{
	CHECK_EQ_INT(PARSE(NULL), CLIOPTS_FAIL);
	CHECK_EQ_STR(after_banner(diag_text),
	             "\nUsage: mosh-client [-# 'ARGS'] IP PORT\n       mosh-client -c\n");
	CHECK_EQ_INT(PARSE("1.2.3.4"), CLIOPTS_FAIL);
	CHECK_EQ_INT(PARSE("1.2.3.4", "5", "6"), CLIOPTS_FAIL);
	CHECK_EQ_INT(PARSE("-x", "1.2.3.4", "5"), CLIOPTS_FAIL);
	CHECK(strncmp(diag_text, "mosh-client: invalid option -- 'x'\nmosh-client (mosh-c", 52) ==
	      0);
	CHECK_EQ_INT(PARSE("1.2.3.4", "-5"), CLIOPTS_FAIL);
	CHECK(strncmp(diag_text, "mosh-client: invalid option -- '5'\n", 35) == 0);
	CHECK_EQ_INT(PARSE("-#"), CLIOPTS_FAIL);
	CHECK(strncmp(diag_text, "mosh-client: option requires an argument -- '#'\n", 48) == 0);
	static const char *const bad_ports[] = {"5x", "", "0", "65536", "+5", " 5", "99999999999"};
	for (size_t i = 0; i < sizeof bad_ports / sizeof bad_ports[0]; i++) {
		char want[64];

		CHECK_EQ_INT(PARSE("1.2.3.4", bad_ports[i]), CLIOPTS_FAIL);
		snprintf(want, sizeof want, "mosh-client: Bad UDP port (%s)\n\nmosh-client (",
		         bad_ports[i]);
		CHECK(strncmp(diag_text, want, strlen(want)) == 0);
	}
	CHECK_EQ_INT(PARSE("example.org", "22"), CLIOPTS_FAIL);
	CHECK(strncmp(diag_text, "mosh-client: Bad IP address (example.org)", 41) == 0);
	CHECK_EQ_INT(PARSE("1.2.3", "22"), CLIOPTS_FAIL);
}

TEST(forwarding_options)
{
	CHECK_EQ_INT(PARSE("127.0.0.1", "60001"), CLIOPTS_RUN);
	CHECK(!o.forward_agent);
	CHECK_EQ_INT(o.n_local, 0);
	CHECK_EQ_INT(o.n_remote, 0);
	CHECK_EQ_INT(PARSE("-#", "mosh -A h |", "-A", "-L", "8080:h:80", "-L[::1]:1:x:2", "-vR",
	                   "*:9:y:10", "127.0.0.1", "60001"),
	             CLIOPTS_RUN);
	CHECK(o.forward_agent);
	CHECK_EQ_INT(o.verbose, 1);
	CHECK_EQ_INT(o.n_local, 2);
	CHECK(o.local[0].bind == NULL);
	CHECK_EQ_INT(o.local[0].port, 8080);
	CHECK_EQ_STR(o.local[0].host, "h");
	CHECK_EQ_INT(o.local[0].hostport, 80);
	CHECK_EQ_STR(o.local[1].bind, "::1");
	CHECK_EQ_STR(o.local[1].host, "x");
	CHECK_EQ_INT(o.n_remote, 1);
	CHECK_EQ_STR(o.remote[0].bind, "*");
	CHECK_EQ_INT(o.remote[0].port, 9);
	CHECK_EQ_STR(o.ip, "127.0.0.1");
	CHECK_EQ_INT(o.port, 60001);
	/* options after the operands, as getopt allows; a cluster ending in -A */
	CHECK_EQ_INT(PARSE("::1", "1", "-vA", "-R", "1:h:2"), CLIOPTS_RUN);
	CHECK(o.forward_agent);
	CHECK_EQ_INT(o.n_remote, 1);
}

TEST(forwarding_errors_exit_1)
{
	const char *words[40];
	int n = 0;

	CHECK_EQ_INT(PARSE("-L", "0:h:80", "127.0.0.1", "60001"), CLIOPTS_FAIL);
	{
		static const char want[] =
		    "mosh-client: -L \"0:h:80\": port 0 is out of range 1..65535 (the form is "
		    "[bind_address:]port:host:hostport)\nmosh-client (";

		CHECK(strncmp(diag_text, want, strlen(want)) == 0);
	}
	CHECK_EQ_INT(PARSE("127.0.0.1", "60001", "-R"), CLIOPTS_FAIL);
	CHECK(strncmp(diag_text, "mosh-client: option requires an argument -- 'R'\n", 48) == 0);
	/* a good -L before a failure is released (ASan would see a leak) */
	CHECK_EQ_INT(PARSE("-L", "1:h:2", "-R", "1:h", "127.0.0.1", "60001"), CLIOPTS_FAIL);
	CHECK(strstr(diag_text, "-R \"1:h\": expected [bind_address:]port:host:hostport") != NULL);
	CHECK_EQ_INT(o.n_local, 0);
	CHECK_EQ_INT(PARSE("-L", "1:h:2", "127.0.0.1"), CLIOPTS_FAIL);
	CHECK_EQ_INT(o.n_local, 0);
	CHECK_EQ_INT(PARSE("-L", "1:h:2", "-c"), CLIOPTS_COLORS);
	CHECK_EQ_INT(o.n_local, 0);

	for (int i = 0; i < 17; i++) {
		words[n++] = "-L";
		words[n++] = "1:h:2";
	}
	words[n++] = "127.0.0.1";
	words[n++] = "1";
	words[n] = NULL;
	CHECK_EQ_INT(parse_words("mosh-client", words + 2), CLIOPTS_RUN);
	CHECK_EQ_INT(o.n_local, 16);
	CHECK_EQ_INT(parse_words("mosh-client", words), CLIOPTS_FAIL);
	CHECK(strncmp(diag_text, "mosh-client: -L may be given at most 16 times\n", 46) == 0);
}

TEST(same_complaints_as_debian)
{
	static const char *const cases[][3] = {
	    {"1.2.3.4", "5x", NULL}, {"-x", "1.2.3.4", "5"}, {"1.2.3.4", NULL, NULL}};
	const char *prog = "/usr/bin/mosh-client";

	if (access(prog, X_OK) != 0)
		TEST_SKIP("%s not installed (apt-get install mosh)", prog);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *argv[5] = {(char *)prog};
		char *theirs;
		const char *first_nl;
		int n = 1;

		for (int k = 0; k < 3 && cases[i][k] != NULL; k++)
			argv[n++] = (char *)cases[i][k];
		CHECK_EQ_INT(run_capture(argv, true, &theirs), 1);
		CHECK_EQ_INT(parse_words(prog, (const char **)(argv + 1)), CLIOPTS_FAIL);
		/* Same complaint line (before the banner) and the same usage lines. */
		first_nl = strstr(theirs, "mosh-client (mosh ");
		CHECK(first_nl != NULL);
		CHECK(strncmp(theirs, diag_text, (size_t)(first_nl - theirs)) == 0);
		CHECK_EQ_STR(after_banner(diag_text), after_banner(theirs));
		free(theirs);
	}
}

TEST(colors_from_terminfo)
{
	char *text;
	size_t len;
	FILE *out = open_memstream(&text, &len);
	FILE *diag;

	free(diag_text);
	diag = open_memstream(&diag_text, &diag_len);

	setenv("TERM", "xterm-256color", 1);
	CHECK_EQ_INT(cliopts_print_colors(out, diag), 0);
	setenv("TERM", "xterm", 1);
	CHECK_EQ_INT(cliopts_print_colors(out, diag), 0);
	setenv("TERM", "dumb", 1);
	CHECK_EQ_INT(cliopts_print_colors(out, diag), 0);
	fflush(out);
	CHECK_EQ_STR(text, "256\n8\n-1\n");
	setenv("TERM", "no-such-terminal", 1);
	CHECK_EQ_INT(cliopts_print_colors(out, diag), 1);
	unsetenv("TERM");
	CHECK_EQ_INT(cliopts_print_colors(out, diag), 1);
	fclose(out);
	fclose(diag);
	CHECK_EQ_STR(diag_text, "'no-such-terminal': unknown terminal type.\n"
	                        "TERM environment variable not set.\n");
	free(text);
}

TEST(environment)
{
	struct clienv e;
	char err[ERR_LEN];

	unsetenv("MOSH_KEY");
	CHECK_EQ_INT(clienv_read(&e, err), ERR_NOTFOUND);
	CHECK(strstr(err, "MOSH_KEY environment variable not found: ") == err);
	CHECK(strstr(err, "mosh launcher") != NULL);
	CHECK(strstr(err, "MOSH CONNECT line that `mosh-server new` prints") != NULL);

	setenv("MOSH_KEY", "AAAAAAAAAAAAAAAAAAAAAA", 1);
	unsetenv("MOSH_PREDICTION_DISPLAY");
	unsetenv("MOSH_PREDICTION_OVERWRITE");
	unsetenv("MOSH_TITLE_NOPREFIX");
	unsetenv("MOSH_NO_TERM_INIT");
	unsetenv("MOSH_ESCAPE_KEY");
	CHECK_EQ_INT(clienv_read(&e, err), 0);
	CHECK_EQ_STR(e.key, "AAAAAAAAAAAAAAAAAAAAAA");
	CHECK(getenv("MOSH_KEY") == NULL); /* gone before anything can be spawned */
	CHECK_EQ_INT(e.predict, CLI_PREDICT_ADAPTIVE);
	CHECK(!e.predict_overwrite && !e.title_noprefix && !e.no_term_init && !e.escape_key_set);
	clienv_fini(&e);
	CHECK_EQ_STR(e.key, "");

	static const char *const modes[] = {"adaptive", "always", "never", "experimental"};
	for (int m = 0; m < 4; m++) {
		setenv("MOSH_KEY", "k", 1);
		setenv("MOSH_PREDICTION_DISPLAY", modes[m], 1);
		CHECK_EQ_INT(clienv_read(&e, err), 0);
		CHECK_EQ_INT(e.predict, m);
	}
	setenv("MOSH_KEY", "k", 1);
	setenv("MOSH_PREDICTION_DISPLAY", "Always", 1);
	CHECK_EQ_INT(clienv_read(&e, err), ERR_INVAL);
	CHECK_EQ_STR(err, "Unknown prediction mode Always.");
	CHECK(getenv("MOSH_KEY") == NULL);
	setenv("MOSH_KEY", "k", 1);
	setenv("MOSH_PREDICTION_DISPLAY", "", 1);
	CHECK_EQ_INT(clienv_read(&e, err), ERR_INVAL);
	CHECK_EQ_STR(err, "Unknown prediction mode .");

	setenv("MOSH_KEY", "k", 1);
	unsetenv("MOSH_PREDICTION_DISPLAY");
	setenv("MOSH_PREDICTION_OVERWRITE", "yes", 1);
	setenv("MOSH_TITLE_NOPREFIX", "", 1);
	setenv("MOSH_NO_TERM_INIT", "1", 1);
	setenv("MOSH_ESCAPE_KEY", "~", 1);
	CHECK_EQ_INT(clienv_read(&e, err), 0);
	CHECK(e.predict_overwrite && e.title_noprefix && e.no_term_init && e.escape_key_set);
	CHECK_EQ_STR(e.escape_key, "~");
	setenv("MOSH_KEY", "k", 1);
	setenv("MOSH_PREDICTION_OVERWRITE", "YES", 1);
	CHECK_EQ_INT(clienv_read(&e, err), 0);
	CHECK(!e.predict_overwrite);

	char longkey[CLIENV_KEY_MAX + 2];
	memset(longkey, 'A', sizeof longkey - 1);
	longkey[sizeof longkey - 1] = '\0';
	setenv("MOSH_KEY", longkey, 1);
	CHECK_EQ_INT(clienv_read(&e, err), ERR_RANGE);
	CHECK(getenv("MOSH_KEY") == NULL);
	clienv_fini(&e);
}

int main(void)
{
	RUN(help_version_anywhere);
	RUN(operands_and_options);
	RUN(usage_errors_exit_1);
	RUN(forwarding_options);
	RUN(forwarding_errors_exit_1);
	RUN(same_complaints_as_debian);
	RUN(colors_from_terminfo);
	RUN(environment);
	cliopts_fini(&o);
	free(out_text);
	free(diag_text);
	return test_done();
}
