#!/bin/sh
# shellcheck disable=SC1091,SC2016 # libraries sourced by path; typed text is for the remote shell
# Speculative local echo end to end: our mosh-client and mosh-server through
# mosh-relay at 200 ms RTT (100 ms each way), bash at a fixed prompt, default
# (adaptive) prediction.
#
# 1. Latency. "echo the quick brown fox jumps over" is typed one key every
#    100 ms; the first key ("e") is waited for plus 600 ms (by design it
#    shows only after a round trip: it confirms the prediction epoch); each
#    later key counts as shown when capture-pane (polled every ~1 ms over a
#    tmux control connection, tests/lib/keylat.py) shows the prompt line
#    reading everything typed so far. At least 95 % of those keys must show
#    within 20 ms of being sent to the pane.
#    Then a 150-byte paste (one read) must not show before a round trip.
# 2. No echo, no glyph. At `read -s v` the screen must not change in any
#    capture while a secret is typed; then at `read -s -p 'Password: '`, with
#    the secret (starting with the prompt's first letter "P") typed ahead of the
#    prompt, the "Password:" line must never show anything after it, nor
#    any line a piece of the secret ("55", "Pa5"). The shell
#    must still receive both secrets.
# 3. Unicode. "echo glück faĩl 日本語" typed key by key: the prompt line is a
#    prefix of the text in every capture and equals it at the end.
#
# MOSH_SERVER_BIN / MOSH_CLIENT_BIN swap in other programs. Debian's mosh 1.4
# (both set to /usr/bin/...) passes everything except the type-ahead check:
# the prompt's "P" matches the first typed key, which confirms the epoch, and
# the screen shows "Pa55word" where the prompt was.
#
# Usage: predict_relay.sh [BUILD_DIR]   (TAP; a skip when tmux or python3 is missing)
set -u
TESTLIB=${TESTLIB:-$(cd "$(dirname "$0")/../lib" && pwd)}
MOSHC_BUILD=${1:-${MOSHC_BUILD:-build}}
. "$TESTLIB/common.sh"
. "$TESTLIB/tmux.sh"
. "$TESTLIB/mosh.sh"
. "$TESTLIB/relay.sh"

test_init predict-relay
require_prog tmux python3 bash

keylat() {
	python3 "$TESTLIB/keylat.py" "$@" --socket "$(_tmux_sock "$TMUX_SESSION")" \
		--target "$TMUX_SESSION" --prompt 'pred$ '
}

json() { # json FILE EXPR: evaluate a Python expression over the object j
	python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"
}

export PS1='pred$ '
tap_ok "mosh-server starts" \
	mosh_server_start "${MOSH_SERVER_BIN:-$MOSHC_BUILD/mosh-server}" -p 0 -- /bin/bash --norc --noprofile || tap_done
tap_ok "the relay (100 ms each way) starts in front of it" \
	relay_start --target "127.0.0.1:$MOSH_SERVER_PORT" --delay 100 --exit-after 120000 ||
	tap_done
tap_ok "mosh-client starts in tmux" \
	tmux_start pred 80 24 "$(mosh_client_cmd "${MOSH_CLIENT_BIN:-$MOSHC_BUILD/mosh-client}" 127.0.0.1 "$RELAY_PORT")" ||
	tap_done
tap_ok "the prompt arrives" tmux_wait_for 'pred$' 30 || tap_done
# Let SRTT settle on the link's 200 ms.
sleep 2

# 1. Latency
keylat type --text 'echo the quick brown fox jumps over' --prime 1 --interval 100 \
	>"$TEST_TMP/lat.json" || tap_done
lat_ok=$(json "$TEST_TMP/lat.json" 'sum(1 for x in j["lat"] if x <= 20)')
lat_n=$(json "$TEST_TMP/lat.json" 'len(j["lat"]) + j["missed"]')
tap_diag "key to glyph (ms): $(json "$TEST_TMP/lat.json" 'sorted(j["lat"])')"
tap_diag "median $(json "$TEST_TMP/lat.json" 'sorted(j["lat"])[len(j["lat"]) // 2]') ms;" \
	"$lat_ok of $lat_n keys within 20 ms"
