#!/bin/sh
# shellcheck disable=SC1091,SC2016 # libraries sourced by path; $ in the program's text
# Synchronized output (DEC mode 2026) through a whole session (issue 14): a
# program that holds the mode while it draws a frame in two halves, 100 ms
# apart, must reach the user's terminal as one frame, never the first half
# alone; the final screen is the one a direct terminal shows for the same
# bytes. The client's output is recorded with where each read began
# (tests/lib/recorded.sh): both halves must arrive in one read.
# Negative control: the same program without the mode, its halves 500 ms
# apart, shows the first half alone (two reads), so the check can fail (as
# it does, halves 100 ms apart, against a server that ignores the mode).
# The hold ends after 200 ms whatever the program does (SYNCHOLD_MAX): when
# the machine is so loaded that the program's 100 ms took over 170 ms, the
# point is skipped rather than failed.
# Usage: sync_session.sh [BUILD_DIR]   (TAP)
set -u
TESTLIB=${TESTLIB:-$(cd "$(dirname "$0")/../lib" && pwd)}
MOSHC_BUILD=${1:-${MOSHC_BUILD:-build}}
. "$TESTLIB/common.sh"
. "$TESTLIB/mosh.sh"
. "$TESTLIB/recorded.sh"

MOSH_SERVER_BIN=$MOSHC_BUILD/mosh-server
MOSH_CLIENT_BIN=$MOSHC_BUILD/mosh-client
TERMCELLS=$MOSHC_BUILD/tests/tools/termcells

test_init sync-session
require_prog python3 "$MOSH_SERVER_BIN" "$MOSH_CLIENT_BIN" "$TERMCELLS"
export HOME="$TEST_TMP" ENV=

# The session's program: "ready", then on DIR/go the frame in two halves,
# GAP seconds apart, inside mode 2026 when HOLD is 1; it writes the time the
# gap took (ms) to DIR/gap and exits on DIR/end (each wait bounded to 60 s).
cat >"$TEST_TMP/prog.sh" <<'EOF'
dir=$1 hold=$2 gap=$3
await() {
	n=0
	while [ ! -e "$1" ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
}
printf 'ready'
await "$dir/go"
[ "$hold" = 1 ] && printf '\033[?2026h'
printf '\033[H\033[2JHALF-ONE'
t0=$(date +%s%3N)
sleep "$gap"
t1=$(date +%s%3N)
printf '\r\nHALF-TWO'
[ "$hold" = 1 ] && printf '\033[?2026l'
echo $((t1 - t0)) >"$dir/gap"
await "$dir/end"
exit 0
EOF
printf 'ready' >"$TEST_TMP/ready.bin"
printf 'ready\033[H\033[2JHALF-ONE\r\nHALF-TWO' >"$TEST_TMP/frame.bin"

# The read of the recording (ptyrec --chunks) in which each marker begins.
one_read() {
	python3 - "$1/client.out" "$1/client.chunks" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
chunks = [tuple(map(int, l.split()[:2])) for l in open(sys.argv[2])]
def read_of(marker):
    at = data.find(marker)
    return next(i for i, (off, n) in enumerate(chunks) if off <= at < off + n)
sys.exit(0 if read_of(b"HALF-ONE") == read_of(b"HALF-TWO") else 1)
EOF
}

# run NAME HOLD GAP: the session; sets SPLIT (0: one read, 1: two) and GAP_MS.
run() {
	_d=$TEST_TMP/$1
	SPLIT="" GAP_MS=""
	rec_start "$_d" "$MOSH_CLIENT_BIN" xterm-256color /bin/sh "$TEST_TMP/prog.sh" "$_d" "$2" "$3" ||
		return 1
	retry_until 15 rec_same "$_d" "$TEST_TMP/ready.bin" || return 1
	: >"$_d/go"
	if ! retry_until 15 rec_same "$_d" "$TEST_TMP/frame.bin"; then
		rec_show_diff "$_d"
		return 1
	fi
	GAP_MS=$(cat "$_d/gap")
	SPLIT=0
	one_read "$_d" || SPLIT=1
	: >"$_d/end"
	rec_finish "$_d" && mosh_server_wait_exit 20
}

tap_ok "held: the session shows the direct terminal's frame" run held 1 0.1
if [ -n "$GAP_MS" ] && [ "$GAP_MS" -gt 170 ]; then
	tap_skip "held: both halves in one frame" "the program's 100 ms took $GAP_MS ms (loaded machine)"
else
	tap_ok "held: both halves in one frame" test "$SPLIT" = 0
fi
tap_ok "control, not held: the session shows the frame" run free 0 0.5
tap_ok "control, not held: the first half shows alone" test "$SPLIT" = 1
tap_done
