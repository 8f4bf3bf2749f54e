/* The bootstrap line protocol; see bootstrap.h. */
#include "launcher/bootstrap.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "launcher/resolve.h"
#include "util/buf.h"
#include "util/bytes.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/log.h"

#define P_IP "MOSH IP "
#define P_SSHC "MOSH SSH_CONNECTION "
#define P_CONNECT "MOSH CONNECT "

void boot_init(struct boot_state *b, bool port_range)
{
	memset(b, 0, sizeof *b);
	b->port_range = port_range;
}

void boot_fini(struct boot_state *b)
{
	explicit_bzero(b->key, sizeof b->key);
}

/* Perl's \s, which is what mosh 1.4 accepts around these fields. */
static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool starts(const char *line, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(line, prefix, n) == 0;
}

static bool only_ws(const char *p, const char *end)
{
	for (; p < end; p++)
		if (!is_ws(*p))
			return false;
	return true;
}

static bool is_key_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '/' || c == '+';
}

/* A printable, bounded copy of a bad line for the error message. */
static int bad_line(char *err, const char *what, const char *line, size_t len)
{
	char esc[160];

	log_escape(esc, sizeof esc, line, len);
	return err_set(err, ERR_PROTO, "bad %s line from the server side: %s", what, esc);
}

static int parse_ip(struct boot_state *b, const char *line, size_t len, char *err)
{
	const char *p = line + strlen(P_IP), *end = line + len, *tok = p;

	if (b->have_ip)
		return err_set(err, ERR_PROTO,
		               "a second MOSH IP line tried to change the server "
		               "address");
	while (p < end && !is_ws(*p))
		p++;
	if (p == tok || (size_t)(p - tok) >= sizeof b->ip || !only_ws(p, end) ||
	    memchr(tok, '\0', (size_t)(p - tok)))
		return bad_line(err, "MOSH IP", line, len);
	memcpy(b->ip, tok, (size_t)(p - tok));
	b->ip[p - tok] = '\0';
	if (!resolve_is_numeric(b->ip))
		return bad_line(err, "MOSH IP", line, len);
	b->have_ip = true;
	return BOOT_MOSH;
}

static int parse_sshc(struct boot_state *b, const char *line, size_t len, char *err)
{
	const char *p = line, *end = line + len, *w[7];
	size_t wl[7], n = 0;

	while (p < end) {
		while (p < end && is_ws(*p))
			p++;
		if (p == end)
			break;
		if (n == 7)
			return bad_line(err, "MOSH SSH_CONNECTION", line, len);
		w[n] = p;
		while (p < end && !is_ws(*p))
			p++;
		wl[n] = (size_t)(p - w[n]);
		n++;
	}
	if (n != 6 || wl[4] >= sizeof b->sship || memchr(w[4], '\0', wl[4]))
		return bad_line(err, "MOSH SSH_CONNECTION", line, len);
	memcpy(b->sship, w[4], wl[4]);
	b->sship[wl[4]] = '\0';
	b->have_sship = true;
	return BOOT_MOSH;
}

/* Unlike the other lines, a CONNECT line is never echoed: it may carry a real key. */
static int bad_connect(char *err, size_t len)
{
	return err_set(err, ERR_PROTO,
	               "bad MOSH CONNECT line from the server side (%zu bytes, not shown because "
	               "it may hold the session key)",
	               len);
}

static int parse_connect(struct boot_state *b, const char *line, size_t len, char *err)
{
	const char *p = line + strlen(P_CONNECT), *end = line + len, *digits = p;
	long port = 0;

	while (p < end && *p >= '0' && *p <= '9' && p - digits < 6)
		port = port * 10 + (*p++ - '0');
	if (p == digits || p - digits > 5 || port < 1 || port > 65535 || p == end || *p != ' ')
		return bad_connect(err, len);
	memcpy(b->port, digits, (size_t)(p - digits));
	b->port[p - digits] = '\0';
	p++;
	if (end - p < 22)
		return bad_connect(err, len);
	for (int i = 0; i < 22; i++)
		if (!is_key_char(p[i]))
			return bad_connect(err, len);
	if (!only_ws(p + 22, end))
		return bad_connect(err, len);
	memcpy(b->key, p, 22);
	b->key[22] = '\0';
	b->connected = true;
	return BOOT_CONNECT;
}

int boot_line(struct boot_state *b, const char *line, size_t len, char *err)
{
	if (starts(line, len, P_IP))
		return parse_ip(b, line, len, err);
	if (starts(line, len, P_SSHC))
		return parse_sshc(b, line, len, err);
	if (starts(line, len, P_CONNECT))
		return parse_connect(b, line, len, err);
	if (b->port_range && memmem(line, len, "Bad UDP port", 12) != NULL)
		b->bad_udp_port = true;
	return BOOT_OTHER;
}

