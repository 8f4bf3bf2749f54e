#!/bin/sh
# shellcheck disable=SC1091,SC2016,SC2034 # libraries sourced by path; typed text is for the remote shell; MOSH_RELAY, RELAY_LISTEN, TMUX_SESSION are read by the libraries
# Half the datagrams lost each way: our mosh-server and tools/mosh-relay
# (--loss 50) in the server's network namespace, our mosh-client under tmux in
# the client's (tests/lib/netns.sh); the client talks to the relay across the
# veth link. 500 keystrokes (50 lines of 9 characters and Enter, typed line by
# line into `cat > file`) must arrive exactly: the file the remote shell wrote
# equals what was typed. The same keys typed into a shell run directly give
# the reference screen: the final screens must agree cell for cell.
# Usage: net_loss.sh [BUILD_DIR]   (TAP; a skip without root, iproute2 or tmux)
set -u
TESTLIB=${TESTLIB:-$(cd "$(dirname "$0")/../lib" && pwd)}
MOSHC_BUILD=$(cd "${1:-${MOSHC_BUILD:-build}}" && pwd)
. "$TESTLIB/common.sh"
. "$TESTLIB/tmux.sh"
. "$TESTLIB/mosh.sh"
. "$TESTLIB/relay.sh"
. "$TESTLIB/screen.sh"
. "$TESTLIB/netns.sh"

test_init net-loss
require_prog tmux perl "$MOSHC_BUILD/mosh-server" "$MOSHC_BUILD/mosh-client" \
	"$MOSHC_BUILD/tools/mosh-relay"
netns_init
export PS1='$ ' HOME="$TEST_TMP" ENV=

tap_ok "mosh-server starts in the server namespace" \
	mosh_server_start "$(netns_wrap "$NETNS_SRV" "$MOSHC_BUILD/mosh-server")" \
	-i "$NETNS_SRV_IP4" -p 0 -- /bin/sh || tap_done
MOSH_RELAY=$(netns_wrap "$NETNS_SRV" "$MOSHC_BUILD/tools/mosh-relay")
RELAY_LISTEN="$NETNS_SRV_IP4:0"
tap_ok "the relay (50 % loss each way) starts beside it" \
	relay_start --target "$NETNS_SRV_IP4:$MOSH_SERVER_PORT" --loss 50 --seed 13 \
	--exit-after 170000 || tap_done
tap_ok "the direct shell starts" tmux_start direct 80 24 "TERM=xterm PS1='$ ' /bin/sh" || tap_done
tap_ok "mosh-client starts in the client namespace" \
	tmux_start mosh 80 24 "$(mosh_client_cmd "$(netns_wrap "$NETNS_CLI" \
		"$MOSHC_BUILD/mosh-client")" "$NETNS_SRV_IP4" "$RELAY_PORT")" || tap_done
tap_ok "the prompt arrives through the lossy link" tmux_wait_for '$' 60 || tap_done

both_type() {
	for s in direct mosh; do
		TMUX_SESSION=$s
		tmux_type "$1"
		tmux_keys Enter
	done
}

typed="$TEST_TMP/typed.txt"
# Nothing is typed after the Ctrl-D: typed-ahead echo would race the prompt.
# No `clear` before cat: at this loss the keystrokes often reach the remote
# shell in one burst, the tty echoes the typed-ahead lines before `clear` runs,
# and `clear` would then wipe them there but not in the direct pane.
both_type "cat > '$TEST_TMP/\$\$.out'; echo done-\$((6*7))"
i=0
: >"$typed"
while [ "$i" -lt 50 ]; do
	line=$(printf 'k%02d-%05d' "$i" $((i * 997 % 100000)))
	echo "$line" >>"$typed"
	both_type "$line"
	i=$((i + 1))
done
for s in direct mosh; do
	TMUX_SESSION=$s
	tmux_keys C-d
done
TMUX_SESSION=mosh
tap_ok "the shell ran on after the 500 keys" tmux_wait_for done-42 90 || tap_done

# Two files were written: the direct shell's and the remote one's.
files_written() {
	[ "$(find "$TEST_TMP" -name '*.out' | wc -l)" -eq 2 ]
}
retry_until 10 files_written
same_as_typed() {
	for f in "$TEST_TMP"/*.out; do
		cmp "$typed" "$f" >&2 || return 1
	done
}
tap_ok "every keystroke arrived exactly (the remote file equals the typed text)" same_as_typed
tap_ok "the final screens agree cell for cell" screens_equal direct mosh 30
tap_diag "relay: up dropped $(relay_stat up.dropped_loss) of $(relay_stat up.received)," \
	"down dropped $(relay_stat down.dropped_loss) of $(relay_stat down.received)"
tap_done
