/*
 * mosh-server's command line; see opts.h for the grammar.
 *
 * The option scanner is our own rather than getopt(3): getopt keeps global
 * state (optind, optarg) that makes repeated parsing in tests fragile, and
 * the complaints must read exactly like getopt's with "new" as the program
 * name, which is what mosh prints.
 */
#include "server/opts.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/ctl.h"
#include "state/history.h"
#include "util/version.h"
#include "util/xmalloc.h"

void srvopts_usage(FILE *f, const char *prog)
{
	fprintf(f,
	        "Usage: %s new [-s] [-v] [-i LOCALADDR] [-p PORT[:PORT2]] [-c COLORS] "
	        "[-l NAME=VALUE] [-- COMMAND...]\n",
	        prog);
}

void srvopts_help(FILE *f, const char *prog)
{
	fprintf(f,
	        "Usage: %s new [-s] [-v] [-i LOCALADDR] [-p PORT[:PORT2]] [-c COLORS] "
	        "[-l NAME=VALUE] [--name NAME]\n"
	        "           [--scrollback LINES] [-- COMMAND...]\n"
	        "       %s list [--json]\n"
	        "       %s attach [ID|NAME] [-s] [-i LOCALADDR] [-p PORT[:PORT2]]\n"
	        "       %s kill ID|NAME | --detached\n",
	        prog, prog, prog, prog);
}

void srvopts_version(FILE *f)
{
	version_banner(f, "mosh-server");
}

/* strtol over the whole string, the way mosh reads numbers (leading blanks and a sign allowed). */
static bool parse_long(const char *s, char stop, long *out, const char **end)
{
	char *e;

	errno = 0;
	*out = strtol(s, &e, 10);
	if (end != NULL)
		*end = e;
	return errno == 0 && (*e == '\0' || (stop != '\0' && *e == stop));
}

int srvopts_parse_port_range(const char *spec, uint16_t *low, uint16_t *high, char err[ERR_LEN])
{
	const char *end;
	long lo, hi;

	if (!parse_long(spec, ':', &lo, &end))
		return err_set(err, ERR_INVAL, "Invalid (low) port number (%s)", spec);
	if (lo < 0 || lo > 65535)
		return err_set(err, ERR_RANGE,
		               "(Low) port number %ld outside valid range [0..65535]", lo);
	if (*end == '\0') {
		*low = *high = (uint16_t)lo;
		return 0;
	}
	if (!parse_long(end + 1, '\0', &hi, NULL))
		return err_set(err, ERR_INVAL, "Invalid high port number (%s)", end + 1);
	if (hi < 0 || hi > 65535)
		return err_set(err, ERR_RANGE,
		               "High port number %ld outside valid range [0..65535]", hi);
	if (lo > hi)
		return err_set(err, ERR_RANGE, "Low port %ld greater than high port %ld", lo, hi);
	if (lo == 0)
		return err_set(err, ERR_RANGE, "Low port 0 incompatible with port ranges");
	*low = (uint16_t)lo;
	*high = (uint16_t)hi;
	return 0;
}

char *srvopts_ssh_ip(const char *ssh_connection, FILE *diag)
{
	static const char mapped[] = "::ffff:";
	const char *p = ssh_connection;
	size_t len = 0;

	if (ssh_connection == NULL) {
		fprintf(diag, "Warning: SSH_CONNECTION not found; binding to any interface.\n");
		return NULL;
	}
	for (int word = 0; word < 3; word++) {
		p += len;
		while (*p != '\0' && isspace((unsigned char)*p))
			p++;
		len = 0;
		while (p[len] != '\0' && !isspace((unsigned char)p[len]))
			len++;
		if (len == 0) {
			fprintf(diag, "Warning: Could not parse SSH_CONNECTION; binding to any "
			              "interface.\n");
			return NULL;
		}
	}
	if (len > sizeof mapped - 1 && strncasecmp(p, mapped, sizeof mapped - 1) == 0) {
		p += sizeof mapped - 1;
		len -= sizeof mapped - 1;
	}
	return xstrndup(p, len);
}

const char *srvopts_term(const struct srvopts *o)
{
	return o->colors == 256 ? "xterm-256color" : "xterm";
}

uint64_t srvopts_timeout_secs(const char *name, const char *value, FILE *diag)
{
	long v;

	if (value == NULL || value[0] == '\0')
		return 0;
	if (!parse_long(value, '\0', &v, NULL)) {
		fprintf(diag, "%s not a valid integer, ignoring\n", name);
		return 0;
	}
	if (v < 0) {
		fprintf(diag, "%s is negative, ignoring\n", name);
		return 0;
	}
	return (uint64_t)v;
}

