/*
 * Diagnostic logging: off unless a program turns it on (-v, or a test).
 * The level is checked in the macro before any argument is formatted, so a
 * disabled log costs one comparison. Each line names the function it came
 * from. Every byte of a formatted line outside printable ASCII is escaped
 * (\n, \e, \xNN), so terminal output and hostile input can never reach the
 * log as control sequences. Keys and keystrokes are never logged.
 */
#ifndef MOSHC_UTIL_LOG_H
#define MOSHC_UTIL_LOG_H

#include <stddef.h>
#include <stdio.h>

enum log_level {
	LOG_OFF = 0,
	LOG_ERROR = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

extern int log_level;

/* Send log lines to f (not owned) at the given level; LOG_OFF stops logging. */
void log_open(FILE *f, int level);
void log_emit(int level, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Escape data for a log line into out (always NUL-terminated); returns out. */
char *log_escape(char *out, size_t outlen, const void *data, size_t len);

#define log_at(lvl, ...)                                                                           \
	do {                                                                                       \
		if (log_level >= (lvl))                                                            \
			log_emit((lvl), __func__, __VA_ARGS__);                                    \
	} while (0)
#define log_error(...) log_at(LOG_ERROR, __VA_ARGS__)
#define log_info(...) log_at(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_at(LOG_DEBUG, __VA_ARGS__)

#endif
