/*
 * mosh-server's start-up (doc/PROTOCOL.md, "mosh-server"): parse the options,
 * check the locale, bind the first link's UDP socket, draw its key, print
 * MOSH CONNECT, detach from ssh, spawn the child on a pty and run the session.
 */
#ifndef MOSHC_SERVER_MAIN_H
#define MOSHC_SERVER_MAIN_H

/* The whole program; returns its exit status. */
int server_main(int argc, char **argv);

#endif
