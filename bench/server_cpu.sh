#!/bin/sh
# shellcheck disable=SC1091 # libraries sourced by path
# bench/server_cpu.sh: the server's CPU cost of a whole session, end to end.
#
# A deterministic 31.5 MB colour log (bench/genlog: SGR 16/256/true colour,
# bold/underline, UTF-8 incl. double-width CJK, lines of 20-400 columns) is
# shown by `cat` inside a mosh session on loopback, once with our mosh-server
# and once with Debian's mosh 1.4 (/usr/bin/mosh-server, when installed). The
# client is a real mosh-client (ours unless MOSH_CLIENT_BIN says otherwise) in
# an 80x24 pane of a private tmux server, so the server runs its real loop:
# pty reads, emulation, frame diffs, compression, encryption, acks.
#
# Figures per server:
#   server CPU  utime+stime of the detached daemon (/proc/PID/stat), read once
#               the last line is on the client's screen and the session has
#               been idle for a second (the command then sleeps, so the daemon
#               is still there to be measured); the log's size over it = MB/s;
#   wall        from starting the client (the server holds the command's
#               output until a client attaches) until the client's screen shows
#               the log's last line "END-OF-LOG <bytes>" (polled every 20 ms).
# Everything started here is killed by PID (tests/lib/common.sh cleanup).
#
# Usage: bench/server_cpu.sh [BUILD_DIR]   (env: LOG_BYTES, MOSH_CLIENT_BIN)
set -u
cd "$(dirname "$0")/.." || exit 1
TESTLIB=$(pwd)/tests/lib
MOSHC_BUILD=${1:-build}
case $MOSHC_BUILD in /*) ;; *) MOSHC_BUILD=$(pwd)/$MOSHC_BUILD ;; esac
. "$TESTLIB/common.sh"
. "$TESTLIB/tmux.sh"
. "$TESTLIB/mosh.sh"

LOG_BYTES=${LOG_BYTES:-33030144} # 31.5 MiB
MOSH_CLIENT_BIN=${MOSH_CLIENT_BIN:-$MOSHC_BUILD/mosh-client}
GENLOG=$MOSHC_BUILD/bench/genlog

test_init server-cpu
require_prog tmux "$GENLOG" "$MOSH_CLIENT_BIN" "$MOSHC_BUILD/mosh-server"

LOG=$TEST_TMP/colour.txt
"$GENLOG" "$LOG_BYTES" >"$LOG" || exit 1
size=$(wc -c <"$LOG")
marker="END-OF-LOG"
# The command: show the log, then stay (the daemon must outlive the measurement).
printf 'cat %s\nexec sleep 600\n' "$LOG" >"$TEST_TMP/run.sh"
export HOME="$TEST_TMP"
tck=$(getconf CLK_TCK)

# utime and stime of PID in ms.
cpu_ms() {
	awk -v t="$tck" '{ sub(/^.*\) /, ""); printf "%d %d", $12 * 1000 / t, $13 * 1000 / t }' "/proc/$1/stat"
}

_shows_marker() {
	tmux_cmd capture-pane -p -t "$TMUX_SESSION" | grep -qF "$marker"
}

# run NAME SERVER_BIN: one session; appends "NAME user_ms sys_ms wall_ms" to $results.
# (Not in a subshell: the PIDs it starts must reach the cleanup trap.)
run() {
	mosh_server_start "$2" -i 127.0.0.1 -p 0 -- /bin/sh "$TEST_TMP/run.sh" || return 1
	t0=$(now_ms)
	# tmux session names must not contain '.' (a pane separator in targets).
	tmux_start "$(echo "$1" | tr -c 'a-z0-9\n' _)" 80 24 "$(mosh_client_cmd "$MOSH_CLIENT_BIN" 127.0.0.1 "$MOSH_SERVER_PORT")" ||
		return 1
	deadline=$((t0 + 120000))
	until _shows_marker; do
		if [ "$(now_ms)" -ge "$deadline" ]; then
			echo "$1: the log's last line never showed; the screen:" >&2
			tmux_screen | sed 's/^/| /' >&2
			return 1
		fi
		sleep 0.02
	done
	wall=$(($(now_ms) - t0))
	sleep 1
	cpu=$(cpu_ms "$MOSH_SERVER_PID")
	kill -TERM "$MOSH_SERVER_PID" 2>/dev/null
	wait_pid_exit "$MOSH_SERVER_PID" 10 || kill -KILL "$MOSH_SERVER_PID" 2>/dev/null
	untrack_pid "$MOSH_SERVER_PID"
	tmux_cmd kill-server 2>/dev/null
	echo "$1 $cpu $wall" >>"$results"
}

results=$TEST_TMP/results
: >"$results"
run mosh-c "$MOSHC_BUILD/mosh-server" || exit 1
if [ -x /usr/bin/mosh-server ]; then
	run mosh-1.4 /usr/bin/mosh-server || exit 1
else
	echo "# /usr/bin/mosh-server not installed: mosh 1.4 not measured" >&2
fi

echo "server_cpu: $(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1048576 }') MB colour log, cat in an 80x24 session, client $(basename "$MOSH_CLIENT_BIN") ($MOSH_CLIENT_BIN)"
awk -v s="$size" '
	BEGIN { printf "%-10s %8s %8s %8s %10s %8s\n", "server", "CPU s", "user s", "sys s", "CPU MB/s", "wall s" }
	{
		cpu = ($2 + $3) / 1000
		printf "%-10s %8.2f %8.2f %8.2f %10.1f %8.2f\n", $1, cpu, $2 / 1000, $3 / 1000,
			(cpu > 0 ? s / 1048576 / cpu : 0), $4 / 1000
	}' "$results"
