/*
 * The shared front door of the three programs while their layers are being
 * built: --help and --version work; anything else says plainly that the
 * program cannot run a session yet and exits 2, so nothing pretends to work.
 */
#ifndef MOSHC_BIN_STUB_H
#define MOSHC_BIN_STUB_H

int stub_main(int argc, char **argv, const char *prog, const char *usage);

#endif
