#!/bin/sh
# shellcheck disable=SC1091,SC2016 # libraries sourced by path; typed text is for the remote shell
# Our renditions end to end (doc/PROTOCOL.md 15.9): a session under tmux on
# loopback prints faint, strikethrough, curly and dashed underlines with
# underline colours; a direct pane of the same size prints what the client's
# terminal should then show, and the two screens (capture-pane -e, which tmux
# 3.3 fills with SGR 2, 9, 4:n and 58) must be equal.
#  - our client (its hello announces the renditions; TERM=tmux-256color, whose
#    terminfo has dim, smxx and Smulx but no Setulc): everything but the
#    underline colour;
#  - mosh 1.4's client (RENDITIONS_PEER=mosh14): mosh 1.4's rendition only, a
#    plain underline for the styled ones.
# A hyperlink (OSC 8) goes along; tmux 3.3 keeps none (3.4 does), so the check
# is only that it leaves nothing else behind on the screen.
# Usage: renditions.sh [BUILD_DIR]   (TAP; a skip when tmux or a peer is missing)
set -u
TESTLIB=${TESTLIB:-$(cd "$(dirname "$0")/../lib" && pwd)}
MOSHC_BUILD=${1:-${MOSHC_BUILD:-build}}
. "$TESTLIB/common.sh"
. "$TESTLIB/tmux.sh"
. "$TESTLIB/mosh.sh"

MOSH_SERVER_BIN=${MOSH_SERVER_BIN:-$MOSHC_BUILD/mosh-server}
MOSH_CLIENT_BIN=${MOSH_CLIENT_BIN:-$MOSHC_BUILD/mosh-client}
RENDITIONS_PEER=${RENDITIONS_PEER:-ours}

test_init renditions
require_prog tmux "$MOSH_SERVER_BIN" "$MOSH_CLIENT_BIN"
if ! infocmp -x tmux-256color 2>/dev/null | grep -q Smulx; then
	tap_skip "renditions" "no tmux-256color terminfo entry with Smulx (ncurses-term)"
	tap_done
fi

export PS1='$ ' HOME="$TEST_TMP" ENV=
# What the program prints, and what each client's terminal should show.
full='\033[2mfaint\033[22m \033[9mstrike\033[29m \033[4:3;58;5;196mcurly\033[0m \033[4:5;58:2::10:20:30mdashed\033[0m \033[1;2;9;4:3mall\033[0m \033[4:3m\033[59mnocolour\033[0m \033]8;;http://example.org/\033\\link\033]8;;\033\\ end\n'
case $RENDITIONS_PEER in
mosh14) shown='faint strike \033[4mcurly\033[0m \033[4mdashed\033[0m \033[1;4mall\033[0m \033[4mnocolour\033[0m \033]8;;http://example.org/\033\\link\033]8;;\033\\ end\n' ;;
*) shown='\033[2mfaint\033[22m \033[9mstrike\033[29m \033[4:3mcurly\033[0m \033[4:5mdashed\033[0m \033[1;2;9;4:3mall\033[0m \033[4:3mnocolour\033[0m \033]8;;http://example.org/\033\\link\033]8;;\033\\ end\n' ;;
esac
cat >"$TEST_TMP/show.sh" <<EOF
clear
if [ "\$RSTREAM" = full ]; then printf '$full'; else printf '$shown'; fi
echo shown-\$((6*7))
EOF

# The session's shell prints the full stream, the direct one what should show.
export RSTREAM=full
tap_ok "mosh-server starts" mosh_server_start "$MOSH_SERVER_BIN" -i 127.0.0.1 -p 0 -- /bin/sh ||
	tap_done
tap_ok "the direct shell starts" \
	tmux_start direct 80 24 "RSTREAM=shown TERM=xterm PS1='$ ' /bin/sh" || tap_done
client=$(mosh_client_cmd "$MOSH_CLIENT_BIN" 127.0.0.1 "$MOSH_SERVER_PORT" |
	sed 's/TERM=xterm-256color/TERM=tmux-256color/')
tap_ok "mosh-client starts" tmux_start mosh 80 24 "$client" || tap_done

TMUX_SESSION=direct
tmux_wait_for '$' 10
TMUX_SESSION=mosh
tap_ok "the remote prompt arrives" tmux_wait_for '$' 20

for s in direct mosh; do
	TMUX_SESSION=$s
	tmux_type "sh $TEST_TMP/show.sh"
	tmux_keys Enter
	tmux_wait_for shown-42 10
done

capture() {
	tmux_cmd capture-pane -p -e -t "$TMUX_SESSION"
}
_screens_equal() {
	TMUX_SESSION=direct
	capture >"$TEST_TMP/direct.screen"
	TMUX_SESSION=mosh
	capture >"$TEST_TMP/mosh.screen"
	cmp -s "$TEST_TMP/direct.screen" "$TEST_TMP/mosh.screen"
}
screens_equal() {
	retry_until 5 _screens_equal && return 0
	echo "screens differ (< direct, > mosh):" >&2
	diff "$TEST_TMP/direct.screen" "$TEST_TMP/mosh.screen" | cat -v >&2
	return 1
}
tap_ok "renditions ($RENDITIONS_PEER client): screens equal" screens_equal
if [ "$RENDITIONS_PEER" = ours ]; then
	tap_ok "the curly underline and strikethrough reach the terminal" \
		grep -q "$(printf '\033')\\[4:3m" "$TEST_TMP/mosh.screen"
fi

TMUX_SESSION=mosh
tmux_type 'exit'
tmux_keys Enter
tap_ok "the client exits when the remote shell does" tmux_wait_exit 20
tap_ok "the server exits" mosh_server_wait_exit 20
tap_done