void srvopts_fini(struct srvopts *o)
{
	free(o->bind_ip);
	free(o->port_spec);
	free(o->name);
	for (size_t i = 0; i < o->n_locale_assign; i++)
		free(o->locale_assign[i]);
	free(o->locale_assign);
	for (size_t i = 0; i < o->n_command; i++)
		free(o->command[i]);
	free(o->command);
	memset(o, 0, sizeof *o);
}

static void set_str(char **slot, const char *value)
{
	free(*slot);
	*slot = value ? xstrdup(value) : NULL;
}

/*
 * -l sets only what mosh documents it for, a locale variable (LANG, LANGUAGE,
 * LC_ALL, LC_*): anything else (LD_PRELOAD=..., PATH=...) would let whoever
 * builds the command line reach into the server's environment. The one
 * other assignment taken, SRVOPTS_FORWARD_AGENT, is a flag, not a variable.
 */
static bool is_locale_assign(const char *assign)
{
	size_t len = strcspn(assign, "=");

	if (assign[len] != '=')
		return false;
	if ((len == 4 && strncmp(assign, "LANG", 4) == 0) ||
	    (len == 8 && strncmp(assign, "LANGUAGE", 8) == 0))
		return true;
	if (len <= 3 || strncmp(assign, "LC_", 3) != 0)
		return false;
	for (size_t i = 3; i < len; i++) {
		if (!(assign[i] >= 'A' && assign[i] <= 'Z') && assign[i] != '_')
			return false;
	}
	return true;
}

/* Apply one option; false means a fatal usage error (already reported). */
static bool apply_option(struct srvopts *o, char opt, const char *arg, const char *ssh_connection,
                         const char *prog, FILE *diag)
{
	char err[ERR_LEN];
	long colors;

	switch (opt) {
	case 'i':
		set_str(&o->bind_ip, arg);
		break;
	case 's':
		free(o->bind_ip);
		o->bind_ip = srvopts_ssh_ip(ssh_connection, diag);
		break;
	case 'p':
		if (srvopts_parse_port_range(arg, &o->port_low, &o->port_high, err) < 0) {
			fprintf(diag, "%s\n%s: Bad UDP port range (%s)\n", err, prog, arg);
			srvopts_usage(diag, prog);
			return false;
		}
		set_str(&o->port_spec, arg);
		break;
	case 'c':
		if (!parse_long(arg, '\0', &colors, NULL) || colors < INT_MIN || colors > INT_MAX) {
			fprintf(diag, "%s: Bad number of colors (%s)\n", prog, arg);
			srvopts_usage(diag, prog);
			return false;
		}
		o->colors = (int)colors;
		break;
	case 'v':
		o->verbose++;
		break;
	case 'l':
		if (strcmp(arg, SRVOPTS_FORWARD_AGENT) == 0) {
			o->forward_agent = true;
			break;
		}
		if (!is_locale_assign(arg)) {
			fprintf(diag,
			        "%s: -l %.*s: only a locale variable (LANG, LANGUAGE, LC_ALL or "
			        "LC_*) or " SRVOPTS_FORWARD_AGENT " may be set, as NAME=VALUE\n",
			        prog, (int)strcspn(arg, "="), arg);
			return false;
		}
		o->locale_assign = xreallocarray(o->locale_assign, o->n_locale_assign + 1,
		                                 sizeof *o->locale_assign);
		o->locale_assign[o->n_locale_assign++] = xstrdup(arg);
		break;
	case '@':
		/* Undocumented and ignored: lets wrappers swallow a duplicate "new". */
		break;
	default:
		ASSERT(!"unhandled option");
	}
	return true;
}

/*
 * The value of a long option --OPT VALUE or --OPT=VALUE at args[*i] (which
 * it may step past); NULL after a complaint when it is missing.
 */
static const char *long_value(int n, char *const *args, int *i, const char *opt, const char *prog,
                              FILE *diag)
{
	const char *w = args[*i] + 2 + strlen(opt);

	if (*w == '=')
		return w + 1;
	if (*i + 1 < n)
		return args[++*i];
	fprintf(diag, "%s: option '--%s' requires an argument\n", prog, opt);
	return NULL;
}

/* Whether args[i] is --OPT or --OPT=... */
static bool is_long(const char *w, const char *opt)
{
	size_t len = strlen(opt);

	return strncmp(w, "--", 2) == 0 && strncmp(w + 2, opt, len) == 0 &&
	       (w[2 + len] == '\0' || w[2 + len] == '=');
}

/* --name NAME: false after a complaint when it is missing or not acceptable. */
static bool parse_name(struct srvopts *o, int n, char *const *args, int *i, const char *prog,
                       FILE *diag)
{
	const char *arg = long_value(n, args, i, "name", prog, diag);
	char err[ERR_LEN];

	if (arg == NULL)
		return false;
	if (ctl_name_check(arg, err) < 0) {
		fprintf(diag, "%s: %s\n", prog, err);
		return false;
	}
	set_str(&o->name, arg);
	return true;
}

