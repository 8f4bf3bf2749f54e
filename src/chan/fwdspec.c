/*
 * Parsing ssh's forwarding syntax; see fwdspec.h for the model.
 *
 * The argument is first cut into at most FIELDS_MAX fields (a bracketed
 * field runs to its ']', which must end the argument or come before a ':'),
 * then each field is checked for its place: 3 fields are
 * port:host:hostport, 4 are bind:port:host:hostport.
 */
#include "chan/fwdspec.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/xmalloc.h"

#define FIELDS_MAX 4
/* How much of a bad value a message shows. */
#define SHOW_MAX 40

struct field {
	const char *s;
	size_t len;
	bool bracketed;
};

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen, const char *fmt,
                                                      ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ERR_INVAL;
}

/* A field as a message may show it: printable ASCII only, cut at SHOW_MAX bytes. */
static void show(const struct field *f, char out[SHOW_MAX + 4])
{
	size_t n = f->len < SHOW_MAX ? f->len : SHOW_MAX;

	for (size_t i = 0; i < n; i++)
		out[i] = f->s[i] > ' ' && f->s[i] < 0x7f ? f->s[i] : '?';
	out[n] = '\0';
	if (n < f->len)
		memcpy(out + n, "...", 4);
}

/* Cut arg into fields; the count, or ERR_INVAL with err filled. */
static int split(const char *arg, struct field fields[FIELDS_MAX], char *err, size_t errlen)
{
	const char *p = arg;
	int n = 0;

	for (;;) {
		struct field f = {.s = p};

		if (n == FIELDS_MAX)
			return fail(err, errlen,
			            "too many ':' (put an IPv6 address in brackets, e.g. [::1])");
		if (*p == '[') {
			const char *close = strchr(p + 1, ']');

			if (close == NULL)
				return fail(err, errlen, "'[' without a matching ']'");
			f.s = p + 1;
			f.len = (size_t)(close - f.s);
			f.bracketed = true;
			p = close + 1;
			if (*p != ':' && *p != '\0')
				return fail(err, errlen, "']' must be followed by ':'");
		} else {
			f.len = strcspn(p, ":");
			p += f.len;
		}
		fields[n++] = f;
		if (*p == '\0')
			return n;
		p++; /* the ':' */
	}
}

static int parse_port(const struct field *f, const char *what, uint16_t *port, char *err,
                      size_t errlen)
{
	char shown[SHOW_MAX + 4];
	unsigned long v = 0;

	show(f, shown);
	if (f->len == 0)
		return fail(err, errlen, "%s is empty (a number 1..65535 is needed)", what);
	for (size_t i = 0; i < f->len; i++) {
		if (f->bracketed || f->s[i] < '0' || f->s[i] > '9')
			return fail(err, errlen,
			            "%s \"%s\" is not a number 1..65535 (service names are not "
			            "looked up)",
			            what, shown);
		if (v <= 65535)
			v = v * 10 + (unsigned long)(f->s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return fail(err, errlen, "%s %s is out of range 1..65535", what, shown);
	*port = (uint16_t)v;
	return 0;
}

/* A host or bind address: 1..FWDSPEC_NAME_MAX bytes of printable ASCII, no spaces. */
static int check_name(const struct field *f, const char *what, char *err, size_t errlen)
{
	if (f->len == 0)
		return fail(err, errlen, "%s is empty", what);
	if (f->len > FWDSPEC_NAME_MAX)
		return fail(err, errlen, "%s is longer than %d bytes", what, FWDSPEC_NAME_MAX);
	for (size_t i = 0; i < f->len; i++) {
		unsigned char c = (unsigned char)f->s[i];

		if (c <= ' ' || c >= 0x7f)
			return fail(err, errlen,
			            "%s has a space or a byte that is not printable ASCII "
			            "(at byte %zu)",
			            what, i + 1);
		if (c == '[' || c == ']')
			return fail(err, errlen, "%s has a stray '%c'", what, c);
	}
	return 0;
}

int fwdspec_parse(const char *arg, struct fwdspec *out, char *err, size_t errlen)
{
	struct field fields[FIELDS_MAX];
	const struct field *bind = NULL, *host;
	uint16_t port, hostport;
	int n;

	memset(out, 0, sizeof *out);
	n = split(arg, fields, err, errlen);
	if (n < 0)
		return n;
	if (n < 3)
		return fail(err, errlen, "expected [bind_address:]port:host:hostport");
	if (n == 4)
		bind = &fields[0];
	host = &fields[n - 2];
	if (bind != NULL && !(bind->len == 0 && !bind->bracketed) &&
	    check_name(bind, "bind address", err, errlen) < 0)
		return ERR_INVAL;
	if (parse_port(&fields[n - 3], "port", &port, err, errlen) < 0 ||
	    check_name(host, "host", err, errlen) < 0 ||
	    parse_port(&fields[n - 1], "hostport", &hostport, err, errlen) < 0)
		return ERR_INVAL;
	out->port = port;
	out->hostport = hostport;
	if (bind != NULL)
		out->bind = bind->len == 0 ? xstrdup("*") : xstrndup(bind->s, bind->len);
	out->host = xstrndup(host->s, host->len);
	return 0;
}

void fwdspec_free(struct fwdspec *f)
{
	free(f->bind);
	free(f->host);
	memset(f, 0, sizeof *f);
}

/* name, in brackets when it holds a ':' (an IPv6 address), then ':'. */
static size_t put_name(char *out, size_t len, size_t used, const char *name)
{
	const char *fmt = strchr(name, ':') != NULL ? "[%s]:" : "%s:";
	int w;

	if (used >= len)
		return used;
	w = snprintf(out + used, len - used, fmt, name);
	return used + (w > 0 ? (size_t)w : 0);
}

void fwdspec_format(const struct fwdspec *f, char *out, size_t len)
{
	size_t used = 0;

	if (len == 0)
		return;
	out[0] = '\0';
	if (f->bind != NULL)
		used = put_name(out, len, used, f->bind);
	if (used < len)
		used += (size_t)snprintf(out + used, len - used, "%u:", (unsigned)f->port);
	used = put_name(out, len, used, f->host ? f->host : "");
	if (used < len)
		snprintf(out + used, len - used, "%u", (unsigned)f->hostport);
}
