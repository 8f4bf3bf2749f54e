/* server/opts: every option and error path of mosh-server's command line. */
#include "../test.h"
#include "../runprog.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server/opts.h"
#include "state/history.h"

static char *out_text, *diag_text;
static size_t out_len, diag_len;
static struct srvopts o;

/* Parse a NULL-terminated list of words after the program name. */
static enum srvopts_action parse_env(const char *ssh_connection, const char **words)
{
	char *argv[32];
	int argc = 0;
	FILE *out, *diag;
	enum srvopts_action a;

	argv[argc++] = "mosh-server";
	while (*words != NULL)
		argv[argc++] = (char *)*words++;
	argv[argc] = NULL;
	free(out_text);
	free(diag_text);
	out = open_memstream(&out_text, &out_len);
	diag = open_memstream(&diag_text, &diag_len);
	srvopts_fini(&o);
	a = srvopts_parse(&o, argc, argv, ssh_connection, "mosh-server", out, diag);
	fclose(out);
	fclose(diag);
	return a;
}

#define PARSE(...) parse_env(NULL, (const char *[]){__VA_ARGS__, NULL})
#define USAGE                                                                                      \
	"Usage: mosh-server new [-s] [-v] [-i LOCALADDR] [-p PORT[:PORT2]] [-c COLORS] "           \
	"[-l NAME=VALUE] [-- COMMAND...]\n"

#define HELP                                                                                       \
	"Usage: mosh-server new [-s] [-v] [-i LOCALADDR] [-p PORT[:PORT2]] [-c COLORS] "           \
	"[-l NAME=VALUE] [--name NAME]\n"                                                          \
	"           [--scrollback LINES] [-- COMMAND...]\n"                                        \
	"       mosh-server list [--json]\n"                                                       \
	"       mosh-server attach [ID|NAME] [-s] [-i LOCALADDR] [-p PORT[:PORT2]]\n"              \
	"       mosh-server kill ID|NAME | --detached\n"

TEST(help_and_version_win_anywhere_before_dashdash)
{
	CHECK_EQ_INT(PARSE("new", "-v", "--help"), SRVOPTS_HELP);
	CHECK_EQ_STR(out_text, HELP "\nReport bugs at " MOSHC_BUG_URL "\n");
	CHECK_EQ_STR(diag_text, "");
	CHECK_EQ_INT(PARSE("-h"), SRVOPTS_HELP);
	CHECK_EQ_INT(PARSE("new", "--version"), SRVOPTS_VERSION);
	CHECK(strncmp(out_text, "mosh-server (mosh-c ", 20) == 0);
	CHECK(strstr(out_text, "License GPLv3+") != NULL);
	/* after "--" they belong to the command */
	CHECK_EQ_INT(PARSE("new", "--", "prog", "--help"), SRVOPTS_RUN);
	CHECK_EQ_INT(o.n_command, 2);
	CHECK_EQ_STR(o.command[1], "--help");
	CHECK(o.command[2] == NULL);
}

TEST(defaults)
{
	CHECK_EQ_INT(PARSE("new"), SRVOPTS_RUN);
	CHECK(o.bind_ip == NULL);
	CHECK(o.port_spec == NULL);
	CHECK(o.command == NULL);
	CHECK_EQ_INT(o.verbose, 0);
	CHECK_EQ_INT(o.colors, 0);
	CHECK_EQ_STR(srvopts_term(&o), "xterm");
	CHECK_EQ_STR(diag_text, "");
}

TEST(every_option)
{
	CHECK_EQ_INT(PARSE("new", "-v", "-vv", "-i", "::1", "-p60001:60010", "-c", "256", "-l",
	                   "LANG=C.UTF-8", "-lLC_ALL=x", "-@", "new", "--", "ls", "-l"),
	             SRVOPTS_RUN);
	CHECK_EQ_INT(o.verbose, 3);
	CHECK_EQ_STR(o.bind_ip, "::1");
	CHECK_EQ_STR(o.port_spec, "60001:60010");
	CHECK_EQ_INT(o.port_low, 60001);
	CHECK_EQ_INT(o.port_high, 60010);
	CHECK_EQ_INT(o.colors, 256);
	CHECK_EQ_STR(srvopts_term(&o), "xterm-256color");
	CHECK_EQ_INT(o.n_locale_assign, 2);
	CHECK_EQ_STR(o.locale_assign[0], "LANG=C.UTF-8");
	CHECK_EQ_STR(o.locale_assign[1], "LC_ALL=x");
	CHECK_EQ_INT(o.n_command, 2);
	CHECK_EQ_STR(o.command[0], "ls");
	CHECK_EQ_STR(diag_text, "");
}

