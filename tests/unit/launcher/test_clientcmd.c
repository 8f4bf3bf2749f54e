/* launcher/clientcmd: the colour count, the client's environment and argv. */
#include "../test.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launcher/clientcmd.h"
#include "util/err.h"

static struct opts o;

static void parse(int argc, char **argv)
{
	char err[ERR_LEN];
	bool usage;

	opts_fini(&o);
	if (opts_parse(&o, argc, argv, NULL, err, &usage) != OPTS_RUN)
		TEST_FAIL("parse: %s", err);
}

static const char *colors_of(const char *out)
{
	static char c[CLIENTCMD_COLORS_LEN];

	clientcmd_parse_colors(out, strlen(out), c);
	return c;
}

TEST(colour_output_rules)
{
	CHECK_EQ_STR(colors_of("256\n"), "256");
	CHECK_EQ_STR(colors_of("8"), "8");
	CHECK_EQ_STR(colors_of("0256\n"), "0256"); /* verbatim, like mosh 1.4 */
	CHECK_EQ_STR(colors_of("-1\n"), "0");
	CHECK_EQ_STR(colors_of(""), "0");
	CHECK_EQ_STR(colors_of("\n"), "0");
	CHECK_EQ_STR(colors_of("256\n\n"), "0");
	CHECK_EQ_STR(colors_of(" 256"), "0");
	CHECK_EQ_STR(colors_of("16777216"), "16777216");
	CHECK_EQ_STR(colors_of("1234567890123456789"), "0"); /* too long to be a count */
}

/* A script in a temporary directory that acts as the client. */
static char *script(const char *body)
{
	char *path = strdup("/tmp/moshc-test-client.XXXXXX");
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	chmod(path, 0700);
	return path;
}

TEST(colours_from_a_client)
{
	char colors[CLIENTCMD_COLORS_LEN], err[ERR_LEN];
	char *good = script("[ \"$1\" = -c ] && echo 88");
	char *bad = script("echo 256; exit 3");

	CHECK_EQ_INT(clientcmd_colors(good, colors, err), 0);
	CHECK_EQ_STR(colors, "88");
	CHECK_EQ_INT(clientcmd_colors(bad, colors, err), ERR_IO);
	CHECK(strstr(err, "failed (exit status 3)") != NULL);
	CHECK_EQ_INT(clientcmd_colors("/nonexistent/mosh-client", colors, err), ERR_IO);
	CHECK(strstr(err, "cannot run /nonexistent/mosh-client: No such file") != NULL);
	unlink(good);
	unlink(bad);
	free(good);
	free(bad);
}

static bool has(const struct strv *env, const char *entry)
{
	for (size_t i = 0; i < env->n; i++)
		if (strcmp(env->v[i], entry) == 0)
			return true;
	return false;
}

static bool has_name(const struct strv *env, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < env->n; i++)
		if (strncmp(env->v[i], name, len) == 0 && env->v[i][len] == '=')
			return true;
	return false;
}

TEST(client_environment)
{
	char *base[] = {"HOME=/root",
	                "MOSH_KEY=old",
	                "MOSH_PREDICTION_DISPLAY=never",
	                "MOSH_PREDICTION_OVERWRITE=yes",
	                "MOSH_NO_TERM_INIT=1",
	                NULL};
	char *plain[] = {"mosh", "h", NULL};
	char *opts_set[] = {"mosh", "-a", "-o", "--no-init", "h", NULL};
	char *opts_cleared[] = {"mosh", "--no-predict-overwrite", "--init", "h", NULL};
	struct strv env;

	parse(2, plain);
	strv_init(&env);
	clientcmd_env(&env, base, &o, "x0tBXfJGJRuhblYadtF42A");
	CHECK(has(&env, "HOME=/root"));
	CHECK(has(&env, "MOSH_KEY=x0tBXfJGJRuhblYadtF42A"));
	CHECK(!has(&env, "MOSH_KEY=old"));
	CHECK(has(&env, "MOSH_PREDICTION_DISPLAY=adaptive"));
	CHECK(!has(&env, "MOSH_PREDICTION_DISPLAY=never"));
	/* Without the options the inherited settings stand. */
	CHECK(has(&env, "MOSH_PREDICTION_OVERWRITE=yes"));
	CHECK(has(&env, "MOSH_NO_TERM_INIT=1"));
	CHECK(env.v[env.n] == NULL);
	strv_fini(&env);

	parse(5, opts_set);
	strv_init(&env);
	clientcmd_env(&env, (char *[]){NULL}, &o, "k");
	CHECK(has(&env, "MOSH_PREDICTION_DISPLAY=always"));
	CHECK(has(&env, "MOSH_PREDICTION_OVERWRITE=yes"));
	CHECK(has(&env, "MOSH_NO_TERM_INIT=1"));
	CHECK_EQ_INT(env.n, 4);
	strv_fini(&env);

	parse(4, opts_cleared);
	strv_init(&env);
	clientcmd_env(&env, base, &o, "k");
	CHECK(!has_name(&env, "MOSH_PREDICTION_OVERWRITE"));
	CHECK(!has_name(&env, "MOSH_NO_TERM_INIT"));
	strv_fini(&env);
}

