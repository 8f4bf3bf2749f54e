#!/bin/sh
# shellcheck disable=SC1091,SC2016,SC2153 # libraries sourced by path; $ in the program's text; mosh.sh sets MOSH_SERVER_PID
# No frames and no work for what a mosh 1.4 client cannot show (issue 14): a
# program that only toggles faint, strikethrough, a curly underline, an
# underline colour and a link on its text makes our server send Debian's
# mosh-client 1.4 (which sends no hello) no more datagrams than a program that
# sleeps as long (mosh 1.4's server would send none either), and costs it no
# more CPU time. Before the terminal state's equality followed the link's
# flavour, such a change was a new state whose diff was empty: SSP sent
# nothing but found the state changed again at once, and the server spun
# (0.65 s of CPU in 1 s here). Toggling bold, which mosh 1.4 shows, is the
# control for the count: it costs frames. The same goes for a program that
# clears its blank screen again and again (rows of other generations, the
# same cells), for every client.
# Each session runs through tests/lib/udp_record.py, which records the
# server's datagrams; the client runs in a recorded pty (tests/lib/recorded.sh)
# and the program's last word shows that the session got that far. CPU time
# is the server's utime + stime (/proc, 1/100 s) over one second of the
# program's two seconds of toggling.
# Usage: plain_frames.sh [BUILD_DIR]   (TAP; a skip without mosh 1.4's client)
set -u
TESTLIB=${TESTLIB:-$(cd "$(dirname "$0")/../lib" && pwd)}
MOSHC_BUILD=${1:-${MOSHC_BUILD:-build}}
. "$TESTLIB/common.sh"
. "$TESTLIB/mosh.sh"
. "$TESTLIB/recorded.sh"

MOSH_SERVER_BIN=$MOSHC_BUILD/mosh-server
OLD_CLIENT=/usr/bin/mosh-client
TERMCELLS=$MOSHC_BUILD/tests/tools/termcells

test_init plain-frames
require_prog python3 "$MOSH_SERVER_BIN" "$OLD_CLIENT" "$TERMCELLS"
export HOME="$TEST_TMP" ENV=

# The program: "hello", underlined (so that 4:3 and 58 change only what mosh
# 1.4 lacks), then on DIR/go twenty rounds of MODE 100 ms apart, "hello" as
# it began and "done" on the next row; it exits on DIR/end (waits bounded to
# 60 s).
cat >"$TEST_TMP/prog.sh" <<'EOF'
dir=$1 mode=$2
await() {
	n=0
	while [ ! -e "$1" ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
}
printf '\033[4mhello\033[0m'
await "$dir/go"
for i in 1 2 3 4; do
	for on in '2' '9' '4:3' '58;5;196' 'OSC'; do
		case $mode in
		hidden)
			if [ "$on" = OSC ]; then
				printf '\r\033[4m\033]8;;http://example.com/\033\\hello\033]8;;\033\\\033[0m'
			else
				printf '\r\033[4;%smhello\033[0m' "$on"
			fi
			;;
		shown) printf '\r\033[4;1mhello\033[0m' ;;
		cleared) printf '\033[2J\033[H' ;;
		esac
		sleep 0.05
		[ "$mode" = shown ] && printf '\r\033[4mhello\033[0m'
		sleep 0.05
	done
done
printf '\r\033[4mhello\033[0m\r\ndone'
await "$dir/end"
exit 0
EOF
printf '\033[4mhello\033[0m' >"$TEST_TMP/hello.bin"
printf '\033[4mhello\033[0m\r\ndone' >"$TEST_TMP/final.bin"

# cpu_ticks PID: its user + system time so far, in clock ticks.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# frames MODE: a session with that program through the recorder; sets
# DOWN_<MODE> to the number of datagrams the server sent and CPU_<MODE> to
# the server's CPU ticks over a second of the rounds.
frames() {
	_d=$TEST_TMP/$1
	mkdir -p "$_d"
	mosh_server_start "$MOSH_SERVER_BIN" -i 127.0.0.1 -p 0 -- /bin/sh "$TEST_TMP/prog.sh" \
		"$_d" "$1" || return 1
	python3 "$TESTLIB/udp_record.py" forward --target "127.0.0.1:$MOSH_SERVER_PORT" \
		--record "$_d/up" --record-down "$_d/down" --ready-file "$_d/ready" \
		--exit-after 120 >"$_d/forward.log" 2>&1 </dev/null &
	_fwd=$!
	track_pid "$_fwd"
	wait_for_file "$_d/ready" 5 || return 1
	rec_start_client "$_d" "$OLD_CLIENT" xterm-256color "$(cat "$_d/ready")"
	retry_until 15 rec_same "$_d" "$TEST_TMP/hello.bin" || return 1
	: >"$_d/go"
	sleep 0.5
	_t0=$(cpu_ticks "$MOSH_SERVER_PID")
	sleep 1
	eval "CPU_$1=$(($(cpu_ticks "$MOSH_SERVER_PID") - _t0))"
	retry_until 15 rec_same "$_d" "$TEST_TMP/final.bin" || return 1
	eval "DOWN_$1=$(python3 - "$_d/down" <<'EOF'
import struct, sys
data, n, at = open(sys.argv[1], "rb").read(), 0, 0
while at + 4 <= len(data):
    at += 4 + struct.unpack(">I", data[at:at + 4])[0]
    n += 1
print(n)
EOF
)"
	: >"$_d/end"
	rec_finish "$_d" && mosh_server_wait_exit 20 || return 1
	kill "$_fwd" 2>/dev/null
	wait_pid_exit "$_fwd" 5 && untrack_pid "$_fwd"
}

DOWN_idle="" DOWN_hidden="" DOWN_shown="" DOWN_cleared="" CPU_idle="" CPU_hidden="" CPU_cleared=""
tap_ok "a session whose program sleeps" frames idle
tap_ok "a session whose program toggles only our renditions and a link" frames hidden
tap_ok "a session whose program toggles bold" frames shown
tap_ok "a session whose program clears its blank screen again and again" frames cleared
tap_diag "server datagrams: idle $DOWN_idle, our renditions $DOWN_hidden, bold $DOWN_shown," \
	"clears $DOWN_cleared; CPU ticks: idle $CPU_idle, our renditions $CPU_hidden," \
	"clears $CPU_cleared"
# at_most_plus A B N: both counted, A <= B + N.
at_most_plus() {
	[ -n "$1" ] && [ -n "$2" ] && [ "$1" -le $(($2 + $3)) ]
}
tap_ok "our renditions cost a mosh 1.4 client no frames (at most 3 datagrams more than idle)" \
	at_most_plus "$DOWN_hidden" "$DOWN_idle" 3
tap_ok "control: bold costs frames (at least 10 datagrams more than idle)" \
	at_most_plus "$DOWN_idle" "$DOWN_shown" -10
tap_ok "our renditions cost the server no work (at most 0.15 s of CPU more than idle)" \
	at_most_plus "$CPU_hidden" "$CPU_idle" 15
tap_ok "clearing a blank screen costs no frames (at most 4 datagrams more than idle)" \
	at_most_plus "$DOWN_cleared" "$DOWN_idle" 4
tap_ok "... and no work (at most 0.15 s of CPU more than idle)" \
	at_most_plus "$CPU_cleared" "$CPU_idle" 15
tap_done
