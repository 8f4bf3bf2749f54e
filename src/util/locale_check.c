/* The UTF-8 locale check and the server's fallback; see locale_check.h. */
#include "util/locale_check.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "util/err.h"
#include "util/xmalloc.h"

extern char **environ;

/* Whether the last setlocale(LC_ALL, "") found every requested locale. */
static bool locale_available = true;

bool locale_adopt(void)
{
	locale_available = setlocale(LC_ALL, "") != NULL;
	return strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
}

const char *locale_charset(void)
{
	const char *cs = nl_langinfo(CODESET);

	/* glibc's name for ASCII is the standard's, not the one people know. */
	if (strcmp(cs, "ANSI_X3.4-1968") == 0)
		return "US-ASCII";
	return cs;
}

void locale_describe_env(char *out, size_t outlen)
{
	static const char *const order[] = {"LC_ALL", "LC_CTYPE", "LANG"};

	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		const char *v = getenv(order[i]);

		if (v != NULL && v[0] != '\0') {
			snprintf(out, outlen, "%s=%s", order[i], v);
			return;
		}
	}
	snprintf(out, outlen, "[no charset variables]");
}

static bool is_locale_var(const char *entry)
{
	size_t name_len = strcspn(entry, "=");

	if (name_len == 4 && strncmp(entry, "LANG", 4) == 0)
		return true;
	if (name_len == 8 && strncmp(entry, "LANGUAGE", 8) == 0)
		return true;
	return strncmp(entry, "LC_", 3) == 0;
}

void locale_clear_env(void)
{
	/* Collect first: unsetenv() reshuffles environ under our feet. */
	size_t n = 0;
	char **names;

	for (char **e = environ; *e != NULL; e++)
		n++;
	names = xcalloc(n + 1, sizeof *names);
	n = 0;
	for (char **e = environ; *e != NULL; e++) {
		if (is_locale_var(*e))
			names[n++] = xstrndup(*e, strcspn(*e, "="));
	}
	for (size_t i = 0; i < n; i++) {
		unsetenv(names[i]);
		free(names[i]);
	}
	free(names);
}

size_t locale_apply_assignments(char *const *assign, size_t n)
{
	size_t applied = 0;

	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(assign[i], '=');
		char *name;

		if (eq == NULL || eq == assign[i])
			continue;
		name = xstrndup(assign[i], (size_t)(eq - assign[i]));
		if (setenv(name, eq + 1, 1) == 0)
			applied++;
		free(name);
	}
	return applied;
}

/* locale(1) shows the person every variable in effect, on standard output. */
static void run_locale_program(FILE *diag)
{
	char *argv[] = {"locale", NULL};
	pid_t pid;
	int status;

	fflush(diag);
	fflush(stdout);
	if (posix_spawnp(&pid, "locale", NULL, NULL, argv, environ) != 0)
		return;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			break;
	}
}

static void explain_unavailable(FILE *diag)
{
	char desc[256];

	if (locale_available)
		return;
	locale_describe_env(desc, sizeof desc);
	fprintf(diag,
	        "The locale requested by %s isn't available here.\n"
	        "Running `locale-gen' for it (or installing the locales package) may be "
	        "necessary.\n\n",
	        desc);
}

static void explain_fix(FILE *diag)
{
	fprintf(diag, "To fix this, set LANG=C.UTF-8 (or another UTF-8 locale listed by "
	              "`locale -a`) in the environment.\n\n");
}

int locale_require_utf8_client(FILE *diag)
{
	char desc[256];

	if (locale_adopt())
		return 0;
	locale_describe_env(desc, sizeof desc);
	fprintf(diag,
	        "mosh-client needs a UTF-8 native locale to run.\n\n"
	        "Unfortunately, the client's environment (%s) specifies\n"
	        "the character set \"%s\".\n\n",
	        desc, locale_charset());
	explain_unavailable(diag);
	explain_fix(diag);
	run_locale_program(diag);
	return ERR_UNSUPP;
}

int locale_require_utf8_server(char *const *assign, size_t n, FILE *diag)
{
	char local_desc[256], client_desc[256];
	char *local_charset;

	if (locale_adopt())
		return 0;
	locale_describe_env(local_desc, sizeof local_desc);
	local_charset = xstrdup(locale_charset());

	locale_clear_env();
	locale_apply_assignments(assign, n);
	if (locale_adopt()) {
		free(local_charset);
		return 0;
	}
	locale_describe_env(client_desc, sizeof client_desc);
	fprintf(diag,
	        "mosh-server needs a UTF-8 native locale to run.\n\n"
	        "Unfortunately, the local environment (%s) specifies\n"
	        "the character set \"%s\",\n\n"
	        "The client-supplied environment (%s) specifies\n"
	        "the character set \"%s\".\n\n",
	        local_desc, local_charset, client_desc, locale_charset());
	free(local_charset);
	explain_unavailable(diag);
	explain_fix(diag);
	run_locale_program(diag);
	return ERR_UNSUPP;
}
