/* Error names, the caller's message buffer, and the assertion handler. */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

const char *err_str(int code)
{
	switch (code) {
	case ERR_OK:
		return "success";
	case ERR_INVAL:
		return "invalid input";
	case ERR_RANGE:
		return "out of range";
	case ERR_IO:
		return "input/output error";
	case ERR_AGAIN:
		return "try again";
	case ERR_CRYPTO:
		return "authentication failure";
	case ERR_PROTO:
		return "protocol violation";
	case ERR_UNSUPP:
		return "not supported";
	case ERR_CLOSED:
		return "closed";
	case ERR_NOTFOUND:
		return "not found";
	}
	return "unknown error";
}

int err_set(char *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL) {
		va_start(ap, fmt);
		vsnprintf(err, ERR_LEN, fmt, ap);
		va_end(ap);
	}
	return code;
}

void assert_fail(const char *expr, const char *file, int line, const char *func)
{
	fprintf(stderr, "mosh-c: internal error: %s:%d: %s: assertion '%s' failed\n", file, line,
	        func, expr);
	abort();
}
