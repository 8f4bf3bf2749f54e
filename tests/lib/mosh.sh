# shellcheck shell=sh
# shellcheck disable=SC2034 # MOSH_SERVER_* are read by the test that sources this
# tests/lib/mosh.sh: start a mosh server and build the client's command line
# (POSIX sh, source-able; needs common.sh first).
#
# Works with any server that prints mosh 1.4's bootstrap output: on stdout
# "MOSH CONNECT <port> <key>", on stderr "[mosh-server detached, pid = N]" —
# Debian's /usr/bin/mosh-server and ours. The key never reaches a log or an
# argv: the server's stdout goes to a file in $TEST_TMP (mode 700) that is
# deleted once parsed, and the client reads the key from a file that its
# command deletes before exec.
#
# Functions:
#   mosh_server_start BIN [ARG...]
#         run "BIN new ARG..." with LANG=C.UTF-8 (give -p 0 -- /bin/sh etc.);
#         sets MOSH_SERVER_PORT, MOSH_SERVER_KEY and MOSH_SERVER_PID (tracked for
#         cleanup); returns 1 with the server's stderr on failure (30 s bound)
#   mosh_client_cmd BIN HOST PORT [ARG...]
#         print a sh -c command (for tmux_start) that runs "BIN HOST PORT ARG..."
#         with MOSH_KEY=$MOSH_SERVER_KEY, TERM=xterm-256color, LANG=C.UTF-8
#   mosh_server_wait_exit TIMEOUT
#         until the detached server has exited (0), else 1

MOSH_SERVER_PORT=""
MOSH_SERVER_KEY=""
MOSH_SERVER_PID=""

mosh_server_start() {
	_bin=$1
	shift
	_out="$TEST_TMP/mosh-server.out"
	_err="$TEST_TMP/mosh-server.log"
	# "new" returns once the server has detached; bound it anyway.
	env LANG=C.UTF-8 timeout 30 "$_bin" new "$@" >"$_out" 2>"$_err" </dev/null
	_rc=$?
	_line=$(tr -d '\r' <"$_out" | grep -m1 '^MOSH CONNECT ')
	rm -f "$_out"
	MOSH_SERVER_PORT=$(echo "$_line" | awk '{ print $3 }')
	MOSH_SERVER_KEY=$(echo "$_line" | awk '{ print $4 }')
	MOSH_SERVER_PID=$(sed -n 's/.*\[mosh-server detached, pid = \([0-9][0-9]*\)\].*/\1/p' "$_err" |
		head -n 1)
	[ -n "$MOSH_SERVER_PID" ] && track_pid "$MOSH_SERVER_PID"
	case "$MOSH_SERVER_PORT" in
	'' | *[!0-9]*)
		echo "mosh_server_start: no MOSH CONNECT line from $_bin (status $_rc):" >&2
		sed 's/^/| /' "$_err" >&2
		return 1
		;;
	esac
	if [ "${#MOSH_SERVER_KEY}" -ne 22 ] || [ -z "$MOSH_SERVER_PID" ]; then
		echo "mosh_server_start: malformed key or no daemon pid from $_bin" >&2
		sed 's/^/| /' "$_err" >&2
		return 1
	fi
	return 0
}

mosh_client_cmd() {
	_bin=$1
	shift
	_mosh_nkey=$((${_mosh_nkey:-0} + 1))
	_keyfile="$TEST_TMP/mosh-key.$_mosh_nkey"
	(umask 077 && printf '%s\n' "$MOSH_SERVER_KEY" >"$_keyfile")
	_args=""
	for _a in "$@"; do
		_args="$_args '$_a'"
	done
	echo "MOSH_KEY=\$(cat '$_keyfile') && rm -f '$_keyfile' && export MOSH_KEY &&" \
		"TERM=xterm-256color LANG=C.UTF-8 exec '$_bin'$_args"
}

mosh_server_wait_exit() {
	wait_pid_exit "$MOSH_SERVER_PID" "$1"
}
