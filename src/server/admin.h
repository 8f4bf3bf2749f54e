/*
 * `mosh-server list / attach / kill`: the verbs that talk to this user's
 * running sessions through their control sockets (server/ctl.h).
 *
 *   list [--json]          every live session, as a table or a JSON array;
 *                          sockets nobody listens on any more are removed
 *   attach [ID|NAME] [new] [-s] [-i IP] [-p PORT[:PORT2]] [-c N] [-l N=V] [-v]
 *                          ask a session for a new link and print its
 *                          "MOSH CONNECT <port> <key>" line, as new does;
 *                          the words after ID|NAME are what mosh 1.4's
 *                          launcher sends with --server='mosh-server attach X'
 *   kill ID|NAME | --detached
 *
 * ID|NAME: an exact ID, an exact name, or a unique prefix of an ID. attach
 * without one takes the only detached session. Every failure prints a
 * sentence naming the fix on diag and gives exit status 1.
 */
#ifndef MOSHC_SERVER_ADMIN_H
#define MOSHC_SERVER_ADMIN_H

#include <stdbool.h>
#include <stdio.h>

/* argv starts at the verb ("list", "attach", "kill"); out/diag are stdout/stderr. Returns the exit
 * status. */
int admin_main(int argc, char *const *argv, FILE *out, FILE *diag);
/*
 * What a new session tells its user about the others: NULL when this user has
 * no detached session here, else (allocated) how many, each one's ID, name,
 * idle time and command, and the commands that reattach or end them.
 */
char *admin_detached_notice(void);
/* Whether argv[1] names one of these verbs. */
bool admin_is_verb(const char *word);

#endif