tap_ok "at 200 ms RTT >= 95 % of keys after the first show within 20 ms" \
	test $((lat_ok * 100)) -ge $((lat_n * 95))
tmux_keys Enter
tap_ok "the echo command runs" tmux_wait_for 'the quick brown fox jumps over' 10

# Paste: one read of more than 100 bytes makes no predictions, so with the epoch
# confirmed by a typed key, a 150-byte paste must not show before a round trip.
sleep 1 # the new prompt is there and the Enter's predictions are settled
tmux_type 'x'
tmux_wait_for 'pred$ x' 10
sleep 0.6
paste=$(printf 'y%.0s' $(seq 150))
t0=$(now_ms)
tmux_type "$paste"
early=0
while [ $(($(now_ms) - t0)) -lt 120 ]; do
	tmux_screen | grep -q yyyyyyyyyy && early=1
done
tap_ok "a 150-byte paste is not predicted (not on screen within 120 ms at 200 ms RTT)" \
	test "$early" = 0
tap_ok "the paste arrives through the server" tmux_wait_for yyyyyyyyyy 10
tmux_keys C-u

# 2. No echo
tmux_type 'read -s v'
tmux_keys Enter
tmux_wait_for 'read -s v' 10
sleep 1.5
keylat secret --text 'hunter2secret' --interval 100 --settle 1000 >"$TEST_TMP/secret.json"
tap_diag "read -s: $(json "$TEST_TMP/secret.json" 'j["captures"]') captures"
tap_ok "at read -s no capture shows any change while the secret is typed" \
	test "$(json "$TEST_TMP/secret.json" 'j["leaks"]')" = 0 ||
	json "$TEST_TMP/secret.json" 'j["first_leak"]' | sed 's/^/# | /'
tmux_keys Enter
tmux_type 'echo "got[$v]"'
tmux_keys Enter
tap_ok "the shell received the secret" tmux_wait_for 'got[hunter2secret]' 10

tmux_type "read -s -p 'Password: ' w"
sleep 1
keylat secret --enter-first --line 'Password:' --forbid 55 --forbid Pa5 --text 'Pa55word' \
	--interval 20 --settle 2000 \
	>"$TEST_TMP/pw.json"
tap_diag "Password: $(json "$TEST_TMP/pw.json" 'j["captures"]') captures"
tap_ok "typed ahead of a Password: prompt, nothing ever shows after it" \
	test "$(json "$TEST_TMP/pw.json" 'j["leaks"]')" = 0 ||
	json "$TEST_TMP/pw.json" 'j["first_leak"]' | sed 's/^/# | /'
tmux_keys Enter
tmux_type 'echo "got[$w]"'
tmux_keys Enter
tap_ok "the shell received the password" tmux_wait_for 'got[Pa55word]' 10

# 3. Unicode
sleep 1
text='echo glück faĩl 日本語'
keylat type --text "$text" --prime 1 --interval 100 >"$TEST_TMP/utf8.json" || tap_done
tap_diag "unicode: $(json "$TEST_TMP/utf8.json" 'j')"
tap_ok "UTF-8 input is never mangled on screen" \
	test "$(json "$TEST_TMP/utf8.json" 'j["mangled"]')" = 0
tap_ok "the final line is the typed text" \
	test "$(json "$TEST_TMP/utf8.json" 'j["final"]')" = "$text"
tmux_keys Enter
tap_ok "the shell printed it back" tmux_wait_for 'glück faĩl 日本語' 10

tmux_keys C-^ .
tap_ok "Ctrl-^ . ends mosh-client" tmux_wait_exit 20
tap_ok "mosh-server exits after the client quits" mosh_server_wait_exit 20
tap_done
