#!/bin/sh
# shellcheck disable=SC1091,SC2016 # libraries sourced by path; typed text is for the remote shell
# Scrollback off, and with mosh 1.4 (issue 11, doc/PROTOCOL.md §15.1-15.2):
#  1. MOSH_NO_SCROLLBACK=1 keeps mosh 1.4's screen: the client uses the
#     alternate screen and the pane's history does not get `seq 1 3000`;
#  2. our client and server, through a recording forwarder: the server's
#     datagrams carry history (field 42), so the decoder sees extensions;
#  3. our client with Debian's mosh-server 1.4: the session works, no field
#     40-63 comes back, and the client sends only its hello (field 40);
#  4. Debian's mosh-client 1.4 with our server: the session works and no
#     field 40-63 travels in either direction.
# Every datagram is decoded by tests/interop/wire_fields with the session's
# key (given in its environment, never in argv).
# Usage: scrollback_interop.sh [BUILD_DIR]   (TAP; a skip when tmux or mosh 1.4 is missing)
set -u
TESTLIB=${TESTLIB:-$(cd "$(dirname "$0")/../lib" && pwd)}
MOSHC_BUILD=${1:-${MOSHC_BUILD:-build}}
. "$TESTLIB/common.sh"
. "$TESTLIB/tmux.sh"
. "$TESTLIB/mosh.sh"
. "$TESTLIB/scrollback.sh"

SERVER=$MOSHC_BUILD/mosh-server
CLIENT=$MOSHC_BUILD/mosh-client
FIELDS=$MOSHC_BUILD/tests/interop/wire_fields
OLD_SERVER=/usr/bin/mosh-server
OLD_CLIENT=/usr/bin/mosh-client

test_init scrollback_interop
require_prog tmux python3 "$SERVER" "$CLIENT" "$FIELDS"
export PS1='$ ' HOME="$TEST_TMP" ENV=
# shellcheck disable=SC2034 # read by tmux_start
TMUX_HISTORY_LIMIT=50000

# --- 1. scrollback off
tap_ok "mosh-server starts" mosh_server_start "$SERVER" -i 127.0.0.1 -p 0 -- /bin/sh || tap_done
tap_ok "a client with MOSH_NO_SCROLLBACK=1 connects" \
	tmux_start off 80 24 "$(sb_client_env MOSH_NO_SCROLLBACK=1 \
		"$(mosh_client_cmd "$CLIENT" 127.0.0.1 "$MOSH_SERVER_PORT")")" || tap_done
tap_ok "its prompt arrives" tmux_wait_for '$' 20
tmux_type 'seq 1 3000; echo done-$((1+1))'
tmux_keys Enter
tap_ok "seq 1 3000 ends" tmux_wait_for done-2 30
tap_ok "the client draws on the alternate screen" \
	test "$(tmux_cmd display-message -p -t off '#{alternate_on}')" = 1
# capture-pane -E -1 of an empty history gives the screen's top line: ask first.
history_has_no_numbers() {
	[ "$(sb_history_size)" -eq 0 ] || ! tmux_cmd capture-pane -p -S - -E -1 -t off | grep -qxE '[0-9]+'
}
tap_ok "the pane's history does not get the numbers" history_has_no_numbers

