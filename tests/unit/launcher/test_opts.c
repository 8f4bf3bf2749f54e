/* launcher/opts: Getopt::Long-compatible syntax, defaults, and every validation error. */
#include "../test.h"

#include <stdarg.h>

#include "launcher/opts.h"
#include "util/err.h"

static struct opts o;
static char err[ERR_LEN];
static bool usage;

/* Parse "mosh" + the NULL-terminated arguments, with MOSH_PREDICTION_DISPLAY = env. */
static int parse_env(const char *env, ...)
{
	static char *argv[64];
	va_list ap;
	int argc = 0;

	argv[argc++] = (char *)"mosh";
	va_start(ap, env);
	for (char *a; (a = va_arg(ap, char *)) != NULL;)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	opts_fini(&o);
	err[0] = '\0';
	return opts_parse(&o, argc, argv, env, err, &usage);
}

#define PARSE(...) parse_env(NULL, __VA_ARGS__, (char *)NULL)

/* Expect a failure whose message contains want. */
#define FAILS(want, show_usage, ...)                                                               \
	do {                                                                                       \
		CHECK_EQ_INT(PARSE(__VA_ARGS__), ERR_INVAL);                                       \
		if (strstr(err, want) == NULL)                                                     \
			TEST_FAIL("message \"%s\" lacks \"%s\"", err, want);                       \
		CHECK_EQ_INT(usage, show_usage);                                                   \
	} while (0)

TEST(defaults)
{
	CHECK_EQ_INT(PARSE("host"), OPTS_RUN);
	CHECK_EQ_STR(o.client, "mosh-client");
	CHECK_EQ_STR(o.server, "mosh-server");
	CHECK_EQ_STR(o.predict, "adaptive");
	CHECK_EQ_INT(o.overwrite, OPTS_UNSET);
	CHECK(o.port == NULL);
	CHECK_EQ_INT(o.family, RESOLVE_PREFER_INET);
	CHECK_EQ_INT(o.ssh.n, 1);
	CHECK_EQ_STR(o.ssh.v[0], "ssh");
	CHECK(o.ssh_pty);
	CHECK_EQ_INT(o.init, OPTS_UNSET);
	CHECK(!o.local);
	CHECK(!o.fake_proxy);
	CHECK_EQ_INT(o.bind, OPTS_BIND_SSH);
	CHECK_EQ_INT(o.remote_ip, OPTS_RIP_PROXY);
	CHECK_EQ_STR(o.userhost, "host");
	CHECK_EQ_INT(o.command.n, 0);
}

TEST(every_option)
{
	CHECK_EQ_INT(PARSE("--client=/c", "--server", "env X=1 mosh-server", "--predict=never",
	                   "-o", "--family=INET6", "-p", "60001:60010", "--bind-server=::1",
	                   "--ssh=ssh -p 2222", "--no-ssh-pty", "--no-init",
	                   "--experimental-remote-ip=remote", "u@h", "--", "ls", "-la"),
	             OPTS_RUN);
	CHECK_EQ_STR(o.client, "/c");
	CHECK_EQ_STR(o.server, "env X=1 mosh-server");
	CHECK_EQ_STR(o.predict, "never");
	CHECK_EQ_INT(o.overwrite, OPTS_YES);
	CHECK_EQ_INT(o.family, RESOLVE_INET6);
	CHECK_EQ_STR(o.port, "60001:60010");
	CHECK(o.port_is_range);
	CHECK_EQ_INT(o.bind, OPTS_BIND_IP);
	CHECK_EQ_STR(o.bind_ip, "::1");
	CHECK_EQ_INT(o.ssh.n, 3);
	CHECK_EQ_STR(o.ssh.v[2], "2222");
	CHECK(!o.ssh_pty);
	CHECK_EQ_INT(o.init, OPTS_NO);
	CHECK_EQ_INT(o.remote_ip, OPTS_RIP_REMOTE);
	CHECK_EQ_STR(o.userhost, "u@h");
	CHECK_EQ_INT(o.command.n, 2);
	CHECK_EQ_STR(o.command.v[0], "ls");
	CHECK_EQ_STR(o.command.v[1], "-la");
}

