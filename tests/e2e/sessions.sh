#!/bin/sh
# shellcheck disable=SC1091,SC2016,SC2034 # libraries sourced by path; typed text is for the remote shell; TMUX_SESSION is read by tmux.sh
# A session outlives its client (issue 10), end to end on loopback under tmux:
#  1. a session named s1 runs /bin/sh; its first client (through a recording
#     forwarder, tests/lib/udp_record.py) runs a command that appends a line
#     to a file, prints a marker and the shell's $$, and leaves a second
#     command line typed without Enter; then the forwarder holds back (but
#     records) the keystrokes of a line that would append to the file again,
#     and the client is killed with SIGKILL;
#  2. `list` shows the session detached; `list --json` parses and has the
#     documented fields; `attach` gives a new port and a new key; a new client
#     ($ATTACH_CLIENT_BIN: ours, or Debian's mosh-client for the interop
#     variant) shows the marker and the same $$ (time printed);
#  3. every datagram the first client sent, the held ones included, is
#     replayed to the old and the new port: nothing changes (the file has one line, the new client's screen
#     and the pending command line are as they were, it still drives the shell);
#  4. `mosh --local --attach=s1` takes the session over from the live client
#     (whose keystrokes no longer reach the shell) and shows its screen;
#  5. an attach while that client is alive: it exits 0 saying
#     "session attached from 127.0.0.1";
#  6. `mosh-server kill s1`: the attached client exits 0 saying the session
#     was ended by mosh-server kill; the server and its socket are gone.
# Usage: sessions.sh [BUILD_DIR]   (TAP; a skip point when tmux or a program is missing)
set -u
TESTLIB=${TESTLIB:-$(cd "$(dirname "$0")/../lib" && pwd)}
MOSHC_BUILD=${1:-${MOSHC_BUILD:-build}}
MOSHC_BUILD=$(cd "$MOSHC_BUILD" && pwd)
. "$TESTLIB/common.sh"
. "$TESTLIB/tmux.sh"
. "$TESTLIB/mosh.sh"
. "$TESTLIB/sessions.sh"

SERVER=$MOSHC_BUILD/mosh-server
CLIENT=$MOSHC_BUILD/mosh-client
ATTACH_CLIENT_BIN=${ATTACH_CLIENT_BIN:-$CLIENT}

test_init sessions
require_prog tmux python3 "$SERVER" "$CLIENT" "$ATTACH_CLIENT_BIN" "$MOSHC_BUILD/mosh"
tap_ok "a private XDG_RUNTIME_DIR" sessions_init "$SERVER" || tap_done
export PS1='$ ' HOME="$TEST_TMP" ENV=
MOSH_PREDICTION_DISPLAY=never # the screen shows only what the server echoed
export MOSH_PREDICTION_DISPLAY
ran="$TEST_TMP/ran"

tap_ok "mosh-server new --name s1 starts" \
	mosh_server_start "$SERVER" --name s1 -i 127.0.0.1 -p 0 -- /bin/sh || tap_done
server_pid=$MOSH_SERVER_PID
old_port=$MOSH_SERVER_PORT
old_key=$MOSH_SERVER_KEY
id=$(session_field s1 id)
tap_ok "list --json names the session s1 ($id) with the server's PID" \
	test "$(session_field s1 pid)" = "$server_pid"

"$TESTLIB/udp_record.py" forward --target "127.0.0.1:$old_port" --record "$TEST_TMP/client1.rec" \
	--ready-file "$TEST_TMP/rec.ready" --exit-after 150 >"$TEST_TMP/rec.log" 2>&1 </dev/null &
rec_pid=$!
track_pid "$rec_pid"
tap_ok "the recording forwarder starts" wait_for_file "$TEST_TMP/rec.ready" 5 || tap_done
tap_ok "the first client starts (through the recorder)" \
	tmux_start c1 80 24 "$(mosh_client_cmd "$CLIENT" 127.0.0.1 "$(cat "$TEST_TMP/rec.ready")")" ||
	tap_done
tap_ok "the prompt arrives" tmux_wait_for '$' 20 || tap_done
tmux_type "echo ran >>'$ran'; clear; echo marker-\$((6*7)) pid=\$\$"
tmux_keys Enter
tap_ok "the marker shows" tmux_wait_for marker-42 10 || tap_done
shell_pid=$(tmux_screen | sed -n 's/^marker-42 pid=\([0-9][0-9]*\).*/\1/p')
tmux_type 'echo pend'
tap_ok "a command line typed without Enter shows" tmux_wait_for '$ echo pend' 10
tap_ok "list: attached, from 127.0.0.1" session_is s1 attached

