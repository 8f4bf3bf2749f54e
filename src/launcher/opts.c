/*
 * Command-line parsing for mosh; see opts.h for the syntax model.
 *
 * The option table lists each spelling once; negatable options also answer to
 * no-NAME and noNAME. A given name matches a spelling exactly (ignoring case)
 * or, failing that, as the unique prefix of one spelling. Operands are
 * gathered in order while options are processed, so interleaving is allowed.
 */
#include "launcher/opts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "launcher/shell.h"
#include "util/err.h"
#include "util/xmalloc.h"

enum opt_id {
	O_CLIENT,
	O_SERVER,
	O_PREDICT,
	O_OVERWRITE,
	O_PORT,
	O_ALWAYS,
	O_NEVER,
	O_FAMILY,
	O_INET,
	O_INET6,
	O_SSH,
	O_SSH_PTY,
	O_INIT,
	O_LOCAL,
	O_HELP,
	O_VERSION,
	O_FAKE_PROXY,
	O_BIND,
	O_REMOTE_IP,
	O_ATTACH,
	O_SCROLLBACK,
	O_AGENT,
	O_LOCAL_FWD,
	O_REMOTE_FWD,
};

enum opt_kind {
	K_FLAG,  /* no value */
	K_BOOL,  /* no value, negatable */
	K_VALUE, /* mandatory value */
	K_OPT,   /* optional value, only as --opt=value */
};

struct optdef {
	const char *name;
	enum opt_id id;
	enum opt_kind kind;
};

static const struct optdef defs[] = {
    {"client", O_CLIENT, K_VALUE},
    {"server", O_SERVER, K_VALUE},
    {"predict", O_PREDICT, K_VALUE},
    {"predict-overwrite", O_OVERWRITE, K_BOOL},
    {"o", O_OVERWRITE, K_BOOL},
    {"port", O_PORT, K_VALUE},
    {"p", O_PORT, K_VALUE},
    {"a", O_ALWAYS, K_FLAG},
    {"n", O_NEVER, K_FLAG},
    {"family", O_FAMILY, K_VALUE},
    {"4", O_INET, K_FLAG},
    {"6", O_INET6, K_FLAG},
    {"ssh", O_SSH, K_VALUE},
    {"ssh-pty", O_SSH_PTY, K_BOOL},
    {"init", O_INIT, K_BOOL},
    {"local", O_LOCAL, K_FLAG},
    {"help", O_HELP, K_FLAG},
    {"version", O_VERSION, K_FLAG},
    {"fake-proxy", O_FAKE_PROXY, K_BOOL},
    {"bind-server", O_BIND, K_VALUE},
    {"experimental-remote-ip", O_REMOTE_IP, K_VALUE},
    {"attach", O_ATTACH, K_OPT},
    {"scrollback", O_SCROLLBACK, K_BOOL},
    {"A", O_AGENT, K_FLAG},
    {"forward-agent", O_AGENT, K_BOOL},
    {"L", O_LOCAL_FWD, K_VALUE},
    {"R", O_REMOTE_FWD, K_VALUE},
};

#define NDEFS (sizeof defs / sizeof defs[0])
#define MAX_SPELLINGS (NDEFS * 3)
#define SPELLING_LEN 40

struct spelling {
	char name[SPELLING_LEN];
	const struct optdef *def;
	bool negated;
};

