# shellcheck shell=sh
# tests/lib/screen.sh: compare tmux panes cell for cell (POSIX sh, source-able;
# needs common.sh and tmux.sh first).
#
# Model: a pane's content is `capture-pane -p -e` (text, colours and
# attributes of every cell) with the bright colours in one spelling: mosh stores
# SGR 90-97/100-107 as palette entries 8-15 (doc/PROTOCOL.md 8.4), which look
# the same but which tmux reports differently. The cursor is
# `#{cursor_x},#{cursor_y}`. A mosh pane may still be receiving frames, so
# screens_equal polls for a while; on failure it prints a diff (cat -v) to
# stderr. Captures go to $TEST_TMP/<session>.screen.
#
# Functions:
#   screen_capture SESSION         print SESSION's screen, normalised
#   screen_cursor SESSION          print SESSION's cursor as X,Y
#   screens_equal A B [TIMEOUT]    until A and B show the same cells (default 5 s)
#   screens_equal_cursor A B [TIMEOUT]
#                                  the same, and the cursors are at the same place

# tmux_cmd names the server by $TMUX_SESSION: point it at $1 for one command.
_screen_tmux() {
	_screen_was=$TMUX_SESSION
	TMUX_SESSION=$1
	shift
	tmux_cmd "$@"
	_screen_rc=$?
	TMUX_SESSION=$_screen_was
	return $_screen_rc
}

screen_capture() {
	_screen_tmux "$1" capture-pane -p -e -t "$1" |
		perl -pe 's/\e\[9([0-7])m/"\e[38;5;".(8+$1)."m"/ge; s/\e\[10([0-7])m/"\e[48;5;".(8+$1)."m"/ge'
}

screen_cursor() {
	_screen_tmux "$1" display-message -p -t "$1" '#{cursor_x},#{cursor_y}'
}

_screens_same() {
	screen_capture "$1" >"$TEST_TMP/$1.screen"
	screen_capture "$2" >"$TEST_TMP/$2.screen"
	cmp -s "$TEST_TMP/$1.screen" "$TEST_TMP/$2.screen" || return 1
	[ "$3" = cells ] || [ "$(screen_cursor "$1")" = "$(screen_cursor "$2")" ]
}

_screens_report() {
	retry_until "$4" _screens_same "$1" "$2" "$3" && return 0
	{
		echo "screens differ (< $1 cursor $(screen_cursor "$1"), > $2 cursor $(screen_cursor "$2")):"
		diff "$TEST_TMP/$1.screen" "$TEST_TMP/$2.screen" | cat -v
	} >&2
	return 1
}

screens_equal() {
	_screens_report "$1" "$2" cells "${3:-5}"
}

screens_equal_cursor() {
	_screens_report "$1" "$2" cursor "${3:-5}"
}
