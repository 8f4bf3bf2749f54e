#!/bin/sh
# mosh --local: no ssh, the server started here through /bin/sh, inside tmux,
# with our mosh-server and mosh-client (MOSH_SERVER_BIN / MOSH_CLIENT_BIN
# select others, e.g. Debian's).
# Usage: launcher_local.sh BUILD_DIR
set -u
B=$(cd "$1" && pwd)
. "$(dirname "$0")/common.sh"
CLIENT=${MOSH_CLIENT_BIN:-$B/mosh-client}
SERVER=${MOSH_SERVER_BIN:-$B/mosh-server}
need tmux "$CLIENT" "$SERVER"

cat >"$T/run.sh" <<SCRIPT
export SSH_CONNECTION='192.0.2.1 1234 192.0.2.2 22'
'$B/mosh' --local --client='$CLIENT' --server='$SERVER' 127.0.0.1 \
	-- sh -c 'echo "local-ok-\$((6*7)) [\$SSH_CONNECTION] \$(pwd)"; sleep 2'
echo "EXIT=\$?" > '$T/exit'
sleep 60
SCRIPT
tmux_run "$T/run.sh"
check "the local command's output reaches the screen" wait_screen local-ok-42 30
check "SSH_CONNECTION is removed and the command runs in \$HOME" \
	wait_screen "local-ok-42 \[\] $HOME\$" 1
check "mosh exits after the command ends" wait_file "$T/exit" 30
check "mosh exit status is 0" grep -qx EXIT=0 "$T/exit"
finish
