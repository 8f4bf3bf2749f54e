#!/bin/sh
# shellcheck disable=SC1091,SC2016 # libraries sourced by path; typed text is for the remote shell
# The user's own scrollback under a flood (issue 11):
#  1. `seq 1 1000000` outruns the server's 10,000-line history: the pane holds
#     the numbers in strictly increasing order (no duplicates), at most one
#     "[... N lines skipped ...]" marker, and at least the last 10,000 lines
#     contiguous up to 1000000;
#  2. Ctrl-C during `cat` of a ~170 MB file brings the prompt back, with
#     scrollback and with MOSH_NO_SCROLLBACK=1; the times from Ctrl-C to the
#     prompt are TAP comments, only a generous bound (10 s) is asserted;
#  3. `seq 1 100000` run by the server before its client attaches, six times:
#     one marker each time (lines lost across several diffs used to give one
#     marker per diff, about one run in four).
# Usage: scrollback_flood.sh [BUILD_DIR]   (TAP; a skip when tmux is missing)
set -u
TESTLIB=${TESTLIB:-$(cd "$(dirname "$0")/../lib" && pwd)}
MOSHC_BUILD=${1:-${MOSHC_BUILD:-build}}
. "$TESTLIB/common.sh"
. "$TESTLIB/tmux.sh"
. "$TESTLIB/mosh.sh"
. "$TESTLIB/scrollback.sh"

SERVER=$MOSHC_BUILD/mosh-server
CLIENT=$MOSHC_BUILD/mosh-client

test_init scrollback_flood
require_prog tmux "$SERVER" "$CLIENT"
export PS1='$ ' HOME="$TEST_TMP" ENV=
# shellcheck disable=SC2034 # read by tmux_start
TMUX_HISTORY_LIMIT=50000

# A session of our server and client in tmux session NAME; CMD_PREFIX (may be
# empty) runs in the client's shell before it.
start_pair() {
	mosh_server_start "$SERVER" -i 127.0.0.1 -p 0 -- /bin/sh || return 1
	_c=$(mosh_client_cmd "$CLIENT" 127.0.0.1 "$MOSH_SERVER_PORT")
	[ -z "$2" ] || _c=$(sb_client_env "$2" "$_c")
	tmux_start "$1" 80 24 "$_c" && tmux_wait_for '$' 20
}

# The numbers strictly increase; those after the marker (all, if none) are
# contiguous, at least 10,000 of them, ending at 1000000. The screen can show
# the end before the last history rows are pushed: poll (flood_settled).
flood_ok() {
	tmux_history >"$TEST_TMP/flood.all"
	grep -xE '[0-9]+' "$TEST_TMP/flood.all" >"$TEST_TMP/flood"
	[ "$(grep -c 'lines skipped' "$TEST_TMP/flood.all")" -le 1 ] || return 1
	awk 'NR > 1 && $1 <= prev { print "not increasing at line " NR ": " prev ", " $1; bad = 1 }
		{ prev = $1 } END { exit bad }' "$TEST_TMP/flood" >&2 || return 1
	awk '/lines skipped/ { n = 0; next } /^[0-9]+$/ { a[n++] = $1 }
		END {
			if (n < 10000 || a[n - 1] != 1000000) { print "tail: " n " lines to " a[n - 1]; exit 1 }
			for (i = 1; i < n; i++) if (a[i] != a[i - 1] + 1) { print "gap after " a[i - 1]; exit 1 }
		}' "$TEST_TMP/flood.all" >"$TEST_TMP/flood.why"
}
flood_settled() {
	retry_until 60 flood_ok >/dev/null 2>&1
	_rc=$?
	tap_diag "$(wc -l <"$TEST_TMP/flood") number lines;" \
		"$(grep 'lines skipped' "$TEST_TMP/flood.all")" "$(cat "$TEST_TMP/flood.why")"
	return $_rc
}

tap_ok "a session starts" start_pair s1 "" || tap_done
t0=$(now_ms)
tmux_type 'seq 1 1000000; echo done-$((1+1))'
tmux_keys Enter
tap_ok "seq 1 1000000 ends" tmux_wait_for done-2 180
tap_diag "seq 1 1000000 on screen after $(($(now_ms) - t0)) ms"
tap_ok "history: increasing, at most one marker, the last 10,000+ contiguous" flood_settled

seq 1 20000000 >"$TEST_TMP/big"
tap_diag "the file for cat: $(wc -c <"$TEST_TMP/big") bytes"
# interrupt_cat N: cat the big file, Ctrl-C after 2 s, time until the prompt.
interrupt_cat() {
	tmux_type "clear; cat $TEST_TMP/big; echo never"
	tmux_keys Enter
	sleep 2
	tmux_keys C-c
	_t=$(now_ms)
	tmux_type "echo back-\$((10+$1))"
	tmux_keys Enter
	tmux_wait_for "back-$((10 + $1))" 10 || return 1
	tap_diag "$2: Ctrl-C to the prompt in $(($(now_ms) - _t)) ms"
}
tap_ok "Ctrl-C stops cat of a big file (scrollback)" interrupt_cat 1 scrollback
tap_ok "a session with MOSH_NO_SCROLLBACK=1 starts" start_pair s2 MOSH_NO_SCROLLBACK=1 ||
	tap_done
tap_ok "Ctrl-C stops cat of a big file (MOSH_NO_SCROLLBACK=1)" \
	interrupt_cat 2 MOSH_NO_SCROLLBACK=1

# --- 3. a flood that happens before the client attaches
printf 'seq 1 100000\nexec sleep 600\n' >"$TEST_TMP/flood.sh"
flood_arrived() {
	[ "$(tmux_history | grep -cxE '[0-9]+')" -ge 10000 ] && _tmux_shows 100000
}
# early_flood N: one session; 0 when its pane shows exactly one marker.
early_flood() {
	mosh_server_start "$SERVER" -i 127.0.0.1 -p 0 -- /bin/sh "$TEST_TMP/flood.sh" || return 1
	tmux_start "early$1" 80 24 "$(mosh_client_cmd "$CLIENT" 127.0.0.1 "$MOSH_SERVER_PORT")" ||
		return 1
	retry_until 30 flood_arrived || return 1
	sleep 1
	_m=$(sb_skipped_markers)
	kill -KILL "$(ps -o pid= --ppid "$(tmux_pane_pid)" | tr -d ' ' | head -n 1)" 2>/dev/null
	kill -TERM "$MOSH_SERVER_PID" 2>/dev/null
	[ "$_m" -eq 1 ] && return 0
	tap_diag "session $1: $_m markers: $(tmux_history | grep 'lines skipped' | tr '\n' ' ')"
	return 1
}
early_floods() {
	for _i in 1 2 3 4 5 6; do
		early_flood "$_i" || return 1
	done
}
tap_ok "a flood before the client attaches gives one marker (6 sessions)" early_floods
tap_done
