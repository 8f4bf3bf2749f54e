# shellcheck shell=sh
# tests/lib/tmux.sh: drive a full-screen program inside a private tmux server
# (POSIX sh, source-able; needs common.sh first).
#
# Model: each tmux_start runs its own tmux server (-L moshc-NAME-<pid>,
# -f /dev/null, so no user configuration leaks in) with one W x H pane, the
# status line off (the pane is exactly W x H), TERM=xterm-256color and
# LANG=C.UTF-8 inside, and remain-on-exit on, so the final screen stays
# readable after the program ends. The program runs in a subshell of a small
# wrapper that writes its exit status to $TEST_TMP/tmux-NAME.status: tmux 3.3
# sometimes leaves an exited pane unreaped for seconds (pane_dead_status empty),
# so the file, not tmux, says when and how the program ended. The pane keeps
# $TMUX_HISTORY_LIMIT lines of history (default 1000); tmux reads the option
# when the window is made, so set it before tmux_start. The server is
# killed at cleanup (kill-server, then its PID). The other functions act on the
# session named in $TMUX_SESSION, which tmux_start sets; set it yourself to
# switch between several sessions.
#
# Functions:
#   tmux_start NAME W H CMD     start CMD (a sh -c string) in a new W x H session NAME
#   tmux_type TEXT...           type TEXT literally (no key names)
#   tmux_keys KEY...            send tmux key names: Enter, C-c, C-^, Escape, Up ...
#   tmux_screen                 print the visible screen (capture-pane -p)
#   tmux_history [ARG...]       print history and screen (capture-pane -p -S - -E - ARG...)
#   tmux_wait_for TEXT TIMEOUT  until TEXT (fixed string) shows on screen (0), else
#                               print the screen to stderr and return 1
#   tmux_wait_gone TEXT TIMEOUT until TEXT no longer shows (0), else 1
#   tmux_pane_dead              0 once the program in the pane has exited
#   tmux_wait_exit TIMEOUT      until the program has exited (0), else 1
#   tmux_exit_status            print the exit status of the ended program (128+N
#                               when signal N killed it)
#   tmux_pane_pid               print the PID of the pane's wrapper shell
#   tmux_cmd ARGS...            any tmux command against the private server

TMUX_SESSION=${TMUX_SESSION:-}

_tmux_sock() {
	echo "moshc-$1-$$"
}

tmux_cmd() {
	tmux -L "$(_tmux_sock "$TMUX_SESSION")" "$@"
}

tmux_start() {
	TMUX_SESSION=$1
	_sock=$(_tmux_sock "$1")
	_status="$TEST_TMP/tmux-$1.status"
	rm -f "$_status"
	# One command list, so the options hold before the program can exit.
	env -u TMUX TERM=xterm-256color LANG=C.UTF-8 \
		tmux -L "$_sock" -f /dev/null start-server \; \
		set-option -g remain-on-exit on \; \
		set-option -g status off \; \
		set-option -g default-terminal xterm-256color \; \
		set-option -g history-limit "${TMUX_HISTORY_LIMIT:-1000}" \; \
		new-session -d -s "$1" -x "$2" -y "$3" \
		-e LANG=C.UTF-8 -e TERM=xterm-256color \
		"($4
); echo \$? >'$_status.tmp' && mv '$_status.tmp' '$_status'" || return 1
	_srv=$(tmux -L "$_sock" display-message -p -t "$1" '#{pid}') || return 1
	_pane=$(tmux_pane_pid)
	# The program is the wrapper's child: kill it by PID before the server goes.
	at_cleanup "kill \$(ps -o pid= --ppid '$_pane') 2>/dev/null"
	at_cleanup "tmux -L '$_sock' kill-server"
	track_pid "$_srv" "$_pane"
	return 0
}

tmux_type() {
	tmux_cmd send-keys -t "$TMUX_SESSION" -l "$*"
}

tmux_keys() {
	tmux_cmd send-keys -t "$TMUX_SESSION" "$@"
}

tmux_screen() {
	tmux_cmd capture-pane -p -t "$TMUX_SESSION"
}

tmux_history() {
	tmux_cmd capture-pane -p -S - -E - "$@" -t "$TMUX_SESSION"
}

_tmux_shows() {
	tmux_screen | grep -qF -- "$1"
}

_tmux_not_shows() {
	! _tmux_shows "$1"
}

tmux_wait_for() {
	retry_until "$2" _tmux_shows "$1" && return 0
	{
		echo "tmux_wait_for: \"$1\" not on screen after $2 s; the screen:"
		tmux_screen | sed 's/^/| /'
	} >&2
	return 1
}

tmux_wait_gone() {
	retry_until "$2" _tmux_not_shows "$1"
}

tmux_pane_dead() {
	[ -s "$TEST_TMP/tmux-$TMUX_SESSION.status" ]
}

tmux_wait_exit() {
	retry_until "$1" tmux_pane_dead
}

tmux_exit_status() {
	cat "$TEST_TMP/tmux-$TMUX_SESSION.status"
}

tmux_pane_pid() {
	tmux_cmd display-message -p -t "$TMUX_SESSION" '#{pane_pid}'
}
