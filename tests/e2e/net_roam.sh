#!/bin/sh
# shellcheck disable=SC1091,SC2016 # libraries sourced by path; typed text is for the remote shell
# Roaming and IPv6 over a real (virtual) link: our mosh-server in one network
# namespace, our mosh-client (under tmux) in another, joined by a veth pair
# (tests/lib/netns.sh).
#  1. IPv4: mid-session the client's host gets a second address and its route
#     switches the source to it, so every datagram of the client leaves from
#     the new address (same socket, no restart). Typed text keeps arriving and
#     `mosh-server list` shows the new client address.
#  2. IPv6: a whole session to fd00:77::1 (prompt, a command, then the same
#     source switch within IPv6).
#  3. IPv4 -> IPv6 is a skip by design: a mosh client has one UDP socket of the
#     server address's family (mosh 1.4 likewise), and the server answers the
#     latest authentic source on its own socket, of one family.
# Usage: net_roam.sh [BUILD_DIR]   (TAP; a skip without root, iproute2 or tmux)
set -u
TESTLIB=${TESTLIB:-$(cd "$(dirname "$0")/../lib" && pwd)}
MOSHC_BUILD=$(cd "${1:-${MOSHC_BUILD:-build}}" && pwd)
. "$TESTLIB/common.sh"
. "$TESTLIB/tmux.sh"
. "$TESTLIB/mosh.sh"
. "$TESTLIB/sessions.sh"
. "$TESTLIB/netns.sh"

test_init net-roam
require_prog tmux python3 "$MOSHC_BUILD/mosh-server" "$MOSHC_BUILD/mosh-client"
netns_init
export PS1='$ ' HOME="$TEST_TMP" ENV=
sessions_init "$MOSHC_BUILD/mosh-server"
SERVER=$(netns_wrap "$NETNS_SRV" "$MOSHC_BUILD/mosh-server")
CLIENT=$(netns_wrap "$NETNS_CLI" "$MOSHC_BUILD/mosh-client")

# Type a command that prints WORD-42 and wait for it.
run_marker() {
	tmux_type "echo $1-\$((6*7))"
	tmux_keys Enter
	tmux_wait_for "$1-42" "$2"
}

# The session NAME's client address (list --json) starts with ADDR.
client_addr_is() {
	case "$(session_field "$1" client_addr 2>/dev/null)" in
	"$2"* | "[$2]"*) return 0 ;;
	esac
	return 1
}

# Switch the client's source address within FAMILY (-4/-6) to ADDR: a second
# address on the link, then the connected route prefers it as source.
roam_to() {
	_fam=$1 _addr=$2 _net=$3 _len=$4
	set -- ip "$_fam" addr add "$_addr/$_len" dev "$NETNS_CLI_DEV"
	[ "$_fam" = -6 ] && set -- "$@" nodad
	netns_exec "$NETNS_CLI" "$@" &&
		netns_exec "$NETNS_CLI" ip "$_fam" route replace "$_net/$_len" dev "$NETNS_CLI_DEV" \
			src "$_addr"
}

# 1. IPv4
tap_ok "mosh-server starts on 10.77.0.1 in the server namespace" \
	mosh_server_start "$SERVER" --name v4 -i "$NETNS_SRV_IP4" -p 0 -- /bin/sh || tap_done
tap_ok "mosh-client starts in the client namespace" \
	tmux_start v4 80 24 "$(mosh_client_cmd "$CLIENT" "$NETNS_SRV_IP4" "$MOSH_SERVER_PORT")" ||
	tap_done
tap_ok "the prompt arrives over the veth link" tmux_wait_for '$' 20 || tap_done
tap_ok "a command runs" run_marker before 10
tap_ok "list shows the client at 10.77.0.2" retry_until 5 client_addr_is v4 "$NETNS_CLI_IP4"
tap_ok "the client's host moves to 10.77.0.3" roam_to -4 10.77.0.3 10.77.0.0 24
tap_ok "typed text keeps arriving after the move" run_marker roamed 15
tap_ok "list shows the new client address 10.77.0.3" retry_until 10 client_addr_is v4 10.77.0.3
# The old address goes, as when a host is renumbered; the new one stays.
netns_exec "$NETNS_CLI" sysctl -qw "net.ipv4.conf.$NETNS_CLI_DEV.promote_secondaries=1"
netns_exec "$NETNS_CLI" ip -4 addr del "$NETNS_CLI_IP4/24" dev "$NETNS_CLI_DEV"
tap_ok "the old address removed, the session carries on" run_marker after 15

# 2. IPv6
tap_ok "mosh-server starts on fd00:77::1" \
	mosh_server_start "$SERVER" --name v6 -i "$NETNS_SRV_IP6" -p 0 -- /bin/sh || tap_done
tap_ok "mosh-client connects to fd00:77::1" \
	tmux_start v6 80 24 "$(mosh_client_cmd "$CLIENT" "$NETNS_SRV_IP6" "$MOSH_SERVER_PORT")" ||
	tap_done
tap_ok "the prompt arrives over IPv6" tmux_wait_for '$' 20 || tap_done
tap_ok "a command runs over IPv6" run_marker six 10
tap_ok "list shows the client at fd00:77::2" retry_until 5 client_addr_is v6 "$NETNS_CLI_IP6"
tap_ok "the client's host moves to fd00:77::3" roam_to -6 fd00:77::3 fd00:77:: 64
tap_ok "typed text keeps arriving after the IPv6 move" run_marker roamed6 15
tap_ok "list shows the new client address fd00:77::3" retry_until 10 client_addr_is v6 fd00:77::3 ||
	tap_diag "list says $(session_field v6 client_addr)"

tap_skip "roaming from IPv4 to IPv6" \
	"by design: the client's one socket has the server address's family (as in mosh 1.4)"
tap_done
