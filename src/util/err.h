/*
 * Error conventions shared by every layer.
 *
 * Two kinds of failure, kept apart on purpose:
 *  - a broken internal invariant is a bug: ASSERT() prints file:line and aborts;
 *  - bad bytes from the network, the pty or the user are expected: the code
 *    validates them, returns a negative ERR_* code and carries on. Never ASSERT
 *    on anything a peer controls.
 * Functions return 0 (or a non-negative count) on success, a negative ERR_* code
 * on failure. Where a person needs the reason (command line, bootstrap), the
 * caller passes a char err[ERR_LEN] that err_set() fills with a sentence that
 * names the fix.
 */
#ifndef MOSHC_UTIL_ERR_H
#define MOSHC_UTIL_ERR_H

#include <stddef.h>

#define ERR_LEN 256

enum {
	ERR_OK = 0,
	ERR_INVAL = -1,    /* malformed input or argument */
	ERR_RANGE = -2,    /* a value or size out of its allowed range */
	ERR_IO = -3,       /* a system call failed; errno says why */
	ERR_AGAIN = -4,    /* nothing to do now; try later */
	ERR_CRYPTO = -5,   /* authentication or cipher failure */
	ERR_PROTO = -6,    /* well-formed but not allowed by the protocol */
	ERR_UNSUPP = -7,   /* valid but not supported */
	ERR_CLOSED = -8,   /* the other end went away */
	ERR_NOTFOUND = -9, /* a looked-up thing does not exist */
};

/* A short lower-case name for an ERR_* code ("invalid input", ...). */
const char *err_str(int code);

/* printf into err (ERR_LEN bytes) when err is not NULL; always returns code. */
int err_set(char *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

_Noreturn void assert_fail(const char *expr, const char *file, int line, const char *func);

/* Internal invariant: a failure is a bug in mosh-c, never a peer's doing. */
#define ASSERT(x) ((x) ? (void)0 : assert_fail(#x, __FILE__, __LINE__, __func__))

/* Validation of untrusted input: return code from the enclosing function. */
#define REQUIRE(cond, code)                                                                        \
	do {                                                                                       \
		if (!(cond))                                                                       \
			return (code);                                                             \
	} while (0)

#endif
