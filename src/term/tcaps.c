/*
 * Terminal capabilities from terminfo (§10) or the server's fixed set (§6).
 *
 * terminfo is read through setupterm() into a private TERMINAL that is
 * released again before returning, so loading never changes the process's
 * cur_term for other users of curses. Strings are copied with their
 * "$<n>" padding delays removed: the client writes them with write(2), not
 * tputs(), and a modern terminal needs no padding.
 */
#include "term/tcaps.h"

#include <string.h>
#include <unistd.h>

#include <curses.h>
#include <term.h>

#include "util/err.h"

static void tcaps_none(struct tcaps *c)
{
	memset(c, 0, sizeof(*c));
	c->colors = -1;
}

void tcaps_server(struct tcaps *c)
{
	tcaps_none(c);
	c->ech = true;
	c->bce = true;
	c->titles = true;
	c->exact = true;
}

void tcaps_server_ext(struct tcaps *c)
{
	tcaps_server(c);
	c->faint = c->strike = c->ul_style = c->ul_color = c->links = true;
}

/* Whether term starts with one of prefixes[0..n). */
static bool has_prefix(const char *term, const char *const *prefixes, size_t n)
{
	if (term == NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strncmp(term, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

bool tcaps_term_has_links(const char *term)
{
	static const char *const prefixes[] = {"xterm", "tmux",  "alacritty", "foot",    "wezterm",
	                                       "vte",   "gnome", "konsole",   "contour", "mintty"};

	return has_prefix(term, prefixes, sizeof prefixes / sizeof prefixes[0]);
}

/* Whether terminfo has string capability name (a user-defined one included). */
static bool has_str(const char *name)
{
	const char *s = tigetstr(name);

	return s != NULL && s != (const char *)-1;
}

bool tcaps_term_has_titles(const char *term)
{
	static const char *const prefixes[] = {"xterm",     "rxvt",   "kterm", "Eterm",
	                                       "alacritty", "screen", "tmux"};

	return has_prefix(term, prefixes, sizeof prefixes / sizeof prefixes[0]);
}

/* Copy a terminfo string without padding; absent or too long ⇒ "". */
static void copy_cap(char *dst, const char *src)
{
	size_t n = 0;

	dst[0] = '\0';
	if (src == NULL || src == (const char *)-1)
		return;
	for (const char *p = src; *p != '\0'; p++) {
		if (p[0] == '$' && p[1] == '<') {
			const char *end = strchr(p, '>');
			if (end != NULL) {
				p = end;
				continue;
			}
		}
		if (n + 1 >= TCAPS_STR_MAX) {
			dst[0] = '\0';
			return;
		}
		dst[n++] = *p;
	}
	dst[n] = '\0';
}

int tcaps_load(struct tcaps *c, const char *term, char *err)
{
	TERMINAL *saved = cur_term;
	TERMINAL *mine;
	int errret = 0;

	tcaps_none(c);
	if (term == NULL || term[0] == '\0')
		return err_set(
		    err, ERR_INVAL,
		    "TERM is not set: set it to your terminal's type, e.g. TERM=xterm-256color");
	/* setupterm() installs the new entry as cur_term; put the old one back afterwards. */
	if (setupterm((char *)term, STDOUT_FILENO, &errret) != OK) {
		set_curterm(saved);
		return err_set(
		    err, ERR_NOTFOUND,
		    "no terminfo entry for TERM=%s: install ncurses-term or set TERM to a "
		    "known type such as xterm-256color",
		    term);
	}
	mine = cur_term;
	c->bce = tigetflag("bce") > 0;
	c->ech = has_str("ech");
	c->faint = has_str("dim");
	c->strike = has_str("smxx");
	c->ul_style = has_str("Smulx");
	c->ul_color = has_str("Setulc");
	c->colors = tigetnum("colors");
	if (c->colors < 0)
		c->colors = -1;
	copy_cap(c->smcup, tigetstr("smcup"));
	copy_cap(c->rmcup, tigetstr("rmcup"));
	c->titles = tcaps_term_has_titles(term);
	c->links = tcaps_term_has_links(term);
	set_curterm(saved);
	del_curterm(mine);
	return 0;
}
