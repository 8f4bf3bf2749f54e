/*
 * What the client lets a server (and the server lets a program) put in the
 * OSC strings it forwards to the user's terminal: window title, icon name and
 * OSC 52 clipboard. The emulator applies these rules when it stores a string
 * (so a rejected one never enters a framebuffer, on either side), and the
 * display checks them again before writing (defence in depth).
 *
 * Rules:
 *  - text (title, icon name): valid UTF-8 (shortest form, no surrogates), no
 *    C0 control, DEL or C1 control (U+0080..U+009F): nothing that could end
 *    the OSC or start another sequence; at most OSCSAFE_TEXT_MAX bytes.
 *  - clipboard: only a *set* of selection `c` (mosh 1.4 keeps no other
 *    selection and writes `52;c;`) whose data is RFC 4648 base64 (alphabet
 *    A-Z a-z 0-9 + /, length a multiple of 4, `=` padding only in the last
 *    two places); so the query `?`, which asks the local terminal to send its
 *    clipboard back into the session, is never forwarded. At most
 *    OSCSAFE_CLIPBOARD_MAX bytes.
 */
#ifndef MOSHC_TERM_OSCSAFE_H
#define MOSHC_TERM_OSCSAFE_H

#include <stdbool.h>
#include <stddef.h>

#include "term/vtparse.h"

/* A title keeps at most 254 characters (mosh's 256-character OSC prefix), 4
 * bytes each at most, plus the client's "[mosh] " prefix. */
#define OSCSAFE_TEXT_MAX 1024
/* The OSC buffer keeps VTPARSE_OSC_MAX characters, "52;c;" takes 5, and a
 * string that filled the buffer may have been cut: the rest is the cap. */
#define OSCSAFE_CLIPBOARD_MAX (VTPARSE_OSC_MAX - 6)

/* True when s[0..len) may be written as a title or icon name. */
bool oscsafe_text(const char *s, size_t len);
/* True when s[0..len) may be written as OSC 52 clipboard data. */
bool oscsafe_clipboard(const char *s, size_t len);

#endif