/* Length of the escape sequence at p[0] == ESC (at most end - p). */
static size_t esc_len(const uint8_t *p, const uint8_t *end)
{
	const uint8_t *q = p + 1;

	if (q == end)
		return 1;
	if (*q == '[') {
		/* CSI: parameters and intermediates (0x20..0x3F), then a final. */
		for (q++; q < end && *q >= 0x20 && *q <= 0x3F; q++)
			;
		return (size_t)(q - p) + (q < end && *q >= 0x40 && *q <= 0x7E);
	}
	if (*q == ']' || *q == 'P' || *q == 'X' || *q == '^' || *q == '_') {
		/* A control string: up to BEL or ST (ESC \), included. */
		for (q++; q < end; q++) {
			if (*q == 0x07)
				return (size_t)(q + 1 - p);
			if (*q == 0x1B && q + 1 < end && q[1] == '\\')
				return (size_t)(q + 2 - p);
		}
		return (size_t)(end - p);
	}
	/* ESC, intermediates, one final. */
	while (q < end && *q >= 0x20 && *q <= 0x2F)
		q++;
	return (size_t)(q - p) + (q < end && *q >= 0x30 && *q <= 0x7E);
}

void boot_clean(const char *line, size_t len, struct buf *out)
{
	const uint8_t *p = (const uint8_t *)line, *end = p + len;

	while (p < end) {
		uint32_t cp;
		size_t n;

		if (*p == 0x1B) {
			p += esc_len(p, end);
		} else if (*p < 0x80) {
			if ((*p >= 0x20 && *p < 0x7F) || *p == '\t' || *p == '\n')
				buf_append_byte(out, *p);
			p++;
		} else if ((n = bytes_utf8_char(p, (size_t)(end - p), &cp)) > 0) {
			if (cp >= 0xA0)
				buf_append(out, p, n);
			p += n;
		} else {
			p++;
		}
	}
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ERR_IO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int boot_read(struct boot_state *b, int fd, int out_fd, char *err)
{
	struct buf in, shown;
	char chunk[4096];
	bool eof = false, continuing = false;
	int rc = 0;

	buf_init(&in);
	buf_init(&shown);
	while (rc == 0 && !b->connected) {
		const char *nl = in.len ? memchr(in.data, '\n', in.len) : NULL;
		bool piece;
		size_t len;
		int kind = BOOT_OTHER;

		if (!eof && nl == NULL && in.len < BOOT_LINE_MAX) {
			ssize_t n = read(fd, chunk, sizeof chunk);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				rc = err_set(err, ERR_IO, "reading from ssh: %s", strerror(errno));
				break;
			}
			if (n == 0)
				eof = true;
			else
				buf_append(&in, chunk, (size_t)n);
			continue;
		}
		if (in.len == 0)
			break;
		/* A whole line, the unterminated last line, or a piece of an over-long line. */
		piece = nl == NULL && !eof;
		len = nl ? (size_t)(nl - (const char *)in.data) : in.len;
		if (!piece && !continuing && len < BOOT_LINE_MAX)
			kind = boot_line(b, (const char *)in.data, len, err);
		if (kind < 0) {
			rc = kind;
		} else if (kind == BOOT_OTHER) {
			buf_clear(&shown);
			boot_clean((const char *)in.data, len, &shown);
			/* A CR that ends a line is the remote pty's CRLF: kept, as mosh
			 * 1.4 shows it (a CR anywhere else could overwrite the line). */
			if (!piece && len > 0 && in.data[len - 1] == '\r')
				buf_append_byte(&shown, '\r');
			if (!piece)
				buf_append_byte(&shown, '\n');
			/* Our stdout going away must not stop the session from starting. */
			if (shown.len > 0)
				(void)write_all(out_fd, shown.data, shown.len);
		}
		continuing = piece;
		buf_consume(&in, nl ? len + 1 : len);
	}
	explicit_bzero(chunk, sizeof chunk);
	if (in.data)
		explicit_bzero(in.data, in.cap);
	buf_fini(&in);
	buf_fini(&shown);
	return rc;
}

bool boot_drain(int fd, int timeout_ms)
{
	uint64_t deadline = clock_ms() + (uint64_t)timeout_ms;
	char chunk[4096];

	for (;;) {
		uint64_t now = clock_ms();
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;
		int r;

		if (now >= deadline)
			return false;
		r = poll(&p, 1, (int)(deadline - now));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return true;
	}
}