/* --scrollback LINES: the history kept for mosh-c clients, 0..HISTORY_MAX_LINES. */
static bool parse_scrollback(struct srvopts *o, int n, char *const *args, int *i, const char *prog,
                             FILE *diag)
{
	const char *arg = long_value(n, args, i, "scrollback", prog, diag);
	char *end;
	unsigned long long v;

	if (arg == NULL)
		return false;
	errno = 0;
	v = strtoull(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end != '\0' || errno != 0 || v > HISTORY_MAX_LINES) {
		fprintf(diag, "%s: --scrollback takes a number of lines from 0 to %d, not \"%s\"\n",
		        prog, HISTORY_MAX_LINES, arg);
		return false;
	}
	o->scrollback = (size_t)v;
	return true;
}

/*
 * getopt-style scan of args[0..n) with option string "@:i:p:c:svl:", plus the
 * long options --name and --scrollback (ours, not mosh's). Unknown
 * options and missing arguments are reported (getopt's wording, "new" as the
 * program name) followed by the usage, and parsing continues.
 */
static bool parse_new(struct srvopts *o, int n, char *const *args, const char *ssh_connection,
                      const char *prog, FILE *diag)
{
	static const char with_arg[] = "@ipcl";
	static const char flags[] = "sv";

	for (int i = 0; i < n; i++) {
		const char *w = args[i];

		if (w[0] != '-' || w[1] == '\0')
			continue; /* non-option words are ignored, as mosh does */
		if (is_long(w, "name")) {
			if (!parse_name(o, n, args, &i, prog, diag))
				return false;
			continue;
		}
		if (is_long(w, "scrollback")) {
			if (!parse_scrollback(o, n, args, &i, prog, diag))
				return false;
			continue;
		}
		for (const char *c = w + 1; *c != '\0'; c++) {
			if (strchr(with_arg, *c) != NULL) {
				const char *arg = c[1] != '\0' ? c + 1 : NULL;

				if (arg == NULL && i + 1 < n)
					arg = args[++i];
				if (arg == NULL) {
					fprintf(diag, "new: option requires an argument -- '%c'\n",
					        *c);
					srvopts_usage(diag, prog);
					break;
				}
				if (!apply_option(o, *c, arg, ssh_connection, prog, diag))
					return false;
				break;
			}
			if (strchr(flags, *c) != NULL) {
				apply_option(o, *c, NULL, ssh_connection, prog, diag);
				continue;
			}
			fprintf(diag, "new: invalid option -- '%c'\n", *c);
			srvopts_usage(diag, prog);
		}
	}
	return true;
}

enum srvopts_action srvopts_parse(struct srvopts *o, int argc, char *const *argv,
                                  const char *ssh_connection, const char *prog, FILE *out,
                                  FILE *diag)
{
	int nargs = argc;
	char err[ERR_LEN];

	memset(o, 0, sizeof *o);
	o->scrollback = HISTORY_DEFAULT_LINES;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			srvopts_help(out, prog);
			version_bug_report(out);
			return SRVOPTS_HELP;
		}
		if (strcmp(argv[i], "--version") == 0) {
			srvopts_version(out);
			return SRVOPTS_VERSION;
		}
		if (strcmp(argv[i], "--") == 0) {
			nargs = i;
			if (i + 1 < argc) {
				o->n_command = (size_t)(argc - i - 1);
				o->command = xcalloc(o->n_command + 1, sizeof *o->command);
				for (size_t k = 0; k < o->n_command; k++)
					o->command[k] = xstrdup(argv[i + 1 + (int)k]);
			}
			break;
		}
	}

	if (nargs > 1 && strcmp(argv[1], "new") == 0) {
		if (!parse_new(o, nargs - 2, argv + 2, ssh_connection, prog, diag))
			goto fail;
		return SRVOPTS_RUN;
	}
	if (nargs > 3) {
		srvopts_usage(diag, prog);
		goto fail;
	}
	if (nargs >= 2)
		set_str(&o->bind_ip, argv[1]);
	if (nargs == 3) {
		if (srvopts_parse_port_range(argv[2], &o->port_low, &o->port_high, err) < 0) {
			fprintf(diag, "%s\n%s: Bad UDP port range (%s)\n", err, prog, argv[2]);
			srvopts_usage(diag, prog);
			goto fail;
		}
		set_str(&o->port_spec, argv[2]);
	}
	return SRVOPTS_RUN;

fail:
	srvopts_fini(o);
	return SRVOPTS_FAIL;
}
