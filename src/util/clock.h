/*
 * The monotonic millisecond clock. Protocol code never reads it directly:
 * it takes "now" as an argument, so tests can drive it with a fake clock.
 */
#ifndef MOSHC_UTIL_CLOCK_H
#define MOSHC_UTIL_CLOCK_H

#include <stdint.h>

/* Milliseconds of CLOCK_MONOTONIC: never goes back, unrelated to wall time. */
uint64_t clock_ms(void);

#endif
