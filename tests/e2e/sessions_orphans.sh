#!/bin/sh
# shellcheck disable=SC1091,SC2016,SC2034 # libraries sourced by path; typed text is for the remote shell; TMUX_SESSION is read by tmux.sh
# Sessions whose clients vanish (issue 10), end to end on loopback under tmux:
#  1. $ORPHANS sessions with live clients, their servers started with
#     MOSH_SERVER_NETWORK_TMOUT=3; all clients but one are killed with
#     SIGKILL: within 15 s every orphaned server is gone (by PID), so is its
#     control socket and its utmp entry (when this machine has a utmp file),
#     and list no longer shows it; the session whose client lives on (and is
#     kept busy) stays attached;
#  2. without MOSH_SERVER_NETWORK_TMOUT, 3 sessions, 2 clients killed: list
#     says those 2 are detached (the idle but live one stays attached), and
#     `mosh-server kill --detached` ends exactly those 2.
# Usage: sessions_orphans.sh [BUILD_DIR]   (TAP; a skip point when tmux or a program is missing)
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
ORPHANS=${ORPHANS:-20}
UTMP=/var/run/utmp

test_init sessions_orphans
require_prog tmux python3 "$SERVER" "$CLIENT"
tap_ok "a private XDG_RUNTIME_DIR" sessions_init "$SERVER" || tap_done
export PS1='$ ' HOME="$TEST_TMP" ENV=

# Start COUNT sessions named PREFIX1..PREFIXCOUNT running COMMAND..., each
# with a client in its own window of the tmux session PREFIX (window I runs
# client I, so the pane's PID is the client's). Sets S_PID_I, S_ID_I and
# C_PID_I.
start_sessions() {
	_prefix=$1
	_count=$2
	shift 2
	tmux_start "$_prefix" 80 24 'exec sleep 300' || return 1
	_i=1
	while [ "$_i" -le "$_count" ]; do
		mosh_server_start "$SERVER" --name "$_prefix$_i" -i 127.0.0.1 -p 0 -- "$@" || return 1
		eval "S_PID_$_i=$MOSH_SERVER_PID"
		_id=$(session_field "$MOSH_SERVER_PID" id) || return 1
		eval "S_ID_$_i=$_id"
		tmux_cmd new-window -t "$_prefix:$_i" \
			"$(mosh_client_cmd "$CLIENT" 127.0.0.1 "$MOSH_SERVER_PORT")" || return 1
		_c=$(tmux_cmd display-message -p -t "$_prefix:$_i" '#{pane_pid}') || return 1
		track_pid "$_c"
		eval "C_PID_$_i=$_c"
		_i=$((_i + 1))
	done
}

# Every session 1..COUNT of PREFIX is attached (its client was heard).
all_attached() {
	_i=1
	while [ "$_i" -le "$2" ]; do
		session_is "$1$_i" attached || return 1
		_i=$((_i + 1))
	done
}

# The servers of sessions FROM..TO have exited.
servers_gone() {
	_i=$1
	while [ "$_i" -le "$2" ]; do
		pid_alive "$(eval echo "\$S_PID_$_i")" && return 1
		_i=$((_i + 1))
	done
	return 0
}

# The control sockets of sessions FROM..TO are gone.
sockets_gone() {
	_i=$1
	while [ "$_i" -le "$2" ]; do
		[ -e "$(session_socket "$(eval echo "\$S_ID_$_i")")" ] && return 1
		_i=$((_i + 1))
	done
	return 0
}

# No USER_PROCESS entry in the utmp file belongs to the servers FROM..TO.
utmp_clean() {
	utmpdump "$UTMP" 2>/dev/null >"$TEST_TMP/utmp.txt"
	_i=$1
	while [ "$_i" -le "$2" ]; do
		grep -q "^\[7\] \[0*$(eval echo "\$S_PID_$_i")\]" "$TEST_TMP/utmp.txt" && return 1
		_i=$((_i + 1))
	done
	return 0
}

kill_clients() {
	_i=$1
	while [ "$_i" -le "$2" ]; do
		kill -KILL "$(eval echo "\$C_PID_$_i")"
		_i=$((_i + 1))
	done
}

