#!/bin/sh
# shellcheck disable=SC1091,SC1003 # libraries sourced by path; ST is ESC and a backslash
# OSC 8 hyperlinks through a whole session (issue 14), compared with a direct
# terminal. tmux 3.3 drops OSC 8, so this test does not look through tmux:
# mosh-client runs in a pty whose output is recorded (tests/tools/ptyrec.py),
# against our server on loopback, and its session's program prints a script
# of bytes in three steps. After each step the reference terminal model
# (tests/tools/termcells: mosh-c's own emulator, src/term/emu) is fed
#  (a) what the client wrote to its terminal, and
#  (b) the script bytes so far, as a direct terminal would get them,
# and the two must show the same cells with the same links (URI and params).
# The link open for the next print is left out of that comparison: a
# client's terminal has none open between frames, while the direct one still
# has the script's. It is what the last check is about: a session that ends
# while the program's link is open leaves the user's terminal with no link
# open (the client's last OSC 8 closes it).
# The steps cover a link across a line wrap, links scrolled up by output, a
# link overwritten by plain text, one link id in two runs with a gap, SGR 0
# (which keeps a link), soft reset (CSI ! p) and full reset (ESC c), which
# end one.
# Negative controls, so that the check is known to see links: mosh 1.4's
# client (no hello, so no renditions: the server sends mosh 1.4's
# hoststrings) and ours with TERM=screen (no OSC 8 for that terminal) show the
# same text but not the links, and the comparison must say so.
# Usage: osc8_session.sh [BUILD_DIR]   (TAP)
set -u
TESTLIB=${TESTLIB:-$(cd "$(dirname "$0")/../lib" && pwd)}
MOSHC_BUILD=${1:-${MOSHC_BUILD:-build}}
. "$TESTLIB/common.sh"
. "$TESTLIB/mosh.sh"
. "$TESTLIB/recorded.sh"

MOSH_SERVER_BIN=$MOSHC_BUILD/mosh-server
MOSH_CLIENT_BIN=$MOSHC_BUILD/mosh-client
TERMCELLS=$MOSHC_BUILD/tests/tools/termcells

test_init osc8-session
require_prog python3 "$MOSH_SERVER_BIN" "$MOSH_CLIENT_BIN" "$TERMCELLS"
export HOME="$TEST_TMP" ENV=

# The script, in three steps (CR LF line ends: the session's pty would add
# the CR to a bare LF, a direct terminal fed the bytes would not).
L() { printf '\033]8;%s;%s\033\\' "$1" "$2"; }
E() { printf '\033]8;;\033\\'; }
{
	printf '\033[H\033[2J\033[15;1Hplain '
	L id=one http://one.example/
	printf 'one'
	E
	printf ' tail\r\n%070d' 0
	L id=w 'http://wrap.example/a?b=c'
	printf 'WRAPPED-LINK-TEXT-0123456789'
	E
	printf ' after\r\n'
	L '' http://over.example/
	printf 'OVERWRITE-ME'
	E
	printf '\rplain\r\n'
	L id=g http://gap.example/
	printf first
	E
	printf ' gap '
	L id=g http://gap.example/
	printf second
	E
	printf '\r\n'
	L '' http://sgr.example/
	printf '\033[1mbold\033[0mkept'
	E
	printf '\r\n'
	for i in 1 2 3 4 5 6 7 8 9 10; do
		printf 'output line %s\r\n' "$i"
	done
} >"$TEST_TMP/part.1"
{
	printf '\033[H\033[2J'
	L '' http://soft.example/
	printf 'soft\033[!pafter-decstr\r\n'
} >"$TEST_TMP/part.2"
{
	L '' http://full.example/
	printf 'full\033cafter-ris '
	L id=x http://open.example/
	printf 'open-at-exit'
} >"$TEST_TMP/part.3"