TEST(short_and_long_spellings)
{
	CHECK_EQ_INT(PARSE("-a", "h"), OPTS_RUN);
	CHECK_EQ_STR(o.predict, "always");
	CHECK_EQ_INT(PARSE("-n", "h"), OPTS_RUN);
	CHECK_EQ_STR(o.predict, "never");
	CHECK_EQ_INT(PARSE("-a", "-n", "h"), OPTS_RUN); /* the last one wins */
	CHECK_EQ_STR(o.predict, "never");
	CHECK_EQ_INT(PARSE("-4", "h"), OPTS_RUN);
	CHECK_EQ_INT(o.family, RESOLVE_INET);
	CHECK_EQ_INT(PARSE("-4", "-6", "h"), OPTS_RUN);
	CHECK_EQ_INT(o.family, RESOLVE_INET6);
	CHECK_EQ_INT(PARSE("--port=5", "h"), OPTS_RUN);
	CHECK_EQ_STR(o.port, "5");
	CHECK(!o.port_is_range);
	CHECK_EQ_INT(PARSE("-p=00005", "h"), OPTS_RUN); /* kept verbatim, like mosh 1.4 */
	CHECK_EQ_STR(o.port, "00005");
	CHECK_EQ_INT(PARSE("-client=/x", "h"), OPTS_RUN); /* one dash works for long names */
	CHECK_EQ_STR(o.client, "/x");
	CHECK_EQ_INT(PARSE("--predict-overwrite", "h"), OPTS_RUN);
	CHECK_EQ_INT(o.overwrite, OPTS_YES);
	CHECK_EQ_INT(PARSE("-o", "--no-predict-overwrite", "h"), OPTS_RUN);
	CHECK_EQ_INT(o.overwrite, OPTS_NO);
	CHECK_EQ_INT(PARSE("--noo", "h"), OPTS_RUN);
	CHECK_EQ_INT(o.overwrite, OPTS_NO);
	CHECK_EQ_INT(PARSE("--no-ssh-pty", "--ssh-pty", "h"), OPTS_RUN);
	CHECK(o.ssh_pty);
	CHECK_EQ_INT(PARSE("--noinit", "h"), OPTS_RUN);
	CHECK_EQ_INT(o.init, OPTS_NO);
	CHECK_EQ_INT(PARSE("--init", "h"), OPTS_RUN);
	CHECK_EQ_INT(o.init, OPTS_YES);
}

TEST(case_and_abbreviations)
{
	CHECK_EQ_INT(PARSE("-N", "h"), OPTS_RUN);
	CHECK_EQ_STR(o.predict, "never");
	CHECK_EQ_INT(PARSE("--CLIENT=/x", "h"), OPTS_RUN);
	CHECK_EQ_STR(o.client, "/x");
	CHECK_EQ_INT(PARSE("--cl=/y", "h"), OPTS_RUN);
	CHECK_EQ_STR(o.client, "/y");
	CHECK_EQ_INT(PARSE("--po", "7", "h"), OPTS_RUN);
	CHECK_EQ_STR(o.port, "7");
	CHECK_EQ_INT(PARSE("--no-in", "h"), OPTS_RUN);
	CHECK_EQ_INT(o.init, OPTS_NO);
	CHECK_EQ_INT(PARSE("--exp=local", "h"), OPTS_RUN);
	CHECK_EQ_INT(o.remote_ip, OPTS_RIP_LOCAL);
	CHECK_EQ_INT(PARSE("--ssh", "ssh", "h"), OPTS_RUN); /* exact beats prefix of ssh-pty */
	CHECK_EQ_INT(PARSE("--p", "9", "h"), OPTS_RUN);     /* exact "p" beats port/predict */
	CHECK_EQ_STR(o.port, "9");
}

TEST(interleaving_and_double_dash)
{
	CHECK_EQ_INT(PARSE("h", "--port=5", "cmd", "-a"), OPTS_RUN);
	CHECK_EQ_STR(o.port, "5");
	CHECK_EQ_STR(o.predict, "always");
	CHECK_EQ_INT(o.command.n, 1);
	CHECK_EQ_STR(o.command.v[0], "cmd");
	CHECK_EQ_INT(PARSE("--", "h", "-a", "--", "x"), OPTS_RUN);
	CHECK_EQ_STR(o.predict, "adaptive");
	CHECK_EQ_INT(o.command.n, 3);
	CHECK_EQ_STR(o.command.v[1], "--");
	CHECK_EQ_INT(PARSE("h", "--"), OPTS_RUN);
	CHECK_EQ_INT(o.command.n, 0);
	CHECK_EQ_INT(PARSE("h", "-", "x"), OPTS_RUN); /* a lone dash is an operand */
	CHECK_EQ_STR(o.command.v[0], "-");
}

