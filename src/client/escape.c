/* The escape-key state machine; see escape.h. */
#include "client/escape.h"

#include <stdio.h>
#include <string.h>

static void set_key(struct esc_cfg *c, uint8_t key)
{
	c->enabled = true;
	c->key = key;
	c->pass = key < 0x20 ? (uint8_t)(key + 0x40) : key;
	c->pass2 = (c->pass >= 'A' && c->pass <= 'Z') ? (uint8_t)(c->pass + ('a' - 'A')) : c->pass;
	c->requires_newline = key >= 0x20;
	if (key < 0x20)
		snprintf(c->key_name, sizeof c->key_name, "Ctrl-%c", c->pass);
	else
		snprintf(c->key_name, sizeof c->key_name, "\"%c\"", key);
	snprintf(c->pass_name, sizeof c->pass_name, "\"%c\"", c->pass);
}

void esc_cfg_init(struct esc_cfg *c, const char *env_value)
{
	memset(c, 0, sizeof *c);
	if (env_value != NULL && env_value[0] == '\0')
		return; /* disabled */
	if (env_value != NULL && env_value[1] == '\0') {
		uint8_t k = (uint8_t)env_value[0];

		/* Ctrl-C, Ctrl-D, LF, Ctrl-L and CR must keep their meaning. */
		if (k >= 1 && k <= 127 && k != 0x03 && k != 0x04 && k != 0x0A && k != 0x0C &&
		    k != 0x0D) {
			set_key(c, k);
			return;
		}
	}
	set_key(c, ESC_DEFAULT_KEY);
}

void esc_help_text(const struct esc_cfg *c, char *out, size_t outlen)
{
	if (!c->enabled) {
		snprintf(out, outlen, "%s", "");
		return;
	}
	snprintf(out, outlen, "Commands: Ctrl-Z suspends, \".\" quits, %s gives literal %s",
	         c->pass_name, c->key_name);
}

void esc_quit_hint(const struct esc_cfg *c, char *out, size_t outlen)
{
	if (!c->enabled)
		snprintf(out, outlen, "%s", "");
	else
		snprintf(out, outlen, " [To quit: %s .]", c->key_name);
}

void esc_init(struct esc_state *s, const struct esc_cfg *c)
{
	memset(s, 0, sizeof *s);
	s->cfg = *c;
}

struct esc_result esc_feed(struct esc_state *s, const uint8_t *in, size_t n, struct buf *send)
{
	struct esc_result r = {0};
	const struct esc_cfg *c = &s->cfg;

	while (r.consumed < n) {
		uint8_t b = in[r.consumed++];

		if (s->pending) {
			s->pending = false;
			r.help_off = true;
			if (b == '.') {
				r.event = ESC_EV_QUIT;
			} else if (b == 0x1A) {
				r.event = ESC_EV_SUSPEND;
			} else if (b == c->pass || b == c->pass2) {
				buf_append_byte(send, c->key);
			} else {
				buf_append_byte(send, c->key);
				buf_append_byte(send, b);
			}
			return r;
		}
		if (c->enabled && b == c->key && (s->after_line || !c->requires_newline)) {
			s->pending = true;
			s->after_line = false;
			r.help_on = true;
			return r;
		}
		s->after_line = b == '\n' || b == '\r';
		if (b == 0x0C)
			r.repaint = true;
		buf_append_byte(send, b);
	}
	return r;
}
