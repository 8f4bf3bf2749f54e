#!/bin/sh
# The shell's first prompt is on the first row: the server releases the child
# through a pipe (server/ptychild.h) instead of typing a newline into the pty
# as mosh 1.4 does, so no blank row comes first. mosh --local in tmux, an
# interactive sh with a known prompt; then, to show the check can fail, the
# same with Debian's mosh-server, whose first prompt is on the second row.
# Usage: first_prompt.sh BUILD_DIR
set -u
B=$(cd "$1" && pwd)
. "$(dirname "$0")/common.sh"
need tmux

# $1 label, $2 server. Leaves the screen's first two rows in $T/$1.rows.
prompt_rows() {
	tmux_new_server "$1"
	cat >"$T/run-$1.sh" <<SCRIPT
'$B/mosh' --local --client='$B/mosh-client' --server='$2' 127.0.0.1 \
	-- env PS1='first-prompt\$ ' ENV= sh -i
sleep 60
SCRIPT
	tmux_run "$T/run-$1.sh"
	wait_screen 'first-prompt\$' 30 || return 1
	# A prompt must not be followed by a late line feed: look again after a pause.
	sleep 1
	tmux -L "$TMUX_SOCK" capture-pane -p | head -2 >"$T/$1.rows"
	sed 's/^/#   /' "$T/$1.rows"
	tmux -L "$TMUX_SOCK" send-keys 'exit' Enter
}

prompt_rows ours "$B/mosh-server"
check "our server: the first prompt is on row 0" grep -q '^first-prompt\$' "$T/ours.rows"
check "our server: it is not preceded by a blank row" \
	[ "$(head -1 "$T/ours.rows")" = 'first-prompt$' ]

if [ -x /usr/bin/mosh-server ]; then
	prompt_rows debian /usr/bin/mosh-server
	check "mosh 1.4's server: row 0 is blank, the prompt on row 1 (the check sees the difference)" \
		[ -z "$(head -1 "$T/debian.rows")" -a "$(sed -n 2p "$T/debian.rows")" = 'first-prompt$' ]
else
	n=$((n + 1))
	echo "ok $n # SKIP /usr/bin/mosh-server (mosh 1.4) not installed"
fi
finish
