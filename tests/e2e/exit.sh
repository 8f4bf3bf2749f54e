#!/bin/sh
# shellcheck disable=SC1091,SC2034 # libraries sourced by path; TMUX_SESSION is read by tmux.sh
# What the user keeps when a session ends (issue 14), end to end under tmux:
#  - the command's last output stays on the screen above "[mosh is exiting.]",
#    with the scrollback (primary screen) and with MOSH_NO_SCROLLBACK=1 (the
#    alternate screen, whose frame the client prints again after leaving it);
#  - mosh exits with the remote command's status (3; 128 + 15 for SIGTERM;
#    127 and the server's "cannot run" line for a command that does not
#    exist), and 0 against
#    Debian's mosh 1.4 server, which does not send it;
#  - a client whose server never answers quits at once on Ctrl-^ . and, after
#    10 s, names the host and UDP port that must be reachable.
# Each pane runs "CLIENT; echo exited=$?; exec sleep", so the screen is read
# while the pane lives (tmux scrolls a dead pane by a line to say so).
# Usage: exit.sh [BUILD_DIR]   (TAP; a skip when tmux is missing)
set -u
TESTLIB=${TESTLIB:-$(cd "$(dirname "$0")/../lib" && pwd)}
MOSHC_BUILD=${1:-${MOSHC_BUILD:-build}}
. "$TESTLIB/common.sh"
. "$TESTLIB/tmux.sh"

test_init exit
require_prog tmux python3 "$MOSHC_BUILD/mosh" "$MOSHC_BUILD/mosh-client" "$MOSHC_BUILD/mosh-server"
export HOME="$TEST_TMP" ENV=
LAUNCH="'$MOSHC_BUILD/mosh' --local --client='$MOSHC_BUILD/mosh-client'"

# Line numbers (capture-pane) of the first line with each fixed string, in
# order: 0 when every one shows, below the one before.
in_order() {
	_prev=0
	for _want in "$@"; do
		_n=$(tmux_screen | grep -nF -m1 -- "$_want" | cut -d: -f1)
		[ -n "$_n" ] && [ "$_n" -gt "$_prev" ] || return 1
		_prev=$_n
	done
	return 0
}

# run_case NAME ENV SERVER TEXT STATUS -- ARGS: mosh --local with ARGS in
# session NAME (ENV: assignments or ""; SERVER: --server=... or ""). The
# commands print and end at once: the server reaps them while their last
# words may still wait in the pty, and those must reach the last frame.
run_case() {
	_case=$1 _case_env=$2 _case_server=$3 _case_text=$4 _case_rc=$5
	shift 6
	tmux_start "$_case" 80 24 \
		"env $_case_env $LAUNCH $_case_server 127.0.0.1 -- $*; echo exited=\$?; exec sleep 60" ||
		return 1
	tmux_wait_for "exited=" 30 || return 1
	tap_ok "$_case: the text stays above the closing line" \
		in_order "$_case_text" '[mosh is exiting.]' "exited="
	tap_ok "$_case: mosh exits $_case_rc" in_order "exited=$_case_rc"
}

marker="sh -c 'echo visible-\$((6*7)); exit 3'"
run_case scrollback "" "" visible-42 3 -- "$marker"
run_case scrollback-typo "" "" 'cannot run "nonexistent-cmd' 127 -- nonexistent-cmd
run_case altscreen MOSH_NO_SCROLLBACK=1 "" visible-42 3 -- "$marker"
run_case signal "" "" killed-by-term 143 -- "sh -c 'echo killed-by-term; kill -TERM \$\$'"
run_case altscreen-typo MOSH_NO_SCROLLBACK=1 "" 'cannot run "nonexistent-cmd' 127 -- \
	nonexistent-cmd
if [ -x /usr/bin/mosh-server ]; then
	run_case mosh-server "" --server=/usr/bin/mosh-server visible-42 0 -- "$marker"
else
	tap_skip "mosh-server: the text stays above the closing line" "no /usr/bin/mosh-server"
	tap_skip "mosh-server: mosh exits 0" "no /usr/bin/mosh-server"
fi

# Nobody listens on the port: the client sends into the void.
port=$(free_udp_port)
silent_client() {
	tmux_start "$1" 160 24 "MOSH_KEY=AAAAAAAAAAAAAAAAAAAAAA TERM=xterm-256color LANG=C.UTF-8 \
'$MOSHC_BUILD/mosh-client' 127.0.0.1 $port; echo exited=\$?; exec sleep 60"
}
firewall="nothing received from 127.0.0.1 on UDP port $port in 10 s: is the port open on the server (firewall)?"
# The bar names the port 10 s after the start and the client gives up at 15 s:
# watch for either, so a slow machine cannot make the test miss the window.
_bar_seen=0
bar_or_gone() {
	_screen=$(tmux_screen)
	case "$_screen" in *"$firewall"*) _bar_seen=1 ;; *exited=*) ;; *) return 1 ;; esac
}
tap_ok "a client for a silent port starts" silent_client silent || tap_done
retry_until 40 bar_or_gone
tap_ok "after 10 s the bar names the host and port to open" [ "$_bar_seen" -eq 1 ]
tap_ok "it gives up by itself" tmux_wait_for "exited=1" 30

tap_ok "a second one starts" silent_client quit || tap_done
tap_ok "it says nothing was received" tmux_wait_for "Nothing received from server" 10
tmux_keys C-^ .
before=$(now_ms)
# Well before the 15 s after which it would give up by itself.
tap_ok "Ctrl-^ . ends it at once" tmux_wait_for "exited=1" 5
tap_diag "quit after $(($(now_ms) - before)) ms"
tap_ok "it names the address it could not reach" \
	in_order "mosh did not make a successful connection to 127.0.0.1:$port"
tap_done