TEST(colors_other_than_256_give_xterm)
{
	CHECK_EQ_INT(PARSE("new", "-c", "8"), SRVOPTS_RUN);
	CHECK_EQ_STR(srvopts_term(&o), "xterm");
	CHECK_EQ_INT(PARSE("new", "-c", "-5"), SRVOPTS_RUN);
	CHECK_EQ_INT(o.colors, -5);
	CHECK_EQ_INT(PARSE("new", "-c", "+256"), SRVOPTS_RUN);
	CHECK_EQ_STR(srvopts_term(&o), "xterm-256color");
	CHECK_EQ_INT(PARSE("new", "-c", ""), SRVOPTS_RUN); /* mosh reads "" as 0 */
	CHECK_EQ_INT(o.colors, 0);
}

TEST(bad_colors_are_fatal)
{
	static const char *const bad[] = {"abc", "12a", "0x10", "99999999999999999999"};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char want[256];

		CHECK_EQ_INT(PARSE("new", "-c", bad[i]), SRVOPTS_FAIL);
		snprintf(want, sizeof want, "mosh-server: Bad number of colors (%s)\n" USAGE,
		         bad[i]);
		CHECK_EQ_STR(diag_text, want);
	}
}

TEST(unknown_option_and_missing_argument_continue)
{
	CHECK_EQ_INT(PARSE("new", "-x", "-v"), SRVOPTS_RUN);
	CHECK_EQ_STR(diag_text, "new: invalid option -- 'x'\n" USAGE);
	CHECK_EQ_INT(o.verbose, 1);
	CHECK_EQ_INT(PARSE("new", "-v", "-i"), SRVOPTS_RUN);
	CHECK_EQ_STR(diag_text, "new: option requires an argument -- 'i'\n" USAGE);
	CHECK(o.bind_ip == NULL);
	/* non-option words are ignored, as mosh does */
	CHECK_EQ_INT(PARSE("new", "foo", "-v"), SRVOPTS_RUN);
	CHECK_EQ_INT(o.verbose, 1);
	CHECK_EQ_STR(diag_text, "");
}

struct port_case {
	const char *spec;
	int ok;
	int low, high;
	const char *msg;
};

