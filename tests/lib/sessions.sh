# shellcheck shell=sh
# shellcheck disable=SC2034 # ATTACH_* and SESSIONS_* are read by the test that sources this
# tests/lib/sessions.sh: mosh-c sessions that outlive their client (mosh-server
# new --name / list / attach / kill) from a test (POSIX sh, source-able; needs
# common.sh first, and mosh.sh for the key hand-over).
#
# Model: every test gets its own XDG_RUNTIME_DIR (mode 0700 in $TEST_TMP), so
# it sees its own sessions only and never another test's or the user's. The
# admin verbs run $SESSIONS_SERVER (this build's mosh-server). A key from
# attach never reaches a log or an argv: attach's stdout goes to a file in
# $TEST_TMP that is deleted once parsed, and the key is handed to
# mosh_client_cmd through MOSH_SERVER_KEY.
#
# Functions:
#   sessions_init BIN         the private runtime directory; BIN is our mosh-server
#   sessions_json             print `list --json`
#   session_field WHO FIELD   print FIELD of the session whose id, name or pid is WHO
#   session_is WHO STATE      0 when that session's state is STATE
#   session_attach WHO [ARG...]
#                             attach -i 127.0.0.1 ARG...; sets ATTACH_PORT and
#                             MOSH_SERVER_KEY (so mosh_client_cmd uses the new key);
#                             returns attach's status (1 when no MOSH CONNECT line)
#   session_socket ID         print the path of the session's control socket
#   pane_client_pid           the PID of the program the current tmux pane runs
#                             (the only child of the pane's wrapper shell)

SESSIONS_SERVER=""
SESSIONS_DIR=""
ATTACH_PORT=""

sessions_init() {
	SESSIONS_SERVER=$1
	XDG_RUNTIME_DIR="$TEST_TMP/xdg"
	mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR" || return 1
	export XDG_RUNTIME_DIR
	SESSIONS_DIR="$XDG_RUNTIME_DIR/mosh-c"
}

sessions_json() {
	"$SESSIONS_SERVER" list --json
}

session_field() {
	sessions_json | python3 -c '
import json, sys
who, field = sys.argv[1], sys.argv[2]
for s in json.load(sys.stdin):
    if who in (s["id"], s["name"], str(s["pid"])):
        print(s[field])
        sys.exit(0)
sys.exit(1)' "$1" "$2"
}

session_is() {
	[ "$(session_field "$1" state 2>/dev/null)" = "$2" ]
}

session_attach() {
	_who=$1
	shift
	_aout="$TEST_TMP/attach.out"
	timeout 30 "$SESSIONS_SERVER" attach "$_who" -i 127.0.0.1 "$@" \
		>"$_aout" 2>>"$TEST_TMP/attach.log" </dev/null
	_arc=$?
	_aline=$(tr -d '\r' <"$_aout" | grep -m1 '^MOSH CONNECT ')
	rm -f "$_aout"
	ATTACH_PORT=$(echo "$_aline" | awk '{ print $3 }')
	MOSH_SERVER_KEY=$(echo "$_aline" | awk '{ print $4 }')
	[ -n "$ATTACH_PORT" ] && [ "${#MOSH_SERVER_KEY}" -eq 22 ] || return 1
	return "$_arc"
}

session_socket() {
	echo "$SESSIONS_DIR/$1"
}

pane_client_pid() {
	ps -o pid= --ppid "$(tmux_pane_pid)" | tr -d ' ' | head -n 1
}
