#!/bin/sh
# shellcheck disable=SC1091,SC2016 # libraries sourced by path; typed text is for the remote shell
# The launcher's address families over a real (virtual) link: `mosh --local`
# in the server namespace of tests/lib/netns.sh (addresses 10.77.0.1 and
# fd00:77::1) runs our mosh-server and mosh-client under tmux. --local takes a
# numeric host only, so the family is checked against address literals:
#  - --family=inet6 fd00:77::1: the session runs, and `mosh-server list` shows
#    its client at fd00:77::1 (the session is IPv6);
#  - --family=all with fd00:77::1 and with 10.77.0.1: each runs at that address;
#  - --family=inet fd00:77::1 runs at fd00:77::1 too: with --local a literal is
#    taken as given, as mosh 1.4's launcher does (checked by hand);
#  - no session is left behind.
# Names resolving to both families need ssh (tests/launcher/launcher_vs_perl.sh
# checks the launcher's choice of address against mosh 1.4's).
# Usage: net_family.sh [BUILD_DIR]   (TAP; a skip without root, iproute2 or tmux)
set -u
TESTLIB=${TESTLIB:-$(cd "$(dirname "$0")/../lib" && pwd)}
MOSHC_BUILD=$(cd "${1:-${MOSHC_BUILD:-build}}" && pwd)
. "$TESTLIB/common.sh"
. "$TESTLIB/tmux.sh"
. "$TESTLIB/sessions.sh"
. "$TESTLIB/netns.sh"

test_init net-family
require_prog tmux python3 "$MOSHC_BUILD/mosh" "$MOSHC_BUILD/mosh-server" \
	"$MOSHC_BUILD/mosh-client"
netns_init
export PS1='$ ' HOME="$TEST_TMP" ENV=
sessions_init "$MOSHC_BUILD/mosh-server"

# Run mosh --local --family=FAM HOST in a tmux session; the remote command
# prints a marker and waits, so list can see the session.
n=0
session_family() {
	n=$((n + 1))
	tmux_start "s$n" 80 24 "exec ip netns exec '$NETNS_SRV' '$MOSHC_BUILD/mosh' --local \
		--family=$1 --client='$MOSHC_BUILD/mosh-client' --server='$MOSHC_BUILD/mosh-server' \
		'$2' -- sh -c 'echo family-ok-$n; sleep 60'" &&
		tmux_wait_for "family-ok-$n" 30
}

# The only session's client address is ADDR.
client_at() {
	[ "$(sessions_json | python3 -c 'import json, sys
print(" ".join(s["client_addr"] for s in json.load(sys.stdin)))')" = "$1" ]
}

# End the session of the current tmux session and wait until list is empty.
session_end() {
	"$MOSHC_BUILD/mosh-server" kill "$(sessions_json | python3 -c 'import json, sys
print(json.load(sys.stdin)[0]["id"])')" >/dev/null 2>&1
	retry_until 10 client_at ""
}

for run in "inet6 $NETNS_SRV_IP6" "all $NETNS_SRV_IP6" "all $NETNS_SRV_IP4" \
	"inet $NETNS_SRV_IP6"; do
	# shellcheck disable=SC2086 # the family and the address
	set -- $run
	tap_ok "mosh --local --family=$1 $2: the session runs" session_family "$1" "$2" || continue
	tap_ok "--family=$1 $2: list shows the client at $2" retry_until 5 client_at "$2" ||
		tap_diag "list: $(sessions_json | tr -d '\n')"
	tap_ok "--family=$1 $2: the session ends" session_end
done
tap_ok "no session is left behind" client_at ""
tap_done
