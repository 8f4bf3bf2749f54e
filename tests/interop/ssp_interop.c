/*
 * Interop: our SSP client (ssp/transport + user stream + conn) against the
 * real mosh 1.4 server on loopback.
 *
 * Starts `mosh-server new -p 0 -- sh -c 'stty -echo; exec cat > FILE'`,
 * reads "MOSH CONNECT <port> <key>" from its stdout and the daemon's pid from
 * "[mosh-server detached, pid = N]" on stderr, then types 2,000 keystrokes
 * (lines of printable ASCII ended by '\r', which the pty turns into '\n') in
 * small random bursts, waits until FILE holds exactly the typed lines, and
 * initiates the shutdown handshake (state 2^64-1) until the server
 * acknowledges it; the server process must then exit. With the argument
 * "hop", the client instead types one line, then ignores everything it
 * receives until it hops to a new port (10 s without a round trip), then
 * listens again and types another line: the real server must follow it to
 * the new port and the second line must arrive. Everything is bounded
 * in time; the daemon is killed by pid on any failure. Exit 77 only when
 * /usr/bin/mosh-server is missing.
 *
 * The remote (terminal) state is a minimal sink here: it validates each
 * HostMessage and records the echo ack and byte count, which is all an SSP
 * test needs; the real terminal state lives in state/ elsewhere.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto/key.h"
#include "net/msg.h"
#include "net/wire.h"
#include "ssp/transport.h"
#include "state/userstream.h"
#include "util/clock.h"
#include "util/xmalloc.h"

#define MOSH_SERVER "/usr/bin/mosh-server"
#define KEYSTROKES 2000
#define LINE 39

static pid_t daemon_pid = -1, fg_pid = -1;
static char dir[64] = "";
static char file[128];

static void cleanup(void)
{
	if (daemon_pid > 0)
		kill(daemon_pid, SIGKILL);
	if (fg_pid > 0)
		kill(fg_pid, SIGKILL);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	if (dir[0]) {
		unlink(file);
		rmdir(dir);
	}
}

static _Noreturn void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "ssp_interop: FAIL: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

/* The sink for the server's terminal state. */
struct host {
	uint64_t echo_ack;
	uint64_t bytes;
	int width, height;
};

static void *host_copy(const void *s)
{
	return xmemdup(s, sizeof(struct host));
}

static void host_free(void *s)
{
	free(s);
}

static bool host_equal(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct host)) == 0;
}

static void host_diff(const void *from, const void *to, struct buf *out)
{
	/* We never send this state. */
}

static int host_apply(void *state, const uint8_t *diff, size_t len)
{
	struct host *h = state, next = *h;
	struct msg_host m;
	int rc = msg_host_decode(diff, len, &m);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < m.n_events; i++) {
		const struct msg_host_event *e = &m.events[i];

		if (e->kind == MSG_HOST_BYTES) {
			next.bytes += e->bytes_len;
		} else if (e->kind == MSG_HOST_RESIZE) {
			if (e->width <= 0 || e->height <= 0) {
				rc = ERR_RANGE;
				break;
			}
			next.width = e->width;
			next.height = e->height;
		} else if (e->kind == MSG_HOST_ECHOACK) {
			next.echo_ack = e->echo_ack;
		}
	}
	msg_host_release(&m);
	if (rc == 0)
		*h = next;
	return rc;
}

static const struct ssp_state_ops host_ops = {
    .copy = host_copy,
    .free = host_free,
    .equal = host_equal,
    .diff = host_diff,
    .apply = host_apply,
};

