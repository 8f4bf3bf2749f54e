/*
 * The local mosh-client, before and after the bootstrap.
 *
 * Before: `<client> -c` reports how many colours the terminal has (terminfo
 * "colors" of $TERM); the server needs it to pick TERM for the shell. Output
 * that is not a plain decimal number (after one trailing newline), such as
 * "-1" for a terminal without colours, counts as 0.
 *
 * After: the launcher becomes the client (exec, same PID as MOSH_CLIENT_PID).
 * The session key travels only in the environment (MOSH_KEY), never on argv
 * where `ps` would show it; the environment array holding it is wiped if the
 * exec fails. argv is "<client> '-# <our arguments> |' [-A] [-L SPEC]...
 * [-R SPEC]... <ip> <port>": the -# argument is ignored by the client and only
 * makes `ps` show how the session was started; the forwardings are passed on
 * in their canonical form (fwdspec_format), checked already.
 */
#ifndef MOSHC_LAUNCHER_CLIENTCMD_H
#define MOSHC_LAUNCHER_CLIENTCMD_H

#include <stddef.h>

#include "launcher/opts.h"
#include "launcher/strv.h"

#define CLIENTCMD_COLORS_LEN 16

/* The colour count from `client -c` output: decimal digits, or "0". */
void clientcmd_parse_colors(const char *out, size_t n, char colors[CLIENTCMD_COLORS_LEN]);

/* Run `client -c`; 0 with colors set, or ERR_IO with err filled. */
int clientcmd_colors(const char *client, char colors[CLIENTCMD_COLORS_LEN], char *err);

/*
 * The client's environment: base without MOSH_KEY and MOSH_PREDICTION_DISPLAY,
 * then MOSH_KEY=key, MOSH_PREDICTION_DISPLAY=<mode>; -o adds
 * MOSH_PREDICTION_OVERWRITE=yes and --no-predict-overwrite removes it;
 * --no-init adds MOSH_NO_TERM_INIT=1 and --init removes it; likewise
 * --no-scrollback and --scrollback with MOSH_NO_SCROLLBACK. Without either
 * option the inherited value, if any, is kept.
 */
void clientcmd_env(struct strv *env, char *const *base, const struct opts *o, const char *key);

/* "<client>", "-# <args joined by spaces> |", the forwarding options, ip, port. */
void clientcmd_argv(struct strv *out, const struct opts *o, int argc, char **argv, const char *ip,
                    const char *port);

/* Exec the client; returns only on failure, with ERR_IO and err filled. */
int clientcmd_exec(const struct opts *o, int argc, char **argv, const char *ip, const char *port,
                   const char *key, char *err);

#endif
