/* util/locale_check: the UTF-8 requirement and the server's -l fallback, in child processes. */
#include "../test.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/locale_check.h"

enum which { CLIENT, SERVER };

static struct buf output;

/*
 * Run the check in a child with exactly the environment env (NULL-terminated
 * NAME=VALUE list); its stdout and stderr are collected in output. Returns the
 * exit status: 0 when the check passed and the child's codeset is UTF-8.
 */
static int run_check(enum which w, char *const *env, char *const *assign, size_t n)
{
	int p[2];
	pid_t pid;
	int status;
	char chunk[4096];
	ssize_t got;

	buf_clear(&output);
	if (pipe(p) < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int rc;

		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		clearenv();
		setenv("PATH", "/usr/bin:/bin", 1);
		for (char *const *e = env; *e != NULL; e++)
			putenv(*e);
		rc = w == CLIENT ? locale_require_utf8_client(stderr)
		                 : locale_require_utf8_server(assign, n, stderr);
		if (rc == 0 && strcmp(locale_charset(), "UTF-8") != 0)
			rc = 2;
		fflush(NULL);
		_exit(rc == 0 ? 0 : 1);
	}
	close(p[1]);
	while ((got = read(p[0], chunk, sizeof chunk)) > 0)
		buf_append(&output, chunk, (size_t)got);
	close(p[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#define TEXT ((const char *)output.data)

TEST(utf8_environment_passes)
{
	CHECK_EQ_INT(run_check(CLIENT, (char *[]){"LANG=C.UTF-8", NULL}, NULL, 0), 0);
	CHECK_EQ_INT(output.len, 0);
	CHECK_EQ_INT(run_check(SERVER, (char *[]){"LC_ALL=C.UTF-8", "LANG=C", NULL}, NULL, 0), 0);
	CHECK_EQ_INT(output.len, 0);
}

TEST(client_refuses_ascii_and_names_the_fix)
{
	CHECK_EQ_INT(run_check(CLIENT, (char *[]){"LANG=C", NULL}, NULL, 0), 1);
	CHECK(strstr(TEXT, "mosh-client needs a UTF-8 native locale to run.\n\n"
	                   "Unfortunately, the client's environment (LANG=C) specifies\n"
	                   "the character set \"US-ASCII\".\n") != NULL);
	CHECK(strstr(TEXT, "set LANG=C.UTF-8") != NULL);
	/* locale(1)'s report follows */
	CHECK(strstr(TEXT, "LC_CTYPE=\"C\"") != NULL);
}

TEST(server_refuses_without_usable_assignment)
{
	CHECK_EQ_INT(run_check(SERVER, (char *[]){"LANG=C", "LC_CTYPE=POSIX", NULL},
	                       (char *[]){"LC_ALL=POSIX"}, 1),
	             1);
	CHECK(strstr(TEXT, "mosh-server needs a UTF-8 native locale to run.\n\n"
	                   "Unfortunately, the local environment (LC_CTYPE=POSIX) specifies\n"
	                   "the character set \"US-ASCII\",\n\n"
	                   "The client-supplied environment (LC_ALL=POSIX) specifies\n"
	                   "the character set \"US-ASCII\".\n") != NULL);
	CHECK(strstr(TEXT, "set LANG=C.UTF-8") != NULL);
	CHECK(strstr(TEXT, "LC_ALL=POSIX\n") != NULL); /* from locale(1) */

	CHECK_EQ_INT(run_check(SERVER, (char *[]){"LANG=C", NULL}, NULL, 0), 1);
	CHECK(strstr(TEXT, "The client-supplied environment ([no charset variables])") != NULL);
}

TEST(server_falls_back_to_client_locale)
{
	CHECK_EQ_INT(run_check(SERVER, (char *[]){"LANG=C", "LC_ALL=POSIX", "LANGUAGE=fr", NULL},
	                       (char *[]){"LANG=C.UTF-8"}, 1),
	             0);
	CHECK_EQ_INT(output.len, 0);
	/* malformed assignments are skipped, later ones still apply */
	CHECK_EQ_INT(run_check(SERVER, (char *[]){"LANG=C", NULL},
	                       (char *[]){"NOEQUALS", "=x", "LC_CTYPE=C.UTF-8"}, 3),
	             0);
}

TEST(missing_locale_is_explained)
{
	CHECK_EQ_INT(run_check(CLIENT, (char *[]){"LANG=xx_YY.UTF-8", NULL}, NULL, 0), 1);
	CHECK(strstr(TEXT, "The locale requested by LANG=xx_YY.UTF-8 isn't available here.") !=
	      NULL);
}

TEST(clear_env_removes_only_locale_variables)
{
	char desc[64];

	setenv("LANG", "C", 1);
	setenv("LANGUAGE", "de", 1);
	setenv("LC_ALL", "C", 1);
	setenv("LC_PAPER", "C", 1);
	setenv("LANGX", "keep", 1);
	setenv("XLC_ALL", "keep", 1);
	locale_clear_env();
	CHECK(getenv("LANG") == NULL);
	CHECK(getenv("LANGUAGE") == NULL);
	CHECK(getenv("LC_ALL") == NULL);
	CHECK(getenv("LC_PAPER") == NULL);
	CHECK_EQ_STR(getenv("LANGX"), "keep");
	CHECK_EQ_STR(getenv("XLC_ALL"), "keep");
	locale_describe_env(desc, sizeof desc);
	CHECK_EQ_STR(desc, "[no charset variables]");
	CHECK_EQ_INT(locale_apply_assignments((char *[]){"LC_CTYPE=C.UTF-8", "bad"}, 2), 1);
	locale_describe_env(desc, sizeof desc);
	CHECK_EQ_STR(desc, "LC_CTYPE=C.UTF-8");
}

int main(void)
{
	buf_init(&output);
	RUN(utf8_environment_passes);
	RUN(client_refuses_ascii_and_names_the_fix);
	RUN(server_refuses_without_usable_assignment);
	RUN(server_falls_back_to_client_locale);
	RUN(missing_locale_is_explained);
	RUN(clear_env_removes_only_locale_variables);
	buf_fini(&output);
	return test_done();
}
