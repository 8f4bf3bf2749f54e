/* String vector; see strv.h. */
#include "launcher/strv.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xmalloc.h"

void strv_init(struct strv *sv)
{
	sv->v = NULL;
	sv->n = 0;
	sv->cap = 0;
}

void strv_fini(struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++) {
		explicit_bzero(sv->v[i], strlen(sv->v[i]));
		free(sv->v[i]);
	}
	free(sv->v);
	strv_init(sv);
}

void strv_push_owned(struct strv *sv, char *s)
{
	/* +1 keeps room for the terminating NULL. */
	if (sv->n + 1 >= sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 8;
		sv->v = xreallocarray(sv->v, sv->cap, sizeof *sv->v);
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

void strv_push(struct strv *sv, const char *s)
{
	strv_push_owned(sv, xstrdup(s));
}

void strv_pushf(struct strv *sv, const char *fmt, ...)
{
	struct buf b;
	va_list ap;
	size_t len;

	buf_init(&b);
	va_start(ap, fmt);
	buf_vappendf(&b, fmt, ap);
	va_end(ap);
	strv_push_owned(sv, (char *)buf_detach(&b, &len));
}

void strv_push_all(struct strv *sv, char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		strv_push(sv, list[i]);
}

char **strv_array(struct strv *sv)
{
	if (sv->v == NULL) {
		sv->cap = 8;
		sv->v = xcalloc(sv->cap, sizeof *sv->v);
	}
	return sv->v;
}
