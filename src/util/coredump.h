/*
 * Keeping the session key out of core dumps and away from debuggers. Each
 * program calls coredump_disable() first thing, before any key is read or
 * generated (mosh 1.4 does the same): RLIMIT_CORE's soft limit becomes 0 and
 * the process is marked not dumpable (no core, no ptrace attach by the same
 * user, /proc/PID files owned by root). The previous soft limit is
 * remembered so a child about to exec the user's shell can hand it back with
 * coredump_restore(); exec itself makes the new program dumpable again.
 */
#ifndef MOSHC_UTIL_COREDUMP_H
#define MOSHC_UTIL_COREDUMP_H

/* Disable core dumps for this process. 0, or ERR_IO if either call failed. */
int coredump_disable(void);

/* In a child before exec: the soft core limit from before coredump_disable(). */
void coredump_restore(void);

#endif