/* Run mosh-server and read its CONNECT line and daemon pid (bounded). */
static void start_server(char port[8], char keytext[32])
{
	int out[2], err[2];
	char buf[4096] = "", cmd[256];
	size_t len = 0;
	bool open_out = true, open_err = true;
	uint64_t end = clock_ms() + 10000;
	const char *p;
	int status;

	snprintf(cmd, sizeof(cmd), "stty -echo; exec cat > '%s'", file);
	if (pipe(out) != 0 || pipe(err) != 0)
		fail("pipe: %s", strerror(errno));
	fg_pid = fork();
	if (fg_pid < 0)
		fail("fork: %s", strerror(errno));
	if (fg_pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		unsetenv("LC_ALL");
		unsetenv("LC_CTYPE");
		setenv("LANG", "C.UTF-8", 1);
		execl(MOSH_SERVER, MOSH_SERVER, "new", "-p", "0", "--", "sh", "-c", cmd,
		      (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	/* Stop at EOF or once both lines are in: the daemon may keep the pipes. */
	while ((open_out || open_err) && clock_ms() < end &&
	       !(strstr(buf, "MOSH CONNECT ") && strchr(strstr(buf, "MOSH CONNECT "), '\n') &&
	         strstr(buf, "detached, pid = ") && strchr(strstr(buf, "detached, pid = "), ']'))) {
		struct pollfd pf[2] = {{open_out ? out[0] : -1, POLLIN, 0},
		                       {open_err ? err[0] : -1, POLLIN, 0}};

		if (poll(pf, 2, 500) <= 0)
			continue;
		for (int i = 0; i < 2; i++) {
			ssize_t n;

			if (!(pf[i].revents & (POLLIN | POLLHUP)))
				continue;
			n = read(pf[i].fd, buf + len, sizeof(buf) - 1 - len);
			if (n <= 0) {
				if (i == 0)
					open_out = false;
				else
					open_err = false;
				continue;
			}
			len += (size_t)n;
			buf[len] = '\0';
		}
	}
	close(out[0]);
	close(err[0]);
	for (int i = 0; i < 500 && fg_pid > 0; i++) {
		if (waitpid(fg_pid, &status, WNOHANG) == fg_pid)
			fg_pid = -1;
		else
			usleep(10000);
	}
	p = strstr(buf, "[mosh-server detached, pid = ");
	if (p)
		daemon_pid = (pid_t)atoi(p + strlen("[mosh-server detached, pid = "));
	p = strstr(buf, "MOSH CONNECT ");
	if (!p || sscanf(p, "MOSH CONNECT %7s %22s", port, keytext) != 2)
		fail("no MOSH CONNECT line from mosh-server");
	if (daemon_pid <= 0)
		fail("no daemon pid from mosh-server");
}

static struct ssp_transport *transport;

/* Tick, wait for datagrams (at most max_ms), read them. */
static void step(int max_ms)
{
	int fds[WIRE_MAX_PORTS_OPEN];
	struct pollfd pf[WIRE_MAX_PORTS_OPEN];
	int64_t w = ssp_transport_tick(transport, clock_ms());
	size_t n = conn_fds(ssp_transport_conn(transport), fds, WIRE_MAX_PORTS_OPEN);

	if (w < 0 || w > max_ms)
		w = max_ms;
	for (size_t i = 0; i < n; i++)
		pf[i] = (struct pollfd){fds[i], POLLIN, 0};
	poll(pf, n, (int)w);
	ssp_transport_recv(transport, clock_ms(), 64);
}

static bool file_is(const struct buf *want)
{
	char got[KEYSTROKES * 2];
	int fd = open(file, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, got, sizeof(got));
	close(fd);
	return n == (ssize_t)want->len && memcmp(got, want->data, want->len) == 0;
}

static void type(struct ssp *ssp, struct buf *typed, struct buf *expect, uint8_t c)
{
	buf_append_byte(typed, c);
	buf_append_byte(expect, c == '\r' ? '\n' : c);
	userstream_push_bytes(ssp_current(ssp), &c, 1);
}

/* KEYSTROKES keys in random bursts: lines of LINE printable characters and '\r'. */
static void type_random(struct ssp *ssp, struct buf *typed, struct buf *expect)
{
	uint64_t seed = 12345;
	size_t col = 0, sent = 0;

	while (sent < KEYSTROKES) {
		size_t burst =
		    1 + (seed = seed * 6364136223846793005ull + 1442695040888963407ull) % 12;
		for (size_t i = 0; i < burst && sent < KEYSTROKES; i++, sent++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			if (col == LINE || sent == KEYSTROKES - 1) {
				type(ssp, typed, expect, '\r');
				col = 0;
			} else {
				type(ssp, typed, expect, (uint8_t)(' ' + (seed >> 33) % 95));
				col++;
			}
		}
		step(3);
	}
}

static void wait_for_file(const struct buf *expect, const struct buf *typed)
{
	uint64_t end = clock_ms() + 15000;

	while (!file_is(expect)) {
		if (clock_ms() > end)
			fail("FILE does not hold the %zu typed bytes within 15 s", typed->len);
		step(20);
	}
}

static void type_str(struct ssp *ssp, struct buf *typed, struct buf *expect, const char *s)
{
	while (*s)
		type(ssp, typed, expect, (uint8_t)*s++);
}

/* Go deaf until the client hops; the real server must follow to the new port. */
static void hop_test(struct ssp *ssp, struct buf *typed, struct buf *expect)
{
	struct conn *c = ssp_transport_conn(transport);
	const struct conn_stats *cs = conn_get_stats(c);
	uint8_t junk[WIRE_RECEIVE_MTU + 1];
	struct conn_dgram d;
	uint64_t end, on_new;

	type_str(ssp, typed, expect, "before\r");
	wait_for_file(expect, typed);
	end = clock_ms() + 25000;
	while (cs->hops == 0) {
		if (clock_ms() > end)
			fail("no port hop within 25 s without a round trip");
		ssp_transport_tick(transport, clock_ms());
		while (conn_recv(c, junk, sizeof(junk), &d) != 0)
			;
		usleep(20000);
	}
	printf("phase: hopped to local port %u after %llu datagrams ignored\n", conn_local_port(c),
	       (unsigned long long)cs->received);
	on_new = cs->received_newest;
	type_str(ssp, typed, expect, "after\r");
	end = clock_ms() + 10000;
	while (cs->received_newest == on_new || !file_is(expect)) {
		if (clock_ms() > end)
			fail("the server did not follow the new port (%llu datagrams on it)",
			     (unsigned long long)(cs->received_newest - on_new));
		step(20);
	}
	printf("phase: %llu datagrams from mosh-server on the new port %u\n",
	       (unsigned long long)(cs->received_newest - on_new), conn_local_port(c));
}

int main(int argc, char **argv)
{
	char port[8], keytext[32], err[ERR_LEN];
	uint8_t key[KEY_LEN];
	struct ssp_transport_config cfg = {0};
	struct host *blank;
	struct buf typed, expect;
	struct ssp *ssp;
	uint64_t end, t0 = clock_ms();
	size_t lines = 0;
	int status;
	bool hop = argc > 1 && strcmp(argv[1], "hop") == 0;

	if (access(MOSH_SERVER, X_OK) != 0) {
		printf("skip: %s not installed\n", MOSH_SERVER);
		return 77;
	}
	/* The daemon double-forks away; as subreaper we can wait for it. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	signal(SIGPIPE, SIG_IGN);
	atexit(cleanup);
	strcpy(dir, "/tmp/ssp-interop-XXXXXX");
	if (!mkdtemp(dir)) {
		dir[0] = '\0';
		fail("mkdtemp: %s", strerror(errno));
	}
	snprintf(file, sizeof(file), "%s/typed", dir);

	start_server(port, keytext);
	if (key_parse(keytext, key) != 0)
		fail("bad key from mosh-server");

	cfg.conn = conn_client_new("127.0.0.1", port, clock_ms(), err);
	if (!cfg.conn)
		fail("%s", err);
	blank = xcalloc(1, sizeof(*blank));
	cfg.key = key;
	cfg.send_dir = PKT_TO_SERVER;
	cfg.local_ops = &userstream_ops;
	cfg.local_initial = userstream_new();
	cfg.remote_ops = &host_ops;
	cfg.remote_initial = blank;
	cfg.send_mindelay = SSP_SEND_MINDELAY_CLIENT;
	transport = ssp_transport_new(&cfg, clock_ms());
	ssp = ssp_transport_ssp(transport);

	/* Like mosh-client: a Resize first; wait for the server's first state. */
	userstream_push_resize(ssp_current(ssp), 80, 24);
	end = clock_ms() + 10000;
	while (ssp_remote_num(ssp) == 0 || ssp_acked_num(ssp) == 0) {
		if (clock_ms() > end)
			fail("no state from mosh-server within 10 s");
		step(50);
	}
	printf("phase: first server state at %.1f s\n", (double)(clock_ms() - t0) / 1000.0);
	/* Give the released shell a moment to run stty. */
	end = clock_ms() + 300;
	while (clock_ms() < end)
		step(20);

	buf_init(&typed);
	buf_init(&expect);
	if (hop)
		hop_test(ssp, &typed, &expect);
	else
		type_random(ssp, &typed, &expect);
	wait_for_file(&expect, &typed);
	for (size_t i = 0; i < expect.len; i++)
		lines += expect.data[i] == '\n';
	printf("typed %zu keystrokes (%zu lines); FILE matches; %llu client states, server "
	       "echo ack %llu\n",
	       typed.len, lines, (unsigned long long)ssp_sent_num(ssp),
	       (unsigned long long)((const struct host *)ssp_remote(ssp))->echo_ack);

	printf("phase: typed and stored at %.1f s\n", (double)(clock_ms() - t0) / 1000.0);
	ssp_start_shutdown(ssp, clock_ms());
	while (!ssp_shutdown_acknowledged(ssp)) {
		if (ssp_shutdown_timed_out(ssp, clock_ms()))
			fail("mosh-server did not acknowledge the shutdown");
		step(20);
	}
	printf("phase: shutdown acknowledged at %.1f s\n", (double)(clock_ms() - t0) / 1000.0);
	end = clock_ms() + 10000;
	for (;;) {
		pid_t r = waitpid(daemon_pid, &status, WNOHANG);

		if (r == daemon_pid) {
			daemon_pid = -1;
			break;
		}
		if (r < 0 && errno == ECHILD && kill(daemon_pid, 0) != 0) {
			daemon_pid = -1;
			break;
		}
		if (clock_ms() > end)
			fail("mosh-server did not exit after the shutdown handshake");
		step(20);
	}
	printf("shutdown acknowledged and mosh-server exited; %.1f s in all; drops: pkt %llu "
	       "codec %llu ssp %llu\n",
	       (double)(clock_ms() - t0) / 1000.0,
	       (unsigned long long)ssp_transport_stats(transport)->pkt_dropped,
	       (unsigned long long)ssp_transport_stats(transport)->codec_dropped,
	       (unsigned long long)ssp_transport_stats(transport)->ssp_rejected);
	if (!file_is(&expect))
		fail("FILE changed after shutdown");
	ssp_transport_free(transport);
	buf_fini(&typed);
	buf_fini(&expect);
	return 0;
}
