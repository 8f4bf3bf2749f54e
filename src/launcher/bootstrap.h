/*
 * Reading the bootstrap conversation: the merged stdout/stderr of ssh (or of
 * the local server) until the server announces itself.
 *
 * Recognised lines (a trailing "\n" removed; anything else is copied to our
 * stdout unchanged, so motd, ssh errors and password-less warnings stay
 * visible):
 *   MOSH IP <addr>[ws]             from our fake proxy; numeric address. A
 *                                  second one is an error.
 *   MOSH SSH_CONNECTION c cp s sp  exactly six words; the fourth value (s, the
 *                                  server's address) is kept as a fallback IP.
 *   MOSH CONNECT <port> <key>[ws]  port 1..65535 in decimal, key exactly 22
 *                                  characters of [A-Za-z0-9/+], then only
 *                                  whitespace (the remote pty adds "\r").
 *                                  This line ends the conversation.
 * A line that starts like one of these but does not match is an error: the
 * other end is not a mosh server we understand. The error quotes the line
 * (escaped), except a MOSH CONNECT line, which may hold a real key. Lines longer than
 * BOOT_LINE_MAX are passed through in pieces and never parsed.
 *
 * What is copied comes from the remote host and reaches the user's terminal
 * before any mosh filter exists, so it is cleaned first (boot_clean): a
 * hostile host or motd must not retitle the window, query the clipboard or
 * the terminal's answerback, or redraw the screen to fake a prompt. A CR
 * that ends a line (the remote pty's CRLF) is kept, as mosh 1.4 shows it.
 */
#ifndef MOSHC_LAUNCHER_BOOTSTRAP_H
#define MOSHC_LAUNCHER_BOOTSTRAP_H

#include <stdbool.h>
#include <stddef.h>

#define BOOT_LINE_MAX 65536
#define BOOT_IP_MAX 256

struct boot_state {
	bool port_range; /* a port range was requested (for the "Bad UDP port" hint) */
	bool have_ip;
	char ip[BOOT_IP_MAX];
	bool have_sship;
	char sship[BOOT_IP_MAX];
	bool connected;
	char port[6];
	char key[23];      /* secret: wiped by boot_fini */
	bool bad_udp_port; /* the server rejected our port range */
};

enum {
	BOOT_OTHER = 0,   /* not ours: show it */
	BOOT_MOSH = 1,    /* MOSH IP / MOSH SSH_CONNECTION, recorded */
	BOOT_CONNECT = 2, /* MOSH CONNECT, recorded: stop reading */
};

void boot_init(struct boot_state *b, bool port_range);
/* Wipe the key. */
void boot_fini(struct boot_state *b);

struct buf;

/*
 * Append to out what of line[0..len) may reach the user's terminal: printable
 * ASCII, tabs and newlines, and valid UTF-8 other than C1 controls. Escape
 * sequences are removed whole (CSI up to its final byte; OSC, DCS, SOS, PM and
 * APC strings up to BEL or ST, or to the end of the piece), as are other C0
 * controls (CR included), DEL, raw C1 bytes and invalid UTF-8. Stateless:
 * each line (or piece of an over-long line) is cleaned on its own.
 */
void boot_clean(const char *line, size_t len, struct buf *out);

/* Classify and record one line (without its "\n"); ERR_PROTO with err filled if malformed. */
int boot_line(struct boot_state *b, const char *line, size_t len, char *err);

/*
 * Read fd until MOSH CONNECT or end of file, writing other lines to out_fd.
 * 0 (see b->connected), ERR_PROTO for a malformed MOSH line, ERR_IO.
 */
int boot_read(struct boot_state *b, int fd, int out_fd, char *err);

/*
 * After MOSH CONNECT: read and discard what follows (the server's banner)
 * until end of file or timeout_ms, so ssh can finish writing and exit
 * normally. Returns whether end of file was reached.
 */
bool boot_drain(int fd, int timeout_ms);

#endif