# A session through tests/lib/udp_record.py, which records both directions:
# start_recorded NAME SERVER_BIN CLIENT_BIN.
start_recorded() {
	mosh_server_start "$2" -i 127.0.0.1 -p 0 -- /bin/sh || return 1
	rm -f "$TEST_TMP/$1.up" "$TEST_TMP/$1.down" "$TEST_TMP/$1.ready"
	python3 "$TESTLIB/udp_record.py" forward --target "127.0.0.1:$MOSH_SERVER_PORT" \
		--record "$TEST_TMP/$1.up" --record-down "$TEST_TMP/$1.down" \
		--ready-file "$TEST_TMP/$1.ready" --exit-after 120 \
		>"$TEST_TMP/$1-forward.log" 2>&1 </dev/null &
	track_pid $!
	wait_for_file "$TEST_TMP/$1.ready" 5 || return 1
	tmux_start "$1" 80 24 "$(mosh_client_cmd "$3" 127.0.0.1 "$(cat "$TEST_TMP/$1.ready")")" &&
		tmux_wait_for '$' 20
}
# The session carries a command and its output both ways.
session_works() {
	tmux_type "seq 1 300; echo done-\$((3*$1))"
	tmux_keys Enter
	tmux_wait_for "done-$((3 * $1))" 30
}
# fields NAME up|down: decode the record; print the field counts.
fields() {
	MOSH_KEY=$MOSH_SERVER_KEY "$FIELDS" "$2" "$TEST_TMP/$1.$2" >"$TEST_TMP/$1.$2.fields" ||
		tap_diag "wire_fields $1 $2: $(tr '\n' ' ' <"$TEST_TMP/$1.$2.fields")"
}
# new_fields NAME DIR: the field numbers 40-63 seen, one per line with its count.
new_fields() {
	awk '$1 == "field" && $2 >= 40 && $2 <= 63 { print $2 " x" $3 }' "$TEST_TMP/$1.$2.fields"
}
# decoded NAME DIR: the record opened cleanly and held diffs.
decoded() {
	fields "$1" "$2" &&
		[ "$(awk '$1 == "diffs" { print $2 }' "$TEST_TMP/$1.$2.fields")" -gt 0 ]
}
has_new_fields() {
	[ "$(new_fields "$1" "$2" | awk '{ print $1 }' | tr '\n' ' ')" = "$3" ]
}
has_history_field() {
	new_fields "$1" "$2" | grep -q '^42 '
}
report() {
	tap_diag "$1 $2: extension fields: $(new_fields "$1" "$2" | tr '\n' ' ')"
}

# --- 2. ours with ours: the decoder sees what mosh-c adds
tap_ok "ours with ours through the recorder" start_recorded moshc "$SERVER" "$CLIENT" || tap_done
tap_ok "the session works" session_works 1
tap_ok "server->client datagrams decode" decoded moshc down
report moshc down
tap_ok "our server sends our client history (field 42)" has_history_field moshc down

# --- 3. our client, mosh 1.4's server
if [ -x "$OLD_SERVER" ]; then
	tap_ok "our client with mosh-server 1.4 through the recorder" \
		start_recorded oldserver "$OLD_SERVER" "$CLIENT" || tap_done
	tap_ok "the session works" session_works 2
	tap_ok "server->client datagrams decode" decoded oldserver down
	report oldserver down
	tap_ok "mosh 1.4's server sends no field 40-63" has_new_fields oldserver down ''
	tap_ok "client->server datagrams decode" decoded oldserver up
	report oldserver up
	tap_ok "our client sends mosh 1.4 only its hello (field 40)" has_new_fields oldserver up '40 '
else
	tap_skip "our client with mosh-server 1.4" "$OLD_SERVER is not installed"
fi

# --- 4. mosh 1.4's client, our server
if [ -x "$OLD_CLIENT" ]; then
	tap_ok "mosh-client 1.4 with our server through the recorder" \
		start_recorded oldclient "$SERVER" "$OLD_CLIENT" || tap_done
	tap_ok "the session works" session_works 3
	tap_ok "server->client datagrams decode" decoded oldclient down
	report oldclient down
	tap_ok "our server sends mosh 1.4's client no field 40-63" has_new_fields oldclient down ''
	tap_ok "client->server datagrams decode" decoded oldclient up
	tap_ok "mosh 1.4's client sends no field 40-63" has_new_fields oldclient up ''
else
	tap_skip "mosh-client 1.4 with our server" "$OLD_CLIENT is not installed"
fi
tap_done
