/*
 * mosh-server's command line and environment settings (doc/PROTOCOL.md 9.2).
 *
 * Grammar:
 *   mosh-server new [-s] [-v...] [-i IP] [-p PORT[:PORT2]] [-c COLORS]
 *                   [-l NAME=VALUE]... [-@ ARG] [--name NAME] [-- COMMAND...]
 *   mosh-server [IP [PORT]]                       (legacy)
 * The whole argv is scanned first for --help/-h and --version (which win
 * wherever they are, up to the first "--") and for the first "--", after
 * which everything is the command. Options after "new" are parsed
 * getopt-style: options may be clustered (-sv), an argument may be attached
 * (-p60001) or separate, non-option words are skipped (ignored, as mosh
 * does), an unknown option or a missing argument prints a complaint and the
 * usage on stderr and parsing continues. -l takes a locale variable, or
 * exactly SRVOPTS_FORWARD_AGENT: what the launcher's -A sends (mosh 1.4's
 * server puts it in the shell's environment; ours sets forward_agent and
 * leaves it out of the locale list). A bad port range or colour count
 * is fatal (exit status 1), and so is a missing or unacceptable --name
 * (ctl_name_check). The verbs list, attach and kill are not parsed here
 * (server/admin.h).
 *
 * srvopts owns copies of everything it keeps, so argv and the environment
 * may change afterwards (the locale fallback rewrites the environment).
 */
#ifndef MOSHC_SERVER_OPTS_H
#define MOSHC_SERVER_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/err.h"

/* The -l assignment that asks for agent forwarding. */
#define SRVOPTS_FORWARD_AGENT "MOSH_FORWARD_AGENT=1"

enum srvopts_action {
	SRVOPTS_RUN,     /* start a session */
	SRVOPTS_HELP,    /* usage was printed on stdout: exit 0 */
	SRVOPTS_VERSION, /* version was printed on stdout: exit 0 */
	SRVOPTS_FAIL,    /* a complaint and the usage went to stderr: exit 1 */
};

struct srvopts {
	int verbose;       /* number of -v */
	char *bind_ip;     /* NULL: any interface */
	char *port_spec;   /* as given to -p or the legacy PORT; NULL: default range */
	uint16_t port_low; /* the range parsed from port_spec (both 0 without one) */
	uint16_t port_high;
	int colors;           /* -c; 0 when not given */
	char **locale_assign; /* -l NAME=VALUE, in order */
	size_t n_locale_assign;
	char *name;         /* --name, checked with ctl_name_check; NULL: none */
	size_t scrollback;  /* --scrollback: history lines kept for mosh-c clients */
	bool forward_agent; /* -l MOSH_FORWARD_AGENT=1: export SSH_AUTH_SOCK to the shell */
	char **command;     /* NULL-terminated argv after "--"; NULL: login shell */
	size_t n_command;
};

/*
 * Parse argv. ssh_connection is the value of SSH_CONNECTION (or NULL), used
 * by -s. Help and version text go to out, complaints and usage to diag; prog
 * names the program in the usage line. Returns what the caller should do;
 * with SRVOPTS_RUN the struct is filled and must be released with
 * srvopts_fini() (it is always safe to call).
 */
enum srvopts_action srvopts_parse(struct srvopts *o, int argc, char *const *argv,
                                  const char *ssh_connection, const char *prog, FILE *out,
                                  FILE *diag);
void srvopts_fini(struct srvopts *o);

/* The usage line after a complaint, exactly mosh's: "Usage: PROG new [-s] [-v] ..." */
void srvopts_usage(FILE *f, const char *prog);
/* The usage --help prints: new with every option, then the verbs list, attach and kill. */
void srvopts_help(FILE *f, const char *prog);
/* The version banner (program, version, copyright, licence), as --version prints it. */
void srvopts_version(FILE *f);

/*
 * Parse "PORT" or "LOW:HIGH" (decimal, 0..65535; a range needs LOW != 0 and
 * LOW <= HIGH). A single PORT gives low == high; 0 means "any port". On
 * failure err names the problem the way mosh does and ERR_RANGE/ERR_INVAL is
 * returned.
 */
int srvopts_parse_port_range(const char *spec, uint16_t *low, uint16_t *high, char err[ERR_LEN]);

/*
 * The bind address that -s takes from SSH_CONNECTION ("client-ip client-port
 * server-ip server-port"): its third word, with an IPv4-mapped "::ffff:"
 * prefix removed. NULL (after a warning on diag) when the variable is missing
 * or has fewer than three words: the caller binds to any interface. The
 * result is allocated.
 */
char *srvopts_ssh_ip(const char *ssh_connection, FILE *diag);

/* TERM for the child: "xterm-256color" iff colors is exactly 256, else "xterm". */
const char *srvopts_term(const struct srvopts *o);

/*
 * A timeout variable (MOSH_SERVER_NETWORK_TMOUT, MOSH_SERVER_SIGNAL_TMOUT):
 * decimal seconds. Unset, empty or 0 gives 0 (disabled); a non-number or a
 * negative number is reported on diag and ignored (0).
 */
uint64_t srvopts_timeout_secs(const char *name, const char *value, FILE *diag);

#endif
