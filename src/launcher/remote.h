/*
 * What the launcher asks the remote side to run, and the ssh command line
 * that carries it.
 *
 * The server command line is "<server> 'new' '-c' '<colors>' <bind>
 * ['-p' '<port>'] ['-l' 'NAME=VALUE']... ['--' '<word>'...]" ("'attach'
 * ['<ID|NAME>']" instead of "'new'" with --attach): the --server
 * string is pasted unquoted (so "env X=1 mosh-server" works), every word after
 * it is single-quoted, so the remote shell hands mosh-server exactly these
 * bytes. <bind> is '-s' (ssh), nothing (any) or '-i' '<ip>'. Each locale
 * variable set here (LANG, LANGUAGE, LC_*) is forwarded with -l so the server
 * can fall back to it when the remote environment has no UTF-8 locale.
 * With -A, `new` also gets '-l' 'MOSH_FORWARD_AGENT=1' after them: a mosh-c
 * server takes it as "export SSH_AUTH_SOCK to the shell", a mosh 1.4 server
 * just puts it in the shell's environment (an attached session keeps the
 * environment it started with, so attach does not get it).
 *
 * In remote-ip mode the command is prefixed by a small sh invocation that
 * prints "MOSH SSH_CONNECTION <value>" when that variable is set.
 *
 * Environments are passed in ("NAME=VALUE" arrays, first match wins) so the
 * output depends only on the arguments.
 */
#ifndef MOSHC_LAUNCHER_REMOTE_H
#define MOSHC_LAUNCHER_REMOTE_H

#include "launcher/opts.h"
#include "launcher/strv.h"

/* The value of name in env, or NULL. */
const char *remote_env_get(char *const *env, const char *name);

/* The words after the server string ("new" or "attach", "-c", ...), unquoted. */
void remote_server_args(struct strv *out, const struct opts *o, const char *colors,
                        char *const *env);

/* The whole remote command line, as one string (free()). */
char *remote_command(const struct opts *o, const char *colors, char *const *env);

/*
 * The ssh argv: the --ssh words, -n, -tt (unless --no-ssh-pty), -4/-6 (remote
 * mode with inet/inet6), the ProxyCommand options naming self_exe (proxy
 * mode), userhost, "--", command.
 */
void remote_ssh_argv(struct strv *out, const struct opts *o, const char *self_exe,
                     const char *userhost, const char *command);

#endif
