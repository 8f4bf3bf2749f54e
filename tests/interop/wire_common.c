/* Shared helpers of the packet-level interop tests; see wire_common.h. */
#include "wire_common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "net/wire.h"
#include "util/clock.h"

static pid_t victim = -1;
static bool victim_is_child;

uint64_t wire_now(void)
{
	return clock_ms();
}

/* Gone or a zombie (an orphaned daemon may never be reaped in a container). */
static bool is_dead(pid_t pid)
{
	char path[64], stat[256];
	FILE *f;
	char *paren;
	bool dead = true;

	if (kill(pid, 0) < 0)
		return true;
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return true;
	if (fgets(stat, sizeof stat, f) != NULL && (paren = strrchr(stat, ')')) != NULL)
		dead = paren[1] == ' ' && paren[2] == 'Z';
	fclose(f);
	return dead;
}

void wire_kill_now(void)
{
	pid_t pid = victim;

	if (pid <= 0)
		return;
	victim = -1;
	if (kill(pid, SIGTERM) == 0) {
		for (int i = 0; i < 40; i++) {
			struct timespec ts = {0, 25 * 1000 * 1000};

			if (victim_is_child && waitpid(pid, NULL, WNOHANG) == pid)
				return;
			if (!victim_is_child && is_dead(pid))
				return;
			nanosleep(&ts, NULL);
		}
		kill(pid, SIGKILL);
		if (victim_is_child)
			waitpid(pid, NULL, 0);
	}
}

static void on_signal(int sig)
{
	/* kill() and waitpid() are async-signal-safe; the rest of exit is not needed. */
	if (victim > 0)
		kill(victim, SIGKILL);
	_exit(128 + sig);
}

void wire_kill_at_exit(pid_t pid, bool is_child)
{
	static bool registered;

	victim = pid;
	victim_is_child = is_child;
	if (!registered) {
		registered = true;
		atexit(wire_kill_now);
		signal(SIGTERM, on_signal);
		signal(SIGINT, on_signal);
		signal(SIGALRM, on_signal);
	}
}

void wire_fail(const char *fmt, ...)
{
	va_list ap;

	printf("not ok 1 - ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n1..1\n");
	fflush(stdout);
	exit(1);
}

bool wire_contains(const uint8_t *h, size_t n, const char *s)
{
	return memmem(h, n, s, strlen(s)) != NULL;
}

void wire_peer_init(struct wire_peer *p, const uint8_t key[16], enum pkt_dir send_dir,
                    uint16_t port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};

	memset(p, 0, sizeof *p);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	p->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (p->fd < 0 || bind(p->fd, (struct sockaddr *)&sin, sizeof sin) < 0)
		wire_fail("UDP socket on 127.0.0.1: %s", strerror(errno));
	p->pkt = pkt_session_new(key, send_dir);
	p->codec = codec_new();
}

void wire_peer_fini(struct wire_peer *p)
{
	close(p->fd);
	pkt_session_free(p->pkt);
	codec_free(p->codec);
}

uint16_t wire_peer_port(const struct wire_peer *p)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;

	if (getsockname(p->fd, (struct sockaddr *)&sin, &len) < 0)
		wire_fail("getsockname: %s", strerror(errno));
	return ntohs(sin.sin_port);
}

void wire_peer_connect(struct wire_peer *p, uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&p->addr;

	memset(&p->addr, 0, sizeof p->addr);
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	p->addrlen = sizeof *sin;
	p->have_addr = true;
}

static int emit(void *user, const uint8_t *frag, size_t len)
{
	struct wire_peer *p = user;
	struct buf d;
	int rc;

	buf_init(&d);
	rc = pkt_seal(p->pkt, wire_now(), frag, len, &d);
	if (rc == 0 && sendto(p->fd, d.data, d.len, 0, (struct sockaddr *)&p->addr, p->addrlen) < 0)
		rc = -1;
	buf_fini(&d);
	return rc;
}

int wire_peer_send(struct wire_peer *p, const struct msg_instruction *in)
{
	if (!p->have_addr)
		return -1;
	return codec_send(p->codec, in, WIRE_FRAG_CHUNK_MAX(WIRE_MTU_IPV4), emit, p);
}

int wire_peer_recv(struct wire_peer *p, int timeout_ms, struct msg_instruction *out)
{
	uint64_t end = wire_now() + (uint64_t)timeout_ms;
	uint8_t dgram[WIRE_RECEIVE_MTU + 1];
	struct buf payload;
	int result = 0;

	buf_init(&payload);
	for (;;) {
		struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
		uint64_t now = wire_now();
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof from;
		bool in_order;
		ssize_t n;
		int rc;

		if (now >= end || poll(&pfd, 1, (int)(end - now)) <= 0)
			break;
		n = recvfrom(p->fd, dgram, sizeof dgram, 0, (struct sockaddr *)&from, &fromlen);
		if (n < 0)
			continue;
		if (pkt_open(p->pkt, wire_now(), dgram, (size_t)n, &payload, &in_order) < 0) {
			p->dropped++;
			continue;
		}
		if (p->follow && in_order) {
			memcpy(&p->addr, &from, fromlen);
			p->addrlen = fromlen;
			p->have_addr = true;
		}
		rc = codec_receive(p->codec, payload.data, payload.len, out);
		if (rc < 0) {
			p->dropped++;
			continue;
		}
		if (rc == 1) {
			p->received++;
			result = 1;
			break;
		}
	}
	buf_fini(&payload);
	return result;
}
