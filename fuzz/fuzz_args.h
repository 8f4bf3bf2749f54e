/*
 * Shared by the option-parser targets: the input split on NUL bytes into
 * strings. The first `nenv` are values for the environment (NULL when the
 * input has fewer), the rest argv after argv[0] (at most FUZZ_ARGS_MAX).
 * The strings live in a copy that fuzz_args_free releases.
 */
#ifndef MOSHC_FUZZ_ARGS_H
#define MOSHC_FUZZ_ARGS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_ARGS_MAX 64
#define FUZZ_ENV_MAX 8

struct fuzz_args {
	char *copy;
	const char *env[FUZZ_ENV_MAX];
	char *argv[FUZZ_ARGS_MAX + 2]; /* prog, words..., NULL */
	int argc;
};

static inline void fuzz_args_split(struct fuzz_args *a, const uint8_t *data, size_t size, int nenv,
                                   const char *prog)
{
	char *p, *end;
	int i = 0;

	a->copy = malloc(size + 1);
	if (size > 0)
		memcpy(a->copy, data, size);
	a->copy[size] = '\0';
	memset(a->env, 0, sizeof a->env);
	a->argv[0] = (char *)prog;
	a->argc = 1;
	p = a->copy;
	end = a->copy + size;
	for (; p < end; p += strlen(p) + 1, i++) {
		if (i < nenv && i < FUZZ_ENV_MAX)
			a->env[i] = p;
		else if (a->argc <= FUZZ_ARGS_MAX)
			a->argv[a->argc++] = p;
	}
	a->argv[a->argc] = NULL;
}

static inline void fuzz_args_free(struct fuzz_args *a)
{
	free(a->copy);
}

/* A sink for help and complaint text. */
static inline FILE *fuzz_args_null(void)
{
	static FILE *f;

	if (f == NULL)
		f = fopen("/dev/null", "w");
	return f;
}

#endif
