#!/bin/sh
# shellcheck disable=SC1091,SC2034 # libraries sourced by path; MOSH_RELAY, RELAY_LISTEN, TMUX_SESSION are read by the libraries
# Big frames at 5 % loss: a 300x100 screen of true-colour cells (every cell
# its own 24-bit foreground and background) redrawn 25 times in ~5 s by a
# small perl program run as the session's command, through tools/mosh-relay
# (--loss 5) in the server's network namespace (tests/lib/netns.sh); each
# frame is ~1 MB of escapes, so its diff spans many fragments and loss hits
# most frames. When the program stops, the client's screen must equal a
# direct tmux pane that was given the last frame's bytes only: cell for cell
# (capture-pane -e) and the cursor.
# The colour changes every RUN (10) cells along a row, though every cell is
# sent with its own SGR: a frame's diff is then ~3 MB on the wire over 25
# frames. With RUN=1 (each cell its own colour) neither ours nor mosh 1.4
# (MOSH_SERVER_BIN/MOSH_CLIENT_BIN=/usr/bin/...) ever delivers a frame at 5 %
# loss: an instruction is lost with any one of its fragments, a frame's diff
# is hundreds of fragments (0.95^N), and every retransmission gets a new
# instruction id (doc/PROTOCOL.md 2.2-2.3), so fragments never accumulate.
# RUN and LOSS override the defaults.
# Usage: net_bigframes.sh [BUILD_DIR]   (TAP; a skip without root, iproute2 or tmux)
set -u
TESTLIB=${TESTLIB:-$(cd "$(dirname "$0")/../lib" && pwd)}
MOSHC_BUILD=$(cd "${1:-${MOSHC_BUILD:-build}}" && pwd)
. "$TESTLIB/common.sh"
. "$TESTLIB/tmux.sh"
. "$TESTLIB/mosh.sh"
. "$TESTLIB/relay.sh"
. "$TESTLIB/screen.sh"
. "$TESTLIB/netns.sh"

test_init net-bigframes
require_prog tmux perl "$MOSHC_BUILD/mosh-server" "$MOSHC_BUILD/mosh-client" \
	"$MOSHC_BUILD/tools/mosh-relay"
netns_init
export HOME="$TEST_TMP"
RUN=${RUN:-10}
LOSS=${LOSS:-5}
MOSH_SERVER_BIN=${MOSH_SERVER_BIN:-$MOSHC_BUILD/mosh-server}
MOSH_CLIENT_BIN=${MOSH_CLIENT_BIN:-$MOSHC_BUILD/mosh-client}

# frames.pl FIRST LAST RUN: draw frames FIRST..LAST (0.2 s apart), then wait.
# Every cell is sent with its own true-colour SGR; the colour changes every RUN
# cells along a row. Frame f is a function of f alone, so frame 24 by itself
# is the reference.
frames="$TEST_TMP/frames.pl"
cat >"$frames" <<'PERL'
$| = 1;
my ($first, $last, $run) = @ARGV;
for my $f ($first .. $last) {
	my $s = "\e[0m\e[H";
	for my $y (0 .. 99) {
		for my $c (0 .. 299) {
			my $x = int($c / $run);
			my @fg = (($x * 7 + $y * 3 + $f * 11) % 256, ($x * $y + $f * 5) % 256,
				($x + $y * 5 + $f * 13) % 256);
			my @bg = (255 - $fg[2], ($y * 2 + $f) % 256, ($x + $f * 3) % 256);
			$s .= "\e[38;2;$fg[0];$fg[1];$fg[2];48;2;$bg[0];$bg[1];$bg[2]m"
				. chr(33 + ($c + $y + $f) % 94);
		}
	}
	print $s, "\e[0m\e[H";
	select(undef, undef, undef, 0.2) if $f < $last;
}
sleep 600;
PERL

tap_ok "mosh-server runs the frame program in the server namespace" \
	mosh_server_start "$(netns_wrap "$NETNS_SRV" "$MOSH_SERVER_BIN")" \
	-i "$NETNS_SRV_IP4" -p 0 -- sh -c "sleep 2; exec perl '$frames' 0 24 $RUN" || tap_done
MOSH_RELAY=$(netns_wrap "$NETNS_SRV" "$MOSHC_BUILD/tools/mosh-relay")
RELAY_LISTEN="$NETNS_SRV_IP4:0"
tap_ok "the relay ($LOSS % loss each way) starts beside it" \
	relay_start --target "$NETNS_SRV_IP4:$MOSH_SERVER_PORT" --loss "$LOSS" --seed 5 \
	--exit-after 170000 || tap_done
tap_ok "mosh-client starts in a 300x100 pane in the client namespace" \
	tmux_start mosh 300 100 "$(mosh_client_cmd "$(netns_wrap "$NETNS_CLI" \
		"$MOSH_CLIENT_BIN")" "$NETNS_SRV_IP4" "$RELAY_PORT")" || tap_done
tap_ok "the reference pane gets the last frame only" \
	tmux_start direct 300 100 "perl '$frames' 24 24 $RUN" || tap_done
TMUX_SESSION=mosh
# The frames end after ~7 s (2 s start, 25 frames); then the last one must settle.
tap_ok "the first frames arrive" tmux_wait_for '!' 30
tap_ok "after the last frame the client's screen equals the reference (cells, cursor)" \
	screens_equal_cursor direct mosh 60
tap_diag "relay: up dropped $(relay_stat up.dropped_loss) of $(relay_stat up.received)," \
	"down dropped $(relay_stat down.dropped_loss) of $(relay_stat down.received)" \
	"($(relay_stat down.received_bytes) bytes)"
tap_done
