/*
 * Interop, packet level: our crypto/net code as a minimal SSP client against
 * Debian's real mosh-server 1.4. Starts `mosh-server new -p 0 -- /bin/sh`
 * (loopback only), reads MOSH CONNECT and the daemon's pid, sends the first
 * instruction (Resize 80x24, state 1) and then state 2 with the keystrokes
 * "echo wire-test\r", retransmitting until acknowledged and acknowledging the
 * server's states, and requires the server's HostMessages to show both the
 * echoed command and its output line. Bounded to 15 s; the server is killed
 * by PID. A TAP skip (exit 0: meson takes 77 from a TAP test as an error) if
 * mosh-server is not installed.
 */
#include "wire_common.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto/key.h"
#include "net/msg.h"
#include "net/wire.h"

#define MOSH_SERVER "/usr/bin/mosh-server"
#define MARK "wire-test"

/* Run mosh-server; returns when both the CONNECT line and the daemon pid were read. */
static void start_server(uint16_t *port, char key[KEY_TEXT_LEN + 1], pid_t *daemon_pid)
{
	int out[2], err[2];
	char obuf[4096] = "", ebuf[4096] = "";
	size_t olen = 0, elen = 0;
	uint64_t end = wire_now() + 5000;
	bool have_connect = false, have_pid = false;
	pid_t pid;

	if (pipe(out) < 0 || pipe(err) < 0)
		wire_fail("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		wire_fail("fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		setenv("LANG", "C.UTF-8", 1);
		setenv("LC_ALL", "C.UTF-8", 1);
		execl(MOSH_SERVER, MOSH_SERVER, "new", "-i", "127.0.0.1", "-p", "0", "--",
		      "/bin/sh", (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	while (!(have_connect && have_pid) && wire_now() < end) {
		struct pollfd pfd[2] = {{.fd = out[0], .events = POLLIN},
		                        {.fd = err[0], .events = POLLIN}};
		unsigned p;
		int d;
		char *s;

		if (poll(pfd, 2, 100) < 0)
			continue;
		if ((pfd[0].revents & (POLLIN | POLLHUP)) && olen < sizeof obuf - 1) {
			ssize_t n = read(out[0], obuf + olen, sizeof obuf - 1 - olen);

			if (n > 0)
				olen += (size_t)n;
			else
				pfd[0].fd = -1;
			obuf[olen] = '\0';
		}
		if ((pfd[1].revents & (POLLIN | POLLHUP)) && elen < sizeof ebuf - 1) {
			ssize_t n = read(err[0], ebuf + elen, sizeof ebuf - 1 - elen);

			if (n > 0)
				elen += (size_t)n;
			ebuf[elen] = '\0';
		}
		s = strstr(obuf, "MOSH CONNECT ");
		if (!have_connect && s != NULL && sscanf(s, "MOSH CONNECT %u %22s", &p, key) == 2 &&
		    strlen(key) == 22) {
			have_connect = true;
			*port = (uint16_t)p;
		}
		s = strstr(ebuf, "[mosh-server detached, pid = ");
		if (!have_pid && s != NULL &&
		    sscanf(s, "[mosh-server detached, pid = %d]", &d) == 1) {
			have_pid = true;
			*daemon_pid = d;
			wire_kill_at_exit(d, false);
		}
	}
	close(out[0]);
	close(err[0]);
	waitpid(pid, NULL, 0);
	if (!have_connect || !have_pid)
		wire_fail("mosh-server did not start (stdout \"%s\", stderr \"%s\")", obuf, ebuf);
}

int main(void)
{
	static const char keys[] = "echo " MARK "\r";
	struct msg_user_event events[2] = {
	    {.kind = MSG_USER_RESIZE, .width = 80, .height = 24},
	    {.kind = MSG_USER_KEYS, .keys = (const uint8_t *)keys, .keys_len = sizeof keys - 1},
	};
	char key_text[KEY_TEXT_LEN + 1];
	uint8_t key[16];
	uint16_t port = 0;
	pid_t daemon_pid = -1;
	struct wire_peer peer;
	struct buf screen, diff;
	uint64_t cur = 1, acked = 0, peer_newest = 0, deadline, next_send = 0;
	uint64_t *known = NULL;
	size_t nknown = 1, instructions = 0;
	bool need_ack = false, saw_echo = false, saw_output = false;

	if (access(MOSH_SERVER, X_OK) != 0) {
		printf("1..0 # SKIP %s not installed (apt-get install mosh)\n", MOSH_SERVER);
		return 0;
	}
	alarm(30); /* a last resort: SIGALRM kills the server and exits */
	start_server(&port, key_text, &daemon_pid);
	if (key_parse(key_text, key) != 0)
		wire_fail("mosh-server printed a key we cannot parse");
	wire_peer_init(&peer, key, PKT_TO_SERVER, 0);
	wire_peer_connect(&peer, port);
	buf_init(&screen);
	buf_init(&diff);
	known = calloc(4096, sizeof *known); /* server states we hold; state 0 is implicit */
	deadline = wire_now() + 15000;

	while (wire_now() < deadline && !(saw_echo && saw_output)) {
		struct msg_instruction in;

		/* Our state 2 (the keystrokes) exists once state 1 is acknowledged. */
		if (acked >= 1 && cur == 1) {
			cur = 2;
			next_send = 0;
		}
		if (wire_now() >= next_send || need_ack) {
			/* old = what the server acknowledged, so the diff is always applicable. */
			struct msg_instruction out = {.old_num = acked,
			                              .new_num = cur,
			                              .ack_num = peer_newest,
			                              .throwaway_num = acked};

			msg_user_encode(events + acked, (size_t)(cur - acked), &diff);
			out.diff = diff.data;
			out.diff_len = diff.len;
			if (wire_peer_send(&peer, &out) < 0)
				wire_fail("send failed");
			need_ack = false;
			next_send = wire_now() + 200;
		}
		if (wire_peer_recv(&peer, 50, &in) != 1)
			continue;
		instructions++;
		if (in.ack_num > acked && in.ack_num <= cur)
			acked = in.ack_num;
		/* The base must be a state we hold, as in the real receiver. */
		bool have_base = false;

		for (size_t i = 0; i < nknown; i++)
			have_base |= known[i] == in.old_num;
		if (have_base && in.new_num != WIRE_STATE_SHUTDOWN && nknown < 4096) {
			struct msg_host h;

			known[nknown++] = in.new_num;
			if (in.new_num > peer_newest)
				peer_newest = in.new_num;
			need_ack = true;
			if (msg_host_decode(in.diff, in.diff_len, &h) != 0)
				wire_fail("server sent a diff that is not a HostMessage");
			for (size_t i = 0; i < h.n_events; i++)
				if (h.events[i].kind == MSG_HOST_BYTES)
					buf_append(&screen, h.events[i].bytes,
					           h.events[i].bytes_len);
			msg_host_release(&h);
		}
		msg_instruction_release(&in);
		/* The tty's echo of the command, and the command's output on a line of its own. */
		saw_echo = wire_contains(screen.data, screen.len, "echo " MARK);
		for (const uint8_t *p = screen.data; p != NULL && !saw_output;) {
			const uint8_t *m =
			    memmem(p, screen.len - (size_t)(p - screen.data), MARK, strlen(MARK));

			if (m == NULL)
				break;
			if (m - screen.data < 5 || memcmp(m - 5, "echo ", 5) != 0)
				saw_output = true;
			p = m + 1;
		}
	}
	if (!(saw_echo && saw_output))
		wire_fail("no '%s' echo/output from mosh-server within 15 s (acked %llu, "
		          "instructions %zu, drops %llu, %zu screen bytes)",
		          MARK, (unsigned long long)acked, instructions,
		          (unsigned long long)peer.dropped, screen.len);
	if (getenv("WIRE_DEBUG"))
		fwrite(screen.data, 1, screen.len, stderr);
	printf("ok 1 - real mosh-server: %zu instructions decoded, our states acked up to %llu, "
	       "%llu datagrams dropped, echo and output of '%s' seen\n",
	       instructions, (unsigned long long)acked, (unsigned long long)peer.dropped, MARK);
	printf("1..1\n");
	free(known);
	buf_fini(&screen);
	buf_fini(&diff);
	wire_peer_fini(&peer);
	wire_kill_now();
	return 0;
}
