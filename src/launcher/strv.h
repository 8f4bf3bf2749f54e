/*
 * A growable, NULL-terminated vector of owned strings: the argv and envp
 * arrays the launcher builds for execve. v[n] is always NULL, so v can be
 * passed to exec as is. Every string is a private copy, freed by strv_fini.
 */
#ifndef MOSHC_LAUNCHER_STRV_H
#define MOSHC_LAUNCHER_STRV_H

#include <stddef.h>

struct strv {
	char **v; /* NULL-terminated once anything was pushed; NULL before */
	size_t n;
	size_t cap;
};

void strv_init(struct strv *sv);
/* Frees every string after overwriting it with zeros (argv may hold secrets). */
void strv_fini(struct strv *sv);
void strv_push(struct strv *sv, const char *s);
/* Takes ownership of s (allocated with xmalloc and friends). */
void strv_push_owned(struct strv *sv, char *s);
void strv_pushf(struct strv *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strv_push_all(struct strv *sv, char *const *list, size_t n);
/* The array for exec: never NULL (an empty vector yields {NULL}). */
char **strv_array(struct strv *sv);

#endif