# The session's program: step K once go.K exists, then exit after go.4
# (each wait bounded to 60 s).
cat >"$TEST_TMP/prog.sh" <<EOF
dir=\$1
for k in 1 2 3 4; do
	n=0
	while [ ! -e "\$dir/go.\$k" ] && [ \$n -lt 600 ]; do sleep 0.1; n=\$((n + 1)); done
	[ \$k -lt 4 ] && cat "$TEST_TMP/part.\$k"
done
exit 0
EOF

# parts K: the script's first K steps.
parts() {
	for _k in $(seq 1 "$1"); do
		echo "$TEST_TMP/part.$_k"
	done
}

# step DIR K: let the program print step K and wait until the client shows it.
step() {
	: >"$1/go.$2"
	# shellcheck disable=SC2046 # the list of parts
	if ! retry_until 15 rec_same "$1" $(parts "$2"); then
		rec_show_diff "$1"
		return 1
	fi
}

# finish DIR: the program exits; the client must exit 0 soon after.
finish() {
	for _k in 1 2 3 4; do
		: >"$1/go.$_k"
	done
	rec_finish "$1"
}

# The last OSC 8 the client wrote closes the link, and the model agrees.
closed_at_exit() {
	python3 - "$1/client.out" <<'EOF' || return 1
import re, sys
links = re.findall(rb"\x1b\]8;[^;\x07\x1b]*;([^\x07\x1b]*)", open(sys.argv[1], "rb").read())
sys.exit(0 if links and links[-1] == b"" and b"http://open.example/" in links else 1)
EOF
	"$TERMCELLS" 80 24 "$1/client.out" | grep -qx 'open none'
}

if rec_start "$TEST_TMP/ours" "$MOSH_CLIENT_BIN" xterm-256color /bin/sh "$TEST_TMP/prog.sh" \
	"$TEST_TMP/ours"; then
	d=$TEST_TMP/ours
	tap_ok "wrap, scroll, overwrite, gap and SGR 0: the same cells and links" step "$d" 1
	tap_ok "soft reset ends the link" step "$d" 2
	tap_ok "full reset ends the link; a link left open shows" step "$d" 3
	tap_ok "the session ends, the client exits 0" finish "$d"
	tap_ok "the client's terminal has no link open at the end" closed_at_exit "$d"
	tap_ok "the server exits" mosh_server_wait_exit 20
else
	tap_ok "our session starts" false
fi

# same_text DIR: after step 1, the same text, links aside.
same_text() {
	rec_dumps "$1" "$TEST_TMP/part.1" &&
		grep -v '^link' "$1/direct.txt" >"$1/direct.text" &&
		grep -v '^link' "$1/client.txt" >"$1/client.text" &&
		cmp -s "$1/direct.text" "$1/client.text"
}

# control NAME CLIENT TERM: that session shows the text of step 1 but the
# comparison sees the links missing.
control() {
	_d=$TEST_TMP/$1
	rec_start "$_d" "$2" "$3" /bin/sh "$TEST_TMP/prog.sh" "$_d" || return 1
	: >"$_d/go.1"
	retry_until 15 same_text "$_d" || return 1
	! rec_same "$_d" "$TEST_TMP/part.1" || return 1
	grep -q '^link' "$_d/direct.txt" || return 1
	finish "$_d" && mosh_server_wait_exit 20
}
if [ -x /usr/bin/mosh-client ]; then
	tap_ok "control: mosh 1.4's client (no renditions) shows no links, and the check sees it" \
		control mosh14 /usr/bin/mosh-client xterm-256color
else
	tap_skip "control: mosh 1.4's client" "no /usr/bin/mosh-client"
fi
if infocmp screen >/dev/null 2>&1; then
	tap_ok "control: ours with TERM=screen shows no links, and the check sees it" \
		control screen "$MOSH_CLIENT_BIN" screen
else
	tap_skip "control: TERM=screen" "no terminfo entry for screen"
fi
tap_done