TEST(values_are_taken_whatever_they_look_like)
{
	CHECK_EQ_INT(PARSE("--server", "-a", "h"), OPTS_RUN);
	CHECK_EQ_STR(o.server, "-a");
	CHECK_EQ_STR(o.predict, "adaptive");
	CHECK_EQ_INT(PARSE("--client", "--", "h"), OPTS_RUN);
	CHECK_EQ_STR(o.client, "--");
	CHECK_EQ_INT(PARSE("--server=", "h"), OPTS_RUN);
	CHECK_EQ_STR(o.server, "");
}

TEST(help_and_version)
{
	CHECK_EQ_INT(PARSE("--help"), OPTS_HELP);
	CHECK_EQ_INT(PARSE("--he", "--predict=bogus"), OPTS_HELP); /* values checked later */
	CHECK_EQ_INT(PARSE("--version", "h"), OPTS_VERSION);
	CHECK_EQ_INT(PARSE("h", "--help", "--version"), OPTS_HELP);
	CHECK(strstr(opts_usage(), "Usage: mosh [options] [--] [user@]host [command...]") ==
	      opts_usage());
}

TEST(syntax_errors_show_usage)
{
	FAILS("Unknown option: la", true, "h", "ls", "-la");
	FAILS("Unknown option: bogus", true, "--bogus", "h");
	FAILS("Unknown option: -client", true, "---client=x", "h");
	FAILS("Unknown option: ", true, "--=x", "h");
	FAILS("Option pre is ambiguous (predict, predict-overwrite)", true, "--pre=x", "h");
	FAILS("Option s is ambiguous (scrollback, server, ssh, ssh-pty)", true, "--s=x", "h");
	FAILS("Option fa is ambiguous (fake-proxy, family)", true, "--fa=inet", "h");
	FAILS("Option p requires an argument", true, "h", "-p");
	FAILS("Option local does not take an argument", true, "--local=x", "127.0.0.1");
	FAILS("Option help does not take an argument", true, "--help=3");
	FAILS("no host given", true, "-a");
}

TEST(prediction_modes)
{
	static const char *const modes[] = {"adaptive", "always", "never", "experimental"};

	for (size_t i = 0; i < 4; i++) {
		char arg[64];

		snprintf(arg, sizeof arg, "--predict=%s", modes[i]);
		CHECK_EQ_INT(PARSE(arg, "h"), OPTS_RUN);
		CHECK_EQ_STR(o.predict, modes[i]);
	}
	FAILS("Unknown mode \"foo\"", true, "--predict=foo", "h");
	FAILS("Unknown mode \"Always\"", true, "--predict=Always", "h");
	FAILS("Unknown mode \"h\"", true, "--predict", "h"); /* took the host as its value */
}

TEST(prediction_from_environment)
{
	CHECK_EQ_INT(parse_env("never", "h", (char *)NULL), OPTS_RUN);
	CHECK_EQ_STR(o.predict, "never");
	CHECK_EQ_INT(parse_env("never", "-a", "h", (char *)NULL), OPTS_RUN);
	CHECK_EQ_STR(o.predict, "always");
	/* A bad environment value is an error only when no option overrides it. */
	CHECK_EQ_INT(parse_env("bad", "-a", "h", (char *)NULL), OPTS_RUN);
	CHECK_EQ_INT(parse_env("bad", "h", (char *)NULL), ERR_INVAL);
	CHECK(strstr(err, "Unknown mode \"bad\" (MOSH_PREDICTION_DISPLAY in environment)"));
	CHECK(usage);
}

TEST(port_ranges)
{
	CHECK_EQ_INT(PARSE("-p", "0", "h"), OPTS_RUN);
	CHECK_EQ_INT(PARSE("-p", "65535", "h"), OPTS_RUN);
	CHECK_EQ_INT(PARSE("-p", "1:65535", "h"), OPTS_RUN);
	CHECK(o.port_is_range);
	CHECK_EQ_INT(PARSE("-p", "7:7", "h"), OPTS_RUN);
	FAILS("port 70000 is outside 0..65535", false, "-p", "70000", "h");
	FAILS("port 99999999999999999999 is outside", false, "-p", "99999999999999999999", "h");
	FAILS("high UDP port 0 is outside 1..65535", false, "-p", "5:0", "h");
	FAILS("high UDP port 70000 is outside 1..65535", false, "-p", "5:70000", "h");
	FAILS("range 0:5 may not start at port 0", false, "-p", "0:5", "h");
	FAILS("range 6:5: the low port is above the high port", false, "-p", "6:5", "h");
	FAILS("\"x\" is not valid", false, "-p", "x", "h");
	FAILS("\"\" is not valid", false, "--port=", "h");
	FAILS("\"5:\" is not valid", false, "-p", "5:", "h");
	FAILS("\":5\" is not valid", false, "-p", ":5", "h");
	FAILS("\"1:2:3\" is not valid", false, "-p", "1:2:3", "h");
	FAILS("\"-1\" is not valid", false, "-p", "-1", "h");
	FAILS("\" 5\" is not valid", false, "-p", " 5", "h");
}

