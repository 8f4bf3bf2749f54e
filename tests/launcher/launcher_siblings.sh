#!/bin/sh
# The launcher drives the programs beside it (sibling.h): a copy of our mosh
# in a directory with fake mosh-client and mosh-server runs those fakes (the
# server only with --local), not the ones on PATH; --client/--server and the
# remote side are left alone. Run in tmux, since the client needs a terminal.
# Usage: launcher_siblings.sh BUILD_DIR
set -u
B=$(cd "$1" && pwd)
. "$(dirname "$0")/common.sh"
need tmux

mkdir "$T/bin"
cp "$B/mosh" "$T/bin/mosh"
cat >"$T/bin/mosh-client" <<'FAKE'
#!/bin/sh
if [ "$1" = -c ]; then echo 256; exit 0; fi
echo "$0 $2 $3" >"$OUT/client"
FAKE
cat >"$T/bin/mosh-server" <<'FAKE'
#!/bin/sh
echo "$0" >"$OUT/server"
echo "MOSH CONNECT 60004 x0tBXfJGJRuhblYadtF42A"
FAKE
cat >"$T/ssh" <<'FAKE'
#!/bin/sh
for last in "$@"; do :; done
echo "$last" >"$OUT/remote-command"
echo "MOSH IP 192.0.2.1" >&2
echo "MOSH CONNECT 60005 x0tBXfJGJRuhblYadtF42A"
FAKE
# Elsewhere, the same programs under other names, for --client/--server.
mkdir "$T/other"
cp "$T/bin/mosh-client" "$T/other/client"
cp "$T/bin/mosh-server" "$T/other/server"
chmod +x "$T/bin/mosh-client" "$T/bin/mosh-server" "$T/ssh" "$T/other/client" "$T/other/server"

# $1 name; the rest is mosh's arguments. Runs $T/bin/mosh in tmux, waits for a client.
run() {
	r_name=$1
	shift
	rm -f "$T/client" "$T/server" "$T/remote-command"
	tmux_new_server "$r_name"
	echo "OUT='$T' exec '$T/bin/mosh' $* >'$T/log' 2>&1" >"$T/run.sh"
	tmux_run "$T/run.sh"
	wait_file "$T/client" 20 || { echo "# $r_name: no client ran"; sed 's/^/#   /' "$T/log"; }
}

run with-local --local 127.0.0.1
check "--local: the client beside the launcher" grep -qx "$T/bin/mosh-client 127.0.0.1 60004" "$T/client"
check "--local: the server beside the launcher" grep -qx "$T/bin/mosh-server" "$T/server"

run ssh --ssh="$T/ssh" example.invalid
check "ssh: the client beside the launcher" grep -qx "$T/bin/mosh-client 192.0.2.1 60005" "$T/client"
check "ssh: the remote server is the remote PATH's" grep -q "^mosh-server 'new'" "$T/remote-command"

run named --local --client="$T/other/client" --server="$T/other/server" 127.0.0.1
check "--client given: it runs" grep -qx "$T/other/client 127.0.0.1 60004" "$T/client"
check "--server given: it runs" grep -qx "$T/other/server" "$T/server"
finish
