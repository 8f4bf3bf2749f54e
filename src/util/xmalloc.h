/*
 * Allocation that cannot fail: on exhaustion the process reports and aborts,
 * so call sites never carry out-of-memory branches. Sizes are checked for
 * multiplication overflow. Anything a peer controls must be bounded before it
 * reaches these functions.
 */
#ifndef MOSHC_UTIL_XMALLOC_H
#define MOSHC_UTIL_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
void *xmemdup(const void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