TEST(families)
{
	static const char *const names[] = {"inet", "inet6",       "auto",
	                                    "all",  "prefer-inet", "prefer-inet6"};

	for (size_t i = 0; i < 6; i++) {
		char arg[64];

		snprintf(arg, sizeof arg, "--family=%s", names[i]);
		CHECK_EQ_INT(PARSE(arg, "h"), OPTS_RUN);
		CHECK_EQ_INT(o.family, (int)i);
		CHECK_EQ_STR(resolve_family_name(o.family), names[i]);
	}
	FAILS("Unknown address family \"bogus\"", false, "--family=bogus", "h");
	FAILS("Unknown address family \"\"", false, "--family=", "h");
}

TEST(bind_server)
{
	CHECK_EQ_INT(PARSE("--bind-server=SSH", "h"), OPTS_RUN);
	CHECK_EQ_INT(o.bind, OPTS_BIND_SSH);
	CHECK_EQ_INT(PARSE("--bind-server=Any", "h"), OPTS_RUN);
	CHECK_EQ_INT(o.bind, OPTS_BIND_ANY);
	CHECK_EQ_INT(PARSE("--bind-server=10.1.2.3", "h"), OPTS_RUN);
	CHECK_EQ_INT(o.bind, OPTS_BIND_IP);
	CHECK_EQ_STR(o.bind_ip, "10.1.2.3");
	FAILS("--bind-server wants ssh, any or a numeric IP address, not \"example.com\"", false,
	      "--bind-server=example.com", "h");
	FAILS("not \"\"", false, "--bind-server=", "h");
}

TEST(local_mode)
{
	CHECK_EQ_INT(PARSE("--local", "127.0.0.1"), OPTS_RUN);
	CHECK(o.local);
	CHECK_EQ_INT(o.bind, OPTS_BIND_IP); /* binds to the given address */
	CHECK_EQ_STR(o.bind_ip, "127.0.0.1");
	CHECK_EQ_INT(PARSE("--local", "--bind-server=any", "::1"), OPTS_RUN);
	CHECK_EQ_INT(o.bind, OPTS_BIND_ANY);
	CHECK_EQ_INT(PARSE("--local", "--bind-server=10.0.0.1", "127.0.0.1"), OPTS_RUN);
	CHECK_EQ_STR(o.bind_ip, "10.0.0.1");
	FAILS("--local needs a numeric IP address", false, "--local", "localhost");
	FAILS("--local needs a numeric IP address", false, "--local", "root@127.0.0.1");
}

TEST(remote_ip_methods)
{
	CHECK_EQ_INT(PARSE("--experimental-remote-ip=proxy", "h"), OPTS_RUN);
	CHECK_EQ_INT(o.remote_ip, OPTS_RIP_PROXY);
	CHECK_EQ_INT(PARSE("--experimental-remote-ip=remote", "h"), OPTS_RUN);
	CHECK_EQ_INT(o.remote_ip, OPTS_RIP_REMOTE);
	FAILS("Unknown --experimental-remote-ip method \"Remote\"", false,
	      "--experimental-remote-ip=Remote", "h");
}

TEST(ssh_command)
{
	CHECK_EQ_INT(PARSE("--ssh=ssh -o 'ProxyJump=a b'", "h"), OPTS_RUN);
	CHECK_EQ_INT(o.ssh.n, 3);
	CHECK_EQ_STR(o.ssh.v[2], "ProxyJump=a b");
	CHECK_EQ_INT(PARSE("--ssh=first", "--ssh=second x", "h"), OPTS_RUN);
	CHECK_EQ_INT(o.ssh.n, 2);
	CHECK_EQ_STR(o.ssh.v[0], "second");
	FAILS("--ssh command has an unterminated ' quote", false, "--ssh=ssh 'x", "h");
	FAILS("--ssh command is empty", false, "--ssh=  ", "h");
}

