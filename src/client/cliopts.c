/* mosh-client's command line and environment; see cliopts.h. */
#include "client/cliopts.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <curses.h>
#include <term.h>

#include "util/version.h"
#include "util/xmalloc.h"

void cliopts_version(FILE *f)
{
	version_banner(f, "mosh-client");
}

void cliopts_usage(FILE *f, const char *prog)
{
	cliopts_version(f);
	fprintf(f, "\nUsage: %s [-# 'ARGS'] IP PORT\n       %s -c\n", prog, prog);
}

void cliopts_fini(struct cliopts *o)
{
	free(o->ip);
	for (size_t i = 0; i < o->n_local; i++)
		fwdspec_free(&o->local[i]);
	for (size_t i = 0; i < o->n_remote; i++)
		fwdspec_free(&o->remote[i]);
	memset(o, 0, sizeof *o);
}

/* -L or -R (opt) with its spec; false after a complaint on diag. */
static bool add_forward(struct cliopts *o, char opt, const char *spec, const char *prog, FILE *diag)
{
	struct fwdspec *list = opt == 'L' ? o->local : o->remote;
	size_t *n = opt == 'L' ? &o->n_local : &o->n_remote;
	char why[ERR_LEN];

	if (*n == CLIOPTS_FWD_MAX) {
		fprintf(diag, "%s: -%c may be given at most %d times\n", prog, opt,
		        CLIOPTS_FWD_MAX);
		return false;
	}
	if (fwdspec_parse(spec, &list[*n], why, sizeof why) < 0) {
		fprintf(diag,
		        "%s: -%c \"%s\": %s (the form is [bind_address:]port:host:hostport)\n",
		        prog, opt, spec, why);
		return false;
	}
	(*n)++;
	return true;
}

static bool parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;

	if (s[0] == '\0')
		return false;
	for (const char *c = s; *c != '\0'; c++) {
		if (*c < '0' || *c > '9')
			return false;
		v = v * 10 + (unsigned long)(*c - '0');
		if (v > 65535)
			return false;
	}
	if (v == 0)
		return false;
	*port = (uint16_t)v;
	return true;
}

static int numeric_family(const char *ip)
{
	unsigned char addr[16];

	if (inet_pton(AF_INET, ip, addr) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, ip, addr) == 1)
		return AF_INET6;
	return -1;
}

enum cliopts_action cliopts_parse(struct cliopts *o, int argc, char *const *argv, const char *prog,
                                  FILE *out, FILE *diag)
{
	const char *operands[2];
	int n_operands = 0;
	bool colors = false;

	memset(o, 0, sizeof *o);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			cliopts_usage(out, prog);
			version_bug_report(out);
			return CLIOPTS_HELP;
		}
		if (strcmp(argv[i], "--version") == 0) {
			cliopts_version(out);
			return CLIOPTS_VERSION;
		}
	}
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];

		if (strcmp(w, "--") == 0) {
			/* getopt: everything after is an operand */
			for (i++; i < argc; i++) {
				if (n_operands++ < 2)
					operands[n_operands - 1] = argv[i];
			}
			break;
		}
		if (w[0] != '-' || w[1] == '\0') {
			if (n_operands++ < 2)
				operands[n_operands - 1] = w;
			continue;
		}
		for (const char *c = w + 1; *c != '\0'; c++) {
			if (*c == 'v') {
				o->verbose++;
			} else if (*c == 'c') {
				colors = true;
			} else if (*c == 'A') {
				o->forward_agent = true;
			} else if (*c == '#' || *c == 'L' || *c == 'R') {
				/* an option with an argument ends the cluster */
				const char *arg = c[1] != '\0'   ? c + 1
				                  : i + 1 < argc ? argv[++i]
				                                 : NULL;

				if (arg == NULL) {
					fprintf(diag, "%s: option requires an argument -- '%c'\n",
					        prog, *c);
					goto usage;
				}
				/* -#: the wrapper's command line, for ps(1) only */
				if (*c != '#' && !add_forward(o, *c, arg, prog, diag))
					goto usage;
				break;
			} else {
				fprintf(diag, "%s: invalid option -- '%c'\n", prog, *c);
				goto usage;
			}
		}
		if (colors) {
			cliopts_fini(o);
			return CLIOPTS_COLORS; /* mosh acts on -c as soon as it is seen */
		}
	}
	if (n_operands != 2)
		goto usage;
	if (!parse_port(operands[1], &o->port)) {
		fprintf(diag, "%s: Bad UDP port (%s)\n\n", prog, operands[1]);
		goto usage;
	}
	o->family = numeric_family(operands[0]);
	if (o->family < 0) {
		fprintf(diag,
		        "%s: Bad IP address (%s): a numeric IPv4 or IPv6 address is needed\n\n",
		        prog, operands[0]);
		goto usage;
	}
	o->ip = xstrdup(operands[0]);
	return CLIOPTS_RUN;
