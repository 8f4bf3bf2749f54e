/*
 * The session's login record (doc/PROTOCOL.md 9.2): who is on which pty, shown by
 * who(1) and w(1). Records are written through libutempter, whose setgid
 * helper may write utmp/wtmp for us; any failure (no helper, no utmp file,
 * not permitted) only costs the record, never the session, so every call
 * here degrades to a logged no-op.
 *
 * The host field tells people what the session is doing:
 *   "mosh [PID]"               no client attached (at start, or 30 s silent)
 *   "<client-ip> via mosh [PID]"  a client is attached from that address
 * utmprec_set() rewrites the record only when the text changes.
 *
 * The same text lets a new login shell warn about this user's other detached
 * sessions (utmprec_detached_notice()).
 */
#ifndef MOSHC_SERVER_UTMPREC_H
#define MOSHC_SERVER_UTMPREC_H

#include <stdbool.h>
#include <sys/types.h>

struct utmprec {
	int master_fd;
	pid_t pid;
	bool added;
	char host[96]; /* the text of the current record, when added */
};

/* Prepare (nothing is written yet) for the pty whose master is master_fd. */
void utmprec_init(struct utmprec *u, int master_fd, pid_t pid);

/*
 * Write the record for client_ip (NULL: detached). 0 when the record now says
 * so (or already did); a negative ERR_* code when libutempter failed.
 */
int utmprec_set(struct utmprec *u, const char *client_ip);

/* Remove the record if one was added. */
void utmprec_fini(struct utmprec *u);

/*
 * The warning a login shell prints about the user's other detached sessions:
 * entries of the utmp file (NULL: the system's) that are USER_PROCESS records
 * of user whose host reads "mosh [...]", other than own_host, and whose tty
 * still exists. NULL when there are none, else an allocated string
 * (white-on-blue, as mosh prints it).
 */
char *utmprec_detached_notice(const char *utmp_path, const char *user, const char *own_host);

#endif
