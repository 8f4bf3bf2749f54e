/*
 * Terminal capabilities for the display differ (disp.h).
 *
 * The differ emits one algorithm (doc/PROTOCOL.md §6.2) parameterised by what the
 * terminal it paints understands. Two sources:
 *  - the server's fixed set (tcaps_server): ECH, BCE and titles available, no
 *    smcup/rmcup — so the hoststring stays inside the §6.1 vocabulary that a
 *    mosh 1.4 client's emulator understands; tcaps_server_ext adds our
 *    renditions (faint, strikethrough, underline styles and colour) and
 *    OSC 8 hyperlinks for a
 *    client whose hello announced WIRE_FEATURE_RENDITIONS (§15);
 *  - the client's real terminal (tcaps_load): read from terminfo for $TERM
 *    (§10). Titles follow the TERM name prefix, not terminfo, as mosh 1.4 does.
 * A struct tcaps is plain data (strings are copied in), so it can be copied
 * and kept after the terminfo entry is released.
 */
#ifndef MOSHC_TERM_TCAPS_H
#define MOSHC_TERM_TCAPS_H

#include <stdbool.h>

#define TCAPS_STR_MAX 64

struct tcaps {
	bool ech;    /* may erase runs of blanks with CSI n X */
	bool bce;    /* erasing paints the current background colour */
	bool titles; /* may set window/icon titles with OSC 0/1/2 */
	/*
	 * The output is applied to mosh's emulator, not shown on a real terminal:
	 * reproduce the framebuffer exactly (see disp.c) rather than only its look.
	 */
	bool exact;
	/*
	 * The terminal's scrollback is the user's (mosh-c's scrollback mode):
	 * never scroll the whole screen, which would save rows into it; rows
	 * that moved are drawn again instead.
	 */
	bool keep_scrollback;
	/* Renditions beyond mosh 1.4's; without one, the differ draws cells as if
	 * they did not have it (disp_rend_mask). */
	bool faint;    /* SGR 2 */
	bool strike;   /* SGR 9 */
	bool ul_style; /* SGR 4:n, n = 2..5 */
	bool ul_color; /* SGR 58;5;n, 58;2;r;g;b */
	bool links;    /* OSC 8 hyperlinks (tcaps_term_has_links for a real terminal) */
	/* terminfo "colors" (mosh-client -c prints it): 8, 256, ...; -1 when absent. */
	int colors;
	/* Alternate screen on open / off on close; "" when absent (padding stripped). */
	char smcup[TCAPS_STR_MAX];
	char rmcup[TCAPS_STR_MAX];
};

/* The server's fixed capabilities (§6: ECH, BCE, titles, no smcup/rmcup). */
void tcaps_server(struct tcaps *c);
/* tcaps_server plus every rendition (a client with WIRE_FEATURE_RENDITIONS). */
void tcaps_server_ext(struct tcaps *c);

/*
 * Capabilities of terminal type term (usually getenv("TERM")) from terminfo.
 * Returns 0, or ERR_INVAL (term NULL or empty) / ERR_NOTFOUND (no terminfo
 * entry) with a sentence in err (ERR_LEN bytes, may be NULL); c is then left
 * with the most conservative set (no ech, no bce, no titles, no smcup/rmcup,
 * colors -1).
 */
int tcaps_load(struct tcaps *c, const char *term, char *err);

/* Whether a terminal of this type is likely to take OSC 8 hyperlinks: no
 * terminfo capability says so, so a TERM prefix list of terminals known to
 * support them or to ignore unknown OSCs quietly: xterm (also kitty's,
 * VTE's and most others' TERM), tmux, alacritty, foot, wezterm, vte,
 * gnome, konsole, contour, mintty. Not linux, screen, vt*, rxvt or dumb. */
bool tcaps_term_has_links(const char *term);

/* Whether mosh 1.4 sends titles to a terminal of this type (§10 prefix list). */
bool tcaps_term_has_titles(const char *term);

#endif
