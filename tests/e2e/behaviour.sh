#!/bin/sh
# shellcheck disable=SC1091,SC2016 # libraries sourced by path; typed text is for the remote shell
# What a mosh-server and mosh-client do beyond drawing, checked end to end on
# loopback (the session runs through tools/mosh-relay so the network can be
# cut):
#  - the server's emulator answers DSR and DA to the application;
#  - arrow keys arrive as ESC [ A for an application in normal cursor mode and
#    as ESC O A after it asked for application cursor keys (DECCKM);
#  - a full-screen program's alternate screen goes when it leaves, and the
#    shell's screen comes back (not with mosh 1.4's server, which has none);
#  - the client shows "Last contact" when the server goes silent and clears it
#    when the network comes back;
#  - SIGUSR1 with MOSH_SERVER_SIGNAL_TMOUT ends a server whose client is gone;
#  - MOSH_SERVER_NETWORK_TMOUT ends a server whose client is gone by itself.
# MOSH_SERVER_BIN / MOSH_CLIENT_BIN choose the programs (default: this build's).
# Usage: behaviour.sh [BUILD_DIR]   (TAP; a skip when tmux is missing)
set -u
TESTLIB=${TESTLIB:-$(cd "$(dirname "$0")/../lib" && pwd)}
MOSHC_BUILD=${1:-${MOSHC_BUILD:-build}}
. "$TESTLIB/common.sh"
. "$TESTLIB/tmux.sh"
. "$TESTLIB/mosh.sh"
. "$TESTLIB/relay.sh"

MOSH_SERVER_BIN=${MOSH_SERVER_BIN:-$MOSHC_BUILD/mosh-server}
MOSH_CLIENT_BIN=${MOSH_CLIENT_BIN:-$MOSHC_BUILD/mosh-client}

test_init behaviour
require_prog tmux od "$MOSH_SERVER_BIN" "$MOSH_CLIENT_BIN"
export PS1='$ ' HOME="$TEST_TMP" ENV=

# The PID of the client running in the current tmux session: the only child
# of the pane's wrapper shell (the client was exec'd in its subshell).
client_pid() {
	ps -o pid= --ppid "$(tmux_pane_pid)" | tr -d ' ' | head -n 1
}

MOSH_SERVER_SIGNAL_TMOUT=1
export MOSH_SERVER_SIGNAL_TMOUT
tap_ok "mosh-server starts" mosh_server_start "$MOSH_SERVER_BIN" -i 127.0.0.1 -p 0 -- /bin/sh ||
	tap_done
unset MOSH_SERVER_SIGNAL_TMOUT
first_server=$MOSH_SERVER_PID
tap_ok "the relay starts" relay_start --target "127.0.0.1:$MOSH_SERVER_PORT" || tap_done
tap_ok "mosh-client starts through the relay" \
	tmux_start s1 80 24 "$(mosh_client_cmd "$MOSH_CLIENT_BIN" 127.0.0.1 "$RELAY_PORT")" ||
	tap_done
tap_ok "the prompt arrives" tmux_wait_for '$' 20

# The application reads the terminal's answer from its own input.
tmux_type 'clear; stty -echo -icanon min 4; printf "\033[5n"; head -c 4 | od -An -tx1; stty sane'
tmux_keys Enter
tap_ok "DSR 5 is answered with ESC [ 0 n" tmux_wait_for '1b 5b 30 6e' 10
tmux_type 'clear; stty -echo -icanon min 6; printf "\033[c"; head -c 6 | od -An -tx1; stty sane'
tmux_keys Enter
tap_ok "DA is answered with ESC [ ? 6 2 c" tmux_wait_for '1b 5b 3f 36 32 63' 10
tmux_type 'clear; stty -echo -icanon min 6; printf "\033[3;7H\033[6n"; head -c 6 | od -An -tx1; stty sane'
tmux_keys Enter
tap_ok "DSR 6 reports the cursor (row 3, column 7)" tmux_wait_for '1b 5b 33 3b 37 52' 10

tmux_type 'clear; stty -echo -icanon min 3; head -c 3 | od -An -tx1; stty sane'
tmux_keys Enter
sleep 0.5
tmux_keys Up
tap_ok "Up arrives as ESC [ A in normal cursor mode" tmux_wait_for '1b 5b 41' 10
tmux_type 'clear; printf "\033[?1h"; stty -echo -icanon min 3; head -c 3 | od -An -tx1; stty sane; printf "\033[?1l"'
tmux_keys Enter
sleep 0.5
tmux_keys Up
tap_ok "Up arrives as ESC O A in application cursor mode" tmux_wait_for '1b 4f 41' 10

# The typed line never shows the drawn words whole: "full-%s" prints full-screen.
shell_screen_back() {
	tmux_wait_for left-9 10 && _tmux_not_shows full-screen && _tmux_shows shell-6
}
if [ "$MOSH_SERVER_BIN" = /usr/bin/mosh-server ]; then
	tap_skip "the alternate screen" "mosh 1.4's server has none"
else
	tmux_type 'clear; echo shell-$((2*3)); printf "\033[?1049h\033[Hfull-%s" screen; sleep 2; printf "\033[?1049l"; echo left-$((3*3))'
	tmux_keys Enter
	tap_ok "a full-screen program draws on the alternate screen" tmux_wait_for full-screen 10
	tap_ok "leaving it brings the shell's screen back" shell_screen_back
fi

relay_blackout
tap_ok "a silent server brings up 'Last contact'" tmux_wait_for 'mosh: Last contact' 15
relay_blackout
tap_ok "the bar goes once the server is heard again" tmux_wait_gone 'mosh: Last contact' 15
tmux_type 'echo back-$((6*7))'
tmux_keys Enter
tap_ok "the session carries on" tmux_wait_for back-42 10

# The client vanishes without a word; SIGUSR1 (after 1 s of silence, as
# MOSH_SERVER_SIGNAL_TMOUT=1 asks) ends the server.
kill -KILL "$(client_pid)"
relay_stop
sleep 2
kill -USR1 "$first_server"
tap_ok "SIGUSR1 ends a server whose client is gone" wait_pid_exit "$first_server" 20

MOSH_SERVER_NETWORK_TMOUT=2
export MOSH_SERVER_NETWORK_TMOUT
tap_ok "a second mosh-server starts" \
	mosh_server_start "$MOSH_SERVER_BIN" -i 127.0.0.1 -p 0 -- /bin/sh || tap_done
unset MOSH_SERVER_NETWORK_TMOUT
tap_ok "a client connects to it" \
	tmux_start s2 80 24 "$(mosh_client_cmd "$MOSH_CLIENT_BIN" 127.0.0.1 "$MOSH_SERVER_PORT")" ||
	tap_done
tap_ok "its prompt arrives" tmux_wait_for '$' 20
kill -KILL "$(client_pid)"
tap_ok "MOSH_SERVER_NETWORK_TMOUT=2 ends the server once its client is gone" \
	mosh_server_wait_exit 25
tap_done
