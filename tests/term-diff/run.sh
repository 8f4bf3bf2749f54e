#!/bin/sh
# Differential test against tmux: each case's byte stream is shown directly in
# one tmux session and, in another, through our emulator + the CLIENT display
# differ (term_diff_driver paint, caps from the pane's TERM). Both sessions have
# the same size; the screens (capture-pane -e, with and without -J so line
# wrapping is compared too) and the cursor positions must be identical.
# Both panes are in raw mode, so the bytes reach tmux unchanged (no ONLCR),
# as they do from mosh-client. A private server (-L) is killed at the end.
# Usage: run.sh DRIVER [TERM...]   (TERM values for the panes; default: screen)
set -u
driver=$1
shift
[ $# -gt 0 ] || set -- screen

if ! command -v tmux >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux is not installed"
	exit 77
fi

sock="moshc-termdiff-$$"
tmp=$(mktemp -d)
T() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() {
	T kill-server >/dev/null 2>&1
	rm -rf "$tmp"
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

snap() {
	{
		T capture-pane -e -p -t "$1"
		echo "--- joined"
		T capture-pane -e -p -J -t "$1"
		echo "--- cursor"
		T display -p -t "$1" '#{cursor_x},#{cursor_y}'
	} >"$2"
}

n=0
fail=0
for term in "$@"; do
	if ! infocmp "$term" >/dev/null 2>&1; then
		n=$((n + 1))
		echo "ok $n - TERM=$term # SKIP no terminfo entry"
		continue
	fi
	for c in $cases; do
		n=$((n + 1))
		in="$tmp/$c.in"
		"$driver" gen "$c" "$in" || { echo "not ok $n - $term/$c: gen failed"; fail=1; continue; }
		rm -f "$tmp/a.done" "$tmp/b.done"
		T kill-server >/dev/null 2>&1
		T -2 new-session -d -s a -x 80 -y 24 \; set -g status off \; \
			set -g default-terminal "$term" \; resize-window -t a -x 80 -y 24 \
			>/dev/null 2>&1 || { echo "Bail out! tmux would not start"; exit 1; }
		T respawn-pane -k -t a "stty raw -echo; cat '$in'; touch '$tmp/a.done'; exec sleep 600"
		T new-session -d -s b -x 80 -y 24 \; resize-window -t b -x 80 -y 24 \
			"stty raw -echo; '$driver' paint '$in'; touch '$tmp/b.done'; exec sleep 600"
		settle "$tmp/a.done" a
		settle "$tmp/b.done" b
		snap a "$tmp/$c.direct"
		snap b "$tmp/$c.ours"
		if cmp -s "$tmp/$c.direct" "$tmp/$c.ours"; then
			echo "ok $n - TERM=$term $c"
		else
			echo "not ok $n - TERM=$term $c"
			diff "$tmp/$c.direct" "$tmp/$c.ours" | sed 's/\x1b/\\e/g; s/^/# /' | head -40
			fail=1
		fi
	done
done
echo "1..$n"
exit $fail
