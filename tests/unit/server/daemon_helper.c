/*
 * Test helper for test_daemon: announce, detach, and in the daemon report on
 * stderr (visible only when verbose) and then wait to be killed (at most 30 s).
 * Usage: daemon_helper PORT KEY [-v]
 * With DAEMON_HELPER_READY_FILE set, the daemon creates that file half a
 * second after detaching and only then calls daemon_ready().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/daemon.h"

int main(int argc, char **argv)
{
	char err[ERR_LEN];
	bool verbose = argc > 3 && strcmp(argv[3], "-v") == 0;

	if (argc < 3)
		return 2;
	daemon_announce((uint16_t)atoi(argv[1]), argv[2]);
	if (daemon_detach(verbose, err) < 0) {
		fprintf(stderr, "detach: %s\n", err);
		return 1;
	}
	fprintf(stderr, "daemon-alive sid=%ld\n", (long)getsid(0));
	fflush(stderr);
	/* DAEMON_HELPER_READY_FILE: made half a second later, just before ready. */
	if (getenv("DAEMON_HELPER_READY_FILE") != NULL) {
		FILE *f;

		usleep(500000);
		f = fopen(getenv("DAEMON_HELPER_READY_FILE"), "w");
		if (f != NULL)
			fclose(f);
	}
	daemon_ready();
	for (int i = 0; i < 300; i++)
		usleep(100000);
	return 0;
}