TEST(port_ranges_like_mosh)
{
	static const struct port_case cases[] = {
	    {"60001", 1, 60001, 60001, NULL},
	    {"0", 1, 0, 0, NULL},
	    {"+5", 1, 5, 5, NULL},
	    {"5:5", 1, 5, 5, NULL},
	    {"1:65535", 1, 1, 65535, NULL},
	    {"abc", 0, 0, 0, "Invalid (low) port number (abc)"},
	    {"12a", 0, 0, 0, "Invalid (low) port number (12a)"},
	    {"0x10", 0, 0, 0, "Invalid (low) port number (0x10)"},
	    {"70000", 0, 0, 0, "(Low) port number 70000 outside valid range [0..65535]"},
	    {"-1", 0, 0, 0, "(Low) port number -1 outside valid range [0..65535]"},
	    {"60100:70000", 0, 0, 0, "High port number 70000 outside valid range [0..65535]"},
	    {"5:-1", 0, 0, 0, "High port number -1 outside valid range [0..65535]"},
	    {"5:x", 0, 0, 0, "Invalid high port number (x)"},
	    {"1:2:3", 0, 0, 0, "Invalid high port number (2:3)"},
	    {"5:3", 0, 0, 0, "Low port 5 greater than high port 3"},
	    {"1:", 0, 0, 0, "Low port 1 greater than high port 0"},
	    {"0:5", 0, 0, 0, "Low port 0 incompatible with port ranges"},
	    {":5", 0, 0, 0, "Low port 0 incompatible with port ranges"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct port_case *c = &cases[i];
		char want[512];

		if (c->ok) {
			CHECK_EQ_INT(PARSE("new", "-p", c->spec), SRVOPTS_RUN);
			CHECK_EQ_INT(o.port_low, c->low);
			CHECK_EQ_INT(o.port_high, c->high);
			CHECK_EQ_STR(o.port_spec, c->spec);
		} else {
			CHECK_EQ_INT(PARSE("new", "-p", c->spec), SRVOPTS_FAIL);
			snprintf(want, sizeof want,
			         "%s\nmosh-server: Bad UDP port range (%s)\n" USAGE, c->msg,
			         c->spec);
			CHECK_EQ_STR(diag_text, want);
		}
	}
}

TEST(legacy_forms)
{
	CHECK_EQ_INT(PARSE(NULL), SRVOPTS_RUN);
	CHECK(o.bind_ip == NULL);
	CHECK_EQ_INT(PARSE("127.0.0.1"), SRVOPTS_RUN);
	CHECK_EQ_STR(o.bind_ip, "127.0.0.1");
	CHECK(o.port_spec == NULL);
	CHECK_EQ_INT(PARSE("127.0.0.1", "60100"), SRVOPTS_RUN);
	CHECK_EQ_INT(o.port_low, 60100);
	CHECK_EQ_INT(PARSE("127.0.0.1", "nope"), SRVOPTS_FAIL);
	CHECK(strstr(diag_text, "Bad UDP port range (nope)") != NULL);
	CHECK_EQ_INT(PARSE("a", "b", "c"), SRVOPTS_FAIL);
	CHECK_EQ_STR(diag_text, USAGE);
	/* the words before "--" decide the form */
	CHECK_EQ_INT(PARSE("--", "vi", "x", "y"), SRVOPTS_RUN);
	CHECK(o.bind_ip == NULL);
	CHECK_EQ_INT(o.n_command, 3);
	/* a trailing "--" means no command */
	CHECK_EQ_INT(PARSE("new", "--"), SRVOPTS_RUN);
	CHECK(o.command == NULL);
}

TEST(ssh_connection_bind)
{
	CHECK_EQ_INT(parse_env("10.0.0.1 5555 10.0.0.2 22", (const char *[]){"new", "-s", NULL}),
	             SRVOPTS_RUN);
	CHECK_EQ_STR(o.bind_ip, "10.0.0.2");
	CHECK_EQ_INT(parse_env("a b ::FFFF:127.0.0.1 22", (const char *[]){"new", "-s", NULL}),
	             SRVOPTS_RUN);
	CHECK_EQ_STR(o.bind_ip, "127.0.0.1");
	CHECK_EQ_INT(parse_env("a b ::1 22", (const char *[]){"new", "-s", NULL}), SRVOPTS_RUN);
	CHECK_EQ_STR(o.bind_ip, "::1");
	CHECK_EQ_INT(parse_env("  a   b\t127.0.0.1", (const char *[]){"new", "-s", NULL}),
	             SRVOPTS_RUN);
	CHECK_EQ_STR(o.bind_ip, "127.0.0.1");
	CHECK_EQ_INT(parse_env(NULL, (const char *[]){"new", "-s", NULL}), SRVOPTS_RUN);
	CHECK(o.bind_ip == NULL);
	CHECK_EQ_STR(diag_text, "Warning: SSH_CONNECTION not found; binding to any interface.\n");
	CHECK_EQ_INT(parse_env("1.2.3.4 5", (const char *[]){"new", "-s", NULL}), SRVOPTS_RUN);
	CHECK(o.bind_ip == NULL);
	CHECK_EQ_STR(diag_text,
	             "Warning: Could not parse SSH_CONNECTION; binding to any interface.\n");
	CHECK_EQ_INT(parse_env("", (const char *[]){"new", "-s", NULL}), SRVOPTS_RUN);
	CHECK(o.bind_ip == NULL);
	/* the last of -s and -i wins */
	CHECK_EQ_INT(parse_env("a b 10.0.0.2 22", (const char *[]){"new", "-s", "-i", "::1", NULL}),
	             SRVOPTS_RUN);
	CHECK_EQ_STR(o.bind_ip, "::1");
	CHECK_EQ_INT(parse_env("a b 10.0.0.2 22", (const char *[]){"new", "-i", "::1", "-s", NULL}),
	             SRVOPTS_RUN);
	CHECK_EQ_STR(o.bind_ip, "10.0.0.2");
}

TEST(session_name)
{
	CHECK_EQ_INT(PARSE("new"), SRVOPTS_RUN);
	CHECK(o.name == NULL);
	CHECK_EQ_INT(PARSE("new", "-v", "--name", "work", "-s"), SRVOPTS_RUN);
	CHECK_EQ_STR(o.name, "work");
	CHECK_EQ_INT(o.verbose, 1);
	CHECK_EQ_INT(PARSE("new", "--name=a.b-c_D", "--", "top"), SRVOPTS_RUN);
	CHECK_EQ_STR(o.name, "a.b-c_D");
	CHECK_EQ_STR(o.command[0], "top");
	CHECK_EQ_STR(diag_text, "");
	/* a bad or missing name is fatal, with the reason */
	CHECK_EQ_INT(PARSE("new", "--name", "new"), SRVOPTS_FAIL);
	CHECK(strncmp(diag_text, "mosh-server: \"new\" is not a session name", 40) == 0);
	CHECK_EQ_INT(PARSE("new", "--name=abcd1234"), SRVOPTS_FAIL);
	CHECK(strstr(diag_text, "looks like a session ID") != NULL);
	CHECK_EQ_INT(PARSE("new", "--name=a b"), SRVOPTS_FAIL);
	CHECK_EQ_INT(PARSE("new", "--name="), SRVOPTS_FAIL);
	CHECK_EQ_INT(PARSE("new", "--name"), SRVOPTS_FAIL);
	CHECK_EQ_STR(diag_text, "mosh-server: option '--name' requires an argument\n");
	/* only "--name" itself: a longer word is still an unknown option, as before */
	CHECK_EQ_INT(PARSE("new", "--names"), SRVOPTS_RUN);
	CHECK(o.name == NULL);
	CHECK(strstr(diag_text, "invalid option") != NULL);
}

TEST(scrollback_lines)
{
	CHECK_EQ_INT(PARSE("new"), SRVOPTS_RUN);
	CHECK_EQ_U64(o.scrollback, HISTORY_DEFAULT_LINES);
	CHECK_EQ_INT(PARSE("new", "--scrollback", "500", "--", "top"), SRVOPTS_RUN);
	CHECK_EQ_U64(o.scrollback, 500);
	CHECK_EQ_STR(o.command[0], "top");
	CHECK_EQ_INT(PARSE("new", "--scrollback=0"), SRVOPTS_RUN);
	CHECK_EQ_U64(o.scrollback, 0);
	CHECK_EQ_INT(PARSE("new", "--scrollback=-1"), SRVOPTS_FAIL);
	CHECK(strstr(diag_text, "--scrollback takes a number of lines") != NULL);
	CHECK_EQ_INT(PARSE("new", "--scrollback=1000001"), SRVOPTS_FAIL);
	CHECK_EQ_INT(PARSE("new", "--scrollback=12x"), SRVOPTS_FAIL);
	CHECK_EQ_INT(PARSE("new", "--scrollback"), SRVOPTS_FAIL);
	CHECK_EQ_STR(diag_text, "mosh-server: option '--scrollback' requires an argument\n");
}

TEST(timeout_variables)
{
	char *text;
	size_t len;
	FILE *diag = open_memstream(&text, &len);

	CHECK_EQ_U64(srvopts_timeout_secs("MOSH_SERVER_NETWORK_TMOUT", NULL, diag), 0);
	CHECK_EQ_U64(srvopts_timeout_secs("MOSH_SERVER_NETWORK_TMOUT", "", diag), 0);
	CHECK_EQ_U64(srvopts_timeout_secs("MOSH_SERVER_NETWORK_TMOUT", "600", diag), 600);
	CHECK_EQ_U64(srvopts_timeout_secs("MOSH_SERVER_NETWORK_TMOUT", "0", diag), 0);
	fflush(diag);
	CHECK_EQ_STR(text, "");
	CHECK_EQ_U64(srvopts_timeout_secs("MOSH_SERVER_NETWORK_TMOUT", "abc", diag), 0);
	CHECK_EQ_U64(srvopts_timeout_secs("MOSH_SERVER_SIGNAL_TMOUT", "-5", diag), 0);
	CHECK_EQ_U64(srvopts_timeout_secs("MOSH_SERVER_SIGNAL_TMOUT", "10s", diag), 0);
	fclose(diag);
	CHECK_EQ_STR(text, "MOSH_SERVER_NETWORK_TMOUT not a valid integer, ignoring\n"
	                   "MOSH_SERVER_SIGNAL_TMOUT is negative, ignoring\n"
	                   "MOSH_SERVER_SIGNAL_TMOUT not a valid integer, ignoring\n");
	free(text);
}

TEST(same_complaints_as_debian)
{
	static const char *const cases[][4] = {
	    {"new", "-p", "abc", NULL},     {"new", "-p", "0:5", NULL},
	    {"new", "-p", "5:3", NULL},     {"new", "-p", "70000", NULL},
	    {"new", "-p", "1:2:3", NULL},   {"new", "-p", "1:", NULL},
	    {"new", "-p", "5:-1", NULL},    {"new", "-c", "12a", NULL},
	    {"new", "-c", "0x10", NULL},    {"a", "b", "c", NULL},
	    {"127.0.0.1", "x", NULL, NULL},
	};
	const char *prog = "/usr/bin/mosh-server";

	if (access(prog, X_OK) != 0)
		TEST_SKIP("%s not installed (apt-get install mosh)", prog);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *argv[6] = {(char *)prog};
		char *theirs;
		int n = 1;

		for (int k = 0; k < 4 && cases[i][k] != NULL; k++)
			argv[n++] = (char *)cases[i][k];
		argv[n] = NULL;
		CHECK_EQ_INT(run_capture(argv, false, &theirs), 1);
		free(out_text);
		free(diag_text);
		{
			FILE *out = open_memstream(&out_text, &out_len);
			FILE *diag = open_memstream(&diag_text, &diag_len);

			srvopts_fini(&o);
			CHECK_EQ_INT(srvopts_parse(&o, n, argv, NULL, prog, out, diag),
			             SRVOPTS_FAIL);
			fclose(out);
			fclose(diag);
		}
		if (strcmp(theirs, diag_text) != 0)
			printf("# case %zu\n", i);
		CHECK_EQ_STR(diag_text, theirs);
		free(theirs);
	}
}

