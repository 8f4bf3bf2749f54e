#!/bin/sh
# shellcheck disable=SC1091 # libraries sourced by path
# bench/scrollback.sh: what the user's own scrollback (issue 11) costs.
#
# `seq 1 100000` runs in a mosh session of our server and client, in an 80x24
# pane of a private tmux server with a 200,000-line history, through
# tools/mosh-relay (no loss; one-way delay 0 ms, then 100 ms), once with
# scrollback and once with MOSH_NO_SCROLLBACK=1 in the client's environment;
# the sessions are otherwise the same. The command is typed at the shell's
# prompt once the session is up, as a user would; the figures are what it
# adds to the idle session.
#
# Figures per run:
#   to screen   from the Enter that runs the command until "100000" is on
#               the client's screen (polled every 20 ms);
#   settled     until the pane's history stops growing (2 s without change,
#               not counted) — the history is pushed after the frames;
#   up/down kB  datagram bytes through the relay, each way, from the Enter
#               until settled;
#   server CPU  utime+stime of the daemon (/proc/PID/stat) over that span;
#   history     number lines in the pane's history + screen, and whether a
#               "lines skipped" marker stands for what the server's 10,000-line
#               log could not keep.
# Everything started here is killed by PID (tests/lib/common.sh cleanup).
#
# Usage: bench/scrollback.sh [BUILD_DIR]   (env: SEQ_N, default 100000)
set -u
cd "$(dirname "$0")/.." || exit 1
TESTLIB=$(pwd)/tests/lib
MOSHC_BUILD=${1:-build}
case $MOSHC_BUILD in /*) ;; *) MOSHC_BUILD=$(pwd)/$MOSHC_BUILD ;; esac
. "$TESTLIB/common.sh"
. "$TESTLIB/tmux.sh"
. "$TESTLIB/mosh.sh"
. "$TESTLIB/relay.sh"
. "$TESTLIB/scrollback.sh"

SEQ_N=${SEQ_N:-100000}
SERVER=$MOSHC_BUILD/mosh-server
CLIENT=$MOSHC_BUILD/mosh-client

test_init bench-scrollback
require_prog tmux "$SERVER" "$CLIENT" "$MOSHC_BUILD/tools/mosh-relay"
export PS1='$ ' HOME="$TEST_TMP" ENV=
# shellcheck disable=SC2034 # read by tmux_start
TMUX_HISTORY_LIMIT=200000
tck=$(getconf CLK_TCK)

cpu_ms() {
	awk -v t="$tck" '{ sub(/^.*\) /, ""); printf "%d", ($12 + $13) * 1000 / t }' "/proc/$1/stat"
}

_shows_last() {
	tmux_screen | grep -qx "$SEQ_N"
}

# Until the history size has not changed for 2 s (bounded: 60 s); prints the
# time of the last change, in ms since $1.
settle() {
	_last=$(sb_history_size)
	_changed=$(now_ms)
	_end=$((_changed + 60000))
	while [ "$(now_ms)" -lt "$_end" ] && [ $(($(now_ms) - _changed)) -lt 2000 ]; do
		sleep 0.1
		_h=$(sb_history_size)
		[ "$_h" = "$_last" ] && continue
		_last=$_h
		_changed=$(now_ms)
	done
	echo $((_changed - $1))
}

# run NAME DELAY_MS ENV: one session; appends a line of figures to $results.
run() {
	mosh_server_start "$SERVER" -i 127.0.0.1 -p 0 -- /bin/sh || return 1
	relay_start --target "127.0.0.1:$MOSH_SERVER_PORT" --delay "$2" || return 1
	_cmd=$(mosh_client_cmd "$CLIENT" 127.0.0.1 "$RELAY_PORT")
	[ -z "$3" ] || _cmd=$(sb_client_env "$3" "$_cmd")
	tmux_start "$1" 80 24 "$_cmd" && tmux_wait_for '$' 20 || return 1
	sleep 1
	_cpu0=$(cpu_ms "$MOSH_SERVER_PID")
	_up0=$(relay_stat up.forwarded_bytes)
	_down0=$(relay_stat down.forwarded_bytes)
	tmux_type "seq 1 $SEQ_N"
	tmux_keys Enter
	t0=$(now_ms)
	_deadline=$((t0 + 120000))
	until _shows_last; do
		if [ "$(now_ms)" -ge "$_deadline" ]; then
			echo "$1: $SEQ_N never showed; the screen:" >&2
			tmux_screen | sed 's/^/| /' >&2
			return 1
		fi
		sleep 0.02
	done
	_screen=$(($(now_ms) - t0))
	_settled=$(settle "$t0")
	_cpu=$(($(cpu_ms "$MOSH_SERVER_PID") - _cpu0))
	_up=$(($(relay_stat up.forwarded_bytes) - _up0))
	_down=$(($(relay_stat down.forwarded_bytes) - _down0))
	_lines=$(tmux_history | grep -cxE '[0-9]+')
	_marker=$(tmux_history | grep -c 'lines skipped')
	kill -KILL "$(ps -o pid= --ppid "$(tmux_pane_pid)" | tr -d ' ' | head -n 1)" 2>/dev/null
	relay_stop
	kill -TERM "$MOSH_SERVER_PID" 2>/dev/null
	wait_pid_exit "$MOSH_SERVER_PID" 10 || kill -KILL "$MOSH_SERVER_PID" 2>/dev/null
	untrack_pid "$MOSH_SERVER_PID"
	tmux_cmd kill-server 2>/dev/null
	echo "$1 $((2 * $2)) $_screen $_settled $_up $_down $_cpu $_lines $_marker" >>"$results"
}

results=$TEST_TMP/results
: >"$results"
for delay in 0 100; do
	run "sb$delay" "$delay" "" || exit 1
	run "off$delay" "$delay" MOSH_NO_SCROLLBACK=1 || exit 1
done

echo "scrollback: seq 1 $SEQ_N in an 80x24 session through mosh-relay (no loss)"
awk '
	BEGIN {
		printf "%-11s %5s %10s %10s %8s %8s %8s %9s %7s\n", "client", "RTT", "screen s",
			"settled s", "up kB", "down kB", "CPU s", "lines", "marker"
	}
	{
		printf "%-11s %5s %10.2f %10.2f %8.1f %8.1f %8.2f %9d %7d\n",
			($1 ~ /^sb/ ? "scrollback" : "off"), $2, $3 / 1000, $4 / 1000, $5 / 1000,
			$6 / 1000, $7 / 1000, $8, $9
	}' "$results"