TEST(hosts_that_would_be_ssh_options)
{
	FAILS("\"-h\" is not a host name", false, "--", "-h");
	FAILS("\"\" is not a host name", false, "");
	/* a quote in the host would end the ProxyCommand's quoting of %h */
	FAILS("\"u@a'b\" is not a host name", false, "u@a'b");
	CHECK_EQ_INT(PARSE("it's@host"), OPTS_RUN);
}

TEST(fake_proxy)
{
	CHECK_EQ_INT(PARSE("--family=inet", "--fake-proxy", "--", "example.org", "22"), OPTS_RUN);
	CHECK(o.fake_proxy);
	CHECK_EQ_STR(o.userhost, "example.org");
	CHECK_EQ_STR(o.proxy_port, "22");
	CHECK_EQ_INT(o.family, RESOLVE_INET);
	FAILS("--fake-proxy needs exactly: HOST PORT", false, "--fake-proxy", "--", "h");
	FAILS("--fake-proxy needs exactly: HOST PORT", false, "--fake-proxy", "h", "1", "2");
	CHECK_EQ_INT(PARSE("--fake-proxy", "--no-fake-proxy", "h"), OPTS_RUN);
	CHECK(!o.fake_proxy);
}

TEST(attach)
{
	CHECK_EQ_INT(PARSE("h"), OPTS_RUN);
	CHECK(!o.attach);
	CHECK(o.attach_target == NULL);
	CHECK_EQ_INT(PARSE("--attach", "h"), OPTS_RUN);
	CHECK(o.attach);
	CHECK(o.attach_target == NULL);
	CHECK_EQ_STR(o.userhost, "h");
	CHECK_EQ_INT(PARSE("user@h", "--attach=work", "-p", "60001"), OPTS_RUN);
	CHECK(o.attach);
	CHECK_EQ_STR(o.attach_target, "work");
	CHECK_EQ_STR(o.port, "60001");
	/* the value comes only after "=": the next word stays the host */
	CHECK_EQ_INT(PARSE("--attach", "ab12cd34"), OPTS_RUN);
	CHECK(o.attach_target == NULL);
	CHECK_EQ_STR(o.userhost, "ab12cd34");
	CHECK_EQ_INT(PARSE("--att=ab12", "h"), OPTS_RUN);
	CHECK_EQ_STR(o.attach_target, "ab12");
	FAILS("--attach joins a session that already runs its command", false, "--attach", "h",
	      "top");
	FAILS("--attach joins a session", false, "--attach=x", "h", "--", "ls");
	FAILS("--attach=: give a session ID or name", false, "--attach=", "h");
	FAILS("--attach=-s: give a session ID or name", false, "--attach=-s", "h");
}

TEST(forwarding_options)
{
	CHECK_EQ_INT(PARSE("h"), OPTS_RUN);
	CHECK(!o.forward_agent);
	CHECK_EQ_INT(o.n_local_fwd, 0);
	CHECK_EQ_INT(o.n_remote_fwd, 0);
	CHECK_EQ_INT(PARSE("-A", "-L", "8080:localhost:80", "h", "-L", "[::1]:1:[::1]:2", "-R",
	                   ":2222:10.0.0.1:22"),
	             OPTS_RUN);
	CHECK(o.forward_agent);
	CHECK_EQ_INT(o.n_local_fwd, 2);
	CHECK(o.local_fwd[0].bind == NULL);
	CHECK_EQ_INT(o.local_fwd[0].port, 8080);
	CHECK_EQ_STR(o.local_fwd[0].host, "localhost");
	CHECK_EQ_INT(o.local_fwd[0].hostport, 80);
	CHECK_EQ_STR(o.local_fwd[1].bind, "::1");
	CHECK_EQ_STR(o.local_fwd[1].host, "::1");
	CHECK_EQ_INT(o.n_remote_fwd, 1);
	CHECK_EQ_STR(o.remote_fwd[0].bind, "*");
	CHECK_EQ_INT(o.remote_fwd[0].port, 2222);
	CHECK_EQ_STR(o.predict, "adaptive"); /* -A is not -a */
	CHECK_EQ_INT(PARSE("--forward-agent", "h"), OPTS_RUN);
	CHECK(o.forward_agent);
	CHECK_EQ_INT(PARSE("--FORWARD-A", "h"), OPTS_RUN);
	CHECK(o.forward_agent);
	CHECK_EQ_INT(PARSE("-A", "--no-forward-agent", "h"), OPTS_RUN);
	CHECK(!o.forward_agent);
}

