/*
 * Shell words in both directions.
 *
 * Quoting: shell_quote wraps a string in single quotes and writes each
 * embedded ' as '\'' — the one form every POSIX shell reads back as the
 * exact bytes, whatever they are (spaces, $, backquotes, newlines, UTF-8).
 *
 * Splitting: shell_split turns the --ssh string into words with the rules of
 * Perl's Text::ParseWords::shellwords, which mosh 1.4 uses, so a --ssh value
 * means the same to both launchers. Words are separated by runs of blanks
 * (space, tab, newline, CR, FF, VT). Outside quotes a backslash takes the next
 * character literally. Inside "..." a backslash before any character is
 * dropped and the character kept. Inside '...' a backslash followed by a
 * character is kept as both characters and does not end the quote (so 'a\'b'
 * is the word a\'b). Adjacent pieces join into one word; '' or "" makes an
 * empty word. No expansion of any kind. An unterminated quote or a trailing
 * lone backslash is an error, never a guess.
 */
#ifndef MOSHC_LAUNCHER_SHELL_H
#define MOSHC_LAUNCHER_SHELL_H

#include "launcher/strv.h"
#include "util/buf.h"

/* Append s single-quoted to out. */
void shell_quote(struct buf *out, const char *s);
/* Append every list element quoted, separated by single spaces. */
void shell_quote_list(struct buf *out, char *const *list, size_t n);
/* Append the words of s to out; 0, or ERR_INVAL with err filled. */
int shell_split(struct strv *out, const char *s, char *err);

#endif