static const char usage_text[] =
    "Usage: mosh [options] [--] [user@]host [command...]\n"
    "        --client=PATH        the mosh client to run here (default: mosh-client)\n"
    "        --server=COMMAND     the command that starts the server on the remote host\n"
    "                             (default: mosh-server)\n"
    "\n"
    "        --predict=adaptive     echo keystrokes locally when the link is slow "
    "[default]\n"
    "-a      --predict=always       always echo keystrokes locally\n"
    "-n      --predict=never        never echo keystrokes locally\n"
    "        --predict=experimental echo locally even when unsure\n"
    "-o      --predict-overwrite    predicted text overwrites instead of inserting\n"
    "\n"
    "-4      --family=inet        IPv4 only\n"
    "-6      --family=inet6       IPv6 only\n"
    "        --family=auto        whichever family the host has (error if both)\n"
    "        --family=all         every address, in the resolver's order\n"
    "        --family=prefer-inet every address, IPv4 first [default]\n"
    "        --family=prefer-inet6 every address, IPv6 first\n"
    "-p PORT[:HIGH]\n"
    "        --port=PORT[:HIGH]   the server's UDP port or port range\n"
    "                             (default: a free port in 60001:60999)\n"
    "                             (the ssh port is set with --ssh)\n"
    "        --bind-server={ssh|any|IP}  the address the server answers from\n"
    "                             (default: ssh, the address ssh reached)\n"
    "\n"
    "        --ssh=COMMAND        the ssh command, split into words like a shell\n"
    "                             (default: ssh; example: \"ssh -p 2222\")\n"
    "        --no-ssh-pty         do not ask ssh for a remote pseudo-terminal\n"
    "        --no-init            do not switch to the alternate screen\n"
    "        --local              start the server on this machine, without ssh\n"
    "                             (host must then be a numeric IP address)\n"
    "        --experimental-remote-ip={proxy|local|remote}\n"
    "                             how the server's address is found (default: proxy)\n"
    "        --attach[=ID|NAME]   join a running mosh-c session (mosh-server attach)\n"
    "                             instead of starting one; without ID|NAME, the only\n"
    "                             detached one (no command may be given)\n"
    "        --no-scrollback      keep output in the session's screen, as mosh 1.4\n"
    "                             (default: the terminal's own scrollback, with a\n"
    "                             mosh-c server)\n"
    "\n"
    "-A      --forward-agent      forward the ssh agent (list keys and sign only)\n"
    "-L [BIND:]PORT:HOST:HOSTPORT connections to PORT here go to HOST:HOSTPORT\n"
    "                             as the server reaches it (as ssh -L; up to 16)\n"
    "-R [BIND:]PORT:HOST:HOSTPORT connections to PORT on the server go to\n"
    "                             HOST:HOSTPORT as reached from here (ssh -R; up to 16)\n"
    "                             (forwarding needs a mosh-c server; BIND defaults\n"
    "                             to loopback, \"*\" is every address)\n"
    "\n"
    "        --help               this text\n"
    "        --version            version and licence\n";

const char *opts_usage(void)
{
	return usage_text;
}

static size_t build_spellings(struct spelling *sp)
{
	size_t n = 0;

	for (size_t i = 0; i < NDEFS; i++) {
		snprintf(sp[n].name, SPELLING_LEN, "%s", defs[i].name);
		sp[n].def = &defs[i];
		sp[n++].negated = false;
		if (defs[i].kind != K_BOOL)
			continue;
		snprintf(sp[n].name, SPELLING_LEN, "no-%s", defs[i].name);
		sp[n].def = &defs[i];
		sp[n++].negated = true;
		snprintf(sp[n].name, SPELLING_LEN, "no%s", defs[i].name);
		sp[n].def = &defs[i];
		sp[n++].negated = true;
	}
	return n;
}

/*
 * The upper-case letters (-A, -L, -R: ssh's forwarding options) match only in
 * full and with their case, so that -a, -n and -o keep ignoring case and -l
 * still abbreviates --local, as in mosh 1.4.
 */
static bool is_exact(const struct spelling *s)
{
	return s->name[0] >= 'A' && s->name[0] <= 'Z' && s->name[1] == '\0';
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Find the spelling that name (length len) selects; NULL with err filled. */
static const struct spelling *lookup(const struct spelling *sp, size_t nsp, const char *name,
                                     size_t len, char *err)
{
	const char *hits[MAX_SPELLINGS];
	const struct spelling *hit = NULL;
	size_t nhits = 0;

	if (len == 0) {
		err_set(err, ERR_INVAL, "Unknown option: %.*s", (int)len, name);
		return NULL;
	}
	for (size_t i = 0; i < nsp; i++)
		if (strlen(sp[i].name) == len && strncmp(sp[i].name, name, len) == 0)
			return &sp[i];
	for (size_t i = 0; i < nsp; i++)
		if (!is_exact(&sp[i]) && strlen(sp[i].name) == len &&
		    strncasecmp(sp[i].name, name, len) == 0)
			return &sp[i];
	for (size_t i = 0; i < nsp; i++) {
		if (!is_exact(&sp[i]) && strncasecmp(sp[i].name, name, len) == 0) {
			hits[nhits++] = sp[i].name;
			hit = &sp[i];
		}
	}
	if (nhits == 1)
		return hit;
	if (nhits == 0) {
		err_set(err, ERR_INVAL, "Unknown option: %.*s", (int)len, name);
		return NULL;
	}
	qsort(hits, nhits, sizeof hits[0], cmp_names);
	{
		char list[ERR_LEN] = "";
		size_t used = 0;

		for (size_t i = 0; i < nhits && used < sizeof list; i++)
			used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
			                         i ? ", " : "", hits[i]);
		err_set(err, ERR_INVAL, "Option %.*s is ambiguous (%s)", (int)len, name, list);
	}
	return NULL;
}

