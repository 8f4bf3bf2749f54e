#!/bin/sh
# mosh through a real (throwaway) sshd on 127.0.0.1, inside tmux: the fake
# proxy, the remote command, MOSH CONNECT and the client exec all for real,
# with our mosh-server and mosh-client (MOSH_SERVER_BIN / MOSH_CLIENT_BIN
# select others, e.g. Debian's).
# Usage: launcher_ssh.sh BUILD_DIR
set -u
B=$(cd "$1" && pwd)
. "$(dirname "$0")/common.sh"
CLIENT=${MOSH_CLIENT_BIN:-$B/mosh-client}
SERVER=${MOSH_SERVER_BIN:-$B/mosh-server}
need tmux "$CLIENT" "$SERVER"

sshd_start "$T/sshd"
case $? in
0) ;;
77) skip "sshd or ssh missing" ;;
*) echo "not ok 1 - sshd starts"; echo "1..1"; exit 1 ;;
esac

# One session per way of finding the server's address. A mosh-server left
# behind by a failure is killed by sshd_stop (it carries the sshd's tag).
session() {
	_mode=$1
	shift
	cat >"$T/run-$_mode.sh" <<SCRIPT
'$B/mosh' --ssh='$SSH_CMD' --client='$CLIENT' --server='$SERVER' $* \
	$SSHD_USER@127.0.0.1 -- sh -c 'echo launcher-ok-\$((6*7)); sleep 2'
echo "EXIT=\$?" > '$T/exit-$_mode'
sleep 60
SCRIPT
	tmux_new_server "$_mode"
	tmux_run "$T/run-$_mode.sh"
	check "$_mode: the remote command's output reaches the screen" wait_screen launcher-ok-42 30
	check "$_mode: mosh exits after the command ends" wait_file "$T/exit-$_mode" 30
	check "$_mode: mosh exit status is 0" grep -qx EXIT=0 "$T/exit-$_mode"
	check "$_mode: the client said goodbye" wait_screen 'mosh is exiting' 5
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null
}

session proxy
session remote --experimental-remote-ip=remote
session local --experimental-remote-ip=local -4
session ports -p 60100:60199 --bind-server=any --no-init --predict=always
finish