TEST(l_sets_only_locale_variables)
{
	static const char *const good[] = {"LANG=C.UTF-8", "LANGUAGE=fr:en",
	                                   "LC_ALL=", "LC_CTYPE=en_US.UTF-8", "LC_MESSAGES=C"};
	static const char *const bad[][2] = {
	    {"LD_PRELOAD=/tmp/x.so", "LD_PRELOAD"},
	    {"PATH=/tmp", "PATH"},
	    {"LANGX=C", "LANGX"},
	    {"LC_=C", "LC_"},
	    {"LC_all=C", "LC_all"},
	    {"LANG", "LANG"},
	    {"=C", ""},
	    {"BASH_ENV=LANG=C", "BASH_ENV"},
	    {"MOSH_FORWARD_AGENT=0", "MOSH_FORWARD_AGENT"},
	    {"MOSH_FORWARD_AGENT=", "MOSH_FORWARD_AGENT"},
	    {"MOSH_FORWARD_AGENT=1 ", "MOSH_FORWARD_AGENT"},
	    {"MOSH_FORWARD_AGENT", "MOSH_FORWARD_AGENT"},
	};
	char want[200];

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		CHECK_EQ_INT(PARSE("new", "-l", good[i]), SRVOPTS_RUN);
		CHECK_EQ_INT(o.n_locale_assign, 1);
		CHECK_EQ_STR(o.locale_assign[0], good[i]);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK_EQ_INT(PARSE("new", "-l", "LANG=C.UTF-8", "-l", bad[i][0]), SRVOPTS_FAIL);
		snprintf(want, sizeof want,
		         "mosh-server: -l %s: only a locale variable (LANG, LANGUAGE, LC_ALL or "
		         "LC_*) or MOSH_FORWARD_AGENT=1 may be set, as NAME=VALUE\n",
		         bad[i][1]);
		CHECK_EQ_STR(diag_text, want);
	}
}

