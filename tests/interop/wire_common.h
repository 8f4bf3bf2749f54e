/*
 * Shared pieces of the packet-level interop tests: a UDP endpoint speaking
 * mosh datagrams through our crypto/net code (pkt + codec), a deadline, and
 * cleanup of the real mosh process a test started (killed by PID on every
 * exit path, including a harness timeout's SIGTERM).
 */
#ifndef MOSHC_TESTS_WIRE_COMMON_H
#define MOSHC_TESTS_WIRE_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "net/codec.h"
#include "net/pkt.h"

struct wire_peer {
	int fd;
	struct sockaddr_storage addr; /* where datagrams go */
	socklen_t addrlen;
	bool have_addr;
	bool follow; /* server role: move to the source of in-order datagrams */
	struct pkt_session *pkt;
	struct codec *codec;
	uint64_t received, dropped;
};

/* A UDP socket on 127.0.0.1 (port 0 = any) speaking direction send_dir. */
void wire_peer_init(struct wire_peer *p, const uint8_t key[16], enum pkt_dir send_dir,
                    uint16_t port);
void wire_peer_fini(struct wire_peer *p);
uint16_t wire_peer_port(const struct wire_peer *p);
void wire_peer_connect(struct wire_peer *p, uint16_t port);
/* Encode, compress, fragment, seal and send one instruction; < 0 on failure. */
int wire_peer_send(struct wire_peer *p, const struct msg_instruction *in);
/*
 * Wait up to timeout_ms for datagrams; 1 and *out filled (release it) when an
 * instruction is complete, 0 on timeout. Bad datagrams are counted in dropped.
 */
int wire_peer_recv(struct wire_peer *p, int timeout_ms, struct msg_instruction *out);

uint64_t wire_now(void);
/* Printf-style failure: prints "Bail out!"-free diagnostics and exits 1 (cleanup runs). */
_Noreturn void wire_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Kill pid (SIGTERM, then SIGKILL) at exit and on SIGTERM/SIGINT/SIGALRM. */
void wire_kill_at_exit(pid_t pid, bool is_child);
/* Kill it now (idempotent). */
void wire_kill_now(void);
/* True if s occurs in [h, h+n). */
bool wire_contains(const uint8_t *h, size_t n, const char *s);

#endif
