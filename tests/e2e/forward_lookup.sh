#!/bin/sh
# shellcheck disable=SC1091,SC2016,SC2034 # libraries sourced by path; typed text is for the remote shell; TMUX_SESSION is read by tmux.sh
# Forwarded targets named by host name (issue 12), end to end in network
# namespaces (tests/lib/netns.sh): our mosh-server in the server's, our
# mosh-client with two -L in the client's. `ip netns exec` puts
# /etc/netns/<server namespace>/hosts and resolv.conf over /etc's, so the
# server's names are the test's own:
#  - "dualhost" is ::1 and 127.0.0.1 (::1 first, as "localhost" is on most
#    machines) and the service listens on 127.0.0.1 only: the server must try
#    the next address when the first refuses, and the bytes arrive;
#  - any other name goes to a name server that never answers (a silent UDP
#    socket, 30 s timeout): while a channel waits on that lookup, the session
#    keeps working: a command typed then is echoed and run, and another -L
#    transfer completes, before the lookup has ended.
# Usage: forward_lookup.sh [BUILD_DIR]   (TAP; a skip without root, iproute2 or tmux)
set -u
TESTLIB=${TESTLIB:-$(cd "$(dirname "$0")/../lib" && pwd)}
MOSHC_BUILD=$(cd "${1:-${MOSHC_BUILD:-build}}" && pwd)
. "$TESTLIB/common.sh"
. "$TESTLIB/tmux.sh"
. "$TESTLIB/mosh.sh"
. "$TESTLIB/forward.sh"
. "$TESTLIB/netns.sh"

test_init forward-lookup
require_prog tmux python3 "$MOSHC_BUILD/mosh-server" "$MOSHC_BUILD/mosh-client"
netns_init
export PS1='$ ' HOME="$TEST_TMP" ENV=

etc="/etc/netns/$NETNS_SRV"
mkdir -p "$etc" && at_cleanup "rm -rf '$etc'"
printf '127.0.0.1 localhost\n::1 dualhost\n127.0.0.1 dualhost\n' >"$etc/hosts"
printf 'nameserver 127.0.0.1\noptions timeout:30 attempts:1\n' >"$etc/resolv.conf"

in_srv() {
	netns_exec "$NETNS_SRV" "$@"
}

first_address_is_v6() {
	in_srv getent ahosts dualhost | head -n 1 | grep -q '^::1 '
}
tap_ok "dualhost is ::1 first, then 127.0.0.1, in the server namespace" first_address_is_v6

# The silent name server: it notes each query and never answers.
in_srv python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
s.settimeout(170)
with open(sys.argv[1], "a") as log:
    while True:
        s.recv(4096)
        log.write("query\n")
        log.flush()' "$TEST_TMP/queries" </dev/null >"$TEST_TMP/dns.log" 2>&1 &
track_pid $!

# The service, on the server's 127.0.0.1 only.
bytes=2000000
seed=7
in_srv python3 "$TCPBLOB" serve --host 127.0.0.1 --port 0 --mode send --bytes "$bytes" \
	--seed "$seed" --ready-file "$TEST_TMP/svc.ready" --timeout 170 </dev/null \
	>"$TEST_TMP/svc.log" 2>&1 &
track_pid $!
tap_ok "the service listens on the server's 127.0.0.1" wait_for_file "$TEST_TMP/svc.ready" 10 ||
	tap_done
svc=$(cat "$TEST_TMP/svc.ready")

tap_ok "mosh-server starts in the server namespace" \
	mosh_server_start "$(netns_wrap "$NETNS_SRV" "$MOSHC_BUILD/mosh-server")" \
	-i "$NETNS_SRV_IP4" -p 0 -- /bin/sh || tap_done
named=$(tcp_free_port)
slow=$(tcp_free_port)
for _ in 1 2 3; do [ "$slow" != "$named" ] && break; slow=$(tcp_free_port); done
tap_ok "mosh-client starts with -L to dualhost and to a name nobody answers for" \
	tmux_start mosh 80 24 "$(mosh_client_cmd "$(netns_wrap "$NETNS_CLI" \
		"$MOSHC_BUILD/mosh-client")" -L "$named:dualhost:$svc" \
		-L "$slow:nobody-answers.test:$svc" "$NETNS_SRV_IP4" "$MOSH_SERVER_PORT")" || tap_done
tap_ok "the prompt arrives" tmux_wait_for '$' 30 || tap_done

# fetch NAME PORT: a download through the client's -L on PORT, in the background.
fetch() {
	rm -f "$TEST_TMP/$1"
	netns_exec "$NETNS_CLI" python3 "$TCPBLOB" fetch --host 127.0.0.1 --port "$2" \
		--connect-timeout 20 --timeout 150 >"$TEST_TMP/$1" 2>"$TEST_TMP/$1.log" </dev/null &
	FETCH_PID=$!
	track_pid "$FETCH_PID"
}

want=$(blob_expect "$bytes" "$seed")
fetch named.out "$named"
tap_ok "a download through -L to dualhost ends" blob_wait "$FETCH_PID" 60
tap_ok "the service's bytes arrive (::1 refused, 127.0.0.1 took it)" \
	blob_result_is named.out "$want"

fetch slow.out "$slow"
slow_pid=$FETCH_PID
# Once the server's lookup is under way (a query reached the name server),
# a server that waited on it (30 s) could do nothing below until it ended:
# each step is bounded well under that, and the slow download must still be
# waiting at the end.
tap_ok "the server looks the name up" wait_for_file "$TEST_TMP/queries" 20
tmux_type 'echo typed-$((5*5))'
tmux_keys Enter
tap_ok "a command typed while the lookup hangs is run" tmux_wait_for typed-25 20
fetch named2.out "$named"
tap_ok "another transfer completes meanwhile" blob_wait "$FETCH_PID" 60
tap_ok "its bytes arrive" blob_result_is named2.out "$want"
tap_ok "the lookup still hangs (its connection waits)" kill -0 "$slow_pid"
tap_done