# Keystrokes the server never sees: the recorder holds them back. Replayed
# after the attach, they are the one thing the old link has not had yet.
_record_size() {
	python3 -c 'import os, sys; print(os.path.getsize(sys.argv[1]))' "$TEST_TMP/client1.rec"
}
before_hold=$(_record_size)
kill -USR1 "$rec_pid"
tmux_keys C-u
tmux_type "echo stolen >>'$ran'"
tmux_keys Enter
sleep 1.5
tap_ok "keystrokes held back from the server were recorded" test "$(_record_size)" -gt "$before_hold"
tap_ok "the held keystrokes did not reach the shell" test "$(wc -l <"$ran")" -eq 1

c1_pid=$(pane_client_pid)
kill -KILL "$c1_pid"
t0=$(now_ms)
tap_ok "after SIGKILL of its client, list says detached (within 15 s)" \
	retry_until 15 session_is s1 detached
tap_diag "detached after $(($(now_ms) - t0)) ms"
kill -TERM "$rec_pid" && wait_pid_exit "$rec_pid" 5 && untrack_pid "$rec_pid"
recorded=$(python3 -c 'import sys; print(len(open(sys.argv[1], "rb").read()))' "$TEST_TMP/client1.rec")
tap_ok "the first client's datagrams were recorded ($recorded bytes)" test "$recorded" -gt 200

_json_fields() {
	sessions_json | python3 -c '
import json, sys
want = {"id": str, "name": str, "pid": int, "state": str, "client_addr": str,
        "idle_s": int, "age_s": int, "rows": int, "cols": int, "command": str}
(s,) = json.load(sys.stdin)
for k, t in want.items():
    assert type(s[k]) is t, (k, s[k])
assert s["id"] == sys.argv[1] and s["name"] == "s1" and s["pid"] == int(sys.argv[2]), s
assert s["state"] == "detached" and s["client_addr"] == "127.0.0.1", s
assert s["idle_s"] >= 10 and s["age_s"] >= s["idle_s"], s
assert (s["rows"], s["cols"]) == (24, 80) and s["command"] == "/bin/sh", s' "$id" "$server_pid"
}
tap_ok "list --json parses and has the documented fields and values" _json_fields
tap_ok "the plain list shows the ID, the name and 'detached'" \
	sh -c "'$SERVER' list | grep -qE '^$id +s1 +$server_pid +detached '"

tap_ok "mosh-server attach s1 prints a MOSH CONNECT line" session_attach s1 -p 0 || tap_done
new_port=$ATTACH_PORT
tap_ok "attach gives a fresh key" test "$MOSH_SERVER_KEY" != "$old_key"
tap_ok "attach gives another port" test "$new_port" != "$old_port"
tap_ok "the server stays the same process" pid_alive "$server_pid"
# The new client goes through a forwarder that, 50 ms after the client's
# first datagram, replays the first client's record to the old port for
# 1.5 s: while the old link is being retired and its port still open.
"$TESTLIB/udp_record.py" forward --target "127.0.0.1:$new_port" --record "$TEST_TMP/client2.rec" \
	--ready-file "$TEST_TMP/rec2.ready" --exit-after 150 --replay-record "$TEST_TMP/client1.rec" \
	--replay-to "127.0.0.1:$old_port" --replay-count-file "$TEST_TMP/attack.count" \
	>"$TEST_TMP/rec2.log" 2>&1 </dev/null &
track_pid $!
tap_ok "the attacking forwarder starts" wait_for_file "$TEST_TMP/rec2.ready" 5 || tap_done
t0=$(now_ms)
tap_ok "the new client ($ATTACH_CLIENT_BIN) starts" \
	tmux_start c2 80 24 "$(mosh_client_cmd "$ATTACH_CLIENT_BIN" 127.0.0.1 "$(cat "$TEST_TMP/rec2.ready")")" ||
	tap_done
tap_ok "the new client shows the marker and the same \$\$ ($shell_pid)" \
	tmux_wait_for "marker-42 pid=$shell_pid" 10
t1=$(now_ms)
tap_diag "attach to screen shown: $((t1 - t0)) ms (the issue asks for 2 s on loopback)"
tap_ok "the new client shows the pending command line" tmux_wait_for '$ echo pend' 5
tap_ok "list: attached again" retry_until 5 session_is s1 attached
tap_ok "the timed replay to the old port is over" wait_for_file "$TEST_TMP/attack.count" 10
tap_diag "replayed $(cat "$TEST_TMP/attack.count") datagrams to the retiring link's port $old_port"