# 1. Orphans end by themselves after MOSH_SERVER_NETWORK_TMOUT. An idle
# client is heard only every 3 s (its heartbeat), so with a 3 s timeout every
# session runs a command that keeps its client busy acknowledging frames.
MOSH_SERVER_NETWORK_TMOUT=3
export MOSH_SERVER_NETWORK_TMOUT
tap_ok "$ORPHANS sessions with their clients start" start_sessions o "$ORPHANS" \
	/bin/sh -c 'while :; do date +tick-%s%N; sleep 0.5; done' || tap_done
unset MOSH_SERVER_NETWORK_TMOUT
tap_ok "all $ORPHANS are attached" retry_until 30 all_attached o "$ORPHANS" || tap_done
TMUX_SESSION=o
tmux_cmd select-window -t o:1
tap_ok "the client that stays is busy" tmux_wait_for tick- 10
kill_clients 2 "$ORPHANS"
t0=$(now_ms)
tap_ok "the $((ORPHANS - 1)) orphaned servers exit within 15 s" retry_until 15 servers_gone 2 "$ORPHANS" &&
	tap_diag "orphans gone after $(($(now_ms) - t0)) ms (MOSH_SERVER_NETWORK_TMOUT=3; the issue expects 5 s)"
tap_ok "their control sockets are gone" retry_until 2 sockets_gone 2 "$ORPHANS"
tap_ok "list shows only the session that has a client" \
	sh -c "'$SERVER' list --json | python3 -c '
import json, sys
names = [s[\"name\"] for s in json.load(sys.stdin)]
sys.exit(names != [\"o1\"])'"
if [ -s "$UTMP" ]; then
	tap_ok "no utmp entry of theirs remains" utmp_clean 2 "$ORPHANS"
else
	tap_skip "no utmp entry of theirs remains" "no $UTMP on this machine"
fi
tap_ok "the server with a live client stays" pid_alive "$S_PID_1"
tap_ok "its session is still attached" session_is o1 attached
before=$(tmux_screen | grep tick- | tail -n 1)
tap_ok "its client still gets the screen" retry_until 5 sh -c \
	"tmux -L '$(_tmux_sock o)' capture-pane -p -t o:1 | grep tick- | tail -n 1 | grep -qvxF '$before'"
"$SERVER" kill o1 >>"$TEST_TMP/kill.log" 2>&1
tap_ok "mosh-server kill ends it" wait_pid_exit "$S_PID_1" 10

# 2. Without a network timeout, kill --detached ends exactly the detached ones.
tap_ok "3 sessions with their clients start" start_sessions d 3 /bin/sh || tap_done
tap_ok "all 3 are attached" retry_until 30 all_attached d 3 || tap_done
kill_clients 2 3
t0=$(now_ms)
tap_ok "list says the 2 without a client are detached (within 15 s)" \
	retry_until 15 sh -c "'$SERVER' list --json | python3 -c '
import json, sys
st = {s[\"name\"]: s[\"state\"] for s in json.load(sys.stdin) if s[\"name\"][0] == \"d\"}
sys.exit(st != {\"d1\": \"attached\", \"d2\": \"detached\", \"d3\": \"detached\"})'" &&
	tap_diag "detached after $(($(now_ms) - t0)) ms; the idle client of d1 kept it attached"
tap_ok "the detached servers are still running" sh -c "kill -0 $S_PID_2 && kill -0 $S_PID_3"
tap_ok "mosh-server kill --detached succeeds" \
	sh -c "'$SERVER' kill --detached >>'$TEST_TMP/kill.log' 2>&1"
tap_ok "it ended the 2 detached servers" retry_until 10 servers_gone 2 3
tap_ok "their sockets are gone" retry_until 2 sockets_gone 2 3
tap_ok "the attached server lives" pid_alive "$S_PID_1"
tap_ok "its session is still attached" session_is d1 attached
TMUX_SESSION=d
tmux_cmd select-window -t d:1
tmux_type 'echo still-here-$((6*7))'
tmux_keys Enter
tap_ok "its client still drives the shell" tmux_wait_for still-here-42 10
tap_ok "kill --detached with nothing detached fails" \
	sh -c "! '$SERVER' kill --detached >>'$TEST_TMP/kill.log' 2>&1"
tap_ok "and leaves the attached session alone" pid_alive "$S_PID_1"
tap_done
