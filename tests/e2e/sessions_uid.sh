#!/bin/sh
# shellcheck disable=SC1091,SC2016 # libraries sourced by path; typed text is for the remote shell
# Another user cannot reach our sessions (issue 10). As root, a session with
# a client is started; then, as nobody with the same XDG_RUNTIME_DIR:
#  - list shows none of our sessions, attach and kill fail (non-zero status,
#    no MOSH CONNECT line) and the session carries on;
#  - with the directories opened to everybody (and the socket made 0666, so
#    only the server's own SO_PEERCRED check is left), a well-formed KILL
#    request written straight to the socket gets no answer and the session
#    carries on; the modes are put back before our own list runs again;
#  - the same request from our own uid gets a reply and ends the session.
# The socket directory is 0700 and ours.
# Usage: sessions_uid.sh [BUILD_DIR]   (TAP; a skip point unless root with setpriv and a nobody user)
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

test_init sessions_uid
require_prog tmux python3 /usr/bin/python3 setpriv "$SERVER" "$CLIENT"
[ "$(id -u)" -eq 0 ] || skip_all "switching to another uid needs root"
if ! getent passwd nobody >/dev/null || ! getent group nogroup >/dev/null; then
	skip_all "no nobody user or nogroup group"
fi

as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		env XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" "$@"
}
tap_ok "a private XDG_RUNTIME_DIR" sessions_init "$SERVER" || tap_done
as_nobody "$SERVER" --version >/dev/null 2>&1 ||
	skip_all "nobody cannot run $SERVER (a parent directory is closed)"
export PS1='$ ' HOME="$TEST_TMP" ENV=
tap_ok "mosh-server new --name u1 starts" \
	mosh_server_start "$SERVER" --name u1 -i 127.0.0.1 -p 0 -- /bin/sh || tap_done
server_pid=$MOSH_SERVER_PID
id=$(session_field u1 id)
tap_ok "a client starts" \
	tmux_start u 80 24 "$(mosh_client_cmd "$CLIENT" 127.0.0.1 "$MOSH_SERVER_PORT")" || tap_done
tap_ok "the prompt arrives" tmux_wait_for '$' 20

tap_ok "the socket directory is 0700 and ours" \
	test "$(stat -c '%a %u %F' "$SESSIONS_DIR")" = "700 $(id -u) directory"
tap_ok "the socket is ours" test "$(stat -c '%u' "$(session_socket "$id")")" = "$(id -u)"

_nobody_list() {
	as_nobody "$SERVER" list >"$TEST_TMP/nobody-list.out" 2>&1
	_rc=$?
	sed 's/^/# nobody: list: /' "$TEST_TMP/nobody-list.out"
	! grep -q -e "$id" -e u1 "$TEST_TMP/nobody-list.out" &&
		{ [ "$_rc" -ne 0 ] || grep -q 'No mosh-c sessions' "$TEST_TMP/nobody-list.out"; }
}
# VERB fails for nobody: non-zero status and no MOSH CONNECT line.
_nobody_fails() {
	as_nobody "$SERVER" "$@" >"$TEST_TMP/nobody.out" 2>&1
	_rc=$?
	grep -v '^MOSH CONNECT' "$TEST_TMP/nobody.out" | sed "s/^/# nobody: $1: /"
	[ "$_rc" -ne 0 ] && ! grep -q '^MOSH CONNECT' "$TEST_TMP/nobody.out"
}
# The session is as it was: the same server, attached, and the client drives it.
_unaffected() {
	pid_alive "$server_pid" && session_is u1 attached || return 1
	_n=$((${_n:-0} + 1))
	tmux_type "echo alive-$_n-\$((6*7))"
	tmux_keys Enter
	tmux_wait_for "alive-$_n-42" 10
}

tap_ok "nobody: list shows none of our sessions" _nobody_list
tap_ok "nobody: attach by ID fails" _nobody_fails attach "$id" -i 127.0.0.1
tap_ok "nobody: attach by name fails" _nobody_fails attach u1 -i 127.0.0.1
tap_ok "nobody: kill by ID fails" _nobody_fails kill "$id"
tap_ok "nobody: kill --detached fails" _nobody_fails kill --detached
tap_ok "the session is unaffected" _unaffected

# Only the server's peer check is left between nobody and the session.
_open_modes() {
	chmod 711 "$TEST_TMP" "$XDG_RUNTIME_DIR" "$SESSIONS_DIR" &&
		chmod 666 "$(session_socket "$id")"
}
_close_modes() {
	chmod 700 "$TEST_TMP" "$XDG_RUNTIME_DIR" "$SESSIONS_DIR" &&
		chmod 600 "$(session_socket "$id")"
}
at_cleanup _close_modes
# A KILL request as ctl.h lays it out, sent by CMD... (as_nobody, or env for
# ourselves); prints how many bytes came back.
_raw_kill() {
	"$@" /usr/bin/python3 -c '
import socket, struct, sys
rq = b"mcRQ" + struct.pack(">HBBHHHH", 1, 3, 0, 0, 0, 0, 0) + bytes(65)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
got = b""
try:
    s.sendall(rq)
    while True:
        b = s.recv(4096)
        if not b:
            break
        got += b
except OSError:
    pass
print(len(got))' "$(session_socket "$id")"
}
tap_ok "the directories are opened to nobody" _open_modes
tap_ok "nobody: kill fails on our directory" _nobody_fails kill "$id"
got=$(_raw_kill as_nobody 2>"$TEST_TMP/raw.log")
tap_diag "nobody: a raw KILL request got $got bytes back"
tap_ok "nobody: a raw KILL request on the socket gets no reply" test "$got" = 0
tap_ok "the modes are put back" _close_modes
tap_ok "the session is unaffected" _unaffected
# The same request from our own uid is well-formed: it gets a whole reply and ends the session.
got=$(_raw_kill env 2>>"$TEST_TMP/raw.log")
tap_ok "the same raw KILL request from us gets a reply ($got bytes)" test "$got" -gt 0
tap_ok "the server exits" wait_pid_exit "$server_pid" 10
tap_done