# The old link is retired but still ends its shutdown handshake on its port
# for a while. A replayed datagram that took effect would add a line to $ran,
# change the pending command line, or take the session back to the first link
# (the new client would lose it).
tmux_screen >"$TEST_TMP/before-replay.screen"
for port in "$old_port" "$new_port"; do
	n=$("$TESTLIB/udp_record.py" replay --record "$TEST_TMP/client1.rec" --to "127.0.0.1:$port")
	tap_diag "replayed $n datagrams to port $port"
done
sleep 2
tmux_screen >"$TEST_TMP/after-replay.screen"
tap_ok "after the replay the new client's screen is unchanged" \
	cmp -s "$TEST_TMP/before-replay.screen" "$TEST_TMP/after-replay.screen"
tap_ok "after the replay the command ran once" test "$(wc -l <"$ran")" -eq 1
tap_ok "after the replay the new client is still attached" session_is s1 attached
tmux_type 'ing-$((3*4))'
tmux_keys Enter
tap_ok "the new client completes the pending line: exactly 'pending-12'" \
	retry_until 10 sh -c "tmux -L '$(_tmux_sock c2)' capture-pane -p -t c2 | grep -qx 'pending-12 *'"

# The launcher takes the session over from the live client.
tap_ok "mosh --local --attach=s1 starts" tmux_start c3 80 24 \
	"'$MOSHC_BUILD/mosh' --local --client='$CLIENT' --server='$SERVER' --attach=s1 127.0.0.1"
tap_ok "mosh --attach shows the session's screen" tmux_wait_for pending-12 15
tap_ok "the session is still the same shell" tmux_wait_for "marker-42 pid=$shell_pid" 5
TMUX_SESSION=c2
if [ "$ATTACH_CLIENT_BIN" = "$CLIENT" ]; then
	tap_ok "the replaced client exits" tmux_wait_exit 10
	tap_ok "the replaced client's exit status is 0" test "$(tmux_exit_status)" = 0
else
	# mosh 1.4's client is not told; it just stops hearing the server.
	tmux_type "echo retired >>'$ran'"
	tmux_keys Enter
	sleep 2
	tap_ok "the replaced client's keystrokes no longer reach the shell" \
		test "$(wc -l <"$ran")" -eq 1
	kill -KILL "$(pane_client_pid)"
fi
TMUX_SESSION=c3
tmux_type 'echo via-launcher-$((5*5))'
tmux_keys Enter
tap_ok "mosh --attach drives the shell" tmux_wait_for via-launcher-25 10

# Attach while the client is alive: it is told, and leaves cleanly.
tap_ok "mosh-server attach s1 while a client is attached" session_attach s1 -p 0 || tap_done
tap_ok "a fourth client starts" \
	tmux_start c4 80 24 "$(mosh_client_cmd "$CLIENT" 127.0.0.1 "$ATTACH_PORT")" || tap_done
tap_ok "the fourth client shows the screen" tmux_wait_for via-launcher-25 10
TMUX_SESSION=c3
tap_ok "the launcher's client exits" tmux_wait_exit 10
tap_ok "its exit status is 0" test "$(tmux_exit_status)" = 0
tap_ok "its last words: [mosh is exiting: session attached from 127.0.0.1]" \
	sh -c "tmux -L '$(_tmux_sock c3)' capture-pane -p -S - -t c3 |
		grep -qxF '[mosh is exiting: session attached from 127.0.0.1]'"

# mosh-server kill NAME on an attached session.
TMUX_SESSION=c4
tap_ok "mosh-server kill s1" sh -c "'$SERVER' kill s1 >>'$TEST_TMP/kill.log'"
tap_ok "the attached client exits" tmux_wait_exit 10
tap_ok "its exit status is 0" test "$(tmux_exit_status)" = 0
tap_ok "its last words: [mosh is exiting: session ended by mosh-server kill]" \
	sh -c "tmux -L '$(_tmux_sock c4)' capture-pane -p -S - -t c4 |
		grep -qxF '[mosh is exiting: session ended by mosh-server kill]'"
tap_ok "the server ($server_pid) is gone" wait_pid_exit "$server_pid" 10
tap_ok "the shell ($shell_pid) is gone" wait_pid_exit "$shell_pid" 10
tap_ok "its socket is gone" test ! -e "$(session_socket "$id")"
tap_ok "list shows no session" sh -c "'$SERVER' list --json | python3 -c 'import json, sys; sys.exit(json.load(sys.stdin) != [])'"
tap_done
