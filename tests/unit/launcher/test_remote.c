/*
 * launcher/remote: the remote command line and the ssh argv. The expected
 * strings were captured from Debian's /usr/bin/mosh (mosh 1.4.0) run with an
 * --ssh program that saved its last argument, with the same environment;
 * one difference on purpose: our ProxyCommand quotes %h.
 */
#include "../test.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "launcher/remote.h"
#include "util/buf.h"
#include "util/err.h"

static struct opts o;

static void parse(const char *first, ...)
{
	static char *argv[64];
	char err[ERR_LEN];
	bool usage;
	va_list ap;
	int argc = 0;

	argv[argc++] = (char *)"mosh";
	argv[argc++] = (char *)first;
	va_start(ap, first);
	for (char *a; (a = va_arg(ap, char *)) != NULL;)
		argv[argc++] = a;
	va_end(ap);
	opts_fini(&o);
	if (opts_parse(&o, argc, argv, NULL, err, &usage) != OPTS_RUN)
		TEST_FAIL("parse: %s", err);
}

#define PARSE(...) parse(__VA_ARGS__, (char *)NULL)

static void check_command(char *const *env, const char *want)
{
	char *got = remote_command(&o, "256", env);

	CHECK_EQ_STR(got, want);
	free(got);
}

TEST(default_command_matches_mosh_1_4)
{
	char *env[] = {"PATH=/bin", "LANG=C.UTF-8", NULL};

	PARSE("h");
	check_command(env, "mosh-server 'new' '-c' '256' '-s' '-l' 'LANG=C.UTF-8'");
}

TEST(port_bind_and_every_locale_variable_match_mosh_1_4)
{
	/* Forwarded in mosh's fixed order, whatever the environment's order; empty values too. */
	char *env[] = {"LC_ALL=C.UTF-8", "LC_CTYPE=", "LANGUAGE=fr", "LANG=en_US.UTF-8",
	               "LC_BOGUS=x",     "XLANG=y",   NULL};

	PARSE("-p", "60001:60010", "--bind-server=any", "h");
	check_command(env, "mosh-server 'new' '-c' '256' '-p' '60001:60010' '-l' "
	                   "'LANG=en_US.UTF-8' '-l' 'LANGUAGE=fr' '-l' 'LC_CTYPE=' '-l' "
	                   "'LC_ALL=C.UTF-8'");
}

TEST(nasty_command_words_match_mosh_1_4)
{
	char *env[] = {"LC_MESSAGES=C", NULL};

	PARSE("--server=env X=1 mosh-server", "h", "--", "a", "b'c", "d e", "$HOME", "`id`", "x\ny",
	      "\xc3\xa9", "");
	check_command(env, "env X=1 mosh-server 'new' '-c' '256' '-s' '-l' 'LC_MESSAGES=C' '--' "
	                   "'a' 'b'\\''c' 'd e' '$HOME' '`id`' 'x\ny' '\xc3\xa9' ''");
}

TEST(bind_ip_and_local_mode)
{
	char *env[] = {NULL};

	PARSE("--bind-server=10.0.0.1", "h");
	check_command(env, "mosh-server 'new' '-c' '256' '-i' '10.0.0.1'");
	PARSE("--local", "127.0.0.1", "--", "ls", "-l");
	/* Captured from mosh 1.4's --local with a server that printed its argv. */
	check_command(env, "mosh-server 'new' '-c' '256' '-i' '127.0.0.1' '--' 'ls' '-l'");
}

TEST(attach_replaces_new)
{
	char *env[] = {"LANG=C.UTF-8", NULL};

	PARSE("--attach", "h");
	check_command(env, "mosh-server 'attach' '-c' '256' '-s' '-l' 'LANG=C.UTF-8'");
	PARSE("--attach=work", "-p", "60001:60009", "--bind-server=::1", "h");
	check_command(env, "mosh-server 'attach' 'work' '-c' '256' '-i' '::1' '-p' "
	                   "'60001:60009' '-l' 'LANG=C.UTF-8'");
}

