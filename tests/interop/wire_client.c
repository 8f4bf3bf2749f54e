/*
 * Interop, packet level: our crypto/net code as a minimal SSP server that
 * Debian's real mosh-client 1.4 accepts. We generate a key, bind UDP on
 * 127.0.0.1, run `mosh-client 127.0.0.1 PORT` (MOSH_KEY in its environment)
 * on a pty of 80x24, answer its first instruction with a HostMessage holding
 * a marker line and an echo ack, keep sending 1-second empty acks with new
 * state numbers, wait for the marker on the client's terminal output and one
 * acknowledged empty-ack state, then
 * send the shutdown state 2^64-1 and require the client to acknowledge it
 * and exit with status 0. Bounded to 15 s; the client is killed by PID.
 * A TAP skip (exit 0: meson takes 77 from a TAP test as an error) if
 * mosh-client is not installed.
 */
#include "wire_common.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto/key.h"
#include "net/msg.h"
#include "net/wire.h"

#define MOSH_CLIENT "/usr/bin/mosh-client"
#define MARK "mosh-c-marker"

/* Read whatever the client drew; false once the pty is closed. */
static bool drain_pty(int fd, struct buf *screen)
{
	uint8_t tmp[4096];

	for (;;) {
		ssize_t n = read(fd, tmp, sizeof tmp);

		if (n > 0) {
			buf_append(screen, tmp, (size_t)n);
			continue;
		}
		return n < 0 && (errno == EAGAIN || errno == EINTR);
	}
}

int main(void)
{
	static const char marker[] = "\x1b[?25l\n" MARK "\x1b[?25h";
	struct winsize ws = {.ws_row = 24, .ws_col = 80};
	char key_text[KEY_TEXT_LEN + 1], portstr[16];
	uint8_t key[16];
	struct wire_peer peer;
	struct buf screen, diff;
	uint64_t deadline, next_send = 0, last_new_state = 0;
	uint64_t cur = 0, cur_sent = 0, acked = 0, client_newest = 0, client_echo = 0;
	uint64_t shutdown_acked_at = 0;
	size_t instructions = 0;
	bool shutting_down = false, shutdown_acked = false, marker_seen = false;
	int master = -1, status = -1;
	pid_t pid;

	if (access(MOSH_CLIENT, X_OK) != 0) {
		printf("1..0 # SKIP %s not installed (apt-get install mosh)\n", MOSH_CLIENT);
		return 0;
	}
	alarm(30);
	if (key_generate(key) != 0)
		wire_fail("no random key");
	key_encode(key, key_text);
	wire_peer_init(&peer, key, PKT_TO_CLIENT, 0);
	peer.follow = true; /* the server learns the client's address from its datagrams */
	snprintf(portstr, sizeof portstr, "%u", wire_peer_port(&peer));

	pid = forkpty(&master, NULL, NULL, &ws);
	if (pid < 0)
		wire_fail("forkpty: %s", strerror(errno));
	if (pid == 0) {
		setenv("MOSH_KEY", key_text, 1);
		setenv("TERM", "xterm-256color", 1);
		setenv("LANG", "C.UTF-8", 1);
		setenv("LC_ALL", "C.UTF-8", 1);
		execl(MOSH_CLIENT, MOSH_CLIENT, "127.0.0.1", portstr, (char *)NULL);
		_exit(127);
	}
	wire_kill_at_exit(pid, true);
	fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
	buf_init(&screen);
	buf_init(&diff);
	deadline = wire_now() + 15000;

	while (wire_now() < deadline) {
		struct msg_instruction in;
		int r;

		drain_pty(master, &screen);
		marker_seen = marker_seen || wire_contains(screen.data, screen.len, MARK);
		if (shutdown_acked) {
			r = waitpid(pid, &status, WNOHANG);
			if (r == pid)
				break;
			if (wire_now() - shutdown_acked_at > 5000)
				wire_fail("mosh-client acknowledged the shutdown but did not exit");
		}
		/* Our states: 1 = the marker screen; then empty acks 2, 3, ... every second. */
		if (client_newest > 0 && peer.have_addr) {
			uint64_t now = wire_now();

			if (cur == 0) {
				cur = 1;
			} else if (!shutting_down && marker_seen && acked >= 2) {
				/* At least one empty ack was accepted: now end the session. */
				shutting_down = true;
				cur = WIRE_STATE_SHUTDOWN;
			} else if (!shutting_down && acked == cur && now - last_new_state >= 1000) {
				cur++;
			}
			if (cur != cur_sent) {
				cur_sent = cur;
				last_new_state = now;
				next_send = 0;
			}
			if (now >= next_send) {
				struct msg_instruction out = {.old_num = acked,
				                              .new_num = cur,
				                              .ack_num = client_newest,
				                              .throwaway_num = acked};
				struct msg_host_event ev[2] = {
				    {.kind = MSG_HOST_ECHOACK, .echo_ack = client_echo},
				    {.kind = MSG_HOST_BYTES,
				     .bytes = (const uint8_t *)marker,
				     .bytes_len = sizeof marker - 1},
				};

				/* Only the diff from state 0 carries content; later states equal
				 * state 1. */
				if (acked == 0)
					msg_host_encode(ev, 2, &diff);
				else
					buf_clear(&diff);
				out.diff = diff.data;
				out.diff_len = diff.len;
				if (wire_peer_send(&peer, &out) < 0)
					wire_fail("send failed");
				next_send = now + (shutting_down ? 100 : 250);
			}
		}
		if (wire_peer_recv(&peer, 20, &in) != 1)
			continue;
		instructions++;
		if (in.ack_num > acked && in.ack_num <= cur)
			acked = in.ack_num;
		if (shutting_down && in.ack_num == WIRE_STATE_SHUTDOWN && !shutdown_acked) {
			shutdown_acked = true;
			shutdown_acked_at = wire_now();
		}
		if (in.new_num > client_newest && in.new_num != WIRE_STATE_SHUTDOWN) {
			struct msg_user u;

			if (msg_user_decode(in.diff, in.diff_len, &u) != 0)
				wire_fail("client sent a diff that is not a UserMessage");
			/* Echo-ack only states that carried events, as mosh-server does. */
			if (u.n_events > 0 && client_echo == 0)
				client_echo = in.new_num;
			msg_user_release(&u);
			client_newest = in.new_num;
		}
		msg_instruction_release(&in);
	}
	drain_pty(master, &screen);
	if (!marker_seen)
		wire_fail("the marker never appeared on mosh-client's terminal (%zu bytes drawn, "
		          "%zu instructions, our state acked %llu)",
		          screen.len, instructions, (unsigned long long)acked);
	if (!shutdown_acked)
		wire_fail("mosh-client did not acknowledge the shutdown state");
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		wire_fail("mosh-client did not exit 0 after the shutdown (status %d)", status);
	printf("ok 1 - real mosh-client: drew the marker, acked state 2^64-1 and exited 0 "
	       "(%zu instructions decoded, %llu datagrams dropped)\n",
	       instructions, (unsigned long long)peer.dropped);
	printf("1..1\n");
	wire_kill_at_exit(-1, true);
	close(master);
	buf_fini(&screen);
	buf_fini(&diff);
	wire_peer_fini(&peer);
	return 0;
}
