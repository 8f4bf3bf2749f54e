/*
 * OSC string rules (see oscsafe.h): pure checks over bytes, no allocation.
 * They accept exactly what the emulator stores from a well-behaved program,
 * so checking again in the display never changes a well-behaved session.
 */
#include "term/oscsafe.h"

#include <stdint.h>

#include "term/utf8.h"

bool oscsafe_text(const char *s, size_t len)
{
	const uint8_t *u = (const uint8_t *)s;
	size_t i = 0;

	if (len > OSCSAFE_TEXT_MAX)
		return false;
	while (i < len) {
		uint32_t cp;
		size_t n;

		if (u[i] < 0x80) {
			if (u[i] < 0x20 || u[i] == 0x7F)
				return false;
			i++;
			continue;
		}
		n = utf8_decode_valid(u + i, len - i, &cp);
		if (n == 0 || cp < 0xA0)
			return false;
		i += n;
	}
	return true;
}

static bool base64_char(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

bool oscsafe_clipboard(const char *s, size_t len)
{
	const uint8_t *u = (const uint8_t *)s;
	size_t body = len;

	if (len > OSCSAFE_CLIPBOARD_MAX || len % 4 != 0)
		return false;
	/* Up to two pad characters end the last quantum; any other '=' fails below. */
	for (int pad = 0; pad < 2 && body > 0 && u[body - 1] == '='; pad++)
		body--;
	for (size_t i = 0; i < body; i++) {
		if (!base64_char(u[i]))
			return false;
	}
	return true;
}