/* -l MOSH_FORWARD_AGENT=1 (the launcher's -A) is a flag, never a locale assignment. */
TEST(l_forward_agent_is_a_flag)
{
	CHECK_EQ_INT(PARSE("new"), SRVOPTS_RUN);
	CHECK(!o.forward_agent);
	CHECK_EQ_INT(PARSE("new", "-l", "LANG=C.UTF-8", "-l", "MOSH_FORWARD_AGENT=1", "-lLC_ALL=x"),
	             SRVOPTS_RUN);
	CHECK(o.forward_agent);
	CHECK_EQ_INT(o.n_locale_assign, 2);
	CHECK_EQ_STR(o.locale_assign[0], "LANG=C.UTF-8");
	CHECK_EQ_STR(o.locale_assign[1], "LC_ALL=x");
	CHECK_EQ_INT(PARSE("new", "-lMOSH_FORWARD_AGENT=1", "--", "ls"), SRVOPTS_RUN);
	CHECK(o.forward_agent);
	CHECK_EQ_INT(o.n_locale_assign, 0);
}

int main(void)
{
	RUN(help_and_version_win_anywhere_before_dashdash);
	RUN(defaults);
	RUN(every_option);
	RUN(colors_other_than_256_give_xterm);
	RUN(bad_colors_are_fatal);
	RUN(unknown_option_and_missing_argument_continue);
	RUN(port_ranges_like_mosh);
	RUN(legacy_forms);
	RUN(ssh_connection_bind);
	RUN(session_name);
	RUN(scrollback_lines);
	RUN(timeout_variables);
	RUN(same_complaints_as_debian);
	RUN(l_sets_only_locale_variables);
	RUN(l_forward_agent_is_a_flag);
	srvopts_fini(&o);
	free(out_text);
	free(diag_text);
	return test_done();
}
