/*
 * The bootstrap line parser on arbitrary ssh output. Input: one flag byte
 * (bit 0: a port range was requested), then the text, cut into lines at '\n'
 * the way boot_read does. Whatever the bytes, a recorded result must be
 * well-formed: a CONNECT has a 1..65535 decimal port and a 22-character key
 * from [A-Za-z0-9/+], an IP is non-empty and NUL-free, and a malformed MOSH
 * line is an error, never a half-recorded state. Every line, cleaned for
 * the terminal (boot_clean), holds no ESC, no C0 but tab and newline, no DEL,
 * no C1 and only valid UTF-8.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "launcher/bootstrap.h"
#include "util/buf.h"
#include "util/bytes.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_connect(const struct boot_state *b)
{
	size_t n = strlen(b->port);
	long port = atol(b->port);

	if (n < 1 || n > 5 || port < 1 || port > 65535 || strspn(b->port, "0123456789") != n)
		abort();
	if (strlen(b->key) != 22)
		abort();
	for (int i = 0; i < 22; i++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+",
		           b->key[i]) == NULL)
			abort();
}

static void check_clean(const char *line, size_t len)
{
	struct buf o;
	const uint8_t *p, *end;

	buf_init(&o);
	boot_clean(line, len, &o);
	if (o.len > len)
		abort();
	p = o.len > 0 ? o.data : (const uint8_t *)"";
	end = p + o.len;
	while (p < end) {
		uint32_t cp;
		size_t n;

		if (*p < 0x80) {
			if ((*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7F)
				abort();
			p++;
			continue;
		}
		n = bytes_utf8_char(p, (size_t)(end - p), &cp);
		if (n == 0 || cp < 0xA0)
			abort();
		p += n;
	}
	buf_fini(&o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct boot_state b;
	const char *p, *end;
	char err[ERR_LEN];

	if (size < 1)
		return 0;
	boot_init(&b, data[0] & 1);
	p = (const char *)data + 1;
	end = (const char *)data + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		bool had_ip = b.have_ip;
		int rc = boot_line(&b, p, len, err);

		check_clean(p, len);
		if (rc < 0) {
			if (b.connected || b.have_ip != had_ip || strlen(err) == 0)
				abort();
			break;
		}
		if (b.have_ip && (b.ip[0] == '\0' || strlen(b.ip) >= BOOT_IP_MAX))
			abort();
		if (rc == BOOT_CONNECT) {
			check_connect(&b);
			break;
		}
		p += len + 1;
	}
	boot_fini(&b);
	return 0;
}
