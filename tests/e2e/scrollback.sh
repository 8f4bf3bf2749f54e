#!/bin/sh
# shellcheck disable=SC1091,SC2016 # libraries sourced by path; typed text is for the remote shell
# The user's own scrollback (issue 11, doc/PROTOCOL.md §15), end to end in
# tmux panes with a 50,000-line history:
#  1. `seq 1 3000`: history + screen hold every number once, in order; the
#     same through tools/mosh-relay at 200 ms RTT and 5 % loss each way;
#  2. `less` and vim (if installed) paging 2,000 lines, then quit: the
#     history does not grow and the shell's screen comes back;
#  3. colours (SGR 31, 1;32, 38;5;200, 48;2;1;2;3), CJK and emoji reach the
#     history with the same attributes and characters as in a plain tmux
#     pane that ran the same bytes (capture-pane -e);
#  4. a named session's history is replayed to a client that attaches after
#     the first was killed: 1..500 once each;
#  5. the client's last words follow the final screen on a line of their own,
#     after a prompt (mosh-server kill) and after a typed `exit`.
# Usage: scrollback.sh [BUILD_DIR]   (TAP; a skip when tmux is missing)
set -u
TESTLIB=${TESTLIB:-$(cd "$(dirname "$0")/../lib" && pwd)}
MOSHC_BUILD=${1:-${MOSHC_BUILD:-build}}
. "$TESTLIB/common.sh"
. "$TESTLIB/tmux.sh"
. "$TESTLIB/mosh.sh"
. "$TESTLIB/relay.sh"
. "$TESTLIB/sessions.sh"
. "$TESTLIB/scrollback.sh"

SERVER=$MOSHC_BUILD/mosh-server
CLIENT=$MOSHC_BUILD/mosh-client

test_init scrollback
require_prog tmux less "$SERVER" "$CLIENT"
export PS1='$ ' HOME="$TEST_TMP" ENV=
# shellcheck disable=SC2034 # read by tmux_start
TMUX_HISTORY_LIMIT=50000

# A session of our server and client in tmux session NAME, through PORT (the
# server's or a relay's), with the prompt on screen.
start_pair() {
	tmux_start "$1" 80 24 "$(mosh_client_cmd "$CLIENT" 127.0.0.1 "$2")" &&
		tmux_wait_for '$' 20
}

# --- 1. every line once, in order, directly and through a bad network
tap_ok "mosh-server starts" mosh_server_start "$SERVER" -i 127.0.0.1 -p 0 -- /bin/sh || tap_done
tap_ok "a client connects" start_pair s1 "$MOSH_SERVER_PORT" || tap_done
tmux_type 'seq 1 3000; echo done-$((1+1))'
tmux_keys Enter
tap_ok "seq 1 3000 ends" tmux_wait_for done-2 30
tap_ok "history + screen hold 1..3000 once each, in order" sb_wait_exactly 3000 15

tap_ok "a second mosh-server starts" \
	mosh_server_start "$SERVER" -i 127.0.0.1 -p 0 -- /bin/sh || tap_done
tap_ok "the relay starts (200 ms RTT, 5 % loss each way)" \
	relay_start --target "127.0.0.1:$MOSH_SERVER_PORT" --delay 100 --loss 5 || tap_done
tap_ok "a client connects through the relay" start_pair s2 "$RELAY_PORT" || tap_done
tmux_type 'seq 1 3000; echo done-$((1+2))'
tmux_keys Enter
tap_ok "seq 1 3000 ends through the relay" tmux_wait_for done-3 60
tap_ok "through the relay too: 1..3000 once each, in order" sb_wait_exactly 3000 60
tap_diag "relay: $(relay_stat up.dropped_loss) up and $(relay_stat down.dropped_loss) down datagrams lost"
kill -KILL "$(pane_client_pid)"
relay_stop
TMUX_SESSION=s1

# --- 2. a full-screen pager leaves no trace in the history
# pager_leaves_no_trace N CMD PAGE QUIT...: run CMD on 2,000 lines, press
# PAGE four times (to line 100), quit with the keys QUIT..., then the history
# length is what it was and the shell's screen (above-N, the command) is back.
shows_line() {
	tmux_screen | grep -qx " *$1 *"
}
pager_leaves_no_trace() {
	_n=$1
	_cmd=$2
	_page=$3
	shift 3
	tmux_type "clear; echo above-\$((40+$_n))"
	tmux_keys Enter
	tmux_wait_for "above-$((40 + _n))" 10 || return 1
	sleep 1
	_before=$(sb_history_size)
	tmux_type "$_cmd; echo after-\$((50+$_n))"
	tmux_keys Enter
	retry_until 10 shows_line 23 || return 1
	for _i in 1 2 3 4; do
		tmux_keys "$_page"
		sleep 0.3
	done
	retry_until 10 shows_line 100 || return 1
	tmux_keys "$@"
	tmux_wait_for "after-$((50 + _n))" 10 || return 1
	sleep 1
	_after=$(sb_history_size)
	tap_diag "$_cmd: history $_before lines before, $_after after"
	[ "$_after" -eq "$_before" ] && _tmux_shows "above-$((40 + _n))" && _tmux_shows "$_cmd"
}
tmux_type "seq 1 2000 >$TEST_TMP/pages"
tmux_keys Enter
tap_ok "less, paging and quit: no history, the shell's screen is back" \
	pager_leaves_no_trace 1 "less $TEST_TMP/pages" Space q
