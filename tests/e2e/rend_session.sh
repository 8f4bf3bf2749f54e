#!/bin/sh
# shellcheck disable=SC1091 # libraries sourced by path
# Our renditions through a whole session, underline colour included (issue
# 14). renditions.sh looks through tmux, whose terminfo has no Setulc, and no
# terminfo entry on a Debian system has it, so the underline colour never
# reached a terminal there. Here the client's terminal is an xterm-256color
# entry compiled into the test's directory with Smulx and Setulc added
# (mosh-client only asks whether a capability exists and writes its own SGR),
# its output is recorded (tests/lib/recorded.sh) and the reference model
# (tests/tools/termcells) must show the same cells and renditions for it as
# for the program's bytes: faint, strikethrough, underline styles, underline
# colours (palette and RGB), SGR 59 and SGR 22/29 ending them.
# Negative control: the same client with plain xterm-256color (no Smulx, no
# Setulc) shows the same text but not the styles, and the check sees it.
# Usage: rend_session.sh [BUILD_DIR]   (TAP)
set -u
TESTLIB=${TESTLIB:-$(cd "$(dirname "$0")/../lib" && pwd)}
MOSHC_BUILD=${1:-${MOSHC_BUILD:-build}}
. "$TESTLIB/common.sh"
. "$TESTLIB/mosh.sh"
. "$TESTLIB/recorded.sh"

MOSH_SERVER_BIN=$MOSHC_BUILD/mosh-server
MOSH_CLIENT_BIN=$MOSHC_BUILD/mosh-client
TERMCELLS=$MOSHC_BUILD/tests/tools/termcells

test_init rend-session
require_prog python3 tic "$MOSH_SERVER_BIN" "$MOSH_CLIENT_BIN" "$TERMCELLS"
export HOME="$TEST_TMP" ENV=

terminfo=$TEST_TMP/terminfo
cat >"$TEST_TMP/xterm-ulc.src" <<'EOF'
xterm-ulc|xterm-256color with styled and coloured underlines,
	Smulx=\E[4:%p1%dm,
	Setulc=\E[58:2::%p1%{65536}%/%d:%p1%{256}%/%{255}%&%d:%p1%{255}%&%dm,
	use=xterm-256color,
EOF
if ! tic -x -o "$terminfo" "$TEST_TMP/xterm-ulc.src" 2>"$TEST_TMP/tic.log"; then
	skip_all "tic cannot build a terminfo entry from xterm-256color"
fi

printf '\033[H\033[2J\033[2mfaint\033[22m \033[9mstrike\033[29m \033[4:3;58;5;196mcurly\033[0m \033[4:5;58:2::10:20:30mdashed\033[0m\r\n\033[4:2;58;2;1;2;3mdouble\033[59mnocolour\033[24m plain \033[1;2;9;4:4;58;5;33;38;5;100;48;2;9;8;7mall\033[0m end\r\n' \
	>"$TEST_TMP/script.bin"
cat >"$TEST_TMP/prog.sh" <<EOF
cat "$TEST_TMP/script.bin"
n=0
while [ ! -e "\$1/end" ] && [ \$n -lt 600 ]; do sleep 0.1; n=\$((n + 1)); done
exit 0
EOF

# same_text DIR: the same text as the direct terminal, renditions aside.
same_text() {
	rec_dumps "$1" "$TEST_TMP/script.bin" &&
		grep -v '^rend' "$1/direct.txt" >"$1/direct.text" &&
		grep -v '^rend' "$1/client.txt" >"$1/client.text" &&
		cmp -s "$1/direct.text" "$1/client.text"
}

# shown DIR TERM...: that client's session shows the script's text; sets SAME
# (0: also the direct terminal's renditions, 1: not).
shown() {
	_d=$1
	shift
	SAME=""
	rec_start "$_d" "$MOSH_CLIENT_BIN" "$*" /bin/sh "$TEST_TMP/prog.sh" "$_d" || return 1
	if retry_until 15 same_text "$_d"; then
		SAME=1
		retry_until 2 rec_same "$_d" "$TEST_TMP/script.bin" && SAME=0
	fi
	: >"$_d/end"
	rec_finish "$_d" && mosh_server_wait_exit 20 && [ -n "$SAME" ]
}

# renditions_same DIR: SAME is 0, else the differences as comments.
renditions_same() {
	[ "$SAME" = 0 ] && return 0
	rec_show_diff "$1"
	return 1
}

tap_ok "a terminal with Smulx and Setulc: the session shows the text" \
	shown "$TEST_TMP/ulc" xterm-ulc TERMINFO="$terminfo"
tap_ok "... and every rendition as a direct terminal does" renditions_same "$TEST_TMP/ulc"
tap_ok "control, xterm-256color: the session shows the text" \
	shown "$TEST_TMP/plain" xterm-256color
tap_ok "control: without the styles, and the check sees it" test "$SAME" = 1
tap_done
