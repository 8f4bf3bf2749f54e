/*
 * The user's side of mosh-client and its main loop (doc/PROTOCOL.md 9.3 "Main
 * loop"): the user's terminal, the escape key, prediction and the
 * notification bar, over a link to the server (client/link.h).
 *
 * One event loop drives the link (keystrokes and resizes out, the server's
 * terminal state in), the user's terminal (stdin in; frames out), signals,
 * and this module's ticker, which draws whenever anything visible changed:
 * each frame is the newest remote framebuffer plus the overlays (predicted
 * local echo, notification bar, title prefix), painted by the client display
 * differ against what was drawn last. When the link ends, the last frame is
 * drawn without overlays and the closing line says why (a mosh-c server may
 * have said: another client attached, or the session was killed).
 */
#ifndef MOSHC_CLIENT_FRONTEND_H
#define MOSHC_CLIENT_FRONTEND_H

#include <stdbool.h>
#include <stdint.h>

#include "client/escape.h"
#include "client/predict.h"
#include "term/tcaps.h"

struct frontend_config {
	const char *ip; /* numeric */
	uint16_t port;
	const uint8_t *key;        /* 16 bytes */
	const struct tcaps *caps;  /* the user's terminal */
	bool term_init;            /* use smcup/rmcup (not MOSH_NO_TERM_INIT) */
	const struct esc_cfg *esc; /* the escape key */
	const char *title_prefix;  /* "" for none */
	enum pred_mode predict;    /* MOSH_PREDICTION_DISPLAY */
	bool predict_overwrite;    /* MOSH_PREDICTION_OVERWRITE=yes */
	bool scrollback;           /* not MOSH_NO_SCROLLBACK: ask for history */
	struct cfwd *fwd;          /* -A/-L/-R (client/forward.h), borrowed; NULL: none */
};

/* Run until the session ends; prints the exit messages and returns the exit status. */
int frontend_run(const struct frontend_config *cfg);

#endif
