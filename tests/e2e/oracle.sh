#!/bin/sh
# shellcheck disable=SC1091,SC2016,SC2034 # libraries sourced by path; the driver runs remotely; TMUX_SESSION is read by tmux.sh
# A differential oracle: the same byte streams drawn by Debian's mosh 1.4 pair
# (/usr/bin/mosh-server + /usr/bin/mosh-client), by ours (with
# MOSH_NO_SCROLLBACK=1) and, as the referee, by tmux directly, each in its own
# 80x24 tmux pane. After each stream the panes are compared cell for cell
# (capture-pane -e) and by cursor position. A stream passes when ours equals
# mosh 1.4, or else equals the direct pane (mosh 1.4 is wrong there); it fails
# when ours differs from both. The diagnostics list every difference from the
# direct pane, with its first lines.
#
# Found so far (mosh 1.4 wrong, ours like tmux): writing into the right half of
# a wide character ("\e[6;10H中中\e[6;11Hy") leaves both wide characters on
# mosh 1.4's screen; tmux and ours erase the first and show the "y".
# Where both moshes differ from tmux 3.3 alike (kept, as the diagnostics show):
# SGR 2 (faint) and 9 (strikethrough) are not carried (mosh 1.4's renditions
# have neither); after CUP home + CNL ("\e[H\e[E") and in the tab-stop
# stream (TBC, HTS, CHT, CBT) the screens or cursors differ from tmux's.
#
# The streams (one file each, from the printf formats below) cover colours and
# attributes, autowrap (on and off, at the margin), scrolling, wide and
# combining characters, cursor movement and save/restore, erasing (with a
# coloured background), insert/delete of characters and lines, scroll regions
# with index/reverse index and scroll up/down, tab stops, origin mode. Each
# starts from a reset (SGR 0, full scroll region, origin mode off, autowrap
# on, insert mode off, home, clear). A driver runs as the session's command (no
# shell, no prompt, echo off) and shows the next stream when it reads a key.
#
# Deliberately left out, because ours differs from mosh 1.4 on purpose:
#  - the alternate screen (we have one; mosh 1.4 draws on the primary);
#  - the first prompt (mosh 1.4's server begins with an empty line, ours on
#    row 0): every stream clears and homes first;
#  - OSC strings (we filter titles and OSC 52);
#  - scrollback (ours pushes scrolled-off lines to the terminal's history;
#    MOSH_NO_SCROLLBACK=1 turns that off).
# Usage: oracle.sh [BUILD_DIR]   (TAP; a skip when tmux or mosh 1.4 is missing)
set -u
TESTLIB=${TESTLIB:-$(cd "$(dirname "$0")/../lib" && pwd)}
MOSHC_BUILD=${1:-${MOSHC_BUILD:-build}}
. "$TESTLIB/common.sh"
. "$TESTLIB/tmux.sh"
. "$TESTLIB/mosh.sh"
. "$TESTLIB/screen.sh"

test_init oracle
require_prog tmux perl /usr/bin/mosh-server /usr/bin/mosh-client \
	"$MOSHC_BUILD/mosh-server" "$MOSHC_BUILD/mosh-client"
export HOME="$TEST_TMP" MOSH_PREDICTION_DISPLAY=never