TEST(scrollback_option_sets_the_client_variable)
{
	char *base[] = {"MOSH_NO_SCROLLBACK=1", NULL};
	char *plain[] = {"mosh", "h", NULL};
	char *off[] = {"mosh", "--no-scrollback", "h", NULL};
	char *on[] = {"mosh", "--scrollback", "h", NULL};
	struct strv env;

	parse(2, plain);
	strv_init(&env);
	clientcmd_env(&env, base, &o, "k");
	CHECK(has(&env, "MOSH_NO_SCROLLBACK=1"));
	strv_fini(&env);
	parse(3, off);
	strv_init(&env);
	clientcmd_env(&env, (char *[]){NULL}, &o, "k");
	CHECK(has(&env, "MOSH_NO_SCROLLBACK=1"));
	strv_fini(&env);
	parse(3, on);
	strv_init(&env);
	clientcmd_env(&env, base, &o, "k");
	CHECK(!has_name(&env, "MOSH_NO_SCROLLBACK"));
	strv_fini(&env);
}

TEST(client_argv)
{
	char *argv[] = {"mosh", "--predict=never", "user@h", "--", "ls", "-l", NULL};
	struct strv sv;

	parse(6, argv);
	o.client = "/usr/bin/mosh-client";
	strv_init(&sv);
	clientcmd_argv(&sv, &o, 6, argv, "192.0.2.1", "60001");
	CHECK_EQ_INT(sv.n, 4);
	CHECK_EQ_STR(sv.v[0], "/usr/bin/mosh-client");
	CHECK_EQ_STR(sv.v[1], "-# --predict=never user@h -- ls -l |");
	CHECK_EQ_STR(sv.v[2], "192.0.2.1");
	CHECK_EQ_STR(sv.v[3], "60001");
	strv_fini(&sv);
}

/* -A, -L and -R reach the client before IP PORT, in order, each spec in its canonical form. */
TEST(client_argv_forwards)
{
	char *argv[] = {"mosh", "-L", "0080:h:022", "-A", "-R", "[::1]:9:[::1]:10",
	                "h",    "-L", ":1:x:2",     NULL};
	static const char *const want[] = {"mosh-client", "-L", "80:h:22",          "-L",
	                                   "*:1:x:2",     "-R", "[::1]:9:[::1]:10", "192.0.2.1",
	                                   "60001"};
	struct strv sv;

	parse(9, argv);
	strv_init(&sv);
	clientcmd_argv(&sv, &o, 9, argv, "192.0.2.1", "60001");
	CHECK_EQ_INT(sv.n, 11);
	CHECK_EQ_STR(sv.v[0], want[0]);
	CHECK_EQ_STR(sv.v[2], "-A");
	for (size_t i = 1; i < sizeof want / sizeof want[0]; i++)
		CHECK_EQ_STR(sv.v[i + 2], want[i]);
	strv_fini(&sv);
}

TEST(exec_failure_is_reported)
{
	char *argv[] = {"mosh", "--client=/nonexistent/client", "h", NULL};
	char err[ERR_LEN];

	parse(3, argv);
	CHECK_EQ_INT(clientcmd_exec(&o, 3, argv, "127.0.0.1", "1", "k", err), ERR_IO);
	CHECK(strstr(err, "cannot run /nonexistent/client") != NULL);
}

int main(void)
{
	RUN(colour_output_rules);
	RUN(colours_from_a_client);
	RUN(client_environment);
	RUN(scrollback_option_sets_the_client_variable);
	RUN(client_argv);
	RUN(client_argv_forwards);
	RUN(exec_failure_is_reported);
	opts_fini(&o);
	return test_done();
}
