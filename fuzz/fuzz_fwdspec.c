/*
 * The -L/-R forwarding-spec parser on arbitrary bytes (cut at the first NUL,
 * as a command-line word would be). Whatever the input: a failure fills err
 * and leaves nothing allocated; a success holds a host and a bind address of
 * printable ASCII within FWDSPEC_NAME_MAX bytes and ports 1..65535, and its
 * printed form parses back to the same spec.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chan/fwdspec.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool name_ok(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > FWDSPEC_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f || s[i] == '[' || s[i] == ']')
			return false;
	return true;
}

static bool same(const struct fwdspec *a, const struct fwdspec *b)
{
	if ((a->bind == NULL) != (b->bind == NULL))
		return false;
	if (a->bind != NULL && strcmp(a->bind, b->bind) != 0)
		return false;
	return strcmp(a->host, b->host) == 0 && a->port == b->port && a->hostport == b->hostport;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *arg = malloc(size + 1);
	char err[ERR_LEN] = "", text[FWDSPEC_FORMAT_LEN];
	struct fwdspec f, again;

	if (size > 0)
		memcpy(arg, data, size);
	arg[size] = '\0';
	if (fwdspec_parse(arg, &f, err, sizeof err) < 0) {
		if (err[0] == '\0' || f.bind != NULL || f.host != NULL)
			abort();
	} else {
		if (!name_ok(f.host) || (f.bind != NULL && !name_ok(f.bind)) || f.port == 0 ||
		    f.hostport == 0)
			abort();
		fwdspec_format(&f, text, sizeof text);
		if (fwdspec_parse(text, &again, err, sizeof err) < 0 || !same(&f, &again))
			abort();
		fwdspec_free(&again);
	}
	fwdspec_free(&f);
	free(arg);
	return 0;
}
