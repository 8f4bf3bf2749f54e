# shellcheck shell=sh
# shellcheck disable=SC2034 # BLOB_* are read by the test that sources this
# tests/lib/forward.sh: TCP endpoints and measurements for the forwarding
# tests and bench/forward.sh (POSIX sh, source-able; needs common.sh first).
#
# The byte streams come from tests/tools/tcpblob.py: deterministic by (bytes,
# seed), judged by "COUNT SHA256". Every tcpblob process is tracked and bounded
# by its own --timeout.
#
# Functions:
#   tcp_free_port           print a TCP port that was free on 127.0.0.1 a moment ago
#                           (racy by nature; the forwarding listener needs a number)
#   blob_serve NAME MODE [ARG...]
#                           start "tcpblob serve --mode MODE ARG..." on 127.0.0.1 port 0
#                           in the background; sets BLOB_PORT and BLOB_PID (tracked);
#                           its connection count is in $TEST_TMP/NAME.count
#   blob_fetch OUT [ARG...] run "tcpblob fetch ARG..." in the background, its line to
#                           $TEST_TMP/OUT (stderr to OUT.log); sets BLOB_PID (tracked)
#   blob_expect BYTES SEED  print the "COUNT SHA256" line the stream should give
#   blob_result_is OUT LINE 0 when $TEST_TMP/OUT holds exactly LINE; else says what it holds
#   blob_wait PID TIMEOUT   wait for a blob_fetch to end (0), else 1
#   vmrss_kb PID            print the resident set size of PID in kB (0 if gone)
#   pane_child_pid          the PID of the program the current tmux pane runs
#   fwd_said_unsupported    0 when the current tmux pane (history and screen) shows
#                           $FWD_UNSUPPORTED, what the client says to a mosh 1.4 server

TCPBLOB=${TCPBLOB:-$(cd "$(dirname "$TESTLIB")/tools" && pwd)/tcpblob.py}
FWD_UNSUPPORTED='mosh: the server does not support forwarding; continuing without -A/-L/-R'
BLOB_PORT=""
BLOB_PID=""

tcp_free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

blob_serve() {
	_name=$1
	_mode=$2
	shift 2
	rm -f "$TEST_TMP/$_name.ready"
	python3 "$TCPBLOB" serve --port 0 --mode "$_mode" --ready-file "$TEST_TMP/$_name.ready" \
		--count-file "$TEST_TMP/$_name.count" "$@" >"$TEST_TMP/$_name.log" 2>&1 </dev/null &
	BLOB_PID=$!
	track_pid "$BLOB_PID"
	if ! wait_for_file "$TEST_TMP/$_name.ready" 10; then
		echo "blob_serve: tcpblob did not start:" >&2
		sed 's/^/| /' "$TEST_TMP/$_name.log" >&2
		return 1
	fi
	BLOB_PORT=$(cat "$TEST_TMP/$_name.ready")
}

blob_fetch() {
	_out=$1
	shift
	rm -f "$TEST_TMP/$_out"
	python3 "$TCPBLOB" fetch "$@" >"$TEST_TMP/$_out" 2>"$TEST_TMP/$_out.log" </dev/null &
	BLOB_PID=$!
	track_pid "$BLOB_PID"
}

blob_expect() {
	python3 "$TCPBLOB" expect --bytes "$1" --seed "$2"
}

blob_result_is() {
	_got=$(cat "$TEST_TMP/$1" 2>/dev/null)
	[ "$_got" = "$2" ] && return 0
	echo "# expected: $2" >&2
	echo "# got:      ${_got:-(nothing)}" >&2
	sed 's/^/# | /' "$TEST_TMP/$1.log" >&2 2>/dev/null
	return 1
}

blob_wait() {
	wait_pid_exit "$1" "$2" || return 1
	wait "$1" 2>/dev/null
	untrack_pid "$1"
	return 0
}

vmrss_kb() {
	_kb=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status" 2>/dev/null)
	echo "${_kb:-0}"
}

pane_child_pid() {
	ps -o pid= --ppid "$(tmux_pane_pid)" | tr -d ' ' | head -n 1
}

fwd_said_unsupported() {
	tmux_history | tr -s ' ' | grep -qF "$FWD_UNSUPPORTED"
}