TEST(agent_forwarding_asks_new_for_the_variable)
{
	char *env[] = {"LANG=C.UTF-8", NULL};

	PARSE("-A", "-L", "1:h:2", "h", "--", "ls");
	check_command(env, "mosh-server 'new' '-c' '256' '-s' '-l' 'LANG=C.UTF-8' '-l' "
	                   "'MOSH_FORWARD_AGENT=1' '--' 'ls'");
	PARSE("--forward-agent", "--attach", "h");
	check_command(env, "mosh-server 'attach' '-c' '256' '-s' '-l' 'LANG=C.UTF-8'");
	/* -L and -R are the client's business: the server command line is mosh 1.4's */
	PARSE("-L", "1:h:2", "-R", "3:h:4", "-a", "h");
	check_command(env, "mosh-server 'new' '-c' '256' '-s' '-l' 'LANG=C.UTF-8'");
}

TEST(remote_ip_mode_prefixes_a_probe)
{
	char *env[] = {NULL};
	char *got;

	PARSE("--experimental-remote-ip=remote", "h");
	got = remote_command(&o, "8", env);
	CHECK(strncmp(got, "sh -c '", 7) == 0);
	CHECK(strstr(got, "MOSH SSH_CONNECTION %s") != NULL);
	CHECK(strstr(got, "' ; mosh-server 'new' '-c' '8' '-s'") != NULL);
	free(got);
}

TEST(remote_probe_prints_the_line_through_sh)
{
	char *env[] = {NULL};
	char *got, *cut, line[256] = "";
	FILE *f;

	PARSE("--experimental-remote-ip=remote", "--server=true", "h");
	got = remote_command(&o, "8", env);
	cut = strstr(got, " ; true ");
	CHECK(cut != NULL);
	*cut = '\0';
	setenv("SSH_CONNECTION", "192.0.2.1 5555 192.0.2.2 22", 1);
	f = popen(got, "r");
	CHECK(f != NULL);
	CHECK(fgets(line, sizeof line, f) != NULL);
	CHECK_EQ_STR(line, "\n");
	CHECK(fgets(line, sizeof line, f) != NULL);
	CHECK_EQ_STR(line, "MOSH SSH_CONNECTION 192.0.2.1 5555 192.0.2.2 22\n");
	pclose(f);
	unsetenv("SSH_CONNECTION");
	f = popen(got, "r");
	CHECK(fgets(line, sizeof line, f) == NULL);
	pclose(f);
	free(got);
}

static void check_argv(const struct strv *sv, const char *const *want, size_t n)
{
	CHECK_EQ_INT(sv->n, n);
	for (size_t i = 0; i < n; i++)
		CHECK_EQ_STR(sv->v[i], want[i]);
}

TEST(ssh_argv_proxy_mode_matches_mosh_1_4)
{
	static const char *const want[] = {
	    "ssh",
	    "-p",
	    "2222",
	    "-n",
	    "-tt",
	    "-S",
	    "none",
	    "-o",
	    "ProxyCommand='/usr/bin/mosh' '--family=prefer-inet' --fake-proxy -- '%h' %p",
	    "user@h",
	    "--",
	    "CMD"};
	struct strv sv;

	PARSE("--ssh=ssh -p 2222", "user@h");
	strv_init(&sv);
	remote_ssh_argv(&sv, &o, "/usr/bin/mosh", o.userhost, "CMD");
	check_argv(&sv, want, sizeof want / sizeof want[0]);
	strv_fini(&sv);
}

TEST(ssh_argv_quotes_and_escapes_our_path)
{
	static const char *const want[] = {
	    "ssh",
	    "-n",
	    "-S",
	    "none",
	    "-o",
	    "ProxyCommand='/opt/it'\\''s 100%% mosh' '--family=inet6' --fake-proxy -- '%h' %p",
	    "h",
	    "--",
	    "CMD"};
	struct strv sv;

	PARSE("--no-ssh-pty", "-6", "h");
	strv_init(&sv);
	remote_ssh_argv(&sv, &o, "/opt/it's 100% mosh", o.userhost, "CMD");
	check_argv(&sv, want, sizeof want / sizeof want[0]);
	strv_fini(&sv);
}

