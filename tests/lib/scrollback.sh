# shellcheck shell=sh
# tests/lib/scrollback.sh: check what reached a tmux pane's history (POSIX sh,
# source-able; needs common.sh and tmux.sh first).
#
# Model: a test prints numbers (seq) through mosh into a tmux pane whose
# history-limit is large (TMUX_HISTORY_LIMIT), then reads history and screen
# together (tmux_history) and keeps the lines that are a number and nothing
# else, so prompts, typed commands and markers drop out. The "lines skipped"
# marker is counted separately.
#
# Functions:
#   sb_numbers FILE            write the pane's number-only lines to FILE
#   sb_exactly N               0 when history + screen hold 1..N once each, in order
#   sb_wait_exactly N TIMEOUT  until sb_exactly N (0), else print the first
#                              difference to stderr and return 1
#   sb_skipped_markers         print how many "lines skipped" markers the pane holds
#   sb_history_size            print the pane's history length (lines)
#   sb_client_env VAR=VALUE CMD
#                              print CMD (from mosh_client_cmd) with VAR exported first

sb_numbers() {
	tmux_history | grep -xE '[0-9]+' >"$1"
}

sb_exactly() {
	seq 1 "$1" >"$TEST_TMP/sb-want"
	sb_numbers "$TEST_TMP/sb-got"
	cmp -s "$TEST_TMP/sb-want" "$TEST_TMP/sb-got"
}

sb_wait_exactly() {
	retry_until "$2" sb_exactly "$1" && return 0
	{
		echo "sb_wait_exactly: history + screen do not hold 1..$1 once each; first difference:"
		diff "$TEST_TMP/sb-want" "$TEST_TMP/sb-got" | head -n 10 | sed 's/^/| /'
		echo "($(wc -l <"$TEST_TMP/sb-got") number lines)"
	} >&2
	return 1
}

sb_skipped_markers() {
	tmux_history | grep -c 'lines skipped'
}

sb_history_size() {
	tmux_cmd display-message -p -t "$TMUX_SESSION" '#{history_size}'
}

sb_client_env() {
	echo "export $1 && $2"
}