if command -v vim >/dev/null 2>&1; then
	tap_ok "vim, paging and quit: no history, the shell's screen is back" \
		pager_leaves_no_trace 2 "vim -u NONE -R $TEST_TMP/pages" C-f Escape ':q!' Enter
else
	tap_skip "vim, paging and quit" "vim is not installed"
fi

# --- 3. colours and wide characters, as tmux itself keeps them
printf '%s\n' \
	'sgr-1 \033[31mred\033[0m plain' \
	'sgr-2 \033[1;32mbold green\033[0m plain' \
	'sgr-3 \033[38;5;200mcolour 200\033[0m plain' \
	'sgr-4 \033[48;2;1;2;3mtrue-colour back\033[0m plain' \
	'sgr-5 漢字かな wide 😀 emoji \033[4;35mund\033[0m' |
	sed 's/\\033/\x1b/g' >"$TEST_TMP/styled"
# The history part of a capture with attributes: the styled lines only.
styled_history() {
	tmux_cmd capture-pane -e -p -S - -E -1 -t "$TMUX_SESSION" | grep 'sgr-[0-9]' >"$1"
}
styled_compare() {
	styled_history "$TEST_TMP/styled.mosh"
	_s=$TMUX_SESSION
	TMUX_SESSION=plain
	styled_history "$TEST_TMP/styled.plain"
	TMUX_SESSION=$_s
	[ "$(wc -l <"$TEST_TMP/styled.plain")" -eq 5 ] &&
		cmp -s "$TEST_TMP/styled.plain" "$TEST_TMP/styled.mosh" && return 0
	{
		echo "the styled lines in a plain pane's history and in mosh's differ:"
		diff "$TEST_TMP/styled.plain" "$TEST_TMP/styled.mosh" | cat -v
	} >&2
	return 1
}
tmux_type "clear; cat $TEST_TMP/styled; seq 1 60; echo styled-\$((2*4))"
tmux_keys Enter
tap_ok "the styled lines scroll off" tmux_wait_for styled-8 20
_mosh_session=$TMUX_SESSION
tap_ok "a plain tmux pane runs the same bytes" \
	tmux_start plain 80 24 "cat $TEST_TMP/styled; seq 1 60; echo styled-\$((2*4)); sleep 60"
tmux_wait_for styled-8 10
TMUX_SESSION=$_mosh_session
tap_ok "SGR attributes, CJK and emoji in history match the plain pane's" \
	retry_until 10 styled_compare

# --- 4. a reattached client gets the session's history
tap_ok "a private XDG_RUNTIME_DIR" sessions_init "$SERVER" || tap_done
tap_ok "mosh-server new --name sb starts" \
	mosh_server_start "$SERVER" --name sb -i 127.0.0.1 -p 0 -- /bin/sh || tap_done
tap_ok "its first client connects" start_pair s5 "$MOSH_SERVER_PORT" || tap_done
tmux_type 'seq 1 500; echo done-$((2+3))'
tmux_keys Enter
tap_ok "seq 1 500 ends" tmux_wait_for done-5 20
kill -KILL "$(pane_client_pid)"
tap_ok "the session is detached" retry_until 15 session_is sb detached
tap_ok "mosh-server attach sb" session_attach sb || tap_done
tap_ok "a new client in a fresh pane connects" start_pair s6 "$ATTACH_PORT" || tap_done
tap_ok "its history + screen hold 1..500 once each, in order" sb_wait_exactly 500 20

# --- 5. the last words: below a prompt, and below a typed exit with no blank line
last_words() {
	tmux_wait_exit 10 || return 1
	tmux_history >"$TEST_TMP/last"
	grep -qxF "$1" "$TEST_TMP/last" && grep -qx "$2" "$TEST_TMP/last"
}
tmux_type 'echo killed-$((4*4))'
tmux_keys Enter
tmux_wait_for killed-16 10
"$SERVER" kill sb >/dev/null
tap_ok "after mosh-server kill, the last words have a line of their own below the prompt" \
	last_words '[mosh is exiting: session ended by mosh-server kill]' '\$ *'
TMUX_SESSION=s1
tmux_type 'exit'
tmux_keys Enter
tap_ok "after exit, the last words follow the typed line" \
	last_words '[mosh is exiting.]' '\$ exit'
tap_ok "with no blank line between" \
	sh -c "grep -A1 -x '\\$ exit' '$TEST_TMP/last' | grep -qxF '[mosh is exiting.]'"
tap_done
