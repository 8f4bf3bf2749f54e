/*
 * The UTF-8 locale requirement shared by mosh-server and mosh-client.
 *
 * Both programs adopt the locale of their environment (setlocale(LC_ALL, ""))
 * and refuse to run unless its character set is UTF-8: the terminal state is
 * UTF-8 on the wire, and the pty's line discipline (IUTF8) and the shell must
 * agree with it. The server has a second chance: it may have been started by
 * ssh with a locale the client forwarded that does not exist here, so it
 * clears every locale variable, applies the client's `-l NAME=VALUE`
 * assignments and tries again.
 *
 * On failure the functions write a diagnostic that names the fix to `diag`
 * and run locale(1) with its output on standard output, as mosh does; the
 * caller then exits 1.
 */
#ifndef MOSHC_UTIL_LOCALE_CHECK_H
#define MOSHC_UTIL_LOCALE_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* setlocale(LC_ALL, "") and report whether the resulting codeset is UTF-8. */
bool locale_adopt(void);

/* The current LC_CTYPE codeset as a person knows it ("UTF-8", "US-ASCII"). */
const char *locale_charset(void);

/*
 * The variable that decides the character set, as "NAME=VALUE" (the first set
 * and non-empty of LC_ALL, LC_CTYPE, LANG), or "[no charset variables]".
 */
void locale_describe_env(char *out, size_t outlen);

/* Remove LANG, LANGUAGE and every LC_* variable from the environment. */
void locale_clear_env(void);

/*
 * Apply NAME=VALUE assignments to the environment. An entry without '=' or
 * with an empty name is skipped (mosh accepts and ignores it); returns the
 * number applied.
 */
size_t locale_apply_assignments(char *const *assign, size_t n);

/*
 * mosh-client: adopt the environment's locale; 0 if UTF-8, otherwise write the
 * diagnostic to diag, run locale(1) and return ERR_UNSUPP.
 */
int locale_require_utf8_client(FILE *diag);

/*
 * mosh-server: adopt the environment's locale; if it is not UTF-8, clear the
 * locale variables, apply the client's assignments and retry. 0 on success,
 * otherwise the diagnostic (naming both environments) goes to diag, locale(1)
 * runs and ERR_UNSUPP is returned.
 */
int locale_require_utf8_server(char *const *assign, size_t n, FILE *diag);

#endif
