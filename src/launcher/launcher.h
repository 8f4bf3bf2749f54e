/*
 * `mosh`: the launcher. Parses the command line, picks the client (and with
 * --local the server) beside itself unless named (sibling.h), makes our
 * client's start-up checks on the local terminal (term/localterm.h), asks the
 * local client how many colours the terminal has, starts the server on the
 * remote host through ssh (or locally with --local), reads the server's MOSH
 * CONNECT line and the address ssh reached, then becomes mosh-client (exec)
 * with the session key in its environment. Also the internal --fake-proxy
 * mode that ssh runs as its ProxyCommand. doc/PROTOCOL.md §9.1 is the
 * specification.
 *
 * Exit status: 0 for --help and --version; 255 for every launcher failure
 * (bad options, ssh or the server not starting, a malformed reply), with the
 * reason on stderr (explain.h names the cause from ssh's status); once the
 * session starts, the status is the client's.
 */
#ifndef MOSHC_LAUNCHER_LAUNCHER_H
#define MOSHC_LAUNCHER_LAUNCHER_H

#define LAUNCHER_EXIT_FAILURE 255

int launcher_main(int argc, char **argv);

#endif
