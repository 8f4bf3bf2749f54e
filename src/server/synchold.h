/*
 * Synchronized output (DEC private mode 2026, doc/sequences.md): while the
 * program in the session holds the mode, its frame is half drawn, so the
 * session's links send nothing until it releases the mode or SYNCHOLD_MAX ms
 * have passed since it set it (a program that never releases it must not
 * freeze the screen). Pure: the caller passes whether the emulator holds the
 * mode and the time.
 *
 * Invariant: since is the time the current hold began (the first update that
 * saw the mode set), 0 while the mode is not set. A hold that ran out stays
 * out until the program resets and sets the mode again.
 */
#ifndef MOSHC_SERVER_SYNCHOLD_H
#define MOSHC_SERVER_SYNCHOLD_H

#include <stdbool.h>
#include <stdint.h>

#define SYNCHOLD_MAX 200 /* ms */

struct synchold {
	uint64_t since; /* when the mode was seen set; 0: not set */
};

/*
 * Note whether the mode is set at time now (ms, > 0). Returns whether links
 * hold their frames now; then *wait (ms, -1 = none) is lowered to the time
 * left until the hold ends.
 */
bool synchold_update(struct synchold *h, bool held, uint64_t now, int64_t *wait);

#endif
