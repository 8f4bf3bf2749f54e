#!/bin/sh
# Differential test against tmux: each case's byte stream is shown directly in
# one tmux session and, in another, through our emulator + the CLIENT display
# differ (term_diff_driver paint, caps from the pane's TERM). Both sessions have
# the same size; the screens (capture-pane -e, with and without -J so line
# wrapping is compared too) and the cursor positions must be identical.
# Both panes are in raw mode, so the bytes reach tmux unchanged (no ONLCR),
# as they do from mosh-client. A private server (-L) is killed at the end.
# Usage: run.sh DRIVER [TERM[:CAPS]...]   TERM for the panes (default: screen);
# CAPS, if given, is the TERM whose terminfo the driver paints with (e.g.
# screen:xterm-256color makes it use ech and bce, which tmux also understands).
set -u
driver=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
[ $# -gt 0 ] || set -- screen

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed"
	exit 0
fi

# One private server per case (a fresh -L socket each time: a server that is
# still shutting down cannot be reused); only the current one can be alive.
sock="moshc-termdiff-$$"
tmp=$(mktemp -d)
T() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() {
	T kill-server >/dev/null 2>&1
	# KEEP=1 keeps the captures of failed cases for a closer look.
	if [ -n "${KEEP:-}" ]; then echo "# kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

export LANG=C.UTF-8 LC_ALL=C.UTF-8
cases=$("$driver" list) || { echo "Bail out! driver list failed"; exit 1; }

# Wait until file $1 exists and the capture of session $2 stops changing.
settle() {
	i=0
	while [ ! -e "$1" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	prev=""
	i=0
	while [ $i -lt 40 ]; do
		cur=$(T capture-pane -e -p -t "$2" 2>/dev/null; T display -p -t "$2" '#{cursor_x},#{cursor_y}')
		[ -n "$prev" ] && [ "$cur" = "$prev" ] && return 0
		prev=$cur
		sleep 0.05
		i=$((i + 1))
	done
}

# Representations that differ while the colours do not: mosh stores palette
# colours 0-7 as the basic SGR 30-37/40-47 and the bright SGR 90-97/100-107
# as palette 8-15 (§8.4), so both are brought to one form. And without bce a
# blank run is written as spaces where the terminal lacks ech or bce (§10);
# tmux keeps spaces (and their SGR) where cleared cells leave nothing, so
# trailing spaces and SGRs are dropped (-J keeps trailing spaces).
sgr_rules=""
for i in 0 1 2 3 4 5 6 7; do
	sgr_rules="$sgr_rules -e s/\x1b\[38;5;${i}m/\x1b[3${i}m/g -e s/\x1b\[48;5;${i}m/\x1b[4${i}m/g"
	sgr_rules="$sgr_rules -e s/\x1b\[9${i}m/\x1b[38;5;$((8 + i))m/g"
	sgr_rules="$sgr_rules -e s/\x1b\[10${i}m/\x1b[48;5;$((8 + i))m/g"
done
normalise() {
	# shellcheck disable=SC2086
	sed -E $sgr_rules -e 's/((\x1b\[[0-9;]*m)| )+$//'
}

snap() {
	{
		T capture-pane -e -p -t "$1"
		echo "--- joined"
		T capture-pane -e -p -J -t "$1"
		echo "--- cursor"
		T display -p -t "$1" '#{cursor_x},#{cursor_y}'
	} | normalise >"$2"
}

n=0
fail=0
for spec in "$@"; do
	term=${spec%%:*}
	caps=${spec#*:}
	if ! infocmp "$term" >/dev/null 2>&1 || ! infocmp "$caps" >/dev/null 2>&1; then
		n=$((n + 1))
		echo "ok $n - TERM=$spec # SKIP no terminfo entry"
		continue
	fi
	for c in $cases; do
		n=$((n + 1))
		in="$tmp/$c.in"
		"$driver" gen "$c" "$in" || { echo "not ok $n - $spec/$c: gen failed"; fail=1; continue; }
		rm -f "$tmp/a.done" "$tmp/b.done"
		T kill-server >/dev/null 2>&1
		sock="moshc-termdiff-$$-$n"
		# Both sessions get the same size; the panes are (re)spawned once the
		# options are set, so they start with TERM=$term.
		T new-session -d -s a -x 80 -y 24 \; set -g status off \; \
			set -g default-terminal "$term" \; new-session -d -s b -x 80 -y 24 \
			>/dev/null 2>&1 || { echo "Bail out! tmux would not start"; exit 1; }
		T respawn-pane -k -t a "stty raw -echo; cat '$in'; touch '$tmp/a.done'; exec sleep 600"
		T respawn-pane -k -t b \
			"stty raw -echo; TERM='$caps' '$driver' paint '$in'; touch '$tmp/b.done'; exec sleep 600"
		settle "$tmp/a.done" a
		settle "$tmp/b.done" b
		snap a "$tmp/$c.direct"
		snap b "$tmp/$c.ours"
		if cmp -s "$tmp/$c.direct" "$tmp/$c.ours"; then
			rm -f "$tmp/$c.direct" "$tmp/$c.ours"
			echo "ok $n - TERM=$spec $c"
		else
			echo "not ok $n - TERM=$spec $c"
			diff "$tmp/$c.direct" "$tmp/$c.ours" | sed 's/\x1b/\\e/g; s/^/# /' | head -40
			fail=1
		fi
	done
done
echo "1..$n"
exit $fail