/* -A, -L and -R are exact and case-sensitive: mosh 1.4's -a and the -l abbreviation keep working.
 */
TEST(forwarding_letters_keep_mosh_1_4_spellings)
{
	CHECK_EQ_INT(PARSE("-a", "h"), OPTS_RUN);
	CHECK_EQ_STR(o.predict, "always");
	CHECK(!o.forward_agent);
	CHECK_EQ_INT(PARSE("-l", "127.0.0.1"), OPTS_RUN); /* still --local */
	CHECK(o.local);
	CHECK_EQ_INT(o.n_local_fwd, 0);
	CHECK_EQ_INT(PARSE("-O", "h"), OPTS_RUN); /* other letters still ignore case */
	CHECK_EQ_INT(o.overwrite, OPTS_YES);
	FAILS("Unknown option: r", true, "-r", "1:h:2", "h");
	CHECK_EQ_INT(PARSE("--loc", "127.0.0.1"), OPTS_RUN);
	CHECK(o.local);
	FAILS("Unknown option: local-forward", true, "--local-forward=1:h:2", "h");
}

/* "mosh" + n times FLAG 1:h:2, then a host. */
static int parse_forwards(const char *flag, int n)
{
	static char *argv[100];
	int argc = 0;

	argv[argc++] = (char *)"mosh";
	for (int i = 0; i < n; i++) {
		argv[argc++] = (char *)flag;
		argv[argc++] = (char *)"1:h:2";
	}
	argv[argc++] = (char *)"h";
	argv[argc] = NULL;
	opts_fini(&o);
	err[0] = '\0';
	return opts_parse(&o, argc, argv, NULL, err, &usage);
}

TEST(forwarding_errors)
{
	FAILS("-L \"0:h:80\": port 0 is out of range 1..65535 (the form is "
	      "[bind_address:]port:host:hostport, as for ssh -L)",
	      true, "-L", "0:h:80", "h");
	FAILS("-R \"8080:h:\": hostport is empty", true, "-R", "8080:h:", "h");
	FAILS("-L \"8080\": expected [bind_address:]port:host:hostport", true, "h", "-L", "8080");
	FAILS("-L \"x:1:h:2:3\": too many ':'", true, "-L", "x:1:h:2:3", "h");
	FAILS("Option L requires an argument", true, "h", "-L");
	FAILS("Option A does not take an argument", true, "-A=1", "h");
	/* the first bad spec is named even after good ones */
	FAILS("-L \"http:h:80\": port \"http\" is not a number", true, "-L", "1:h:2", "-L",
	      "http:h:80", "h");

	CHECK_EQ_INT(parse_forwards("-L", 16), OPTS_RUN);
	CHECK_EQ_INT(o.n_local_fwd, 16);
	CHECK_EQ_INT(parse_forwards("-R", 16), OPTS_RUN);
	CHECK_EQ_INT(o.n_remote_fwd, 16);
	CHECK_EQ_INT(parse_forwards("-L", 17), ERR_INVAL);
	CHECK_EQ_STR(err, "-L may be given at most 16 times, not 17");
	CHECK(usage);
	CHECK_EQ_INT(parse_forwards("-R", 40), ERR_INVAL);
	CHECK_EQ_STR(err, "-R may be given at most 16 times, not 40");
}

int main(void)
{
	RUN(defaults);
	RUN(every_option);
	RUN(short_and_long_spellings);
	RUN(case_and_abbreviations);
	RUN(interleaving_and_double_dash);
	RUN(values_are_taken_whatever_they_look_like);
	RUN(help_and_version);
	RUN(syntax_errors_show_usage);
	RUN(prediction_modes);
	RUN(prediction_from_environment);
	RUN(port_ranges);
	RUN(families);
	RUN(bind_server);
	RUN(local_mode);
	RUN(remote_ip_methods);
	RUN(ssh_command);
	RUN(hosts_that_would_be_ssh_options);
	RUN(fake_proxy);
	RUN(attach);
	RUN(forwarding_options);
	RUN(forwarding_letters_keep_mosh_1_4_spellings);
	RUN(forwarding_errors);
	opts_fini(&o);
	return test_done();
}
