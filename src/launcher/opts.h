/*
 * The mosh command line: parsing and validation, nothing else.
 *
 * The syntax follows Perl's Getopt::Long as mosh 1.4 configures it, so every
 * command line that worked with the Perl launcher means the same here:
 *   - options and operands may be interleaved ("mosh host -a" predicts always);
 *     "--" ends the options, everything after it is host and command;
 *   - "-x" and "--x" are the same option; long names may be abbreviated to any
 *     unique prefix and are matched without regard to case;
 *   - a value is given as --opt=value or as the next argument (taken whatever
 *     it looks like, even "-a" or "--");
 *   - boolean options accept --no-NAME and --noNAME;
 *   - single-letter options do not bundle: "-an" is an unknown option "an";
 *   - the forwarding options -A, -L and -R (ours, after ssh) match only
 *     exactly, with their case: "-a" still predicts always and "-l" still
 *     abbreviates --local, as in mosh 1.4 (hence no long names for -L and
 *     -R: --local-forward would make "--loc" and "-l" ambiguous);
 *   - --attach (ours, not mosh 1.4's) takes its optional value only as
 *     --attach=ID, so "mosh --attach host" means host.
 * Values are then checked (prediction mode, family, port range, bind address,
 * remote-ip method, --ssh words, forwarding specs) before anything runs.
 *
 * The parsed struct borrows strings from argv (which must outlive it) and owns
 * the ssh word list and the command list.
 */
#ifndef MOSHC_LAUNCHER_OPTS_H
#define MOSHC_LAUNCHER_OPTS_H

#include <stdbool.h>

#include "chan/fwdspec.h"
#include "launcher/resolve.h"
#include "launcher/strv.h"

enum opts_bind {
	OPTS_BIND_SSH, /* server binds to the address ssh reached it on (-s) */
	OPTS_BIND_ANY, /* server picks (no bind option) */
	OPTS_BIND_IP,  /* -i bind_ip */
};

enum opts_remote_ip {
	OPTS_RIP_PROXY,  /* learn the server IP from our own ssh ProxyCommand */
	OPTS_RIP_LOCAL,  /* resolve the host here and ssh to the numeric address */
	OPTS_RIP_REMOTE, /* ask the server for $SSH_CONNECTION */
};

/* A tri-state for the negatable options whose default is "leave the environment alone". */
enum opts_tri {
	OPTS_UNSET = 0,
	OPTS_YES,
	OPTS_NO,
};

/* How many -L and how many -R a session may ask for. */
#define OPTS_FWD_MAX 16

struct opts {
	const char *client;  /* default "mosh-client" */
	const char *server;  /* default "mosh-server"; pasted unquoted into the remote command */
	bool client_given;   /* --client was on the command line */
	bool server_given;   /* --server was on the command line */
	const char *predict; /* adaptive | always | never | experimental */
	enum opts_tri overwrite; /* -o / --no-predict-overwrite */
	const char *port;        /* NULL, or a validated "N" / "LOW:HIGH", verbatim */
	bool port_is_range;
	enum resolve_family family; /* default prefer-inet */
	struct strv ssh;            /* default {"ssh"} */
	bool ssh_pty;               /* default true */
	enum opts_tri init;         /* --init / --no-init */
	enum opts_tri scrollback;   /* --scrollback / --no-scrollback */
	bool local;
	bool fake_proxy;
	enum opts_bind bind;
	const char *bind_ip; /* for OPTS_BIND_IP, and for --local's default */
	enum opts_remote_ip remote_ip;
	const char *userhost;      /* [user@]host; for --fake-proxy the host */
	const char *proxy_port;    /* --fake-proxy only */
	struct strv command;       /* remote command words, possibly empty */
	bool attach;               /* --attach: run "<server> attach" instead of "new" */
	const char *attach_target; /* --attach=ID|NAME; NULL: the only detached session */
	bool forward_agent;        /* -A / --forward-agent */
	struct fwdspec local_fwd[OPTS_FWD_MAX]; /* -L, in order, checked */
	size_t n_local_fwd;
	struct fwdspec remote_fwd[OPTS_FWD_MAX]; /* -R, in order, checked */
	size_t n_remote_fwd;

	/* The raw values as given, kept for the checks after parsing. */
	const char *family_spec;
	const char *bind_spec;
	const char *remote_ip_spec;
	const char *local_spec[OPTS_FWD_MAX];
	size_t n_local_spec; /* may exceed OPTS_FWD_MAX: the check after parsing refuses it */
	const char *remote_spec[OPTS_FWD_MAX];
	size_t n_remote_spec;
};

enum {
	OPTS_RUN = 0,
	OPTS_HELP = 1,
	OPTS_VERSION = 2,
};

/*
 * Parse argv (argv[0] is the program). env_predict is the value of
 * MOSH_PREDICTION_DISPLAY or NULL. Returns OPTS_RUN, OPTS_HELP, OPTS_VERSION,
 * or ERR_INVAL with err filled and *show_usage telling whether the usage text
 * should follow the message. o must be released with opts_fini in every case.
 */
int opts_parse(struct opts *o, int argc, char **argv, const char *env_predict, char *err,
               bool *show_usage);
void opts_fini(struct opts *o);

/* The usage text (for --help on stdout and after syntax errors on stderr). */
const char *opts_usage(void);

#endif