static bool is_digits(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* The value of a digit string, saturating well above 65535 so huge inputs stay out of range. */
static long digits_value(const char *s, size_t len)
{
	long v = 0;

	for (size_t i = 0; i < len; i++) {
		v = v * 10 + (s[i] - '0');
		if (v > 1000000)
			v = 1000000;
	}
	return v;
}

static int check_port(const char *spec, bool *is_range, char *err)
{
	const char *colon = strchr(spec, ':');
	size_t lowlen = colon ? (size_t)(colon - spec) : strlen(spec);
	long low, high;

	*is_range = colon != NULL;
	if (!is_digits(spec, lowlen) || (colon && !is_digits(colon + 1, strlen(colon + 1))))
		return err_set(
		    err, ERR_INVAL,
		    "server UDP port or range \"%s\" is not valid (use PORT or LOW:HIGH)", spec);
	low = digits_value(spec, lowlen);
	if (low > 65535)
		return err_set(err, ERR_RANGE, "server UDP port %.*s is outside 0..65535",
		               (int)lowlen, spec);
	if (!colon)
		return 0;
	high = digits_value(colon + 1, strlen(colon + 1));
	if (high < 1 || high > 65535)
		return err_set(err, ERR_RANGE, "server high UDP port %s is outside 1..65535",
		               colon + 1);
	if (low == 0)
		return err_set(err, ERR_RANGE, "server UDP port range %s may not start at port 0",
		               spec);
	if (low > high)
		return err_set(err, ERR_RANGE,
		               "server UDP port range %s: the low port is above the high port",
		               spec);
	return 0;
}

static bool predict_valid(const char *p)
{
	static const char *const modes[] = {"adaptive", "always", "never", "experimental"};

	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
		if (strcmp(p, modes[i]) == 0)
			return true;
	return false;
}

/* Keep a -L or -R value for the check after parsing; the count goes on past the array. */
static void add_spec(const char **specs, size_t *n, const char *value)
{
	if (*n < OPTS_FWD_MAX)
		specs[*n] = value;
	(*n)++;
}

/* Record one recognised option; value is NULL for flags. */
static void apply(struct opts *o, const struct spelling *s, const char *value,
                  const char **ssh_spec, bool *help, bool *version)
{
	enum opts_tri tri = s->negated ? OPTS_NO : OPTS_YES;

	switch (s->def->id) {
	case O_CLIENT:
		o->client = value;
		o->client_given = true;
		break;
	case O_SERVER:
		o->server = value;
		o->server_given = true;
		break;
	case O_PREDICT:
		o->predict = value;
		break;
	case O_OVERWRITE:
		o->overwrite = tri;
		break;
	case O_PORT:
		o->port = value;
		break;
	case O_ALWAYS:
		o->predict = "always";
		break;
	case O_NEVER:
		o->predict = "never";
		break;
	case O_FAMILY:
		o->family_spec = value;
		break;
	case O_INET:
		o->family_spec = "inet";
		break;
	case O_INET6:
		o->family_spec = "inet6";
		break;
	case O_SSH:
		*ssh_spec = value;
		break;
	case O_SSH_PTY:
		o->ssh_pty = !s->negated;
		break;
	case O_INIT:
		o->init = tri;
		break;
	case O_SCROLLBACK:
		o->scrollback = tri;
		break;
	case O_LOCAL:
		o->local = true;
		break;
	case O_HELP:
		*help = true;
		break;
	case O_VERSION:
		*version = true;
		break;
	case O_FAKE_PROXY:
		o->fake_proxy = !s->negated;
		break;
	case O_BIND:
		o->bind_spec = value;
		break;
	case O_REMOTE_IP:
		o->remote_ip_spec = value;
		break;
	case O_ATTACH:
		o->attach = true;
		o->attach_target = value;
		break;
	case O_AGENT:
		o->forward_agent = !s->negated;
		break;
	case O_LOCAL_FWD:
		add_spec(o->local_spec, &o->n_local_spec, value);
		break;
	case O_REMOTE_FWD:
		add_spec(o->remote_spec, &o->n_remote_spec, value);
		break;
	}
}

/* Check the -L (flag 'L') or -R values into out[]; ERR_INVAL with err filled. */
static int check_forwards(char flag, const char *const *specs, size_t n, struct fwdspec *out,
                          size_t *n_out, char *err)
{
	char why[ERR_LEN];

	if (n > OPTS_FWD_MAX)
		return err_set(err, ERR_INVAL, "-%c may be given at most %d times, not %zu", flag,
		               OPTS_FWD_MAX, n);
	for (size_t i = 0; i < n; i++) {
		if (fwdspec_parse(specs[i], &out[i], why, sizeof why) < 0)
			return err_set(
			    err, ERR_INVAL,
			    "-%c \"%s\": %s (the form is [bind_address:]port:host:hostport, "
			    "as for ssh -%c)",
			    flag, specs[i], why, flag);
		*n_out = i + 1;
	}
	return 0;
}

/* Checks after the syntax is known good; fills the derived fields. */
static int validate(struct opts *o, const char *env_predict, const char *ssh_spec, char **operands,
                    size_t noperands, char *err, bool *show_usage)
{
	char why[ERR_LEN];
	const char *host;

	if (o->predict == NULL && env_predict != NULL) {
		if (!predict_valid(env_predict)) {
			*show_usage = true;
			return err_set(
			    err, ERR_INVAL,
			    "Unknown mode \"%s\" (MOSH_PREDICTION_DISPLAY in environment).",
			    env_predict);
		}
		o->predict = env_predict;
	}
	if (o->predict == NULL)
		o->predict = "adaptive";
	if (!predict_valid(o->predict)) {
		*show_usage = true;
		return err_set(err, ERR_INVAL,
		               "Unknown mode \"%s\" (use adaptive, always, never or experimental).",
		               o->predict);
	}
	if (o->remote_ip_spec) {
		if (strcmp(o->remote_ip_spec, "proxy") == 0)
			o->remote_ip = OPTS_RIP_PROXY;
		else if (strcmp(o->remote_ip_spec, "local") == 0)
			o->remote_ip = OPTS_RIP_LOCAL;
		else if (strcmp(o->remote_ip_spec, "remote") == 0)
			o->remote_ip = OPTS_RIP_REMOTE;
		else
			return err_set(err, ERR_INVAL,
			               "Unknown --experimental-remote-ip method \"%s\" (use proxy, "
			               "local or remote).",
			               o->remote_ip_spec);
	}
	if (o->family_spec && resolve_family_parse(o->family_spec, &o->family) < 0)
		return err_set(err, ERR_INVAL,
		               "Unknown address family \"%s\" (use inet, inet6, auto, all, "
		               "prefer-inet or prefer-inet6).",
		               o->family_spec);
	if (o->port && check_port(o->port, &o->port_is_range, err) < 0)
		return ERR_INVAL;
	if (check_forwards('L', o->local_spec, o->n_local_spec, o->local_fwd, &o->n_local_fwd,
	                   err) < 0 ||
	    check_forwards('R', o->remote_spec, o->n_remote_spec, o->remote_fwd, &o->n_remote_fwd,
	                   err) < 0) {
		*show_usage = true;
		return ERR_INVAL;
	}
	if (ssh_spec) {
		strv_fini(&o->ssh);
		if (shell_split(&o->ssh, ssh_spec, why) < 0)
			return err_set(err, ERR_INVAL, "--ssh command %s", why);
		if (o->ssh.n == 0)
			return err_set(err, ERR_INVAL, "--ssh command is empty");
	}

	if (o->fake_proxy) {
		if (noperands != 2)
			return err_set(err, ERR_INVAL, "--fake-proxy needs exactly: HOST PORT");
		o->userhost = operands[0];
		o->proxy_port = operands[1];
		return 0;
	}
	if (noperands < 1) {
		*show_usage = true;
		return err_set(err, ERR_INVAL, "no host given");
	}
	o->userhost = operands[0];
	strv_push_all(&o->command, operands + 1, noperands - 1);
	if (o->attach && o->command.n > 0)
		return err_set(err, ERR_INVAL,
		               "--attach joins a session that already runs its command: drop the "
		               "command, or leave out --attach to start a new session");
	if (o->attach_target != NULL && (o->attach_target[0] == '\0' || o->attach_target[0] == '-'))
		return err_set(err, ERR_INVAL,
		               "--attach=%s: give a session ID or name (see mosh-server list), or "
		               "just --attach",
		               o->attach_target);
	/*
	 * ssh would take such a "host" as one of its own options; a single quote
	 * would end the quoting of %h in our ProxyCommand (remote.c).
	 */
	host = strrchr(o->userhost, '@');
	host = host ? host + 1 : o->userhost;
	if (o->userhost[0] == '-' || o->userhost[0] == '\0' || strchr(host, '\'') != NULL)
		return err_set(err, ERR_INVAL, "\"%s\" is not a host name", o->userhost);

	if (o->bind_spec == NULL || strcasecmp(o->bind_spec, "ssh") == 0) {
		o->bind = o->local ? OPTS_BIND_IP : OPTS_BIND_SSH;
		o->bind_ip = o->local ? o->userhost : NULL;
	} else if (strcasecmp(o->bind_spec, "any") == 0) {
		o->bind = OPTS_BIND_ANY;
	} else if (resolve_is_numeric(o->bind_spec)) {
		o->bind = OPTS_BIND_IP;
		o->bind_ip = o->bind_spec;
	} else {
		return err_set(err, ERR_INVAL,
		               "--bind-server wants ssh, any or a numeric IP address, not \"%s\"",
		               o->bind_spec);
	}
	if (o->local && !resolve_is_numeric(o->userhost))
		return err_set(err, ERR_INVAL,
		               "--local needs a numeric IP address as host (e.g. 127.0.0.1), not "
		               "\"%s\"",
		               o->userhost);
	return 0;
}

int opts_parse(struct opts *o, int argc, char **argv, const char *env_predict, char *err,
               bool *show_usage)
{
	struct spelling sp[MAX_SPELLINGS];
	size_t nsp = build_spellings(sp);
	char **operands = xcalloc((size_t)(argc > 0 ? argc : 1), sizeof *operands);
	size_t noperands = 0;
	const char *ssh_spec = NULL;
	bool help = false, version = false, options_done = false;
	int rc = 0;

	memset(o, 0, sizeof *o);
	o->client = "mosh-client";
	o->server = "mosh-server";
	o->family = RESOLVE_PREFER_INET;
	o->ssh_pty = true;
	o->remote_ip = OPTS_RIP_PROXY;
	o->bind = OPTS_BIND_SSH;
	strv_init(&o->ssh);
	strv_push(&o->ssh, "ssh");
	strv_init(&o->command);
	*show_usage = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *name, *eq, *value = NULL;
		const struct spelling *s;
		size_t len;

		if (options_done || a[0] != '-' || a[1] == '\0') {
			operands[noperands++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			options_done = true;
			continue;
		}
		name = a[1] == '-' ? a + 2 : a + 1;
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		s = lookup(sp, nsp, name, len, err);
		if (s == NULL) {
			rc = ERR_INVAL;
			break;
		}
		if (s->def->kind == K_VALUE) {
			if (eq) {
				value = eq + 1;
			} else if (i + 1 < argc) {
				value = argv[++i];
			} else {
				rc = err_set(err, ERR_INVAL, "Option %.*s requires an argument",
				             (int)len, name);
				break;
			}
		} else if (s->def->kind == K_OPT) {
			value = eq ? eq + 1 : NULL;
		} else if (eq) {
			rc = err_set(err, ERR_INVAL, "Option %.*s does not take an argument",
			             (int)len, name);
			break;
		}
		apply(o, s, value, &ssh_spec, &help, &version);
	}
	if (rc < 0) {
		*show_usage = true;
	} else if (help) {
		rc = OPTS_HELP;
	} else if (version) {
		rc = OPTS_VERSION;
	} else {
		rc = validate(o, env_predict, ssh_spec, operands, (size_t)noperands, err,
		              show_usage);
	}
	free(operands);
	return rc;
}

void opts_fini(struct opts *o)
{
	strv_fini(&o->ssh);
	strv_fini(&o->command);
	for (size_t i = 0; i < o->n_local_fwd; i++)
		fwdspec_free(&o->local_fwd[i]);
	for (size_t i = 0; i < o->n_remote_fwd; i++)
		fwdspec_free(&o->remote_fwd[i]);
	o->n_local_fwd = o->n_remote_fwd = 0;
}
