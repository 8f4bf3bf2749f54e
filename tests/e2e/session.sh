#!/bin/sh
# shellcheck disable=SC1091,SC2016 # libraries sourced by path; typed text is for the remote shell
# A whole mobile-shell session under tmux on loopback, compared with the same
# shell run directly in a second tmux pane of the same size: after each step
# the two screens (text, colours and attributes: capture-pane -e) must be
# identical. Steps: plain commands, 16/256/true colour, UTF-8 (wide and
# combining characters) in and out, an 80th-column wrap, scrolling, a resize,
# a full-screen program (less), Ctrl-C during `yes`, and the end of the
# session: the client exits 0 after a clean shutdown and no process is left.
#
# The programs under test come from MOSH_SERVER_BIN and MOSH_CLIENT_BIN, so the
# same script checks ours with ours and each of ours against Debian's mosh 1.4.
# Usage: session.sh [BUILD_DIR]   (TAP; a skip when tmux or a peer is missing)
set -u
TESTLIB=${TESTLIB:-$(cd "$(dirname "$0")/../lib" && pwd)}
MOSHC_BUILD=${1:-${MOSHC_BUILD:-build}}
. "$TESTLIB/common.sh"
. "$TESTLIB/tmux.sh"
. "$TESTLIB/mosh.sh"
. "$TESTLIB/screen.sh"

MOSH_SERVER_BIN=${MOSH_SERVER_BIN:-$MOSHC_BUILD/mosh-server}
MOSH_CLIENT_BIN=${MOSH_CLIENT_BIN:-$MOSHC_BUILD/mosh-client}

test_init session
require_prog tmux less "$MOSH_SERVER_BIN" "$MOSH_CLIENT_BIN"

# Both shells see the same environment: dash, a fixed prompt, TERM=xterm (what
# mosh-server gives a child when the client did not ask for 256 colours).
export PS1='$ ' HOME="$TEST_TMP" ENV=
seq 1 200 | sed 's/^/line of the pager test /' >"$TEST_TMP/pager.txt"

tap_ok "mosh-server starts" mosh_server_start "$MOSH_SERVER_BIN" -i 127.0.0.1 -p 0 -- /bin/sh ||
	tap_done
tap_ok "the direct shell starts" tmux_start direct 80 24 "TERM=xterm PS1='$ ' /bin/sh" || tap_done
tap_ok "mosh-client starts" \
	tmux_start mosh 80 24 "$(mosh_client_cmd "$MOSH_CLIENT_BIN" 127.0.0.1 "$MOSH_SERVER_PORT")" ||
	tap_done

# Run the same keystrokes in both panes.
both_type() {
	for s in direct mosh; do
		TMUX_SESSION=$s
		tmux_type "$1"
		tmux_keys Enter
	done
}

# Wait until TEXT shows in both panes.
both_wait() {
	TMUX_SESSION=direct
	tmux_wait_for "$1" "$2" || return 1
	TMUX_SESSION=mosh
	tmux_wait_for "$1" "$2"
}

TMUX_SESSION=direct
tmux_wait_for '$' 10
TMUX_SESSION=mosh
tap_ok "the remote prompt arrives" tmux_wait_for '$' 20
# mosh 1.4's server starts every session with an empty line (doc/PROTOCOL.md 9.2):
# begin from a cleared screen on both sides.
both_type 'clear; echo ready-$((6*7))'
tap_ok "a typed command runs remotely" both_wait ready-42 20
tap_ok "plain commands: screens equal" screens_equal direct mosh

both_type 'printf "\033[1mbold\033[0m \033[4munder\033[0m \033[7mrev\033[0m \033[31mred\033[42mongreen\033[0m \033[94mbright\033[0m\n"; echo c16-done'
both_wait c16-done 10
tap_ok "16 colours and attributes: screens equal" screens_equal direct mosh

both_type 'printf "\033[38;5;196mi196\033[48;5;21mbg21\033[0m \033[38;2;255;128;0mtrue\033[48;2;0;64;128mbg\033[0m\n"; echo c256-done'
both_wait c256-done 10
tap_ok "256 and 24-bit colour: screens equal" screens_equal direct mosh

both_type 'printf "日本語 ｶﾀｶﾅ e\314\201 n\314\203 wide:中文字\n"; echo utf8-done'
both_wait utf8-done 10
tap_ok "UTF-8 out (wide, combining): screens equal" screens_equal direct mosh

both_type 'echo glück-faĩl-日本'
both_wait glück-faĩl-日本 10
tap_ok "UTF-8 typed in arrives intact" screens_equal direct mosh

both_type 'printf "%085d|\n" 0; echo wrap-done'
both_wait wrap-done 10
tap_ok "an 80th-column wrap: screens equal" screens_equal direct mosh

both_type 'seq 1 60; echo scroll-done'
both_wait scroll-done 10
tap_ok "scrolling 60 lines: screens equal" screens_equal direct mosh

for s in direct mosh; do
	TMUX_SESSION=$s
	tmux_cmd resize-window -t "$s" -x 100 -y 30
done
both_type 'clear; stty size'
TMUX_SESSION=mosh
tap_ok "a resize reaches the remote pty (30 100)" tmux_wait_for '30 100' 10
both_wait '30 100' 10
tap_ok "after the resize: screens equal" screens_equal direct mosh

both_type "less $TEST_TMP/pager.txt"
both_wait 'line of the pager test 29' 10
tap_ok "a full-screen program (less): screens equal" screens_equal direct mosh
for s in direct mosh; do
	TMUX_SESSION=$s
	tmux_keys Space
done
both_wait 'line of the pager test 58' 10
tap_ok "less paging forward: screens equal" screens_equal direct mosh
for s in direct mosh; do
	TMUX_SESSION=$s
	tmux_type q
done
both_type 'clear; echo pager-closed'
both_wait pager-closed 10
tap_ok "after less quits: screens equal" screens_equal direct mosh

TMUX_SESSION=mosh
tmux_type 'yes'
tmux_keys Enter
tmux_wait_for y 10
sleep 1
tmux_keys C-c
t0=$(now_ms)
tmux_type 'echo interrupted-$((7*6))'
tmux_keys Enter
tmux_wait_for interrupted-42 10
t1=$(now_ms)
tap_diag "Ctrl-C during yes: prompt back and the next command shown after $((t1 - t0)) ms"
tap_ok "Ctrl-C stops yes and gives the prompt back within a second" test $((t1 - t0)) -le 1000

tmux_type 'echo $$ >'"$TEST_TMP/shell.pid"'; exit'
tmux_keys Enter
tap_ok "the client exits when the remote shell does" tmux_wait_exit 20
tap_ok "the client's exit status is 0 (clean shutdown)" test "$(tmux_exit_status)" = 0
tap_ok "the server exits" mosh_server_wait_exit 20
shell_pid=$(cat "$TEST_TMP/shell.pid" 2>/dev/null)
tap_ok "the remote shell ($shell_pid) is gone" \
	retry_until 5 sh -c "test -n '$shell_pid' && ! kill -0 '$shell_pid' 2>/dev/null"
tap_done