# name|printf format (after the reset prelude)
cat >"$TEST_TMP/streams" <<'EOF'
colours|plain \033[1mbold\033[22m \033[2mdim\033[22m \033[3mitalic\033[23m \033[4munder\033[24m \033[5mblink\033[25m \033[7mrev\033[27m \033[9mstrike\033[29m\r\n\033[31mred \033[42mon green\033[39m default-fg\033[49m \033[94mbright\033[0m \033[38;5;196m196\033[48;5;21m/21\033[0m \033[38;2;255;128;0mtrue\033[48;2;0;64;128mbg\033[0m\r\n\033[1;4;7;31;43mall\033[0m end
wraps|%085d|\r\n\033[80Gx\r\n%080d\r\nafter-exact-80\r\n\033[?7l%0100d\033[?7h\r\nnowrap-done \033[79Gabc
scrolling|s1\r\ns2\r\ns3\r\ns4\r\ns5\r\ns6\r\ns7\r\ns8\r\ns9\r\ns10\r\ns11\r\ns12\r\ns13\r\ns14\r\ns15\r\ns16\r\ns17\r\ns18\r\ns19\r\ns20\r\ns21\r\ns22\r\ns23\r\ns24\r\ns25\r\ns26\r\ns27\r\ns28\r\ns29\r\ns30\033[41m\r\ncoloured-bg-scroll\n\n\033[0mend
wide|日本語 ｶﾀｶﾅ e\314\201 n\314\203 中文字\r\n\033[79G中\r\n\033[80G語x\r\n\033[5;10Hab中cd\033[5;11Hx\033[6;10H中中\033[6;11Hy
cursor|\033[5;5Hfive\033[2Aup2\033[3Bdown3\033[10Cright\033[4Dleft\0337\033[20;60Hsaved-elsewhere\0338restored\033[15Gcol15\033[12dline12\033[H\033[Ehome-next\033[99;99Hcorner
erase|\033[44m%080d\r\n%080d\r\n%080d\r\n%080d\033[1;40H\033[K\033[2;40H\033[1K\033[3;1H\033[2K\033[4;10H\033[5X\033[0m\033[6;1Hbelow\033[3;5H\033[44m\033[J\033[0m\033[2;30H\033[1J
insdel|0123456789abcdefghij\r\nline2\r\nline3\r\nline4\r\nline5\033[1;5H\033[3@\033[1;15H\033[2P\033[3;1H\033[2L\033[5;1H\033[1M\033[7;1H\033[4hINS\033[4l\033[7;1Hover
regions|\033[5;10r\033[5;1Hr5\r\nr6\r\nr7\r\nr8\r\nr9\r\nr10\r\nr11\r\nr12\033[5;1H\033Mreverse\033[2S\033[1T\033[r\033[20;1Houtside
tabs|a\tb\tc\r\n\033[3g\033[10GX\033H\033[30GY\033H\r\n\tone\ttwo\r\n\033[0g\t\ttab-cleared?\033[5;1H\033[2I\033[Z|
origin|\033[10;15r\033[?6h\033[Horigin-home\033[99;1Hbottom-of-region\033[?6l\033[r\033[1;70Hplain-home
EOF

n=0
while IFS='|' read -r name fmt; do
	n=$((n + 1))
	# One 0 per %0Nd (printf reuses the format for surplus arguments).
	# shellcheck disable=SC2046,SC2059 # the zeros; the stream is the format
	printf "\033[0m\033[r\033[?6l\033[?7h\033[4l\033[H\033[2J$fmt" \
		$(echo "$fmt" | awk '{ for (i = gsub(/%0/, ""); i > 0; i--) print 0 }') \
		>"$TEST_TMP/$n.stream"
	echo "$name" >"$TEST_TMP/$n.name"
done <"$TEST_TMP/streams"

# The driver: no echo, one stream per key read.
cat >"$TEST_TMP/driver.sh" <<'EOF'
stty -echo -icanon min 1
i=1
while [ -f "$1/$i.stream" ]; do
	cat "$1/$i.stream"
	dd bs=1 count=1 >/dev/null 2>&1
	i=$((i + 1))
done
sleep 600
EOF

tap_ok "the direct pane starts" tmux_start direct 80 24 "sh '$TEST_TMP/driver.sh' '$TEST_TMP'" ||
	tap_done
tap_ok "mosh 1.4's server starts" \
	mosh_server_start /usr/bin/mosh-server -i 127.0.0.1 -p 0 -- sh "$TEST_TMP/driver.sh" "$TEST_TMP" ||
	tap_done
tap_ok "mosh 1.4's client starts" \
	tmux_start mosh14 80 24 "$(mosh_client_cmd /usr/bin/mosh-client 127.0.0.1 "$MOSH_SERVER_PORT")" ||
	tap_done
tap_ok "our server starts" mosh_server_start "$MOSHC_BUILD/mosh-server" -i 127.0.0.1 -p 0 \
	-- sh "$TEST_TMP/driver.sh" "$TEST_TMP" || tap_done
tap_ok "our client starts (MOSH_NO_SCROLLBACK=1)" \
	tmux_start ours 80 24 "export MOSH_NO_SCROLLBACK=1 && $(mosh_client_cmd \
		"$MOSHC_BUILD/mosh-client" 127.0.0.1 "$MOSH_SERVER_PORT")" || tap_done

# A diagnostic for each pane that differs from the direct one: the first lines
# of the difference.
referee() {
	for _p in mosh14 ours; do
		_screens_same direct "$_p" cursor && continue
		tap_diag "stream $i ($name): $_p differs from direct" \
			"(cursor $(screen_cursor direct) / $(screen_cursor "$_p")):"
		diff "$TEST_TMP/direct.screen" "$TEST_TMP/$_p.screen" | cat -v | head -n 6 |
			sed 's/^/#     /'
	done
}

settled() {
	_screens_same direct mosh14 cursor && _screens_same direct ours cursor
}

# Ours equals mosh 1.4, or the direct pane.
ours_right() {
	_screens_same mosh14 ours cursor || _screens_same direct ours cursor
}

i=1
while [ -f "$TEST_TMP/$i.stream" ]; do
	name=$(cat "$TEST_TMP/$i.name")
	# Both mosh panes settle on the direct pane's screen, or the time is up.
	retry_until 8 settled
	tap_ok "stream $i ($name): ours equals mosh 1.4 or, where mosh 1.4 is wrong, tmux" \
		ours_right
	referee
	for s in direct mosh14 ours; do
		TMUX_SESSION=$s
		tmux_type n
	done
	i=$((i + 1))
done
tap_done
