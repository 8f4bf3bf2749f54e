/*
 * mosh-client's command line and environment (doc/PROTOCOL.md 9.3, 7.1, 7.8,
 * 7.9, 10).
 *
 * Command line: mosh-client [-v...] [-# ARGS] [-A] [-L SPEC]... [-R SPEC]...
 * IP PORT | -c | --help | --version
 * --help and --version are found anywhere in argv first. Options are parsed
 * getopt-style (clusters, attached arguments, options may follow the
 * operands); an unknown option or a missing argument is fatal (usage, exit 1),
 * as is an operand count other than two, a PORT that is not 1..65535 in
 * decimal digits, or an IP that is not a numeric IPv4/IPv6 address.
 * -A (forward the agent), -L and -R (ssh's forwarding syntax, chan/fwdspec.h;
 * at most CLIOPTS_FWD_MAX of each) are ours: a bad spec is fatal too. The
 * usage text stays mosh 1.4's.
 *
 * Environment: MOSH_KEY is required and removed from the environment as soon
 * as it is read (a child process must never see it); the copy lives in
 * struct clienv until clienv_fini() wipes it.
 */
#ifndef MOSHC_CLIENT_CLIOPTS_H
#define MOSHC_CLIENT_CLIOPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "chan/fwdspec.h"
#include "util/err.h"

enum cliopts_action {
	CLIOPTS_RUN,     /* start a session */
	CLIOPTS_HELP,    /* banner and usage were printed on out: exit 0 */
	CLIOPTS_VERSION, /* banner was printed on out: exit 0 */
	CLIOPTS_COLORS,  /* -c: the caller runs cliopts_print_colors() and exits with its status */
	CLIOPTS_FAIL,    /* complaint and usage went to diag: exit 1 */
};

#define CLIOPTS_FWD_MAX 16

struct cliopts {
	int verbose; /* number of -v */
	char *ip;    /* numeric address, as given */
	int family;  /* AF_INET or AF_INET6, from ip */
	uint16_t port;
	bool forward_agent;                    /* -A */
	struct fwdspec local[CLIOPTS_FWD_MAX]; /* -L, in order */
	size_t n_local;
	struct fwdspec remote[CLIOPTS_FWD_MAX]; /* -R, in order */
	size_t n_remote;
};

/* Anything but CLIOPTS_RUN leaves o holding nothing; cliopts_fini is safe in every case. */
enum cliopts_action cliopts_parse(struct cliopts *o, int argc, char *const *argv, const char *prog,
                                  FILE *out, FILE *diag);
void cliopts_fini(struct cliopts *o);

void cliopts_version(FILE *f);
/* The banner, a blank line and the two usage lines, as mosh prints them. */
void cliopts_usage(FILE *f, const char *prog);

/*
 * -c: print the number of colours terminfo gives for $TERM ("256", "8",
 * "-1" when the entry has none) on out and return 0; without TERM or with
 * an unknown terminal, explain on diag and return 1 (the exit status).
 */
int cliopts_print_colors(FILE *out, FILE *diag);

enum cli_predict {
	CLI_PREDICT_ADAPTIVE,
	CLI_PREDICT_ALWAYS,
	CLI_PREDICT_NEVER,
	CLI_PREDICT_EXPERIMENTAL,
};

#define CLIENV_KEY_MAX 64

struct clienv {
	char key[CLIENV_KEY_MAX + 1]; /* MOSH_KEY (format checked later, by crypto) */
	enum cli_predict predict;     /* MOSH_PREDICTION_DISPLAY, default adaptive */
	bool predict_overwrite;       /* MOSH_PREDICTION_OVERWRITE=yes */
	bool title_noprefix;          /* MOSH_TITLE_NOPREFIX set (any value) */
	bool no_term_init;            /* MOSH_NO_TERM_INIT set (any value) */
	bool no_scrollback;           /* MOSH_NO_SCROLLBACK set (any value): mosh 1.4's screen */
	bool escape_key_set;          /* MOSH_ESCAPE_KEY present ... */
	char escape_key[8]; /* ... with this value (longer ones are cut, still "invalid") */
};

/*
 * Read the environment. Errors (err filled, exit 1): "MOSH_KEY environment
 * variable not found: ..." naming where the key comes from (ERR_NOTFOUND), a
 * key longer than CLIENV_KEY_MAX (ERR_RANGE), "Unknown prediction mode X." (ERR_INVAL). MOSH_KEY is
 * unset whenever it was present, even on error.
 */
int clienv_read(struct clienv *e, char err[ERR_LEN]);
/* Wipe the key. */
void clienv_fini(struct clienv *e);

#endif
