/* Escaped, levelled log lines; see log.h. */
#include "util/log.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>

#include "util/buf.h"
#include "util/clock.h"

int log_level = LOG_OFF;
static FILE *log_file;

void log_open(FILE *f, int level)
{
	log_file = f;
	log_level = f ? level : LOG_OFF;
}

char *log_escape(char *out, size_t outlen, const void *data, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *p = data;
	size_t o = 0;

	if (outlen == 0)
		return out;
	for (size_t i = 0; i < len; i++) {
		char tmp[4];
		size_t n = 0;
		uint8_t c = p[i];

		if (c == '\n') {
			tmp[n++] = '\\';
			tmp[n++] = 'n';
		} else if (c == '\r') {
			tmp[n++] = '\\';
			tmp[n++] = 'r';
		} else if (c == 0x1b) {
			tmp[n++] = '\\';
			tmp[n++] = 'e';
		} else if (c == '\\') {
			tmp[n++] = '\\';
			tmp[n++] = '\\';
		} else if (c < 0x20 || c >= 0x7f) {
			tmp[n++] = '\\';
			tmp[n++] = 'x';
			tmp[n++] = hex[c >> 4];
			tmp[n++] = hex[c & 15];
		} else {
			tmp[n++] = (char)c;
		}
		if (o + n >= outlen)
			break;
		for (size_t k = 0; k < n; k++)
			out[o++] = tmp[k];
	}
	out[o] = '\0';
	return out;
}

void log_emit(int level, const char *func, const char *fmt, ...)
{
	struct buf line;
	va_list ap;
	char *esc;
	size_t esclen;

	if (log_file == NULL || level > log_level)
		return;
	buf_init(&line);
	va_start(ap, fmt);
	buf_vappendf(&line, fmt, ap);
	va_end(ap);
	esclen = line.len * 4 + 1;
	esc = malloc(esclen);
	if (esc != NULL) {
		log_escape(esc, esclen, line.data, line.len);
		fprintf(log_file, "%llu %s: %s\n", (unsigned long long)clock_ms(), func, esc);
		fflush(log_file);
		free(esc);
	}
	buf_fini(&line);
}
