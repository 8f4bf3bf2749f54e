# shellcheck shell=sh
# shellcheck disable=SC2034 # NETNS_* are read by the test that sources this
# tests/lib/netns.sh: a private two-host network for a test (POSIX sh,
# source-able; needs common.sh first).
#
# Model: two network namespaces, a client and a server, joined by one veth
# pair; nothing else is in them (no route out), so no datagram of the test
# leaves the machine. Both ends carry private addresses that exist only inside
# the namespaces: 10.77.0.2/24 and fd00:77::2/64 on the client,
# 10.77.0.1/24 and fd00:77::1/64 on the server (IPv6 without duplicate address
# detection, so the addresses work at once). The names carry the test's PID,
# so parallel tests never meet; cleanup deletes both namespaces by name (the
# veth pair goes with them once the last process inside has ended, which the
# PID cleanup of common.sh sees to). Programs enter a namespace through a
# wrapper script (netns_wrap), so the helpers of mosh.sh, tmux.sh and relay.sh
# run them unchanged and their PIDs are the programs' own.
#
# Functions:
#   netns_init              create the pair, or skip_all when this machine cannot
#                           (not root, no iproute2, no namespaces)
#   netns_exec NS CMD...    run CMD in namespace NS ($NETNS_CLI or $NETNS_SRV)
#   netns_wrap NS PROG      print the path of a script that runs PROG in NS
#                           with its arguments (exec: same PID)
#   netns_link_down / netns_link_up
#                           take the server's end of the link down and up: every
#                           datagram either way is lost meanwhile (a real outage,
#                           not an emulated one)

NETNS_CLI=""
NETNS_SRV=""
NETNS_CLI_DEV=""
NETNS_SRV_DEV=""
NETNS_CLI_IP4=10.77.0.2
NETNS_SRV_IP4=10.77.0.1
NETNS_CLI_IP6=fd00:77::2
NETNS_SRV_IP6=fd00:77::1

netns_init() {
	[ "$(id -u)" -eq 0 ] || skip_all "network namespaces need root"
	require_prog ip
	NETNS_CLI="moshc-$$-cli"
	NETNS_SRV="moshc-$$-srv"
	NETNS_CLI_DEV="mcc$$"
	NETNS_SRV_DEV="mcs$$"
	ip netns add "$NETNS_CLI" 2>"$TEST_TMP/netns.log" ||
		skip_all "ip netns add failed: $(head -n 1 "$TEST_TMP/netns.log")"
	at_cleanup "ip netns del '$NETNS_CLI'"
	ip netns add "$NETNS_SRV" || skip_all "ip netns add $NETNS_SRV failed"
	at_cleanup "ip netns del '$NETNS_SRV'"
	ip link add "$NETNS_CLI_DEV" netns "$NETNS_CLI" type veth \
		peer name "$NETNS_SRV_DEV" netns "$NETNS_SRV" 2>>"$TEST_TMP/netns.log" ||
		skip_all "no veth pair: $(tail -n 1 "$TEST_TMP/netns.log")"
	if ! _netns_host "$NETNS_CLI" "$NETNS_CLI_DEV" "$NETNS_CLI_IP4" "$NETNS_CLI_IP6" ||
		! _netns_host "$NETNS_SRV" "$NETNS_SRV_DEV" "$NETNS_SRV_IP4" "$NETNS_SRV_IP6"; then
		skip_all "cannot configure the veth pair (see $TEST_TMP/netns.log)"
	fi
	retry_until 5 _netns_carrier || skip_all "the veth pair has no carrier"
}

_netns_carrier() {
	netns_exec "$NETNS_CLI" ip link show dev "$NETNS_CLI_DEV" | grep -q LOWER_UP
}

_netns_host() {
	netns_exec "$1" ip link set lo up &&
		netns_exec "$1" ip addr add "$3/24" dev "$2" &&
		netns_exec "$1" ip addr add "$4/64" dev "$2" nodad &&
		netns_exec "$1" ip link set "$2" up
} 2>>"$TEST_TMP/netns.log"

netns_exec() {
	_ns=$1
	shift
	ip netns exec "$_ns" "$@"
}

netns_wrap() {
	_w="$TEST_TMP/in-$1-$(basename "$2")"
	printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$1" "$2" >"$_w"
	chmod 755 "$_w"
	echo "$_w"
}

netns_link_down() {
	netns_exec "$NETNS_SRV" ip link set "$NETNS_SRV_DEV" down
}

# IPv4 addresses and their routes come back with the link; so do the nodad
# IPv6 ones.
netns_link_up() {
	netns_exec "$NETNS_SRV" ip link set "$NETNS_SRV_DEV" up
}
