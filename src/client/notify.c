/* The notification bar's logic; see notify.h. */
#include "client/notify.h"

#include <stdio.h>
#include <string.h>

void notify_init(struct notify *n, const char *quit_hint, uint64_t now)
{
	memset(n, 0, sizeof *n);
	n->show_quit_hint = true;
	n->last_heard = now;
	n->last_acked = now;
	snprintf(n->quit_hint, sizeof n->quit_hint, "%s", quit_hint != NULL ? quit_hint : "");
}

/* Copy at most NOTIFY_MSG_MAX bytes without splitting a UTF-8 sequence. */
static void copy_message(struct notify *n, const char *msg)
{
	size_t len = strlen(msg);

	if (len > NOTIFY_MSG_MAX) {
		len = NOTIFY_MSG_MAX;
		while (len > 0 && ((unsigned char)msg[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(n->message, msg, len);
	n->message[len] = '\0';
}

void notify_set(struct notify *n, const char *msg, bool permanent, bool show_quit_hint,
                uint64_t now)
{
	copy_message(n, msg);
	n->expires = permanent ? NOTIFY_NEVER : now + NOTIFY_MESSAGE_MS;
	n->network_error = false;
	n->show_quit_hint = show_quit_hint;
}

void notify_clear(struct notify *n)
{
	n->message[0] = '\0';
	n->network_error = false;
	n->show_quit_hint = true;
}

void notify_clear_if(struct notify *n, const char *msg)
{
	if (strcmp(n->message, msg) == 0)
		notify_clear(n);
}

static bool has_message(const struct notify *n, uint64_t now)
{
	return n->message[0] != '\0' && now < n->expires;
}

const char *notify_message(const struct notify *n, uint64_t now)
{
	return has_message(n, now) ? n->message : "";
}

void notify_network_error(struct notify *n, const char *msg, uint64_t now)
{
	copy_message(n, msg);
	n->expires = now + NOTIFY_NETWORK_ERROR_MS;
	n->network_error = true;
	n->show_quit_hint = true;
}

void notify_network_ok(struct notify *n, uint64_t now)
{
	if (n->network_error && n->expires > now + NOTIFY_MESSAGE_MS)
		n->expires = now + NOTIFY_MESSAGE_MS;
}

void notify_server_heard(struct notify *n, uint64_t ts)
{
	n->last_heard = ts;
}

void notify_server_acked(struct notify *n, uint64_t ts)
{
	n->last_acked = ts;
}

/* Elapsed time that never goes negative, should a stamp lie in the future. */
static uint64_t since(uint64_t now, uint64_t then)
{
	return now > then ? now - then : 0;
}

bool notify_server_late(const struct notify *n, uint64_t now)
{
	return since(now, n->last_heard) > NOTIFY_SERVER_LATE_MS;
}

bool notify_reply_late(const struct notify *n, uint64_t now)
{
	return since(now, n->last_acked) > NOTIFY_REPLY_LATE_MS;
}

void notify_expire(struct notify *n, uint64_t now)
{
	if (n->message[0] != '\0' && now >= n->expires)
		notify_clear(n);
}

void notify_silent_text(char *out, size_t outlen, const char *host, uint16_t port, uint64_t elapsed)
{
	if (elapsed < NOTIFY_FIREWALL_AFTER_MS)
		snprintf(out, outlen, NOTIFY_TEXT_NOTHING_RECEIVED, (unsigned)port);
	else
		snprintf(out, outlen, NOTIFY_TEXT_FIREWALL, host, (unsigned)port,
		         (unsigned)(NOTIFY_FIREWALL_AFTER_MS / 1000));
}

void notify_format_duration(char *out, size_t outlen, uint64_t secs, const char *unit)
{
	unsigned long long s = (unsigned long long)secs;

	if (s < 60)
		snprintf(out, outlen, "%llu %s", s, unit);
	else if (s < 3600)
		snprintf(out, outlen, "%llu:%02llu", s / 60, s % 60);
	else
		snprintf(out, outlen, "%llu:%02llu:%02llu", s / 3600, (s / 60) % 60, s % 60);
}

bool notify_text(const struct notify *n, uint64_t now, struct buf *out)
{
	bool message = has_message(n, now);
	bool late = notify_server_late(n, now) || notify_reply_late(n, now);
	const char *what = "contact";
	uint64_t elapsed = since(now, n->last_heard);
	const char *hint = n->show_quit_hint ? n->quit_hint : "";
	char dur[32];

	buf_clear(out);
	if (!message && !late)
		return false;
	if (notify_reply_late(n, now) && !notify_server_late(n, now)) {
		what = "reply";
		elapsed = since(now, n->last_acked);
	}
	if (!message) {
		notify_format_duration(dur, sizeof dur, elapsed / 1000, "seconds");
		buf_appendf(out, "mosh: Last %s %s ago.%s", what, dur, hint);
	} else if (!late) {
		buf_appendf(out, "mosh: %s%s", n->message, hint);
	} else {
		notify_format_duration(dur, sizeof dur, elapsed / 1000, "s");
		buf_appendf(out, "mosh: %s (%s without %s.)%s", n->message, dur, what, hint);
	}
	return true;
}

uint64_t notify_wait_ms(const struct notify *n, uint64_t now)
{
	uint64_t wait = NOTIFY_NEVER;

	/* An expired message needs no wake-up: the wake-up at its expiry already redrew. */
	if (has_message(n, now) && n->expires != NOTIFY_NEVER)
		wait = n->expires - now;
	if (notify_server_late(n, now) || notify_reply_late(n, now)) {
		uint64_t every = since(now, n->last_heard) > NOTIFY_SLOW_AFTER_MS
		                     ? NOTIFY_SLOW_REFRESH_MS
		                     : NOTIFY_REFRESH_MS;

		if (every < wait)
			wait = every;
	}
	return wait;
}