usage:
	cliopts_usage(diag, prog);
	cliopts_fini(o);
	return CLIOPTS_FAIL;
}

int cliopts_print_colors(FILE *out, FILE *diag)
{
	const char *term = getenv("TERM");
	int status = 0;
	int colors;

	if (term == NULL) {
		fprintf(diag, "TERM environment variable not set.\n");
		return 1;
	}
	if (setupterm((char *)term, fileno(out), &status) != OK) {
		if (status == 0)
			fprintf(diag, "'%s': unknown terminal type.\n", term);
		else
			fprintf(diag, "Terminfo database could not be found.\n");
		return 1;
	}
	colors = tigetnum("colors");
	del_curterm(cur_term);
	fprintf(out, "%d\n", colors);
	return 0;
}

int clienv_read(struct clienv *e, char err[ERR_LEN])
{
	const char *key = getenv("MOSH_KEY");
	const char *v;
	size_t len;

	memset(e, 0, sizeof *e);
	if (key == NULL)
		return err_set(err, ERR_NOTFOUND,
		               "MOSH_KEY environment variable not found: mosh-client is started by "
		               "the mosh launcher; by hand, set MOSH_KEY to the key on the MOSH "
		               "CONNECT line that `mosh-server new` prints.");
	len = strlen(key);
	if (len <= CLIENV_KEY_MAX)
		memcpy(e->key, key, len + 1);
	/* Overwrite the environment's copy too before dropping it from the list. */
	explicit_bzero((char *)key, len);
	unsetenv("MOSH_KEY");
	if (len > CLIENV_KEY_MAX)
		return err_set(err, ERR_RANGE, "MOSH_KEY is too long to be a mosh key.");

	v = getenv("MOSH_PREDICTION_DISPLAY");
	if (v == NULL || strcmp(v, "adaptive") == 0)
		e->predict = CLI_PREDICT_ADAPTIVE;
	else if (strcmp(v, "always") == 0)
		e->predict = CLI_PREDICT_ALWAYS;
	else if (strcmp(v, "never") == 0)
		e->predict = CLI_PREDICT_NEVER;
	else if (strcmp(v, "experimental") == 0)
		e->predict = CLI_PREDICT_EXPERIMENTAL;
	else
		return err_set(err, ERR_INVAL, "Unknown prediction mode %s.", v);

	v = getenv("MOSH_PREDICTION_OVERWRITE");
	e->predict_overwrite = v != NULL && strcmp(v, "yes") == 0;
	e->title_noprefix = getenv("MOSH_TITLE_NOPREFIX") != NULL;
	e->no_term_init = getenv("MOSH_NO_TERM_INIT") != NULL;
	e->no_scrollback = getenv("MOSH_NO_SCROLLBACK") != NULL;
	v = getenv("MOSH_ESCAPE_KEY");
	if (v != NULL) {
		e->escape_key_set = true;
		snprintf(e->escape_key, sizeof e->escape_key, "%s", v);
	}
	return 0;
}

void clienv_fini(struct clienv *e)
{
	explicit_bzero(e, sizeof *e);
}
