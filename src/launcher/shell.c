/* Shell quoting and word splitting; see shell.h for the exact rules. */
#include "launcher/shell.h"

#include <stdbool.h>
#include <string.h>

#include "util/err.h"

void shell_quote(struct buf *out, const char *s)
{
	buf_append_byte(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			buf_append_str(out, "'\\''");
		else
			buf_append_byte(out, (unsigned char)*s);
	}
	buf_append_byte(out, '\'');
}

void shell_quote_list(struct buf *out, char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_append_byte(out, ' ');
		shell_quote(out, list[i]);
	}
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

int shell_split(struct strv *out, const char *s, char *err)
{
	struct buf w;
	bool in_word = false;
	int rc = 0;

	buf_init(&w);
	for (const char *p = s;; p++) {
		if (*p == '\0' || is_blank(*p)) {
			if (in_word) {
				strv_push(out, w.data ? (const char *)w.data : "");
				buf_clear(&w);
				in_word = false;
			}
			if (*p == '\0')
				break;
			continue;
		}
		in_word = true;
		if (*p == '\\') {
			if (p[1] == '\0') {
				rc = err_set(err, ERR_INVAL, "ends with a lone backslash");
				break;
			}
			buf_append_byte(&w, (unsigned char)*++p);
		} else if (*p == '"' || *p == '\'') {
			char q = *p++;

			while (*p != q && *p != '\0') {
				if (*p == '\\' && p[1] != '\0') {
					/* In single quotes the backslash stays; in double quotes it
					 * goes. */
					if (q == '\'')
						buf_append_byte(&w, '\\');
					p++;
				}
				buf_append_byte(&w, (unsigned char)*p++);
			}
			if (*p == '\0') {
				rc = err_set(err, ERR_INVAL, "has an unterminated %c quote", q);
				break;
			}
		} else {
			buf_append_byte(&w, (unsigned char)*p);
		}
	}
	buf_fini(&w);
	return rc;
}