TEST(ssh_argv_remote_and_local_ip_modes)
{
	static const char *const want_remote[] = {"ssh", "-n", "-tt", "-4", "h", "--", "CMD"};
	static const char *const want_local[] = {"ssh", "-n", "-tt", "u@192.0.2.9", "--", "CMD"};
	struct strv sv;

	PARSE("--experimental-remote-ip=remote", "-4", "h");
	strv_init(&sv);
	remote_ssh_argv(&sv, &o, "/x", o.userhost, "CMD");
	check_argv(&sv, want_remote, sizeof want_remote / sizeof want_remote[0]);
	strv_fini(&sv);

	PARSE("--experimental-remote-ip=local", "u@h");
	strv_init(&sv);
	remote_ssh_argv(&sv, &o, "/x", "u@192.0.2.9", "CMD");
	check_argv(&sv, want_local, sizeof want_local / sizeof want_local[0]);
	strv_fini(&sv);
}

/* Expand the ProxyCommand's tokens as ssh does, run it with sh, return its output. */
static char *run_proxy_command(const char *pc, const char *host)
{
	static char out[512];
	struct buf cmd;
	size_t n;
	FILE *f;

	buf_init(&cmd);
	buf_append_str(&cmd, "exec ");
	for (const char *p = pc; *p; p++) {
		if (p[0] == '%' && p[1] == 'h')
			buf_append_str(&cmd, host);
		else if (p[0] == '%' && p[1] == 'p')
			buf_append_str(&cmd, "22");
		else if (p[0] == '%' && p[1] == '%')
			buf_append_byte(&cmd, '%');
		else {
			buf_append_byte(&cmd, (uint8_t)*p);
			continue;
		}
		p++;
	}
	buf_append_byte(&cmd, '\0');
	fflush(stdout);
	f = popen((const char *)cmd.data, "r");
	buf_fini(&cmd);
	if (f == NULL)
		return NULL;
	n = fread(out, 1, sizeof out - 1, f);
	out[n] = '\0';
	pclose(f);
	return out;
}

TEST(proxy_command_keeps_a_hostile_host_one_word)
{
	static const char *const hosts[] = {
	    "h;echo INJECTED",
	    "$(echo INJECTED)",
	    "`echo INJECTED`",
	    "h|echo INJECTED",
	    "h && echo INJECTED >&2",
	    "h\necho INJECTED",
	    "h\"x",
	    "* ?",
	};
	const char *pc = NULL;
	char want[256];
	struct strv sv;

	PARSE("h");
	strv_init(&sv);
	remote_ssh_argv(&sv, &o, "/bin/echo", o.userhost, "CMD");
	for (size_t i = 0; i < sv.n; i++)
		if (strncmp(sv.v[i], "ProxyCommand=", 13) == 0)
			pc = sv.v[i] + 13;
	CHECK(pc != NULL);
	for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
		const char *got = run_proxy_command(pc, hosts[i]);

		CHECK(got != NULL);
		snprintf(want, sizeof want, "--family=prefer-inet --fake-proxy -- %s 22\n",
		         hosts[i]);
		CHECK_EQ_STR(got, want);
	}
	strv_fini(&sv);
}

TEST(env_lookup)
{
	char *env[] = {"A=1", "AB=2", "B=", "A=3", NULL};

	CHECK_EQ_STR(remote_env_get(env, "A"), "1");
	CHECK_EQ_STR(remote_env_get(env, "AB"), "2");
	CHECK_EQ_STR(remote_env_get(env, "B"), "");
	CHECK(remote_env_get(env, "C") == NULL);
	CHECK(remote_env_get(NULL, "A") == NULL);
}

int main(void)
{
	RUN(default_command_matches_mosh_1_4);
	RUN(attach_replaces_new);
	RUN(agent_forwarding_asks_new_for_the_variable);
	RUN(port_bind_and_every_locale_variable_match_mosh_1_4);
	RUN(nasty_command_words_match_mosh_1_4);
	RUN(bind_ip_and_local_mode);
	RUN(remote_ip_mode_prefixes_a_probe);
	RUN(remote_probe_prints_the_line_through_sh);
	RUN(ssh_argv_proxy_mode_matches_mosh_1_4);
	RUN(ssh_argv_quotes_and_escapes_our_path);
	RUN(ssh_argv_remote_and_local_ip_modes);
	RUN(proxy_command_keeps_a_hostile_host_one_word);
	RUN(env_lookup);
	opts_fini(&o);
	return test_done();
}
