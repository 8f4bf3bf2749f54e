/*
 * The escape key (doc/PROTOCOL.md 7.9) as a pure state machine over the user's
 * bytes: no I/O, no clock, so the integrator and the tests drive it alike.
 *
 * Configuration (esc_cfg_init): default escape Ctrl-^ (0x1E) with pass key
 * '^'. MOSH_ESCAPE_KEY of exactly one character 1..127 chooses another one,
 * except 0x03, 0x04, 0x0A, 0x0C, 0x0D (which the session needs) that revert
 * to the default, as does any other value; an empty value disables escapes.
 * A control character's pass key is the character + 0x40, with the lower
 * case also accepted for letters (Ctrl-B: "B" or "b"); a printable escape
 * character is its own pass key and only counts right after CR or LF was
 * typed (ssh-style "~.").
 *
 * Feeding: esc_feed() consumes bytes, appends what must be sent to the server
 * to `send`, and stops after any byte that needs the caller: the escape
 * (show the help), the key after it (hide the help; maybe quit or suspend).
 * The caller loops until all bytes are consumed, acting on each result in
 * order. After ESC_EV_QUIT the caller normally drops the rest of the read.
 *
 * Invariants: `pending` is true exactly between an escape and the next byte;
 * the escape itself is never sent except as the result of the pass key or
 * an unrecognised second key.
 */
#ifndef MOSHC_CLIENT_ESCAPE_H
#define MOSHC_CLIENT_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define ESC_DEFAULT_KEY 0x1E

struct esc_cfg {
	bool enabled;
	uint8_t key;           /* the escape character */
	uint8_t pass, pass2;   /* second keys that send the escape character itself */
	bool requires_newline; /* printable escape: only right after CR/LF */
	char key_name[16];     /* "Ctrl-^" or "\"~\"" */
	char pass_name[8];     /* "\"^\"" */
};

/* Configure from MOSH_ESCAPE_KEY's value (NULL: unset). */
void esc_cfg_init(struct esc_cfg *c, const char *env_value);

/*
 * The help shown while waiting for the second key:
 * Commands: Ctrl-Z suspends, "." quits, "^" gives literal Ctrl-^
 */
void esc_help_text(const struct esc_cfg *c, char *out, size_t outlen);

/* The notification bar's quit hint: " [To quit: Ctrl-^ .]" ("" when disabled). */
void esc_quit_hint(const struct esc_cfg *c, char *out, size_t outlen);

struct esc_state {
	struct esc_cfg cfg;
	bool pending;    /* an escape was typed; waiting for its second key */
	bool after_line; /* the last byte typed was CR or LF */
};

void esc_init(struct esc_state *s, const struct esc_cfg *c);

enum esc_event {
	ESC_EV_NONE,
	ESC_EV_QUIT,    /* escape "." */
	ESC_EV_SUSPEND, /* escape Ctrl-Z */
};

struct esc_result {
	size_t consumed;      /* bytes of the input used */
	enum esc_event event; /* what to do now (after the bytes appended so far) */
	bool help_on;         /* show the help (permanent, without the quit hint) */
	bool help_off;        /* remove the help if it is still showing */
	bool repaint;         /* Ctrl-L was typed (it is also sent): full repaint */
};

/* Consume bytes from in[0..n) until one needs the caller; see the header comment. */
struct esc_result esc_feed(struct esc_state *s, const uint8_t *in, size_t n, struct buf *send);

#endif
